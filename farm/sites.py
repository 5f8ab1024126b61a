"""Imitation portals: one builder class per platform (not per site).

A :class:`Site` answers ``handle(method, path_with_query, headers, body) -> (status, headers,
body)``. ``headers`` is the list actually sent; ``body`` the entity body as sent (gzip-encoded
when a ``Content-Encoding: gzip`` header is in the list). A ``Transfer-Encoding: chunked``
header tells the server to frame the body in chunks instead of sending Content-Length.

Builders (each ``build()`` returns a :class:`Built`: the Sites, the portal row, the truth rows
and the expected crawl status of the portal):

- :class:`TrsPortal`      TRS WCM: home → 政府信息公开 → 政府信息公开年报, lists ``index.html``,
  ``index_1.html`` … paged only by JavaScript (``createPageHTML`` or ``var countPage``),
  articles ``./YYYYMM/tYYYYMMDD_NNNNNN.html``, gzip on article pages; optionally the 信息公开
  platform on another host (``xxgk_host``: a subdomain, or a city platform hosting the county
  under ``xxgk_root="/<county>/"``), department and township columns (``units``), multi-page
  articles (``multipage``), URL variants of one report (``url_variants``) and crawler traps
  (``traps``: an endless calendar and session-id URLs).
- :class:`HanwebPortal`   Hanweb JCMS: ``/col/colNNN/index.html`` with the first page embedded
  as ``<script type="text/xml"><datastore>``; later pages only from ``POST
  /module/web/jpage/dataproxy.jsp`` with the page's form fields; column pages chunked.
- :class:`JpaasPortal`    Hanweb jpaas: the column page holds no records; they come only from
  ``GET /api-gateway/jpaas-publish-server/front/page/build/unit?…&paramJson={"pageNo":n,…}``.
- :class:`UcapPortal`     UCAP ``.shtml``: ``/<site>/…/xxgk.shtml?code=xxgknb&temp=…`` columns
  with plain pager links, ``<ucapcontent>`` articles, department/township directories.
- :class:`LegacyPortal`   old county site: GBK table layout, plain pager links, reports as HTML,
  as PDF/DOC linked straight from the list, and as DOCX/WPS attachments of an article page.
- :class:`BlockedPortal`  every request answered by a WAF (412, 521, ``?wzwschallenge=``) or 403.
- :class:`DeadPortal`     a portal whose host the farm does not serve (the proxy answers 502).

Every list mixes reports with look-alikes (指南, 工作要点, 法治政府建设年度报告, 统计公报, 部门预算,
news mentioning 年度报告, a correction notice about a report).

Length: one builder class per platform, each a self-contained imitation portal; splitting them
apart would scatter the shared Site/Resource machinery they all use.
"""
from __future__ import annotations

import gzip as _gzip
import hashlib
import json
import random
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable, Sequence, Union

from crawler.portals import Portal  # a row of portals.csv, as the crawl reads it

from . import docs
from .corpus import Report
from .pages import (
    Chrome,
    HanwebParams,
    ListItem,
    PageMeta,
    jpaas_list_html,
    render_attachment_page,
    render_hanweb_column,
    render_hanweb_dataproxy,
    render_jpaas_column,
    render_legacy_list,
    render_link_page,
    render_plain_article,
    render_report,
    render_trs_list,
    render_ucap_list,
    render_waf,
)

HTML = "text/html; charset=utf-8"
Headers = list[tuple[str, str]]
Handler = Callable[[str, str, Headers, bytes], "tuple[int, Headers, bytes] | None"]
Body = Union[bytes, Callable[[], bytes]]


DEFAULT_MODIFIED = "2023-06-01"


def http_date(value: str) -> str:
    """``YYYY-MM-DD`` (or an HTTP date, returned unchanged) as an HTTP date."""
    if len(value) == 10 and value[4] == "-":
        import datetime as _dt
        import email.utils

        d = _dt.datetime.fromisoformat(value + "T08:00:00+00:00")
        return email.utils.format_datetime(d, usegmt=True)
    return value


@dataclass
class Resource:
    """A static response of a site. ``body`` may be a zero-argument callable: large farms render
    pages on demand instead of holding 20,000 pages in memory."""

    body: Body
    content_type: str = HTML
    status: int = 200
    headers: Headers = field(default_factory=list)
    gzip: bool = False      # gzip it when the request accepts gzip
    chunked: bool = False   # send with Transfer-Encoding: chunked
    modified: str = DEFAULT_MODIFIED   # YYYY-MM-DD or an HTTP date: Last-Modified
    force_gzip: bool = False           # body is already gzip: always send Content-Encoding: gzip

    def data(self) -> bytes:
        """The body bytes (rendered now if lazy)."""
        return self.body() if callable(self.body) else self.body


def _header(headers: Headers, name: str) -> str:
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return ""


def _not_modified(headers: Headers, etag: str, modified: str) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins over If-Modified-Since."""
    inm = _header(headers, "If-None-Match")
    if inm:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = _header(headers, "If-Modified-Since")
    if ims:
        import email.utils

        try:
            return email.utils.parsedate_to_datetime(ims) >= email.utils.parsedate_to_datetime(modified)
        except (TypeError, ValueError):
            return False
    return False


NOT_FOUND = ("<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1>"
             "</center><hr><center>nginx</center></body></html>").encode()
ROBOTS = "User-agent: *\nDisallow: /search/\nDisallow: /admin/\n"


class Site:
    """One host of the farm: static resources by path plus dynamic handlers."""

    def __init__(self, host: str, *, server: str = "nginx", robots: str = ROBOTS):
        self.host = host
        self.server = server
        self.resources: dict[str, Resource] = {}
        self.handlers: list[tuple[str, Handler]] = []
        self.add("/robots.txt", robots.encode(), "text/plain")

    def add(self, path: str, body: Body, content_type: str = HTML, **kw) -> Resource:
        """Serve ``body`` (bytes or a callable returning bytes) at ``path`` (a path, optionally
        with a query string)."""
        res = Resource(body, content_type, **kw)
        self.resources[path] = res
        return res

    def route(self, path_prefix: str, handler: Handler) -> None:
        """Answer requests whose path starts with ``path_prefix`` with
        ``handler(method, path_with_query, headers, body)`` (None: fall through)."""
        self.handlers.append((path_prefix, handler))

    def merge(self, other: "Site") -> None:
        """Take over another builder's resources for the same host (a city platform hosting
        its counties' columns). Paths must not collide (robots.txt excepted)."""
        for path, res in other.resources.items():
            if path == "/robots.txt":
                continue
            if path in self.resources:
                raise ValueError(f"{self.host}{path} built twice")
            self.resources[path] = res
        self.handlers.extend(other.handlers)

    def lookup(self, path_with_query: str) -> Resource | None:
        """The static resource for a request target: exact match, then without the query
        string (static servers ignore it), then ``index.html`` for a directory."""
        res = self.resources.get(path_with_query)
        if res is not None:
            return res
        path = path_with_query.split("?", 1)[0]
        if path in self.resources:
            return self.resources[path]
        if path.endswith("/"):
            for index in ("index.html", "index.shtml", "index.htm"):
                if path + index in self.resources:
                    return self.resources[path + index]
        return None

    def handle(self, method: str, path_with_query: str, headers: Headers,
               body: bytes = b"") -> tuple[int, Headers, bytes]:
        """Answer one request (see the module docstring for the return value)."""
        for prefix, fn in self.handlers:
            if path_with_query.startswith(prefix):
                out = fn(method, path_with_query, headers, body)
                if out is not None:
                    status, hdrs, data = out
                    return status, [("Server", self.server), *hdrs], data
        res = self.lookup(path_with_query)
        if res is None:
            return 404, [("Server", self.server), ("Content-Type", "text/html")], NOT_FOUND
        if method not in ("GET", "HEAD"):
            return 405, [("Server", self.server), ("Allow", "GET, HEAD"),
                         ("Content-Type", "text/html")], b"<html><body>405 Method Not Allowed</body></html>"
        data = res.data()
        hdrs: Headers = [("Server", self.server), ("Content-Type", res.content_type), *res.headers]
        if res.status == 200:
            # static resources carry validators, as nginx/IIS send them: refresh crawls use them
            etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
            modified = http_date(res.modified)
            hdrs += [("Last-Modified", modified), ("ETag", etag)]
            if _not_modified(headers, etag, modified):
                return 304, [("Server", self.server), ("Last-Modified", modified), ("ETag", etag)], b""
        if res.force_gzip:
            hdrs.append(("Content-Encoding", "gzip"))
        elif res.gzip and "gzip" in _header(headers, "Accept-Encoding").lower():
            # mtime=0: the same page gives the same bytes, so tests can compare archives
            data = _gzip.compress(data, compresslevel=6, mtime=0)
            hdrs += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        if res.chunked:
            hdrs.append(("Transfer-Encoding", "chunked"))
        return res.status, hdrs, data



