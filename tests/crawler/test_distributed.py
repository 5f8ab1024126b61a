"""Distributed mode (settings/distributed.py): two scrapy-redis workers, one real redis-server.

Two `scrapy crawl reports` workers share a frontier and a dupefilter in a private redis-server
on a free loopback port; each writes its own WARC files under its own ARCHIVE_DIR. Their WARC
files re-indexed into one database must hold the same reports as a single-process crawl of
the same farm (the `crawled` fixture), and no page may have been fetched twice.
"""
from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.crawling import ROOT, crawl_command, crawl_env, free_port

REPORT_COLUMNS = ("id", "page_url", "url", "portal", "province", "level", "title", "year", "published",
                  "publisher", "index_no", "written", "text", "tables", "content_type", "needs_ocr",
                  "replacement_chars", "payload_digest")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (Debian package redis-server: apt-get install redis-server)")
    pytest.importorskip("scrapy_redis", reason="scrapy-redis is not installed (pip install -e '.[distributed]')")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path_factory.mktemp("redis"))],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("redis-server did not answer PING: " + proc.stdout.read(2000).decode(errors="replace"))
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def workers(farm, redis_url, tmp_path_factory):
    """Two workers crawling the farm together: [(archive dir, returncode, output)]."""
    work = tmp_path_factory.mktemp("distributed")
    portals = work / "portals.csv"
    farm.write_portals_csv(portals)
    crawl_id = uuid.uuid4().hex[:12]
    procs = []
    for worker in ("w1", "w2"):
        archive = work / worker
        env = crawl_env(farm.proxy_port)
        env.update({"SCRAPY_SETTINGS_MODULE": "settings.distributed", "NIANBAO_REDIS_URL": redis_url,
                    "NIANBAO_CRAWL_ID": crawl_id, "NIANBAO_WORKER_ID": worker, "NIANBAO_IDLE_TIMEOUT": "5"})
        log = open(work / f"{worker}.log", "w+")
        # Two requests at a time per worker: the shared frontier fills up and both workers take
        # from it (one fast worker would otherwise pop every request the moment it is queued).
        settings = {"CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
        procs.append((archive, log, subprocess.Popen(crawl_command(portals, archive, settings), cwd=ROOT, env=env,
                                                     stdout=log, stderr=subprocess.STDOUT)))
    out = []
    for archive, log, proc in procs:
        rc = proc.wait(timeout=600)
        log.seek(0)
        out.append((archive, rc, log.read()))
        log.close()
    return out


def _summary(archive: Path) -> dict:
    return json.loads((archive / "last-run.json").read_text(encoding="utf-8"))


def test_workers_finish_on_their_own_and_both_crawl(workers):
    for archive, rc, output in workers:
        assert "Traceback" not in output, output[-3000:]
        summary = _summary(archive)
        assert summary["finish_reason"] == "finished", output[-3000:]
        assert summary["spider_exceptions"] == 0
        assert rc == 0, output[-3000:]
        assert "settings.distributed" in output or "scrapy_redis" in output
        assert summary["responses"] > 0, f"{archive.name} took nothing from the shared frontier"


def test_each_worker_writes_its_own_warcs_named_by_worker(workers):
    for archive, _, _ in workers:
        warcs = sorted((archive / "warc").glob("*.warc.gz"))
        assert warcs and not list((archive / "warc").glob("*.open"))
        assert all(p.name.endswith(f"-{archive.name}.warc.gz") for p in warcs), [p.name for p in warcs]


def test_no_page_fetched_twice(workers, crawled):
    """The shared dupefilter: apart from robots.txt (each worker reads it for the hosts it
    visits), every (method, URL) was fetched by one worker once."""
    seen: dict[tuple[str, str], str] = {}
    for archive, _, _ in workers:
        con = sqlite3.connect(archive / "reports.db")
        for method, url, kind in con.execute("select method, url, kind from captures where status is not null"):
            if kind == "robots" or url.endswith("/robots.txt"):
                continue
            assert (method, url) not in seen, f"{method} {url} fetched by {seen[(method, url)]} and {archive.name}"
            seen[(method, url)] = archive.name
        con.close()
    archive, _ = crawled
    con = sqlite3.connect(archive / "reports.db")
    single = {(m, u): k for m, u, k in con.execute("select method, url, kind from captures where status is not null")
              if k != "robots" and not u.endswith("/robots.txt")}
    con.close()
    # Each worker's best-first walk (crawler/discovery.py) knows only what it found itself, so
    # which navigation pages get walked depends on who took what from the shared frontier:
    # navigation (and the lists it reaches) may differ from one crawl's, never a report or
    # attachment, and every list the single crawl walked is walked.
    kinds = {}
    for archive_, _, _ in workers:
        con = sqlite3.connect(archive_ / "reports.db")
        kinds.update({(m, u): k for m, u, k in con.execute("select method, url, kind from captures")})
        con.close()
    navigation = {"column", "home", "nav"}
    assert {key for key, k in single.items() if k not in navigation} <= set(seen)
    # a worker's extra navigation may reach an extra list page, never an extra document
    assert not {kinds[key] for key in set(seen) - set(single)} & {"report", "attachment", "continuation"}
    assert {single[key] for key in set(single) - set(seen)} <= navigation


def test_merged_reindex_equals_single_process_crawl(workers, crawled, tmp_path):
    db = tmp_path / "reports.db"
    proc = subprocess.run([sys.executable, "-m", "archive", "reindex", "--warc",
                           *(str(archive / "warc") for archive, _, _ in workers), "--db", str(db)],
                          cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    cols = ", ".join(REPORT_COLUMNS)
    con = sqlite3.connect(db)
    rows = con.execute(f"select {cols} from reports").fetchall()
    assert len(rows) == len({r[1] for r in rows}) == con.execute("select count(distinct id) from reports").fetchone()[0]
    con.close()
    archive, _ = crawled
    con = sqlite3.connect(archive / "reports.db")
    single = con.execute(f"select {cols} from reports").fetchall()
    con.close()
    assert single
    assert sorted(rows) == sorted(single)


def test_merged_reindex_has_the_single_crawls_portal_statuses(workers, crawled, tmp_path):
    """Each worker's closing summary holds its own view of every portal: the worker that never
    fetched a portal's home page sees it `dead`, the one that did may see no report the other
    found. The rebuilt portals table merges the workers of one crawl (NIANBAO_CRAWL_ID): the
    same statuses and report counts as one process crawling alone."""
    db = tmp_path / "reports.db"
    proc = subprocess.run([sys.executable, "-m", "archive", "reindex", "--warc",
                           *(str(archive / "warc") for archive, _, _ in workers), "--db", str(db)],
                          cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    query = "select name, status, reports from portals order by name"
    con = sqlite3.connect(db)
    merged = con.execute(query).fetchall()
    con.close()
    archive, _ = crawled
    con = sqlite3.connect(archive / "reports.db")
    single = con.execute(query).fetchall()
    con.close()
    assert single and any(status == "ok" for _, status, _ in single)
    assert merged == single
