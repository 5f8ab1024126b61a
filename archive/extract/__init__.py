"""Clean text from a captured report: HTML pages and PDF/DOCX/DOC/WPS/OFD attachments.

``extract(body, url, content_type=None) -> Extraction`` is a pure function of the captured
bytes (no network, no Scrapy): the crawl calls it on every report page and attachment, and
``python -m archive reindex`` calls it again on the bytes kept in the WARC files, so anyone
can re-run extraction on their own captures::

    from archive.extract import extract

    with open("report.html", "rb") as fh:          # or a WARC payload, a PDF, a DOCX, an OFD …
        ex = extract(fh.read(), "http://www.qz.gov.cn/art/2017/3/10/art_1_1.html",
                     content_type="text/html; charset=gb2312")  # header value, optional
    ex.title          # '衢州市人民政府2016年政府信息公开工作年度报告'
    ex.text           # title line first; one line per paragraph; tables as 'a | b | c' rows
    ex.tables         # [[['统计指标', '单位', '统计数'], ...]]: rows of cells, spans resolved
    ex.metadata       # {'index_no': '…', 'publisher': '市政府办公室',
                      #  'written': '2017-03-10', 'published': '2017-03-10'}
    ex.content_type   # 'html' | 'pdf' | 'docx' | 'doc' | 'wps' | 'ofd' | 'rtf' | 'mht' | 'image' | 'other'
    ex.needs_ocr      # True when scanned pages are left unread (OCR off, unavailable or
                      # failed: see extract_error), and pages whose body is only scanned images
    ex.extract_error  # why there is no or partial text, else None
    ex.text_source    # 'text' | 'ocr' | 'text+ocr' (text pages and OCR'd scanned pages) | None
    ex.replacement_chars  # U+FFFD in title+text: bytes that did not decode (flag the report)

Or from a WARC file, with warcio::

    from warcio.archiveiterator import ArchiveIterator
    for rec in ArchiveIterator(open("nianbao-….warc.gz", "rb")):
        if rec.rec_type == "response":
            ex = extract(rec.content_stream().read(), rec.rec_headers["WARC-Target-URI"],
                         rec.http_headers.get_header("Content-Type"))

What "clean" means (issue 4, docs/design.md):
- the report only: no navigation, breadcrumbs, 索引号/发布机构 metadata tables (their values
  go to ``metadata``), 发布时间/浏览次数/字体 bars, print/close/share widgets, QR codes,
  headline lists, footers, leave-site dialogs, browser warnings, nor anything the page hides
  (``display:none``, ``visibility:hidden``, ``hidden``) — injected spam lives there;
- every character of the report, including Word-pasted runs split into ``<span>``/``<font>``;
- tables as one line per row, cells joined by `` | `` on a grid: a colspan cell's text in
  its first column with empty strings after it, a rowspan cell's text repeated in every row.
- GB2312/GBK pages decoded as GB18030; undeclared encodings detected.

The type is detected from the bytes (sniff.py: ``%PDF`` even after junk, OOXML zip, OFD zip
with ``OFD.xml`` at its root, OLE2 compound file with WPS Office's marks or not, ``{\\rtf``,
MIME multipart MHT, HTML markup, UTF-16/GBK text, page images), the URL and Content-Type only
breaking ties: a ``.doc`` that is really RTF, a Word web page or MHT is read as what it is
(issue 17). DOC and WPS need Debian's ``antiword`` (or ``catdoc``); RTF goes through
``striprtf`` (rtf.py). Spreadsheets (the 统计表 annex: XLSX read directly, XLS/ET through
xlrd/catdoc) give their sheets as tables with ``content_type="other"`` and ``metadata["format"]``
= ``xlsx``/``xls``. Scanned PDFs, scanned OFDs (their page images in ``Res/``) and page
images are OCR'd (ocr.py: tesseract chi_sim; ``NIANBAO_OCR=off``, ``NIANBAO_OCR_MAX_PAGES``):
``text_source='ocr'``, ``ocr_engine``, ``ocr_confidence``. A PDF or OFD with text pages and
scanned pages keeps its text pages' text and OCRs only the scanned pages, each in its place:
``text_source='text+ocr'``. A report page of scanned images lists them in ``scan_images``: the crawl
fetches them as the report's further parts. A split report: ``join_pages([...])``. Zip packages
(DOCX, XLSX, OFD) are read under size caps, their XML without entity expansion (zipparts.py).

Failures are data: ``extract_error`` says why a document gave no or partial text (unknown
format, unreadable/encrypted PDF with the reader's own message, converter missing, zip bomb
refused, OCR off/unavailable/failed/partial …); an extraction whose text has nothing past its
title always has ``needs_ocr`` or ``extract_error``.
Modules: sniff.py (what a payload is), encoding.py (bytes → str), html.py (+ html_text.py,
tables.py, furniture.py, page_metadata.py), pdf.py and ofd.py (+ layout.py, the page layout of
both), office.py, rtf.py, sheet.py, ocr.py (scans), zipparts.py.
"""
from __future__ import annotations