@dataclass(frozen=True)
class TruthReport:
    """A report a perfect crawl finds.

    ``page_url`` is the report's page (the file's URL when a list links the file directly),
    ``url`` the document the text comes from (the page, or the attachment), ``text`` the gold
    text, ``content_type`` html|pdf|docx|doc|wps. ``publisher`` is the page's 发布机构; for a
    file linked straight from a list (no page, no metadata) the body named in the title.
    ``kind`` is government|department|township (whose report it is).
    """

    portal: str
    page_url: str
    url: str
    title: str
    year: int
    published: str
    publisher: str
    index_no: str
    text: str
    content_type: str
    slug: str = ""
    kind: str = "government"
    aliases: tuple[str, ...] = ()   # other URLs the farm links for the same report


@dataclass
class Built:
    """What a builder produces. ``status`` is the expected ``portals.status`` after a crawl
    (ok|no_reports|blocked|dead) and ``reason`` what the portal row should say."""

    sites: list[Site]
    portal: Portal
    truth: list[TruthReport]
    status: str = "ok"
    reason: str = ""
    columns: list = field(default_factory=list)   # Column objects, the portal's own first


def _rng(*parts: object) -> random.Random:
    h = hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()
    return random.Random(int(h[:16], 16))


# -- look-alikes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LookAlike:
    """A list entry that is not a disclosure report, with the text of its page."""

    title: str
    date: str
    paragraphs: tuple[str, ...]


