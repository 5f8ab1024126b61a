"""The statistics in datasette (issue #18): canned queries over report_stats/report_checks/
report_similarity, the publisher × year view, and the 'indicators' dashboard of
datasette-dashboards — in-process through datasette's client, then drawn by the real Chromium
the suite drives (screenshot under test-artifacts/, copied for the lead when /work/coord exists).
"""
from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from archive.extract import extract
from archive.index import Index
from archive.reports.ingest import Ingest
from farm.stats_reports import corpus, erroneous, render, series
from tests.crawling import datasette_server
from tests.paths import ROOT

pytest.importorskip("datasette_dashboards")

REPO = ROOT
METADATA = REPO / "archive" / "index" / "datasette.json"
PLUGINS = REPO / "archive" / "index" / "datasette_plugins"
ARTIFACTS = REPO / "test-artifacts"
BODY = "统计样本市教育局"
YEARS = (2015, 2016, 2017, 2019, 2020, 2021, 2022, 2023)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """reports.db from farm reports with known numbers: one body over eight years (all three
    template versions), other bodies of the same portal, and one erroneous report."""
    root = tmp_path_factory.mktemp("stats-ds")
    reports = series(BODY, YEARS) + corpus(1, seed=9)
    reports[-1] = erroneous(reports[-1])
    assert YEARS[3] == 2019  # rendered as an HTML page (i % 3 == 0): its 发布日期 is read
    reports[3].report = reports[3].report.replace(published="2020-03-15")  # 44 days late
    index = Index(root / "reports.db")
    ingest = Ingest(index)
    for i, sr in enumerate(reports):
        body, url, ctype = render(sr, ("html-trs", "docx", "ofd")[i % 3])
        ingest.document({"portal": "统计样本市", "kind": "report", "anchor": sr.report.title},
                        {"url": url, "warc_filename": "x.warc.gz", "warc_offset": i, "warc_length": 1,
                         "record_id": f"<urn:uuid:{i}>", "payload_digest": f"sha1:{i}",
                         "fetched_at": "2026-01-02T00:00:00Z", "status": 200},
                        extract(body, url, ctype))
    ingest.finish()
    index.close()
    return root, reports


@pytest.fixture(scope="module")
def get(archive):
    from datasette.app import Datasette

    root, _ = archive
    ds = Datasette([str(root / "reports.db")], metadata=json.loads(METADATA.read_text("utf-8")),
                   plugins_dir=str(PLUGINS))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(ds.invoke_startup())
    yield lambda path: loop.run_until_complete(ds.client.get(path))
    loop.close()


def _rows(get, path):
    r = get(path)
    assert r.status_code == 200, r.text[:2000]
    return r.json()


def test_indicator_over_years_matches_the_farm(get, archive):
    _, reports = archive
    q = urllib.parse.urlencode({"publisher": BODY, "indicator": "applications_received"})
    rows = _rows(get, f"/reports/indicator_over_years.json?{q}&_shape=array")
    assert [r["year"] for r in rows] == list(YEARS)
    for r, sr in zip(rows, reports):
        key = (("legacy", "requests_received", "value") if sr.template == "pre2019"
               else ("收到和处理申请", "new_requests", "total"))
        assert r["value"] == sr.truth[key]
    assert {r["templates"] for r in rows} == {"pre2019", "2019", "2021"}


def test_check_failures_lists_only_the_erroneous_report(get, archive):
    _, reports = archive
    rows = _rows(get, "/reports/check_failures.json?_shape=array")
    assert rows and {r["title"] for r in rows} == {reports[-1].report.title}


