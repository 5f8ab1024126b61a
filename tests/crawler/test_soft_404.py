"""Soft 404s in real crawls: portals answer a deleted page with HTTP 200 and an error page
("对不起，您访问的页面不存在或已被删除！", farm.pages.render_soft_404).

- A list that links such a page (the farm's hostile portal, crawled in test_faults.py) gets
  no report row from it: test_faults.py `test_a_soft_404_link_is_no_report`.
- Here: known reports whose URLs later answer a soft 404 (one no longer listed, one still
  listed by a list page not regenerated) keep their text, are marked removed like reports
  that answer 404, and a third run (the error page unchanged: a revisit) does not bring them
  back; `archive reindex` of the WARCs decides the same.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from archive.reports.urls import identity_url
from tests.crawling import ROOT, connect_index, report_rows, run_crawl

PORTAL = "襄阳市"


@pytest.fixture(scope="module")
def soft_removed(tmp_path_factory):
    """One portal of the small farm crawled three times: before, the day two of its reports'
    pages turned into an error page, and the day after (nothing changed)."""
    from farm import build_farm
    from farm.server import FarmServer

    farm = build_farm("small")
    work = tmp_path_factory.mktemp("soft404")
    archive, portals = work / "archive", work / "portals.csv"
    farm.write_portals_csv(portals)
    lines = portals.read_text(encoding="utf-8").splitlines(keepends=True)
    portals.write_text(lines[0] + "".join(ln for ln in lines[1:] if ln.startswith(PORTAL + ",")), encoding="utf-8")
    victims = [t for t in farm.truth if t.portal == PORTAL and t.content_type == "html" and t.url == t.page_url][:2]
    assert len(victims) == 2
    snapshots = []
    with FarmServer(farm) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])
        for day in range(3):
            if day == 1:
                farm.soft_remove_report(victims[0].page_url)
                farm.soft_remove_report(victims[1].page_url, listed=True)
            proc = run_crawl(portals, archive, port, {"NIANBAO_RECHECK_DAYS": "0"})
            assert proc.returncode == 0, proc.stderr[-3000:]
            snapshots.append(report_rows(archive))
    return {"farm": farm, "archive": archive, "victims": [v.page_url for v in victims], "snapshots": snapshots,
            "db": connect_index(archive)}


@pytest.mark.slow
def test_a_report_that_turns_into_an_error_page_keeps_its_text_and_is_marked_removed(soft_removed):
    keys = [identity_url(u) for u in soft_removed["victims"]]
    for key in keys:
        first = soft_removed["snapshots"][0][key]
        assert first["removed_at"] is None and first["extract_error"] is None
        assert "页面不存在" not in first["text"] and len(first["text"]) > 1000
        for day in (1, 2):  # the day it changed, and the day after (the error page unchanged)
            row = soft_removed["snapshots"][day][key]
            assert row["text"] == first["text"] and row["title"] == first["title"], (key, day)
            assert row["payload_digest"] == first["payload_digest"] and row["version"] == first["version"]
            assert row["extract_error"] is None
            assert row["removed_at"] is not None, (key, day)
    # the portal's other report is untouched
    others = {k: r for k, r in soft_removed["snapshots"][2].items() if k not in keys}
    assert others and all(r["removed_at"] is None and "页面不存在" not in r["text"] for r in others.values())


@pytest.mark.slow
def test_the_error_page_is_archived_and_its_capture_says_soft_404(soft_removed):
    db = soft_removed["db"]
    for url in soft_removed["victims"]:
        caps = db.execute("select status, record_type, extract_error, payload_digest from captures "
                          "where url = ? order by id", (url,)).fetchall()
        assert [c["status"] for c in caps[:2]] == [200, 200]
        assert caps[0]["extract_error"] is None
        assert caps[1]["record_type"] == "response" and caps[1]["extract_error"].startswith("soft 404")
        assert caps[1]["payload_digest"] != caps[0]["payload_digest"]
    # the still-listed one is asked again on day 3: the unchanged error page is judged again
    listed = db.execute("select record_type, extract_error from captures where url = ? order by id",
                        (soft_removed["victims"][1],)).fetchall()
    assert len(listed) == 3 and listed[2]["record_type"] == "revisit" and listed[2]["extract_error"].startswith("soft 404")
    # the run summary (ARCHIVE_DIR/runs/*.json) lists them among the documents that gave no text
    runs = sorted((soft_removed["archive"] / "runs").glob("*.json"))
    assert len(runs) == 3
    docs = json.loads(runs[1].read_text(encoding="utf-8"))["extract_errors"]["documents"]
    assert {d["url"] for d in docs if d["error"].startswith("soft 404")} == set(soft_removed["victims"]), docs
    run = db.execute("select * from crawl_runs order by id limit 1 offset 1").fetchone()
    assert run["reports_removed"] == 2 and run["reports_changed"] == 0 and run["reports_new"] == 0


@pytest.mark.slow
def test_reindex_from_the_warcs_keeps_the_report_text_too(soft_removed, tmp_path):
    db = tmp_path / "rebuilt.db"
    proc = subprocess.run([sys.executable, "-m", "archive", "reindex", "--warc", soft_removed["archive"] / "warc",
                           "--db", db, "--jobs", "1"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rebuilt = {identity_url(r["page_url"]): dict(r) for r in con.execute("select * from reports")}
    crawled = soft_removed["snapshots"][2]
    assert rebuilt.keys() == crawled.keys()
    for key, row in crawled.items():
        assert rebuilt[key]["text"] == row["text"] and rebuilt[key]["version"] == row["version"], key
        assert (rebuilt[key]["removed_at"] is None) == (row["removed_at"] is None), key
    for url in soft_removed["victims"]:
        assert rebuilt[identity_url(url)]["removed_at"] is not None
        err = con.execute("select extract_error from captures where url = ? and record_type = 'response' "
                          "order by fetched_at desc, rowid desc limit 1", (url,)).fetchone()[0]
        assert err and err.startswith("soft 404")
