"""`python -m archive reindex --warc DIR --db PATH [--jobs N]`: rebuild reports.db from the
WARC files alone, with the very functions the crawl uses.

What the crawl does per archived response, and what this does with the same inputs:

* archiving middleware → `Index.add_capture(row)` for every response/revisit; the row is
  rebuilt from the WARC record and its crawl-context metadata record (`capture_row`);
* spider callback `parse_report`/`parse_attachment` (2xx responses whose context kind is
  report/attachment; other statuses never reach a callback) → item pipeline:
  `archive.extract.extract(decoded body, url, Content-Type)` →
  `archive.reports.rows.ReportAssembler.feed(context, capture, extraction)` (which calls
  `build_report`) → `Index.upsert_report(row)`; `flush()` at the end;
* refresh runs (issue 6): a `revisit` of a report/attachment reached the pipeline as an
  "unchanged" item: `archive.reports.ingest.Ingest` (the pipeline's own code) marks a current report
  seen without extraction; otherwise the original record the revisit refers to is extracted;
* a 404/410 of a report/attachment went to the errback as "gone": `Ingest.gone`;
* a TRS report split over pages: the spider counted its pages from the first page's pager
  (`archive.reports.responses.pipeline_item`); the same function runs on the archived first page.

* the portals table: each crawl ends its WARCs with a summary record
  (`urn:nianbao:run:<start>`, `WarcWriter.write_run_summary`) holding every portal's row
  (status, reason, pages, reports); `apply_run_summary` writes them back, later runs last;
  the workers of one distributed crawl are merged (`merge_worker_rows`).
* a list that dated a report only after its capture: the crawl wrote a stand-alone record
  (`urn:nianbao:listdate:<page url>`, `WarcWriter.write_list_date`) and gave the date to the
  row (`Ingest.list_date`); the same call here, after the range's exchanges, whatever order
  the record and the capture come in.

Fetch bookkeeping (first_seen/last_seen/removed_at times, crawl_runs, capture rows of requests
that got no response at all) is not in the WARCs and is not reproduced: times come from the
WARC-Date of the records instead of the wall clock of the crawl. A crawl killed before it
closed wrote no summary: its portals are missing until the next crawl.

Parallelism: extraction is the expensive part (HTML parsing, PDF text), so the WARCs are cut
into byte ranges at gzip-member boundaries and a process pool reads and extracts the ranges;
only the small results (capture rows, Extraction objects) travel back. One writer, the main
process, applies them in WARC order (file by file, offset by offset) - the order the crawl
wrote them - so the assembler and the index see the sequence the crawl saw. At most
`jobs * 3` ranges are in flight, which keeps memory flat on archives of any size.

Budgets (issue 15): each worker's address space is limited to NIANBAO_EXTRACT_MEMORY_MB
(RLIMIT_AS, set when the worker starts) and each document to NIANBAO_EXTRACT_TIMEOUT seconds
(an interval timer in the worker interrupts the extractor); such a document is indexed with
its `extract_error`, the rest of its range goes on.

The database is built under `<db>.reindex-tmp` and moved over `<db>` only when complete, so
an interrupted reindex never leaves a half-built index in place.

Length: one job in three parts that must stay in step — planning byte ranges, replaying each
range through the crawl's own functions in a worker, and merging the workers' rows in order.
"""
from __future__ import annotations

import logging
import os
import time
import zlib
from collections import deque
from dataclasses import asdict, dataclass, field

from archive.reports.ingest import derive_alone
from archive.reports.responses import EXTRACT_KINDS, MAX_RESPONSE_BYTES, becomes_item, pipeline_item
from archive.warc import (
    GZIP_MAGIC,
    LISTDATE_URI_PREFIX,
    RUN_URI_PREFIX,
    ArchivedExchange,
    ArchiveError,
    ContentDecodingError,
    exchanges_in_file,
    warc_files,
)

log = logging.getLogger(__name__)

RANGE_BYTES = 4 << 20  # compressed bytes per unit of work: small enough to balance, big enough to amortise


@dataclass
class Job:
    path: str
    start: int
    end: int | None  # None: to the end of the file


