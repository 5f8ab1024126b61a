"""The labelled pages of the extraction benchmark.

- ``gov``: report pages of every skin of the sample portal farm (farm/, gold text from
  its corpus: the labelled set, plus every single-page HTML report of the "platforms"
  farm), the real government pages in tests/fixtures/extract (sample*.html, gold text
  checked by hand) and the hand-made government fixtures there (*.gold.txt next to *.html);
- ``news``: ordinary news pages in tests/fixtures/extract/news (real pages, gold checked by
  hand).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "extract"

# url and Content-Type of fixture pages whose name alone does not say
URLS = {
    "sample02_shanxi_trs": "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",
    "sample05_wanzai_ucap":
        "http://www.wanzai.gov.cn/wzxrmzf/tjsja/202305/7215380191c5400397df5d7d0b5fd06b.shtml",
    "govcn_gongbao_2007": "https://www.gov.cn/gongbao/content/2007/content_711039.htm",
    "xinhuanet_2019": "http://www.xinhuanet.com/world/2019-12/10/c_1125327450.htm",
    "zsnews_2019": "http://www.zsnews.cn/zsdongqu/index/view/cateid/337/id/3279127.html",
}


@dataclass
class Case:
    name: str
    group: str  # gov | news
    body: bytes
    url: str
    content_type: str | None
    gold: str
    gold_rows: list[str] = field(default_factory=list)


def _rows_of(gold: str) -> list[str]:
    return [ln for ln in gold.splitlines() if " | " in ln]


def fixture_cases() -> list[Case]:
    cases = []
    for group, folder in (("gov", FIXTURES), ("news", FIXTURES / "news")):
        for gold_path in sorted(folder.glob("*.gold.txt")):
            stem = gold_path.name[: -len(".gold.txt")]
            page = folder / f"{stem}.html"
            if not page.exists():
                continue
            gold = gold_path.read_text(encoding="utf-8")
            url = URLS.get(stem, f"http://www.example.gov.cn/{stem}.html")
            cases.append(Case(stem, group, page.read_bytes(), url, None, gold, _rows_of(gold)))
    return cases


def _import_farm_pages():
    """farm.pages (the sample portal farm at the repository root), or None."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        from farm import pages
        return pages
    except Exception:  # noqa: BLE001 - the farm is optional for the bench
        return None


def farm_cases() -> list[Case]:
    pages = _import_farm_pages()
    if pages is None or not hasattr(pages, "labelled_set"):
        return []
    cases = []
    for skin, report, body, content_type in pages.labelled_set():
        gold = report.gold_text()
        rows = [" | ".join(r) for t in report.gold_tables() for r in t]
        cases.append(Case(f"farm/{skin}/{report.slug}", "gov", body,
                          f"http://www.example.gov.cn/{skin}/{report.slug}.html",
                          content_type, gold, rows))
    return cases


def platform_cases() -> list[Case]:
    """Report pages of the farm's "platforms" build (TRS with departments and townships,
    xxgk subdomains, city platforms, Hanweb units, jpaas, UCAP units, legacy GBK): every
    single-page HTML report of its truth, gold text from the farm."""
    _import_farm_pages()
    try:
        from farm import build_farm
        farm = build_farm("platforms")
    except Exception:  # noqa: BLE001
        return []
    cases = []
    seen: set[str] = set()
    for t in farm.truth:
        if t.content_type != "html" or t.url in seen:
            continue
        seen.add(t.url)
        if re.search(r"/t\d{8}_\d+\.s?html$", t.url):
            status, _, _ = farm.request("GET", re.sub(r"(\.s?html)$", r"_1\1", t.url))
            if status == 200:
                continue  # a report split over pages: page 1 alone is not the gold text
        status, headers, body = farm.request("GET", t.url)
        if status != 200:
            continue
        ctype = next((v for k, v in headers if k.lower() == "content-type"), None)
        from archive.extract import extract
        if extract(body, t.url, ctype).scan_images:
            continue  # a page of scanned images: its text is its images' (OCR, bench/ocr)
        host = t.url.split("/")[2]
        cases.append(Case(f"platforms/{host}/{t.url.rsplit('/', 1)[-1]}"[:60], "gov", body,
                          t.url, ctype, t.text, _rows_of(t.text)))
    return cases


def all_cases() -> list[Case]:
    return farm_cases() + platform_cases() + fixture_cases()