def lookalikes(gov: str, years: Sequence[int], rng: random.Random, n: int) -> list[LookAlike]:
    """``n`` look-alike entries for ``gov``: titles that share words with the reports."""
    makers = [
        lambda y: f"{gov}政府信息公开指南",
        lambda y: f"{gov}政府信息公开制度",
        lambda y: f"{gov}{y}年政务公开工作要点",
        lambda y: f"{gov}{y}年法治政府建设年度报告",
        lambda y: f"{gov}{y}年国民经济和社会发展统计公报",
        lambda y: f"{gov}人民政府办公室{y}年部门预算公开",
        lambda y: f"{gov}财政局{y}年部门决算",
        lambda y: f"我市召开{y}年度政府信息公开工作年度报告编制工作培训会",
        lambda y: f"关于{gov}{y}年政府信息公开工作年度报告的更正说明",
        lambda y: f"{gov}{y}年政府信息公开工作考核结果通报",
        lambda y: f"{gov}政府信息公开目录",
        lambda y: f"{gov}{y}年度政务公开工作年度报告编制培训班开班",
        lambda y: f"{gov}召开{y}年政务公开工作推进会",
        lambda y: f"{gov}{y}年重点领域信息公开工作方案",
        lambda y: f"{gov}{y}年政府工作报告",
        lambda y: f"{gov}{y}年国有资产管理情况综合报告",
        lambda y: f"关于报送{y}年政府信息公开工作年度报告的通知",
        lambda y: f"{gov}{y}年度财政预算执行情况和{y + 1}年度财政预算草案的报告",
    ]
    out, seen = [], set()
    i = 0
    while len(out) < n and i < 20 * (n + 1):
        y = years[i % len(years)]
        title = makers[(i + rng.randrange(len(makers))) % len(makers)](y)
        i += 1
        if title in seen:
            continue
        seen.add(title)
        date = f"{y + 1}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        paras = (f"为深入贯彻落实《中华人民共和国政府信息公开条例》，进一步做好{gov}政务公开工作，现将有关事项通知如下。",
                 f"各地各部门要高度重视，认真组织实施，确保{y}年各项工作任务落到实处。",
                 f"{gov}人民政府办公室")
        out.append(LookAlike(title, date, paras))
    if len(out) < n:  # more than the makers give: numbered news items
        for k in range(n - len(out)):
            y = years[k % len(years)]
            out.append(LookAlike(f"{gov}政务动态（第{k + 1}期）", f"{y + 1}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                                 (f"{gov}政务动态第{k + 1}期。", f"{gov}人民政府办公室")))
    return out


NEWS = ["我市召开全市经济工作会议", "市政府常务会议研究部署安全生产工作",
        "全市优化营商环境工作推进会召开", "春节前夕领导走访慰问困难群众",
        "政务服务中心推出“一次办好”新举措", "全市防汛抗旱工作会议召开"]


def _related(own_title: str, rng: random.Random, report_items: Sequence[ListItem],
             scheme_host: str = "") -> list[tuple[str, str, str]]:
    """A 相关新闻 list: a few unrelated headlines plus one report title (never the page's own).
    With ``scheme_host`` ("https://host") the report link is written absolute with it."""
    news = list(NEWS)
    rng.shuffle(news)
    out = [(t, "/xwzx/", "2020-01-0%d" % (i + 1)) for i, t in enumerate(news[:4])]
    others = [i for i in report_items if i.title != own_title]
    if others:
        o = others[rng.randrange(len(others))]
        out.insert(rng.randrange(len(out) + 1), (o.title, scheme_host + o.href, o.date))
    return out


@dataclass
class Unit:
    """A body with its own 年报 column under the portal's 信息公开 page: a department
    (``kind="department"``, e.g. 襄阳市教育局) or a township (``kind="township"``, …镇/…街道)."""

    name: str
    kind: str
    code: str
    reports: list[Report]
    n_lookalikes: int = 3


@dataclass
class Column:
    """A 年报 column as served, kept so that mutation helpers (``Farm.add_report`` …) can change
    it later: ``entries`` newest first, ``article_path(date)`` names a new article,
    ``put(item, report)`` (re)serves a report's page, ``publish()`` re-renders the list pages."""

    portal: str
    host: str
    kind: str                 # government | department | township
    skin: str
    site: Site
    entries: list
    article_path: Callable[[str], str]
    put: Callable[[ListItem, Report], None] = lambda item, r: None
    publish: Callable[[], None] = lambda: None
    modified: str = DEFAULT_MODIFIED   # Last-Modified of the list pages (bumped by mutations)

    def sort(self) -> None:
        self.entries.sort(key=lambda e: (e[0].date, e[0].href), reverse=True)

    def report_items(self) -> list[ListItem]:
        return [i for i, o in self.entries if isinstance(o, Report)]


# -- the shared part of the builders ----------------------------------------------------------------
class _Builder:
    """Bookkeeping shared by the platform builders: sites by host, truth rows, look-alikes."""

    skin = "trs"

    def __init__(self, name: str, host: str, province: str, level: str, reports: Sequence[Report] = (),
                 *, units: Sequence[Unit] = (), n_lookalikes: int = 10, seed: int = 0):
        self.name, self.host, self.province, self.level = name, host, province, level
        self.reports = list(reports)
        self.units = list(units)
        self.n_lookalikes = n_lookalikes
        self.seed = seed
        self.rng = _rng(type(self).__name__, host, seed)
        self._sites: dict[str, Site] = {}
        self.truth: list[TruthReport] = []
        self.columns: list[Column] = []

    server = "nginx"

    def site(self, host: str | None = None) -> Site:
        host = host or self.host
        if host not in self._sites:
            self._sites[host] = Site(host, server=self.server)
        return self._sites[host]

    def portal(self) -> Portal:
        return Portal(self.name, f"http://{self.host}/", self.province, self.level)

    def built(self) -> Built:
        return Built(list(self._sites.values()), self.portal(), self.truth, columns=self.columns)

    def fakes(self, gov: str, reports: Sequence[Report], n: int) -> list[LookAlike]:
        years = sorted({r.year for r in reports}) or [2018, 2019]
        return lookalikes(gov, years, self.rng, n)

    def add_truth(self, host: str, page_path: str, r: Report, *, url_path: str | None = None,
                  content_type: str = "html", kind: str = "government", publisher: str | None = None,
                  index_no: str | None = None, aliases: Sequence[str] = ()) -> None:
        page = f"http://{host}{page_path}"
        url = f"http://{host}{url_path}" if url_path else page
        self.truth.append(TruthReport(self.name, page, url, r.title, r.year, r.published,
                                      publisher if publisher is not None else r.publisher,
                                      r.index_no if index_no is None else index_no,
                                      r.gold_text(), content_type, r.slug, kind, tuple(aliases)))

    def chrome(self, host: str | None = None, **kw) -> Chrome:
        return Chrome.for_government(self.name, host or self.host, **kw)

    def _serve_column(self, site: Site, skin: str, kind: str, gov: str, bc: list, entries: list,
                      article_path: Callable[[str], str]) -> Column:
        """Serve a column's reports and look-alike articles (plain skins: no gzip, no aliases);
        returns the Column whose ``put`` re-serves a report after a mutation."""
        report_items = [i for i, o in entries if isinstance(o, Report)]

        def put(item: ListItem, obj: Report) -> None:
            ch = self.chrome(breadcrumb=bc, related=_related(item.title, _rng("rel", item.href), col.report_items()))
            site.add(item.href, (lambda o=obj, c=ch: render_report(skin, o, c)), modified=obj.published)

        col = Column(self.name, self.host, kind, skin, site, entries, article_path, put)
        for item, obj in entries:
            if isinstance(obj, Report):
                put(item, obj)
                self.add_truth(self.host, item.href, obj, kind=kind)
            else:
                ch = self.chrome(breadcrumb=bc, related=_related(item.title, _rng("rel", item.href), report_items))
                meta = PageMeta(obj.title, obj.date, f"{gov}办公室", "", obj.date)
                site.add(item.href, (lambda m=meta, o=obj, c=ch: render_plain_article(skin, m, o.paragraphs, c)))
        return col


def _sorted_entries(reports: Sequence[Report], fakes: Sequence[LookAlike],
                    path_of: Callable[[str], str]) -> list[tuple[ListItem, object]]:
    entries: list[tuple[ListItem, object]] = []
    for r in reports:
        entries.append((ListItem(r.title, path_of(r.published), r.published), r))
    for f in fakes:
        entries.append((ListItem(f.title, path_of(f.date), f.date), f))
    entries.sort(key=lambda e: (e[0].date, e[0].href), reverse=True)
    return entries


def _unit_kind(u: Unit) -> str:
    return "department" if u.kind == "department" else "township"


# -- TRS ----------------------------------------------------------------------------------------
class TrsPortal(_Builder):
    """TRS WCM portal builder.

    ``pager`` "createPageHTML" or "countPage"; ``ext`` "html" or "shtml"; ``per_page`` entries per
    list page; ``column`` the 年报 column's directory (default ``<xxgk_root>xxgknb/``).
    ``xxgk_host``: the 信息公开 platform lives on that host (``xxgk.<city>.gov.cn``) under
    ``xxgk_root`` (a city platform hosting a county uses ``"/<county>/"``). ``multipage``: the
    first N reports are split over continuation pages ``t…_1.html``, ``t…_2.html`` (truth: the
    first page's URL, the whole text). ``url_variants``: the same report is also linked with
    ``?from=list`` from a 最新公开 list, as ``https://`` from a 相关新闻 list, the column as
    ``/dir/`` and ``/dir/index.html``, and its print link is ``?type=print``. ``traps``: the home
    page links an endless 办事日历 and session-id (``;jsessionid=``) pages.
    """

    def __init__(self, name: str, host: str, province: str, level: str, reports: Sequence[Report] = (),
                 *, n_lookalikes: int = 10, per_page: int = 6, pager: str = "createPageHTML",
                 ext: str = "html", column: str | None = None, seed: int = 0,
                 units: Sequence[Unit] = (), xxgk_host: str | None = None, xxgk_root: str | None = None,
                 multipage: int = 0, url_variants: bool = False, traps: bool = False):
        super().__init__(name, host, province, level, reports, units=units, n_lookalikes=n_lookalikes, seed=seed)
        self.per_page, self.pager, self.ext = per_page, pager, ext
        self.xxgk_host = xxgk_host or host
        self.xxgk_root = xxgk_root or ("/" if xxgk_host else "/zwgk/")
        self.column = column or self.xxgk_root + "xxgknb/"
        self.multipage, self.url_variants, self.traps = multipage, url_variants, traps

    def _article_path(self, column: str, date: str) -> str:
        d = date.replace("-", "")
        return f"{column}{d[:6]}/t{d}_{self.rng.randrange(100000, 9999999)}.{self.ext}"

    def _column(self, column: str, title: str, gov: str, reports: Sequence[Report], n_fakes: int,
                kind: str, multipage: int = 0) -> list[ListItem]:
        """Articles and list pages of one TRS column; returns the report items."""
        host = self.xxgk_host
        site = self.site(host)
        fakes = self.fakes(gov, reports, n_fakes)
        entries = _sorted_entries(reports, fakes, lambda d: self._article_path(column, d))
        report_items = [i for i, o in entries if isinstance(o, Report)]
        split = {id(r) for r in list(reports)[:multipage]}
        bc = [("首页", f"http://{self.host}/"), ("政府信息公开", self.xxgk_root), (title, column)]
        def put(item: ListItem, obj: Report) -> None:
            rng = _rng("rel", host, item.href)
            ch = self.chrome(host, breadcrumb=bc, related=_related(item.title, rng, col.report_items()))
            base = item.href.rsplit("/", 1)[1].rsplit(".", 1)[0]
            print_href = f"{base}.{self.ext}?type=print" if self.url_variants else "javascript:window.print()"
            site.add(item.href, (lambda o=obj, c=ch, p=print_href: render_report("trs", o, c, print_href=p)),
                     gzip=True, modified=obj.published)

        col = Column(self.name, host, kind, "trs", site, entries, lambda d: self._article_path(column, d), put)
        for item, obj in entries:
            rng = _rng("rel", host, item.href)
            scheme = f"https://{host}" if self.url_variants and not isinstance(obj, Report) else ""
            ch = self.chrome(host, breadcrumb=bc, related=_related(item.title, rng, report_items, scheme))
            if isinstance(obj, Report):
                base = item.href.rsplit("/", 1)[1].rsplit(".", 1)[0]
                aliases = []
                if self.url_variants:
                    aliases = [f"http://{host}{item.href}?type=print", f"http://{host}{item.href}?from=list",
                               f"https://{host}{item.href}"]
                if id(obj) in split:
                    self._multipage(site, item.href, obj, ch, base)
                else:
                    put(item, obj)
                self.add_truth(host, item.href, obj, kind=kind, aliases=aliases)
            else:
                meta = PageMeta(obj.title, obj.date, f"{gov}办公室" if kind != "government" else f"{gov}人民政府办公室",
                                "", obj.date)
                site.add(item.href, (lambda m=meta, o=obj, c=ch: render_plain_article("trs", m, o.paragraphs, c)),
                         gzip=True)
        lch = self.chrome(host, breadcrumb=bc)

        def publish() -> None:
            """List pages: index.html, index_1.html … with hrefs relative to the column."""
            for old in [p for p in site.resources if p.startswith(column + "index")]:
                del site.resources[old]
            pages = [entries[i:i + self.per_page] for i in range(0, len(entries), self.per_page)] or [[]]
            for n, chunk in enumerate(pages):
                items = [ListItem(i.title, "." + i.href[len(column) - 1:], i.date) for i, _ in chunk]
                name = "index" if n == 0 else f"index_{n}"
                site.add(f"{column}{name}.{self.ext}",
                         (lambda it=items, n=n, c=len(pages): render_trs_list(lch, title, it, c, n, self.pager, self.ext)),
                         modified=col.modified)
        col.publish = publish
        publish()
        self.columns.append(col)
        return report_items

    def _multipage(self, site: Site, path: str, r: Report, chrome: Chrome, base: str) -> None:
        """Split the report over 3 pages at block boundaries (TRS continuation pages)."""
        blocks = list(r.blocks)
        n = 3 if len(blocks) >= 6 else 2
        cuts = [round(len(blocks) * k / n) for k in range(n + 1)]
        stem = path.rsplit(".", 1)[0]
        for k in range(n):
            part = blocks[cuts[k]:cuts[k + 1]]
            p = path if k == 0 else f"{stem}_{k}.{self.ext}"
            site.add(p, (lambda part=part, k=k: render_report("trs", r, chrome, blocks=part, page_count=n,
                                                              page_index=k, page_name=base)), gzip=True)

    def build(self) -> Built:
        host, root = self.xxgk_host, self.xxgk_root
        site_x = self.site(host)
        report_items = self._column(self.column, "政府信息公开年报", self.name, self.reports,
                                    self.n_lookalikes, "government", self.multipage)
        unit_links: dict[str, list[tuple[str, str]]] = {"department": [], "township": []}
        for u in self.units:
            d = f"{root}{'bmxxgk' if u.kind == 'department' else 'xzxxgk'}/{u.code}/"
            col = d + "xxgknb/"
            self._column(col, "政府信息公开年报", u.name, u.reports, u.n_lookalikes, _unit_kind(u))
            ch = self.chrome(host)
            page = render_link_page("trs", ch, f"{u.name}政府信息公开", [(f"{u.name}政府信息公开", [
                ("政府信息公开指南", d + "xxgkzn/"), ("机构职能", d + "jgzn/"),
                ("政府信息公开年报", col), ("财政预决算", d + "czyjs/")])])
            site_x.add(f"{d}index.{self.ext}", page)
            unit_links[u.kind if u.kind == "department" else "township"].append((u.name, d))
        ch = self.chrome(host)
        col_link = f"{self.column}index.{self.ext}" if self.url_variants else self.column
        links = [("政府信息公开指南", f"{root}xxgkzn/"), ("政府信息公开制度", f"{root}xxgkzd/"),
                 ("法定主动公开内容", f"{root}fdzdgknr/"), ("政府信息公开年报", col_link),
                 ("政务公开工作要点", f"{root}zwgkgzyd/")]
        sections = [("政府信息公开", links)]
        if unit_links["department"]:
            sections.append(("部门信息公开", [(f"{n}", f"{d}index.{self.ext}") for n, d in unit_links["department"]]))
        if unit_links["township"]:
            sections.append(("乡镇（街道）信息公开", [(f"{n}", f"{d}index.{self.ext}") for n, d in unit_links["township"]]))
        if self.url_variants and report_items:
            latest = f"{root}zxgk/index.{self.ext}"
            sections.append(("最新公开", [("最新信息公开", latest)]))
            first = report_items[0]
            site_x.add(latest, render_trs_list(ch, "最新公开", [ListItem(first.title, first.href + "?from=list", first.date)],
                                               1, 0, self.pager, self.ext))
        xxgk_page = render_link_page("trs", ch, "政府信息公开", sections)
        site_x.add(f"{root}index.{self.ext}", xxgk_page)
        # home page on the portal's host
        site_w = self.site(self.host)
        xxgk_url = root if host == self.host else f"http://{host}{root}"
        home_sections = [("政务公开", [("政府信息公开", xxgk_url), ("政策文件", "/zwgk/zcwj/"), ("政策解读", "/zwgk/zcjd/")]),
                         ("政务服务", [("办事指南", "/zwfw/"), ("便民服务", "/bmfw/")])]
        if self.url_variants and host == self.host:
            home_sections[0][1].append(("政府信息公开年报", self.column))
        if self.traps:
            home_sections.append(("互动交流", [("办事日历", "/bsrl/calendar.jsp?month=2021-01"),
                                            ("网上办事", "/wsbs/index.jsp;jsessionid=0A1B2C3D4E5F")]))
            _add_traps(site_w)
        home = render_link_page("trs", self.chrome(self.host), self.name + "人民政府", home_sections,
                                [ListItem(t, "/xwzx/", "2021-01-05") for t in NEWS[:3]])
        if host != self.host or root != "/":
            site_w.add(f"/index.{self.ext}", home)
            site_w.add("/", home)
        return self.built()


def _add_traps(site: Site) -> None:
    """An endless calendar (every month links the next and previous one) and session-id URLs
    (every page links new ``;jsessionid=`` URLs): a crawl must bound them."""

    def calendar(method, target, headers, body):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query)
        month = (q.get("month") or ["2021-01"])[0]
        try:
            y, m = (int(x) for x in month.split("-"))
        except ValueError:
            return 400, [("Content-Type", "text/html")], b"<html><body>bad month</body></html>"
        prev = f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}"
        nxt = f"{y + (m == 12)}-{m % 12 + 1:02d}"
        days = "".join(f'<td><a href="/bsrl/day.jsp?date={y}-{m:02d}-{d:02d}">{d}</a></td>' for d in range(1, 29))
        page = (f'<html><head><meta charset="utf-8"><title>办事日历 {y}年{m}月</title></head><body>'
                f'<h2>{y}年{m}月</h2><a href="/bsrl/calendar.jsp?month={prev}">上一月</a> '
                f'<a href="/bsrl/calendar.jsp?month={nxt}">下一月</a><table><tr>{days}</tr></table></body></html>')
        return 200, [("Content-Type", HTML)], page.encode()

    def session(method, target, headers, body):
        sid = hashlib.sha1(target.encode()).hexdigest()[:16].upper()
        links = "".join(f'<li><a href="/wsbs/item.jsp;jsessionid={sid}?id={k}">办事事项{k}</a></li>' for k in range(5))
        page = (f'<html><head><meta charset="utf-8"><title>网上办事</title></head><body><ul>{links}</ul>'
                f'<a href="/wsbs/index.jsp;jsessionid={sid}">刷新</a></body></html>')
        return 200, [("Content-Type", HTML), ("Set-Cookie", f"JSESSIONID={sid}; Path=/")], page.encode()

    def day(method, target, headers, body):
        return 200, [("Content-Type", HTML)], "<html><body>当日无办事安排</body></html>".encode()

    site.route("/bsrl/calendar.jsp", calendar)
    site.route("/bsrl/day.jsp", day)
    site.route("/wsbs/", session)


