"""archive.index: schema, migration/refusal, upserts with history, captures, portals, runs,
and the FTS table kept in step — on real SQLite files, with real report texts (seeds)."""

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from archive.index import SCHEMA_VERSION, Index, IndexSchemaError, report_id, search

SEEDS = Path("/work/shared/seeds")


def seed_text(n: int) -> str:
    return next(SEEDS.glob(f"{n:03d}_*.txt")).read_text(encoding="utf-8")


def report(page_url="http://www.suizhou.gov.cn/zwgk/2021/t20210201_1.shtml", **kw):
    row = {
        "page_url": page_url,
        "url": page_url,
        "portal": "随州市",
        "province": "湖北省",
        "level": "city",
        "title": "随州市2020年政府信息公开工作年度报告",
        "year": 2020,
        "published": "2021-01-29",
        "publisher": "随州市政务服务和大数据管理局",
        "text": seed_text(3),
        "tables": [["信息内容", "本年新制作数量"], ["规章", "0"]],
        "content_type": "html",
        "needs_ocr": False,
        "replacement_chars": 0,
        "warc_filename": "nianbao-20210201000000-00000-www.suizhou.gov.cn.warc.gz",
        "warc_offset": 1234,
        "payload_digest": "sha1:AAAA",
        "fetched_at": "2021-02-01T08:00:00Z",
    }
    row.update(kw)
    return row


def fts_ids(path, query):
    return [h["id"] for h in search.search(path, query, limit=50)]


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "reports.db"


def test_new_schema_wal_and_version(db_path):
    Index(db_path).close()
    db = sqlite_utils.Database(db_path)
    assert {"meta", "reports", "report_versions", "captures", "portals", "crawl_runs",
            "reports_fts"} <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    meta = {r["key"]: r["value"] for r in db["meta"].rows}
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert meta["fts_segmenter"] == search.SEGMENTER_VERSION
    cols = set(db["reports"].columns_dict)
    for c in ("id page_url url portal province level title year published publisher "
              "index_no written text tables content_type needs_ocr replacement_chars "
              "warc_filename warc_offset payload_digest fetched_at first_seen last_seen "
              "removed_at version").split():
        assert c in cols
    assert db["reports"].pks == ["id"]
    # reopening an index of the current version changes nothing and does not fail
    Index(db_path).close()


def test_upsert_new_unchanged_changed_keeps_history(db_path):
    ix = Index(db_path)
    r1 = report()
    assert ix.upsert_report(r1) == "new"
    # same payload digest, later: unchanged, only last_seen moves
    assert ix.upsert_report(dict(r1, fetched_at="2021-03-01T00:00:00Z")) == "unchanged"
    # other digest (page chrome changed) but the same text: still unchanged
    assert ix.upsert_report(dict(r1, payload_digest="sha1:BBBB",
                                 fetched_at="2021-04-01T00:00:00Z")) == "unchanged"
    edited = r1["text"].replace("依申请公开类信件40件", "依申请公开类信件41件")
    r2 = dict(r1, text=edited, payload_digest="sha1:CCCC", warc_offset=99999,
              fetched_at="2021-05-01T00:00:00Z")
    assert ix.upsert_report(r2) == "changed"
    ix.close()

    db = sqlite_utils.Database(db_path)
    rows = list(db["reports"].rows)
    assert len(rows) == 1, "a report never gets two rows"
    cur = rows[0]
    assert cur["id"] == report_id(r1["page_url"])
    assert cur["version"] == 2 and cur["text"] == edited and cur["warc_offset"] == 99999
    assert cur["first_seen"] == "2021-02-01T08:00:00Z"
    assert cur["last_seen"] == "2021-05-01T00:00:00Z"
    assert json.loads(cur["tables"])[1] == ["规章", "0"]
    (old,) = db["report_versions"].rows
    assert old["report_id"] == cur["id"] and old["version"] == 1
    assert old["text"] == r1["text"] and old["warc_offset"] == 1234
    assert old["last_seen"] == "2021-04-01T00:00:00Z"
    assert old["replaced_at"] == "2021-05-01T00:00:00Z"
    # FTS follows the current text: 41件 is findable, 40件 is not any more
    assert fts_ids(db_path, "41件") == [cur["id"]]
    assert fts_ids(db_path, "40件") == []