@dataclass
class Item:
    """What the main process needs about one archived exchange."""

    capture_row: dict
    context: dict | None
    capture: dict | None = None  # the pipeline's `capture` dict (only for extracted items)
    extraction: object | None = None
    derived: list = field(default_factory=list)  # archive.reports.ingest.derive_alone, in the worker
    error: str | None = None
    unchanged: bool = False  # a revisit: the crawl handed the archived copy on, marked unchanged
    refers_to_id: str | None = None  # a revisit's WARC-Refers-To
    ignored: str | None = None  # why the crawl's HttpCompression dropped it (never extracted)
    gone: str | None = None  # a 404/410 report or attachment: the URL the crawl marks removed
    inherit: str | None = None  # a revisit without context record: its original's record id


@dataclass
class RangeResult:
    job: Job
    items: list[Item]
    errors: list[tuple[str, int, str]]
    extract_seconds: float = 0.0
    summaries: list[tuple[str, dict]] = field(default_factory=list)  # crawls' closing summaries
    list_dates: list[dict] = field(default_factory=list)  # dates lists gave after the capture


@dataclass
class ReindexStats:
    files: int = 0
    exchanges: int = 0
    extracted: int = 0
    extract_errors: int = 0
    reports: int = 0
    removed: int = 0
    outcomes: dict = field(default_factory=lambda: {"new": 0, "changed": 0, "unchanged": 0})
    record_errors: list = field(default_factory=list)  # (path, offset, message): skipped records
    failures: list = field(default_factory=list)  # (url, message): extraction/build failures
    document_errors: list = field(default_factory=list)  # (url, extract_error): no or partial text (issue 17)
    portals: int = 0  # portal rows written from the crawls' closing summaries
    # listdate records applied (a date a list gave after the capture), in WARC order: archive.reconcile
    # gives them to the live rows
    list_date_records: list = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1

    @property
    def list_dates(self) -> int:
        return len(self.list_date_records)

    @property
    def rate(self) -> float:
        return self.exchanges / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        o = self.outcomes
        return (
            f"reindexed {self.exchanges} captures from {self.files} WARC file(s) in {self.seconds:.1f}s "
            f"({self.rate:.0f} captures/s, {self.jobs} process(es)): {self.extracted} documents extracted, "
            f"{self.reports} report rows ({o.get('new', 0)} new, {o.get('changed', 0)} changed, "
            f"{o.get('unchanged', 0)} unchanged, {self.removed} marked removed); {len(self.record_errors)} bad record(s) skipped, "
            f"{self.extract_errors} extraction failure(s), {len(self.document_errors)} document(s) with "
            f"an extract_error; {self.portals} portal row(s) from crawl summaries; {self.list_dates} "
            f"list date(s) learnt after the capture"
        )


# --------------------------------------------------------------------------- planning


def _member_starts_at(f, pos: int) -> bool:
    """Is there a gzip member holding a WARC record at `pos`? (A random 1f 8b 08 inside
    compressed data will not inflate to `WARC/`.)"""
    f.seek(pos)
    raw = f.read(16384)
    if not raw.startswith(GZIP_MAGIC):
        return False
    d = zlib.decompressobj(31)
    try:
        out = d.decompress(raw, 16)
    except zlib.error:
        return False
    return out.startswith(b"WARC/")


def _next_member(f, pos: int, limit: int) -> int | None:
    """First record-holding gzip member start at or after `pos` (and before `limit`)."""
    while pos < limit:
        f.seek(pos)
        chunk = f.read(1 << 20)
        if not chunk:
            return None
        i = chunk.find(GZIP_MAGIC)
        if i < 0:
            pos += max(1, len(chunk) - 2)
            continue
        if _member_starts_at(f, pos + i):
            return pos + i
        pos += i + 1
    return None


def plan(paths_or_dir, range_bytes: int = RANGE_BYTES) -> list[Job]:
    """Cut every WARC into ranges of about `range_bytes` at record boundaries."""
    jobs: list[Job] = []
    for path in warc_files(paths_or_dir):
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            gz = f.read(2) == GZIP_MAGIC[:2]
            if not gz or size <= range_bytes * 3 // 2:
                jobs.append(Job(path, 0, None))
                continue
            starts = [0]
            pos = range_bytes
            while pos < size - range_bytes // 2:
                nxt = _next_member(f, pos, size)
                if nxt is None:
                    break
                if nxt > starts[-1]:
                    starts.append(nxt)
                pos = nxt + range_bytes
        for a, b in zip(starts, starts[1:] + [None]):
            jobs.append(Job(path, a, b))
    return jobs


# --------------------------------------------------------------------------- workers


