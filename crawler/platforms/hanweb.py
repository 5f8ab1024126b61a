"""Hanweb JCMS (大汉) columns: /col/col<ID>/index.html.

The first list page is embedded in ``<script type="text/xml"><datastore>…<recordset><record>
<![CDATA[<li>…]]></record>``; later pages come only from
``POST /module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15`` with the form
fields col, appid, webid, path, columnid, unitid, webname, permissiontype, which the page
carries in its ``<nextgroup>`` link or its jpage() script. The answer is a ``<datastore>`` with
``<totalrecord>`` and the records.
"""
from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html

from crawler.discovery import Link, extract_links
from crawler.platforms import ApiPage, ListRequest, Page

PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
FORM_FIELDS = ("col", "appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype")
MAX_RECORDS = 20_000
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
_HREF = re.compile(r"""href\s*=\s*['"]([^'"]+)['"]""")
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_PERPAGE = re.compile(r"""\bper[Pp]age\s*[:=]\s*['"]?(\d+)""")
_TOTAL_JS = re.compile(r"""\btotal[Rr]ecord\s*[:=]\s*['"]?(\d+)""")
_PROXY_JS = re.compile(r"""proxyUrl\s*[:=]\s*['"]([^'"]+)['"]""")
_FIELD_JS = re.compile(r"""\b(%s)\s*[:=]\s*['"]([^'"]*)['"]""" % "|".join(FORM_FIELDS))


def detect(page: Page) -> bool:
    return "<datastore>" in page.text or "dataproxy.jsp" in page.text


def _records_links(xml_text: str, base_url: str) -> list[Link]:
    links: list[Link] = []
    for rec in _RECORD.findall(xml_text):
        frag = lxml.html.document_fromstring(f"<html><body>{rec}</body></html>", base_url=base_url)
        links.extend(extract_links(frag, base_url))
    return links


def embedded_links(page: Page) -> list[Link]:
    """The records of the first page, hidden from HTML parsers inside <script type="text/xml">."""
    return _records_links(page.text, page.url)


def form_of(page: Page) -> tuple[str, dict[str, str], int, int | None] | None:
    """(proxy URL, form fields, records per page, total records if printed) or None."""
    fields: dict[str, str] = {}
    m = _NEXTGROUP.search(page.text)
    if m:
        href = _HREF.search(m.group(1))
        if href:
            query = urlsplit(html.unescape(href.group(1))).query
            fields.update({k: v for k, v in parse_qsl(query, keep_blank_values=True) if k in FORM_FIELDS})
    for key, value in _FIELD_JS.findall(page.text):
        fields.setdefault(key, value)
    if "columnid" not in fields:
        col = re.search(r"/col/col(\d+)/", page.url)
        if not col:
            return None
        fields["columnid"] = col.group(1)
    fields.setdefault("col", "1")
    fields.setdefault("appid", "1")
    fields.setdefault("permissiontype", "0")
    proxy = _PROXY_JS.search(page.text)
    proxy_url = urljoin(page.url, proxy.group(1) if proxy else PROXY_PATH)
    per = _PERPAGE.search(page.text)
    total = _TOTAL_JS.search(page.text) or _TOTAL.search(page.text)
    return proxy_url, fields, int(per.group(1)) if per else 15, int(total.group(1)) if total else None


def _request(proxy_url: str, fields: dict, start: int, per: int, group: int) -> ListRequest:
    end = start + per * group - 1
    url = f"{proxy_url}?startrecord={start}&endrecord={end}&perpage={per}"
    state = {"proxy_url": proxy_url, "fields": fields, "per": per, "group": group, "start": start}
    return ListRequest(url, "POST", tuple(fields.items()), platform="hanweb", state=state)


def list_requests(page: Page) -> list[ListRequest]:
    """The first dataproxy.jsp POST; its answer's <totalrecord> tells how many follow."""
    form = form_of(page)
    if not form:
        return []
    proxy_url, fields, per, total = form
    group = 3  # Hanweb asks for three pages' worth of records per call
    if total is None:
        return [_request(proxy_url, fields, 1, per, group)]
    step = per * group
    return [_request(proxy_url, fields, s, per, group) for s in range(1, min(total, MAX_RECORDS) + 1, step)]


def parse_api(body: bytes, url: str, state: dict) -> ApiPage:
    """Links in a dataproxy.jsp answer; from the first answer, the calls for the rest."""
    text = body.decode("utf-8", "replace")
    links = _records_links(text, url)
    more: list[ListRequest] = []
    total = _TOTAL.search(text)
    if total and state.get("start") == 1:
        step = state["per"] * state["group"]
        for start in range(1 + step, min(int(total.group(1)), MAX_RECORDS) + 1, step):
            more.append(_request(state["proxy_url"], state["fields"], start, state["per"], state["group"]))
    return ApiPage(links, more)
