"""Text that XML 1.0 can carry: ElementTree writes control characters as they are,
which makes the file unreadable to every XML parser."""

from __future__ import annotations

import re

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
