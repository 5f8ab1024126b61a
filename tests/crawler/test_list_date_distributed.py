"""A list date learnt by one scrapy-redis worker for a report another worker's walk asked for:
two real workers, one after the other, sharing a private redis-server's frontier and dupefilter.

Worker w1 walks 甲峪县, whose home page links three reports without a date: it captures them.
One of them (R3) is answered only once 甲峪县's dated list has been read (its pager is asked
for): the list dates R3 while its request waits, but the request waits in Redis as a copy, so
the date cannot join the context it is archived with. Worker w2 then walks 乙北县, whose list
dates two of w1's reports: the shared dupefilter drops w2's requests, and only w1 knew them.
Either way the worker that reads the list writes the `urn:nianbao:listdate:` record, and the
merged `archive reindex` of both workers' WARCs dates the rows (the page's own date still wins).
One process crawling both portals (乙北县's list is answered once 甲峪县's reports were) dates
them the same: its duplicate filter drops 乙北县's dated requests too.
"""
from __future__ import annotations

import json
import re
import subprocess
import threading
import uuid

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.reindex import reindex
from archive.warc import LISTDATE_URI_PREFIX, warc_files
from farm import Farm
from farm.sites import Portal, Site
from tests.crawler.test_distributed import redis_url  # noqa: F401 - the private redis-server fixture
from tests.crawler.test_list_date_after_capture import PARAS  # the same report body
from tests.crawler.test_walk import _page
from tests.crawling import ROOT, crawl_command, crawl_env, report_rows, run_crawl

pytestmark = pytest.mark.slow

JIA, YI = "www.jiayu.gov.cn", "www.yibei.gov.cn"
# report URL -> (title, the page's own 发布日期, (the list that dates it, the date it shows))
JIA_LIST, YI_LIST = f"http://{JIA}/zwgk/xxgknb/", f"http://{YI}/xxgk/ndbg/"
REPORTS = {
    f"http://{JIA}/zwgk/content_7001.html": ("甲峪县2023年政府信息公开工作年度报告", None, (YI_LIST, "2024-02-01")),
    f"http://{JIA}/zwgk/content_7003.html": ("甲峪县财政局2023年政府信息公开工作年度报告", None, (JIA_LIST, "2024-01-20")),
    f"http://{JIA}/zwgk/content_7004.html": ("甲峪县教育局2023年政府信息公开工作年度报告", "2024-01-09", (YI_LIST, "2024-02-01")),
}
WAITS = f"http://{JIA}/zwgk/content_7003.html"  # answered once the list that dates it was read


def want(url: str) -> str:
    _, own, (_, listed) = REPORTS[url]
    return own or listed


def _listing(list_url: str) -> str:
    return "".join(f"<li><a href='{url}'>{title}</a><span>{date}</span></li>"
                   for url, (title, _, (where, date)) in REPORTS.items() if where == list_url)


def _farm() -> Farm:
    jia, yi = Site(JIA), Site(YI)
    latest = "".join(f"<li><a href='{url}'>{title}</a></li>" for url, (title, _, _) in REPORTS.items())
    jia.add("/", _page("甲峪县人民政府", f"""
      <div class='nav'><ul><li><a href='/zwgk/'>政务公开</a></li></ul></div>
      <div class='box'><h3>最新信息</h3><ul>{latest}</ul></div>"""))
    jia.add("/zwgk/", _page("政务公开", "<ul><li><a href='/zwgk/xxgknb/'>政府信息公开年报</a></li></ul>"))
    jia.add("/zwgk/xxgknb/", _page("政府信息公开年报", f"<ul class='list'>{_listing(JIA_LIST)}</ul>"
                                   "<div class='page'><a href='index_1.html'>下一页</a></div>"))
    pager_read = threading.Event()
    served = {url: threading.Event() for url, (_, _, (where, _)) in REPORTS.items() if where == YI_LIST}

    def next_page(method, path, headers, body):
        pager_read.set()  # the crawl asks for it only after reading the list's first page
        return 200, [("Content-Type", "text/html; charset=utf-8")], _page("政府信息公开年报", "<ul class='list'></ul>")

    def report(method, path, headers, body):
        url = f"http://{JIA}{path.split('?', 1)[0]}"
        if url not in REPORTS:
            return None
        if url == WAITS:
            pager_read.wait(30)
        title, own, _ = REPORTS[url]
        if url in served:
            served[url].set()
        info = f"<div class='info'>发布日期：{own}</div>" if own else ""
        return 200, [("Content-Type", "text/html; charset=utf-8")], \
            _page(title, f"<div class='article'><h1>{title}</h1>{info}{PARAS}</div>")

    jia.route("/zwgk/xxgknb/index_1.html", next_page)
    jia.route("/zwgk/content_", report)
    yi.add("/", _page("乙北县人民政府", "<div class='nav'><ul><li><a href='/xxgk/'>政府信息公开</a></li></ul></div>"))
    yi.add("/xxgk/", _page("政府信息公开", "<ul><li><a href='/xxgk/ndbg/'>政府信息公开年报</a></li></ul>"))
    yi_list = _page("政府信息公开年报", f"<ul class='list'>{_listing(YI_LIST)}</ul>")

    def year_report_list(method, path, headers, body):
        for event in served.values():  # after 甲峪县's captures of the reports it dates
            event.wait(30)
        return 200, [("Content-Type", "text/html; charset=utf-8")], yi_list

    yi.route("/xxgk/ndbg/", year_report_list)
    farm = Farm("listdate-distributed")
    farm.sites.update({JIA: jia, YI: yi})
    farm.portals += [Portal("甲峪县", f"http://{JIA}/", "河北省", "county"),
                     Portal("乙北县", f"http://{YI}/", "河北省", "county")]
    return farm


