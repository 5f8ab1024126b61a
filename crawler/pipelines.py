"""Item pipeline: captured report documents → clean text → rows in reports.db.

Thin on purpose: extraction is archive.extract, what a document does to the index is
archive.reports.ingest (report decisions in archive.reports.rows, storage in archive.index) — the same code
`python -m archive reindex` runs on the WARC files.

With NIANBAO_EXTRACT_PROCESSES=N (N > 0) extraction runs in a pool of N processes, off the
reactor, so downloads and parsing go on while documents are extracted and pages/s grows with
cores; results are applied to the index in the order the items came, exactly as inline. The
pool also parses the statistics tables of the report row a document gives
(archive.reports.ingest.extract_and_derive): pure work that cost the reactor 14% of its time.
Each document has a time and memory budget (NIANBAO_EXTRACT_TIMEOUT seconds,
NIANBAO_EXTRACT_MEMORY_MB; archive.extract.budget): a worker past it is killed and replaced,
the document is indexed with its `extract_error` and never extracted again in this process.
"""
from __future__ import annotations

import contextlib
import errno
import logging
import signal
import sqlite3
from collections import Counter, deque
from multiprocessing import resource_tracker
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from archive.extract import extract, sniff_type
from archive.extract.budget import BudgetExceeded, BudgetPool, budget_from_env, failed_extraction
from archive.index import Index
from archive.reports.ingest import Ingest, extract_and_derive, with_scan_parts
from archive.warc.records import warc_date
from crawler.signals import capture_stored, list_dated

logger = logging.getLogger(__name__)


def _portal_rows(spider) -> list[dict]:
    rows = getattr(spider, "portal_rows", None)
    return rows() if callable(rows) else []


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's "database or disk is full", or ENOSPC/EDQUOT from the file system."""
    if isinstance(exc, sqlite3.OperationalError):
        return "full" in str(exc)
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class _Pending:
    """An item in the pipeline's queue (pool mode)."""

    __slots__ = ("item", "ready", "extraction", "derived", "error", "done", "pool")

    def __init__(self, item):
        self.item, self.ready, self.extraction, self.error, self.done = item, False, None, None, Deferred()
        self.derived, self.pool = (), None


# The signals a user, cron's wrapper or systemd stops a crawl with: they reach the whole process
# group (Ctrl-C) or cgroup (systemctl stop), the extraction workers too.
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class _CrawlOwnedWorker(SpawnProcess):
    """An extraction worker that leaves SIGINT and SIGTERM to the crawl process.

    The crawl answers the first one with a graceful shutdown that still needs its workers: a
    worker killed by SIGTERM left its document indexed without text for good (the next run
    finds it unchanged and never extracts it again); one interrupted by SIGINT sent the
    KeyboardInterrupt back, or died idle, and the pool stalled: the crawl never exited. The
    pool ends its workers itself, with SIGKILL (BudgetPool.shutdown)."""

    @staticmethod
    def _Popen(process_obj):
        # Blocked from fork to `run`: a signal while the new interpreter starts (a third of a
        # second: it imports the crawl's modules) stays pending, then is ignored; the mask
        # survives exec. The resource tracker is started first: starting it unblocks
        # SIGINT and SIGTERM in this thread.
        resource_tracker.ensure_running()
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            return SpawnProcess._Popen(process_obj)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    def run(self):
        for signum in _STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        super().run()


class _CrawlOwnedContext(SpawnContext):
    """multiprocessing's spawn context, with workers that ignore the crawl's stop signals."""

    Process = _CrawlOwnedWorker


def _budget(settings) -> tuple[float, int]:
    """(seconds, MB) per document: the crawl settings, else the environment, else defaults."""
    timeout, memory_mb = budget_from_env()
    return (settings.getfloat("NIANBAO_EXTRACT_TIMEOUT", timeout),
            settings.getint("NIANBAO_EXTRACT_MEMORY_MB", memory_mb))


