"""A crawl stopped part-way (Ctrl-C, SIGTERM from cron's wrapper or systemd, a failed fetch),
then the next run on the same ARCHIVE_DIR: real `scrapy crawl reports` processes against the
small farm, the WARCs read back, reports.db compared with `archive reindex` of the WARCs.

Killing with SIGKILL is tests/archive/warc/test_warc_crash.py.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive.reindex import reindex
from archive.reports.urls import identity_url
from archive.warc.verify import verify
from tests.crawling import ROOT, crawl_command, crawl_env, report_rows, run_crawl, squash, warcio_cli

pytestmark = pytest.mark.slow

# slow enough that a signal lands while the walk is far from done (as in test_warc_crash)
SLOW = {"DOWNLOAD_DELAY": "0.2", "CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
        "RANDOMIZE_DOWNLOAD_DELAY": "False"}


def children(pid: int) -> list[str]:
    """Process ids of ``pid``'s children (Linux /proc): the crawl's extraction workers."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            found += Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:  # the thread ended meanwhile
            pass
    return found


def signal_once_extracting(farm, tmp_path: Path, signum: int,
                           times: int = 1) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """Start a slow crawl of ``farm``; once its extraction workers run (the first document
    came) send ``signum`` to its process group, as Ctrl-C in a terminal or
    `kill -TERM -<pgid>` does. Returns (portals.csv, archive dir, the finished process)."""
    portals = tmp_path / "portals.csv"
    farm.write_portals_csv(portals)
    archive = tmp_path / "archive"
    proc = subprocess.Popen(crawl_command(portals, archive, SLOW), cwd=ROOT, env=crawl_env(farm.proxy_port),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and not children(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # the workers have started their interpreters
        assert proc.poll() is None, "the crawl finished before it could be interrupted; slow it down further"
        os.killpg(proc.pid, signum)
        for _ in range(times - 1):  # again: Scrapy's "forcing unclean shutdown"
            time.sleep(0.05)  # before the graceful shutdown the first one began is over
            os.killpg(proc.pid, signum)
        try:
            out, err = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            pytest.fail(f"the crawl did not stop within 90 s of one {signal.Signals(signum).name}:\n{err[-3000:]}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return portals, archive, subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_one_stop_signal_lets_extraction_finish_and_ends_the_run(farm, tmp_path, signum):
    """The stop signal reaches the extraction workers too (process group, cgroup): they must
    leave it to the crawl, whose graceful shutdown still needs them. Before, Ctrl-C hung the
    crawl for good (a worker's KeyboardInterrupt wedged the pipeline) and SIGTERM killed the
    workers, indexing the documents they held as "extraction worker died (exit code -15)",
    without text, never to be extracted again."""
    _, archive, stopped = signal_once_extracting(farm, tmp_path, signum)
    assert stopped.returncode == 1, stopped.stderr[-3000:]
    assert "Traceback" not in stopped.stderr, stopped.stderr[-3000:]
    assert "crawl failed: finish reason shutdown" in stopped.stderr
    con = sqlite3.connect(archive / "reports.db")
    runs = con.execute("SELECT finish_reason FROM crawl_runs").fetchall()
    died = con.execute("SELECT url, extract_error FROM captures WHERE extract_error LIKE '%worker died%'").fetchall()
    con.close()
    assert runs == [("shutdown",)]
    assert not died, f"documents indexed as failed because the stop signal killed their worker: {died}"
    assert verify(archive / "warc").ok and not list((archive / "warc").glob("*.open"))


def test_a_forced_stop_says_so(farm, tmp_path):
    """Ctrl-C twice: Scrapy stops without closing the spider. The run said "crawl failed:
    finish reason None" and wrote ``"finish_reason": null``; it says it was forced."""
    import json

    _, archive, stopped = signal_once_extracting(farm, tmp_path, signal.SIGINT, times=2)
    assert stopped.returncode == 1, stopped.stderr[-3000:]
    assert "stopped by force" in stopped.stderr, stopped.stderr[-3000:]
    assert "finish reason None" not in stopped.stderr
    assert json.loads((archive / "last-run.json").read_text(encoding="utf-8"))["finish_reason"] == "forced"


def test_the_run_after_a_stopped_one_completes_it(farm, crawled, tmp_path):
    """A run that ended `shutdown` (one SIGTERM) walked part of each portal: the next run must
    re-check the pages it answered, as after a killed run, and find every report an
    uninterrupted crawl finds. Before, those pages were not due for NIANBAO_RECHECK_DAYS and
    the reports behind them stayed missing, the run saying ok."""
    expected = report_rows(crawled[0])
    assert crawled[1].returncode == 0 and expected
    portals, archive, stopped = signal_once_extracting(farm, tmp_path, signal.SIGTERM)
    assert stopped.returncode == 1, stopped.stderr[-3000:]
    assert len(report_rows(archive)) < len(expected), "the stopped run found every report: stop it earlier"

    rerun = run_crawl(portals, archive, farm.proxy_port)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    got = report_rows(archive)
    assert sorted(got) == sorted(expected), f"missing after the rerun: {sorted(set(expected) - set(got))}"
    assert "the last run stopped early (shutdown): re-checking every page" in rerun.stderr
    for key, row in expected.items():
        assert squash(got[key]["text"]) == squash(row["text"]), f"{row['page_url']}: text differs from an uninterrupted crawl"
    check = warcio_cli("check", *sorted((archive / "warc").glob("*.warc.gz")))
    assert check.returncode == 0, check.stdout[-2000:]


def test_an_attachment_archived_after_its_cover_page_joins_it(tmp_path):
    """A cover page archived by one run while its attachment was not (the run was stopped, or
    the file failed): the next run that fetches the attachment must give the report its text,
    as `archive reindex` of the same WARCs does. Before, the unchanged cover page was only
    marked seen, the attachment found no cover to join, and the row stayed "cover page only"."""
    from farm import build_farm
    from farm.server import FarmServer

    farm = build_farm("small")  # our own: its attachment is taken away for the first run
    cover = next(t for t in farm.truth if t.url != t.page_url)
    farm.portals = [p for p in farm.portals if p.name == cover.portal]
    portals = tmp_path / "portals.csv"
    farm.write_portals_csv(portals)
    archive = tmp_path / "archive"
    parts = urlsplit(cover.url)
    site = farm.sites[parts.hostname]
    attachment = site.resources.pop(parts.path)
    with FarmServer(farm, record=False) as srv:
        first = run_crawl(portals, archive, srv.port)
        assert first.returncode == 0, first.stderr[-3000:]
        assert report_rows(archive)[identity_url(cover.page_url)]["extract_error"].startswith("cover page only")
        site.resources[parts.path] = attachment
        second = run_crawl(portals, archive, srv.port, {"NIANBAO_RECHECK_DAYS": "0"})
        assert second.returncode == 0, second.stderr[-3000:]

    live = report_rows(archive)[identity_url(cover.page_url)]
    assert live["url"] == cover.url and live["extract_error"] is None
    assert squash(cover.text) in squash(live["text"])
    db = tmp_path / "rebuilt.db"
    reindex(archive / "warc", db, jobs=1)
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rebuilt = dict(con.execute("SELECT * FROM reports WHERE page_url = ?", (cover.page_url,)).fetchone())
    con.close()
    for column in ("url", "text", "tables", "year", "publisher", "published", "extract_error", "warc_filename",
                   "warc_offset"):
        assert live[column] == rebuilt[column], column
