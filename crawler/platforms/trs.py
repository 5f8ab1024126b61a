"""TRS WCM (拓尔思) lists: index.html, index_1.html … index_{n-1}.html, pager written by JavaScript.

The page count exists only in a script: ``createPageHTML(56, 0, "index", "html")`` (sometimes
with an element id first) or ``var countPage = 56`` / ``var currentPage = 0``.
"""
from __future__ import annotations

from urllib.parse import urljoin

# The pager script is read the same way for lists (here) and for a report split over pages
# (the decision reindex repeats), so it lives with the report rules.
from archive.reports.responses import article_pages, pager  # noqa: F401 - article_pages: part of this module's API
from crawler.platforms import ListRequest, Page

MAX_PAGES = 500  # a pager claiming more is a trap or a typo; the per-portal cap still applies


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