import gzip
import io
import re

from .result import Extraction

__all__ = ["Extraction", "extract", "sniff_type", "join_pages"]


def sniff_type(body: bytes, url: str = "", content_type: str | None = None) -> str:
    """'html' | 'mht' | 'rtf' | 'pdf' | 'docx' | 'doc' | 'wps' | 'ofd' | 'xlsx' | 'xls' | 'text'
    | 'image' | 'other': the content first (sniff.py), then the URL and Content-Type."""
    from .ocr import is_image
    from .sniff import sniff

    if is_image(body):
        return "image"
    return sniff(body, url, content_type)


# content_type values a report row may carry (the rest are 'other')
_ROW_TYPES = ("html", "pdf", "docx", "doc", "wps", "ofd", "rtf", "mht", "image")


def extract(body: bytes, url: str, content_type: str | None = None) -> Extraction:
    """Clean text, title, tables and metadata of one captured document.

    ``body``: the payload bytes (Content-Encoding already removed; a gzip payload is
    inflated here all the same). ``url``: where it came from (resolves links, hints the
    type). ``content_type``: the HTTP Content-Type header value, if known. Never raises on
    bad input: problems are reported in ``extract_error`` (and ``metadata["error"]``); an
    extraction with no body text always has ``needs_ocr`` or ``extract_error`` set."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = _gunzip(body)
        except (OSError, EOFError):
            pass
        except ValueError as exc:  # a gzip bomb: nothing to read
            return Extraction(text="", content_type="other", metadata={"error": str(exc)})
    kind = sniff_type(body, url, content_type)
    try:
        ex = _dispatch(kind, body, url, content_type)
    except Exception as exc:  # noqa: BLE001 - a crawl must never die on one document
        ex = Extraction(text="", content_type=kind if kind in _ROW_TYPES else "other",
                        metadata={"error": f"{kind.upper()} extraction failed: {type(exc).__name__}: {exc}"[:300]})
    return _finish(ex, kind, body)


def _dispatch(kind: str, body: bytes, url: str, content_type: str | None) -> Extraction:
    if kind == "html":
        return _html(body, url, content_type)
    if kind == "mht":
        return _mht(body, url)
    if kind == "rtf":
        from .rtf import extract_rtf
        return extract_rtf(body)
    if kind == "pdf":
        from .pdf import extract_pdf
        from .sniff import pdf_start
        start = pdf_start(body)  # junk before %PDF- shifts every xref offset: cut it
        ex = extract_pdf(body[start:] if start > 0 else body)
        if start > 0:
            ex.metadata["leading_junk"] = start
        if ex.needs_ocr and not ex.text:
            _ocr_pdf(ex, body[start:] if start > 0 else body)
        return ex
    if kind == "docx":
        from .office import extract_docx
        return extract_docx(body)
    if kind == "ofd":
        from .ofd import extract_ofd
        return extract_ofd(body)
    if kind in ("doc", "wps"):
        from .office import extract_doc
        return extract_doc(body, kind)
    if kind in ("xlsx", "xls"):
        from .sheet import extract_xls, extract_xlsx
        return (extract_xlsx if kind == "xlsx" else extract_xls)(body)
    if kind == "text":
        return _text(body, content_type)
    if kind == "image":
        return _image(body)
    return Extraction(text="", content_type="other", metadata={
        "format": kind, "error": f"unknown format: no known signature ({_describe(body)})"})


def _describe(body: bytes) -> str:
    """The first bytes of an unknown payload, for its error message."""
    head = body[:16]
    return f"{len(body)} bytes starting {head!r}"[:120]


def _text(body: bytes, content_type: str | None) -> Extraction:
    """Plain text: GBK/GB18030, UTF-8 or UTF-16 (with or without BOM)."""
    from .encoding import decode_html
    from .sniff import utf16_text_encoding

    enc16 = utf16_text_encoding(body)
    if enc16:
        s = body.decode(enc16, errors="replace").lstrip("\ufeff")
        encoding, replaced = enc16, s.count("\ufffd")
    else:
        decoded = decode_html(body, content_type)
        s, encoding, replaced = str(decoded), decoded.encoding, decoded.replacement_chars
    lines = [ln.strip() for ln in s.splitlines() if ln.strip()]
    return Extraction(text="\n".join(lines), title=lines[0][:200] if lines else None,
                      content_type="other", encoding=encoding, replacement_chars=replaced,
                      metadata={"format": "text"})


def _mht(body: bytes, url: str) -> Extraction:
    """A web archive (MHT: Word's or IE's "single file web page", often named .doc): its
    first text/html part, decoded from quoted-printable/base64 in its declared charset."""
    import email
    import email.policy

    msg = email.message_from_bytes(body, policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            ct = f"text/html; charset={charset}" if charset else "text/html"
            ex = _html(payload, part.get("Content-Location") or url, ct)
            ex.content_type = "mht"
            ex.metadata["format"] = "mht"
            return ex
    return Extraction(text="", content_type="mht",
                      metadata={"error": "MHT has no text/html part"})


def _image(body: bytes) -> Extraction:
    """A page image (a report published as scans): OCR'd when OCR is on."""
    from .ocr import ocr_image

    ex = Extraction(text="", content_type="image", needs_ocr=True, metadata={"format": "image"})
    _apply_ocr(ex, ocr_image(body))
    return ex


