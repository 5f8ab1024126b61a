"""URL normalisation: one document, one URL (pure functions, shared by crawl and index).

`canonical_url` is what the crawler requests; `identity_url` is the key a report is stored
under, so http/https copies, `index.html` vs `/` and tracking parameters make one row.
"""
from __future__ import annotations

import functools
import ipaddress
import re
import socket
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Attachment files: the one list of extensions the spider follows and extraction sets apart.
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ofd")
DOCUMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd")  # the ones a report's text can come from
ATTACHMENT_EXT_RE = re.compile(
    r"\.(" + "|".join(e[1:] for e in ATTACHMENT_EXTENSIONS) + r")(?=$|[?#&;/\s\"'])", re.I)
_META_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"\s;]+)", re.I)
_TRS_URL_DATE = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+")
_SKIP_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".css", ".js", ".ico", ".svg", ".zip",
                    ".rar", ".7z", ".mp4", ".mp3", ".avi", ".flv", ".swf", ".exe", ".apk", ".xml")
# Query parameters that only track where a click came from: dropping them makes one report one URL.
_TRACKING_PARAMS = {"from", "source", "src", "spm", "utm_source", "utm_medium", "utm_campaign",
                    "utm_term", "utm_content", "ref", "referer", "timestamp", "t", "_", "random", "r"}
# Session ids put in URLs by old JSP/ASP sites: they make every visit a new URL (a trap).
_SESSION_RE = re.compile(r";jsessionid=[^?#/]*|(?<=[?&])(?:jsessionid|phpsessid|sid|sessionid|aspsessionid\w*)=[^&#]*&?", re.I)


_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}\.?$", re.I)


def host_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a URL host names literally, in every spelling a resolver accepts, or None
    for a name: '127.1', '2130706433', '0x7f000001', '0177.0.0.1' are all 127.0.0.1 (inet_aton
    reads them so, and so do browsers and curl); '[::ffff:127.0.0.1]' is 127.0.0.1 too."""
    h = host.strip().strip("[]").rstrip(".") if host else ""
    if not h:
        return None
    try:
        ip = ipaddress.ip_address(h.split("%", 1)[0])
    except ValueError:
        if not _NUMERIC_HOST.match(h):
            return None
        try:
            ip = ipaddress.IPv4Address(socket.inet_aton(h))
        except OSError:
            return None
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return mapped
    return ip


def is_internal_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local (169.254/16, fe80::/10), shared, reserved, multicast or
    unspecified: nowhere a public portal lives."""
    return not ip.is_global or ip.is_multicast


def is_ip_literal(host: str) -> bool:
    """True when `host` is an IPv4/IPv6 address (in any spelling) rather than a name."""
    return host_ip(host) is not None


# A portal's menus and footers repeat on every page it serves: the same hrefs are made
# canonical over and over (1.6% of the crawl process's CPU uncached).
@functools.lru_cache(maxsize=1 << 14)
def canonical_url(url: str) -> str | None:
    """The URL to request: fragment, tracking parameters and session ids removed.

    Returns None for URLs the crawler must not follow (other schemes, private IP literals,
    static assets).
    """
    url = _SESSION_RE.sub("", url)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    ip = host_ip(host)
    if ip is not None and is_internal_address(ip) or host == "localhost" or host.endswith(".localhost"):
        return None
    path = parts.path or "/"
    if path.lower().endswith(_SKIP_EXTENSIONS):
        return None
    query = parts.query
    if query:
        pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                 if k.lower() not in _TRACKING_PARAMS]
        query = urlencode(pairs, safe="/:,{}\"") if pairs else ""
    netloc = parts.netloc.lower()
    if netloc.endswith(":80") and parts.scheme == "http":
        netloc = netloc[:-3]
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def identity_url(url: str) -> str:
    """The key under which one document is stored once: scheme-less, `index.html` == `/`.

    http and https copies, `…/index.html` and `…/`, tracking parameters: all one report.
    """
    url = canonical_url(url) or url
    parts = urlsplit(url)
    path = re.sub(r"/index\.(?:s?html?|jsp|php|aspx?)$", "/", parts.path, flags=re.I)
    host = parts.netloc
    return f"//{host}{path}" + (f"?{parts.query}" if parts.query else "")


def date_from_url(url: str) -> str | None:
    """The publication date TRS writes into article URLs (…/t20170310_123.html)."""
    m = _TRS_URL_DATE.search(url)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def is_document_url(url: str) -> bool:
    """True for URLs of attachment files (PDF, DOC, DOCX, WPS, XLS…): the path ends with one of
    ATTACHMENT_EXTENSIONS. What the spider fetches as an attachment."""
    path = urlsplit(url).path.lower()
    return path.endswith(ATTACHMENT_EXTENSIONS)


def is_attachment_href(href: str, text: str = "") -> bool:
    """Does a link lead to a document attachment (pdf/doc/docx/wps/xls/xlsx/et/ofd)?

    The same extensions as `is_document_url`, looked for anywhere in the href (download
    scripts put the file name in the query) or at the end of the anchor text: what extraction
    renders as an attachment line rather than as navigation."""
    if ATTACHMENT_EXT_RE.search(href or ""):
        return True
    return bool(text and ATTACHMENT_EXT_RE.search(text.strip() + " "))


def meta_refresh_url(content: str | None) -> str | None:
    """The URL a ``<meta http-equiv="refresh" content="3; url=…">`` sends the reader to, as
    written (relative or absolute), or None: what discovery follows and what makes a page
    without text a redirect stub for extraction."""
    m = _META_REFRESH_URL.search(content or "")
    return m.group(1) if m else None
