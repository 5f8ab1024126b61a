"""A report fetched through an undated link (a "latest" box on the home page) and dated by a
list only afterwards: a real crawl of a portal served on loopback.

The capture's crawl-context record is written without a list date, and the crawl used to drop
the date the list showed later (``published`` NULL, or the weaker date in its URL: 2 of 1,101
reports on a held-out benchmark). The date now gets a WARC record of its own
(``urn:nianbao:listdate:<page url>``) and reaches the row; `archive reindex` of the WARCs gives
the same ``published``. The list is answered only once every report was sent, so the dates
always come after the captures (the crawl's ``nianbao/list_date_after_capture`` stat says so).
"""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import threading
import time

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.reconcile import reconcile
from archive.reindex import reindex
from archive.warc import LISTDATE_URI_PREFIX, warc_files
from farm import Farm
from farm.sites import Portal, Site
from tests.crawler.test_walk import _page
from tests.crawling import report_rows, run_crawl

pytestmark = pytest.mark.slow

HOST = "www.wanbao.gov.cn"
LIST_DATE = "2024-01-18"
PARAS = "".join(f"<p>{t}</p>" for t in (
    "根据《中华人民共和国政府信息公开条例》要求，现公布本年度政府信息公开工作年度报告。",
    "一、总体情况。本年度本机关认真贯彻落实政府信息公开工作要求，主动公开政府信息。",
    "二、主动公开政府信息情况。全年主动公开规范性文件若干件，政策解读若干篇。",
    "三、收到和处理政府信息公开申请情况。全年收到申请若干件，均按时答复。",
    "四、存在的主要问题及改进情况。公开工作仍有不足，下一步将持续改进。"))
# path -> (title, the page's own 发布日期 or None, the published the row must hold)
REPORTS = {
    # no date anywhere but on the list
    "/zwgk/content_8812.html": ("万宝县2023年政府信息公开工作年度报告", None, LIST_DATE),
    # a weaker date in the URL: the list's beats it
    "/zwgk/202401/t20240105_8813.html": ("万宝县财政局2023年政府信息公开工作年度报告", None, LIST_DATE),
    # the page states its own date: that wins over the list's
    "/zwgk/content_8814.html": ("万宝县教育局2023年政府信息公开工作年度报告", "2024-01-10", "2024-01-10"),
}


def _report_page(title: str, own_date: str | None) -> bytes:
    info = f"<div class='info'>发布日期：{own_date}</div>" if own_date else ""
    return _page(title, f"<div class='article'><h1>{title}</h1>{info}{PARAS}</div>")


def _portal() -> tuple[Site, Portal]:
    site = Site(HOST)
    latest = "".join(f"<li><a href='{path}'>{title}</a></li>" for path, (title, _, _) in REPORTS.items())
    site.add("/", _page("万宝县人民政府", f"""
      <div class='nav'><ul><li><a href='/zwgk/'>政务公开</a></li></ul></div>
      <div class='box'><h3>最新信息</h3><ul>{latest}</ul></div>"""))
    site.add("/zwgk/", _page("政务公开", "<ul><li><a href='/zwgk/xxgknb/'>政府信息公开年报</a></li></ul>"))
    served = {path: threading.Event() for path in REPORTS}

    def report(method, path, headers, body):
        page = path.split("?", 1)[0]
        if page not in REPORTS:
            return None
        title, own_date, _ = REPORTS[page]
        served[page].set()
        return 200, [("Content-Type", "text/html; charset=utf-8")], _report_page(title, own_date)

    dated = "".join(f"<li><a href='{path}'>{title}</a><span>{LIST_DATE}</span></li>"
                    for path, (title, _, _) in REPORTS.items())
    list_page = _page("政府信息公开年报", f"<ul class='list'>{dated}</ul>")

    def year_report_list(method, path, headers, body):
        # The dated list is answered only after every report was sent (and a moment for the
        # crawl to archive them): its dates come after the captures, whatever Scrapy schedules.
        for event in served.values():
            event.wait(30)
        time.sleep(0.5)
        return 200, [("Content-Type", "text/html; charset=utf-8")], list_page

    site.route("/zwgk/xxgknb/", year_report_list)
    site.route("/zwgk/", report)
    return site, Portal("万宝县", f"http://{HOST}/", "浙江省", "county")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from farm.server import FarmServer

    site, portal = _portal()
    farm = Farm("listdate")
    farm.sites[site.host] = site
    farm.portals.append(portal)
    work = tmp_path_factory.mktemp("listdate")
    farm.write_portals_csv(work / "portals.csv")
    with FarmServer(farm) as server:
        proc = run_crawl(work / "portals.csv", work / "archive", server.port, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"archive": work / "archive", "stderr": proc.stderr, "work": work}