def _last_header(headers, name: str):
    """Scrapy's `Headers.get` returns the LAST value of a repeated header; match it."""
    name = name.lower()
    value = None
    for k, v in headers:
        if k.lower() == name:
            value = v
    return value


def capture_row(ex: ArchivedExchange) -> dict:
    """The `captures` row the crawl's archiving middleware stores for this record."""
    ctx = ex.context or {}
    row = asdict(ex.capture)
    row.update(
        url=ex.url,
        method=ex.method,
        status=ex.status,
        content_type=_last_header(ex.headers, "Content-Type") or None,
        portal=ctx.get("portal"),
        kind=ctx.get("kind"),
    )
    return row


class _OverTime(BaseException):
    """The per-document time budget ran out (raised by the interval timer). A BaseException:
    the extractors' catch-all handlers for malformed files must not swallow it."""


def _on_alarm(signum, frame):
    raise _OverTime()


_ALARM_REPEAT = 0.25  # seconds between alarms once the budget is spent (see budgeted_extract)


def budgeted_extract(body: bytes, url: str, content_type: str | None, timeout: float):
    """extract() within `timeout` seconds of this thread's time and the process's memory
    limit; past either the Extraction is empty and says why in metadata["error"]."""
    import signal
    import threading

    from archive.extract import extract, sniff_type
    from archive.extract.budget import failed_extraction, set_time_extender

    armed = timeout > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if armed:
        old = signal.signal(signal.SIGALRM, _on_alarm)
        # The timer repeats: a raise that lands in a __del__ or weakref callback is swallowed
        # by Python ("Exception ignored in ..."), and a one-shot alarm would then let the
        # document run unbounded (seen: test_reindex_bounds_each_document_in_its_worker).
        signal.setitimer(signal.ITIMER_REAL, timeout, _ALARM_REPEAT)
        # budget.allow_more_time (OCR, per page) pushes the alarm back, as the crawl's pool
        # pushes its deadline back
        set_time_extender(lambda seconds: signal.setitimer(
            signal.ITIMER_REAL, signal.getitimer(signal.ITIMER_REAL)[0] + seconds, _ALARM_REPEAT))
    try:
        return extract(body, url, content_type)
    except (_OverTime, MemoryError) as e:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)  # no second alarm while we say why
        kind = sniff_type(body[:4096], url, content_type)
        why = (f"extraction exceeded the time budget ({timeout:g} s, NIANBAO_EXTRACT_TIMEOUT)"
               if isinstance(e, _OverTime)
               else "extraction exceeded the memory budget (NIANBAO_EXTRACT_MEMORY_MB)")
        return failed_extraction(kind if kind in ("html", "pdf", "docx", "doc", "wps", "ofd") else "other", why)
    finally:
        if armed:
            set_time_extender(None)
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def apply_run_summary(index, summary: dict, crawls: dict | None = None) -> int:
    """Write the portal rows of a crawl's closing summary (`WarcWriter.write_run_summary`) to
    the index; returns how many. Later summaries (later in WARC order) overwrite earlier ones,
    as a later crawl's upsert does. Keys the portals table does not have are left out, so an
    archive written by a newer crawler still rebuilds.

    A distributed crawl's workers each write a summary naming the crawl (``crawl``) and
    themselves (``worker``); each saw only its share of every portal. With ``crawls`` (a dict
    kept across calls), the rows written are those of every worker of the crawl seen so far,
    merged (`merge_worker_rows`), so the last worker's view does not overwrite the others'."""
    from archive.index.writer import PORTAL_COLUMNS

    crawl = summary.get("crawl")
    summaries = [summary]
    if crawls is not None and crawl:
        # Workers of one crawl run at the same time; a crawl id used again later (a fixed
        # NIANBAO_CRAWL_ID every night) is another crawl: only overlapping runs are merged.
        workers = {w: s for w, s in crawls.get(crawl, {}).items() if _overlap(s, summary)}
        workers[summary.get("worker") or ""] = summary
        crawls[crawl] = workers
        summaries = list(workers.values())
    by_name: dict[str, list[dict]] = {}
    for s in summaries:
        for row in (s.get("portals") or {}).values():
            if isinstance(row, dict) and row.get("name"):
                by_name.setdefault(row["name"], []).append(row)
    finished = max((s.get("finished") or "" for s in summaries), default="")
    n = 0
    for rows in by_name.values():
        row = merge_worker_rows(rows)
        row = {k: v for k, v in row.items() if k in PORTAL_COLUMNS}
        if finished:
            row.setdefault("last_crawl", finished)
        index.upsert_portal(row)
        n += 1
    return n


