"""`scrapy crawl portals`: from the 31 provincial portals to their cities' and counties' portals.

    scrapy crawl portals -s ARCHIVE_DIR=/srv/nianbao                  # all 31 provinces
    scrapy crawl portals -a only=420000,210000 -a out=portals.csv      # some provinces

Walks each provincial portal's home page and its 政府网站导航/市州/县市区 pages (and their
pagers), matches every link that names a place to a division within the province
(archive.registry), then visits each city portal found to find its counties the same way.
Every fetch is archived as WARC like the reports crawl's. Writes, under ARCHIVE_DIR unless
``out`` says otherwise:

- ``portals-found.csv``: ``code,name,url,province,level,parent_code`` — the input of
  ``scrapy crawl reports -a portals=...``;
- ``portals-unmatched.csv``: links that name a place but matched no division (with why);
- ``portals-missing.csv``: divisions of the walked provinces with no portal found.

Nothing is guessed: an ambiguous or unknown name is listed, not matched.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import scrapy

from archive.registry.divisions import by_code, load_divisions
from archive.registry.finder import Candidate, choose_portals, classify_link, is_directory_link
from crawler.discovery import Link, extract_links, response_root

PROVINCES = Path(__file__).resolve().parent.parent / "provinces.csv"


@dataclass
class WalkState:
    """One provincial (or city) portal being walked: what the run summary shows."""

    name: str
    url: str
    code: str
    pages: int = 0
    found: set = field(default_factory=set)
    errors: int = 0
    reason: str | None = None
    home_ok: bool = False

    @property
    def reports(self) -> set:
        """The progress line counts these (divisions found) as the reports crawl's reports."""
        return self.found

    def row(self) -> dict:
        status = "ok" if self.found else ("no_portals" if self.home_ok else "dead")
        reason = self.reason or (None if self.found else f"{self.pages} pages walked, no division portal linked")
        return {"name": self.name, "url": self.url, "code": self.code, "status": status, "reason": reason,
                "pages": self.pages, "reports": len(self.found), "errors": self.errors}


def load_provinces(path: str | Path) -> list[dict]:
    """Rows code,name,url of the provincial portals; errors name the file and line."""
    from crawler.portals import PortalsError, check_url

    path = Path(path)
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    except OSError as exc:
        raise PortalsError(f"{path}: cannot read ({exc.strerror})") from None
    divisions = by_code()
    for n, row in enumerate(rows, start=2):
        for col in ("code", "name", "url"):
            if not (row.get(col) or "").strip():
                raise PortalsError(f"{path.name} line {n}: missing {col}")
        if divisions.get(row["code"].strip(), None) is None or divisions[row["code"].strip()].level != "province":
            raise PortalsError(f"{path.name} line {n}: {row['code']} is not a provincial division code")
        problem = check_url(row["url"].strip())
        if problem:
            raise PortalsError(f"{path.name} line {n}: {problem}")
    return [{k: (v or "").strip() for k, v in r.items()} for r in rows]


def select_provinces(rows: list[dict], only: str | None) -> list[dict]:
    """The rows `-a only=` names (all when it is empty). A code naming no row is bad input:
    otherwise a typo walks nothing and the run ends "ok" with an empty portals-found.csv."""
    from crawler.portals import PortalsError

    wanted = {c.strip() for c in (only or "").split(",") if c.strip()}
    unknown = sorted(wanted - {r["code"] for r in rows})
    if unknown:
        raise PortalsError(f"-a only={only}: no provincial portal with code {', '.join(unknown)} "
                           f"(the codes are the first column of the provinces file, e.g. 420000)")
    return [r for r in rows if not wanted or r["code"] in wanted]


def parse_max_pages(value: str) -> int:
    from crawler.portals import PortalsError

    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if n < 1:
        raise PortalsError(f"-a max_pages={value}: expected a whole number of pages, at least 1")
    return n