# -- Hanweb -------------------------------------------------------------------------------------
class HanwebPortal(_Builder):
    """Hanweb JCMS portal builder: columns ``/col/col<ID>/index.html``, articles
    ``/art/YYYY/M/D/art_<colID>_<ID>.html``, later list pages only via POST dataproxy.jsp.
    Department/township units get their own columns, linked from a 部门信息公开 column."""

    server = "Apache-Coyote/1.1"

    def __init__(self, name: str, host: str, province: str, level: str, reports: Sequence[Report] = (),
                 *, n_lookalikes: int = 18, perpage: int = 15, columnid: int = 1525487,
                 unitid: int = 4519, webid: int = 2, xxgk_col: int = 1525000, seed: int = 0,
                 units: Sequence[Unit] = ()):
        super().__init__(name, host, province, level, reports, units=units, n_lookalikes=n_lookalikes, seed=seed)
        self.params = HanwebParams(columnid=columnid, unitid=unitid, webid=webid,
                                   webname=f"{name}人民政府", perpage=perpage)
        self.xxgk_col = xxgk_col

    def _article_path(self, columnid: int, date: str) -> str:
        y, m, d = (int(x) for x in date.split("-"))
        return f"/art/{y}/{m}/{d}/art_{columnid}_{self.rng.randrange(10000, 999999)}.html"

    def build(self) -> Built:
        base = self.params
        site = self.site()
        columns: dict[int, Column] = {}
        xxgk_url = f"/col/col{self.xxgk_col}/index.html"

        def column(columnid: int, gov: str, reports: Sequence[Report], n_fakes: int, kind: str) -> str:
            p = HanwebParams(**{**base.__dict__, "columnid": columnid})
            bc = [("首页", "/"), ("政府信息公开", xxgk_url), ("政府信息公开年报", f"/col/col{columnid}/index.html")]
            entries = _sorted_entries(reports, self.fakes(gov, reports, n_fakes),
                                      lambda d: self._article_path(columnid, d))
            col = self._serve_column(site, "hanweb", kind, gov, bc, entries, lambda d: self._article_path(columnid, d))
            path = f"/col/col{columnid}/index.html"

            def publish() -> None:
                items = [i for i, _ in col.entries]
                site.add(path, (lambda: render_hanweb_column(self.chrome(breadcrumb=bc), "政府信息公开年报",
                                                              items[:p.perpage], len(items), p)),
                         content_type="text/html;charset=UTF-8", chunked=True, modified=col.modified)
            col.publish = publish
            publish()
            columns[columnid] = col
            self.columns.append(col)
            return path

        main = column(base.columnid, self.name, self.reports, self.n_lookalikes, "government")
        unit_links = []
        for k, u in enumerate(self.units):
            cid = base.columnid + 101 + k
            unit_links.append((f"{u.name}政府信息公开年报", column(cid, u.name, u.reports, u.n_lookalikes, _unit_kind(u))))

        def dataproxy(method: str, target: str, headers: Headers, body: bytes):
            path, _, query = target.partition("?")
            if path != "/module/web/jpage/dataproxy.jsp":
                return None
            if method != "POST":
                return 405, [("Allow", "POST"), ("Content-Type", "text/html")], b"<html><body>405</body></html>"
            q = urllib.parse.parse_qs(query)
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))

            def one(d, k):
                return (d.get(k) or [""])[0]
            try:
                cid = int(one(form, "columnid"))
                start, end = int(one(q, "startrecord")), int(one(q, "endrecord"))
                per = int(one(q, "perpage") or base.perpage)
            except ValueError:
                cid, start, end, per = -1, 0, 0, base.perpage
            ok = (cid in columns and one(form, "unitid") == str(base.unitid)
                  and one(form, "webid") == str(base.webid) and one(form, "appid") == str(base.appid)
                  and "path" in form and "webname" in form)
            ctype = [("Content-Type", "text/xml;charset=UTF-8")]
            if not ok:
                # JCMS answers a wrong or missing form with an empty datastore, not an error
                return 200, ctype, render_hanweb_dataproxy([], 0, base.perpage)
            items = [i for i, _ in columns[cid].entries]
            return 200, ctype, render_hanweb_dataproxy(items[max(0, start - 1):max(0, end)], len(items), per)

        site.route("/module/web/jpage/dataproxy.jsp", dataproxy)
        ch = self.chrome()
        links = [("政府信息公开指南", f"/col/col{self.xxgk_col + 1}/index.html"),
                 ("政府信息公开制度", f"/col/col{self.xxgk_col + 2}/index.html"),
                 ("法定主动公开内容", f"/col/col{self.xxgk_col + 3}/index.html"),
                 ("政府信息公开年报", main)]
        sections = [("政府信息公开", links)]
        if unit_links:
            bm = f"/col/col{self.xxgk_col + 9}/index.html"
            sections.append(("部门和乡镇信息公开", [("部门和乡镇政府信息公开年报", bm)]))
            site.add(bm, render_link_page("hanweb", ch, "部门和乡镇信息公开", [("政府信息公开年报", unit_links)]))
        site.add(xxgk_url, render_link_page("hanweb", ch, "政府信息公开", sections))
        home = render_link_page("hanweb", ch, self.name + "人民政府",
                                [("政务公开", [("政府信息公开", xxgk_url), ("政策文件", "/col/col1229000/index.html")])],
                                [ListItem(t, "/col/col1229001/index.html", "2021-01-05") for t in NEWS[:3]])
        site.add("/index.html", home)
        site.add("/", home)
        return self.built()


