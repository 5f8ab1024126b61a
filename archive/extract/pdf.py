"""PDF attachments → text in reading order, table rows as ``a | b | c`` lines where the layout
allows, image-only (scanned) PDFs flagged for OCR instead of returning an empty text (extract()
OCRs them), and the scanned pages of a PDF that also has text pages OCR'd here, each in its
place (ocr.with_scans: ``text_source`` 'text+ocr').

pdfminer.six lays out each page. Ruled tables (what Word and WPS export: cell borders drawn
as lines or thin rectangles) are rebuilt from the rulings: grid lines, merged cells where a
border is missing (colspan text in the first column, rowspan text repeated in every row,
as for HTML), each cell's characters joined across its wrapped lines. The remaining text
lines are grouped into visual rows (vertical extents overlapping), read top to bottom;
within a row, pieces separated by a wide gap are cells of a borderless table and are joined
with `` | ``. Spaces pdfminer inserts next to CJK characters are dropped. A file pdfminer
cannot parse yields no text and says why (``metadata["error"]``).

Bounded work (issue 15): pdfminer's hierarchical text-box grouping is off (``boxes_flow=None``:
it is quadratic and worse in boxes, and layout.py orders lines itself); Flate streams inflate
to at most ``MAX_STREAM_BYTES`` each and ``MAX_INFLATE_BYTES`` per document (a 510 KB PDF can
hold 1 GB), as zipparts.py caps zip members; at most ``max_pages()`` pages are read
(``NIANBAO_PDF_MAX_PAGES``, default 2000), the cut said in ``metadata["error"]``. The page layout past
pdfminer (tables, rows, wrapped lines, pages read together: tables and paragraphs a page
break cuts joined, a two-line title joined) is layout.py's, which OFD pages (ofd.py) share.
"""
from __future__ import annotations

import io
import re
import threading
import zlib

from archive import env_number

from .layout import Glyph, PageLayout, TextLine, add_ruling, document_lines, page_layout
from .result import Extraction, document

__all__ = ["extract_pdf", "max_pages", "PdfTooLarge", "MAX_STREAM_BYTES", "MAX_INFLATE_BYTES"]

# A 300-page scanned report holds ~200 MB of images; a text page's content stream is < 1 MB.
MAX_STREAM_BYTES = 128 * 1024 * 1024
MAX_INFLATE_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000


class PdfTooLarge(ValueError):
    """A stream or the whole document inflates past the caps."""


def max_pages() -> int:
    """Pages read per PDF: NIANBAO_PDF_MAX_PAGES (default 2000; the longest real report
    seen has ~300); ValueError naming the variable and its value for one that is not a number."""
    return env_number("NIANBAO_PDF_MAX_PAGES", DEFAULT_MAX_PAGES)


_state = threading.local()  # bytes inflated so far by the document this thread reads


def _count(n: int) -> None:
    total = getattr(_state, "inflated", 0) + n
    _state.inflated = total
    if total > MAX_INFLATE_BYTES:
        raise PdfTooLarge(f"PDF streams inflate past {MAX_INFLATE_BYTES >> 20} MB (a Flate bomb?)")


class _CappedZlib:
    """pdfminer.pdftypes' `zlib`, with decompress() bounded (everything else is zlib's)."""

    error = zlib.error

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def decompress(data: bytes, *args) -> bytes:
        d = zlib.decompressobj()
        out = d.decompress(data, MAX_STREAM_BYTES + 1)
        if len(out) > MAX_STREAM_BYTES:
            raise PdfTooLarge(f"a PDF stream inflates past {MAX_STREAM_BYTES >> 20} MB (a Flate bomb?)")
        if not d.eof:  # truncated or bad: zlib's own error (its output is bounded above)
            out = zlib.decompress(data, *args)
        _count(len(out))
        return out


def _decompress_corrupted(data: bytes) -> bytes:
    """pdfminer's decompress_corrupted (a stream whose checksum is bad: keep what inflates
    before it), bounded."""
    d = zlib.decompressobj()
    out = bytearray()
    i = 0
    try:
        for i in range(len(data)):
            out += d.decompress(data[i:i + 1])
            if len(out) > MAX_STREAM_BYTES:
                raise PdfTooLarge(f"a PDF stream inflates past {MAX_STREAM_BYTES >> 20} MB (a Flate bomb?)")
    except zlib.error:
        if i < len(data) - 3:  # not in the checksum: really broken (pdfminer's rule)
            raise
    _count(len(out))
    return bytes(out)


