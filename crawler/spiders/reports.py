"""`scrapy crawl reports`: from each portal's home page to every 年报 and its attachments.

The spider is thin: link decisions come from crawler.discovery and crawler.platforms, report
decisions from archive.reports.classify; archiving and indexing happen in the middleware and pipeline.

    scrapy crawl reports                               # the bundled crawler/portals.csv
    scrapy crawl reports -a portals=my.csv -s ARCHIVE_DIR=/srv/nianbao

Length: the spider's callbacks (home, column, list, API list, report, attachment, errback)
and the per-portal walk state they share (budget, waves, status) are one state machine.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from archive.index import last_checked, live_reports
from archive.reports.classify import classify_title
from archive.reports.responses import ItemStart, pipeline_item
from archive.reports.rows import late_published
from archive.reports.urls import identity_url
from crawler.discovery import (
    CONTENT_PRIORITY,
    WRAPPER_STYLES,
    Candidate,
    Scope,
    admits_platform,
    attachment_links,
    classify_links,
    extract_links,
    is_document_url,
    is_government_host,
    is_strong,
    is_trap,
    link_priority,
    may_link_documents,
    names_report_column,
    next_wave,
    response_root,
    walk_status,
    worth_keeping,
)
from crawler.platforms import ListRequest, Page, embedded_links, list_requests, parse_api
from crawler.portals import ANY_NETWORK, DEFAULT_PORTALS, Portal, load_portals
from crawler.refresh import RecheckPlan
from crawler.signals import capture_stored, list_dated

# Scrapy's RobotsTxtMiddleware's reason for a request it drops
ROBOTS_REFUSAL = "Forbidden by robots.txt"
# Statuses Scrapy's RedirectMiddleware follows: the capture is not yet the report's.
_REDIRECTS = {301, 302, 303, 307, 308}
# Answers by which web application firewalls refuse crawlers (DOMAIN.md "Access problems").
BLOCK_STATUSES = {401: "401 unauthorized", 403: "403 forbidden", 412: "412 WAF challenge",
                  429: "429 rate limited", 521: "521 WAF challenge"}
_CHALLENGE = re.compile(rb"wzwschallenge|__jsl_clearance|_waf_|document\.cookie\s*=.{0,200}location", re.S)


# Twisted's and Scrapy's (2.13+) exception names, by what they mean for a portal.
_FAILURE_NAMES = [
    (("DNSLookup", "CannotResolveHost"), "DNS lookup failed"),
    (("Timeout", "TimedOut"), "timeout"),
    (("ConnectionRefused",), "connection refused"),
    (("DataLoss", "ConnectionLost", "ConnectionDone", "ResponseFailed"), "connection lost or truncated body"),
]


def _code(portal: Portal) -> dict:
    """The portal's division code for the crawl context (so reindex knows it too), if given."""
    code = portal.extra.get("code")
    return {"code": code} if code else {}


