"""Cron refresh: incremental, idempotent, overlap-safe re-crawls of the same ARCHIVE_DIR.

One farm, six real crawls into one archive, as a daily cron would make them:
1. the first;
2. the next day, nothing changed: lists walked again, report pages not due (NIANBAO_RECHECK_DAYS);
3. nothing changed, report pages due (NIANBAO_RECHECK_DAYS=0 stands for "a week later");
4. the day after reports were added, edited and removed;
5. a week later, report pages due again;
6. the next day, nothing changed.
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

from archive.reports.urls import identity_url
from archive.runlock import RunLock
from tests.crawling import ROOT, connect_index, crawl_command, crawl_env, report_rows, run_crawl, squash, warcio_cli

DUE = {"NIANBAO_RECHECK_DAYS": "0"}


def warc_bytes(archive: Path) -> int:
    return sum(p.stat().st_size for p in (archive / "warc").glob("*.warc.gz"))


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """Run the six crawls; return what each left behind."""
    from farm import build_farm
    from farm.server import FarmServer

    farm = build_farm("small")
    work = tmp_path_factory.mktemp("refresh")
    archive = work / "archive"
    portals = work / "portals.csv"
    farm.write_portals_csv(portals)
    runs, snapshots = [], []
    with FarmServer(farm) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])

        def crawl(settings=None):
            before = warc_bytes(archive) if archive.exists() else 0
            started = len(server.sent)
            proc = run_crawl(portals, archive, port, settings)
            assert proc.returncode == 0, proc.stderr[-3000:]
            runs.append({"bytes": warc_bytes(archive) - before, "sent": server.sent[started:]})
            snapshots.append(report_rows(archive))

        crawl()
        crawl()
        crawl(DUE)
        truth_before = {t.page_url: t for t in farm.truth}
        html_reports = [t for t in farm.truth if t.content_type == "html" and t.url == t.page_url
                        and t.portal in ("襄阳市", "铁岭市", "随州市")]
        added = farm.add_report("襄阳市")
        edited = farm.edit_report(html_reports[0].page_url)
        removed = farm.remove_report(html_reports[1].page_url)
        crawl()
        crawl(DUE)
        crawl()
    con = connect_index(archive)
    return {"farm": farm, "archive": archive, "runs": runs, "snapshots": snapshots, "db": con,
            "added": added, "edited": edited, "removed": removed, "truth_before": truth_before,
            "old_text": truth_before[edited.page_url].text}


def run_row(db, n):
    return db.execute("select * from crawl_runs order by id limit 1 offset ?", (n - 1,)).fetchone()


def warc_file(refreshed, n) -> str:
    """Each run writes its own WARC file (named by time): run n's is the n-th."""
    files = sorted(p.name for p in (refreshed["archive"] / "warc").glob("*.warc.gz"))
    assert len(files) == 6
    return files[n - 1]


def test_next_day_run_walks_lists_but_leaves_report_pages_alone(refreshed):
    first, second = refreshed["runs"][0], refreshed["runs"][1]
    documents = {t.url for t in refreshed["truth_before"].values()} | set(refreshed["truth_before"])
    asked = {r.url for r in second["sent"]}
    assert not asked & documents  # no report page or file asked again: none is due
    # The lists that link reports are asked again (so a new report is found the same day),
    # conditionally, and answer 304.
    lists = {r.url for r in first["sent"] if r.status == 200} & asked
    assert len(lists) >= 10
    list_answers = [r for r in second["sent"] if r.url in lists and r.method == "GET"]
    assert all(dict((k.lower(), v) for k, v in r.request_headers).get("if-none-match") for r in list_answers)
    assert {r.status for r in list_answers} == {304}
    assert len(second["sent"]) < 0.6 * len(first["sent"])
    assert second["bytes"] < 0.1 * first["bytes"]
    db = refreshed["db"]
    row = run_row(db, 2)
    assert (row["reports_new"], row["reports_changed"], row["reports_removed"]) == (0, 0, 0)
    assert refreshed["snapshots"][1] == refreshed["snapshots"][0]  # nothing in the index moved
    # The list API answered POST (Hanweb dataproxy) the same as before: revisits, not copies.
    posts = db.execute("select record_type, count(*) from captures where method = 'POST' and status = 200 "
                       "and warc_filename = ? group by 1", (warc_file(refreshed, 2),)).fetchall()
    assert dict(posts).get("revisit", 0) >= 1 and "response" not in dict(posts)
    # Reports left alone still count as found on their portal (the portals table, coverage).
    first_counts, second_counts = (json.loads(run_row(db, n)["stats"])["portals"] for n in (1, 2))
    assert {p: r["reports"] for p, r in second_counts.items()} == {p: r["reports"] for p, r in first_counts.items()}


