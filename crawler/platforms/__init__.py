"""Platform handlers: what each portal CMS needs beyond plain links to walk its lists.

One module per content-management system, not per site (as alltheplaces does per store-finder
vendor). Each handler is a set of pure functions on a parsed page:

- ``detect(page) -> bool``: is this list page built by that CMS's pager?
- ``list_requests(page) -> list[ListRequest]``: the further list pages it only reveals in
  JavaScript or through an API (TRS ``createPageHTML``, Hanweb ``dataproxy.jsp``, jpaas JSON);
- ``parse_api(body, url, state) -> ApiPage`` for API answers (XML/JSON, not HTML pages), on
  the platforms that have a list API (Hanweb, jpaas).

Platforms whose pagers are plain links (UCAP, most legacy county sites) need no handler: the
generic pager rule in crawler/discovery.py covers them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import lxml.html

from crawler.discovery import Link


@dataclass
class Page:
    """A fetched HTML page: URL, decoded text and its lxml tree."""

    url: str
    text: str
    root: lxml.html.HtmlElement


@dataclass(frozen=True)
class ListRequest:
    """A further list page: GET a URL, or POST a form (Hanweb), answered by `platform`."""

    url: str
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()
    platform: str | None = None  # None: an HTML page; else the handler whose parse_api reads it
    state: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class ApiPage:
    """What one API answer holds: report/list links, and more requests to make."""

    links: list[Link]
    more: list[ListRequest] = field(default_factory=list)


from crawler.platforms import hanweb, jpaas, trs  # noqa: E402  (handlers import Page etc.)

HANDLERS = {"trs": trs, "hanweb": hanweb, "jpaas": jpaas}


def list_requests(page: Page) -> list[ListRequest]:
    """Every further list request the platform handlers find on `page`."""
    out: list[ListRequest] = []
    for handler in HANDLERS.values():
        if handler.detect(page):
            out.extend(handler.list_requests(page))
    return out


def embedded_links(page: Page) -> list[Link]:
    """Links a CMS hides in non-HTML parts of the page (Hanweb's <script type="text/xml">)."""
    out: list[Link] = []
    for handler in HANDLERS.values():
        fn = getattr(handler, "embedded_links", None)
        if fn is not None and handler.detect(page):
            out.extend(fn(page))
    return out


def parse_api(platform: str, body: bytes, url: str, state: dict) -> ApiPage:
    """Read an API answer with the handler that asked for it."""
    return HANDLERS[platform].parse_api(body, url, state)
