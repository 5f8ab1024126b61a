"""``Extraction``: what every extractor (html, pdf, ofd, office, sheet, rtf, ocr'd images)
hands back, in its own module so the format modules can build it without importing the
package's dispatcher (``archive.extract`` re-exports it)."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Extraction", "document"]


@dataclass
class Extraction:
    """What one captured document says, with the portal stripped away."""

    text: str
    title: str | None = None
    tables: list[list[list[str]]] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)  # index_no, publisher, written, published
    content_type: str = "html"  # html | pdf | docx | doc | wps | ofd | rtf | mht | image | other
    needs_ocr: bool = False
    replacement_chars: int = 0
    encoding: str | None = None
    extract_error: str | None = None  # why there is no or partial text (issue 17)
    text_source: str | None = None    # 'text' (the document's own) | 'ocr' | None (no text)
    ocr_engine: str | None = None
    ocr_confidence: float | None = None  # mean word confidence of the OCR, 0..1
    scan_images: list[str] = field(default_factory=list)  # page images of a scanned HTML report


def document(content_type: str, text: str = "", title: str | None = None,
             tables: list | None = None, metadata: dict | None = None,
             needs_ocr: bool = False) -> Extraction:
    """The Extraction of a document file (PDF, OFD, DOCX, DOC/WPS, RTF, spreadsheet): its
    U+FFFD count taken from title and text (bytes the converter could not decode)."""
    return Extraction(text=text, title=title, tables=tables or [], metadata=metadata or {},
                      content_type=content_type, needs_ocr=needs_ocr,
                      replacement_chars=text.count("\ufffd") + (title or "").count("\ufffd"))
