"""Snooty images in Sphinx: ``/`` means ``source/``, and an absent file is not an error.

Image paths starting with ``/`` are relative to ``source/``, not to Sphinx's
source folder. An image whose file is absent (docs repositories often keep
images elsewhere, and the extractor only needs the alt text) is shown as its
alt text with a note, not a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from harness.rst import Project
from harness.sphinxext.project import project_of

logger = logging.getLogger(__name__)


class SnootyImages(SphinxTransform):
    """Point image URIs where Sphinx looks for them; absent images become their alt text."""

    default_priority = 500  # before doctree-read, where Sphinx checks image files

    def apply(self, **kwargs: Any) -> None:
        project = project_of(self.config)
        srcdir = Path(self.env.srcdir).resolve()
        for image in list(self.document.findall(nodes.image)):
            uri = str(image["uri"])
            if "://" in uri or uri.startswith("data:"):
                continue
            written_in = Path(image.source or self.document["source"])
            found = _image_file(project, uri, written_in)
            if found is not None and found.is_relative_to(srcdir):
                image["uri"] = "/" + found.relative_to(srcdir).as_posix()
                continue
            logger.info(
                "docharness: image %s is not in the project; its alt text is shown instead",
                uri,
                location=image,
            )
            image.replace_self(_placeholder(image, uri))


def _image_file(project: Project, uri: str, written_in: Path) -> Path | None:
    """``/x`` from source/, ``x`` from the file that names it; None when absent."""
    base = project.source_dir / uri.lstrip("/") if uri.startswith("/") else written_in.parent / uri
    return base.resolve() if base.is_file() else None


def _placeholder(image: nodes.image, uri: str) -> nodes.Element:
    text = str(image.get("alt") or uri)
    shown = nodes.inline(text, text, classes=["docharness-missing-image"])
    if isinstance(image.parent, nodes.TextElement):
        return shown
    return nodes.paragraph("", "", shown)
