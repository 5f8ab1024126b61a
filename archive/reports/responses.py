"""What an archived response becomes: a pipeline item or not, and which continuation pages
join it. The spider and ``archive reindex`` both call these, so the index a crawl builds and
the one rebuilt from its WARCs agree by construction.

TRS pagers live here too (``pager``): the crawler's TRS list module reads the same script.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

# Crawl-context kinds whose 2xx responses the spider hands to the item pipeline (the
# callbacks parse_report/parse_attachment); any other kind is followed, never extracted.
EXTRACT_KINDS = ("report", "attachment", "continuation")
# The crawl's DOWNLOAD_MAXSIZE (settings/default.py takes it from here): scanned-PDF reports
# can be large; 40 MB is beyond any real one. It also bounds Content-Encoding removal, so
# reindex drops what the crawl dropped.
MAX_RESPONSE_BYTES = 40 * 1024 * 1024

_CREATE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_COUNT = re.compile(r"\bvar\s+countPage\s*=\s*['\"]?(\d+)")
_PREFIX = re.compile(r"\bvar\s+prefix\s*=\s*['\"]([\w-]+)['\"]")
_SUFFIX = re.compile(r"\bvar\s+suffix\s*=\s*['\"](\w+)['\"]")
# The file name the script writes, split into pieces: "index"+"_" + nextPage + "."+"shtml"
_WRITTEN_SUFFIX = re.compile(r"""\.['"]\s*\+\s*['"](s?html?)\b|\bindex\.(s?html?)\b""")
_INT = re.compile(r"^\s*['\"]?(\d+)['\"]?\s*$")
_STR = re.compile(r"^\s*['\"]([^'\"]*)['\"]\s*$")


def pager(text: str, url: str) -> tuple[int, str, str] | None:
    """(page count, file prefix, suffix) from a TRS page's pager script, or None."""
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


def becomes_item(kind: str | None, record_type: str, status: int) -> bool:
    """Does a response of this crawl-context kind reach the item pipeline?

    A 2xx response of an extracted kind does; so does a revisit of that kind (the archiving
    middleware hands the spider the archived copy of a 304, and passes an identical-payload
    200 on). Other statuses end in the spider's errback.
    """
    if kind not in EXTRACT_KINDS:
        return False
    if record_type == "revisit":
        return status == 304 or 200 <= status < 300
    return record_type == "response" and 200 <= status < 300


@dataclass
class ItemStart:
    """The pipeline item's context and capture for one response, and the continuation pages
    the spider must fetch (a report page split over several pages)."""

    context: dict
    capture: dict
    continuations: list[str]


def pipeline_item(context: dict, capture: dict, url: str, status: int, text: str | None = None) -> ItemStart:
    """The item a response becomes: the crawl context without its "url", the capture with the
    response's url and status (a 304 is handed on as the archived 200), and for a report page
    whose ``text`` carries its own TRS pager the continuation pages, counted in
    ``context["parts"]`` so the assembler waits for all of them."""
    ctx = {k: v for k, v in context.items() if k != "url"}
    parts = article_pages(url, text) if text is not None and context.get("kind") == "report" else []
    if parts:
        ctx["parts"] = len(parts) + 1
    return ItemStart(ctx, dict(capture, url=url, status=200 if status == 304 else status), parts)