def _stat(stderr: str, name: str) -> int | None:
    m = re.search(rf"'{re.escape(name)}': (\d+)", stderr)
    return int(m.group(1)) if m else None


def test_the_list_dates_came_after_the_reports_were_captured(crawled):
    assert _stat(crawled["stderr"], "nianbao/list_date_after_capture") == len(REPORTS)
    assert _stat(crawled["stderr"], "nianbao/list_date_late") is None  # none was still waiting


def test_the_crawls_rows_take_the_list_date_unless_the_page_states_its_own(crawled):
    rows = report_rows(crawled["archive"])
    published = {row["page_url"]: row["published"] for row in rows.values()}
    assert published == {f"http://{HOST}{path}": want for path, (_, _, want) in REPORTS.items()}


def test_each_late_date_is_a_metadata_record_of_its_own_after_the_capture(crawled):
    records, order = [], []
    for path in warc_files(crawled["archive"] / "warc"):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                order.append((rec.rec_type, uri))
                if uri.startswith(LISTDATE_URI_PREFIX):
                    assert rec.rec_type == "metadata"
                    assert rec.rec_headers.get_header("Content-Type") == "application/json"
                    assert rec.rec_headers.get_header("WARC-Concurrent-To") is None
                    records.append((uri, json.loads(rec.content_stream().read())))
    want = {f"http://{HOST}{path}" for path in REPORTS}
    assert {uri for uri, _ in records} == {LISTDATE_URI_PREFIX + url for url in want}
    for uri, data in records:
        assert data == {"url": uri[len(LISTDATE_URI_PREFIX):], "list_date": LIST_DATE,
                        "list_url": f"http://{HOST}/zwgk/xxgknb/", "portal": "万宝县"}
        # the report's response record is earlier in the WARC than the date
        assert order.index(("response", data["url"])) < order.index(("metadata", uri))


def test_reindex_of_the_warcs_gives_the_same_published(crawled):
    db = crawled["work"] / "reindexed.db"
    # several processes, small ranges: records are read in parallel and applied in WARC order
    stats = reindex(crawled["archive"] / "warc", db, jobs=2, range_bytes=4_000)
    assert stats.list_dates == len(REPORTS)
    crawl = {row["page_url"]: row["published"] for row in report_rows(crawled["archive"]).values()}
    rebuilt_dir = crawled["work"] / "rebuilt"
    rebuilt_dir.mkdir()
    db.rename(rebuilt_dir / "reports.db")
    again = {row["page_url"]: row["published"] for row in report_rows(rebuilt_dir).values()}
    assert again == crawl == {f"http://{HOST}{path}": want for path, (_, _, want) in REPORTS.items()}


def test_reconcile_after_a_kill_gives_rows_of_unchanged_text_their_late_dates(crawled, tmp_path):
    """The crawl killed after the dates' records but before their index writes: the rows hold
    what their captures alone gave, the run's row is open. reconcile re-reads the run's WARCs
    (the report rows it copies are unchanged, and an unchanged row keeps its stored values);
    the records date the rows as the crawl did and reindex does."""
    archive = tmp_path / "archive"
    shutil.copytree(crawled["archive"], archive)
    con = sqlite3.connect(archive / "reports.db")
    for path, (_, own_date, _) in REPORTS.items():
        in_url = re.search(r"/t(\d{4})(\d\d)(\d\d)_", path)
        captured = (own_date, "page") if own_date else \
            ("-".join(in_url.groups()), "url") if in_url else (None, None)
        assert con.execute("UPDATE reports SET published = ?, published_source = ? WHERE page_url = ?",
                           (*captured, f"http://{HOST}{path}")).rowcount == 1
    con.execute("UPDATE crawl_runs SET finish_reason = NULL, finished_at = NULL")
    con.commit()
    con.close()
    done = reconcile(archive / "reports.db", archive / "warc")
    assert done.killed_runs and done.reports == {"new": 0, "changed": 0, "unchanged": len(REPORTS)}
    published = {row["page_url"]: row["published"] for row in report_rows(archive).values()}
    assert published == {f"http://{HOST}{path}": want for path, (_, _, want) in REPORTS.items()}
    # one record per report; the page that states its own date keeps it
    assert (done.list_date_records, done.list_dates) == (len(REPORTS), 2)
