"""The warm path of ``docharness extract``: nothing changed, so nothing is read or rendered.

After a successful run, a manifest records what went in (the bytes of every
file under the docs folder, snooty.toml included), what came out (the digest
of every ``.feature`` file in the output folder) and what the run printed. A
later run whose inputs, outputs, docharness, docutils and Python are all
exactly the same replays the printout and stops: no page is parsed, no cache
entry decoded, no feature rendered. Any difference, however small, means the
full run (which still reuses the page cache).

This module imports nothing beyond the standard library, so that a warm run
never pays for docutils.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import harness
from harness.fileio import read_regular, write_atomic

DEFAULT_CACHE_DIR = ".docharness-cache"  # the page cache's folder; the manifest lives there too
FORMAT = 1
MANIFEST_DIR = "manifest"
_ENTRY = re.compile(r"^[0-9a-f]{32}\.json$")
# docutils' csv-table fetches :url: and reads :file: (possibly outside the docs):
# inputs this manifest cannot see, so a project using them never takes the warm path.
_OUTSIDE_INPUT = re.compile(rb"^[ \t]*:(?:url|file):", re.MULTILINE)
_STAGES = ("rst", "procedures", "gherkin")


@functools.cache
def fingerprint() -> str:
    """docharness (version and the code of every stage extract runs), docutils, Python."""
    digest = hashlib.sha256(harness.__version__.encode())
    package = Path(harness.__file__).parent
    sources = [package / "diagnostics.py", package / "cli" / "extract.py"]
    for stage in _STAGES:
        sources.extend(sorted((package / stage).iterdir()))
    spec = importlib.util.find_spec("docutils")  # its version is in __init__.py; not imported
    if spec is not None and spec.origin:
        sources.append(Path(spec.origin))
    for source in sources:
        if source.suffix in {".py", ".toml"} and source.is_file():
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    digest.update(repr(sys.version_info[:3]).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Printout:
    """What a run printed: diagnostics (one line each) and its summary."""

    diagnostics: tuple[str, ...]
    summary: str
    features: int  # generated feature files, all unchanged on a warm run


class WarmPath:
    """The manifest of one (docs folder, output folder, current folder) under a cache folder."""

    def __init__(self, cache_dir: Path, docs: Path, out_dir: Path) -> None:
        self.docs = docs.resolve()
        self.out_dir = out_dir.resolve()
        self.cache_dir = cache_dir.resolve()
        place = f"{self.docs}\n{self.out_dir}\n{Path.cwd().resolve()}"
        name = hashlib.sha256(place.encode()).hexdigest()[:32]
        self.file = cache_dir / MANIFEST_DIR / f"{name}.json"

    def replay(self) -> Printout | None:
        """The stored printout when nothing changed since it was stored, else None."""
        try:
            stored = json.loads(read_regular(self.file))
            if not isinstance(stored, dict) or stored.get("format") != FORMAT:
                return None
            if stored.get("fingerprint") != fingerprint():
                return None
            if stored.get("outputs") != _outputs(self.out_dir):
                return None
            if stored.get("inputs") != self._inputs():
                return None
            printout = stored["printout"]
            return Printout(
                diagnostics=tuple(str(line) for line in printout["diagnostics"]),
                summary=str(printout["summary"]),
                features=int(printout["features"]),
            )
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None

    def store(self, printout: Printout) -> None:
        """Record this run; a project with inputs the manifest cannot see gets none."""
        inputs = self._inputs()
        if inputs is None:
            self.forget()
            return
        data = {
            "format": FORMAT,
            "fingerprint": fingerprint(),
            "inputs": inputs,
            "outputs": _outputs(self.out_dir),
            "printout": {
                "diagnostics": list(printout.diagnostics),
                "summary": printout.summary,
                "features": printout.features,
            },
        }
        try:
            write_atomic(self.file, json.dumps(data, sort_keys=True))
        except OSError:
            return

    def forget(self) -> None:
        try:
            self.file.unlink(missing_ok=True)
        except OSError:
            return

    def _inputs(self) -> dict[str, str] | None:
        """Every file under the docs folder and its digest (the cache and output
        folders excluded); None when something may read outside it (a symlink out, a
        symlinked folder, a csv-table :file: or :url:)."""
        skipped = {self.cache_dir, self.out_dir}
        found: dict[str, str] = {}
        for folder, subfolders, files in os.walk(self.docs):
            here = Path(folder)
            subfolders[:] = sorted(d for d in subfolders if here / d not in skipped)
            if any((here / d).is_symlink() for d in subfolders):
                return None
            for name in files:
                path = here / name
                relative = path.relative_to(self.docs).as_posix()
                if path.is_symlink():
                    if not path.resolve().is_relative_to(self.docs):
                        return None
                    found[relative] = f"link:{os.readlink(path)}"
                    continue
                if not path.is_file():
                    found[relative] = "not a regular file"
                    continue
                data = path.read_bytes()
                if _OUTSIDE_INPUT.search(data):
                    return None
                found[relative] = hashlib.sha256(data).hexdigest()
        return found


def _outputs(out_dir: Path) -> dict[str, str]:
    """Every ``.feature`` file under the output folder (generated or not) and its digest."""
    found: dict[str, str] = {}
    for folder, subfolders, files in os.walk(out_dir):
        subfolders.sort()
        for name in files:
            if name.endswith(".feature"):
                path = Path(folder) / name
                key = path.relative_to(out_dir).as_posix()
                found[key] = (
                    hashlib.sha256(path.read_bytes()).hexdigest()
                    if path.is_file() and not path.is_symlink()
                    else "not a regular file"
                )
    return found
