"""A list that dates a report only in a later run, when the report is indexed already: three
real crawls of one portal served on loopback into one archive, then `reconcile` after a
simulated kill.

1. the year's list shows no dates: the rows hold the page's own date, their URL's, or none;
2. the next day (report pages not due: left alone) the list shows dates beside group A;
3. a week later (report pages due: asked again, answered 304, archived as revisits) the list
   shows dates beside groups A and B.

The run that learns a date writes a `urn:nianbao:listdate:` record and dates the row when the
date beats what the row holds (a URL's date or none; never a page's own); a later run showing
the same date writes nothing again. `archive reindex` of the WARCs and `reconcile` after a
kill that lost the second run's index writes give the same rows.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.reconcile import reconcile
from archive.reindex import reindex
from archive.warc import LISTDATE_URI_PREFIX, warc_files
from farm import Farm
from farm.sites import Portal, Site
from tests.crawler.test_list_date_after_capture import PARAS  # the same report body
from tests.crawler.test_walk import _page
from tests.crawling import report_rows, run_crawl

pytestmark = pytest.mark.slow

HOST = "www.qingshui.gov.cn"
LIST_URL = f"http://{HOST}/zwgk/xxgknb/"
# the date the list shows beside each group, from the run given on
LIST_DATES = {"A": ("2024-01-18", 2), "B": ("2024-01-22", 3)}
DUE = {"NIANBAO_RECHECK_DAYS": "0"}
# path -> (title, the page's own 发布日期, the date in its URL, the group its list date is of)
REPORTS = {
    "/zwgk/content_9101.html": ("清水县2023年政府信息公开工作年度报告", None, None, "A"),
    "/zwgk/202401/t20240105_9102.html": ("清水县财政局2023年政府信息公开工作年度报告", None, "2024-01-05", "A"),
    "/zwgk/content_9103.html": ("清水县教育局2023年政府信息公开工作年度报告", "2024-01-10", None, "A"),
    "/zwgk/content_9104.html": ("清水县民政局2023年政府信息公开工作年度报告", None, None, "B"),
    "/zwgk/202401/t20240106_9105.html": ("清水县交通运输局2023年政府信息公开工作年度报告", None, "2024-01-06", "B"),
}


def want(path: str, run: int) -> tuple[str | None, str | None]:
    """(published, published_source) of a report after run `run`: the page's own date, else
    the list's once the list shows it, else the URL's."""
    _, own, in_url, group = REPORTS[path]
    list_date, since = LIST_DATES[group]
    if own:
        return own, "page"
    if run >= since:
        return list_date, "list"
    return (in_url, "url") if in_url else (None, None)


def _portal(run: list[int]) -> tuple[Site, Portal]:
    site = Site(HOST)
    site.add("/", _page("清水县人民政府", "<div class='nav'><ul><li><a href='/zwgk/'>政务公开</a></li></ul></div>"))
    site.add("/zwgk/", _page("政务公开", "<ul><li><a href='/zwgk/xxgknb/'>政府信息公开年报</a></li></ul>"))
    for path, (title, own, _, _) in REPORTS.items():
        info = f"<div class='info'>发布日期：{own}</div>" if own else ""
        site.add(path, _page(title, f"<div class='article'><h1>{title}</h1>{info}{PARAS}</div>"))

    def year_report_list() -> bytes:
        items = []
        for path, (title, _, _, group) in REPORTS.items():
            date, since = LIST_DATES[group]
            shown = f"<span>{date}</span>" if run[0] >= since else ""
            items.append(f"<li><a href='{path}'>{title}</a>{shown}</li>")
        return _page("政府信息公开年报", f"<ul class='list'>{''.join(items)}</ul>")

    site.add("/zwgk/xxgknb/", year_report_list)
    return site, Portal("清水县", f"http://{HOST}/", "甘肃省", "county")


def _stat(stderr: str, name: str) -> int:
    m = re.search(rf"'{re.escape(name)}': (\d+)", stderr)
    return int(m.group(1)) if m else 0


def _records(paths) -> tuple[dict[str, dict], list[tuple[str, str]]]:
    """The listdate records (URI -> JSON) and every (record type, target URI) of WARC files."""
    dated, order = {}, []
    for path in paths:
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                order.append((rec.rec_type, uri))
                if uri.startswith(LISTDATE_URI_PREFIX):
                    assert uri not in dated, f"{uri} twice"
                    dated[uri] = json.loads(rec.content_stream().read())
    return dated, order


def _dates(archive_or_rows) -> dict[str, tuple]:
    rows = archive_or_rows if isinstance(archive_or_rows, dict) else report_rows(archive_or_rows)
    return {row["page_url"]: (row["published"], row["published_source"]) for row in rows.values()}


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    from farm.server import FarmServer

    run = [1]
    site, portal = _portal(run)
    farm = Farm("listdate-refresh")
    farm.sites[site.host] = site
    farm.portals.append(portal)
    work = tmp_path_factory.mktemp("listdate-refresh")
    farm.write_portals_csv(work / "portals.csv")
    archive = work / "archive"
    out = {"work": work, "archive": archive, "rows": {}, "files": {}, "stderr": {}}
    with FarmServer(farm) as server:
        for n, settings in ((1, None), (2, None), (3, DUE)):
            run[0] = n
            before = set(warc_files(archive / "warc")) if archive.exists() else set()
            proc = run_crawl(work / "portals.csv", archive, server.port, settings, timeout=300)
            assert proc.returncode == 0, proc.stderr[-3000:]
            out["stderr"][n] = proc.stderr
            out["rows"][n] = report_rows(archive)
            out["files"][n] = sorted(set(warc_files(archive / "warc")) - before)
            if n == 1:  # the index as the first run left it (for the kill of the second)
                src, dst = sqlite3.connect(archive / "reports.db"), sqlite3.connect(work / "after-run-1.db")
                src.backup(dst)
                src.close(), dst.close()
            if n == 2:  # the archive as the second run left it (reconcile works on a copy)
                shutil.copytree(archive, work / "after-run-2")
    return out


def test_a_refresh_that_leaves_the_reports_alone_dates_them_from_the_list(refreshed):
    # the first run: the page's own date, the URL's or none, and no record
    assert _dates(refreshed["rows"][1]) == {f"http://{HOST}{p}": want(p, 1) for p in REPORTS}
    assert _records(refreshed["files"][1])[0] == {}
    stderr = refreshed["stderr"][2]
    assert _stat(stderr, "nianbao/refresh/reports_not_due") == len(REPORTS)  # no report page asked
    assert _dates(refreshed["rows"][2]) == {f"http://{HOST}{p}": want(p, 2) for p in REPORTS}
    # a record for each report the list's date changed, none for the page that states its own
    changed = [p for p in REPORTS if want(p, 2) != want(p, 1)]
    assert len(changed) == 2
    records, _ = _records(refreshed["files"][2])
    assert records == {LISTDATE_URI_PREFIX + f"http://{HOST}{p}": {
        "url": f"http://{HOST}{p}", "list_date": want(p, 2)[0], "list_url": LIST_URL, "portal": "清水县"}
        for p in changed}
    assert _stat(stderr, "nianbao/refresh/list_date_known") == len(changed)
    assert _stat(stderr, "nianbao/reports_dated_after_capture") == len(changed)


def test_a_refresh_that_finds_the_pages_unchanged_dates_them_and_writes_no_date_twice(refreshed):
    stderr = refreshed["stderr"][3]
    records, order = _records(refreshed["files"][3])
    # every report page was asked again and archived as a revisit (unchanged)
    assert {uri for kind, uri in order if kind == "revisit"} >= {f"http://{HOST}{p}" for p in REPORTS}
    assert _dates(refreshed["rows"][3]) == {f"http://{HOST}{p}": want(p, 3) for p in REPORTS}
    # only group B is news: group A's dates were recorded by the second run
    changed = [p for p in REPORTS if want(p, 3) != want(p, 2)]
    assert [REPORTS[p][3] for p in changed] == ["B", "B"]
    assert set(records) == {LISTDATE_URI_PREFIX + f"http://{HOST}{p}" for p in changed}
    assert _stat(stderr, "nianbao/refresh/list_date_known") == len(changed)


def test_reindex_of_the_three_runs_gives_the_crawls_rows(refreshed):
    db = refreshed["work"] / "rebuilt" / "reports.db"
    stats = reindex(refreshed["archive"] / "warc", db)
    assert stats.list_dates == 4
    assert _dates(report_rows(db.parent)) == _dates(refreshed["rows"][3])


def test_reconcile_after_a_kill_dates_the_rows_the_killed_run_dated(refreshed):
    """The second run killed after its WARC records but before any index write: the index is
    the first run's, with the second run's row open. The captures the dates belong to are in
    the first run's WARC, which reconcile does not re-read; the records date the rows."""
    work = refreshed["work"]
    killed = work / "after-run-2"
    db = killed / "reports.db"
    for suffix in ("-wal", "-shm"):
        (killed / f"reports.db{suffix}").unlink(missing_ok=True)
    shutil.copy(work / "after-run-1.db", db)
    con = sqlite3.connect(db)
    started = sqlite3.connect(refreshed["archive"] / "reports.db").execute(
        "SELECT started_at FROM crawl_runs ORDER BY id LIMIT 1 OFFSET 1").fetchone()[0]
    con.execute("INSERT INTO crawl_runs (started_at) VALUES (?)", (started,))
    con.commit()
    con.close()
    assert _dates(killed) == _dates(refreshed["rows"][1])
    # reconcile re-reads the files written since the open run started, to the second; the
    # first run ended in the second the next one started, now and then (a flaky re-read)
    second = {p.rsplit("/", 1)[-1] for p in refreshed["files"][2]}
    for f in (killed / "warc").iterdir():
        if f.name not in second:
            t = f.stat().st_mtime - 2
            os.utime(f, (t, t))
    done = reconcile(db, killed / "warc")
    assert set(done.files) == second  # the second run's only
    assert _dates(killed) == _dates(refreshed["rows"][2]) == {f"http://{HOST}{p}": want(p, 2) for p in REPORTS}
    assert (done.list_date_records, done.list_dates) == (2, 2)
    assert "2 report(s) dated by 2 list date record(s)" in done.summary()
    rebuilt = work / "rebuilt-2" / "reports.db"
    reindex(killed / "warc", rebuilt)
    assert _dates(report_rows(rebuilt.parent)) == _dates(killed)
