"""A large project made of copies of a real one, for measuring extraction at scale.

Copy ``n`` of every page goes to ``source/copy-NNN/<its path>``; labels the
pages define get a ``-cNNN`` suffix (so no two copies define the same label)
and ``:ref:``/``:doc:`` links to them point into the same copy. Includes and
other files are shared, once, at their own paths. Built in a scratch folder,
never inside the repository.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from harness.rst import load_project

_LABEL = re.compile(r"^(\s*\.\. _)([^:`]+)(:\s*)$", re.MULTILINE)
_REF = re.compile(r":ref:`(?P<text>[^`<]*<)?(?P<target>[^`>]+)(?P<close>>?)`")
_DOC = re.compile(r":doc:`(?P<text>[^`<]*<)?(?P<target>[^`>]+)(?P<close>>?)`")


def build_scaled_project(corpus: Path, pages: int, into: Path) -> Path:
    """A project of ``pages`` pages (copies of ``corpus``'s pages, in order) under ``into``."""
    project = load_project(corpus)
    originals = project.pages()
    if not originals:
        raise ValueError(f"{corpus}: no pages to copy")
    root = into / "scaled-docs"
    source = root / "source"
    source.mkdir(parents=True)
    shutil.copy(project.root / "snooty.toml", root / "snooty.toml")
    page_set = set(originals)
    for path in sorted(project.source_dir.rglob("*")):
        if path.is_file() and path not in page_set:
            target = source / path.relative_to(project.source_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    texts = {page: page.read_text(encoding="utf-8", errors="replace") for page in originals}
    labels = {match[2].strip() for text in texts.values() for match in _LABEL.finditer(text)}
    names = {project.page_name(page) for page in originals}
    for index in range(pages):
        copy, original = divmod(index, len(originals))
        page = originals[original]
        text = _renamed(texts[page], f"copy-{copy:03d}", labels, names)
        target = source / f"copy-{copy:03d}" / page.relative_to(project.source_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def _renamed(text: str, folder: str, labels: set[str], names: set[str]) -> str:
    suffix = f"-{folder.removeprefix('copy-')}"

    def label(match: re.Match[str]) -> str:
        name = match[2].strip()
        return f"{match[1]}{name}{suffix}{match[3]}" if name in labels else match[0]

    def ref(match: re.Match[str]) -> str:
        target = match["target"].strip()
        if target not in labels:
            return match[0]
        return f":ref:`{match['text'] or ''}{target}{suffix}{match['close']}`"

    def doc(match: re.Match[str]) -> str:
        target = match["target"].strip()
        if not target.startswith("/") or target.lstrip("/") not in names:
            return match[0]
        return f":doc:`{match['text'] or ''}/{folder}{target}{match['close']}`"

    return _DOC.sub(doc, _REF.sub(ref, _LABEL.sub(label, text)))
