"""TRS WCM (拓尔思) lists: index.html, index_1.html … index_{n-1}.html, pager written by JavaScript.

The page count exists only in a script: ``createPageHTML(56, 0, "index", "html")`` (sometimes
with an element id first) or ``var countPage = 56`` / ``var currentPage = 0``.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.platforms import ListRequest, Page

MAX_PAGES = 500  # a pager claiming more is a trap or a typo; the per-portal cap still applies
_CREATE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_COUNT = re.compile(r"\bvar\s+countPage\s*=\s*['\"]?(\d+)")
_PREFIX = re.compile(r"\bvar\s+prefix\s*=\s*['\"]([\w-]+)['\"]")
_SUFFIX = re.compile(r"\bvar\s+suffix\s*=\s*['\"](\w+)['\"]")
# The file name the script writes, split into pieces: "index"+"_" + nextPage + "."+"shtml"
_WRITTEN_SUFFIX = re.compile(r"""\.['"]\s*\+\s*['"](s?html?)\b|\bindex\.(s?html?)\b""")
_INT = re.compile(r"^\s*['\"]?(\d+)['\"]?\s*$")
_STR = re.compile(r"^\s*['\"]([^'\"]*)['\"]\s*$")


def pager(text: str, url: str) -> tuple[int, str, str] | None:
    """(page count, file prefix, suffix) from a TRS list page's script, or None."""
    # Substring tests first: most pages have no pager, and a regex scan of a 100 KB page is not free.
    has_create, has_count = "createPageHTML" in text, "countPage" in text
    if not (has_create or has_count):
        return None
    # The first match is often the function's own definition (createPageHTML(_nPageCount, …)):
    # the call is the one with numbers.
    for m in (_CREATE.finditer(text) if has_create else ()):
        args = m.group(1).split(",")
        ints = [int(i.group(1)) for a in args if (i := _INT.match(a))]
        strs = [s.group(1) for a in args if (s := _STR.match(a)) and not _INT.match(a)]
        if ints:
            prefix, suffix = (strs[-2], strs[-1]) if len(strs) >= 2 else ("index", _suffix(url))
            return ints[0], prefix or "index", suffix or "html"
    m = _COUNT.search(text) if has_count else None
    if m:
        p = _PREFIX.search(text)
        s = _SUFFIX.search(text)
        if s:
            suffix = s.group(1)
        else:  # the links the script writes say it; else the list page's own extension
            w = _WRITTEN_SUFFIX.search(text, m.end(), m.end() + 3000)
            suffix = (w.group(1) or w.group(2)) if w else _suffix(url)
        return int(m.group(1)), p.group(1) if p else "index", suffix
    return None


def _suffix(url: str) -> str:
    last = url.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1] if "." in last else "html"


def detect(page: Page) -> bool:
    return "createPageHTML" in page.text or "countPage" in page.text


def list_requests(page: Page) -> list[ListRequest]:
    """index.html and index_1 … index_{n-1} beside the current list page."""
    found = pager(page.text, page.url)
    if not found:
        return []
    count, prefix, suffix = found
    count = min(count, MAX_PAGES)
    urls = [urljoin(page.url, f"{prefix}.{suffix}")]
    urls += [urljoin(page.url, f"{prefix}_{i}.{suffix}") for i in range(1, count)]
    return [ListRequest(u) for u in urls if u != page.url]


def article_pages(url: str, text: str) -> list[str]:
    """Continuation pages of a TRS article split in parts (t20200927_1.html, t20200927_1_1.html …).

    The article's own pager names itself: ``createPageHTML(3, 0, "t20200927_7115112", "html")``.
    A pager with another prefix (a list's "index") is not the article's.
    """
    found = pager(text, url)
    if not found:
        return []
    count, prefix, suffix = found
    stem = url.rsplit("/", 1)[-1].split("?", 1)[0].rsplit(".", 1)[0]
    if prefix != stem or count < 2:
        return []
    return [urljoin(url, f"{prefix}_{i}.{suffix}") for i in range(1, min(count, 50))]
