"""Reliability: a crawl through transient faults and a hostile portal loses nothing and
crashes nothing; a full disk stops it cleanly with every written file intact.

The farm's fault mode (farm/faults.py) makes a fixed fraction of targets fail once with
500/502/503 (Retry-After), a stalled connection, a reset or a truncated body, and adds a
hostile portal: 404/410 links, a link to an error page served with 200 (a soft 404), a
redirect loop, an off-scope redirect, a gzip bomb, a 50 MB page, binary as text/html,
malformed HTML, a wrong charset, endless pages, javascript:/data:/file:/mailto: links and
private-IP links.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from archive.reports.urls import identity_url
from tests.crawling import ROOT, connect_index, run_crawl, squash

FAULT_SETTINGS = {"DOWNLOAD_TIMEOUT": "2", "RETRY_TIMES": "4"}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    from farm import build_farm
    from farm.faults import FaultPlan
    from farm.server import FarmServer

    plan = FaultPlan(rate=0.2, seed=7, stall=4.0)
    farm = build_farm("small", faults=plan)
    work = tmp_path_factory.mktemp("faults")
    farm.write_portals_csv(work / "portals.csv")
    with FarmServer(farm) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])
        proc = run_crawl(work / "portals.csv", work / "archive", port, FAULT_SETTINGS, timeout=900)
        sent_hosts = {urlsplit(s.url).hostname for s in server.sent}
    con = connect_index(work / "archive")
    return {"farm": farm, "plan": plan, "proc": proc, "db": con, "archive": work / "archive", "hosts": sent_hosts}


def test_the_faults_really_happened(faulty):
    stats = faulty["plan"].stats()
    for kind in ("500", "502", "503", "timeout", "reset", "truncate"):
        assert stats.get(kind, 0) >= 1, (kind, stats)


def test_no_report_lost_to_transient_faults(faulty):
    proc, db, farm = faulty["proc"], faulty["db"], faulty["farm"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    rows = {identity_url(r["page_url"]): r for r in db.execute("select * from reports")}
    for t in farm.truth:
        row = rows.get(identity_url(t.page_url))
        assert row is not None, f"lost {t.page_url}"
        assert squash(row["text"]) == squash(t.text), t.page_url
    assert len(rows) == len(farm.truth)  # nothing from the hostile links became a report


def test_gone_reports_are_visible_with_a_reason(faulty):
    db, farm = faulty["db"], faulty["farm"]
    gone = [(url, why) for url, why in farm.expected_failures if why in ("404", "410")]
    assert len(gone) == 2
    for url, why in gone:
        rows = db.execute("select status, error from captures where url = ?", (url,)).fetchall()
        assert any(r["status"] == int(why) for r in rows) and any(r["error"] == f"HTTP {why}" for r in rows), url


def test_reports_that_could_not_be_fetched_are_named_where_users_look(faulty):
    """A report the walk found but could not archive is a lost report: the portal's reason
    counts it, the run summary lists it, the crawl's stderr names it (no silent ok)."""
    db, farm, archive = faulty["db"], faulty["farm"], faulty["archive"]
    gone = {url: why for url, why in farm.expected_failures if why in ("404", "410")}
    summary = json.loads((archive / "last-run.json").read_text(encoding="utf-8"))
    listed = {d["url"]: d for d in summary["unfetched_documents"]["documents"]}
    assert summary["unfetched_documents"]["count"] == len(listed) >= len(gone)
    for url, why in gone.items():
        assert listed[url]["error"] == f"HTTP {why}"
        portal = listed[url]["portal"]
        reason = db.execute("select reason from portals where name = ?", (portal,)).fetchone()["reason"]
        assert "report pages or files could not be fetched (see captures.error)" in reason, (portal, reason)
    failed = [d for d in listed.values() if not d["error"].startswith("Forbidden by robots.txt")]
    assert f"nianbao: {len(failed)} report pages or files could not be fetched" in faulty["proc"].stderr
    # transient faults that a retry overcame are not listed: every such report was archived
    archived = {r["page_url"] for r in db.execute("select page_url from reports")}
    assert not set(listed) & archived


def test_a_soft_404_link_is_no_report(faulty):
    """A list links a report URL that answers 200 with an error page ("页面不存在"): no report
    row, and the capture and the run summary say why (archive/reports/soft404.py)."""
    db, farm = faulty["db"], faulty["farm"]
    soft = [url for url, why in farm.expected_failures if why == "soft 404"]
    assert len(soft) == 1
    url = soft[0]
    assert db.execute("select count(*) from reports where url = ? or page_url = ?", (url, url)).fetchone()[0] == 0
    caps = db.execute("select status, extract_error from captures where url = ? and status = 200", (url,)).fetchall()
    assert caps and all((c["extract_error"] or "").startswith("soft 404: ") for c in caps)
    summary = json.loads((faulty["archive"] / "last-run.json").read_text(encoding="utf-8"))
    assert any(d["url"] == url and d["error"].startswith("soft 404: ") for d in summary["extract_errors"]["documents"])


HOSTILE = ["malformed.html", "wrong-charset.html", "binary.html", "bomb.html", "big.html", "links.html",
           "loop-a", "offsite", "to-private", "endless/1.html"]


@pytest.fixture(scope="module")
def hostile(faulty, tmp_path_factory):
    """Each hostile page as a portal's home page: a crawl must meet every one of them."""
    from farm.server import FarmServer

    farm = faulty["farm"]
    work = tmp_path_factory.mktemp("hostile")
    csv = work / "portals.csv"
    csv.write_text("name,url\n" + "".join(f"{p},http://www.heishui.gov.cn/hostile/{p}\n" for p in HOSTILE),
                   encoding="utf-8")
    with FarmServer(farm) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])
        proc = run_crawl(csv, work / "archive", port, {**FAULT_SETTINGS, "NIANBAO_MAX_LIST_PAGES": "20"},
                         timeout=600)
        hosts = {urlsplit(s.url).hostname for s in server.sent}
    con = connect_index(work / "archive")
    return {"proc": proc, "db": con, "hosts": hosts, "archive": work / "archive", "farm": farm}