# -- jpaas (Hanweb's JSON API) --------------------------------------------------------------------
JPAAS_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"


class JpaasPortal(_Builder):
    """Hanweb jpaas portal: the 年报 column page carries only a script; records come from
    ``GET /api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic&webId=…
    &tplSetId=…&pageType=column&tagId=当前栏目list&editType=null&pageId=<col>&paramJson={"pageNo":n,
    "pageSize":15}`` answering ``{"success":true,"data":{"html":"<ul><li>…"}}``; a wrong webId/pageId
    gives ``success:false``."""

    server = "nginx"

    def __init__(self, name: str, host: str, province: str, level: str, reports: Sequence[Report] = (),
                 *, n_lookalikes: int = 20, page_size: int = 15, column_id: int = 1229456,
                 web_id: str = "3ff8d9c2e8a14e6b", tpl_set_id: str = "52mF0OR2JHdG9xUlUxXxN",
                 seed: int = 0, units: Sequence[Unit] = ()):
        super().__init__(name, host, province, level, reports, units=units, n_lookalikes=n_lookalikes, seed=seed)
        self.page_size, self.column_id, self.web_id, self.tpl_set_id = page_size, column_id, web_id, tpl_set_id

    def unit_url(self, page_id: int) -> str:
        return (f"{JPAAS_PATH}?parseType=bulidstatic&webId={self.web_id}&tplSetId={self.tpl_set_id}"
                f"&pageType=column&tagId=当前栏目list&editType=null&pageId={page_id}")

    def build(self) -> Built:
        site = self.site()
        columns: dict[str, Column] = {}
        xxgk_url = "/col/col1229000/index.html"

        def column(cid: int, gov: str, reports: Sequence[Report], n_fakes: int, kind: str) -> str:
            def path_of(date: str) -> str:
                y, m, d = (int(x) for x in date.split("-"))
                return f"/art/{y}/{m}/{d}/art_{cid}_{self.rng.randrange(1000000, 9999999)}.html"
            entries = _sorted_entries(reports, self.fakes(gov, reports, n_fakes), path_of)
            bc = [("首页", "/"), ("政府信息公开", xxgk_url), ("政府信息公开年报", f"/col/col{cid}/index.html")]
            col = self._serve_column(site, "hanweb", kind, gov, bc, entries, path_of)
            columns[str(cid)] = col
            self.columns.append(col)
            path = f"/col/col{cid}/index.html"
            site.add(path, (lambda: render_jpaas_column(self.chrome(breadcrumb=bc), "政府信息公开年报",
                                                         self.unit_url(cid), self.page_size)))
            return path

        main = column(self.column_id, self.name, self.reports, self.n_lookalikes, "government")
        unit_links = [(f"{u.name}政府信息公开年报", column(self.column_id + 11 + k, u.name, u.reports,
                                                       u.n_lookalikes, _unit_kind(u)))
                      for k, u in enumerate(self.units)]

        def api(method: str, target: str, headers: Headers, body: bytes):
            path, _, query = target.partition("?")
            if path != JPAAS_PATH:
                return None
            q = urllib.parse.parse_qs(query)

            def one(k):
                return (q.get(k) or [""])[0]
            ctype = [("Content-Type", "application/json;charset=UTF-8")]
            fail = json.dumps({"success": False, "code": "500", "message": "参数错误", "data": None},
                              ensure_ascii=False).encode()
            if one("webId") != self.web_id or one("pageId") not in columns or one("tagId") != "当前栏目list":
                return 200, ctype, fail
            try:
                param = json.loads(one("paramJson") or "{}")
                page_no = int(param.get("pageNo", 1))
                size = int(param.get("pageSize", self.page_size))
            except (ValueError, TypeError, AttributeError):
                return 200, ctype, fail
            size = max(1, min(size, 100))
            items = [i for i, _ in columns[one("pageId")].entries]
            chunk = items[(page_no - 1) * size:page_no * size] if page_no >= 1 else []
            html = jpaas_list_html(chunk, len(items), page_no, size)
            out = {"success": True, "code": "200", "message": "操作成功", "data": {"html": html}}
            return 200, ctype, json.dumps(out, ensure_ascii=False).encode()

        site.route(JPAAS_PATH, api)
        ch = self.chrome()
        sections = [("政府信息公开", [("政府信息公开指南", "/col/col1229001/index.html"),
                                   ("政府信息公开年报", main)])]
        if unit_links:
            sections.append(("部门信息公开", unit_links))
        site.add(xxgk_url, render_link_page("hanweb", ch, "政府信息公开", sections))
        home = render_link_page("hanweb", ch, self.name + "人民政府", [("政务公开", [("政府信息公开", xxgk_url)])],
                                [ListItem(t, "/col/col1229002/index.html", "2021-01-05") for t in NEWS[:3]])
        site.add("/index.html", home)
        site.add("/", home)
        return self.built()