def _overlap(a: dict, b: dict) -> bool:
    """Whether two crawl summaries' runs (``run`` start to ``finished``, WARC-Date strings of
    one format, so they compare as text) overlap in time."""
    a0, a1 = a.get("run") or "", a.get("finished") or a.get("run") or ""
    b0, b1 = b.get("run") or "", b.get("finished") or b.get("run") or ""
    return a0 <= b1 and b0 <= a1


# Which worker's status a merged portal row takes when no worker found a report: the one that
# walked the portal (fetched its home page) over the ones that only saw its later requests.
_STATUS_RANK = {"budget_exhausted": 0, "no_reports": 1, "blocked": 2, "dead": 3}


def merge_worker_rows(rows: list[dict]) -> dict:
    """One portal's row from the rows of the workers of one distributed crawl. The shared
    dupefilter gives every page and report to one worker, so pages, reports and errors add
    up. A worker that never fetched the portal's home page calls it `dead` (it has no home
    page); the status is therefore `ok` when any worker found reports, else the status of the
    worker that walked the portal (`budget_exhausted`, `no_reports`, `blocked`, then `dead`)."""
    if len(rows) == 1:
        return dict(rows[0])
    total = {k: sum(int(r.get(k) or 0) for r in rows) for k in ("pages", "reports", "errors")}
    if total["reports"]:
        oks = [r for r in rows if r.get("status") == "ok"]
        base = dict(max(oks or rows, key=lambda r: int(r.get("reports") or 0)))
        # an ok worker's reason is a note (reports without text), a non-ok one's is not ours
        base.update(status="ok", reason=base.get("reason") if oks else None)
    else:
        base = dict(min(rows, key=lambda r: (_STATUS_RANK.get(r.get("status"), 1), -int(r.get("pages") or 0))))
    base.update(total)
    return base


def process_range(job: Job) -> RangeResult:
    """Read one range and extract what the pipeline would extract. Runs in a worker."""
    from archive.extract.budget import budget_from_env

    timeout, _ = budget_from_env()

    errors: list[tuple[str, int, str]] = []
    items: list[Item] = []
    summaries: list[tuple[str, dict]] = []
    list_dates: list[dict] = []
    spent = 0.0

    def on_error(path, offset, message):
        errors.append((path, offset, message))

    def on_summary(uri: str, data: dict) -> None:
        if uri.startswith(RUN_URI_PREFIX):
            summaries.append((uri, data))
        elif uri.startswith(LISTDATE_URI_PREFIX) and data.get("url") and data.get("list_date"):
            list_dates.append(data)

    try:
        for ex in exchanges_in_file(job.path, on_error, start=job.start, end=job.end, on_summary=on_summary):
            item = Item(capture_row(ex), ex.context)
            ctx = ex.context or {}
            if ex.record_type == "revisit" and ex.context is None:
                # The crawl writes no context record for revisits: the original's applies. Only
                # the main process knows it (it has read the original before, in WARC order).
                item.inherit = (ex.refers_to or {}).get("record_id")
                status = 200 if ex.status == 304 else ex.status
                item.capture = dict(asdict(ex.capture), url=ex.url, status=status)
                item.unchanged = True
                item.refers_to_id = item.inherit
                items.append(item)
                continue
            if ex.status in (404, 410) and ex.record_type == "response" and ctx.get("kind") in EXTRACT_KINDS:
                item.gone = ex.url  # the spider's errback yields {"failure": {..., "gone": url}}
            elif becomes_item((ex.context or {}).get("kind"), ex.record_type, ex.status):
                # Exactly the spider's item (the same function builds it).
                start = pipeline_item(ctx, asdict(ex.capture), ex.url, ex.status)
                item.context, item.capture = start.context, start.capture
                if ex.record_type == "revisit":
                    # No payload here; the writer extracts the original only if the index needs it.
                    item.unchanged = True
                    item.refers_to_id = (ex.refers_to or {}).get("record_id")
                else:
                    t0 = time.perf_counter()
                    try:
                        body = ex.decoded_body(max_size=MAX_RESPONSE_BYTES)
                    except ContentDecodingError as e:
                        # HttpCompression failed on it in the crawl too (DOWNLOAD_MAXSIZE: a gzip
                        # bomb; or undecodable): the request went to the errback, no item.
                        item.capture, item.ignored = None, f"ignored as in the crawl: {e}"
                    else:
                        if ctx.get("kind") == "report":  # a split report page: the spider's decision
                            item.context = pipeline_item(ctx, {}, ex.url, ex.status, body.decode("latin-1")).context
                        try:
                            item.extraction = budgeted_extract(body, ex.url, _last_header(ex.headers, "Content-Type") or None,
                                                               timeout)
                            # the statistics too, in this worker as in the crawl's pool
                            item.derived = derive_alone(item.context, item.capture, item.extraction)
                        except Exception as e:  # the crawl logs and skips a failing document; so do we
                            item.error = f"{type(e).__name__}: {e}"
                    spent += time.perf_counter() - t0
            items.append(item)
    except (ArchiveError, OSError) as e:
        errors.append((job.path, job.start, str(e)))
    return RangeResult(job, items, errors, spent, summaries, list_dates)


