"""How the resource model classifies the steps of the development corpora.

Usage (from the repository root)::

    python benchmarks/corpus_classify.py                 # both corpora in ../shared/corpus
    python benchmarks/corpus_classify.py --list unclassified

Each corpus is copied into a temporary folder and extracted there (never into
the repository). Prints, per corpus: steps by interface, kind and resource, the
external steps by rule, and the unclassified share against the <= 5% target.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.catalog.classify import Classification, StepFacts, classify  # noqa: E402
from harness.gherkin.text import slug, step_sentence  # noqa: E402
from harness.procedures import extract_project  # noqa: E402

CORPORA = ("app-services", "realm-2021")
TARGET = 0.05


def classify_corpus(
    source: Path,
) -> list[tuple[str, StepFacts, Classification, Classification]]:
    """(location, facts, classification, as the runner sees it) of every step of a temporary
    copy of ``source``. The runner sees a Gherkin sentence and its scenario's tags only."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / source.name
        shutil.copytree(source, project)
        extraction = extract_project(project)
    found = []
    for document in extraction.documents:
        for procedure in document.procedures:
            tags = {f"page:{document.page}", *(f"label:{label}" for label in procedure.labels)}
            if procedure.tab:
                tags.add(f"tab:{slug(procedure.tab) or 'tab'}")
            for step in procedure.steps:
                facts = StepFacts.from_step(step, procedure, document.page)
                seen = StepFacts.from_sentence(step_sentence(step), step.kind.value, tags)
                found.append((str(step.location), facts, classify(facts), classify(seen)))
    return found


def _table(title: str, counts: Counter[str], total: int) -> None:
    print(f"  {title}:")
    for name, count in counts.most_common():
        print(f"    {name:<28} {count:>4}  {count / total:6.1%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--list", choices=["unclassified", "external", "all"], default=None)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"{args.corpus}: no such folder (the shared corpora)", file=sys.stderr)
        return 2
    verdict = 0
    for name in CORPORA:
        steps = classify_corpus(args.corpus / name)
        total = len(steps)
        results = [c for _, _, c, _ in steps]
        runner = [c for _, _, _, c in steps]
        print(f"{name}: {total} steps")
        _table("by interface", Counter(str(c.interface) for c in results), total)
        _table("by kind", Counter(str(c.kind) for c in results if not c.external), total)
        _table(
            "by resource",
            Counter(str(c.resource) for c in results if c.kind not in (None, "navigation")),
            total,
        )
        _table(
            "external, by rule", Counter(c.why("external") for c in results if c.external), total
        )
        missing = Counter(c.missing for c in results if not c.classified)
        _table("unclassified, by what is missing", missing, total)
        share = sum(missing.values()) / total
        met = share <= TARGET
        verdict |= not met
        state = "met" if met else "NOT met"
        print(f"  unclassified: {share:.1%} (target <= {TARGET:.0%}: {state})")
        seen = sum(not c.classified for c in runner) / total
        verdict |= seen > TARGET
        print(
            f"  as the runner sees it (sentence and tags, no code or titles): unclassified "
            f"{seen:.1%}, external {sum(c.external for c in runner) / total:.1%} "
            f"(full facts: {sum(c.external for c in results) / total:.1%})"
        )
        for location, facts, result, _ in steps:
            wanted = args.list == "all" or (
                (args.list == "unclassified" and not result.classified)
                or (args.list == "external" and result.external)
            )
            if wanted:
                print(
                    f"    {location}: [{result.interface} {result.kind} {result.resource}"
                    f"{' external' if result.external else ''}] {facts.text[:110]}"
                )
    return verdict


if __name__ == "__main__":
    raise SystemExit(main())
