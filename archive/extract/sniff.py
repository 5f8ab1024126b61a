"""What a captured document really is, from its bytes (issue 17: sniff, don't trust the name).

Government sites keep the ``.doc`` name on whatever Word or WPS saved: RTF, a web page (HTML),
a web archive (MHT, a MIME multipart message), DOCX; a ``.docx`` may be a binary DOC, a PDF may
come after a few bytes of junk (an upload script's BOM or blank lines), a ``.txt`` may be GBK
or UTF-16. ``sniff`` looks at the content first and uses the URL extension and Content-Type
only to break ties (an OLE2 Word file named ``.wps``) or for payloads with no signature.
"""
from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import urlsplit

__all__ = ["sniff", "pdf_start", "utf16_text_encoding", "KINDS"]

KINDS = ("html", "mht", "rtf", "pdf", "docx", "doc", "wps", "ofd", "xlsx", "xls", "text", "other")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_U16 = lambda s: s.encode("utf-16-le")  # noqa: E731 - OLE2 directory names are UTF-16LE
_WORD_STREAM = _U16("WordDocument")
_WORKBOOK_STREAMS = (_U16("Workbook"), _U16("Book"))
# Kingsoft WPS Office leaves its own streams and properties in the OLE2 files it writes
# (documents it saves as .wps/.et, or as .doc/.xls "compatible" files).
_WPS_MARKERS = (_U16("WpsCustomData"), b"KSOProductBuildVer", _U16("KSOProductBuildVer"),
                _U16("WPS Office"), b"WPS Office")
_HTML_START_RE = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|table|"
    rb"script|link|style|!--|\?xml|br|span|font|center|h[1-6]|ul|form)[\s>/]", re.I | re.S)
_MHT_RE = re.compile(rb"^(?:[\w-]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)*?"
                     rb"content-type:\s*multipart/related", re.I)
_HTML_EXT = ("htm", "html", "shtml", "jsp", "asp", "aspx", "php", "jhtml", "xhtml")
_PDF_SEARCH = 64 * 1024  # how far junk before %PDF- is looked through


def _ext(url: str) -> str:
    path = urlsplit(url or "").path.lower()
    last = path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1] if "." in last else ""


def pdf_start(body: bytes) -> int:
    """Offset of ``%PDF-`` within the first 64 KB, or -1 (readers expect it at offset 0)."""
    return body.find(b"%PDF-", 0, _PDF_SEARCH)


def utf16_text_encoding(body: bytes) -> str | None:
    """'utf-16' for a BOM-marked UTF-16 payload, 'utf-16-le'/'utf-16-be' for one without a BOM
    whose every other byte is mostly NUL (CJK text has few NULs: the high bytes of ASCII
    line breaks and digits still show the pattern), else None."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = body[:4096]
    if len(head) < 8 or len(head) % 2:
        head = head[:len(head) - len(head) % 2]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    n = len(head) // 2
    z_even, z_odd = even.count(0), odd.count(0)
    if z_even + z_odd == 0:
        return None
    # The NUL pattern says which byte order to try first; either way the decoded text must read
    # as text (binary with many NULs, e.g. b"\x00\x01" runs, is not UTF-16). Chinese text has
    # few NUL bytes, so both orders are tried when the pattern is unclear.
    if z_odd > 0.2 * n and z_even < 0.02 * n:
        order = ("utf-16-le",)
    elif z_even > 0.2 * n and z_odd < 0.02 * n:
        order = ("utf-16-be",)
    else:
        order = ("utf-16-le", "utf-16-be")
    for enc in order:
        s = head.decode(enc, errors="replace")
        if sum(1 for c in s if _plausible(c)) >= 0.95 * len(s):
            return enc
    return None


def _plausible(c: str) -> bool:
    """A character Chinese plain text is made of: CJK ideographs and punctuation, full-width
    forms, printable ASCII, line breaks and tabs."""
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
            or 0x20 <= o < 0x7F or c in "\r\n\t" or 0x2000 <= o <= 0x206F or 0x3400 <= o <= 0x4DBF)


def _zip_kind(body: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    except (zipfile.BadZipFile, ValueError):
        return "other"
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.lower() == "ofd.xml" for n in names):  # at the root (GB/T 33190)
        return "ofd"
    return "other"


_MAX_STRAY_NULS = 8  # in the first KB of a page that is HTML all the same


def _ole_kind(body: bytes, ext: str, ct: str) -> str:
    wps = any(m in body for m in _WPS_MARKERS)
    if _WORD_STREAM in body:
        return "wps" if wps or ext == "wps" or "wps" in ct else "doc"
    if any(s in body for s in _WORKBOOK_STREAMS):
        return "xls"  # ET (WPS spreadsheets) is BIFF8 inside: the same reader
    return "wps" if ext == "wps" else "other"


def _is_text(body: bytes) -> bool:
    """Plain text without markup: decodes as UTF-8 or GB18030 and is mostly printable."""
    sample = body[:8192]
    for enc in ("utf-8", "gb18030"):
        try:
            s = sample.decode(enc)
        except UnicodeDecodeError:
            # a sample cut inside a multibyte character: drop the last bytes and retry
            try:
                s = sample[:-3].decode(enc)
            except UnicodeDecodeError:
                continue
        if not s.strip():
            return False
        bad = sum(1 for c in s if ord(c) < 32 and c not in "\r\n\t\x0c")
        return bad <= len(s) * 0.01
    return False


def sniff(body: bytes, url: str = "", content_type: str | None = None) -> str:
    """One of ``KINDS``: the document's real format, content first.

    Order: signatures that cannot be text (PDF, zip, OLE2), then RTF and MHT (text formats
    with a fixed start), HTML markup, UTF-16 text, and only then the Content-Type and the
    URL extension for what has no signature."""
    ct = (content_type or "").lower()
    ext = _ext(url)
    head = body[:1024]
    if pdf_start(body) >= 0:
        return "pdf"
    if body[:4] == b"PK\x03\x04":
        return _zip_kind(body)
    if body[:8] == _OLE_MAGIC:
        return _ole_kind(body, ext, ct)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if _MHT_RE.match(stripped):
        return "mht"
    enc16 = utf16_text_encoding(body)
    if enc16:
        try:
            text = body.decode(enc16, errors="replace")[:2048].lstrip("\ufeff \t\r\n")
        except LookupError:  # pragma: no cover - the codecs are built in
            text = ""
        if text.startswith("{\\rtf"):
            return "rtf"
        if _HTML_START_RE.match(text.encode("utf-8")):
            return "html"
        return "text"
    if b"\x00" in head:
        # a few stray NULs in an HTML page (broken CMS templates) must not hide the whole page
        # (#15); binary formats have many of them
        clean = head.replace(b"\x00", b"")
        if len(head) - len(clean) > _MAX_STRAY_NULS or not _HTML_START_RE.match(
                clean.lstrip(b"\xef\xbb\xbf \t\r\n")):
            return "other"  # binary we do not know
        stripped = clean.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_START_RE.match(stripped) or "html" in ct or "xml" in ct:
        return "html"
    if b"<" in stripped[:200] and re.search(rb"<(?:p|div|br|table|span)[\s>]", head, re.I):
        return "html"
    if ext in _HTML_EXT:
        return "html"
    if ct.startswith("text/") or ext in ("txt", "text") or _is_text(body):
        return "text"
    return "other"
