"""`python -m archive reindex` rebuilds the crawl-time index from the WARC files alone.

The crawl of the sample farm (the `crawled` fixture: a real `scrapy crawl reports`) writes
WARCs and reports.db; reindexing those WARCs must give the same rows, row by row, ignoring
only fetch bookkeeping (when a row was first/last seen by a run).
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.reindex import plan, reindex
from tests.crawling import fts_entries, fts_entries_of_rows
from tests.paths import ROOT

BOOKKEEPING = {"first_seen", "last_seen"}
CAPTURE_COLS = ("url, method, status, content_type, payload_digest, warc_filename, warc_offset, warc_length, "
                "fetched_at, portal, kind, record_type, record_id")


def rows(db: Path, table: str, where: str = "") -> dict:
    con = sqlite3.connect(db)
    try:
        cur = con.execute(f"SELECT * FROM {table} {where}")
        cols = [d[0] for d in cur.description]
        return {r[0]: {c: v for c, v in zip(cols, r) if c not in BOOKKEEPING} for r in cur}
    finally:
        con.close()


def portal_rows(db: Path) -> dict:
    """The portals table without last_crawl (the crawl stamps it when its pipeline closes, the
    summary record a moment later)."""
    got = rows(db, "portals")
    assert all(r["last_crawl"] for r in got.values()), "a portal row without last_crawl"
    return {name: {c: v for c, v in r.items() if c != "last_crawl"} for name, r in got.items()}


def captures(db: Path) -> list:
    con = sqlite3.connect(db)
    try:
        # Failures without a response (DNS, refused) are crawl bookkeeping: not in any WARC.
        return sorted(con.execute(f"SELECT {CAPTURE_COLS} FROM captures WHERE warc_filename IS NOT NULL"))
    finally:
        con.close()


@pytest.fixture(scope="module")
def crawl_archive(crawled):
    archive, proc = crawled
    assert proc.returncode == 0, proc.stderr[-3000:]
    warc = archive / "warc"
    assert list(warc.glob("*.warc.gz")), "the crawl wrote no WARC"
    return archive


def test_reindex_equals_crawl_index(crawl_archive, tmp_path):
    db = tmp_path / "reindexed.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "archive", "reindex", "--warc", str(crawl_archive / "warc"),
                        "--db", str(db)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{os.cpu_count()} process(es)" in r.stdout  # all cores by default
    crawl_db = crawl_archive / "reports.db"
    expected, got = rows(crawl_db, "reports"), rows(db, "reports")
    assert expected, "the crawl indexed no report"
    assert sorted(got) == sorted(expected)
    for rid, row in expected.items():
        diff = {c: (row[c], got[rid].get(c)) for c in row if row[c] != got[rid].get(c)}
        assert not diff, f"report {rid} ({row['page_url']}) differs: {diff}"
    assert captures(db) == captures(crawl_db)
    # every portal's outcome (status, reason, pages, reports) from the crawl's summary record
    crawl_portals = portal_rows(crawl_db)
    assert crawl_portals and {r["status"] for r in crawl_portals.values()} >= {"ok"}
    assert portal_rows(db) == crawl_portals
    assert "portal row(s) from crawl summaries" in r.stdout
    # the full-text index too: the same tokens at the same places of the same reports
    crawl_fts = fts_entries(crawl_db)
    assert crawl_fts and fts_entries(db) == crawl_fts == fts_entries_of_rows(crawl_db)


def test_parallel_ranges_equal_single_process(crawl_archive, tmp_path):
    """Cutting the WARCs into many small byte ranges over several processes gives exactly
    the database one process gives."""
    warc = crawl_archive / "warc"
    ranges = plan(warc, range_bytes=16_000)
    files = {j.path for j in ranges}
    assert len(ranges) > 2 * len(files), "the test must really split files"
    one = reindex(warc, tmp_path / "one.db", jobs=1)
    many = reindex(warc, tmp_path / "many.db", jobs=3, range_bytes=16_000)
    assert one.exchanges == many.exchanges and one.reports == many.reports
    assert rows(tmp_path / "one.db", "reports") == rows(tmp_path / "many.db", "reports")
    assert portal_rows(tmp_path / "many.db") == portal_rows(tmp_path / "one.db") == portal_rows(crawl_archive / "reports.db")
    assert captures(tmp_path / "one.db") == captures(tmp_path / "many.db")
    assert not one.record_errors and not many.record_errors


def test_reindex_replaces_existing_db_atomically(crawl_archive, tmp_path):
    db = tmp_path / "reports.db"
    db.write_bytes(b"not a database")
    stats = reindex(crawl_archive / "warc", db, jobs=2)
    assert stats.reports > 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == len(rows(crawl_archive / "reports.db", "reports"))
    run = con.execute("SELECT finish_reason FROM crawl_runs").fetchall()
    assert run == [("reindex",)]
    assert not Path(str(db) + ".reindex-tmp").exists()


def versions(db: Path) -> list:
    con = sqlite3.connect(db)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(report_versions)")]
        keep = [c for c in ("report_id", "version", "url", "title", "text", "payload_digest", "warc_filename",
                            "warc_offset") if c in cols]
        return sorted(con.execute(f"SELECT {', '.join(keep)} FROM report_versions"))
    finally:
        con.close()


def test_reindex_after_refresh_runs_equals_crawl_index(tmp_path):
    """Three crawls into one ARCHIVE_DIR: the second finds nothing changed (revisit records,
    no re-extraction, report pages not due); before the third, reports are added, edited and removed on the farm.
    Reindexing all the runs' WARCs must give the crawl's rows: current texts, history in
    report_versions, removed reports marked."""
    from farm import build_farm
    from farm.server import FarmServer
    from tests.crawling import run_crawl

    farm = build_farm("small")  # our own: the session farm must not be mutated
    portals = tmp_path / "portals.csv"
    farm.write_portals_csv(portals)
    archive = tmp_path / "archive"
    with FarmServer(farm, record=False) as srv:
        for run in range(3):
            if run == 2:
                from farm.corpus import Report

                mutable = [(name, [f"http://{c.host}{item.href}" for c in cols for item, obj in c.entries
                                   if isinstance(obj, Report)]) for name, cols in farm.columns.items()]
                mutable = [(name, pages) for name, pages in mutable if len(pages) >= 2]
                assert len(mutable) >= 2, "the farm has too few mutable columns for this test"
                farm.add_report(mutable[0][0])
                farm.edit_report(mutable[0][1][0])
                farm.remove_report(mutable[1][1][-1])
            # run 2 is the next day's (report pages not due); run 3 comes when they are due
            proc = run_crawl(portals, archive, srv.port, {"NIANBAO_RECHECK_DAYS": "0"} if run == 2 else None)
            assert proc.returncode == 0, proc.stderr[-3000:]
    con = sqlite3.connect(archive / "reports.db")
    revisits = con.execute("SELECT count(*) FROM captures WHERE record_type = 'revisit'").fetchone()[0]
    removed = con.execute("SELECT count(*) FROM reports WHERE removed_at IS NOT NULL").fetchone()[0]
    con.close()
    assert revisits > 0, "the refresh runs archived no revisit: nothing to test"
    assert removed >= 1 and versions(archive / "reports.db"), "the crawl recorded no removal or no history"
    db = tmp_path / "re.db"
    stats = reindex(archive / "warc", db, jobs=2)
    assert not stats.record_errors and not stats.failures
    expected, got = rows(archive / "reports.db", "reports"), rows(db, "reports")
    assert expected and sorted(got) == sorted(expected)
    for rid, row in expected.items():
        diff = {c: (row[c], got[rid].get(c)) for c in row if c != "removed_at" and row[c] != got[rid].get(c)}
        assert not diff, f"report {rid} ({row['page_url']}) differs: {diff}"
        assert (row["removed_at"] is None) == (got[rid]["removed_at"] is None), row["page_url"]
    assert removed == sum(1 for r in got.values() if r["removed_at"] is not None)
    assert versions(db) == versions(archive / "reports.db")
    assert captures(db) == captures(archive / "reports.db")
    assert stats.portals == 3 * len(portal_rows(db))  # one summary per run; the last one's rows are the crawl's
    assert portal_rows(db) == portal_rows(archive / "reports.db")
    # an edited report's old tokens were deleted from the contentless FTS table, in both
    crawl_fts = fts_entries(archive / "reports.db")
    assert crawl_fts == fts_entries_of_rows(archive / "reports.db")
    assert fts_entries(db) == crawl_fts


def test_merge_worker_rows_adds_up_and_keeps_the_walking_workers_status():
    from archive.reindex import merge_worker_rows

    walker = {"name": "p", "status": "no_reports", "reason": "no report found after 9 pages", "pages": 9,
              "reports": 0, "errors": 1}
    other = {"name": "p", "status": "dead", "reason": None, "pages": 4, "reports": 0, "errors": 0}
    merged = merge_worker_rows([other, walker])
    assert (merged["status"], merged["reason"], merged["pages"], merged["errors"]) == \
        ("no_reports", walker["reason"], 13, 1)
    # reports found by a worker that never saw the home page (it calls the portal dead)
    finder = dict(other, reports=5)
    merged = merge_worker_rows([walker, finder])
    assert (merged["status"], merged["reason"], merged["reports"], merged["pages"]) == ("ok", None, 5, 13)
    assert merge_worker_rows([walker]) == walker


def test_run_summaries_of_one_crawl_merge_but_a_reused_crawl_id_does_not(tmp_path):
    """Workers of one distributed crawl (same crawl id, runs overlapping) add up; the same
    crawl id used again the next night is another crawl, whose summaries replace the first's."""
    from archive.index import Index
    from archive.reindex import apply_run_summary

    def summary(worker, run, finished, pages, reports, status):
        row = {"name": "p", "url": "http://p.example/", "status": status, "pages": pages,
               "reports": reports, "errors": 0}
        return {"crawl": "nightly", "worker": worker, "run": run, "finished": finished, "portals": {"p": row}}

    ix = Index(tmp_path / "reports.db")
    crawls: dict = {}
    apply_run_summary(ix, summary("a", "2026-12-01T01:00:00Z", "2026-12-01T02:00:00Z", 10, 4, "ok"), crawls)
    apply_run_summary(ix, summary("b", "2026-12-01T01:00:05Z", "2026-12-01T02:10:00Z", 7, 0, "dead"), crawls)
    query = "select status, pages, reports from portals"
    assert [tuple(r) for r in ix.conn.execute(query)] == [("ok", 17, 4)]
    # worker ids default to <host>-<pid>: new ones each night
    apply_run_summary(ix, summary("c", "2026-12-02T01:00:00Z", "2026-12-02T02:00:00Z", 3, 0, "no_reports"), crawls)
    apply_run_summary(ix, summary("d", "2026-12-02T01:00:02Z", "2026-12-02T01:30:00Z", 2, 0, "dead"), crawls)
    assert [tuple(r) for r in ix.conn.execute(query)] == [("no_reports", 5, 0)]
    ix.close()