# --------------------------------------------------------------------------- the writer


class _ExtractFailed(Exception):
    """Extraction failed in a worker (message carried over)."""


def _results(jobs: list[Job], n: int):
    """RangeResults in job order; `n` worker processes (1: in this process)."""
    if n <= 1:
        for job in jobs:
            yield process_range(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import archive.extract  # noqa: F401 - imported once here, inherited by the forked workers
    from archive.extract.budget import budget_from_env, set_memory_limit

    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=set_memory_limit,
                             initargs=(budget_from_env()[1],)) as pool:
        window: deque = deque()
        it = iter(jobs)
        for job in it:
            window.append(pool.submit(process_range, job))
            if len(window) >= n * 3:
                break
        while window:
            fut = window.popleft()
            nxt = next(it, None)
            if nxt is not None:
                window.append(pool.submit(process_range, nxt))
            yield fut.result()


def _remove_db(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass


def _describe(warc_dir) -> str:
    if isinstance(warc_dir, (str, os.PathLike)):
        return os.fspath(warc_dir)
    return ", ".join(os.fspath(d) for d in warc_dir)


def reindex(warc_dir, db_path: str, jobs: int | None = None, range_bytes: int = RANGE_BYTES,
            progress=None) -> ReindexStats:
    """Rebuild `db_path` from the WARCs under `warc_dir` (a directory, a file, or a list of
    them: several workers' archives merge into one index). Returns statistics; bad records
    are skipped and listed in `stats.record_errors`."""
    from archive.index import Index
    from archive.reports.ingest import Ingest

    jobs = jobs or os.cpu_count() or 1
    stats = ReindexStats(jobs=jobs)
    t0 = time.perf_counter()
    plan_ = plan(warc_dir, range_bytes)
    if not plan_:
        raise ArchiveError(f"no WARC files (*.warc.gz, *.warc) in {_describe(warc_dir)}")
    stats.files = len({j.path for j in plan_})
    db_path = os.fspath(db_path)
    tmp = db_path + ".reindex-tmp"
    _remove_db(tmp)
    # The pool forks before the database is opened: children never inherit a SQLite handle.
    results = _results(plan_, jobs)
    first = next(results, None)
    index = Index(tmp)
    ok = False
    try:
        run_id = index.start_run()

        def on_report(portal, rid, has_text) -> None:
            stats.reports += 1

        ingest = Ingest(index, on_report=on_report)
        capture_cols = set(getattr(Index, "_CAPTURE_FIELDS", [])) or None
        paths = {os.path.basename(j.path): j.path for j in plan_}
        # Where each report/attachment response lives, for the revisits whose original must be
        # extracted after all (only those kinds are kept: small even for big archives).
        originals: dict[str, tuple[str, int]] = {}
        # Crawl context of every original response, by record id: revisits inherit it. Only
        # portal/kind for most; the whole context for the kinds that reach the pipeline.
        contexts: dict[str, dict] = {}
        # Originals asked with POST (list APIs): a revisit of one written without its request
        # record (WARC_REVISIT_REQUESTS off) was asked the same way.
        methods: dict[str, str] = {}

        def extract_original(item: Item):
            """The archived copy a revisit stands for, extracted here (rare: refresh runs only)."""
            from archive.extract import extract

            loc = None
            for key in (item.refers_to_id, item.capture["url"]):
                if key and key in originals:
                    loc = originals[key]
                    break
            if loc is None:
                raise ArchiveError("the record this revisit refers to is not in these WARCs")
            fname, off = loc
            for ex in exchanges_in_file(paths[fname], start=off, end=off + 1):
                return extract(ex.decoded_body(max_size=MAX_RESPONSE_BYTES), item.capture["url"], _last_header(ex.headers, "Content-Type") or None)
            raise ArchiveError(f"cannot read the original at {fname}@{off}")

        def inherit(item: Item) -> None:
            ctx = contexts.get(item.inherit or "")
            item.context = dict(ctx) if ctx else None
            item.capture_row.update(portal=(ctx or {}).get("portal"), kind=(ctx or {}).get("kind"))
            if item.inherit in methods:
                item.capture_row["method"] = methods[item.inherit]
            if ctx is None or ctx.get("kind") not in EXTRACT_KINDS or not (200 <= item.capture["status"] < 300):
                item.capture = None  # not a pipeline item in the crawl either

        crawls: dict = {}  # a distributed crawl's worker summaries so far (apply_run_summary)

        def apply(res: RangeResult) -> None:
            stats.record_errors.extend(res.errors)
            rows = []
            for item in res.items:
                if item.inherit is not None:
                    inherit(item)
                elif item.context is not None and item.capture_row.get("record_type") == "response":
                    if item.capture_row.get("method") not in (None, "GET"):
                        methods[item.capture_row["record_id"]] = item.capture_row["method"]
                    kind = item.context.get("kind")
                    contexts[item.capture_row["record_id"]] = (
                        item.context if kind in EXTRACT_KINDS else {"portal": item.context.get("portal"), "kind": kind})
                row = item.capture_row
                if capture_cols:
                    row = {k: v for k, v in row.items() if k in capture_cols}
                rows.append(row)
            index.add_captures(rows)
            for item in res.items:
                stats.exchanges += 1
                crow = item.capture_row
                if crow.get("kind") in EXTRACT_KINDS and crow.get("record_type") == "response":
                    originals[crow["record_id"]] = (crow["warc_filename"], crow["warc_offset"])
                    originals[crow["url"]] = (crow["warc_filename"], crow["warc_offset"])
                if item.ignored:
                    stats.failures.append((crow["url"], item.ignored))
                    continue
                if item.gone:
                    stats.removed += ingest.gone(item.gone, when=crow.get("fetched_at"))
                    continue
                if item.capture is None:
                    continue
                try:
                    if item.unchanged:
                        extraction = lambda item=item: extract_original(item)  # noqa: E731 - only if needed
                    elif item.error is not None:
                        raise _ExtractFailed(item.error)
                    else:
                        extraction = item.extraction
                        stats.extracted += 1
                    ingest.document(item.context, item.capture, extraction, unchanged=item.unchanged,
                                    derived=item.derived)
                except Exception as e:  # one bad document must not stop the rebuild (nor does it the crawl)
                    stats.extract_errors += 1
                    msg = str(e) if isinstance(e, _ExtractFailed) else f"{type(e).__name__}: {e}"
                    stats.failures.append((item.capture["url"], msg))
            for dated in res.list_dates:  # after the captures they date, as in the crawl
                ingest.list_date(dated["url"], dated["list_date"])
                stats.list_date_records.append(dated)
            for _uri, summary in res.summaries:  # after the run's exchanges, as in the crawl
                stats.portals += apply_run_summary(index, summary, crawls)
            if progress:
                progress(stats)

        if first is not None:
            apply(first)
            for res in results:
                apply(res)
        ingest.finish()
        stats.document_errors = list(ingest.errors)
        stats.outcomes = {k: ingest.counts[k] for k in ("new", "changed", "unchanged")}
        stats.seconds = time.perf_counter() - t0
        index.finish_run(run_id, {"finish_reason": "reindex", "pages": stats.exchanges,
                                  "errors": len(stats.record_errors) + stats.extract_errors,
                                  "source": _describe(warc_dir)})
        index.close()
        ok = True
    finally:
        if not ok:
            try:
                index.close()
            except Exception:
                pass
            _remove_db(tmp)
    # Swap in: stale WAL/SHM files of the old database must go first, or SQLite would
    # replay them into the new one.
    for suffix in ("-wal", "-shm", "-journal"):
        try:
            os.unlink(db_path + suffix)
        except FileNotFoundError:
            pass
    os.replace(tmp, db_path)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(tmp + suffix):
            os.replace(tmp + suffix, db_path + suffix)
    stats.seconds = time.perf_counter() - t0
    return stats
