"""The sample portal farm: imitation government portals served on 127.0.0.1.

    from farm import build_farm
    from farm.server import FarmServer

    farm = build_farm("small")
    with FarmServer(farm) as srv:
        farm.write_portals_csv(tmp / "portals.csv")
        # http_proxy=srv.proxy_url scrapy crawl reports -a portals=tmp/portals.csv ...
        # then compare the index with farm.truth (and farm.status for blocked portals)

``Farm.sites`` maps host → :class:`farm.sites.Site`; ``Farm.portals`` are the
portals.csv rows; ``Farm.truth`` the reports a perfect crawl finds (gold text included);
``Farm.status`` the expected ``portals.status`` (ok|no_reports|blocked|dead) and reason per portal.
See docs/design.md ("Sample portal farm") and the modules: corpus (gold reports), pages
(rendering per platform skin), docs (PDF/DOCX/DOC/WPS), sites (one builder per platform),
generate (bigger farms), server.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import os
import urllib.parse
from dataclasses import dataclass, field

from .corpus import Block, Report, seed_report, variant
from .pages import Chrome, ListItem, render_soft_404
from .sites import Built, Column, HanwebPortal, LegacyPortal, Portal, Site, TrsPortal, TruthReport

__all__ = ["Farm", "build_farm", "Portal", "TruthReport", "Site", "KINDS"]

KINDS = ("small", "platforms", "bench", "large", "registry", "random")


@dataclass
class Farm:
    """A set of portals: hosts, portals.csv rows, the truth and the expected portal status."""

    kind: str
    sites: dict[str, Site] = field(default_factory=dict)
    portals: list[Portal] = field(default_factory=list)
    truth: list[TruthReport] = field(default_factory=list)
    stats_truth: dict = field(default_factory=dict)  # kind "stats": title -> StatsReport (#18)
    status: dict[str, tuple[str, str]] = field(default_factory=dict)
    columns: dict[str, list[Column]] = field(default_factory=dict)
    faults: object = None                    # a faults.FaultPlan the server applies, or None
    expected_failures: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    forbidden_hosts: set[str] = field(default_factory=set)  # hosts a crawl must never contact
    removed: list[TruthReport] = field(default_factory=list)  # reports removed by remove_report
    mutations: int = 0

    def add(self, built: Built) -> None:
        """Add a builder's output; a host built by two builders (a city platform hosting a
        county) is merged."""
        for site in built.sites:
            if site.host in self.sites:
                self.sites[site.host].merge(site)
            else:
                self.sites[site.host] = site
        if any(p.name == built.portal.name for p in self.portals):
            raise ValueError(f"portal {built.portal.name} built twice")
        self.portals.append(built.portal)
        self.truth.extend(built.truth)
        self.status[built.portal.name] = (built.status, built.reason)
        self.columns[built.portal.name] = list(built.columns)

    def write_portals_csv(self, path: str | os.PathLike) -> None:
        """Write ``name,url,province,level`` rows for ``scrapy crawl reports -a portals=PATH``."""
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["name", "url", "province", "level"])
            for p in self.portals:
                w.writerow([p.name, p.url, p.province, p.level])

    def truth_for(self, portal: str) -> list[TruthReport]:
        """The truth rows of one portal."""
        return [t for t in self.truth if t.portal == portal]

    def page_count(self) -> int:
        """How many documents the farm serves (static resources, robots.txt excluded)."""
        return sum(len(s.resources) - 1 for s in self.sites.values())

    # -- mutations for refresh tests (issue 6) ---------------------------------------------------
    def clock(self) -> str:
        """The farm's date of the next mutation (YYYY-MM-DD): a day later per mutation, so
        Last-Modified moves forward deterministically."""
        return (_dt.date(2024, 7, 1) + _dt.timedelta(days=self.mutations)).isoformat()

    def _find(self, page_url: str) -> tuple[Column, int, TruthReport]:
        for cols in self.columns.values():
            for col in cols:
                for k, (item, obj) in enumerate(col.entries):
                    if f"http://{col.host}{item.href}" == page_url and isinstance(obj, Report):
                        row = next(t for t in self.truth if t.page_url == page_url)
                        return col, k, row
        raise KeyError(f"{page_url}: not an HTML report page of a mutable column")

    def add_report(self, portal: str, report: Report | None = None) -> TruthReport:
        """Publish a new report in ``portal``'s own 年报 column (default: next year's report
        derived from its newest one). Its list pages change; returns the new truth row."""
        col = self.columns[portal][0]
        when = self.clock()
        self.mutations += 1
        if report is None:
            newest = max((o for _, o in col.entries if isinstance(o, Report)), key=lambda r: r.year)
            report = variant(newest, year=newest.year + 1, slug=f"{newest.slug}-next{self.mutations}",
                             published=when, index_no=f"{newest.index_no.split('/')[0]}/{when[:4]}-9{self.mutations:04d}")
        item = ListItem(report.title, col.article_path(report.published), report.published)
        col.entries.append((item, report))
        col.sort()
        col.put(item, report)
        col.site.resources[item.href].modified = when
        col.modified = when
        col.publish()
        url = f"http://{col.host}{item.href}"
        row = TruthReport(portal, url, url, report.title, report.year, report.published, report.publisher,
                          report.index_no, report.gold_text(), "html", report.slug, col.kind)
        self.truth.append(row)
        return row

    def edit_report(self, page_url: str, new_text: str | None = None) -> TruthReport:
        """Change a report's text in place (same URL): by default a correction paragraph is
        appended. The page's Last-Modified and ETag change; returns the updated truth row."""
        col, k, row = self._find(page_url)
        item, report = col.entries[k]
        when = self.clock()
        self.mutations += 1
        para = new_text or f"（本报告于{when[:4]}年{int(when[5:7])}月{int(when[8:])}日更正：第二部分数据有误，已修改。）"
        edited = dataclasses.replace(report, blocks=report.blocks + (Block("p", para),))
        col.entries[k] = (item, edited)
        col.put(item, edited)
        col.site.resources[item.href].modified = when
        new_row = dataclasses.replace(row, text=edited.gold_text())
        self.truth[self.truth.index(row)] = new_row
        return new_row

    def remove_report(self, page_url: str) -> TruthReport:
        """Delete a report: its page answers 404 and its list entry disappears. Returns the
        removed truth row (also kept in ``Farm.removed``)."""
        col, k, row = self._find(page_url)
        item, _ = col.entries.pop(k)
        self.mutations += 1
        col.site.resources.pop(item.href, None)
        col.modified = self.clock()
        col.publish()
        self.truth.remove(row)
        self.removed.append(row)
        return row

    def soft_remove_report(self, page_url: str, listed: bool = False) -> TruthReport:
        """Delete a report the way many portals do: its page answers HTTP 200 with an error
        page ("页面不存在", pages.render_soft_404). Its list entry disappears, unless ``listed``
        (a list page not yet regenerated still links it). Returns the removed truth row (also
        kept in ``Farm.removed``)."""
        col, k, row = self._find(page_url)
        item = col.entries[k][0]
        self.mutations += 1
        when = self.clock()
        col.site.add(item.href, render_soft_404(Chrome.for_government(col.portal, col.host), col.skin), modified=when)
        if not listed:
            col.entries.pop(k)
            col.modified = when
            col.publish()
        self.truth.remove(row)
        self.removed.append(row)
        return row

    def request(self, method: str, url: str, headers: list[tuple[str, str]] | None = None,
                body: bytes = b"") -> tuple[int, list[tuple[str, str]], bytes]:
        """Answer a request without a server (for unit tests): ``url`` is absolute."""
        parts = urllib.parse.urlsplit(url)
        site = self.sites.get((parts.hostname or "").lower())
        if site is None:
            return 502, [("Content-Type", "text/html")], b"<html><body>502 Bad Gateway</body></html>"
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return site.handle(method, target, headers or [], body)