def _cap_pdfminer() -> None:
    from pdfminer import pdftypes
    if not isinstance(pdftypes.zlib, _CappedZlib):
        pdftypes.zlib = _CappedZlib()
        pdftypes.decompress_corrupted = _decompress_corrupted

_CID_RE = re.compile(r"\(cid:\d+\)")
# A page with images and fewer characters than this is a scanned page (a scanner may add a
# page number or a stamp as text); a mixed PDF's scanned pages are OCR'd (ocr.with_scans).
_SCANNED_PAGE_CHARS = 10
_WS_RE = re.compile(r"\s+")


def extract_pdf(body: bytes) -> Extraction:
    """Text, title, tables, needs_ocr and metadata (error/pages/…) of a PDF (``content_type``
    'pdf'); never raises on a bad document. A bad NIANBAO_PDF_MAX_PAGES raises (ValueError
    naming it) before the document is read: a setting's fault, not the PDF's."""
    limit = max_pages()
    try:
        return _with_pdfminer(body, limit)
    except Exception as exc:  # noqa: BLE001 - malformed PDFs raise anything
        # pdfminer's own message; an encrypted file says so (issue 17: failures are data)
        what = "encrypted PDF" if re.search(r"encrypt|password|decrypt", f"{type(exc).__name__} {exc}",
                                            re.I) else "unreadable PDF"
        return document("pdf", metadata={"error": f"{what}: {type(exc).__name__}: {exc}"[:300]})


def _with_pdfminer(body: bytes, limit: int) -> Extraction:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    # boxes_flow=None: no hierarchical grouping of text boxes (quadratic and worse in boxes:
    # 3,000 scattered glyphs took 95 s and 1.7 GB); layout.py orders the lines itself.
    laparams = LAParams(line_margin=0.5, char_margin=2.0, word_margin=0.1, detect_vertical=False,
                        boxes_flow=None)
    _cap_pdfminer()
    _state.inflated = 0
    cut = None
    layouts: list[PageLayout] = []
    images = 0
    pages = 0
    scanned: list[int] = []  # pages that show their text only as images
    for page in extract_pages(io.BytesIO(body), laparams=laparams, maxpages=limit + 1):
        if pages == limit:  # one more exists: the rest is not read
            cut = f"PDF has more than {limit} pages; only the first {limit} were read"
            break
        pages += 1
        layout, n_images = _page(page)
        images += n_images
        if n_images and layout.chars() < _SCANNED_PAGE_CHARS:
            scanned.append(pages - 1)
        layouts.append(layout)
    # pages are read together: tables and paragraphs go on across page breaks
    page_lines, tables = document_lines(layouts)
    chars = sum(len(_WS_RE.sub("", ln)) for ln in page_lines)

    text = "\n".join(page_lines)
    meta: dict = {"pages": pages}
    if cut:
        meta["error"] = cut
    cid = len(_CID_RE.findall(text))
    needs_ocr = False
    if cid and cid * 6 >= max(chars, 1) * 0.3:
        # glyphs without a Unicode mapping: the text layer is useless
        meta["error"] = "PDF text layer has no Unicode mapping (cid fonts)"
        needs_ocr, text, tables = True, "", []
    elif chars == 0 or (chars < 10 * max(pages, 1) and images):
        needs_ocr, text, tables = True, "", []  # a scan: the whole document is OCR'd (extract())
    elif scanned:
        # text pages and scanned pages: OCR the scanned ones (only those), in page order
        from .ocr import apply_scans, ocr_pdf, with_scans

        scans = with_scans(layouts, scanned, lambda idx: ocr_pdf(body, only=[i + 1 for i in idx]),
                           "pdf")
        ex = document("pdf", "\n".join(scans.lines), scans.lines[0][:200] if scans.lines else None,
                      scans.tables, meta)
        return apply_scans(ex, scans)
    title = page_lines[0][:200] if page_lines and not needs_ocr else None
    return document("pdf", text, title, tables, meta, needs_ocr)


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