class PortalsSpider(scrapy.Spider):
    name = "portals"
    # The registry walk indexes no reports: no item pipeline, so the `portals` table of the
    # reports crawl is not touched. The WARC middleware still archives every exchange.
    custom_settings = {"ITEM_PIPELINES": {}}

    def __init__(self, provinces: str | None = None, only: str | None = None, out: str | None = None,
                 cities: str = "1", max_pages: str = "40", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.provinces = select_provinces(load_provinces(provinces or PROVINCES), only)
        self.out = out
        self.walk_cities = cities not in ("0", "false", "no")
        self.max_pages = parse_max_pages(max_pages)
        self.divisions = load_divisions()
        self.by_code = by_code(self.divisions)
        self.states: dict[str, WalkState] = {}
        self.candidates: list[Candidate] = []
        self._city_requested: set[str] = set()

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        for row in self.provinces:
            self.states[row["code"]] = WalkState(row["name"], row["url"], row["code"])
            yield self._request(row["url"], row["code"], row["code"], "home", directory=False)

    def _request(self, url: str, walk: str, scope: str, kind: str, directory: bool, anchor: str = ""):
        state = self.states[walk]
        if state.pages >= self.max_pages:
            state.reason = f"page cap {self.max_pages} reached"
            return None
        ctx = {"portal": state.name, "kind": f"registry-{kind}", "anchor": anchor or None, "code": walk,
               "scope": scope, "directory": directory}
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_error, meta={"nianbao": ctx})

    def parse_page(self, response):
        ctx = response.meta["nianbao"]
        state = self.states[ctx["code"]]
        state.pages += 1
        if ctx["kind"] == "registry-home":
            state.home_ok = True
        if not isinstance(response, scrapy.http.TextResponse):
            return
        for link in page_links(response):
            cand = classify_link(link.text, link.url, response.url, ctx["scope"], self.divisions)
            if cand is not None:
                self.candidates.append(cand)
                if cand.code:
                    state.found.add(cand.code)
                    yield from self._city(cand)
                continue
            if is_directory_link(link.text, link.url, response.url, ctx["directory"]):
                req = self._request(link.url, ctx["code"], ctx["scope"], "directory", True, link.text)
                if req is not None:
                    yield req

    def _city(self, cand: Candidate):
        """Walk a city portal for its counties (once per city)."""
        d = self.by_code[cand.code]
        if not self.walk_cities or d.level != "prefecture" or d.code in self._city_requested:
            return
        self._city_requested.add(d.code)
        self.states[d.code] = WalkState(d.name, cand.url, d.code)
        req = self._request(cand.url, d.code, d.code, "home", False, cand.text)
        if req is not None:
            yield req

    def on_error(self, failure):
        ctx = failure.request.meta.get("nianbao", {})
        state = self.states.get(ctx.get("code"))
        if state is not None:
            state.errors += 1
            if ctx.get("kind") == "registry-home":
                state.reason = f"home page failed: {failure.getErrorMessage()[:200]}"
        self.logger.info("failed %s: %s", failure.request.url, failure.getErrorMessage()[:200])

    def closed(self, reason):
        out = Path(self.out) if self.out else Path(self.settings.get("ARCHIVE_DIR", "data")) / "portals-found.csv"
        stem = out.with_suffix("")
        rows, unmatched, missing = self.results()
        write_csv(out, ("code", "name", "url", "province", "level", "parent_code"), rows)
        write_csv(Path(f"{stem}-unmatched.csv") if self.out else out.with_name("portals-unmatched.csv"),
                  ("text", "url", "found_on", "scope", "reason"), unmatched)
        write_csv(Path(f"{stem}-missing.csv") if self.out else out.with_name("portals-missing.csv"),
                  ("code", "name", "level", "parent_code"), missing)
        self.logger.info("portals: %d divisions with a portal, %d unmatched links, %d divisions without a "
                         "portal; written to %s", len(rows), len(unmatched), len(missing), out)

    def results(self) -> tuple[list[dict], list[dict], list[dict]]:
        """portals-found rows (provinces included), unmatched links, divisions missing."""
        chosen = choose_portals(self.candidates)
        rows = []
        for p in self.provinces:
            d = self.by_code[p["code"]]
            rows.append({"code": d.code, "name": d.name, "url": p["url"], "province": d.name,
                         "level": d.type, "parent_code": ""})
        for code, c in sorted(chosen.items()):
            d = self.by_code[code]
            rows.append({"code": d.code, "name": d.name, "url": c.url, "province": self.by_code[d.province_code].name,
                         "level": d.type, "parent_code": d.parent_code})
        matched_urls = {c.url for c in chosen.values()}
        seen, unmatched = set(), []
        for c in self.candidates:
            if c.code or c.url in matched_urls or (c.text, c.url) in seen:
                continue
            seen.add((c.text, c.url))
            unmatched.append({"text": c.text, "url": c.url, "found_on": c.found_on, "scope": c.scope,
                              "reason": c.reason})
        walked = {p["code"] for p in self.provinces}
        missing = [{"code": d.code, "name": d.name, "level": d.level, "parent_code": d.parent_code}
                   for d in self.divisions
                   if d.province_code in walked and d.level != "province" and d.code not in chosen]
        return rows, sorted(unmatched, key=lambda r: (r["scope"], r["url"], r["text"])), missing


def page_links(response) -> list[Link]:
    """The page's links, ``<select>`` jump menus included (市县 directories are often one):
    crawler.discovery.extract_links reads every linking style."""
    return extract_links(response_root(response), response.url, with_dates=False)


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Write rows as UTF-8 CSV (directories created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
