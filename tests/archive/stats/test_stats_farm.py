"""Farm truth for the statistics tables (issue #18): reports of every template version with
numbers the farm knows, rendered as every document type the farm serves, read back by
extract() + archive.stats. The full measurement is `python -m bench.stats`; this is its
smallest run (one report per template version plus the erroneous one)."""
from __future__ import annotations

import sqlite3

import pytest

from archive.extract import extract
from archive.index import Index
from archive.reports.ingest import Ingest
from bench.stats.__main__ import measure
from farm.stats_reports import corpus, render


def test_numbers_land_and_only_the_erroneous_report_is_flagged():
    r = measure(per_template=1, seed=3)
    assert r["numbers"] > 2000
    assert r["landed_pct"] >= 99.0, r["misses"]
    f = r["checks"]
    assert f["erroneous"] and f["erroneous_flagged"] == f["erroneous"]
    assert f["correct"] and f["correct_flagged"] == 0
    # every template version and every document type was measured
    assert {k.split("|")[0] for k in r["cells"]} == {"2021", "2019", "pre2019"}
    assert len({k.split("|")[1] for k in r["cells"]}) == 7


def _ingest(db, reports):
    index = Index(db)
    ingest = Ingest(index)
    for i, sr in enumerate(reports):
        body, url, ctype = render(sr, "html-trs")
        ex = extract(body, url, ctype)
        ctx = {"portal": "统计样本", "kind": "report", "anchor": sr.report.title}
        cap = {"url": url, "warc_filename": "x.warc.gz", "warc_offset": i, "warc_length": 1,
               "record_id": f"<urn:uuid:{i}>", "payload_digest": f"sha1:{i}",
               "fetched_at": f"2026-01-0{1 + i % 9}T00:00:00Z", "status": 200}
        ingest.document(ctx, cap, ex)
    ingest.finish()
    index.close()


def test_ingest_writes_stats_checks_and_the_publisher_year_view(tmp_path):
    reports = corpus(1, seed=5)
    db = tmp_path / "reports.db"
    _ingest(db, reports)
    con = sqlite3.connect(db)
    n_reports = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert n_reports == len(reports)
    # every number of every report, by key, with the farm's value
    for sr in reports:
        rid = con.execute("SELECT id FROM reports WHERE title = ?", (sr.report.title,)).fetchone()[0]
        got = {(t, r, c): v for t, r, c, v in con.execute(
            'SELECT "table", row_key, col_key, value FROM report_stats WHERE report_id = ?', (rid,))}
        assert all(got.get(k) == v for k, v in sr.truth.items())
        statuses = {s for (s,) in con.execute("SELECT status FROM report_checks WHERE report_id = ?", (rid,))}
        assert statuses, "a report without a check row"
        assert ("fail" in statuses) == sr.erroneous
    view = {(p, y): row for p, y, *row in con.execute(
        "SELECT publisher, year, applications_received, reconsiderations, active_items, failed_checks "
        "FROM publisher_year_stats")}
    for sr in reports:
        row = view[(sr.report.publisher, sr.report.year)]
        if sr.template == "pre2019":
            assert row[0] == sr.truth[("legacy", "requests_received", "value")]
            assert row[2] == sr.truth[("legacy", "active_total", "value")]
        else:
            assert row[0] == sr.truth[("收到和处理申请", "new_requests", "total")]
            assert row[1] == sr.truth[("复议诉讼", "reconsideration", "total")]
            assert row[2] is None  # the 2019/2021 forms have no 主动公开 total
        assert (row[3] > 0) == sr.erroneous


def test_an_older_index_gets_its_statistics_on_open(tmp_path):
    reports = corpus(1, seed=6)[:2]
    db = tmp_path / "reports.db"
    _ingest(db, reports)
    con = sqlite3.connect(db)
    before = sorted(con.execute('SELECT report_id, "table", row_key, col_key, value FROM report_stats'))
    con.execute("DROP VIEW publisher_year_stats")
    for t in ("report_stats", "report_checks", "report_similarity"):
        con.execute(f"DROP TABLE {t}")
    con.commit()
    con.close()
    Index(db).close()
    con = sqlite3.connect(db)
    after = sorted(con.execute('SELECT report_id, "table", row_key, col_key, value FROM report_stats'))
    assert before and after == before