# -- UCAP -----------------------------------------------------------------------------------------
class UcapPortal(_Builder):
    """UCAP portal builder (Jiangsu/Jiangxi style, samples/05): ``/`` redirects to
    ``/<site>/index.shtml``; 信息公开 ``/<site>/zwgk/zwgk.shtml``; columns
    ``/<site>/<body>/xxgk.shtml?code=xxgknb&temp=xxgk_list[&page=N]`` with plain pager links;
    articles ``/<site>/<body>/YYYYMM/<32 hex>.shtml``; departments and townships listed on
    ``/<site>/bmxxgkml/zzxxgk_bm.shtml`` and ``/<site>/xzxxgkml/zzxxgk_xz.shtml``."""

    server = "UCAP/5.0"

    def __init__(self, name: str, host: str, province: str, level: str, reports: Sequence[Report] = (),
                 *, site_code: str = "wzxrmzf", n_lookalikes: int = 10, per_page: int = 8, seed: int = 0,
                 units: Sequence[Unit] = ()):
        super().__init__(name, host, province, level, reports, units=units, n_lookalikes=n_lookalikes, seed=seed)
        self.code, self.per_page = site_code, per_page

    def build(self) -> Built:
        s, site = f"/{self.code}", self.site()
        xxgk = f"{s}/zwgk/zwgk.shtml"

        def column(body_code: str, gov: str, reports: Sequence[Report], n_fakes: int, kind: str) -> str:
            def path_of(date: str) -> str:
                return f"{s}/{body_code}/{date.replace('-', '')[:6]}/{self.rng.getrandbits(128):032x}.shtml"
            entries = _sorted_entries(reports, self.fakes(gov, reports, n_fakes), path_of)
            col = f"{s}/{body_code}/xxgk.shtml?code=xxgknb&temp=xxgk_list"
            bc = [("首页", f"{s}/index.shtml"), ("政府信息公开", xxgk), ("政府信息公开年报", col)]

            column_ = self._serve_column(site, "ucap", kind, gov, bc, entries, path_of)

            def href(n: int) -> str:
                return col + (f"&page={n}" if n > 1 else "")

            def publish() -> None:
                for old in [p for p in site.resources if p.startswith(col)]:
                    del site.resources[old]
                pages = [entries[i:i + self.per_page] for i in range(0, len(entries), self.per_page)] or [[]]
                for n, chunk in enumerate(pages, 1):
                    site.add(href(n), (lambda ch_=[i for i, _ in chunk], n=n, c=len(pages): render_ucap_list(
                        self.chrome(breadcrumb=bc), "政府信息公开年报", ch_, n, c, href)), modified=column_.modified)
            column_.publish = publish
            publish()
            self.columns.append(column_)
            return col

        main = column("zwgk", self.name, self.reports, self.n_lookalikes, "government")
        ch = self.chrome()
        dirs = {"department": [], "township": []}
        for u in self.units:
            col = column(u.code, u.name, u.reports, u.n_lookalikes, _unit_kind(u))
            page = f"{s}/{u.code}/xxgk.shtml"
            site.add(page, render_link_page("ucap", ch, f"{u.name}信息公开", [(f"{u.name}", [
                ("政府信息公开指南", f"{s}/{u.code}/xxgk.shtml?code=xxgkzn&temp=xxgk_list"),
                ("政府信息公开年报", col)])]))
            dirs["department" if u.kind == "department" else "township"].append((u.name, page))
        sections = [("政府信息公开", [("政府信息公开指南", f"{s}/zwgk/xxgk.shtml?code=xxgkzn&temp=xxgk_list"),
                                   ("政府信息公开年报", main)])]
        if dirs["department"]:
            p = f"{s}/bmxxgkml/zzxxgk_bm.shtml"
            site.add(p, render_link_page("ucap", ch, "部门信息公开", [("部门信息公开", dirs["department"])]))
            sections.append(("部门信息公开", [("部门信息公开目录", p)]))
        if dirs["township"]:
            p = f"{s}/xzxxgkml/zzxxgk_xz.shtml"
            site.add(p, render_link_page("ucap", ch, "乡镇信息公开", [("乡镇信息公开", dirs["township"])]))
            sections.append(("乡镇信息公开", [("乡镇信息公开目录", p)]))
        site.add(xxgk, render_link_page("ucap", ch, "政府信息公开", sections))
        home = render_link_page("ucap", ch, self.name + "人民政府", [("政务公开", [("政府信息公开", xxgk)])],
                                [ListItem(t, f"{s}/wzdt/wzdt.shtml", "2021-01-05") for t in NEWS[:3]])
        site.add(f"{s}/index.shtml", home)
        site.add("/", b"", status=302, headers=[("Location", f"http://{self.host}{s}/index.shtml")])
        return self.built()


