"""PDF attachments → text in reading order, table rows as ``a | b | c`` lines where the layout
allows, image-only (scanned) PDFs flagged for OCR instead of returning an empty text.

pdfminer.six lays out each page; its text lines are grouped into visual rows (lines whose
vertical extents overlap), read top to bottom. Within a row, pieces separated by a wide gap
are table cells and are joined with `` | ``; a lone piece is an ordinary line. pypdf is the
fallback when pdfminer cannot parse a file.
"""
from __future__ import annotations

import io
import re

__all__ = ["extract_pdf"]

_CID_RE = re.compile(r"\(cid:\d+\)")
_PAGE_NO_RE = re.compile(r"^[\s\-—–－_]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[\s\-—–－_]*$")
_WS_RE = re.compile(r"\s+")


def extract_pdf(body: bytes) -> dict:
    """Returns a dict with text, title, tables, needs_ocr, metadata (error/pages/…)."""
    try:
        return _with_pdfminer(body)
    except Exception as exc:  # noqa: BLE001 - malformed PDFs raise anything
        try:
            out = _with_pypdf(body)
            out["metadata"]["pdfminer_error"] = f"{type(exc).__name__}: {exc}"[:300]
            return out
        except Exception as exc2:  # noqa: BLE001
            return {"text": "", "title": None, "tables": [], "needs_ocr": False,
                    "metadata": {"error": f"unreadable PDF: {type(exc2).__name__}: {exc2}"[:300]}}


def _with_pdfminer(body: bytes) -> dict:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTFigure, LTImage, LTTextContainer, LTTextLine

    laparams = LAParams(line_margin=0.5, char_margin=2.0, word_margin=0.1, detect_vertical=False)
    page_lines: list[str] = []
    tables: list[list[list[str]]] = []
    images = 0
    pages = 0
    chars = 0

    def collect(obj, out_lines: list) -> None:
        nonlocal images
        for item in obj:
            if isinstance(item, LTTextLine):
                out_lines.append(item)
            elif isinstance(item, LTTextContainer):
                collect(item, out_lines)
            elif isinstance(item, LTImage):
                images += 1
            elif isinstance(item, LTFigure):
                collect(item, out_lines)

    for page in extract_pages(io.BytesIO(body), laparams=laparams):
        pages += 1
        lines: list = []
        collect(page, lines)
        rows = _rows(lines)
        table: list[list[str]] = []
        rendered: list[str] = []
        for i, cells in enumerate(rows):
            if len(cells) >= 2:
                table.append(cells)
                rendered.append(" | ".join(cells))
            else:
                if len(table) >= 2:
                    tables.append(_pad(table))
                table = []
                text = cells[0]
                if i == len(rows) - 1 and _PAGE_NO_RE.match(text):
                    continue  # page number in the footer
                rendered.append(text)
        if len(table) >= 2:
            tables.append(_pad(table))
        for ln in rendered:
            chars += len(_WS_RE.sub("", ln))
        page_lines.extend(rendered)

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
    title = _pdf_title(body) or (page_lines[0][:200] if page_lines and not needs_ocr else None)
    return {"text": text, "title": title, "tables": tables, "needs_ocr": needs_ocr,
            "metadata": meta}


def _rows(lines: list) -> list[list[str]]:
    """Group pdfminer text lines into visual rows, top to bottom; cells left to right."""
    items = []
    for ln in lines:
        t = ln.get_text().strip()
        if not t:
            continue
        items.append((ln.y0, ln.y1, ln.x0, ln.x1, t, _char_width(ln)))
    items.sort(key=lambda it: (-it[1], it[2]))
    rows: list[list[tuple]] = []
    for it in items:
        y0, y1 = it[0], it[1]
        placed = False
        if rows:
            row = rows[-1]
            ry0 = min(r[0] for r in row)
            ry1 = max(r[1] for r in row)
            overlap = min(y1, ry1) - max(y0, ry0)
            h = min(y1 - y0, ry1 - ry0)
            if h > 0 and overlap >= 0.5 * h:
                row.append(it)
                placed = True
        if not placed:
            rows.append([it])
    out: list[list[str]] = []
    for row in rows:
        row.sort(key=lambda it: it[2])
        cells: list[str] = []
        prev = None
        for it in row:
            if prev is not None:
                gap = it[2] - prev[3]
                width = max(prev[5], it[5], 1.0)
                if gap <= 1.5 * width:  # same phrase, split by pdfminer
                    cells[-1] = _join(cells[-1], it[4])
                    prev = it
                    continue
            cells.append(_WS_RE.sub(" ", it[4]))
            prev = it
        out.append(cells)
    return out


def _join(a: str, b: str) -> str:
    if a and b and (ord(a[-1]) > 0x2e80 or ord(b[0]) > 0x2e80):
        return a + b
    return a + " " + b


def _char_width(line) -> float:
    n = len(line.get_text().strip()) or 1
    return (line.x1 - line.x0) / n


def _pad(table: list[list[str]]) -> list[list[str]]:
    width = max(len(r) for r in table)
    return [r + [""] * (width - len(r)) for r in table]


def _pdf_title(body: bytes) -> str | None:
    try:
        from pypdf import PdfReader
        info = PdfReader(io.BytesIO(body)).metadata
        title = (info.title or "").strip() if info else ""
    except Exception:  # noqa: BLE001
        return None
    # Word leaves "Microsoft Word - 文档1.docx" and similar: not a title
    if not title or re.search(r"Microsoft|\.docx?$|^文档\d*$|^Untitled|^无标题", title, re.I):
        return None
    return title


def _with_pypdf(body: bytes) -> dict:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    texts = []
    images = 0
    for page in reader.pages:
        texts.append(page.extract_text() or "")
        try:
            images += len(page.images)
        except Exception:  # noqa: BLE001
            pass
    text = "\n".join(t.strip() for t in texts if t.strip())
    chars = len(_WS_RE.sub("", text))
    pages = len(reader.pages)
    needs_ocr = chars < 10 * max(pages, 1)
    if needs_ocr:
        text = ""
    first = text.splitlines()[0][:200] if text else None
    return {"text": text, "title": first, "tables": [], "needs_ocr": needs_ocr,
            "metadata": {"pages": pages, "extractor": "pypdf"}}