def _ocr_pdf(ex: Extraction, body: bytes) -> None:
    from .ocr import ocr_pdf

    _apply_ocr(ex, ocr_pdf(body, ex.metadata.get("pages")))


def _apply_ocr(ex: Extraction, res) -> None:
    """Put an OcrResult into an image-only extraction: its text (needs_ocr cleared, since the
    text is there now; text_source says where it came from) or its error."""
    if res.text:
        ex.text = res.text
        ex.needs_ocr = False
        ex.text_source = "ocr"
        ex.ocr_engine = res.engine
        ex.ocr_confidence = res.confidence
        ex.metadata["ocr_pages"] = res.pages
        if not ex.title:
            ex.title = res.text.splitlines()[0][:200]
        ex.replacement_chars = ex.text.count("\ufffd")
    if res.error:
        ex.metadata["error"] = res.error


def _finish(ex: Extraction, kind: str, body: bytes) -> Extraction:
    """Fill ``extract_error`` and ``text_source``: no document leaves without text or a
    reason (issue 17)."""
    err = ex.metadata.get("error") or None
    body_text = ex.text
    if ex.title and body_text.startswith(ex.title):
        body_text = body_text[len(ex.title):]
    if not body_text.strip() and not err:
        if ex.needs_ocr:
            from .ocr import unavailable
            err = unavailable(pdf=kind == "pdf") or (
                "OCR needed: the OFD pages hold no text and no page image to OCR (text drawn "
                "as outlines: no OFD renderer here)" if kind == "ofd"
                else "OCR needed: the page shows its text only as images")
        elif ex.text.strip():
            # the one line there is was read as the title: not empty, but no body either
            err = f"no text besides the title: the {kind.upper()} document holds one line"
        else:
            err = f"no text: the {kind.upper()} document is empty"
    elif ex.needs_ocr and not err:
        # text pages kept, scanned pages not read (their reason unknown): partial text
        err = f"OCR needed: some {kind.upper()} pages are scanned images (the text of the others is kept)"
    ex.extract_error = err
    if ex.text_source is None and ex.text:
        ex.text_source = "text"
    return ex


