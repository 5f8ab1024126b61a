"""Bytes → str for captured web pages, the way Chinese government portals need it.

- A declared GB2312/GBK/GB18030 charset is decoded as ``gb18030`` (a superset: real
  "GB2312" pages carry GBK and GB18030 characters that plain ``gbk``/``gb2312`` reject).
- A declaration that contradicts the bytes (a "utf-8" page that is really GBK, or the
  reverse) is overruled when the other codec decodes the bytes cleanly; bytes that are
  valid UTF-8 (with multibyte sequences) are UTF-8 whatever the page declares.
- Undeclared pages are tried as UTF-8, then GB18030, then guessed by charset_normalizer.
- Nothing is replaced silently: :func:`decode_html` returns how many U+FFFD characters the
  decoded text holds (bytes that did not decode plus any present in the source).
"""
from __future__ import annotations

import codecs
import re

__all__ = ["decode_html", "DecodedText", "normalise_charset", "charset_from_content_type"]

_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "euc-cn", "hz-gb-2312",
              "csgb2312", "chinese", "iso-ir-58", "ms936", "windows-936"}
_META_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_CT_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.I)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)


class DecodedText(str):
    """The decoded text; ``.encoding`` (codec used), ``.declared`` (what the page or header
    said, normalised, or None) and ``.replacement_chars`` (U+FFFD count) ride along."""

    encoding: str
    declared: str | None
    replacement_chars: int


def normalise_charset(name: str | None) -> str | None:
    """Python codec name for a declared charset; GB family → gb18030; unknown → None."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY or name.startswith("gb"):
        return "gb18030"
    if name in {"utf8", "utf-8", "unicode-1-1-utf-8", "unicode", "utf_8"}:
        return "utf-8"
    if name in {"big5", "big5-hkscs", "cn-big5", "x-x-big5"}:
        return "big5hkscs"
    if name in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252"}:
        return "cp1252"  # what browsers do with these labels
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CT_CHARSET_RE.search(content_type)
    return normalise_charset(m.group(1)) if m else None


def _declared_in_document(head: bytes) -> str | None:
    m = _XML_DECL_RE.match(head)
    if m:
        enc = normalise_charset(m.group(1).decode("ascii", "replace"))
        if enc:
            return enc
    for m in _META_RE.finditer(head):
        enc = normalise_charset(m.group(1).decode("ascii", "replace"))
        if enc:
            return enc
    return None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _result(text: str, codec: str, declared: str | None) -> DecodedText:
    out = DecodedText(text)
    out.encoding = codec
    out.declared = declared
    out.replacement_chars = text.count("\ufffd")
    return out


def decode_html(body: bytes, content_type: str | None = None) -> DecodedText:
    """Decode an HTML (or text) payload. See the module docstring for the rules."""
    # 1. byte-order marks win over everything (browsers do the same)
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return _result(body[len(bom):].decode(codec, "replace"), codec, codec)

    declared = charset_from_content_type(content_type) or _declared_in_document(body[:4096])
    if declared is None and b"charset" in body[4096:20000].lower():
        declared = _declared_in_document(body[:20000])

    if declared:
        if declared != "utf-8" and not body.isascii():
            # valid UTF-8 with multibyte sequences is never accidental GBK: a page declared
            # gb2312 but served as UTF-8 (CMS migrations) decodes as UTF-8
            text = _strict(body, "utf-8")
            if text is not None:
                return _result(text, "utf-8", declared)
        text = _strict(body, declared)
        if text is not None:
            return _result(text, declared, declared)
        # the declaration does not fit the bytes: a cleanly decoding alternative wins
        for alt in ("utf-8", "gb18030"):
            if alt != declared:
                text = _strict(body, alt)
                if text is not None:
                    return _result(text, alt, declared)
        return _result(body.decode(declared, "replace"), declared, declared)

    for codec in ("utf-8", "gb18030"):
        text = _strict(body, codec)
        if text is not None:
            return _result(text, codec, None)
    codec = _guess(body)
    return _result(body.decode(codec, "replace"), codec, None)


def _guess(body: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    codec = normalise_charset(best.encoding) if best is not None else None
    # a GB-family guess (or none) means gb18030; Chinese portals rarely serve anything else
    return codec or "gb18030"