def test_publisher_coverage_and_near_copies(get):
    rows = _rows(get, "/reports/publisher_coverage.json?_shape=array&to_year=2023")
    mine = next(r for r in rows if r["publisher"] == BODY)
    assert mine["years_missing"] == "2018"  # 2015–2023 archived except 2018
    assert mine["reports"] == len(YEARS)
    pairs = _rows(get, "/reports/near_copies.json?_shape=array&min_similarity=0.5")
    prev = [p for p in pairs if p["relation"] == "same_body_previous_year" and p["publisher"] == BODY]
    # the generated body repeats its prose every year with new numbers: a near-copy each year
    assert {p["year"] for p in prev} == {y for y in YEARS if y - 1 in YEARS}
    late = _rows(get, "/reports/late_reports_by_publisher.json?_shape=array")
    assert [(r["publisher"], r["late_reports"], r["max_days_late"]) for r in late] == [(BODY, 1, 44)]
    # the same rule as late_reports, per publisher
    assert [r["year"] for r in _rows(get, "/reports/late_reports.json?_shape=array")] == [2019]


def test_dashboard_page_is_self_contained(get):
    r = get("/-/dashboards/indicators?" + urllib.parse.urlencode({"publisher": BODY}))
    assert r.status_code == 200, r.text[:1000]
    html = r.text
    assert "indicators-over-years" in html
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    links = re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert any("vega" in s for s in scripts)
    external = [u for u in scripts + links if u.startswith(("http:", "https:", "//"))]
    assert not external, f"the dashboard loads scripts from the network: {external}"
    for s in scripts:
        assert get(s).status_code == 200, s


def _chart_rows(db: Path, publisher: str) -> list:
    """The rows the dashboard's line chart draws, from its own SQL with the filter applied."""
    import sqlite3

    meta = json.loads(METADATA.read_text("utf-8"))
    sql = meta["plugins"]["datasette-dashboards"]["indicators"]["charts"]["indicators-over-years"]["query"]
    sql = sql.replace("[[ AND publisher = :publisher ]]", "AND publisher = :publisher")
    sql = sql.replace("[[ AND portal = :portal ]]", "")
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, {"publisher": publisher}).fetchall()
    finally:
        con.close()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.slow
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver")
def test_chart_drawn_in_chromium(archive):
    """`datasette serve` on loopback, the dashboard opened in headless Chromium (network
    limited to loopback by the proxy flags): the line chart is drawn with one point per year
    and indicator, and its tooltip data are the farm's numbers."""
    selenium = pytest.importorskip("selenium")
    del selenium
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    root, reports = archive
    with datasette_server(root / "reports.db", root) as base:
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1100", f"--user-data-dir={root / 'chromium-profile'}",
                     # anything not on loopback goes to a dead proxy: an offline chart or none
                     "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"]:
            opts.add_argument(flag)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
        try:
            driver.get(f"{base}/-/dashboards/indicators?" + urllib.parse.urlencode({"publisher": BODY}))
            wait = WebDriverWait(driver, 40)
            # vega-lite draws into an svg or canvas inside the chart's container
            wait.until(lambda d: d.execute_script(
                "const c = document.querySelector('#card-indicators-over-years, [id*=\"indicators-over-years\"]');"
                "return c && c.querySelector('canvas, svg.marks') !== null;"))
            # drawn, not just placed: one point per (year, indicator) row of the chart's query
            points = driver.execute_script(
                "return [...document.querySelectorAll("
                "'[id*=\"indicators-over-years\"] svg g.mark-symbol path')]"
                ".filter(e => !e.closest('.role-legend')).length;")  # the legend's symbols aside
            assert points == len(_chart_rows(root / "reports.db", BODY)) > len(YEARS)
            lines = driver.execute_script(
                "return document.querySelectorAll("
                "'[id*=\"indicators-over-years\"] svg g.mark-line path').length;")
            assert lines == 5
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "stats-chart.png"
            time.sleep(1.0)  # let the transition finish before the picture
            driver.save_screenshot(str(shot))
            assert shot.stat().st_size > 10_000
            text = driver.find_element(By.TAG_NAME, "body").text
            assert "Applications received" in text
        finally:
            driver.quit()
