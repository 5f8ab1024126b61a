"""Imitation portals: one builder class per platform (not per site).

A :class:`Site` answers ``handle(method, path_with_query, headers, body) -> (status, headers,
body)``. ``headers`` is the list actually sent; ``body`` the entity body as sent (gzip-encoded
when a ``Content-Encoding: gzip`` header is in the list). A ``Transfer-Encoding: chunked``
header tells the server to frame the body in chunks instead of sending Content-Length.

Builders (each returns a :class:`Built`: the Site, the portal row and its truth rows):

- :class:`TrsPortal`      TRS WCM: home → 政府信息公开 → 政府信息公开年报, lists ``index.html``,
  ``index_1.html`` … paged only by JavaScript (``createPageHTML`` or ``var countPage``),
  articles ``./YYYYMM/tYYYYMMDD_NNNNNN.html``; gzip on article pages.
- :class:`HanwebPortal`   Hanweb JCMS: ``/col/colNNN/index.html`` with the first page embedded
  as ``<script type="text/xml"><datastore>``; later pages only from ``POST
  /module/web/jpage/dataproxy.jsp`` with the page's form fields; column pages chunked.
- :class:`LegacyPortal`   old county site: GBK table layout, plain pager links, reports as HTML,
  as a PDF linked straight from the list, and as a DOCX attachment of an article page.

Every list mixes reports with look-alikes (指南, 工作要点, 法治政府建设年度报告, 统计公报, 部门预算,
news mentioning 年度报告, a correction notice about a report).
"""
from __future__ import annotations

import gzip as _gzip
import hashlib
import random
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable, Sequence

from . import docs
from .corpus import Report
from .pages import (Chrome, HanwebParams, ListItem, PageMeta, render_attachment_page,
                    render_hanweb_column, render_hanweb_dataproxy, render_legacy_list,
                    render_link_page, render_plain_article, render_report, render_trs_list)

HTML = "text/html; charset=utf-8"
Headers = list[tuple[str, str]]
Handler = Callable[[str, str, Headers, bytes], "tuple[int, Headers, bytes] | None"]


@dataclass
class Resource:
    """A static response of a site."""

    body: bytes
    content_type: str = HTML
    status: int = 200
    headers: Headers = field(default_factory=list)
    gzip: bool = False      # gzip it when the request accepts gzip
    chunked: bool = False   # send with Transfer-Encoding: chunked


def _header(headers: Headers, name: str) -> str:
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return ""


NOT_FOUND = ("<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1>"
             "</center><hr><center>nginx</center></body></html>").encode()


class Site:
    """One host of the farm: static resources by path plus dynamic handlers."""

    def __init__(self, host: str, *, server: str = "nginx",
                 robots: str = "User-agent: *\nDisallow: /search/\nDisallow: /admin/\n"):
        self.host = host
        self.server = server
        self.resources: dict[str, Resource] = {}
        self.handlers: list[tuple[str, Handler]] = []
        self.add("/robots.txt", robots.encode(), "text/plain")

    def add(self, path: str, body: bytes, content_type: str = HTML, **kw) -> Resource:
        """Serve ``body`` at ``path`` (a path, optionally with a query string)."""
        res = Resource(body, content_type, **kw)
        self.resources[path] = res
        return res

    def route(self, path_prefix: str, handler: Handler) -> None:
        """Answer requests whose path starts with ``path_prefix`` with
        ``handler(method, path_with_query, headers, body)`` (None: fall through to 404)."""
        self.handlers.append((path_prefix, handler))

    def lookup(self, path_with_query: str) -> Resource | None:
        """The static resource for a request target: exact match, then without the query
        string (static servers ignore it), then ``index.html`` for a directory."""
        if path_with_query in self.resources:
            return self.resources[path_with_query]
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
        hdrs: Headers = [("Server", self.server), ("Content-Type", res.content_type), *res.headers]
        data = res.body
        if res.gzip and "gzip" in _header(headers, "Accept-Encoding").lower():
            # mtime=0: the same page gives the same bytes, so tests can compare archives
            data = _gzip.compress(data, compresslevel=6, mtime=0)
            hdrs += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        if res.chunked:
            hdrs.append(("Transfer-Encoding", "chunked"))
        return res.status, hdrs, data


@dataclass(frozen=True)
class Portal:
    """A row of portals.csv."""

    name: str
    url: str
    province: str = ""
    level: str = ""