def test_due_recrawl_archives_revisits_not_copies(refreshed):
    db, runs = refreshed["db"], refreshed["runs"]
    third = run_row(db, 3)
    assert (third["reports_new"], third["reports_changed"]) == (0, 0)
    assert third["reports_unchanged"] == 13
    # Every report document of run 3 is a revisit record, none a second full response.
    kinds = db.execute("select record_type, count(*) from captures where kind in ('report', 'attachment') "
                       "and warc_filename = ? group by 1", (warc_file(refreshed, 3),)).fetchall()
    assert dict(kinds).get("response", 0) == 0 and dict(kinds)["revisit"] >= 13
    assert runs[2]["bytes"] < 0.25 * runs[0]["bytes"]
    # ... asked for conditionally, with the validators of the first capture.
    documents = set(refreshed["truth_before"])
    conditional = [r for r in runs[2]["sent"] if r.url in documents
                   and any(k.lower() == "if-none-match" for k, _ in r.request_headers)]
    assert len({r.url for r in conditional}) >= 10


def test_revisit_records_refer_to_their_originals(refreshed):
    profiles, revisits = set(), 0
    for path in sorted((refreshed["archive"] / "warc").glob("*.warc.gz")):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                if rec.rec_type == "revisit":
                    revisits += 1
                    profiles.add(rec.rec_headers.get_header("WARC-Profile"))
                    assert rec.rec_headers.get_header("WARC-Refers-To-Target-URI")
                    assert rec.rec_headers.get_header("WARC-Refers-To-Date")
                    assert rec.rec_headers.get_header("WARC-Refers-To")
    assert "http://netpreserve.org/warc/1.1/revisit/server-not-modified" in profiles
    assert revisits >= 50
    # Every digest checks out, including the full responses of changed pages (their payload
    # digest is computed once, for the revisit test, and reused for the record).
    for path in sorted((refreshed["archive"] / "warc").glob("*.warc.gz")):
        check = warcio_cli("check", "-v", path)
        assert check.returncode == 0 and "digest pass" in check.stdout, check.stdout[-2000:] + check.stderr


def test_added_and_removed_found_the_next_day_edits_once_due(refreshed):
    farm, snapshots = refreshed["farm"], refreshed["snapshots"]
    fourth, fifth = snapshots[3], snapshots[4]
    # Run 4 (the next day): the new report is in, the removed one (no list shows it, so it is
    # asked for again: 404) is marked; the edited page is not due yet.
    added = fourth[identity_url(refreshed["added"].page_url)]
    assert added["title"] == refreshed["added"].title and added["removed_at"] is None
    assert added["listed_on"]  # the list that showed it
    assert fourth[identity_url(refreshed["removed"].page_url)]["removed_at"] is not None
    assert fourth[identity_url(refreshed["edited"].page_url)]["version"] == 1
    # Run 5 (report pages due): the edit is in, with history.
    db = refreshed["db"]
    edited = fifth[identity_url(refreshed["edited"].page_url)]
    assert squash(edited["text"]) == squash(refreshed["edited"].text)
    assert edited["version"] == 2
    [old] = db.execute("select * from report_versions where report_id = ?", (edited["id"],)).fetchall()
    assert squash(old["text"]) == squash(refreshed["old_text"])
    rows = report_rows(refreshed["archive"])
    assert rows[identity_url(refreshed["removed"].page_url)]["removed_at"] is not None  # kept, marked
    for t in farm.truth:  # everything the farm still publishes is present and current
        assert rows[identity_url(t.page_url)]["removed_at"] is None


