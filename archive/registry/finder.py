"""Deciding, page by page, which links of a government portal are its divisions' portals.

Pure functions over (link text, URL) pairs; `scrapy crawl portals` (crawler/spiders/portals.py)
fetches the pages and feeds them here. A provincial portal links its cities' and counties'
sites from a box (市州政府网站, 县市区), a 政府网站导航 page (often paged), or a ``<select>``
jump menu; a city portal links its counties the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .divisions import Division, load_divisions
from .match import clean_name, match_division

# Links to the pages that list other governments' sites.
DIRECTORY_WORDS = re.compile(r"网站导航|政府网站|地方政府|地方网站|市州|市县|县市区|县（市、区）|区县|县区|"
                             r"下级政府|各地|地市|网站群|站群导航|友情链接|政府网站群")
PAGER = re.compile(r"^(?:下一?页|下页|尾页|末页|\d{1,3}|>|>>|»)$")
_GOV_HOST = re.compile(r"(?:^|\.)gov\.cn$")


@dataclass(frozen=True)
class Candidate:
    """A link that names a division: its portal's URL as linked, or why it was not taken."""

    code: str | None
    text: str
    url: str
    found_on: str
    scope: str
    reason: str = ""


def portal_root(url: str) -> str:
    """The home page a link to a portal stands for: scheme and host, path kept only when it is
    a directory or an index page ('http://a.gov.cn/index.html' → 'http://a.gov.cn/')."""
    p = urlsplit(url)
    path = p.path or "/"
    if re.search(r"/(?:index|default|main)\.s?html?$|/(?:index|default)\.(?:jsp|aspx?|php)$", path, re.I):
        path = path.rsplit("/", 1)[0] + "/"
    return f"{p.scheme}://{p.netloc}{path}"


def classify_link(text: str, url: str, page_url: str, scope: str,
                  divisions: tuple[Division, ...] | None = None) -> Candidate | None:
    """A Candidate when ``text`` names a place (matched or not); None for ordinary links.

    A match needs another host than the page's (a division's portal is a site of its own) on
    a government domain (.gov.cn); everything that names a place but fails is returned with
    the reason, so the finder can list it instead of guessing."""
    divisions = divisions if divisions is not None else load_divisions()
    name = clean_name(text)
    if not (2 <= len(name) <= 20) or DIRECTORY_WORDS.search(name) or PAGER.match(name):
        return None
    m = match_division(name, scope, divisions)
    host = (urlsplit(url).hostname or "").lower()
    page_host = (urlsplit(page_url).hostname or "").lower()
    if m.division is None:
        if m.reason.startswith("no division named") and not _looks_like_place(name):
            return None
        if host == page_host:
            return None   # a column of this site with a place-like title, not a portal
        return Candidate(None, text, url, page_url, scope, m.reason)
    if host == page_host:
        return None
    if not _GOV_HOST.search(host):
        return Candidate(None, text, url, page_url, scope, f"not a government host: {host}")
    return Candidate(m.division.code, text, portal_root(url), page_url, scope, m.reason)


_PLACE = re.compile(r"(?:市|县|区|旗|州|盟|林区|特区|新区|开发区|高新区|园区)$")


def _looks_like_place(name: str) -> bool:
    return bool(_PLACE.search(name)) and len(name) <= 12


def is_directory_link(text: str, url: str, page_url: str, on_directory_page: bool) -> bool:
    """Whether to fetch a link of the same site while looking for the divisions' portals: a
    网站导航/市州/县市区 page, or the next page of such a page."""
    if (urlsplit(url).hostname or "") != (urlsplit(page_url).hostname or ""):
        return False
    t = text.strip()
    if DIRECTORY_WORDS.search(t) and len(t) <= 16:
        return True
    return on_directory_page and bool(PAGER.match(t))


def choose_portals(candidates: list[Candidate]) -> dict[str, Candidate]:
    """One portal per division: the one linked from the closest parent (a city page over the
    province's), then the one most pages link, then the shortest URL. Deterministic."""
    best: dict[str, tuple] = {}
    counts: dict[tuple[str, str], int] = {}
    for c in candidates:
        if c.code:
            counts[(c.code, c.url)] = counts.get((c.code, c.url), 0) + 1
    for c in candidates:
        if not c.code:
            continue
        closeness = 0 if not c.scope.endswith("0000") else 1
        key = (closeness, -counts[(c.code, c.url)], len(c.url), c.url)
        if c.code not in best or key < best[c.code][0]:
            best[c.code] = (key, c)
    return {code: v[1] for code, v in best.items()}