class IndexPipeline:
    """Extract and index each report; record every capture and each portal's outcome."""

    def __init__(self, crawler, db_path: Path):
        self.crawler = crawler
        self.db_path = db_path
        self.index: Index | None = None
        self.ingest: Ingest | None = None
        self.run_id = None
        self.processes = crawler.settings.getint("NIANBAO_EXTRACT_PROCESSES", 1)
        self.timeout, self.memory_mb = _budget(crawler.settings)
        self.pool: BudgetPool | None = None
        self._queue: deque[_Pending] = deque()  # items in arrival order, extraction maybe pending
        crawler.signals.connect(self.on_capture, signal=capture_stored)
        crawler.signals.connect(self.on_list_dated, signal=list_dated)
        # The finish reason exists only once the spider has closed, after close_spider.
        crawler.signals.connect(self.on_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        archive_dir = Path(crawler.settings.get("ARCHIVE_DIR", "data"))
        archive_dir.mkdir(parents=True, exist_ok=True)
        return cls(crawler, archive_dir / "reports.db")

    def open_spider(self, spider=None):
        self.index = Index(self.db_path)
        self.ingest = Ingest(self.index, on_report=self._count_report)
        try:
            self.run_id = self.index.start_run()
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            # no room for even the run's row: stop as soon as the engine runs (it does not yet)
            self.crawler.stats.set_value("nianbao/index_full", 1)
            self.run_id = None
            from twisted.internet import reactor

            reactor.callLater(0, self._disk_full, exc)
        # The pool starts with the first document to extract: a refresh run that finds nothing
        # new never pays for it.

    def _count_report(self, portal: str | None, rid: str, has_text: bool = True) -> None:
        states = getattr(self.crawler.spider, "states", {})
        if portal in states:
            states[portal].reports.add(rid)
            # the portal's row says how many of its reports hold no text (PortalState.row)
            (states[portal].textless.discard if has_text else states[portal].textless.add)(rid)

    def on_capture(self, capture: dict, context: dict):
        if self.index is not None:
            self._add_capture(capture)

    def on_list_dated(self, record: dict):
        # at once, not in item order: Ingest gives the same row whichever comes first, the
        # date or the report's document still queued for extraction
        if self.ingest is not None:
            with self._stop_if_full():
                self.ingest.list_date(record["url"], record["list_date"])

    @contextlib.contextmanager
    def _stop_if_full(self):
        """Around index writes: a full disk stops the crawl (``_disk_full``), never escapes as
        a traceback (a batched commit inside a signal handler can be the write that meets it)."""
        try:
            yield
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self._disk_full(exc)

    def _add_capture(self, row: dict) -> None:
        with self._stop_if_full():
            self.index.add_capture(row)

    def process_item(self, item, spider=None):
        if self.processes <= 0:
            self._apply(item)
            return item
        pending = _Pending(item)
        self._queue.append(pending)
        if "failure" in item or item.get("unchanged", False):
            pending.ready = True  # nothing to extract ahead (an unchanged document rarely is)
            self._drain()
            return item
        capture = item["capture"]
        if self.pool is None:
            self.pool = BudgetPool(self.processes, self.timeout, self.memory_mb, mp_context=_CrawlOwnedContext())
            from twisted.internet import reactor
            # a forced shutdown (the signal sent twice) skips close_spider; workers that ignore
            # SIGTERM would then block the interpreter's exit (multiprocessing joins them)
            reactor.addSystemEventTrigger("before", "shutdown", self._kill_pool)
        pending.pool = self.pool
        future = self.pool.submit(extract_and_derive, item["body"], capture["url"], item.get("content_type"),
                                  item["context"], {"url": capture["url"], "status": capture.get("status")})
        from twisted.internet import reactor
        future.add_done_callback(lambda f: reactor.callFromThread(self._extracted, pending, f))
        return self._wait(pending.done)

    async def _wait(self, done: Deferred):
        return await maybe_deferred_to_future(done)

    def _extracted(self, pending: "_Pending", future) -> None:
        try:
            pending.extraction, pending.derived = future.result()
        except BudgetExceeded as exc:
            # The worker was killed and replaced. Never extract it again here: the same
            # document would stall or exhaust the crawl process itself.
            item = pending.item
            logger.warning("extracting %s: %s", item["capture"]["url"], exc)
            self.crawler.stats.inc_value("nianbao/extract_budget_exceeded")
            kind = sniff_type(item["body"][:4096], item["capture"]["url"], item.get("content_type"))
            pending.extraction = failed_extraction(kind if kind in ("html", "pdf", "docx", "doc", "wps", "ofd")
                                                   else "other", str(exc))
        except Exception as exc:
            pending.error = exc
        pending.ready = True
        self._drain()

    def _drain(self) -> None:
        """Apply finished items to the index in arrival order."""
        while self._queue and self._queue[0].ready:
            p = self._queue.popleft()
            self._apply(p.item, p.extraction, p.error, p.derived)
            p.done.callback(p.item)

    def _apply(self, item, extraction=None, error: BaseException | None = None, derived=()) -> None:
        got: list = []

        def extracted():
            if error is not None:
                raise error
            ex = extraction if extraction is not None else extract(
                item["body"], item["capture"]["url"], item.get("content_type"))
            got.append(ex)
            return ex

        if "failure" in item:
            failure = item["failure"]
            with self._stop_if_full():
                self.index.add_capture({"url": failure["url"], "method": failure["method"], "status": None,
                                        "portal": failure["portal"], "kind": failure["kind"],
                                        "error": failure["error"], "fetched_at": warc_date()})
                if failure.get("gone"):
                    self.ingest.gone(failure["gone"])
            return
        capture = item["capture"]
        try:
            self.ingest.document(item["context"], capture, extracted, unchanged=item.get("unchanged", False),
                                 derived=derived)
            if got:
                self._after_extraction(item["context"], capture, got[0])
        except Exception as exc:  # one bad document must not stop the crawl, but the run reports it
            if is_disk_full(exc):
                self._disk_full(exc)
                return
            logger.exception("extracting or indexing %s failed", capture["url"])
            self.crawler.stats.inc_value("nianbao/pipeline_errors")

    def _after_extraction(self, context: dict, capture: dict, ex) -> None:
        """Count a document's extraction error; fetch the page images of a scanned report
        page as its parts (OCR'd in the pool; ingest joins them, as on reindex)."""
        if ex.extract_error:
            kind = ex.extract_error.split(":", 1)[0][:60]
            self.crawler.stats.inc_value("nianbao/extract_errors")
            self.crawler.stats.inc_value(f"nianbao/extract_errors/{kind}")
        if with_scan_parts(context, ex) is context:
            return
        spider = self.crawler.spider
        n = len(ex.scan_images)
        parent = {**context, "url": capture["url"]}
        for part, url in enumerate(ex.scan_images, start=1):
            req = spider._request(url, parent, "continuation", context.get("anchor"), page_url=capture["url"],
                                  part=part, parts=n + 1, list_root=context.get("list_root"))
            if req is not None:
                self.crawler.engine.crawl(req)

    def _disk_full(self, exc: BaseException) -> None:
        """The index cannot grow: stop the crawl. The WARC files hold everything fetched, so
        `python -m archive reindex` rebuilds the index once there is space."""
        if not self.crawler.stats.get_value("nianbao/index_full"):
            logger.error("index %s cannot be written (%s): stopping the crawl", self.db_path, exc)
        self.crawler.stats.set_value("nianbao/index_full", 1)
        try:
            engine = self.crawler.engine
        except RuntimeError:  # Scrapy ≥ 2.13 raises before the crawl has started
            engine = None
        if engine and self.crawler.spider and engine.running:
            engine.close_spider(self.crawler.spider, "archive_full")

    def _kill_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def close_spider(self, spider=None):
        for p in self._queue:  # normally empty: Scrapy waits for items before closing
            p.ready = True
            p.error = p.error or RuntimeError("crawl closed before extraction finished")
        self._drain()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        # the run summary (crawler/commands/crawl.py) lists them; stats would dump the list to the log
        self.crawler.nianbao_extract_errors = list(self.ingest.errors)
        if self.ingest.errors:
            logger.warning("%d documents gave no or partial text (extract_error): %s", len(self.ingest.errors),
                           dict(Counter(e.split(":", 1)[0] for _, e in self.ingest.errors).most_common()))
        with self._stop_if_full():
            self.ingest.finish()
            # reports whose statistics were parsed here, on the reactor thread: the pool's did
            # not fit the stored row (joined pages, a cover of another year) or there is no pool
            self.crawler.stats.set_value("nianbao/statistics_derived_at_store", self.ingest.counts["derived_at_store"])
            # stored rows a list dated after their capture (this run's or an earlier run's)
            self.crawler.stats.set_value("nianbao/reports_dated_after_capture", self.ingest.counts["dated_after_capture"])
            for row in _portal_rows(self.crawler.spider):
                self.index.upsert_portal(dict(row, last_crawl=warc_date()))
            self.index.commit()

    def on_closed(self, spider, reason):
        if self.run_id is None:
            self.index.close()
            return
        with self._stop_if_full():
            self._finish_run(spider, reason)

    def _finish_run(self, spider, reason):
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        counts = self.ingest.counts
        self.index.finish_run(self.run_id, {
            "finish_reason": reason,
            "pages": stats.get("response_received_count", 0),
            "reports_new": counts["new"], "reports_changed": counts["changed"],
            "reports_unchanged": counts["unchanged"], "reports_removed": counts["removed"],
            "errors": stats.get("log_count/ERROR", 0),
            "portals": {row["name"]: row for row in _portal_rows(spider)},
        })
        self.index.close()
