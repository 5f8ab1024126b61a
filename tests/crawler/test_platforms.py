"""Discovery on every common portal platform: one sample portal per kind, one real crawl.

The `platforms` farm (farm) has a TRS portal with department and township columns, a
report split over continuation pages, URL variants of one report and calendar/session-id traps;
信息公开 on a subdomain and on a city platform hosting a county; Hanweb; jpaas JSON lists;
UCAP; a legacy GBK site with PDF/DOC/DOCX/WPS reports; and portals that block or are dead.
"""
from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from archive.reports.urls import identity_url
from tests.crawling import connect_index, squash


@pytest.fixture(scope="module")
def db(platforms_crawled):
    archive, proc = platforms_crawled
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = connect_index(archive)
    yield con
    con.close()


def test_every_report_found_and_nothing_else(platforms_farm, db):
    found = Counter(identity_url(r["page_url"]) for r in db.execute("select page_url from reports"))
    expected = {identity_url(t.page_url) for t in platforms_farm.truth}
    assert set(found) == expected
    assert max(found.values()) == 1  # URL variants (?from=list, https, print) are one report


@pytest.mark.parametrize("portal", ["宜城市", "枣阳市", "十堰市", "竹山县", "江山市", "龙游县", "万载县", "临武县"])
def test_each_platform_portal_metadata_and_text(platforms_farm, db, portal):
    truth = platforms_farm.truth_for(portal)
    assert truth, portal
    rows = {identity_url(r["page_url"]): r for r in db.execute("select * from reports where portal = ?", (portal,))}
    for t in truth:
        row = rows[identity_url(t.page_url)]
        assert (row["year"], row["published"], row["publisher"]) == (t.year, t.published, t.publisher), t.page_url
        assert row["content_type"] == t.content_type, t.page_url
        assert squash(row["text"]) == squash(t.text), t.page_url


def test_departments_and_townships_are_reached(platforms_farm, db):
    kinds = Counter(t.kind for t in platforms_farm.truth)
    assert kinds["department"] and kinds["township"]
    found = {identity_url(r["page_url"]) for r in db.execute("select page_url from reports")}
    for t in platforms_farm.truth:
        if t.kind in ("department", "township"):
            assert identity_url(t.page_url) in found


def test_blocked_and_dead_portals_say_so(platforms_farm, db):
    rows = {r["name"]: r for r in db.execute("select * from portals")}
    for name, (status, _why) in platforms_farm.status.items():
        assert rows[name]["status"] == status, name
        if status != "ok":
            assert rows[name]["reason"], name
            assert rows[name]["reports"] == 0


def test_traps_do_not_eat_the_budget(platforms_farm, db):
    # 宜城市 has an endless calendar and jsessionid URLs; the crawl stays near the real page count.
    pages = db.execute("select pages from portals where name = '宜城市'").fetchone()[0]
    assert pages < 150
    urls = [r[0] for r in db.execute("select url from captures where portal = '宜城市'")]
    assert not any("jsessionid" in u.lower() for u in urls)
    assert sum("date=" in u or "calendar" in u for u in urls) < 5


def test_reindex_of_the_platforms_archive_equals_the_crawl_index(platforms_crawled, db, tmp_path):
    # Split TRS reports, covers with attachments, DOC/WPS files: reindex decides as the crawl did.
    from archive.reindex import reindex

    archive, _ = platforms_crawled
    stats = reindex(archive / "warc", str(tmp_path / "rebuilt.db"), jobs=2)
    assert not stats.record_errors
    cols = "page_url, url, portal, title, year, published, publisher, index_no, text, tables, content_type, payload_digest"
    crawl = sorted(tuple(r) for r in db.execute(f"select {cols} from reports"))
    rebuilt_con = sqlite3.connect(tmp_path / "rebuilt.db")
    rebuilt = sorted(rebuilt_con.execute(f"select {cols} from reports").fetchall())
    assert crawl == rebuilt
