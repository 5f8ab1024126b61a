"""Cron refresh: incremental, idempotent, overlap-safe re-crawls of the same ARCHIVE_DIR.

One farm, four real crawls into one archive: the first; an unchanged second; a third after
reports were added, edited and removed; an unchanged fourth.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.urls import identity_url
from crawler.runlock import RunLock
from tests.crawling import ROOT, crawl_command, crawl_env, run_crawl


def warc_bytes(archive: Path) -> int:
    return sum(p.stat().st_size for p in (archive / "warc").glob("*.warc.gz"))


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """Run the four crawls; return what each left behind."""
    from tests.farm import build_farm
    from tests.farm.server import FarmServer

    farm = build_farm("small")
    work = tmp_path_factory.mktemp("refresh")
    archive = work / "archive"
    portals = work / "portals.csv"
    farm.write_portals_csv(portals)
    runs = []
    with FarmServer(farm) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])

        def crawl():
            before = warc_bytes(archive) if archive.exists() else 0
            started = len(server.sent)
            proc = run_crawl(portals, archive, port)
            assert proc.returncode == 0, proc.stderr[-3000:]
            runs.append({"bytes": warc_bytes(archive) - before, "requests": len(server.sent) - started})

        crawl()
        crawl()
        truth_before = {t.page_url: t for t in farm.truth}
        html_reports = [t for t in farm.truth if t.content_type == "html" and t.url == t.page_url
                        and t.portal in ("襄阳市", "铁岭市", "随州市")]
        added = farm.add_report("襄阳市")
        edited = farm.edit_report(html_reports[0].page_url)
        removed = farm.remove_report(html_reports[1].page_url)
        crawl()
        crawl()
    con = sqlite3.connect(archive / "reports.db")
    con.row_factory = sqlite3.Row
    return {"farm": farm, "archive": archive, "runs": runs, "db": con, "added": added, "edited": edited,
            "removed": removed, "old_text": truth_before[edited.page_url].text}


def run_row(db, n):
    return db.execute("select * from crawl_runs order by id limit 1 offset ?", (n - 1,)).fetchone()


def test_unchanged_recrawl_archives_revisits_not_copies(refreshed):
    db, runs = refreshed["db"], refreshed["runs"]
    second = run_row(db, 2)
    assert (second["reports_new"], second["reports_changed"]) == (0, 0)
    assert second["reports_unchanged"] == 13
    # Every report document of run 2 is a revisit record, none a second full response. Each run
    # writes its own WARC file (named by time), so run 2's captures are those in the second file.
    files = sorted(p.name for p in (refreshed["archive"] / "warc").glob("*.warc.gz"))
    assert len(files) == 4
    kinds = db.execute("select record_type, count(*) from captures where kind in ('report', 'attachment') "
                       "and warc_filename = ? group by 1", (files[1],)).fetchall()
    assert dict(kinds).get("response", 0) == 0 and dict(kinds)["revisit"] >= 13
    assert runs[1]["bytes"] < 0.4 * runs[0]["bytes"]


def test_conditional_requests_and_revisit_profiles(refreshed):
    profiles, conditional = set(), 0
    for path in sorted((refreshed["archive"] / "warc").glob("*.warc.gz")):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                if rec.rec_type == "revisit":
                    profiles.add(rec.rec_headers.get_header("WARC-Profile"))
                    assert rec.rec_headers.get_header("WARC-Refers-To-Target-URI")
                    assert rec.rec_headers.get_header("WARC-Refers-To-Date")
                elif rec.rec_type == "request" and rec.http_headers.get_header("If-None-Match"):
                    conditional += 1
    assert "http://netpreserve.org/warc/1.1/revisit/server-not-modified" in profiles
    assert conditional >= 13


def test_added_edited_removed(refreshed):
    db, farm = refreshed["db"], refreshed["farm"]
    rows = {identity_url(r["page_url"]): r for r in db.execute("select * from reports")}
    added = rows[identity_url(refreshed["added"].page_url)]
    assert added["title"] == refreshed["added"].title and added["removed_at"] is None
    edited = rows[identity_url(refreshed["edited"].page_url)]
    squash = lambda s: "".join(s.split())  # noqa: E731
    assert squash(edited["text"]) == squash(refreshed["edited"].text)
    assert edited["version"] == 2
    [old] = db.execute("select * from report_versions where report_id = ?", (edited["id"],)).fetchall()
    assert squash(old["text"]) == squash(refreshed["old_text"])
    removed = rows[identity_url(refreshed["removed"].page_url)]
    assert removed["removed_at"] is not None  # kept, marked
    # Everything the farm still publishes is present and current.
    for t in farm.truth:
        assert rows[identity_url(t.page_url)]["removed_at"] is None


def test_no_duplicates_after_four_runs(refreshed):
    db = refreshed["db"]
    n, distinct = db.execute("select count(*), count(distinct page_url) from reports").fetchone()
    assert n == distinct == len(refreshed["farm"].truth) + 1  # + the removed one, kept
    fourth = run_row(db, 4)
    assert (fourth["reports_new"], fourth["reports_changed"], fourth["reports_removed"]) == (0, 0, 0)
    assert db.execute("select count(*) from crawl_runs where finish_reason = 'finished'").fetchone()[0] == 4
    stats = json.loads(fourth["stats"])
    assert set(stats["portals"]) == {p.name for p in refreshed["farm"].portals}
    assert len(list((refreshed["archive"] / "runs").glob("*.json"))) == 4


def test_a_second_run_on_the_same_archive_exits_at_once(tmp_path):
    archive = tmp_path / "archive"
    portals = tmp_path / "portals.csv"
    portals.write_text("name,url\n甲市,http://www.a.gov.cn/\n", encoding="utf-8")
    with RunLock(archive):  # as a running crawl holds it
        started = time.monotonic()
        proc = run_crawl(portals, archive, None, timeout=120)
        took = time.monotonic() - started
    assert proc.returncode == 75
    assert "another crawl" in proc.stderr and f"pid {os.getpid()}" in proc.stderr
    assert "Traceback" not in proc.stderr and took < 30
    assert not (archive / "warc").exists()


def test_a_lock_left_by_a_killed_run_does_not_block(farm, tmp_path):
    archive = tmp_path / "archive"
    portals = tmp_path / "portals.csv"
    farm.write_portals_csv(portals)
    proc = subprocess.Popen(crawl_command(portals, archive), cwd=ROOT, env=crawl_env(farm.proxy_port),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (archive / ".nianbao.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    again = run_crawl(portals, archive, farm.proxy_port)
    assert again.returncode == 0, again.stderr[-2000:]


def test_exit_status_when_no_portal_is_reachable(farm, tmp_path):
    portals = tmp_path / "portals.csv"
    portals.write_text("name,url\n无此市,http://www.no-such-host.gov.cn/\n", encoding="utf-8")
    proc = run_crawl(portals, tmp_path / "archive", farm.proxy_port)
    assert proc.returncode == 1
    assert "0/1 portals reachable" in proc.stderr
    con = sqlite3.connect(tmp_path / "archive" / "reports.db")
    assert con.execute("select status, reason from portals").fetchone() == ("unreachable", "HTTP 502")