def test_no_duplicates_after_six_runs(refreshed):
    db = refreshed["db"]
    n, distinct = db.execute("select count(*), count(distinct page_url) from reports").fetchone()
    assert n == distinct == len(refreshed["farm"].truth) + 1  # + the removed one, kept
    last = run_row(db, 6)
    assert (last["reports_new"], last["reports_changed"], last["reports_removed"]) == (0, 0, 0)
    assert db.execute("select count(*) from crawl_runs where finish_reason = 'finished'").fetchone()[0] == 6
    stats = json.loads(last["stats"])
    assert set(stats["portals"]) == {p.name for p in refreshed["farm"].portals}
    assert len(list((refreshed["archive"] / "runs").glob("*.json"))) == 6


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
    assert con.execute("select status, reason from portals").fetchone() == ("dead", "HTTP 502")


def test_recheck_plan_rules():
    from datetime import datetime, timedelta, timezone

    from crawler.refresh import RecheckPlan, is_due

    now = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    iso = lambda d: (now - timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    assert is_due(None, now, 7) and is_due(iso(8), now, 7) and not is_due(iso(6), now, 7)
    assert is_due(iso(0), now, 0)  # 0: everything, every run
    plan = RecheckPlan.build(7, {"http://a.gov.cn/nav/": iso(1), "http://a.gov.cn/nb/": iso(1),
                                 "http://a.gov.cn/old/": iso(9)},
                             [{"portal": "甲", "listed_on": "http://a.gov.cn/nb/"}], now=now)
    assert plan.skip_navigation("http://a.gov.cn/nav/")      # answered yesterday, leads to no list
    assert not plan.skip_navigation("http://a.gov.cn/nb/")   # a list of reports: every run
    assert not plan.skip_navigation("http://a.gov.cn/old/")  # due
    assert not plan.skip_navigation("http://a.gov.cn/new/")  # never asked
    assert not RecheckPlan.build(0, {}, [], now=now).active


def test_a_list_that_has_gone_makes_the_portal_walk_its_navigation(tmp_path):
    """A refresh leaves navigation pages alone; when a list that linked reports answers 404,
    that portal's navigation is walked after all (to find where the list went), its reports
    are asked for again (unlisted) and, still there, stay live."""
    from urllib.parse import urlsplit

    from farm import build_farm
    from farm.server import FarmServer

    farm = build_farm("small")
    archive, portals = tmp_path / "archive", tmp_path / "portals.csv"
    farm.write_portals_csv(portals)
    with FarmServer(farm) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])
        assert run_crawl(portals, archive, port).returncode == 0
        first = list(server.sent)
        con = sqlite3.connect(archive / "reports.db")
        hubs = dict(con.execute("select listed_on, count(*) from reports where portal = '襄阳市' group by 1"))
        con.close()
        hub = max(hubs, key=hubs.get)
        parts = urlsplit(hub)
        site = farm.sites[parts.hostname]
        for path in (parts.path, parts.path + "index.html", parts.path + "index.shtml"):
            site.resources.pop(path, None)
        started = len(server.sent)
        assert run_crawl(portals, archive, port).returncode == 0
        second = server.sent[started:]
    assert any(r.url == hub and r.status == 404 for r in second)

    def navigation(sent, host):
        return {r.url for r in sent if urlsplit(r.url).hostname == host and r.status == 200
                and not r.url.startswith(tuple(hubs)) and "/t20" not in r.url and not r.url.endswith("robots.txt")}
    gone_host, other_host = parts.hostname, "www.tieling.gov.cn"
    # The portal whose list went: its navigation asked again; another portal's left alone.
    assert navigation(first, gone_host) and navigation(first, gone_host) <= {r.url for r in second}
    assert not navigation(first, other_host) <= {r.url for r in second}
    rows = report_rows(archive)
    assert sum(1 for r in rows.values() if r["portal"] == "襄阳市" and r["removed_at"] is None) >= hubs[hub]