def test_out_of_order_capture_becomes_past_version(db_path):
    """Re-indexing WARCs in parallel may feed a newer capture first."""
    ix = Index(db_path)
    new_text = seed_text(3) + "\n补充说明"
    assert ix.upsert_report(report(text=new_text, payload_digest="sha1:N",
                                   fetched_at="2022-01-01T00:00:00Z")) == "new"
    assert ix.upsert_report(report(fetched_at="2021-02-01T00:00:00Z")) == "unchanged"
    ix.close()
    db = sqlite_utils.Database(db_path)
    (cur,) = db["reports"].rows
    assert cur["text"] == new_text and cur["version"] == 2
    assert cur["first_seen"] == "2021-02-01T00:00:00Z"
    (old,) = db["report_versions"].rows
    assert old["version"] == 1 and old["payload_digest"] == "sha1:AAAA"


def test_removed_and_seen_again(db_path):
    ix = Index(db_path)
    ix.upsert_report(report())
    ix.upsert_report(report(page_url="http://www.suizhou.gov.cn/other.html",
                            text=seed_text(0), payload_digest="sha1:X"))
    assert ix.mark_removed(["http://www.suizhou.gov.cn/other.html"],
                           "2022-02-01T00:00:00Z") == 1
    # already removed: the first removal date is kept
    assert ix.mark_removed([report_id("http://www.suizhou.gov.cn/other.html")],
                           "2022-03-01T00:00:00Z") == 0
    ix.commit()
    got = ix.get_report("http://www.suizhou.gov.cn/other.html")
    assert got["removed_at"] == "2022-02-01T00:00:00Z"
    assert ix.mark_seen("http://www.suizhou.gov.cn/other.html", "2022-04-01T00:00:00Z") == 1
    got = ix.get_report("http://www.suizhou.gov.cn/other.html")
    assert got["removed_at"] is None and got["last_seen"] == "2022-04-01T00:00:00Z"
    ix.close()
    assert sqlite_utils.Database(db_path)["reports"].count == 2


def test_captures_batched_and_idempotent(db_path):
    ix = Index(db_path, batch_size=1000, commit_interval=3600)
    caps = [
        {"url": f"http://www.qz.gov.cn/p{i}.html", "method": "GET", "status": 200,
         "content_type": "text/html", "payload_digest": f"sha1:{i}",
         "warc_filename": "a.warc.gz", "warc_offset": i * 1000, "warc_length": 900,
         "fetched_at": "2021-01-01T00:00:00Z", "portal": "衢州市", "kind": "list",
         "record_type": "response"}
        for i in range(50)
    ]
    ix.add_captures(caps)
    ix.add_capture(caps[0])  # the same WARC record again (re-index): ignored
    # not committed yet (batching): a second connection does not see the rows
    other = sqlite3.connect(db_path)
    assert other.execute("select count(*) from captures").fetchone()[0] == 0
    ix.commit()
    assert other.execute("select count(*) from captures").fetchone()[0] == 50
    other.close()
    with pytest.raises(ValueError, match="no columns"):
        ix.add_capture({"url": "x", "bogus": 1})
    ix.close()


def test_commit_on_batch_size(db_path):
    ix = Index(db_path, batch_size=10, commit_interval=3600)
    ix.add_captures([{"url": "u", "warc_filename": "f", "warc_offset": i} for i in range(10)])
    other = sqlite3.connect(db_path)
    assert other.execute("select count(*) from captures").fetchone()[0] == 10
    other.close()
    ix.close()


def test_portals_upsert_partial(db_path):
    ix = Index(db_path)
    ix.upsert_portal({"name": "嘉禾县", "url": "http://www.jiahe.gov.cn/", "province": "湖南省",
                      "level": "county"})
    ix.upsert_portal({"name": "嘉禾县", "status": "blocked", "reason": "HTTP 412 WAF challenge",
                      "pages": 1, "reports": 0, "errors": 1, "last_crawl": "2024-01-01"})
    ix.close()
    (p,) = sqlite_utils.Database(db_path)["portals"].rows
    assert p["url"] == "http://www.jiahe.gov.cn/" and p["status"] == "blocked"
    assert p["level"] == "county" and p["errors"] == 1


def test_crawl_runs(db_path):
    ix = Index(db_path)
    run = ix.start_run("2024-01-01T00:00:00Z")
    # a run row exists (committed) while the crawl is going
    other = sqlite3.connect(db_path)
    assert other.execute("select started_at from crawl_runs").fetchall() == [("2024-01-01T00:00:00Z",)]
    ix.upsert_report(report())
    ix.upsert_report(report())
    ix.finish_run(run, {"finish_reason": "finished", "pages": 12, "errors": 0,
                        "portals": {"随州市": {"pages": 12, "new": 1}}})
    row = other.execute("select finish_reason, pages, reports_new, reports_unchanged, stats "
                        "from crawl_runs").fetchone()
    other.close()
    assert row[:4] == ("finished", 12, 1, 1)
    assert json.loads(row[4])["portals"]["随州市"]["new"] == 1
    ix.close()