def _stats_tables(db) -> tuple[list, list]:
    con = sqlite3.connect(db)
    try:
        stats = sorted(con.execute(
            'SELECT report_id, template, "table", row_key, col_key, label, value, raw, unit, '
            "table_index, row, col FROM report_stats"))
        checks = sorted(con.execute(
            'SELECT report_id, "check", "column", status, numbers, message FROM report_checks'))
        return stats, checks
    finally:
        con.close()


def test_crawl_and_reindex_give_the_same_statistics(crawled, tmp_path):
    """The small farm crawled for real (seed 003's 2019 tables, seed 004's 统计表, the
    generated departments): reindexing its WARCs rebuilds report_stats and report_checks."""
    from archive.reindex import reindex

    archive, proc = crawled
    assert proc.returncode == 0, proc.stderr[-3000:]
    db = tmp_path / "reindexed.db"
    reindex(archive / "warc", str(db), jobs=1)
    crawl_stats, crawl_checks = _stats_tables(archive / "reports.db")
    assert crawl_stats and crawl_checks
    assert {r[1] for r in crawl_stats} >= {"2019", "pre2019"}
    got_stats, got_checks = _stats_tables(db)
    assert got_stats == crawl_stats
    assert got_checks == crawl_checks
    con = sqlite3.connect(archive / "reports.db")
    crawl_sim = sorted(con.execute("SELECT report_id, other_id, relation, similarity FROM report_similarity"))
    con.close()
    con = sqlite3.connect(db)
    assert crawl_sim and sorted(con.execute(
        "SELECT report_id, other_id, relation, similarity FROM report_similarity")) == crawl_sim
    con.close()
    # every report has its check rows (no silent success)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM reports WHERE id NOT IN "
                       "(SELECT report_id FROM report_checks)").fetchone()[0] == 0


@pytest.fixture(scope="module")
def stats_crawl(tmp_path_factory):
    """A real crawl of the 'stats' farm (TRS article pages and DOCX attachments on an old
    county site), then a reindex of its WARCs."""
    from archive.reindex import reindex
    from tests.conftest import _crawled, _served

    for farm in _served("stats"):
        archive, proc = _crawled(farm, tmp_path_factory, "stats-crawl")
        assert proc.returncode == 0, proc.stderr[-3000:]
        reindexed = tmp_path_factory.mktemp("stats-reindex") / "reports.db"
        reindex(archive / "warc", str(reindexed), jobs=1)
        yield farm, archive / "reports.db", reindexed


@pytest.mark.slow
def test_crawled_statistics_match_the_farm(stats_crawl):
    farm, crawl_db, reindexed = stats_crawl
    for db in (crawl_db, reindexed):
        con = sqlite3.connect(db)
        titles = dict(con.execute("SELECT title, id FROM reports"))
        assert set(farm.stats_truth) <= set(titles)
        numbers = landed = 0
        for title, sr in farm.stats_truth.items():
            got = {(t, r, c): v for t, r, c, v in con.execute(
                'SELECT "table", row_key, col_key, value FROM report_stats WHERE report_id = ?',
                (titles[title],))}
            numbers += len(sr.truth)
            landed += sum(1 for k, v in sr.truth.items() if k in got and got[k] == v)
            failed = con.execute("SELECT count(*) FROM report_checks WHERE report_id = ? AND status = 'fail'",
                                 (titles[title],)).fetchone()[0]
            assert bool(failed) == sr.erroneous, title
        con.close()
        assert numbers > 1000 and landed / numbers >= 0.99, (landed, numbers)
    assert _stats_tables(crawl_db) == _stats_tables(reindexed)
