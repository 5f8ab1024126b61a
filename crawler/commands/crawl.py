"""`scrapy crawl reports` with nianbao's guard rails.

- bad input (portals CSV, ARCHIVE_DIR) → one clear error line, exit 2, nothing written;
- a second crawl on the same ARCHIVE_DIR → exits at once (exit 75, EX_TEMPFAIL) with a message;
- exit status 1 when the run failed (finish reason other than `finished`, spider errors, or no
  portal reachable), so cron mail and systemd notice;
- a stats JSON per run under ARCHIVE_DIR/runs/.
"""
from __future__ import annotations

import inspect
import json
import os
import sqlite3
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from archive import env_problem
from archive.runlock import LockHeld, RunLock
from crawler.netguard import parse_networks
from crawler.portals import DEFAULT_PORTALS, PortalsError, load_portals

EXIT_BAD_INPUT = 2
EXIT_LOCKED = 75


def fail(message: str, code: int) -> int:
    print(f"nianbao: error: {message}", file=sys.stderr)
    return code


# Typed settings Scrapy parses only when a component first reads them, mid-crawl: a bad `-s`
# value was a traceback (and a half-made run) instead of bad input.
TYPED_SETTINGS = {
    int: ("WARC_MAX_SIZE", "NIANBAO_MAX_PAGES_PER_PORTAL", "NIANBAO_MAX_COLUMN_DEPTH", "NIANBAO_NAV_BUDGET",
          "NIANBAO_NAV_WAVE", "NIANBAO_MAX_LIST_PAGES", "NIANBAO_EXTRACT_PROCESSES", "NIANBAO_EXTRACT_MEMORY_MB",
          "NIANBAO_REDIS_TTL", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "RETRY_TIMES"),
    float: ("NIANBAO_RECHECK_DAYS", "NIANBAO_EXTRACT_TIMEOUT", "NIANBAO_IDLE_TIMEOUT", "NIANBAO_PROGRESS_INTERVAL",
            "NIANBAO_RETRY_BACKOFF", "NIANBAO_RETRY_BACKOFF_MAX", "NIANBAO_RETRY_AFTER_MAX", "DOWNLOAD_DELAY",
            "DOWNLOAD_TIMEOUT"),
    bool: ("WARC_ENABLED", "WARC_REVISIT_REQUESTS", "NIANBAO_REFRESH", "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED"),
}
EXPECTED = {int: "a whole number", float: "a number", bool: "True or False"}


def check_settings(settings) -> str | None:
    """Why a typed setting's value cannot be used, or None."""
    getters = {int: settings.getint, float: settings.getfloat, bool: settings.getbool}
    for kind, names in TYPED_SETTINGS.items():
        for name in names:
            try:
                getters[kind](name)
            except (TypeError, ValueError):
                value = settings.get(name)
                # not given with -s: the settings module took it from the environment variable
                # of the same name (settings.default.env_number_or_text)
                from_env = (settings.getpriority(name) < SETTINGS_PRIORITIES["cmdline"]
                            and os.environ.get(name, "").strip() == str(value))
                return f"{'' if from_env else '-s '}{name}={value}: expected {EXPECTED[kind]}"
    return None


def check_spider_args(spidercls, spargs: dict) -> str | None:
    """Why the `-a` arguments cannot be used, or None. Scrapy hands any `-a` to the spider as
    an attribute, so a misspelt `-a portal=my.csv` crawled the bundled portals.csv."""
    params = inspect.signature(spidercls.__init__).parameters
    known = [n for n, p in params.items() if n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD]
    for name, value in spargs.items():
        if name not in known and not name.startswith("_"):  # _job & co.: scrapyd's
            return (f"unknown argument -a {name}={value} for `scrapy crawl {spidercls.name}` "
                    f"(it takes {', '.join('-a ' + k for k in known)})")
        if name in known and not str(value).strip():
            return f"-a {name}= is empty"
    return None