@dataclass(frozen=True)
class TruthReport:
    """A report a perfect crawl finds.

    ``page_url`` is the report's page (the file's URL when a list links the file directly),
    ``url`` the document the text comes from (the page, or the attachment), ``text`` the gold
    text, ``content_type`` html|pdf|docx|doc|wps.
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


@dataclass
class Built:
    """What a builder produces."""

    sites: list[Site]
    portal: Portal
    truth: list[TruthReport]


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
    ]
    out, seen = [], set()
    i = 0
    while len(out) < n:
        y = years[i % len(years)]
        title = makers[(i + rng.randrange(len(makers))) % len(makers)](y)
        i += 1
        if title in seen:
            if i > 10 * n:
                break
            continue
        seen.add(title)
        date = f"{y + 1}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        paras = (f"为深入贯彻落实《中华人民共和国政府信息公开条例》，进一步做好{gov}政务公开工作，现将有关事项通知如下。",
                 f"各地各部门要高度重视，认真组织实施，确保{y}年各项工作任务落到实处。",
                 f"{gov}人民政府办公室")
        out.append(LookAlike(title, date, paras))
    return out


def _related_for(items: Sequence[ListItem], own_title: str, rng: random.Random,
                 report_items: Sequence[ListItem]) -> list[tuple[str, str, str]]:
    """A 相关新闻 list: a few unrelated headlines plus one report title (never the page's own)."""
    news = ["我市召开全市经济工作会议", "市政府常务会议研究部署安全生产工作",
            "全市优化营商环境工作推进会召开", "春节前夕市领导走访慰问困难群众",
            "市政务服务中心推出“一次办好”新举措", "全市防汛抗旱工作会议召开"]
    rng.shuffle(news)
    out = [(t, "/xwzx/", "2020-01-0%d" % (i + 1)) for i, t in enumerate(news[:4])]
    others = [i for i in report_items if i.title != own_title]
    if others:
        o = others[rng.randrange(len(others))]
        out.insert(rng.randrange(len(out) + 1), (o.title, o.href, o.date))
    return out


# -- TRS ----------------------------------------------------------------------------------------
class TrsPortal:
    """TRS WCM portal builder.

    ``pager`` is "createPageHTML" or "countPage"; ``ext`` "html" or "shtml"; ``per_page`` list
    entries per page; ``column`` the 年报 column's directory.
    """

    skin = "trs"

    def __init__(self, name: str, host: str, province: str, level: str, reports: Sequence[Report],
                 *, n_lookalikes: int = 10, per_page: int = 6, pager: str = "createPageHTML",
                 ext: str = "html", column: str = "/zwgk/xxgknb/", seed: int = 0):
        self.name, self.host, self.province, self.level = name, host, province, level
        self.reports = list(reports)
        self.n_lookalikes, self.per_page, self.pager, self.ext = n_lookalikes, per_page, pager, ext
        self.column = column
        self.rng = _rng("trs", host, seed)

    def base(self) -> str:
        return f"http://{self.host}"

    def article_path(self, date: str) -> str:
        d = date.replace("-", "")
        return f"{self.column}{d[:6]}/t{d}_{self.rng.randrange(100000, 9999999)}.{self.ext}"

    def build(self) -> Built:
        site = Site(self.host, server="nginx")
        chrome = Chrome.for_government(self.name, self.host)
        years = sorted({r.year for r in self.reports}) or [2018]
        fakes = lookalikes(self.name, years, self.rng, self.n_lookalikes)
        entries: list[tuple[ListItem, object]] = []
        for r in self.reports:
            entries.append((ListItem(r.title, self.article_path(r.published), r.published), r))
        for f in fakes:
            entries.append((ListItem(f.title, self.article_path(f.date), f.date), f))
        entries.sort(key=lambda e: (e[0].date, e[0].href), reverse=True)
        report_items = [i for i, o in entries if isinstance(o, Report)]
        truth = []
        for item, obj in entries:
            rel = _related_for([], item.title, self.rng, report_items)
            ch = Chrome.for_government(self.name, self.host, related=rel)
            if isinstance(obj, Report):
                site.add(item.href, render_report("trs", obj, ch), gzip=True)
                truth.append(TruthReport(self.name, self.base() + item.href, self.base() + item.href,
                                         obj.title, obj.year, obj.published, obj.publisher,
                                         obj.index_no, obj.gold_text(), "html", obj.slug))
            else:
                meta = PageMeta(obj.title, obj.date, f"{self.name}人民政府办公室", "", obj.date)
                site.add(item.href, render_plain_article("trs", meta, obj.paragraphs, ch), gzip=True)
        # list pages: index.html, index_1.html … with hrefs relative to the column (./YYYYMM/…)
        pages = [entries[i:i + self.per_page] for i in range(0, len(entries), self.per_page)] or [[]]
        for n, chunk in enumerate(pages):
            items = [ListItem(i.title, "." + i.href[len(self.column) - 1:], i.date) for i, _ in chunk]
            name = "index" if n == 0 else f"index_{n}"
            site.add(f"{self.column}{name}.{self.ext}",
                     render_trs_list(chrome, "政府信息公开年报", items, len(pages), n, self.pager, self.ext))
        # 信息公开 page and home page
        sections = [("政府信息公开", [("政府信息公开指南", "/zwgk/xxgkzn/"), ("政府信息公开制度", "/zwgk/xxgkzd/"),
                                   ("法定主动公开内容", "/zwgk/fdzdgknr/"), ("政府信息公开年报", self.column),
                                   ("政务公开工作要点", "/zwgk/zwgkgzyd/")])]
        site.add(f"/zwgk/index.{self.ext}", render_link_page("trs", chrome, "政府信息公开", sections))
        home_sections = [("政务公开", [("政府信息公开", "/zwgk/"), ("政策文件", "/zwgk/zcwj/"),
                                    ("政策解读", "/zwgk/zcjd/")]),
                         ("政务服务", [("办事指南", "/zwfw/"), ("便民服务", "/bmfw/")])]
        headlines = [ListItem(f.title, f"{item.href}", item.date)
                     for item, f in entries if not isinstance(f, Report)][:3]
        home = render_link_page("trs", chrome, self.name + "人民政府", home_sections, headlines)
        site.add(f"/index.{self.ext}", home)
        site.add("/", home)
        return Built([site], Portal(self.name, self.base() + "/", self.province, self.level), truth)


# -- Hanweb -------------------------------------------------------------------------------------
class HanwebPortal:
    """Hanweb JCMS portal builder: columns ``/col/col<ID>/index.html``, articles
    ``/art/YYYY/M/D/art_<colID>_<ID>.html``, later list pages only via POST dataproxy.jsp."""

    skin = "hanweb"

    def __init__(self, name: str, host: str, province: str, level: str, reports: Sequence[Report],
                 *, n_lookalikes: int = 18, perpage: int = 15, columnid: int = 1525487,
                 unitid: int = 4519, webid: int = 2, xxgk_col: int = 1525000, seed: int = 0):
        self.name, self.host, self.province, self.level = name, host, province, level
        self.reports = list(reports)
        self.n_lookalikes = n_lookalikes
        self.params = HanwebParams(columnid=columnid, unitid=unitid, webid=webid,
                                   webname=f"{name}人民政府", perpage=perpage)
        self.xxgk_col = xxgk_col
        self.rng = _rng("hanweb", host, seed)

    def base(self) -> str:
        return f"http://{self.host}"

    def article_path(self, date: str) -> str:
        y, m, d = (int(x) for x in date.split("-"))
        return f"/art/{y}/{m}/{d}/art_{self.params.columnid}_{self.rng.randrange(10000, 999999)}.html"

    def build(self) -> Built:
        p = self.params
        site = Site(self.host, server="Apache-Coyote/1.1")
        chrome = Chrome.for_government(self.name, self.host, breadcrumb=[
            ("首页", "/"), ("政府信息公开", f"/col/col{self.xxgk_col}/index.html"),
            ("政府信息公开年报", f"/col/col{p.columnid}/index.html")])
        years = sorted({r.year for r in self.reports}) or [2018]
        fakes = lookalikes(self.name, years, self.rng, self.n_lookalikes)
        entries: list[tuple[ListItem, object]] = []
        for r in self.reports:
            entries.append((ListItem(r.title, self.article_path(r.published), r.published), r))
        for f in fakes:
            entries.append((ListItem(f.title, self.article_path(f.date), f.date), f))
        entries.sort(key=lambda e: (e[0].date, e[0].href), reverse=True)
        items = [i for i, _ in entries]
        report_items = [i for i, o in entries if isinstance(o, Report)]
        truth = []
        for item, obj in entries:
            ch = Chrome.for_government(self.name, self.host, breadcrumb=chrome.breadcrumb,
                                       related=_related_for([], item.title, self.rng, report_items))
            if isinstance(obj, Report):
                site.add(item.href, render_report("hanweb", obj, ch))
                truth.append(TruthReport(self.name, self.base() + item.href, self.base() + item.href,
                                         obj.title, obj.year, obj.published, obj.publisher,
                                         obj.index_no, obj.gold_text(), "html", obj.slug))
            else:
                meta = PageMeta(obj.title, obj.date, f"{self.name}人民政府办公室", "", obj.date)
                site.add(item.href, render_plain_article("hanweb", meta, obj.paragraphs, ch))
        # column page: only the first page of records is in the HTML
        site.add(f"/col/col{p.columnid}/index.html",
                 render_hanweb_column(chrome, "政府信息公开年报", items[:p.perpage], len(items), p),
                 content_type="text/html;charset=UTF-8", chunked=True)

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
            ok = (one(form, "columnid") == str(p.columnid) and one(form, "unitid") == str(p.unitid)
                  and one(form, "webid") == str(p.webid) and one(form, "appid") == str(p.appid)
                  and "path" in form and "webname" in form)
            try:
                start = int(one(q, "startrecord"))
                end = int(one(q, "endrecord"))
                per = int(one(q, "perpage") or p.perpage)
            except ValueError:
                ok = False
            ctype = [("Content-Type", "text/xml;charset=UTF-8")]
            if not ok:
                # JCMS answers a wrong or missing form with an empty datastore, not an error
                return 200, ctype, render_hanweb_dataproxy([], 0, p.perpage)
            recs = items[max(0, start - 1):max(0, end)]
            return 200, ctype, render_hanweb_dataproxy(recs, len(items), per)

        site.route("/module/web/jpage/dataproxy.jsp", dataproxy)
        # 信息公开 page and home
        sections = [("政府信息公开", [("政府信息公开指南", f"/col/col{self.xxgk_col + 1}/index.html"),
                                   ("政府信息公开制度", f"/col/col{self.xxgk_col + 2}/index.html"),
                                   ("法定主动公开内容", f"/col/col{self.xxgk_col + 3}/index.html"),
                                   ("政府信息公开年报", f"/col/col{p.columnid}/index.html")])]
        site.add(f"/col/col{self.xxgk_col}/index.html", render_link_page("hanweb", chrome, "政府信息公开", sections))
        home = render_link_page("hanweb", chrome, self.name + "人民政府",
                                [("政务公开", [("政府信息公开", f"/col/col{self.xxgk_col}/index.html"),
                                              ("政策文件", "/col/col1229000/index.html")])],
                                [i for i, o in entries if not isinstance(o, Report)][:3])
        site.add("/index.html", home)
        site.add("/", home)
        return Built([site], Portal(self.name, self.base() + "/", self.province, self.level), truth)


# -- legacy county site -------------------------------------------------------------------------
class LegacyPortal:
    """Old county site builder: GBK table layout, ASP-style URLs, plain pager links.

    ``html_reports`` are article pages; ``pdf_reports`` are PDFs linked straight from the list
    (no page: page_url is the file); ``docx_reports`` are article pages whose body only links
    the DOCX (the text comes from the file).
    """

    skin = "legacy_gbk"

    def __init__(self, name: str, host: str, province: str, level: str, *,
                 html_reports: Sequence[Report] = (), pdf_reports: Sequence[Report] = (),
                 docx_reports: Sequence[Report] = (), n_lookalikes: int = 8, per_page: int = 8,
                 classid: int = 12, seed: int = 0):
        self.name, self.host, self.province, self.level = name, host, province, level
        self.html_reports, self.pdf_reports, self.docx_reports = list(html_reports), list(pdf_reports), list(docx_reports)
        self.n_lookalikes, self.per_page, self.classid = n_lookalikes, per_page, classid
        self.rng = _rng("legacy", host, seed)

    def base(self) -> str:
        return f"http://{self.host}"

    def build(self) -> Built:
        site = Site(self.host, server="Microsoft-IIS/6.0")
        gbk = "text/html"  # the charset is only in the page's <meta>
        nav = [("网站首页", "/"), ("政府信息公开", "/xxgk/"), ("新闻动态", "/news/"), ("招商引资", "/zsyz/")]
        chrome = Chrome.for_government(self.name, self.host, nav=nav, icp="湘ICP备05005211号")
        all_reports = self.html_reports + self.pdf_reports + self.docx_reports
        years = sorted({r.year for r in all_reports}) or [2018]
        fakes = lookalikes(self.name, years, self.rng, self.n_lookalikes)
        next_id = [3100 + self.rng.randrange(900)]

        def new_id() -> int:
            next_id[0] += self.rng.randrange(3, 40)
            return next_id[0]

        entries: list[ListItem] = []
        report_items: list[ListItem] = []
        truth: list[TruthReport] = []
        pages_to_render: list[tuple[ListItem, Callable[[Chrome], bytes]]] = []
        for r in self.html_reports:
            item = ListItem(r.title, f"/xxgk/show.asp?id={new_id()}", r.published)
            entries.append(item)
            report_items.append(item)
            pages_to_render.append((item, lambda ch, r=r: render_report("legacy_gbk", r, ch)))
            truth.append(TruthReport(self.name, self.base() + item.href, self.base() + item.href, r.title,
                                     r.year, r.published, r.publisher, r.index_no, r.gold_text(), "html", r.slug))
        for r in self.pdf_reports:
            d = r.published.replace("-", "")
            href = f"/uploadfile/{d[:4]}/{d[4:8]}/{d}{self.rng.randrange(100000, 999999)}.pdf"
            site.add(href, docs.report_pdf(r), "application/pdf")
            item = ListItem(r.title, href, r.published)
            entries.append(item)
            report_items.append(item)
            # No page and no metadata: published is the list date, the publisher the body in
            # the title (issue 3's fallback order).
            truth.append(TruthReport(self.name, self.base() + href, self.base() + href, r.title,
                                     r.year, r.published, r.government, "", r.gold_text(), "pdf", r.slug))
        for r in self.docx_reports:
            d = r.published.replace("-", "")
            fhref = f"/uploadfile/{d[:4]}/{d[4:8]}/{d}{self.rng.randrange(100000, 999999)}.docx"
            site.add(fhref, docs.report_docx(r),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            item = ListItem(r.title, f"/xxgk/show.asp?id={new_id()}", r.published)
            entries.append(item)
            report_items.append(item)
            meta = PageMeta.of(r)
            pages_to_render.append((item, lambda ch, meta=meta, fhref=fhref, r=r: render_attachment_page(
                "legacy_gbk", meta, [(fhref, r.title + ".docx")], ch)))
            truth.append(TruthReport(self.name, self.base() + item.href, self.base() + fhref, r.title,
                                     r.year, r.published, r.publisher, r.index_no, r.gold_text(), "docx", r.slug))
        for f in fakes:
            item = ListItem(f.title, f"/xxgk/show.asp?id={new_id()}", f.date)
            entries.append(item)
            meta = PageMeta(f.title, f.date, f"{self.name}人民政府办公室", "", f.date)
            pages_to_render.append((item, lambda ch, meta=meta, f=f: render_plain_article(
                "legacy_gbk", meta, f.paragraphs, ch)))
        for item, render in pages_to_render:
            ch = Chrome.for_government(self.name, self.host, nav=nav, icp=chrome.icp,
                                       related=_related_for([], item.title, self.rng, report_items))
            site.add(item.href, render(ch), gbk)
        entries.sort(key=lambda i: (i.date, i.href), reverse=True)
        pages = [entries[i:i + self.per_page] for i in range(0, len(entries), self.per_page)] or [[]]

        def href(n: int) -> str:
            return f"/xxgk/list.asp?classid={self.classid}" + (f"&page={n}" if n > 1 else "")
        for n, chunk in enumerate(pages, 1):
            body = render_legacy_list(chrome, "政府信息公开年报", chunk, n, len(pages), href)
            site.add(href(n), body, gbk)
        # list.asp without the page parameter must not fall back to another page's query
        sections = [("政府信息公开", [("政府信息公开指南", "/xxgk/list.asp?classid=10"),
                                   ("政府信息公开目录", "/xxgk/list.asp?classid=11"),
                                   ("政府信息公开年报", href(1))])]
        site.add("/xxgk/", render_link_page("legacy_gbk", chrome, "政府信息公开", sections), gbk)
        home = render_link_page("legacy_gbk", chrome, self.name + "人民政府",
                                [("栏目导航", [("政府信息公开", "/xxgk/"), ("新闻动态", "/news/")])])
        site.add("/index.asp", home, gbk)
        site.add("/", home, gbk)
        return Built([site], Portal(self.name, self.base() + "/", self.province, self.level), truth)