def _small(farm: Farm) -> Farm:
    xy, tl, qz, sz, jh = (seed_report(s) for s in
                          ("xiangyang-2017", "tieling-2017", "quzhou-2016", "suizhou-2020", "jiahe-2017"))
    farm.add(TrsPortal("襄阳市", "www.xiangyang.gov.cn", "湖北省", "city",
                       [xy, variant(xy, year=2016), variant(sz, government="襄阳市", year=2019,
                                                           index_no="011043374/2020-00318")],
                       n_lookalikes=10, per_page=5, pager="createPageHTML").build())
    farm.add(TrsPortal("铁岭市", "www.tieling.gov.cn", "辽宁省", "city",
                       [tl, variant(tl, year=2016)], n_lookalikes=9, per_page=4,
                       pager="countPage", column="/zwgk/zfxxgknb/").build())
    farm.add(TrsPortal("随州市", "www.suizhou.gov.cn", "湖北省", "city",
                       [sz, variant(sz, year=2019)], n_lookalikes=8, per_page=4,
                       pager="createPageHTML", ext="shtml", column="/xxgk/xxgknb/").build())
    farm.add(HanwebPortal("衢州市", "www.qz.gov.cn", "浙江省", "city",
                          [qz, variant(qz, year=2015), variant(qz, year=2017)],
                          n_lookalikes=16, perpage=15).build())
    farm.add(LegacyPortal("嘉禾县", "www.jiahe.gov.cn", "湖南省", "county",
                          html_reports=[jh],
                          pdf_reports=[variant(jh, year=2015, drop_tables=True, published="2016-03-22")],
                          docx_reports=[variant(jh, year=2016, published="2017-03-15")],
                          n_lookalikes=9, per_page=5).build())
    return farm