@dataclass
class PortalState:
    """What the crawl has learnt about one portal so far (written to the `portals` table)."""

    portal: Portal
    scope: Scope
    pages: int = 0
    reports: set = field(default_factory=set)
    textless: set = field(default_factory=set)   # reports whose row holds no text (cover only, scan)
    unfetched: dict = field(default_factory=dict)  # report page/file URL -> why its fetch failed
    errors: int = 0
    status: str = "pending"      # blocked | dead | pending (then decided by walk_status)
    reason: str | None = None
    stop_reason: str | None = None
    home_ok: bool = False
    # the best-first walk (crawler.discovery): navigation pages asked for, candidates kept for
    # later, pages on the path to a list that linked reports, whether the budget ran out
    nav: int = 0
    kept: list = field(default_factory=list)
    fruitful: set = field(default_factory=set)
    found: bool = False
    budget_spent: bool = False
    turned_away: int = 0   # strong navigation links refused because the budget was spent
    asked: set = field(default_factory=set)      # navigation URLs asked for or kept

    def row(self) -> dict:
        """The portal's row for the index: `ok` only with reports found."""
        status, reason = self.status, self.reason
        if status == "pending":
            if not self.home_ok:
                status = "dead"
            else:
                status, walked = walk_status(self.found or bool(self.reports), self.budget_spent, self.pages, self.kept)
                reason = reason or walked
        # what the run could not do, said where users look, whatever the status
        notes = [reason or self.stop_reason]
        # a report the walk found but could not archive is a lost report (apart from the files
        # robots.txt keeps us from, whose pages are indexed as cover pages)
        robots = sum(1 for why in self.unfetched.values() if why.startswith(ROBOTS_REFUSAL))
        if len(self.unfetched) > robots:
            notes.append(f"{len(self.unfetched) - robots} report pages or files could not be fetched "
                         "(see captures.error)")
        if robots:
            notes.append(f"{robots} report files not fetched: robots.txt disallows them")
        if status == "ok" and self.turned_away:  # reports found, but the walk did not see everything
            notes.append(f"navigation budget spent (NIANBAO_NAV_BUDGET): {self.turned_away} more "
                         "column links not followed")
        if status == "ok" and self.textless:  # found is not archived
            notes.append(f"{len(self.textless)} of {len(self.reports)} reports hold no report text "
                         "(see reports.extract_error)")
        reason = "; ".join(n for n in notes if n) or None
        return {
            "name": self.portal.name, "url": self.portal.url, "province": self.portal.province,
            "level": self.portal.level, "code": self.portal.extra.get("code") or None,
            "parent_code": self.portal.extra.get("parent_code") or None, "status": status, "reason": reason,
            "pages": self.pages, "reports": len(self.reports), "errors": self.errors,
        }


