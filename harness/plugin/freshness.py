"""Are the features what ``docharness extract`` writes now? ``run`` asks before it runs.

A run on stale features would verify what the page used to say. This reuses
extraction and :func:`harness.gherkin.check_features` (the machinery behind
``extract --check``), so "stale" means exactly what ``extract --check`` says.
"""

from __future__ import annotations

from pathlib import Path

from harness.procedures.manifest import WarmPath

PAGE_CACHE = Path(".docharness-cache")  # where `docharness extract` keeps its page cache


def _cache() -> Path | None:
    return PAGE_CACHE if PAGE_CACHE.is_dir() else None


def stale_features(docs: Path, features: Path) -> tuple[str, ...]:
    """The feature files that differ from what extract writes now (missing, changed or
    left over), as paths; raises ``harness.rst.ProjectError`` for an unusable docs folder."""
    cache = _cache()
    if cache is not None and WarmPath(cache, docs, features).replay() is not None:
        return ()  # docs and features exactly as a successful `docharness extract` left them
    from harness.gherkin import check_features
    from harness.procedures import extract_project

    diff = check_features(extract_project(docs, cache_dir=cache), features)
    names = {
        line[4:].strip()
        for line in diff.splitlines()
        if line.startswith(("--- ", "+++ ")) and line[4:].strip() != "/dev/null"
    }
    return tuple(sorted(_shown(Path(name)) for name in names))


def _shown(path: Path) -> str:
    """A path as a user names it: relative to the current folder when below it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def regenerate(docs: Path, features: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Write the features afresh: (files written or removed, hand-written files in the way)."""
    from harness.gherkin import write_features
    from harness.procedures import extract_project

    result = write_features(extract_project(docs, cache_dir=_cache()), features)
    changed = tuple(_shown(p) for p in (*result.written, *result.removed))
    return changed, tuple(_shown(p) for p in result.refused)