def build_farm(kind: str = "small", *, n_portals: int | None = None, seed: int = 0,
               faults=None) -> Farm:
    """Build a farm. Deterministic in (kind, n_portals, seed).

    - ``small``: the five seed governments (TRS ×3 with both JS pager styles and .shtml, Hanweb
      with the POST pager, a legacy GBK county with PDF and DOCX reports), 13 reports.
    - ``platforms``: one sample portal per platform kind — TRS with departments, townships, a
      multi-page report, URL variants and traps; TRS on an xxgk subdomain; a city platform
      hosting a county; Hanweb with units; jpaas JSON API; UCAP with units; legacy GBK with
      PDF/DOC/DOCX/WPS; a legacy county whose files lie about their format (RTF/HTML/MHT as
      .doc), with scans to OCR (disguised.py) — plus WAF 412/521/wzws, 403 and dead portals.
    - ``bench``: small + platforms + generated portals up to ``n_portals`` (default 30).
    - ``random``: ``n_portals`` (default 30) random portals of seeds ``seed`` … ``seed+n-1``
      (farm.random_portals; TUNING_SEEDS 0–199, HELDOUT_SEEDS 10000–10999), with
      ``farm.graph``, ``farm.paths`` and ``farm.meta`` for tests and the bench.
    - ``large``: like bench with ``n_portals`` ≥ 200 (default 200) and about 100+ pages each
      (≥ 20,000 pages, rendered on demand).
    - ``registry``: small + three provincial portals linking their cities' and counties'
      portals in several styles (farm/registry.py: ``PROVINCES_CSV``, ``REGISTRY_TRUTH``).

    ``faults`` (a :class:`farm.faults.FaultPlan`) turns on the fault mode: the server
    applies its transient faults, and with ``faults.hostile`` the hostile portal 黑水县 is added
    (see ``Farm.expected_failures`` and ``Farm.forbidden_hosts``).
    """
    farm = _build(kind, n_portals, seed)
    if faults is not None:
        from .faults import HostilePortal, forbidden_hosts

        farm.faults = faults
        if faults.hostile:
            hp = HostilePortal(faults)
            farm.add(hp.build())
            farm.expected_failures += hp.expected_failures
            farm.forbidden_hosts |= forbidden_hosts()
    return farm


def _build(kind: str, n_portals: int | None, seed: int) -> Farm:
    from .generate import generated_builders, platform_builders

    farm = Farm(kind)
    if kind == "small":
        return _small(farm)
    if kind == "registry":
        # the small farm's portals plus provincial portals linking them (farm/registry.py)
        from .registry import registry_sites

        _small(farm)
        for site in registry_sites():
            farm.sites[site.host] = site
        return farm
    if kind == "stats":
        # reports whose statistics tables the farm knows number by number (#18)
        from .stats_reports import stats_sites

        builders, farm.stats_truth = stats_sites(seed=seed)
        for b in builders:
            farm.add(b.build())
        return farm
    if kind == "platforms":
        for b in platform_builders(seed):
            farm.add(b.build())
        return farm
    if kind in ("bench", "large"):
        n = n_portals if n_portals is not None else (30 if kind == "bench" else 200)
        _small(farm)
        for b in platform_builders(seed):
            farm.add(b.build())
        taken = {urllib.parse.urlsplit(p.url).hostname for p in farm.portals} | set(farm.sites)
        for b in generated_builders(max(0, n - len(farm.portals)), seed, taken, large=kind == "large"):
            farm.add(b.build())
        farm.kind = kind
        return farm
    if kind == "random":
        # seeds seed .. seed+n-1, all in one named set (farm.random_portals: TUNING_SEEDS
        # 0-199, HELDOUT_SEEDS 10000-10999); mixing the sets raises
        from .random_portals import random_farm

        return random_farm(farm, list(range(seed, seed + (n_portals if n_portals is not None else 30))))
    raise ValueError(f"unknown farm kind {kind!r} (one of {', '.join(KINDS)})")