class ReportsSpider(scrapy.Spider):
    """Walk government portals to their 政府信息公开年报 columns and fetch every report."""

    name = "reports"

    def __init__(self, portals: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.portals_path = portals or str(DEFAULT_PORTALS)
        # PortalsError: the crawl command reports it. Internal addresses are checked there, with
        # the settings' allowed networks, and at fetch time by crawler.netguard.
        self.portal_list = load_portals(self.portals_path, allowed=ANY_NETWORK)
        self.states: dict[str, PortalState] = {
            p.name: PortalState(p, Scope.for_home(p.url)) for p in self.portal_list
        }
        self._seen_reports: dict[str, set[str]] = {p.name: set() for p in self.portal_list}
        # Report links met on this run's lists (an API answering only these is at its end).
        self._listed: dict[str, set[str]] = {p.name: set() for p in self.portal_list}
        # report/document requests sent without a list date, by identity URL: a list that
        # dates the same link later gives its date to the pending request (its context is
        # archived with the capture, so reindex reads the same date)
        self._undated: dict[str, dict] = {}
        # ...and once captured (its context archived without a date): identity URL -> (the
        # report's page URL, portal); a list that dates it then sends `list_dated`
        self._captured_undated: dict[str, tuple[str, str]] = {}
        # Refresh runs: identity URL -> the row of a report an earlier run indexed, until a
        # list of this run dates it (`_date_known`)
        self._known_dates: dict[str, dict] = {}
        # Refresh runs (crawler.refresh.RecheckPlan): known reports not due, until a list
        # shows them; navigation requests left alone, kept in case a list page has gone.
        self.plan: RecheckPlan | None = None
        self._pending: dict[str, dict[str, dict]] = {p.name: {} for p in self.portal_list}
        self._deferred: dict[str, list[scrapy.Request]] = {p.name: [] for p in self.portal_list}
        self._walk_all: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_capture, signal=capture_stored)
        crawler.signals.connect(spider.on_dropped, signal=signals.request_dropped)
        return spider

    # -- settings read once -------------------------------------------------------------
    @property
    def max_pages(self) -> int:
        return self.settings.getint("NIANBAO_MAX_PAGES_PER_PORTAL", 3000)

    @property
    def max_column_depth(self) -> int:
        return self.settings.getint("NIANBAO_MAX_COLUMN_DEPTH", 6)

    @property
    def nav_budget(self) -> int:
        return self.settings.getint("NIANBAO_NAV_BUDGET", 60)

    @property
    def nav_wave(self) -> int:
        return self.settings.getint("NIANBAO_NAV_WAVE", 4)

    @property
    def queues_copies(self) -> bool:
        """Whether the frontier keeps serialised copies of the requests queued (scrapy-redis's
        shared frontier, Scrapy's JOBDIR disk queues): then a date found for a request already
        queued cannot reach the context it is archived with, and another worker may fetch it."""
        return "scrapy_redis" in str(self.settings.get("SCHEDULER")) or bool(self.settings.get("JOBDIR"))

    # -- requests -----------------------------------------------------------------------
    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        # Planned before the first request: Scrapy pulls start requests lazily, and lists
        # parsed meanwhile must already know which reports are not due.
        known = list(self.known_report_requests())
        for portal in self.portal_list:
            ctx = {"portal": portal.name, "province": portal.province, "level": portal.level,
                   "kind": "home", "depth": 0, "path": [], **_code(portal)}
            yield scrapy.Request(portal.url, callback=self.parse_page, errback=self.on_error,
                                 meta={"nianbao": ctx})
        yield from known

    def known_report_requests(self):
        """On a refresh, the lists that linked known reports are walked again, and every report
        already indexed is asked for again once due (NIANBAO_RECHECK_DAYS), listed or not; one
        not due waits until a list shows it, and is asked at the end of the run if none does:
        that is how one that disappeared (404/410) gets marked removed instead of forgotten."""
        if not self.settings.getbool("NIANBAO_REFRESH", True):
            return
        db = Path(self.settings.get("ARCHIVE_DIR", "data")) / "reports.db"
        known = live_reports(db)
        days = self.settings.getfloat("NIANBAO_RECHECK_DAYS", 7.0)
        self.plan = RecheckPlan.build(days, last_checked(db) if days > 0 and known else {}, known)
        for name, urls in sorted(self.plan.hubs.items()):
            state = self.states.get(name)
            if state is None:
                continue
            for url in sorted(urls):
                state.scope.add(url)  # it was in scope when it listed the reports
                req = self._request(url, self._portal_parent(state.portal), "column", depth=1)
                if req is not None:
                    yield req
        for row in known:
            state = self.states.get(row["portal"])
            if state is None:
                continue
            key = identity_url(row["page_url"])
            self._seen_reports[state.portal.name].add(key)
            self._known_dates[key] = row
            if self.plan.due(row["page_url"]):
                req = self._known_request(state.portal, row)
                if req is not None:
                    yield req
            else:
                self._pending[state.portal.name][key] = row

    @staticmethod
    def _portal_parent(portal: Portal) -> dict:
        return {"portal": portal.name, "province": portal.province, "level": portal.level,
                "depth": 0, "url": None, **_code(portal)}

    def _known_request(self, portal: Portal, row: dict) -> scrapy.Request | None:
        direct = row["page_url"] == row["url"] and is_document_url(row["url"])
        kind = "attachment" if direct else "report"
        extra = {"page_url": row["page_url"], "page_title": row["title"]} if direct else {}
        # the row's date stands for a list's, unless it is only its URL's (which the row takes
        # again anyway, and which would keep a list's date learnt later from the row)
        listed = row["published"] if row.get("published_source") != "url" else None
        req = self._request(row["page_url"], self._portal_parent(portal), kind, row["title"],
                            list_date=listed, known=True, list_root=row.get("listed_on"), **extra)
        return None if req is None else req.replace(priority=-10)

    def unfetched_documents(self) -> list[dict]:
        """Report pages and files that a list linked but whose fetch failed this run (timeout,
        HTTP error, refused): the run summary lists them."""
        return [{"portal": name, "url": url, "error": why}
                for name, state in self.states.items() for url, why in state.unfetched.items()]

    def portal_rows(self) -> list[dict]:
        """Every portal's row for the index (status, reason, pages, reports): what the archiving
        middleware keeps in the run's closing WARC record."""
        return [state.row() for state in self.states.values()]

    def spider_idle(self, spider=None):
        """The queue ran dry: portals still without reports ask for their best kept candidates
        (crawler.discovery.next_wave); at the very end, ask for the known reports no list
        showed this run (gone, or moved)."""
        released = []
        for state in self.states.values():
            if not state.kept or not state.home_ok:
                continue
            wave, state.kept = next_wave(state.kept, state.fruitful, state.portal.url, found=state.found,
                                         budget_left=self.nav_budget - state.nav, wave=self.nav_wave)
            for c in wave:
                parent, label = c.payload
                req = self._column_request(parent, c.url, c.text, label, c.depth, c.priority)
                if req is not None:
                    state.nav += 1
                    released.append(req)
            if wave:
                self.logger.info("walk %s: %d kept candidates asked (%s)", state.portal.name, len(wave),
                                 ", ".join(f"{c.text or '-'} {c.priority}" for c in wave[:5]))
            if not state.found and state.kept and state.nav >= self.nav_budget:
                state.budget_spent = True
        if released:
            self.crawler.stats.inc_value("nianbao/discovery/released", len(released))
            for req in released:
                self.crawler.engine.crawl(req)
            raise DontCloseSpider
        requests = []
        for name, pending in self._pending.items():
            state = self.states[name]
            if pending and state.home_ok:  # a portal that did not answer cannot tell us anything
                requests += [self._known_request(state.portal, row) for row in pending.values()]
            pending.clear()
        requests = [r for r in requests if r is not None]
        if not requests:
            return
        self.crawler.stats.inc_value("nianbao/refresh/unlisted_rechecked", len(requests))
        self.logger.info("refresh: asking again for %d known reports no list showed", len(requests))
        for req in requests:
            self.crawler.engine.crawl(req)
        raise DontCloseSpider

    def _request(self, url: str, parent: dict, kind: str, anchor: str = "", depth: int | None = None,
                 priority: int = 0, **extra) -> scrapy.Request | None:
        if self._capped(self.states[parent["portal"]]):
            return None
        ctx = {"portal": parent["portal"], "province": parent.get("province"), "level": parent.get("level"),
               "code": parent.get("code"), "kind": kind, "anchor": anchor or None, "referer": parent.get("url"),
               "depth": parent.get("depth", 0) if depth is None else depth}
        if "path" in parent:  # home -> anchor -> ... -> this page's list (archive walk)
            ctx["path"] = parent["path"]
        ctx.update({k: v for k, v in extra.items() if v is not None})
        callback = {"report": self.parse_report, "attachment": self.parse_attachment,
                    "continuation": self.parse_attachment}.get(kind, self.parse_page)
        if kind != "column":
            priority = max(priority, CONTENT_PRIORITY)
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta={"nianbao": ctx},
                              priority=priority,
                              headers={"Referer": parent["url"]} if parent.get("url") else None)

    def _capped(self, state: PortalState) -> bool:
        """The portal has had its NIANBAO_MAX_PAGES_PER_PORTAL pages: no more requests (said)."""
        if state.pages >= self.max_pages:
            state.stop_reason = f"page cap {self.max_pages} reached"
            return True
        return False

    def _list_request(self, lr: ListRequest, parent: dict) -> scrapy.Request | None:
        if lr.platform is None:
            return self._request(lr.url, parent, "list", list_root=parent.get("list_root") or parent.get("url"))
        ctx = {"portal": parent["portal"], "province": parent.get("province"), "level": parent.get("level"),
               "code": parent.get("code"), "kind": "list", "platform": lr.platform, "referer": parent.get("url"),
               "depth": parent.get("depth", 0), "list_root": parent.get("list_root") or parent.get("url")}
        if "path" in parent:
            ctx["path"] = parent["path"]
        meta = {"nianbao": ctx, "platform_state": lr.state}
        if lr.method == "POST":
            return scrapy.FormRequest(lr.url, formdata=dict(lr.form), callback=self.parse_api,
                                      errback=self.on_error, meta=meta, priority=CONTENT_PRIORITY)
        return scrapy.Request(lr.url, callback=self.parse_api, errback=self.on_error, meta=meta,
                              priority=CONTENT_PRIORITY)

    def _context(self, response) -> dict:
        if self._undated:  # fetched (no archiving middleware said so): a later date comes apart
            self._mark_captured(response.request, response.status, response.meta["nianbao"], response.url)
        ctx = dict(response.meta["nianbao"])
        ctx["url"] = response.url
        return ctx

    def on_capture(self, capture: dict, context: dict, request=None) -> None:
        """`capture_stored`: the response's context is archived as it is now, so a date a list
        gives its report from now on must come apart (`_date_pending`)."""
        if self._undated and request is not None and capture.get("status") not in _REDIRECTS:
            self._mark_captured(request, capture.get("status"), context, capture["url"])

    def _mark_captured(self, request, status, context: dict, url: str) -> None:
        for link in (request.url, *request.meta.get("redirect_urls", ())):
            key = identity_url(link)
            if self._undated.pop(key, None) is not None and status is not None and (status < 300 or status == 304):
                # the row names the report by its page URL: a list-linked file's link, else
                # the page as fetched (after redirects)
                self._captured_undated[key] = (context.get("page_url") or url, context.get("portal"))

    def _date_pending(self, key: str, date: str, list_url: str, url: str) -> bool:
        """A list dates a report link (`url`) that an undated link (a "latest" box, an undated
        list) already led to: while that request waits, it takes the date, so the report's
        ``published`` is not lost to the duplicate filter dropping the dated request. Once
        the report is captured, its archived context cannot change: the date is sent apart
        (`list_dated`: a WARC record of its own, and the index's row); so it is when the
        frontier holds a copy of the waiting request (`queues_copies`), and on a refresh for a
        report an earlier run indexed (`_date_known`). Returns whether the date was taken."""
        ctx = self._undated.pop(key, None)
        if ctx is not None and not ctx.get("list_date"):
            if not self.queues_copies:
                ctx["list_date"] = date
                self.crawler.stats.inc_value("nianbao/list_date_late")
            else:  # whichever worker fetches the copy, the record dates its row on the merge
                self._send_list_date(ctx.get("page_url") or url, date, list_url, ctx.get("portal"),
                                     "nianbao/list_date_queued_copy")
            return True
        captured = self._captured_undated.pop(key, None)
        if captured is not None:
            page_url, portal = captured
            self._send_list_date(page_url, date, list_url, portal, "nianbao/list_date_after_capture")
            return True
        return self._date_known(key, date, list_url)

    def _date_known(self, key: str, date: str, list_url: str) -> bool:
        """A refresh run's list dates a report an earlier run indexed (not due and left alone,
        or asked again, unchanged or not): the date is sent apart when it changes the row
        (`late_published`: not over the page's own date nor an earlier list's, so a re-run
        sends nothing again); the first list of the run decides, as for a waiting request."""
        row = self._known_dates.pop(key, None)
        if row is None:
            return False
        if late_published(row, date) == (row["published"], row.get("published_source")):
            return False
        self._send_list_date(row["page_url"], date, list_url, row["portal"], "nianbao/refresh/list_date_known")
        return True

    def _send_list_date(self, page_url: str, date: str, list_url: str | None, portal: str | None, stat: str) -> None:
        self.crawler.stats.inc_value(stat)
        self.crawler.signals.send_catch_log(list_dated, record={
            "url": page_url, "list_date": date, "list_url": list_url, "portal": portal})

    def on_dropped(self, request, spider=None) -> None:
        """`request_dropped`: the duplicate filter dropped a dated request for a report or a
        file a list links, which this portal's walk had not met (another portal's walk, or
        with a shared frontier another worker, asked for the URL first, maybe undated). The
        date goes where `_date_pending` puts it; with a shared frontier (`queues_copies`) only
        the worker that asked knows, so the date is sent apart anyway: a record in this
        worker's WARC, which the merged `archive reindex` applies to the row whichever worker
        captured it (`late_published` keeps a page's own date and a list's the capture had)."""
        ctx = request.meta.get("nianbao") or {}
        if not ctx.get("list_date") or ctx.get("known") or ctx.get("kind") not in ("report", "attachment") \
                or (ctx.get("page_url") or request.url) != request.url:  # a cover's attachment: not listed
            return
        if self._date_pending(identity_url(request.url), ctx["list_date"], ctx.get("referer"), request.url):
            return
        if self.queues_copies:
            self._send_list_date(request.url, ctx["list_date"], ctx.get("referer"), ctx.get("portal"),
                                 "nianbao/list_date_dropped_duplicate")

    # -- callbacks ----------------------------------------------------------------------
    def parse_page(self, response):
        """Home, column and list pages: follow columns, pagers and report links."""
        ctx = self._context(response)
        state = self.states[ctx["portal"]]
        state.pages += 1
        if ctx["kind"] == "home":
            if self._challenged(response):
                state.status, state.reason = "blocked", "WAF JavaScript challenge"
                return
            state.home_ok = True
            state.scope.add(response.url)  # the home page may redirect to another host
            state.asked.update((state.portal.url, response.url))
        if not isinstance(response, scrapy.http.TextResponse):
            return
        page = Page(response.url, response.text, response_root(response))
        links = extract_links(page.root, response.url) + embedded_links(page)
        yield from self._follow_links(links, ctx)
        for lr in list_requests(page):
            req = self._list_request(lr, ctx)
            if req is not None:
                yield req

    def parse_api(self, response):
        """Answers of list APIs (Hanweb dataproxy.jsp, jpaas JSON)."""
        ctx = self._context(response)
        state = self.states[ctx["portal"]]
        state.pages += 1
        api = parse_api(ctx["platform"], response.body, response.url, response.meta.get("platform_state") or {})
        listed = self._listed[ctx["portal"]]
        new = [l for l in api.links if identity_url(l.url) not in listed]
        yield from self._follow_links(api.links, ctx)
        if new:  # an API that keeps answering the same records is at its end
            for lr in api.more:
                req = self._list_request(lr, ctx)
                if req is not None:
                    yield req

    def _follow_links(self, links, ctx):
        state = self.states[ctx["portal"]]
        sorted_links = classify_links(links, ctx["url"])
        seen = self._seen_reports[ctx["portal"]]
        pending = self._pending[ctx["portal"]]
        list_root = ctx.get("list_root") or ctx["url"]
        for link in sorted_links.reports:
            if not (state.scope.allows(link.url) or is_government_host(link.url)):
                continue
            if not state.found or ctx.get("referer") not in state.fruitful:
                # learnt within the crawl: the pages on this list's path led to reports
                if not state.found:
                    state.kept = [c for c in state.kept if worth_keeping(c, True)]
                state.found = True
                state.fruitful.update(u for _, u in ctx.get("path") or [])
                if ctx.get("referer"):
                    state.fruitful.add(ctx["referer"])
            key = identity_url(link.url)
            self._listed[ctx["portal"]].add(key)
            known = pending.pop(key, None)
            if known is not None:
                # Still listed and checked recently: left alone until due, counted as found.
                state.reports.add(known["id"])
                self.crawler.stats.inc_value("nianbao/refresh/reports_not_due")
                if link.date:
                    self._date_known(key, link.date, ctx["url"])
                continue
            if key in seen:
                if link.date:
                    self._date_pending(key, link.date, ctx["url"], link.url)
                continue
            seen.add(key)
            seen.add(link.url)
            if is_document_url(link.url):  # the list links the file itself
                req = self._request(link.url, ctx, "attachment", link.text, list_date=link.date,
                                    page_url=link.url, page_title=link.text, list_root=list_root)
            else:
                req = self._request(link.url, ctx, "report", link.text, list_date=link.date,
                                    list_root=list_root)
            if req is not None:
                if not link.date:
                    self._undated[key] = req.meta["nianbao"]
                yield req
        hops = ctx.get("list_hops", 0) + 1
        if hops <= self.settings.getint("NIANBAO_MAX_LIST_PAGES", 500):  # an endless pager stops here
            for link in sorted_links.pagers:
                if state.scope.allows(link.url):
                    req = self._request(link.url, ctx, "list", link.text, list_hops=hops, list_root=list_root)
                    if req is not None:
                        yield req
        else:
            state.stop_reason = f"list longer than {hops - 1} pages cut at {ctx['url']}"
        depth = ctx.get("depth", 0)
        if depth >= self.max_column_depth:
            return
        parent_priority = ctx.get("priority", 0)
        ranked = []
        for link in sorted_links.columns + sorted_links.others:
            if link.url in state.asked or link.url == ctx["url"] or is_trap(link):
                continue
            wrapper = link.style in WRAPPER_STYLES
            step = depth if wrapper else depth + 1   # a frame/redirect is the same page, not a level
            ranked.append((link_priority(link, step, parent_priority), wrapper, step, link))
        # best first: the page's best links get what is left of the navigation budget, not the
        # first ones in document order (a department page's 信息公开指南 and 机构职能 came before
        # its 年报 column)
        ranked.sort(key=lambda t: -t[0])
        for priority, wrapper, step, link in ranked:
            if link.url in state.asked:
                continue  # the same URL twice on this page
            if not state.scope.allows(link.url):
                # The 信息公开 platform often sits on another government host.
                if not admits_platform(link):
                    continue
                state.scope.add_host(link.url)
            if self._capped(state):
                continue
            state.asked.add(link.url)
            # a frame or redirect is the content of the page that holds it (a home page's frames
            # are weather and video widgets more often than its 信息公开 platform)
            strong = is_strong(priority, step) if not wrapper else ctx["kind"] != "home" or link.style != "frame"
            label = link.text or f"({link.style})"
            # a link naming the 年报 column is the walk's goal, not navigation: never refused for
            # the budget (the page cap and the column depth still bound it)
            goal = strong and not wrapper and names_report_column(link)
            if goal or (strong and state.nav < self.nav_budget):
                req = self._column_request(ctx, link.url, link.text, label, step, priority)
                if req is not None and not self._defer(ctx["portal"], req):
                    if goal:
                        self.crawler.stats.inc_value("nianbao/discovery/goal_links")
                    else:
                        state.nav += 1
                    yield req
            else:
                if strong:
                    state.budget_spent = True
                    state.turned_away += 1
                c = Candidate((-priority, len(state.kept)), link.url, link.text, ctx["url"], priority,
                              (ctx, label), step, link.section)
                if worth_keeping(c, state.found):
                    state.kept.append(c)

    def _column_request(self, parent: dict, url: str, text: str, label: str, step: int,
                        priority: int) -> scrapy.Request | None:
        """The request for a navigation link; a kept candidate's only when it is released (a
        portal keeps thousands of them, and a Request with its headers and context costs ~1.5
        KB each: the crawl process grew 300 → 464 MB holding them)."""
        req = self._request(url, parent, "column", text, depth=step, priority=priority,
                            path=(parent.get("path") or []) + [[label, url]])
        if req is not None:
            req.meta["nianbao"]["priority"] = priority
        return req

    def _defer(self, portal: str, req: scrapy.Request) -> bool:
        """Leave a navigation page answered recently alone this run (kept in case a list fails)."""
        if self.plan is None or not self.plan.active or portal in self._walk_all:
            return False
        if not self.plan.skip_navigation(req.url):
            return False
        self._deferred[portal].append(req)
        self.crawler.stats.inc_value("nianbao/refresh/navigation_not_due")
        return True

    def parse_report(self, response):
        """A report page: hand it to the pipeline, fetch its continuation pages and attachments."""
        ctx = self._context(response)
        state = self.states[ctx["portal"]]
        state.pages += 1
        if not isinstance(response, scrapy.http.TextResponse):
            yield self._item(response, ctx)
            return
        start = self._start(response, ctx, response.text)
        parts = start.continuations
        if parts:
            ctx["parts"] = len(parts) + 1
        yield self._item(response, ctx, start)
        for i, url in enumerate(parts, start=1):
            req = self._request(url, ctx, "continuation", ctx.get("anchor"), page_url=response.url,
                                part=i, parts=len(parts) + 1, list_root=ctx.get("list_root"))
            if req is not None:
                yield req
        if not may_link_documents(response.body):
            return  # no attachment possible: spare the page a parse (~0.5 ms for 100 KB)
        title = ctx.get("anchor")
        own = classify_title(title)
        for link in attachment_links(response_root(response), response.url):
            named = classify_title(link.text)
            if named is not None and own is not None and named != own:
                # A file named as another report (a related-reports box) is not this report's
                # attachment; the list that publishes it (with its date) leads to it.
                continue
            req = self._request(link.url, ctx, "attachment", link.text, page_url=response.url,
                                page_title=title, list_date=ctx.get("list_date"), list_root=ctx.get("list_root"))
            if req is not None:
                yield req

    def parse_attachment(self, response):
        """An attachment or a continuation page of a report: to the pipeline."""
        ctx = self._context(response)
        self.states[ctx["portal"]].pages += 1
        yield self._item(response, ctx)

    @staticmethod
    def _start(response, ctx: dict, text: str | None = None) -> ItemStart:
        """The item's context and capture, and a split report's continuation pages: the
        decision `archive reindex` makes again from the WARCs (archive.reports.responses)."""
        return pipeline_item(ctx, response.meta.get("nianbao_capture") or {}, response.url, response.status, text)

    def _item(self, response, ctx: dict, start: ItemStart | None = None) -> dict:
        """What the pipeline needs: the decoded body, its capture and the crawl context."""
        start = start or self._start(response, ctx)
        return {
            "context": start.context,
            "capture": start.capture,
            "body": response.body,
            "content_type": response.headers.get("Content-Type", b"").decode("latin-1") or None,
            "unchanged": bool(response.meta.get("nianbao_unchanged")),
        }

    # -- failures -----------------------------------------------------------------------
    def _challenged(self, response) -> bool:
        if "wzwschallenge" in response.url:
            return True
        return len(response.body) < 4000 and bool(_CHALLENGE.search(response.body))

    def on_error(self, failure):
        request = failure.request
        self._undated.pop(identity_url(request.url), None)
        self._captured_undated.pop(identity_url(request.url), None)  # no row to date
        ctx = request.meta.get("nianbao") or {}
        state = self.states.get(ctx.get("portal"))
        if state is None:
            return
        state.errors += 1
        reason = self._reason(failure)
        status = getattr(getattr(failure.value, "response", None), "status", None)
        if ctx.get("kind") == "home":
            state.status = "blocked" if status in BLOCK_STATUSES else "dead"
            state.reason = reason
        elif status in BLOCK_STATUSES and ctx.get("kind") in ("column", "list") and not state.reason:
            # The portal answers, but its 信息公开 platform refuses us: say so, not just "0 reports".
            state.reason = f"{reason} at {request.url}"
        self.logger.info("failed %s (%s): %s", request.url, ctx.get("kind"), reason)
        if self.plan is not None and self.plan.is_hub(request.url) and ctx.get("portal") not in self._walk_all:
            # A list that linked reports has gone: walk the portal's navigation to find where.
            self._walk_all.add(ctx["portal"])
            yield from self._deferred.pop(ctx["portal"], [])
        if ctx.get("kind") in ("report", "attachment"):
            state.unfetched[request.url] = reason
        gone = status in (404, 410) and ctx.get("kind") in ("report", "attachment")
        yield {"failure": {"url": request.url, "method": request.method, "portal": ctx.get("portal"),
                           "kind": ctx.get("kind"), "error": reason,
                           "gone": request.url if gone else None}}

    @staticmethod
    def _reason(failure) -> str:
        """A short, stable reason for the portals/captures tables."""
        if failure.check(HttpError):
            status = failure.value.response.status
            return BLOCK_STATUSES.get(status, f"HTTP {status}")
        if failure.check(IgnoreRequest):
            return failure.getErrorMessage()[:300] or "ignored"
        name = failure.type.__name__
        for words, reason in _FAILURE_NAMES:
            if any(w in name for w in words):
                return f"{reason} ({name})"
        return f"{name}: {failure.getErrorMessage()}"[:300]

    def closed(self, reason):
        for state in self.states.values():
            if reason != "finished" and state.stop_reason is None and state.status == "pending":
                state.stop_reason = f"crawl {reason}"
