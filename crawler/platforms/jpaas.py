"""Hanweb jpaas columns (Zhejiang): records only from a JSON API.

The page's script calls ``/api-gateway/jpaas-publish-server/front/page/build/unit?…&paramJson=
{"pageNo":1,"pageSize":15}``; the answer is ``{"success":true,"data":{"html":"<li>…"}}``.
Pages are asked for until one brings no new link (the total is not always given).
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html

from crawler.discovery import extract_links
from crawler.platforms import ApiPage, ListRequest, Page

API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
MAX_PAGES = 300
_API_URL = re.compile(r"""['"]([^'"]*%s[^'"]*)['"]""" % re.escape(API_PATH))


def detect(page: Page) -> bool:
    return API_PATH in page.text


def _with_page(api_url: str, page_no: int) -> str:
    parts = urlsplit(api_url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    out = []
    for k, v in pairs:
        if k == "paramJson":
            try:
                param = json.loads(v)
            except ValueError:
                param = {}
            param["pageNo"] = page_no
            param.setdefault("pageSize", 15)
            v = json.dumps(param, separators=(",", ":"))
        out.append((k, v))
    if not any(k == "paramJson" for k, _ in pairs):
        out.append(("paramJson", json.dumps({"pageNo": page_no, "pageSize": 15}, separators=(",", ":"))))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(out, quote_via=quote), ""))


def list_requests(page: Page) -> list[ListRequest]:
    out = []
    for m in _API_URL.finditer(page.text):
        api = urljoin(page.url, m.group(1).replace("&amp;", "&"))
        out.append(ListRequest(_with_page(api, 1), platform="jpaas", state={"api": api, "page": 1}))
    return out


def parse_api(body: bytes, url: str, state: dict) -> ApiPage:
    """Links in one JSON answer, and the next page while this one brought links."""
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return ApiPage([])
    inner = (data or {}).get("data") or {}
    fragment = inner.get("html") if isinstance(inner, dict) else None
    if not fragment:
        return ApiPage([])
    root = lxml.html.document_fromstring(f"<html><body>{fragment}</body></html>", base_url=url)
    links = extract_links(root, url)
    more = []
    page_no = state.get("page", 1)
    total_pages = inner.get("totalPage") or inner.get("pageCount") if isinstance(inner, dict) else None
    if links and page_no < MAX_PAGES and (not total_pages or page_no < int(total_pages)):
        more.append(ListRequest(_with_page(state["api"], page_no + 1), platform="jpaas",
                                state={"api": state["api"], "page": page_no + 1}))
    return ApiPage(links, more)
