"""PDF attachments → text in reading order, table rows as ``a | b | c`` lines where the layout
allows, image-only (scanned) PDFs flagged for OCR instead of returning an empty text.

pdfminer.six lays out each page. Ruled tables (what Word and WPS export: cell borders drawn
as lines or thin rectangles) are rebuilt from the rulings: grid lines, merged cells where a
border is missing (colspan text in the first column, rowspan text repeated in every row,
as for HTML), each cell's characters joined across its wrapped lines. The remaining text
lines are grouped into visual rows (vertical extents overlapping), read top to bottom;
within a row, pieces separated by a wide gap are cells of a borderless table and are joined
with `` | ``. Spaces pdfminer inserts next to CJK characters are dropped. A file pdfminer
cannot parse yields no text and says why (``metadata["error"]``). The page layout past
pdfminer (tables, rows, wrapped lines, pages read together: tables and paragraphs a page
break cuts joined, a two-line title joined) is layout.py's, which OFD pages (ofd.py) share.
"""
from __future__ import annotations

import io
import re

from .layout import Glyph, PageLayout, TextLine, add_ruling, document_lines, page_layout

__all__ = ["extract_pdf"]

_CID_RE = re.compile(r"\(cid:\d+\)")
_WS_RE = re.compile(r"\s+")


def extract_pdf(body: bytes) -> dict:
    """Returns a dict with text, title, tables, needs_ocr, metadata (error/pages/…)."""
    try:
        return _with_pdfminer(body)
    except Exception as exc:  # noqa: BLE001 - malformed PDFs raise anything
        return {"text": "", "title": None, "tables": [], "needs_ocr": False,
                "metadata": {"error": f"unreadable PDF: {type(exc).__name__}: {exc}"[:300]}}


def _with_pdfminer(body: bytes) -> dict:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    laparams = LAParams(line_margin=0.5, char_margin=2.0, word_margin=0.1, detect_vertical=False)
    layouts: list[PageLayout] = []
    images = 0
    pages = 0
    for page in extract_pages(io.BytesIO(body), laparams=laparams):
        pages += 1
        layout, n_images = _page(page)
        images += n_images
        layouts.append(layout)
    # pages are read together: tables and paragraphs go on across page breaks
    page_lines, tables = document_lines(layouts)
    chars = sum(len(_WS_RE.sub("", ln)) for ln in page_lines)

    text = "\n".join(page_lines)
    meta: dict = {"pages": pages}
    cid = len(_CID_RE.findall(text))
    needs_ocr = False
    if cid and cid * 6 >= max(chars, 1) * 0.3:
        # glyphs without a Unicode mapping: the text layer is useless
        meta["error"] = "PDF text layer has no Unicode mapping (cid fonts)"
        needs_ocr, text, tables = True, "", []
    elif chars == 0 or (chars < 10 * max(pages, 1) and images):
        needs_ocr, text, tables = True, "", []
    title = page_lines[0][:200] if page_lines and not needs_ocr else None
    return {"text": text, "title": title, "tables": tables, "needs_ocr": needs_ocr,
            "metadata": meta}


# --- one page ----------------------------------------------------------------------------
def _page(page) -> tuple[PageLayout, int]:
    """One page laid out (layout.page_layout) and how many images it holds."""
    from pdfminer.layout import LTChar, LTCurve, LTFigure, LTImage, LTLine, LTRect, LTTextContainer, LTTextLine

    text_lines: list[TextLine] = []
    hsegs: list[tuple[float, float, float]] = []  # (y, x0, x1)
    vsegs: list[tuple[float, float, float]] = []  # (x, y0, y1)
    images = 0

    def walk(obj) -> None:
        nonlocal images
        for item in obj:
            if isinstance(item, LTTextLine):
                # LTAnno (a space pdfminer inferred) has no box: kept as its text
                text_lines.append(TextLine(item.y1, [
                    Glyph(ch.x0, ch.y0, ch.x1, ch.y1, ch.get_text()) if isinstance(ch, LTChar)
                    else ch.get_text() for ch in item]))
            elif isinstance(item, LTTextContainer):
                walk(item)
            elif isinstance(item, LTImage):
                images += 1
            elif isinstance(item, LTFigure):
                walk(item)
            elif isinstance(item, (LTLine, LTRect, LTCurve)):
                add_ruling(item.x0, item.y0, item.x1, item.y1, isinstance(item, LTRect),
                           hsegs, vsegs)

    walk(page)
    return page_layout(text_lines, hsegs, vsegs), images