def test_listdate_records_date_the_rows_whatever_their_place_in_the_warcs(tmp_path):
    """`urn:nianbao:listdate:` records (a date a list gave a report after its capture): one
    after a cover page whose attachment comes later still, one in another worker's WARC that
    is read before the report's capture. One process or many small ranges, the rows are dated."""
    from datetime import datetime, timezone

    from archive.warc import HttpExchange, WarcWriter
    from farm.docs import pdf_bytes

    host = "http://www.xiangyang.gov.cn"
    title = "襄阳市人民政府2017年政府信息公开工作年度报告"
    cover, pdf, page = host + "/zwgk/content_1.html", host + "/zwgk/P0201803.pdf", host + "/zwgk/content_2.html"
    paras = "".join(f"<p>{n}、本年度本机关认真贯彻落实政府信息公开工作要求，主动公开政府信息。</p>" for n in "一二三四五六")

    def html(body: str) -> bytes:
        return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>".encode()

    def exchange(url: str, body: bytes, ctype: str = "text/html; charset=utf-8") -> HttpExchange:
        return HttpExchange("GET", url, [("User-Agent", "t")], b"", 200, "OK", [("Content-Type", ctype)], body,
                            fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc))

    def ctx(kind: str, **kw) -> dict:
        return {"portal": "襄阳市", "kind": kind, "anchor": title, **kw}

    def dated(url: str) -> dict:
        return {"url": url, "list_date": "2018-04-01", "list_url": host + "/zwgk/ndbg/", "portal": "襄阳市"}

    warc = tmp_path / "warc"
    with WarcWriter(warc, worker_id="w1") as w:   # read first: the date before its capture
        w.write_list_date(dated(page))
    with WarcWriter(warc, worker_id="w2") as w:
        w.write_exchange(exchange(cover, html(f"<h1>{title}</h1><p>详见附件：<a href='{pdf}'>{title}.pdf</a></p>")),
                         ctx("report"))
        w.write_list_date(dated(cover))           # the cover waits for its attachment
        w.write_exchange(exchange(page, html(f"<h1>{title}</h1>{paras}")), ctx("report"))
        w.write_exchange(exchange(pdf, pdf_bytes(title, ["一、总体情况。" * 40]), "application/pdf"),
                         ctx("attachment", page_url=cover, page_title=title, anchor=f"{title}.pdf"))
    assert len(plan(warc, range_bytes=600)) > 3  # the small ranges really cut the files
    for jobs, range_bytes in ((1, 1 << 22), (2, 600)):
        db = tmp_path / f"jobs{jobs}.db"
        stats = reindex(warc, db, jobs=jobs, range_bytes=range_bytes)
        assert stats.list_dates == 2
        got = {r["page_url"]: (r["url"], r["published"]) for r in rows(db, "reports").values()}
        assert got == {cover: (pdf, "2018-04-01"), page: (page, "2018-04-01")}
