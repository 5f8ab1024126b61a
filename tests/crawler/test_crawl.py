"""End to end: `scrapy crawl reports` against the sample portal farm → WARC → text → SQLite.

One real crawl (the session fixture `crawled`) of the small farm: TRS portals with JavaScript
pagers, a Hanweb portal whose later list pages come only from POST dataproxy.jsp, and a legacy
county site with reports published only as PDF/DOCX attachments.
"""
from __future__ import annotations

import json

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.index.search import search
from tests.crawling import connect_index, run_crawl, squash, warcio_cli


@pytest.fixture(scope="module")
def db(crawled):
    archive, proc = crawled
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = connect_index(archive)
    yield con
    con.close()


def test_found_reports_equal_the_farm_truth(farm, db):
    found = {(r["portal"], r["page_url"], r["url"]) for r in db.execute("select * from reports")}
    expected = {(t.portal, t.page_url, t.url) for t in farm.truth}
    assert found == expected


def test_metadata_per_report(farm, db):
    rows = {r["page_url"]: r for r in db.execute("select * from reports")}
    for t in farm.truth:
        row = rows[t.page_url]
        assert (row["title"], row["year"], row["published"], row["publisher"]) == (
            t.title, t.year, t.published, t.publisher), t.page_url
        assert row["content_type"] == t.content_type
        if t.index_no:
            assert row["index_no"] == t.index_no


def test_text_equals_gold_text(farm, db):
    rows = {r["page_url"]: r for r in db.execute("select page_url, text from reports")}
    for t in farm.truth:
        assert squash(rows[t.page_url]["text"]) == squash(t.text), t.page_url


def test_table_rows_are_pipe_joined_lines(farm, db):
    # The 2019-layout report (seed 003) has fixed tables; every gold table row is one line.
    checked = 0
    rows = {r["page_url"]: r["text"] for r in db.execute("select page_url, text from reports")}
    for t in farm.truth:
        gold_rows = [line for line in t.text.splitlines() if " | " in line]
        lines = {squash(line) for line in rows[t.page_url].splitlines()}
        for line in gold_rows:
            assert squash(line) in lines, line
            checked += 1
    assert checked > 50


def test_warc_files_hold_a_response_for_every_report_document(farm, crawled):
    archive, _ = crawled
    warcs = sorted((archive / "warc").glob("*.warc.gz"))
    assert warcs and not list((archive / "warc").glob("*.open"))
    responses, requests, post_requests, infos = set(), 0, 0, 0
    for path in warcs:
        with open(path, "rb") as f:
            first = True
            for record in ArchiveIterator(f):
                if first:
                    assert record.rec_type == "warcinfo"
                    first = False
                if record.rec_type == "warcinfo":
                    infos += 1
                elif record.rec_type == "response":
                    responses.add(record.rec_headers.get_header("WARC-Target-URI"))
                elif record.rec_type == "request":
                    requests += 1
                    if record.http_headers.protocol == "POST":
                        post_requests += 1
    for t in farm.truth:
        assert t.page_url in responses and t.url in responses
    assert requests >= len(responses) > len(farm.truth)
    assert post_requests >= 1  # the Hanweb dataproxy.jsp list calls
    assert any(u.endswith("/robots.txt") for u in responses)


def test_warcio_check_and_index_accept_every_file(crawled):
    archive, _ = crawled
    for path in sorted((archive / "warc").glob("*.warc.gz")):
        check = warcio_cli("check", "-v", path)
        assert check.returncode == 0, check.stdout + check.stderr
        index = warcio_cli("index", path)
        assert index.returncode == 0 and index.stdout.count("\n") >= 3


def test_captures_and_portals_tables(farm, db):
    captured = db.execute("select count(*) from captures where status = 200").fetchone()[0]
    assert captured > len(farm.truth)
    # Every report row points at the WARC record holding its document.
    for r in db.execute("select url, warc_filename, warc_offset from reports"):
        hit = db.execute("select 1 from captures where url = ? and warc_filename = ? and warc_offset = ?",
                         (r["url"], r["warc_filename"], r["warc_offset"])).fetchone()
        assert hit, r["url"]
    portals = {r["name"]: r for r in db.execute("select * from portals")}
    assert set(portals) == {p.name for p in farm.portals}
    for p in farm.portals:
        assert portals[p.name]["status"] == "ok"
        assert portals[p.name]["reports"] == len(farm.truth_for(p.name))
        assert portals[p.name]["pages"] > 0


def test_search_two_and_four_character_queries(crawled, farm):
    archive, _ = crawled
    db_path = archive / "reports.db"
    two = search(db_path, "复议", limit=100)
    with_word = [t for t in farm.truth if "复议" in t.text or "复议" in t.title]
    assert with_word and len(two) == len(with_word)
    four = search(db_path, "行政复议", limit=100)
    assert {h["page_url"] for h in four} == {t.page_url for t in farm.truth if "行政复议" in t.text + t.title}
    assert search(db_path, "不存在的词语组合", limit=5) == []


def test_run_summary_written(crawled):
    archive, _ = crawled
    summary = json.loads((archive / "last-run.json").read_text(encoding="utf-8"))
    assert summary["status"] == "ok" and summary["finish_reason"] == "finished"
    assert summary["reports"] > 0
    # The progress line (pages, reports, errors, rate) closes the log of every run.
    progress = [line for line in _.stderr.splitlines() if "progress:" in line]
    assert progress and f"{summary['reports']} reports" in progress[-1]


def test_bad_portals_file_fails_cleanly_and_writes_nothing(tmp_path):
    bad = tmp_path / "portals.csv"
    bad.write_text("name,url\n甲市,http://www.a.gov.cn/\n乙市,http://www.b.gov.cn/\n丙市,\n", encoding="utf-8")
    archive = tmp_path / "archive"
    proc = run_crawl(bad, archive, None, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == "nianbao: error: portals.csv line 4: missing url"
    assert "Traceback" not in proc.stderr
    assert not archive.exists()
    proc = run_crawl(tmp_path / "missing.csv", archive, None, timeout=120)
    assert proc.returncode == 2 and "no such file" in proc.stderr and not archive.exists()