def check_archive_dir(path: Path) -> str | None:
    """Why ARCHIVE_DIR cannot be used, or None."""
    if path.exists() and not path.is_dir():
        return f"ARCHIVE_DIR {path} is not a directory"
    probe = path if path.exists() else next((p for p in path.parents if p.exists()), Path("."))
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"ARCHIVE_DIR {path} is not writable (check its permissions)"
    return None


def check_index(db_path: Path) -> str | None:
    """Open (create or migrate) the index before crawling: why it cannot be used, or None."""

    from archive.index import Index, IndexSchemaError

    try:
        Index(db_path).close()
    except IndexSchemaError as exc:
        return str(exc)
    except (sqlite3.Error, OSError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        return f"cannot create or open the index {db_path}: {why}"
    return None


def catch_up(archive_dir: Path):
    """Before a run, with the lock held: complete the WARCs a killed run left open, then index
    what they hold that reports.db lacks and close the killed run's row (archive.reconcile)."""
    from archive.reconcile import reconcile
    from archive.warc import recover

    warc_dir = archive_dir / "warc"
    recovered = recover(warc_dir)
    for line in recovered:
        print(f"nianbao: recovered WARC left by an interrupted crawl: {line}", file=sys.stderr)
    if recovered.damaged:
        print(f"nianbao: error: damaged records kept in place in {', '.join(recovered.damaged)}: "
              f"python -m archive verify {warc_dir}", file=sys.stderr)
    try:
        done = reconcile(archive_dir / "reports.db", warc_dir, recovered.closed)
    except (sqlite3.Error, OSError) as exc:
        # the crawl itself will meet the same disk or database and say so; a rebuild catches up
        print(f"nianbao: warning: could not bring the index up to date with the WARCs ({exc}); "
              f"python -m archive reindex --warc {warc_dir} --db {archive_dir / 'reports.db'} does it",
              file=sys.stderr)
        from archive.reconcile import Reconciled

        return Reconciled()
    if done.changed:
        print(f"nianbao: after a killed run: {done.summary()}", file=sys.stderr)
    return done


def unfinished_walk(caught, db_path: Path) -> str | None:
    """Why the last run's walk may have stopped part-way ("was killed", "stopped early
    (shutdown)"), or None when it finished. ``caught``: what `catch_up` just did. Any finish
    reason but ``finished`` counts: a first SIGTERM or Ctrl-C (``shutdown``), a full disk, a
    CLOSESPIDER_* limit all close the spider with requests still queued."""
    from archive.index.queries import last_run

    if caught.killed_runs:
        return "was killed"
    last = last_run(db_path)
    if last and last["finish_reason"] != "finished":
        return f"stopped early ({last['finish_reason']})"
    return None


FORCED = "forced"  # the finish reason of a run stopped before its spider could close


def exit_now(status: int) -> None:
    """End a crawl stopped by force at once. Its extraction workers ignore stop signals (the
    crawl owns them) and the stop skipped the pool's shutdown: at exit, multiprocessing would
    join them, and the interpreter waited on them for good (2 of 13 forced stops in a test).
    They are killed; what they held is re-done by the next run, which re-checks every page."""
    import multiprocessing

    for child in multiprocessing.active_children():
        child.kill()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def run_status(crawler) -> tuple[int, dict]:
    """Exit status and summary of a finished crawl.

    A worker of a distributed crawl (scrapy-redis scheduler) may fetch no portal's home page
    at all — another worker did — so "no portal reachable" does not fail it."""
    stats = crawler.stats.get_stats() if crawler.stats else {}
    spider = crawler.spider
    portals = spider.portal_rows() if callable(getattr(spider, "portal_rows", None)) else []
    reachable = sum(1 for p in portals if p["status"] in ("ok", "no_reports", "budget_exhausted"))
    without = [p["name"] for p in portals if p["status"] != "ok"]
    errors = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
    summary = {
        # none: the spider never closed, the stop was forced (a second Ctrl-C or SIGTERM)
        "finish_reason": stats.get("finish_reason") or FORCED,
        "start_time": str(stats.get("start_time")), "finish_time": str(stats.get("finish_time")),
        "responses": stats.get("response_received_count", 0),
        "spider_exceptions": errors, "portals": portals, "portals_reachable": reachable,
        "portals_without_reports": len(without), "portals_without_reports_names": without[:50],
        "reports": sum(p["reports"] for p in portals),
    }
    # documents that gave no or partial text, and why (issue 17): not run failures, but listed
    extract_errors = getattr(crawler, "nianbao_extract_errors", [])
    summary["extract_errors"] = {
        "count": len(extract_errors),
        "by_kind": dict(Counter(e.split(":", 1)[0] for _, e in extract_errors).most_common()),
        "documents": [{"url": u, "error": e} for u, e in extract_errors],
    }
    # reports found but not archived (their page or file could not be fetched): not run
    # failures (the portal's fault, or the network's), but never silent
    unfetched = spider.unfetched_documents() if callable(getattr(spider, "unfetched_documents", None)) else []
    summary["unfetched_documents"] = {"count": len(unfetched), "documents": unfetched[:500]}
    errors += stats.get("nianbao/pipeline_errors", 0)
    summary["index_full"] = bool(stats.get("nianbao/index_full"))
    if summary["index_full"]:
        summary["finish_reason"] = "archive_full"
    shared = str(crawler.settings.get("SCHEDULER", "")).startswith("scrapy_redis")
    failed = (summary["finish_reason"] != "finished" or errors > 0
              or (portals and reachable == 0 and not shared))
    summary["status"] = "failed" if failed else "ok"
    if not failed and portals and summary["reports"] == 0 and not shared:
        # no silent success: portals answered, but the run yielded nothing (exit status stays 0)
        summary["status"] = "no_reports"
    return (1 if failed else 0), summary


def write_summary(archive_dir: Path, summary: dict) -> None:
    """ARCHIVE_DIR/runs/<time>.json and last-run.json; a full disk only costs a warning."""
    # microseconds: a refresh with nothing due can finish within the second the last one did
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    text = json.dumps(summary, ensure_ascii=False, indent=2, default=str)
    try:
        runs = archive_dir / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        (runs / f"{stamp}.json").write_text(text, encoding="utf-8")
        (archive_dir / "last-run.json").write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"nianbao: warning: run statistics not written ({exc.strerror})", file=sys.stderr)


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider (nianbao: `scrapy crawl reports [-a portals=FILE] [-s ARCHIVE_DIR=DIR]`)"

    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. `scrapy crawl reports`")
        spname = args[0]
        archive_dir = Path(self.settings.get("ARCHIVE_DIR", "data"))
        try:
            spidercls = self.crawler_process.spider_loader.load(spname)
        except KeyError:
            self.exitcode = fail(f"no spider {spname!r}: `scrapy crawl reports` or `scrapy crawl portals` "
                                 "(`scrapy list` lists them)", EXIT_BAD_INPUT)
            return
        problem = check_settings(self.settings) or env_problem() or check_spider_args(spidercls, opts.spargs)
        if not problem and not str(self.settings.get("ARCHIVE_DIR", "data")).strip():  # Path("") is "."
            problem = "-s ARCHIVE_DIR= is empty"
        if problem:
            self.exitcode = fail(problem, EXIT_BAD_INPUT)
            return
        try:
            if spname == "reports":
                allowed = parse_networks(self.settings.getlist("NIANBAO_ALLOW_PRIVATE_NETWORKS"))
                load_portals(opts.spargs.get("portals") or DEFAULT_PORTALS, allowed)
            elif spname == "portals":
                from crawler.spiders.portals import PROVINCES, load_provinces, parse_max_pages, select_provinces

                select_provinces(load_provinces(opts.spargs.get("provinces") or PROVINCES), opts.spargs.get("only"))
                parse_max_pages(opts.spargs.get("max_pages", "40"))
        except (PortalsError, ValueError) as exc:
            self.exitcode = fail(str(exc), EXIT_BAD_INPUT)
            return
        problem = check_archive_dir(archive_dir)
        if problem:
            self.exitcode = fail(problem, EXIT_BAD_INPUT)
            return
        lock = RunLock(archive_dir)
        try:
            lock.acquire()
        except LockHeld as exc:
            self.exitcode = fail(str(exc), EXIT_LOCKED)
            return
        except OSError as exc:
            self.exitcode = fail(f"cannot use ARCHIVE_DIR {archive_dir}: {exc.strerror}", EXIT_BAD_INPUT)
            return
        problem = check_index(archive_dir / "reports.db")
        if problem:
            lock.release()
            self.exitcode = fail(problem, EXIT_BAD_INPUT)
            return
        why = unfinished_walk(catch_up(archive_dir), archive_dir / "reports.db")
        if why:
            # That run's walk stopped part-way: pages it answered are not proof that what lies
            # behind them was reached, so this run re-checks every page (conditionally).
            self.settings.set("NIANBAO_RECHECK_DAYS", 0, priority="cmdline")
            print(f"nianbao: the last run {why}: re-checking every page this run", file=sys.stderr)
        summary: dict | None = None
        try:
            crawler = self._create_crawler(spname)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
            if self.crawler_process.bootstrap_failed:
                self.exitcode = 1
                return
            self.exitcode, summary = run_status(crawler)
            if summary["portals_without_reports"]:
                # no silent success: a portal that yielded nothing is named, whatever the exit status
                print(f"nianbao: {summary['portals_without_reports']}/{len(summary['portals'])} portals without reports: "
                      + ", ".join(f"{p['name']} ({p['status']})" for p in summary["portals"] if p["status"] != "ok")[:2000],
                      file=sys.stderr)
            if summary["status"] == "no_reports":
                print(f"nianbao: the run found no reports in {len(summary['portals'])} portal(s) "
                      "(status no_reports in last-run.json)", file=sys.stderr)
            from crawler.spiders.reports import ROBOTS_REFUSAL

            failed = [d for d in summary["unfetched_documents"]["documents"]
                      if not d["error"].startswith(ROBOTS_REFUSAL)]
            if failed:
                print(f"nianbao: {len(failed)} report pages or files could not be fetched (portal reasons and "
                      "captures.error say which): "
                      + ", ".join(f"{d['url']} ({d['error']})" for d in failed[:5])[:2000],
                      file=sys.stderr)
            write_summary(archive_dir, summary)
            if summary["finish_reason"] == "archive_full":
                print(f"nianbao: error: the archive disk is full; free space under {archive_dir} and run "
                      "again (every WARC file written so far is complete and verifies)", file=sys.stderr)
                if summary["index_full"]:
                    print(f"nianbao: the index may miss the last captures: rebuild it with "
                          f"python -m archive reindex --warc {archive_dir / 'warc'} --db {archive_dir / 'reports.db'}",
                          file=sys.stderr)
            elif summary["finish_reason"] == FORCED:
                print("nianbao: crawl failed: stopped by force (a second stop signal) before it could close; "
                      "an unfinished WARC file is completed and the run marked killed by the next run, which "
                      "re-checks every page", file=sys.stderr)
            elif self.exitcode:
                print(f"nianbao: crawl {summary['status']}: finish reason {summary['finish_reason']}, "
                      f"{summary['spider_exceptions']} spider errors, "
                      f"{summary['portals_reachable']}/{len(summary['portals'])} portals reachable",
                      file=sys.stderr)
        finally:
            lock.release()
        if summary is not None and summary["finish_reason"] == FORCED:
            exit_now(self.exitcode)
