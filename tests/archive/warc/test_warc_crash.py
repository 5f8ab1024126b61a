"""SIGKILL in the middle of a real crawl, then the next run (issue 5, "Proof"; issue 8).

The crawl writes small WARC files (rotation at 40 kB) and is slowed a little so it can be
killed while some files are closed and one is `.open`. After the kill: every closed WARC
verifies; every capture the killed run put in reports.db points at a whole record (writes
are unbuffered, so what was acknowledged is on disk); the next run recovers the `.open`
file (completed, or cut at its last whole record), finishes, and the index holds every report
an uninterrupted crawl finds.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from archive.warc import exchanges_in_file
from archive.warc.verify import verify
from tests.crawling import crawl_command, crawl_env, run_crawl, warcio_cli
from tests.paths import ROOT

SLOW = {"WARC_MAX_SIZE": "40000", "DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS": "2",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "RANDOMIZE_DOWNLOAD_DELAY": "False"}


def page_urls(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {u for (u,) in con.execute("SELECT page_url FROM reports")}
    finally:
        con.close()


def test_sigkill_mid_crawl_then_rerun(farm, crawled, tmp_path):
    reference_archive, ref_proc = crawled
    assert ref_proc.returncode == 0
    expected = page_urls(reference_archive / "reports.db")
    assert expected

    portals = tmp_path / "portals.csv"
    farm.write_portals_csv(portals)
    archive = tmp_path / "archive"
    warc = archive / "warc"
    argv = crawl_command(portals, archive, SLOW)
    proc = subprocess.Popen(argv, cwd=ROOT, env=crawl_env(farm.proxy_port), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    killed_open = None
    deadline = time.time() + 120
    try:
        while time.time() < deadline and proc.poll() is None:
            closed = list(warc.glob("*.warc.gz")) if warc.exists() else []
            opened = list(warc.glob("*.warc.gz.open")) if warc.exists() else []
            if len(closed) >= 2 and opened:
                os.killpg(proc.pid, signal.SIGKILL)  # the crawl's own process group
                proc.wait(timeout=10)
                killed_open = opened[0]
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    if killed_open is None:
        pytest.fail("the crawl finished before it could be killed mid-run; slow it down further")
    assert proc.returncode == -signal.SIGKILL

    # Every closed file verifies; the open one is left for the next start.
    report = verify(warc)
    assert report.ok, [str(f) for f in report.faults]
    assert len(report.files) >= 2 and killed_open.exists() and report.open_files == [str(killed_open)]

    # Whatever the killed run indexed points at whole records (nothing acknowledged was lost).
    db = archive / "reports.db"
    if db.exists():
        con = sqlite3.connect(db)
        rows = con.execute("SELECT warc_filename, warc_offset, record_id FROM captures WHERE warc_filename IS NOT NULL").fetchall()
        con.close()
        for name, offset, rid in rows:
            path = warc / name if (warc / name).exists() else warc / (name + ".open")
            got = [ex.record_id for ex in exchanges_in_file(str(path), start=offset, end=offset + 1)]
            assert got == [rid], f"capture {name}@{offset} is not a whole record after SIGKILL"

    # The next run recovers the .open file, takes over the lock the dead run held, and finishes.
    rerun = run_crawl(portals, archive, farm.proxy_port, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "recovered WARC left by an interrupted crawl" in rerun.stderr
    final = killed_open.with_name(killed_open.name[: -len(".open")])
    assert not killed_open.exists() and (final.exists() or "no archived exchange survived" in rerun.stderr)
    assert not list(warc.glob("*.open"))
    report = verify(warc)
    assert report.ok, [str(f) for f in report.faults]
    missing = expected - page_urls(db)
    assert not missing, f"reports missing after the interrupted crawl and its rerun: {sorted(missing)}"
    check = warcio_cli("check", *sorted(warc.glob("*.warc.gz")))
    assert check.returncode == 0, check.stdout[-2000:]

    # #15 point 6: the next run reconciled the index with what the killed run archived: every
    # response and revisit record of every WARC has its captures row, and the killed run's
    # crawl_runs row is closed as killed instead of staying open forever.
    con = sqlite3.connect(db)
    captured = set(con.execute("SELECT warc_filename, warc_offset FROM captures WHERE warc_filename IS NOT NULL"))
    runs = con.execute("SELECT finish_reason, finished_at FROM crawl_runs ORDER BY id").fetchall()
    con.close()
    archived = set()
    for path in sorted(warc.glob("*.warc.gz")):
        for ex in exchanges_in_file(str(path)):
            archived.add((path.name, ex.capture.warc_offset))
    assert archived - captured == set(), f"{len(archived - captured)} archived responses never indexed"
    assert runs[0][0] == "killed" and runs[0][1], runs
    assert runs[-1][0] == "finished"
    assert "indexed" in rerun.stderr and "killed run" in rerun.stderr
