"""Running the real `scrapy crawl reports` against the sample portal farm, for tests and benches.

The crawl is a subprocess, as a user or cron runs it; the farm is reached under the portals'
real host names through `http_proxy`, which Scrapy's HttpProxyMiddleware honours.
"""
from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Politeness off: the farm is on loopback and the tests should not wait on delays.
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "LOGSTATS_INTERVAL": "5", "RETRY_TIMES": "3", "NIANBAO_RETRY_BACKOFF": "0.05",
        "NIANBAO_RETRY_BACKOFF_MAX": "0.5", "NIANBAO_RETRY_AFTER_MAX": "1"}


def crawl_command(portals_csv: Path, archive_dir: Path, settings: dict | None = None) -> list[str]:
    """argv for `scrapy crawl reports` with our test settings."""
    argv = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"portals={portals_csv}",
            "-s", f"ARCHIVE_DIR={archive_dir}"]
    for key, value in {**FAST, **(settings or {})}.items():
        argv += ["-s", f"{key}={value}"]
    return argv


def crawl_env(proxy_port: int | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    if proxy_port is not None:
        env["http_proxy"] = f"http://127.0.0.1:{proxy_port}"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_crawl(portals_csv: Path, archive_dir: Path, proxy_port: int | None, settings: dict | None = None,
              timeout: float = 600, **popen) -> subprocess.CompletedProcess:
    """Run one crawl to completion; returns the finished process (stdout/stderr captured)."""
    return subprocess.run(crawl_command(portals_csv, archive_dir, settings), cwd=ROOT, env=crawl_env(proxy_port),
                          capture_output=True, text=True, timeout=timeout, **popen)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for servers a test starts: redis, pywb, datasette)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def warcio_cli(*args: str) -> subprocess.CompletedProcess:
    """Run the venv's `warcio` command (check, index, …) with `args`; output captured as text."""
    warcio = Path(sys.executable).with_name("warcio")
    return subprocess.run([str(warcio), *map(str, args)], capture_output=True, text=True)


def connect_index(archive_dir: Path) -> sqlite3.Connection:
    """The archive's reports.db, rows by column name."""
    con = sqlite3.connect(Path(archive_dir) / "reports.db")
    con.row_factory = sqlite3.Row
    return con


def report_rows(archive_dir: Path) -> dict:
    """The `reports` rows of an archive's index, keyed by identity URL (archive.reports.urls)."""
    from archive.reports.urls import identity_url

    con = connect_index(archive_dir)
    try:
        return {identity_url(r["page_url"]): dict(r) for r in con.execute("select * from reports")}
    finally:
        con.close()


def fts_entries(db: Path) -> list[tuple]:
    """Every token the full-text index holds, as sorted (report id, column, offset, token).

    reports_fts is contentless, so its values cannot be read back; FTS5's `fts5vocab`
    ('instance') lists what it indexed. FTS rowids are `reports` rowids, which differ between
    two indexes of the same reports, hence the report id. A token of a report's earlier text
    that a wrong delete left behind shows up here when the current text lacks that token (FTS5
    shows the newest positions of a token the current text repeats)."""
    con = sqlite3.connect(db)
    try:
        return _vocab(con, dict(con.execute("SELECT rowid, id FROM reports")))
    finally:
        con.close()


def fts_entries_of_rows(db: Path) -> list[tuple]:
    """What fts_entries should be: the tokens of the current `reports` rows, indexed afresh
    (archive.index.search.fts_values into a new FTS table)."""
    from archive.index import search

    con = sqlite3.connect(db)
    fresh = sqlite3.connect(":memory:")
    try:
        fresh.execute(search.FTS_CREATE_SQL)
        ids = {}
        for rowid, rid, title, text in con.execute("SELECT rowid, id, title, text FROM reports"):
            ids[rowid] = rid
            fresh.execute("INSERT INTO reports_fts(rowid, title, text, title4, text4) VALUES (?, ?, ?, ?, ?)",
                          (rowid, *search.fts_values(title, text)))
        return _vocab(fresh, ids)
    finally:
        con.close()
        fresh.close()


def _vocab(con: sqlite3.Connection, ids: dict) -> list[tuple]:
    con.execute("CREATE VIRTUAL TABLE temp.fts_vocab USING fts5vocab(main, reports_fts, instance)")
    return sorted((ids.get(doc, f"rowid {doc}"), col, offset, term)
                  for term, doc, col, offset in con.execute("SELECT term, doc, col, offset FROM temp.fts_vocab"))


def squash(text: str | None) -> str:
    """Text without whitespace: how crawled texts are compared with the farm's gold texts."""
    return "".join((text or "").split())


@contextlib.contextmanager
def datasette_server(db: Path, workdir: Path):
    """`datasette serve` of ``db`` with the project's metadata and plugins on a free loopback
    port, as a user runs it (a real process); yields its base URL once it answers."""
    port = free_port()
    log_path = Path(workdir) / "datasette.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "datasette", "serve", str(db),
             "-m", str(ROOT / "archive" / "index" / "datasette.json"),
             "--plugins-dir", str(ROOT / "archive" / "index" / "datasette_plugins"),
             "-h", "127.0.0.1", "-p", str(port)],
            cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        raise RuntimeError("datasette did not start:\n" + log_path.read_text()) from None
                    time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
