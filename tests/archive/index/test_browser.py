"""A real headless Chromium against `datasette serve` on loopback: type 复议 into the
reports search box, read the ranked hits, open a report, check the text a reader sees, and
save screenshots under test-artifacts/.

Needs Debian's `chromium` and `chromium-driver` (the Makefile's SYSPKGS) and the Python
package `selenium`. Without selenium the same journey runs through Chromium's own
`--dump-dom`/`--screenshot` command line (loading the URLs the form would submit)."""

import gzip
import shutil
import subprocess
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.index import Index, report_id
from tests.crawling import datasette_server
from tests.paths import ROOT

REPO = ROOT
ARTIFACTS = REPO / "test-artifacts"
SEEDS = REPO.parent / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,1600",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not installed: apt-get install chromium chromium-driver (Makefile SYSPKGS)",
)

PORTALS = [("襄阳市", 2017, 0), ("衢州市", 2016, 2), ("随州市", 2020, 3), ("嘉禾县", 2017, 4)]


def seed(n):
    return next(SEEDS.glob(f"{n:03d}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """reports.db + a WARC, served by `python -m datasette serve` on a free loopback port
    with the project's metadata and plugins (what `make serve` runs)."""
    from archive.warc import HttpExchange, WarcWriter

    root = tmp_path_factory.mktemp("browse")
    writer = WarcWriter(str(root / "warc"))
    ix = Index(root / "reports.db")
    for i, (portal, year, n) in enumerate(PORTALS):
        url = f"http://www.site{i}.gov.cn/xxgk/{year}/t{i}.html"
        title = f"{portal}{year}年政府信息公开工作年度报告"
        text = f"{title}\n{seed(n)}"
        cap = writer.write_exchange(HttpExchange(
            method="GET", url=url, request_headers=[], request_body=b"", status=200,
            reason="OK", response_headers=[("Content-Type", "text/html; charset=utf-8"),
                                           ("Content-Encoding", "gzip")],
            payload=gzip.compress(f"<html><body><pre>{text}</pre></body></html>".encode()),
            fetched_at=datetime(2024, 1, 1, tzinfo=timezone.utc)))
        ix.upsert_report({"page_url": url, "url": url, "portal": portal, "year": year,
                          "title": title, "text": text, "province": "省", "level": "city",
                          "published": f"{year + 1}-01-20", "content_type": "html",
                          "warc_filename": cap.warc_filename, "warc_offset": cap.warc_offset,
                          "payload_digest": cap.payload_digest, "fetched_at": cap.fetched_at})
    writer.close()
    ix.close()

    with datasette_server(root / "reports.db", root) as base:
        yield base


def _selenium():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    if not CHROMEDRIVER:
        return None
    return webdriver, Service


@pytest.fixture
def profile(tmp_path):
    d = tmp_path / "chromium-profile"  # a fresh profile per test
    d.mkdir()
    return d


def test_search_open_report_in_chromium(server, profile):
    ARTIFACTS.mkdir(exist_ok=True)
    sel = _selenium()
    if sel is None:
        return _journey_without_selenium(server, profile)
    webdriver, Service = sel
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in CHROME_FLAGS + [f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    try:
        wait = WebDriverWait(driver, 30)
        driver.get(server + "/reports/reports")
        box = wait.until(EC.presence_of_element_located((By.ID, "_search")))
        box.send_keys("复议")
        box.send_keys(Keys.ENTER)
        wait.until(EC.presence_of_element_located((By.ID, "nianbao-ranked")))
        assert "_search=" in driver.current_url
        ranked = driver.find_element(By.ID, "nianbao-ranked")
        titles = [a.text for a in ranked.find_elements(By.CLASS_NAME, "nianbao-hit-title")]
        assert sorted(titles) == sorted(f"{p}{y}年政府信息公开工作年度报告" for p, y, _ in PORTALS)
        marks = ranked.find_elements(By.TAG_NAME, "mark")
        assert marks and all(m.text == "复议" for m in marks)
        driver.save_screenshot(str(ARTIFACTS / "browser-1-search-fuyi.png"))

        link = next(a for a in ranked.find_elements(By.CLASS_NAME, "nianbao-hit-title")
                    if a.text.startswith("随州市"))
        link.click()
        wait.until(EC.presence_of_element_located((By.CLASS_NAME, "nianbao-title")))
        assert driver.current_url.endswith(
            "/reports/reports/" + report_id("http://www.site2.gov.cn/xxgk/2020/t2.html"))
        assert driver.find_element(By.TAG_NAME, "h1").text == "随州市2020年政府信息公开工作年度报告"
        article = driver.find_element(By.CLASS_NAME, "nianbao-report")
        visible = article.text
        # line breaks survive: headings and paragraphs are separate lines for the reader
        lines = visible.split("\n")
        assert "一、总体情况" in lines
        assert any(l.startswith("2020年,我市政务公开工作坚持") for l in lines)
        # table rows are rows of a table, with their cells side by side
        cells = [td.text for td in article.find_elements(By.CSS_SELECTOR, "table tr:nth-child(2) td")]
        assert cells[:4] == ["信息内容", "本年新 制作数量", "本年新 公开数量", "对外公开总数量"]
        capture = driver.find_element(By.CLASS_NAME, "nianbao-capture")
        assert capture.is_displayed() and ".warc.gz @ " in capture.text
        driver.save_screenshot(str(ARTIFACTS / "browser-2-report-suizhou.png"))
    finally:
        driver.quit()


def _chromium_cli(url, profile, *args, timeout=90):
    return subprocess.run(
        [CHROMIUM, *CHROME_FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True, text=True, timeout=timeout,
    )


def _journey_without_selenium(base, profile):
    q = urllib.parse.quote("复议")
    url = f"{base}/reports/reports?_search={q}"
    dom = _chromium_cli(url, profile, "--dump-dom").stdout
    assert 'id="nianbao-ranked"' in dom and "<mark>复议</mark>" in dom
    _chromium_cli(url, profile, f"--screenshot={ARTIFACTS / 'browser-1-search-fuyi.png'}")
    rid = report_id("http://www.site2.gov.cn/xxgk/2020/t2.html")
    assert f'href="/reports/reports/{rid}"' in dom
    dom = _chromium_cli(f"{base}/reports/reports/{rid}", profile, "--dump-dom").stdout
    assert "<h3>一、总体情况</h3>" in dom and "<td>信息内容</td>" in dom
    _chromium_cli(f"{base}/reports/reports/{rid}", profile,
                  f"--screenshot={ARTIFACTS / 'browser-2-report-suizhou.png'}")
    assert (ARTIFACTS / "browser-2-report-suizhou.png").stat().st_size > 1000
