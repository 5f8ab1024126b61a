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
    ex.content_type   # 'html' | 'pdf' | 'docx' | 'doc' | 'wps' | 'ofd' | 'other'
    ex.needs_ocr      # True for image-only PDFs (text is then empty), OFDs with a scanned
                      # page, and pages whose body is only scanned images
    ex.replacement_chars  # U+FFFD in title+text: bytes that did not decode (flag the report)
    ex.links          # [(absolute url, anchor text)] of pdf/doc/docx/wps/xls/xlsx/ofd in the body

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

The type is detected from the bytes (``%PDF``, OOXML zip, OFD zip with ``OFD.xml`` at its
root, OLE2 compound file, gzip), then the URL and the Content-Type. DOC and WPS need Debian's
``antiword`` (or ``catdoc``); without them ``metadata["error"]`` says so. Spreadsheets (the
统计表 annex: XLSX read directly, XLS/ET through catdoc's ``xls2csv``) give their sheets as
tables with ``content_type="other"`` and ``metadata["format"]`` = ``xlsx``/``xls``. Unknown
payloads give ``content_type="other"`` and an empty text. A report split over several pages:
``join_pages([...])``. Zip packages (DOCX, XLSX, OFD) are read under size caps, their XML
without entity expansion (zipparts.py): a zip bomb gives an error, not an exhausted worker.
Modules: encoding.py (bytes → str), extract_html.py (+ html_text.py, tables.py,
furniture.py, page_metadata.py), extract_pdf.py and extract_ofd.py (+ layout.py, the page
layout of both), extract_office.py, extract_sheet.py, zipparts.py.
"""
from __future__ import annotations

import gzip
import io
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["Extraction", "extract", "sniff_type", "join_pages"]


@dataclass
class Extraction:
    """What one captured document says, with the portal stripped away."""

    text: str
    title: str | None = None
    tables: list[list[list[str]]] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)  # index_no, publisher, written, published
    content_type: str = "html"  # html | pdf | docx | doc | wps | ofd | other
    needs_ocr: bool = False
    replacement_chars: int = 0
    encoding: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)  # attachment (url, text) in the body


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_MAX_STRAY_NULS = 8  # in the first KB of a page that is HTML all the same
_HTML_START_RE = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|table|"
    rb"script|link|style|!--|\?xml|br|span|font|center|h[1-6]|ul|form)[\s>/]", re.I | re.S)


def sniff_type(body: bytes, url: str = "", content_type: str | None = None) -> str:
    """'html' | 'pdf' | 'docx' | 'doc' | 'wps' | 'ofd' | 'xlsx' | 'xls' | 'text' | 'other'.

    Magic bytes first (servers label attachments application/octet-stream, and URLs such as
    ``downfile.jsp?id=…`` say nothing), then the URL extension and Content-Type."""
    ct = (content_type or "").lower()
    path = urlsplit(url or "").path.lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if body[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        except zipfile.BadZipFile:
            return "other"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.lower() == "ofd.xml" for n in names):  # at the root (GB/T 33190)
            return "ofd"
        return "other"
    if body[:8] == _OLE_MAGIC:
        if _WORD_STREAM in body:
            if ext == "wps" or "wps" in ct:
                return "wps"
            return "doc"
        if "Workbook".encode("utf-16-le") in body or "Book".encode("utf-16-le") in body:
            return "xls"
        return "wps" if ext == "wps" else "other"
    if b"\x00" in head.replace(b"\x00\x00", b"") and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # a stray NUL in an HTML page (broken CMS templates) must not hide the whole page;
        # binary formats have many of them
        head = head.replace(b"\x00", b"")
        if len(body[:1024]) - len(head) > _MAX_STRAY_NULS or not _HTML_START_RE.match(
                head.lstrip(b"\xef\xbb\xbf \t\r\n")):
            return "other"  # binary we do not know
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n")
    if "html" in ct or "xml" in ct or _HTML_START_RE.match(stripped):
        return "html"
    if ct.startswith("text/") or ext in ("txt", "text"):
        return "text"
    if ext in ("htm", "html", "shtml", "jsp", "asp", "aspx", "php", "jhtml", "xhtml"):
        return "html"
    if b"<" in stripped[:200] and re.search(rb"<(?:p|div|br|table|span)[\s>]", head, re.I):
        return "html"
    return "other"


def extract(body: bytes, url: str, content_type: str | None = None) -> Extraction:
    """Clean text, title, tables, metadata and attachment links of one captured document.

    ``body``: the payload bytes (Content-Encoding already removed; a gzip payload is
    inflated here all the same). ``url``: where it came from (resolves links, hints the
    type). ``content_type``: the HTTP Content-Type header value, if known. Never raises on
    bad input: problems are reported in ``metadata["error"]``."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = _gunzip(body)
        except (OSError, EOFError):
            pass
        except ValueError as exc:  # a gzip bomb: nothing to read
            return Extraction(text="", content_type="other", metadata={"error": str(exc)})
    kind = sniff_type(body, url, content_type)
    try:
        if kind == "html":
            return _html(body, url, content_type)
        if kind == "pdf":
            from .pdf import extract_pdf
            return _from_dict(extract_pdf(body), "pdf")
        if kind == "docx":
            from .office import extract_docx
            return _from_dict(extract_docx(body), "docx")
        if kind == "ofd":
            from .ofd import extract_ofd
            return _from_dict(extract_ofd(body), "ofd")
        if kind in ("doc", "wps"):
            from .office import extract_doc
            return _from_dict(extract_doc(body, kind), kind)
        if kind in ("xlsx", "xls"):
            from .sheet import extract_xls, extract_xlsx
            res = (extract_xlsx if kind == "xlsx" else extract_xls)(body)
            return _from_dict(res, "other")
        if kind == "text":
            from .encoding import decode_html
            text = decode_html(body, content_type)
            lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
            return Extraction(text="\n".join(lines), title=lines[0][:200] if lines else None,
                              content_type="other", encoding=text.encoding,
                              replacement_chars=text.replacement_chars,
                              metadata={"format": "text"})
        return Extraction(text="", content_type="other", metadata={"format": kind})
    except Exception as exc:  # noqa: BLE001 - a crawl must never die on one document
        return Extraction(text="", content_type=kind if kind in ("html", "pdf", "docx", "doc",
                                                                 "wps", "ofd") else "other",
                          metadata={"error": f"{type(exc).__name__}: {exc}"[:300]})


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
    replacement = res.text.count("\ufffd") + (res.title or "").count("\ufffd")
    return Extraction(text=res.text, title=res.title, tables=res.tables, metadata=meta,
                      content_type="html", needs_ocr=res.needs_ocr,
                      replacement_chars=replacement,
                      encoding=decoded.encoding, links=res.links)


def _from_dict(d: dict, kind: str) -> Extraction:
    text = d.get("text") or ""
    title = d.get("title")
    return Extraction(text=text, title=title, tables=d.get("tables") or [],
                      metadata=d.get("metadata") or {}, content_type=kind,
                      needs_ocr=bool(d.get("needs_ocr")),
                      replacement_chars=text.count("\ufffd") + (title or "").count("\ufffd"),
                      encoding=None, links=[])


def join_pages(pages: list[Extraction]) -> Extraction:
    """One Extraction from the pages of a report split over several pages (TRS
    ``t…_1.html``, ``t…_2.html``), in page order: texts joined with the title line that
    each later page repeats dropped, tables and attachment links concatenated, metadata of
    the first page (completed by later ones)."""
    if not pages:
        return Extraction(text="")
    first = pages[0]
    lines = first.text.splitlines()
    tables = list(first.tables)
    links = list(first.links)
    meta = dict(first.metadata)
    squash = re.compile(r"\s+")
    title = squash.sub("", first.title or "")
    for page in pages[1:]:
        more = page.text.splitlines()
        if more and title and squash.sub("", more[0]) == title:
            more = more[1:]
        lines.extend(more)
        tables.extend(page.tables)
        links.extend(link for link in page.links if link not in links)
        for k, v in page.metadata.items():
            meta.setdefault(k, v)
    return Extraction(text="\n".join(lines), title=first.title, tables=tables, metadata=meta,
                      content_type=first.content_type,
                      needs_ocr=any(p.needs_ocr for p in pages),
                      replacement_chars=sum(p.replacement_chars for p in pages),
                      encoding=first.encoding, links=links)

