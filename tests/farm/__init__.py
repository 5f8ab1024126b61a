"""The sample portal farm: imitation government portals served on 127.0.0.1.

    from tests.farm import build_farm
    from tests.farm.server import FarmServer

    farm = build_farm("small")
    with FarmServer(farm) as srv:
        farm.write_portals_csv(tmp / "portals.csv")
        # http_proxy=srv.proxy_url scrapy crawl reports -a portals=tmp/portals.csv ...
        # then compare the index with farm.truth (and farm.status for blocked portals)

``Farm.sites`` maps host → :class:`tests.farm.sites.Site`; ``Farm.portals`` are the
portals.csv rows; ``Farm.truth`` the reports a perfect crawl finds (gold text included);
``Farm.status`` the expected ``portals.status`` (ok|blocked|unreachable) and reason per portal.
See docs/design.md ("Sample portal farm") and the modules: corpus (gold reports), pages
(rendering per platform skin), docs (PDF/DOCX/DOC/WPS), sites (one builder per platform),
generate (bigger farms), server.
"""
from __future__ import annotations

import csv
import os
import urllib.parse
from dataclasses import dataclass, field

from .corpus import seed_report, variant
from .sites import Built, HanwebPortal, LegacyPortal, Portal, Site, TrsPortal, TruthReport

__all__ = ["Farm", "build_farm", "Portal", "TruthReport", "Site", "KINDS"]

KINDS = ("small", "platforms", "bench", "large")


@dataclass
class Farm:
    """A set of portals: hosts, portals.csv rows, the truth and the expected portal status."""

    kind: str
    sites: dict[str, Site] = field(default_factory=dict)
    portals: list[Portal] = field(default_factory=list)
    truth: list[TruthReport] = field(default_factory=list)
    status: dict[str, tuple[str, str]] = field(default_factory=dict)

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


def build_farm(kind: str = "small", *, n_portals: int | None = None, seed: int = 0) -> Farm:
    """Build a farm. Deterministic in (kind, n_portals, seed).

    - ``small``: the five seed governments (TRS ×3 with both JS pager styles and .shtml, Hanweb
      with the POST pager, a legacy GBK county with PDF and DOCX reports), 13 reports.
    - ``platforms``: one sample portal per platform kind — TRS with departments, townships, a
      multi-page report, URL variants and traps; TRS on an xxgk subdomain; a city platform
      hosting a county; Hanweb with units; jpaas JSON API; UCAP with units; legacy GBK with
      PDF/DOC/DOCX/WPS — plus WAF 412/521/wzws, 403 and dead portals.
    - ``bench``: small + platforms + generated portals up to ``n_portals`` (default 30).
    - ``large``: like bench with ``n_portals`` ≥ 200 (default 200) and about 100+ pages each
      (≥ 20,000 pages, rendered on demand).
    """
    from .generate import generated_builders, platform_builders

    farm = Farm(kind)
    if kind == "small":
        return _small(farm)
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
    raise ValueError(f"unknown farm kind {kind!r} (one of {', '.join(KINDS)})")
