"""Clean text from a captured report (HTML, PDF, DOCX, DOC, WPS). STUB: interface only."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Extraction:
    """What one captured document says, with the portal stripped away."""

    text: str
    title: str | None = None
    tables: list[list[list[str]]] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)  # index_no, publisher, written, published
    content_type: str = "html"  # html | pdf | docx | doc | wps | other
    needs_ocr: bool = False
    replacement_chars: int = 0
    encoding: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)  # attachment (url, text) in the body


def extract(body: bytes, url: str, content_type: str | None = None) -> Extraction:
    raise NotImplementedError