def test_hostile_pages_crash_nothing(hostile):
    proc = hostile["proc"]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "spider_exceptions" not in proc.stderr
    # Only the two pages that link the real 政府信息公开 column (/zwgk/, under a broken anchor
    # or a wrong charset) lead the best-first walk to 黑水县's reports; no other page yields any.
    rows = hostile["db"].execute("select portal, page_url from reports").fetchall()
    assert {r["portal"] for r in rows} <= {"malformed.html", "wrong-charset.html"}
    assert all(r["page_url"].startswith("http://www.heishui.gov.cn/zwgk/") for r in rows)
    assert not (hostile["hosts"] & hostile["farm"].forbidden_hosts)


def test_hostile_failures_have_reasons(hostile):
    portals = {r["name"]: r for r in hostile["db"].execute("select * from portals")}
    reasons = {name: (row["status"], row["reason"] or "") for name, row in portals.items()}
    assert reasons["bomb.html"][0] == "dead" and "size" in reasons["bomb.html"][1].lower(), reasons
    assert reasons["big.html"][0] == "dead" and "size" in reasons["big.html"][1].lower(), reasons
    assert "redirect off scope" in reasons["offsite"][1]
    assert "internal address refused: private address 192.168.1.1" in reasons["to-private"][1]
    assert reasons["loop-a"][0] == "dead" and reasons["loop-a"][1]
    for name in ("malformed.html", "wrong-charset.html", "binary.html", "links.html"):
        # read without failing; `ok` only with reports, else no_reports saying what was walked
        row = portals[name]
        if row["reports"]:
            assert row["status"] == "ok", (name, reasons[name])
        else:
            assert row["status"] == "no_reports" and "pages" in row["reason"], (name, reasons[name])
    assert portals["binary.html"]["status"] == portals["links.html"]["status"] == "no_reports"
    # The endless pager stopped at the list page cap.
    assert portals["endless/1.html"]["pages"] <= 22


def test_forbidden_hosts_never_contacted(faulty):
    assert faulty["farm"].forbidden_hosts
    assert not (faulty["hosts"] & faulty["farm"].forbidden_hosts)


def test_archive_still_verifies(faulty):
    proc = subprocess.run([sys.executable, "-m", "archive", "verify", str(faulty["archive"] / "warc")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


# Sizes: the empty index with its statistics and coverage schema is ~190 KB, so below ~480k the
# disk is full before the first WARC closes. Both sizes end with the index full first.
@pytest.fixture(params=["480k", "1200k"], ids=["disk-480k", "disk-1200k"])
def tiny_disk(tmp_path, request):
    """A tmpfs too small for the crawl: at 320k the WARC writer meets the full disk first (the
    new index takes ~120k), at 1m the SQLite index does (after the WARCs are complete)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={request.param}", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_full_disk_stops_cleanly_and_keeps_what_was_written(farm, tiny_disk):
    portals = tiny_disk.parent / "portals.csv"
    farm.write_portals_csv(portals)
    archive = tiny_disk / "archive"
    proc = run_crawl(portals, archive, farm.proxy_port, timeout=300)
    assert proc.returncode == 1
    assert "nianbao: error: the archive disk is full" in proc.stderr
    warcs = list((archive / "warc").glob("*.warc.gz"))
    assert warcs and not list((archive / "warc").glob("*.open"))
    verify = subprocess.run([sys.executable, "-m", "archive", "verify", str(archive / "warc")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]


def test_a_disk_too_full_for_the_index_is_a_clear_error(farm, tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        portals = tmp_path / "portals.csv"
        farm.write_portals_csv(portals)
        proc = run_crawl(portals, mount / "archive", farm.proxy_port, timeout=120)
        assert proc.returncode == 2
        assert "nianbao: error: cannot create or open the index" in proc.stderr
        assert "Traceback" not in proc.stderr
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_foreign_database_is_refused_clearly(farm, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    con = sqlite3.connect(archive / "reports.db")
    con.execute("create table reports (id integer primary key, something_else text)")
    con.commit()
    con.close()
    portals = tmp_path / "portals.csv"
    farm.write_portals_csv(portals)
    proc = run_crawl(portals, archive, farm.proxy_port, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1].startswith("nianbao: error: ")
    assert "Traceback" not in proc.stderr


def test_a_capture_row_meeting_the_full_disk_stops_the_crawl_without_a_traceback(tmp_path):
    """The archiving middleware hands every capture row to the pipeline through a signal; the
    batched commit inside that handler can be the write that meets the full disk. It must stop
    the crawl as every other index write does, not escape as a traceback from the signal."""
    from scrapy.utils.test import get_crawler

    from crawler.pipelines import IndexPipeline

    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        crawler = get_crawler(settings_dict={"ARCHIVE_DIR": str(mount / "archive")})
        pipeline = IndexPipeline.from_crawler(crawler)
        pipeline.open_spider()
        assert pipeline.run_id is not None
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)  # the rest of the disk
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        for i in range(5000):
            pipeline.on_capture({"url": f"http://www.example.gov.cn/{i}.html" + "x" * 200, "method": "GET",
                                 "status": 200, "fetched_at": "2026-12-04T00:00:00Z"}, {})
            if crawler.stats.get_value("nianbao/index_full"):
                break
        assert crawler.stats.get_value("nianbao/index_full") == 1
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