# -- legacy county site -------------------------------------------------------------------------
class LegacyPortal(_Builder):
    """Old county site builder: GBK table layout, ASP-style URLs, plain pager links.

    ``html_reports`` are article pages; ``pdf_reports`` and ``doc_reports`` are files linked
    straight from the list (no page: page_url is the file); ``docx_reports`` and ``wps_reports``
    are article pages whose body only links the file (the text comes from the file).
    """

    server = "Microsoft-IIS/6.0"

    def __init__(self, name: str, host: str, province: str, level: str, *,
                 html_reports: Sequence[Report] = (), pdf_reports: Sequence[Report] = (),
                 docx_reports: Sequence[Report] = (), doc_reports: Sequence[Report] = (),
                 wps_reports: Sequence[Report] = (), n_lookalikes: int = 8, per_page: int = 8,
                 classid: int = 12, seed: int = 0):
        super().__init__(name, host, province, level, n_lookalikes=n_lookalikes, seed=seed)
        self.html_reports, self.pdf_reports, self.docx_reports = list(html_reports), list(pdf_reports), list(docx_reports)
        self.doc_reports, self.wps_reports = list(doc_reports), list(wps_reports)
        self.per_page, self.classid = per_page, classid

    def build(self) -> Built:
        site = self.site()
        gbk = "text/html"  # the charset is only in the page's <meta>
        nav = [("网站首页", "/"), ("政府信息公开", "/xxgk/"), ("新闻动态", "/news/"), ("招商引资", "/zsyz/")]
        chrome = self.chrome(nav=nav, icp="湘ICP备05005211号")
        all_reports = self.html_reports + self.pdf_reports + self.docx_reports + self.doc_reports + self.wps_reports
        fakes = self.fakes(self.name, all_reports, self.n_lookalikes)
        next_id = [3100 + self.rng.randrange(900)]

        def new_id() -> int:
            next_id[0] += self.rng.randrange(3, 40)
            return next_id[0]

        def file_path(r: Report, ext: str) -> str:
            d = r.published.replace("-", "")
            return f"/uploadfile/{d[:4]}/{d[4:8]}/{d}{self.rng.randrange(100000, 999999)}.{ext}"

        entries: list[ListItem] = []
        report_items: list[ListItem] = []
        pages_to_render: list[tuple[ListItem, Callable[[Chrome], bytes]]] = []
        for r in self.html_reports:
            item = ListItem(r.title, f"/xxgk/show.asp?id={new_id()}", r.published)
            entries.append(item)
            report_items.append(item)
            pages_to_render.append((item, lambda ch, r=r: render_report("legacy_gbk", r, ch)))
            self.add_truth(self.host, item.href, r)
        direct = [(r, "pdf", "application/pdf", lambda r: docs.report_pdf(r)) for r in self.pdf_reports]
        direct += [(r, "doc", "application/msword", lambda r: docs.report_doc(r)) for r in self.doc_reports]
        for r, ext, ctype, make in direct:
            href = file_path(r, ext)
            site.add(href, (lambda r=r, make=make: make(r)), ctype)
            item = ListItem(r.title, href, r.published)
            entries.append(item)
            report_items.append(item)
            # No page and no metadata: published is the list date, the publisher the body in
            # the title (issue 3's fallback order).
            body = re.match(r"^(.*?)(?:19|20)\d\d年", r.title)
            self.add_truth(self.host, href, r, content_type=ext,
                           publisher=(body.group(1) if body and body.group(1) else r.government), index_no="")
        attached = [(r, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     [], lambda r: docs.report_docx(r)) for r in self.docx_reports]
        # WPS: servers do not know the type; real ones send octet-stream with a file name
        attached += [(r, "wps", "application/octet-stream", [("Content-Disposition", "attachment; filename=nianbao.wps")],
                      lambda r: docs.report_doc(r)) for r in self.wps_reports]
        for r, ext, ctype, extra, make in attached:
            fhref = file_path(r, ext)
            site.add(fhref, (lambda r=r, make=make: make(r)), ctype, headers=list(extra))
            item = ListItem(r.title, f"/xxgk/show.asp?id={new_id()}", r.published)
            entries.append(item)
            report_items.append(item)
            meta = PageMeta.of(r)
            pages_to_render.append((item, lambda ch, meta=meta, fhref=fhref, r=r, ext=ext: render_attachment_page(
                "legacy_gbk", meta, [(fhref, f"{r.title}.{ext}")], ch)))
            self.add_truth(self.host, item.href, r, url_path=fhref, content_type=ext)
        for f in fakes:
            item = ListItem(f.title, f"/xxgk/show.asp?id={new_id()}", f.date)
            entries.append(item)
            meta = PageMeta(f.title, f.date, f"{self.name}人民政府办公室", "", f.date)
            pages_to_render.append((item, lambda ch, meta=meta, f=f: render_plain_article(
                "legacy_gbk", meta, f.paragraphs, ch)))
        for item, render in pages_to_render:
            ch = self.chrome(nav=nav, icp=chrome.icp, related=_related(item.title, _rng("rel", item.href), report_items))
            site.add(item.href, (lambda render=render, ch=ch: render(ch)), gbk)
        entries.sort(key=lambda i: (i.date, i.href), reverse=True)
        pages = [entries[i:i + self.per_page] for i in range(0, len(entries), self.per_page)] or [[]]

        def href(n: int) -> str:
            return f"/xxgk/list.asp?classid={self.classid}" + (f"&page={n}" if n > 1 else "")
        for n, chunk in enumerate(pages, 1):
            site.add(href(n), (lambda chunk=chunk, n=n: render_legacy_list(chrome, "政府信息公开年报", chunk, n,
                                                                          len(pages), href)), gbk)
        sections = [("政府信息公开", [("政府信息公开指南", "/xxgk/list.asp?classid=10"),
                                   ("政府信息公开目录", "/xxgk/list.asp?classid=11"),
                                   ("政府信息公开年报", href(1))])]
        site.add("/xxgk/", render_link_page("legacy_gbk", chrome, "政府信息公开", sections), gbk)
        home = render_link_page("legacy_gbk", chrome, self.name + "人民政府",
                                [("栏目导航", [("政府信息公开", "/xxgk/"), ("新闻动态", "/news/")])])
        site.add("/index.asp", home, gbk)
        site.add("/", home, gbk)
        return self.built()