MAX_GUNZIP_BYTES = 64 * 1024 * 1024  # above the crawl's 40 MB DOWNLOAD_MAXSIZE


def _gunzip(body: bytes) -> bytes:
    """A gzip payload inflated, at most MAX_GUNZIP_BYTES (a 1 MB body can hold 3 GB)."""
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
        out = f.read(MAX_GUNZIP_BYTES + 1)
    if len(out) > MAX_GUNZIP_BYTES:
        raise ValueError(f"gzip payload inflates past {MAX_GUNZIP_BYTES >> 20} MB (a gzip bomb?)")
    return out


def _html(body: bytes, url: str, content_type: str | None) -> Extraction:
    from .encoding import decode_html
    from .html import extract_html_text

    decoded = decode_html(body, content_type)
    html = str(decoded)
    nuls = html.count("\x00")
    if nuls:  # libxml2 refuses a string holding NUL: the page would come out empty
        html = html.replace("\x00", "")
    res = extract_html_text(html, url)
    meta = dict(res.metadata)
    if nuls:
        meta["nul_bytes_removed"] = nuls
    if decoded.mixed_segments:
        meta["mixed_encoding"] = f"{decoded.mixed_segments} UTF-8 run(s) in a {decoded.encoding} page"
    if decoded.replacement_chars:
        meta["decode_replacements"] = decoded.replacement_chars
    if res.container:
        meta["container"] = res.container
    if "error" not in meta and not res.needs_ocr:
        from archive.reports.soft404 import is_soft_404
        gone = is_soft_404(res.title, res.text)  # say so here too: no text of a document
        if gone:
            meta["error"] = gone
    replacement = res.text.count("\ufffd") + (res.title or "").count("\ufffd")
    return Extraction(text=res.text, title=res.title, tables=res.tables, metadata=meta,
                      content_type="html", needs_ocr=res.needs_ocr,
                      replacement_chars=replacement,
                      encoding=decoded.encoding,
                      scan_images=list(getattr(res, "scan_images", []) or []))


def join_pages(pages: list[Extraction]) -> Extraction:
    """One Extraction from the pages of a report split over several pages (TRS
    ``t…_1.html``, ``t…_2.html``), in page order: texts joined with the title line that
    each later page repeats dropped, tables concatenated, metadata of
    the first page (completed by later ones)."""
    if not pages:
        return Extraction(text="")
    first = pages[0]
    lines = first.text.splitlines()
    tables = list(first.tables)
    meta = dict(first.metadata)
    squash = re.compile(r"\s+")
    title = squash.sub("", first.title or "")
    for page in pages[1:]:
        more = page.text.splitlines()
        if more and title and squash.sub("", more[0]) == title:
            more = more[1:]
        lines.extend(more)
        tables.extend(page.tables)
        for k, v in page.metadata.items():
            meta.setdefault(k, v)
    # A page of scans followed by its OCR'd images (the crawl fetches them as its parts):
    # the images' text answers the page's need for OCR.
    ocr = [p for p in pages if p.text_source == "ocr"]
    needs_ocr = any(p.needs_ocr for p in pages if not (ocr and p is first))
    errors = [p.extract_error for p in pages if p.extract_error and not (ocr and p is first)]
    confs = [p.ocr_confidence for p in ocr if p.ocr_confidence is not None]
    return Extraction(text="\n".join(lines), title=first.title, tables=tables, metadata=meta,
                      content_type=first.content_type,
                      needs_ocr=needs_ocr,
                      replacement_chars=sum(p.replacement_chars for p in pages),
                      encoding=first.encoding,
                      extract_error="; ".join(dict.fromkeys(errors))[:500] or None,
                      text_source="ocr" if ocr else first.text_source,
                      ocr_engine=ocr[0].ocr_engine if ocr else None,
                      ocr_confidence=round(sum(confs) / len(confs), 4) if confs else None)