def test_refuses_foreign_and_newer_schema(tmp_path):
    foreign = tmp_path / "foreign.db"
    sqlite_utils.Database(foreign)["customers"].insert({"name": "x"})
    with pytest.raises(IndexSchemaError, match="not a nianbao index"):
        Index(foreign)
    newer = tmp_path / "newer.db"
    Index(newer).close()
    db = sqlite_utils.Database(newer)
    db["meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION + 1)}, pk="key")
    db.close()
    with pytest.raises(IndexSchemaError, match="newer than this nianbao"):
        Index(newer)


def test_migrates_preversioning_index(tmp_path):
    """An index from before the meta table: columns are added, FTS built, rows kept."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    db["reports"].insert({"id": report_id("http://x/1"), "page_url": "http://x/1",
                          "title": "嘉禾县2017年政府信息公开年度报告", "text": seed_text(4)},
                         pk="id")
    db.close()
    ix = Index(path)
    ix.close()
    db = sqlite_utils.Database(path)
    assert "removed_at" in db["reports"].columns_dict
    assert db["reports"].count == 1
    assert fts_ids(path, "政府信息公开") == [report_id("http://x/1")]


def test_segmenter_change_rebuilds_fts(db_path):
    ix = Index(db_path)
    ix.upsert_report(report())
    ix.close()
    db = sqlite_utils.Database(db_path)
    # simulate an index built by another segmenter: empty the contentless table
    db.execute("INSERT INTO reports_fts(reports_fts) VALUES ('delete-all')")
    db.execute("UPDATE meta SET value = 'old' WHERE key = 'fts_segmenter'")
    db.conn.commit()
    db.close()
    assert fts_ids(db_path, "复议") == []
    Index(db_path).close()
    assert fts_ids(db_path, "复议") == [report_id(report()["page_url"])]


def test_vacuum_keeps_search_right(db_path):
    ix = Index(db_path)
    for n in range(5):
        ix.upsert_report(report(page_url=f"http://x/{n}", text=seed_text(n), payload_digest=str(n)))
    ix.commit()
    ix.conn.execute("DELETE FROM reports WHERE page_url = 'http://x/0'")  # leave a rowid gap
    ix.rebuild_fts()
    ix.vacuum()
    ix.close()
    # 嘉禾县 is only in seed 4
    assert fts_ids(db_path, "嘉禾县") == [report_id("http://x/4")]


def test_bad_rows_rejected(db_path):
    ix = Index(db_path)
    with pytest.raises(ValueError, match="page_url"):
        ix.upsert_report({"title": "x"})
    with pytest.raises(ValueError, match="no columns"):
        ix.upsert_report(report(colour="red"))
    with pytest.raises(ValueError, match="is not report_id"):
        ix.upsert_report(report(id="0000000000000000"))
    ix.close()


def test_a_changed_report_is_found_by_its_new_text(db_path):
    r = report()
    ix = Index(db_path)
    assert ix.upsert_report(r) == "new"
    r2 = dict(r, text=r["text"] + "\n补充：香菇", payload_digest="sha1:Z",
              fetched_at="2022-01-01T00:00:00Z")
    assert ix.upsert_report(r2) == "changed"
    ix.close()
    assert fts_ids(db_path, "补充") == [report_id(r["page_url"])]
    assert fts_ids(db_path, "行政复议") == [report_id(r["page_url"])]


@pytest.mark.parametrize("incomplete", [
    {"extract_error": "cover page only: the report's text is in an attachment that was not archived",
     "text": "随州市2020年政府信息公开工作年度报告\n详见附件"},
    {"extract_error": "partial: 1 of the report's 3 pages were archived", "text": seed_text(3)[:400]},
    {"needs_ocr": True, "text": "随州市2020年政府信息公开工作年度报告", "extract_error": None},
])
def test_a_row_made_whole_is_completed_in_place(db_path, incomplete):
    """A stopped run left a report incomplete (a cover without its attachment, pages missing,
    page images not OCR'd); a later run completes it, often from the same page bytes (same
    payload digest). The row takes the whole text in place, as a reindex of the same WARCs
    builds it: version 1, no cover-only "past version"."""
    ix = Index(db_path)
    assert ix.upsert_report(report(**incomplete)) == "new"
    whole = report(text=seed_text(3), fetched_at="2021-03-01T08:00:00Z",
                   text_source="ocr" if incomplete.get("needs_ocr") else "text")
    assert ix.upsert_report(whole) == "changed"
    ix.close()
    db = sqlite_utils.Database(db_path)
    (cur,) = db["reports"].rows
    assert cur["text"] == seed_text(3) and cur["version"] == 1 and not cur["needs_ocr"]
    assert cur["extract_error"] is None
    assert list(db["report_versions"].rows) == []