# -- portals that cannot be crawled ---------------------------------------------------------------
class _BlockedSite(Site):
    """A host behind a WAF (or refusing us): every request, robots.txt included, is challenged."""

    def __init__(self, host: str, mode: str):
        super().__init__(host, server={"412": "nginx", "521": "jiasule", "wzws": "wzws", "403": "nginx"}[mode])
        self.mode = mode

    def handle(self, method: str, path_with_query: str, headers: Headers, body: bytes = b""):
        html = [("Content-Type", "text/html; charset=utf-8")]
        if self.mode == "403":
            return 403, [("Server", self.server), *html], (
                b"<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center>"
                b"<hr><center>nginx</center></body></html>")
        if self.mode == "412":
            return 412, [("Server", self.server), *html, ("Set-Cookie",
                         "FSSBBIl1UgzbN7N80S=" + hashlib.md5(path_with_query.encode()).hexdigest() + "; Path=/; HttpOnly")], \
                render_waf("412", self.host, path_with_query)
        if self.mode == "521":
            return 521, [("Server", self.server), *html, ("Set-Cookie",
                         "__jsluid_h=" + hashlib.md5(path_with_query.encode()).hexdigest() + "; max-age=31536000; path=/; HttpOnly")], \
                render_waf("521", self.host, path_with_query)
        # wzws: first a redirect to the challenge URL, which answers 200 with a script only
        if "wzwschallenge=" in path_with_query:
            return 200, [("Server", self.server), *html], render_waf("wzws", self.host, path_with_query)
        token = hashlib.sha1(path_with_query.encode()).hexdigest()[:24]
        sep = "&" if "?" in path_with_query else "?"
        return 302, [("Server", self.server), ("Location", f"{path_with_query}{sep}wzwschallenge=V1pXU19DT05GSVJN{token}"),
                     ("Content-Type", "text/html")], b""


class BlockedPortal(_Builder):
    """A portal whose every answer is a WAF challenge (``mode`` "412", "521", "wzws") or 403.
    Expected crawl outcome: ``blocked`` (never "0 reports")."""

    def __init__(self, name: str, host: str, province: str, level: str, mode: str = "412"):
        super().__init__(name, host, province, level)
        self.mode = mode

    def build(self) -> Built:
        reason = {"412": "waf 412 cookie challenge", "521": "waf 521 cookie challenge",
                  "wzws": "waf wzwschallenge redirect", "403": "403 forbidden"}[self.mode]
        return Built([_BlockedSite(self.host, self.mode)], self.portal(), [], "blocked", reason)


class DeadPortal(_Builder):
    """A portal whose host does not resolve (not served: the proxy answers 502)."""

    def build(self) -> Built:
        return Built([], self.portal(), [], "dead", "host does not resolve")