def _stat(log: str, name: str) -> int:
    m = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(m.group(1)) if m else 0


def _records(warc_dir) -> dict[str, dict]:
    out = {}
    for path in warc_files(warc_dir):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                if uri.startswith(LISTDATE_URI_PREFIX):
                    out[uri[len(LISTDATE_URI_PREFIX):]] = json.loads(rec.content_stream().read())
    return out


@pytest.fixture(scope="module")
def workers(redis_url, tmp_path_factory):  # noqa: F811 - the imported fixture, requested
    """w1 crawls 甲峪县 to its end, then w2 乙北县, one crawl id: {worker: (archive, log)}."""
    from farm.server import FarmServer

    farm = _farm()
    work = tmp_path_factory.mktemp("listdate-distributed")
    crawl_id = uuid.uuid4().hex[:12]
    out = {}
    with FarmServer(farm) as server:
        for worker, portal in (("w1", farm.portals[0]), ("w2", farm.portals[1])):
            portals = work / f"{worker}.csv"
            portals.write_text(f"name,url,province,level\n{portal.name},{portal.url},{portal.province},"
                               f"{portal.level}\n", encoding="utf-8")
            env = crawl_env(server.port)
            env.update({"SCRAPY_SETTINGS_MODULE": "settings.distributed", "NIANBAO_REDIS_URL": redis_url,
                        "NIANBAO_CRAWL_ID": crawl_id, "NIANBAO_WORKER_ID": worker, "NIANBAO_IDLE_TIMEOUT": "1"})
            proc = subprocess.run(crawl_command(portals, work / worker), cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr[-3000:]
            out[worker] = (work / worker, proc.stderr)
    return out


def test_w1_captured_every_report_and_w2_none(workers):
    rows = {row["page_url"]: row for row in report_rows(workers["w1"][0]).values()}
    assert set(rows) == set(REPORTS)
    assert report_rows(workers["w2"][0]) == {}
    assert _stat(workers["w2"][1], "nianbao/list_date_dropped_duplicate") == 2  # its two dated links


def test_a_date_for_a_request_waiting_in_redis_is_recorded_apart(workers):
    archive, log = workers["w1"]
    assert _stat(log, "nianbao/list_date_queued_copy") == 1
    assert _stat(log, "nianbao/list_date_late") == 0  # not given to a context nobody archives
    assert _records(archive / "warc") == {WAITS: {"url": WAITS, "list_date": want(WAITS), "list_url": JIA_LIST,
                                                  "portal": "甲峪县"}}
    rows = {row["page_url"]: row for row in report_rows(archive).values()}
    assert rows[WAITS]["published"] == want(WAITS)  # w1's own index too


def test_the_worker_that_reads_the_list_records_the_dates_of_another_workers_captures(workers):
    archive, _ = workers["w2"]
    listed = {url for url, (_, _, (where, _)) in REPORTS.items() if where == YI_LIST}
    assert _records(archive / "warc") == {url: {"url": url, "list_date": REPORTS[url][2][1], "list_url": YI_LIST,
                                                "portal": "乙北县"} for url in listed}


def test_the_merged_reindex_dates_every_report_and_keeps_a_pages_own_date(workers, tmp_path):
    db = tmp_path / "merged" / "reports.db"
    stats = reindex([str(workers[w][0] / "warc") for w in ("w1", "w2")], db)
    assert stats.list_dates == 3
    got = {row["page_url"]: row["published"] for row in report_rows(db.parent).values()}
    assert got == {url: want(url) for url in REPORTS}


def test_one_process_crawling_both_portals_dates_them_as_the_merge_does(tmp_path):
    from farm.server import FarmServer

    farm = _farm()
    farm.write_portals_csv(tmp_path / "portals.csv")
    with FarmServer(farm) as server:
        proc = run_crawl(tmp_path / "portals.csv", tmp_path / "archive", server.port, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = {row["page_url"]: row["published"] for row in report_rows(tmp_path / "archive").values()}
    assert got == {url: want(url) for url in REPORTS}
    assert _stat(proc.stderr, "nianbao/list_date_late") == 1  # R3, while its request waited
    assert _stat(proc.stderr, "nianbao/list_date_after_capture") == 2  # 乙北县's, after 甲峪县's captures
