"""The SQLite index ``<ARCHIVE_DIR>/reports.db`` (schema: docs/design.md, "Index").

``reports.db`` is derived data: everything in it can be rebuilt from the WARC files by
``archive reindex``. This module owns its schema and every write to it.

Usage (the crawl's item pipeline and ``archive reindex`` both do this)::

    index = Index("data/reports.db")
    run_id = index.start_run()
    index.add_capture({...})               # every archived response
    status = index.upsert_report(row)      # "new" | "changed" | "unchanged"
    index.upsert_portal({"name": "襄阳市", "status": "ok", "pages": 120, ...})
    index.mark_removed([page_url], when)  # gone from the portal (kept, flagged)
    index.mark_seen([page_url], when)     # still there, not re-extracted (304)
    index.finish_run(run_id, {"finish_reason": "finished", ...})
    index.close()

Also: ``get_report``, ``commit``, ``rebuild_fts``, ``optimize_fts`` (after a bulk load),
``vacuum``; module function ``report_id``. The read-only lookups a refresh crawl makes
(``latest_responses``, ``post_responses``, ``live_reports``, ``last_checked``) are in
archive/index/queries.py.

Design choices, and why:

* **One writer, batched commits.** The crawl calls these methods on Scrapy's reactor
  thread, so each call only executes a few statements inside an open transaction; the
  transaction is committed every ``batch_size`` writes or ``commit_interval`` seconds,
  on ``commit()`` and on ``close()``. The database is in WAL mode so datasette and
  ``sqlite-utils`` can read while the crawl writes. Calls are serialised by a lock, so a
  dedicated writer thread may own the Index instead of the reactor.
* **A report never gets two rows.** ``reports.id`` is the first 16 hex digits of
  sha1 of the page URL's identity form (``report_id()``, via archive.reports.urls.identity_url).
* **History is kept.** A changed report's previous text and capture go to
  ``report_versions``; removed reports get ``removed_at`` and are never deleted.
  Captures fed out of time order (re-indexing many WARCs in parallel) still produce the
  right current row: an older capture with other text becomes a past version.
* **Search.** ``reports_fts`` is a *contentless* FTS5 table (``content=''``) over
  ``archive.index.search.fts_values()`` of title and text (bigrams, and 4-grams for long
  queries; see archive/index/search.py), rowid = ``reports.rowid``. Contentless, because the
  segmented text is several times the size of the text itself and nothing ever reads it
  back. Its rows are deleted by replaying ``fts_values()`` on the old values, so the segmenter version is kept in ``meta`` and the table is rebuilt when it
  changes. ``VACUUM`` may renumber the rowids of a table without an INTEGER PRIMARY KEY,
  so ``Index.vacuum()`` rebuilds the FTS table afterwards; never VACUUM by hand without
  calling ``rebuild_fts()``.

Length: one class, `Index`, owns every write to reports.db; its methods share one lock, one
open transaction and the FTS bookkeeping, so they stay together (the read-only lookups are in
queries.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterable, Mapping

import sqlite_utils

from archive.index import coverage, search
from archive.reports.urls import identity_url
from archive.warc.records import warc_date

SCHEMA_VERSION = 1

__all__ = ["Index", "IndexSchemaError", "report_id", "SCHEMA_VERSION"]


class IndexSchemaError(Exception):
    """reports.db has a schema this code cannot use (newer, or not a nianbao index)."""


def report_id(page_url: str) -> str:
    """The stable key of a report: first 16 hex digits of sha1 of its identity URL
    (archive.reports.urls.identity_url: http/https, `index.html` and tracking parameters fold)."""
    return hashlib.sha1(identity_url(page_url).encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------------------ schema
# Column name → SQLite type. Order is the order datasette shows them in.

REPORT_COLUMNS: dict[str, type] = {
    "id": str,
    "page_url": str,  # the report's page (the file's URL when a list links the file)
    "url": str,  # the document the text came from: the page or its attachment
    "listed_on": str,  # the list page (first page of its pager) that linked it when fetched
    "portal": str,
    "province": str,
    "level": str,
    "division_code": str,  # GB/T 2260 code of the portal's division (portals.csv `code`)
    "publisher_code": str,  # the division whose government the publisher is, when its name says so
    "title": str,
    "year": int,  # the year the report covers
    "published": str,  # YYYY-MM-DD
    "published_source": str,  # page | list | url: where `published` came from (rows.published_and_source)
    "publisher": str,
    "index_no": str,
    "written": str,  # 成文日期, YYYY-MM-DD
    "text": str,
    "tables": str,  # JSON: list of tables, each a list of rows of cells
    "content_type": str,  # html|pdf|docx|doc|wps|ofd|other
    "needs_ocr": int,
    "replacement_chars": int,
    "extract_error": str,  # why the document gave no or partial text (issue 17), else NULL
    "text_source": str,  # text (the document's own) | ocr | text+ocr (scanned pages OCR'd) | NULL
    "ocr_engine": str,  # tesseract | rapidocr, when text_source is ocr or text+ocr
    "ocr_confidence": float,  # mean word confidence of the OCR, 0..1
    "warc_filename": str,  # the response record holding `url`
    "warc_offset": int,
    "warc_length": int,
    "record_id": str,  # WARC-Record-ID of that response
    "payload_digest": str,
    "fetched_at": str,  # ISO 8601 UTC of that capture
    "first_seen": str,
    "last_seen": str,
    "removed_at": str,
    "version": int,  # 1 for the first text seen, +1 per change
}

# What a past version keeps: enough to show the old text and find its capture.
VERSION_COLUMNS: dict[str, type] = {
    "id": int,
    "report_id": str,
    "version": int,
    "title": str,
    "url": str,
    "published": str,
    "text": str,
    "tables": str,
    "content_type": str,
    "warc_filename": str,
    "warc_offset": int,
    "warc_length": int,
    "record_id": str,
    "payload_digest": str,
    "fetched_at": str,
    "first_seen": str,
    "last_seen": str,
    "replaced_at": str,  # when the next version was seen
}

CAPTURE_COLUMNS: dict[str, type] = {
    "id": int,
    "url": str,
    "method": str,
    "status": int,
    "content_type": str,
    "payload_digest": str,
    "warc_filename": str,
    "warc_offset": int,
    "warc_length": int,
    "fetched_at": str,
    "portal": str,
    "kind": str,  # home|column|list|report|attachment|robots (the crawl context)
    "record_type": str,  # response|revisit
    "record_id": str,
    "error": str,  # why a request got no response (DNS, timeout, refused), from the crawl
    "extract_error": str,  # why the document gave no or partial text (archive.extract), set after extraction
    "etag": str,  # validators of the response, for conditional re-requests (refresh)
    "last_modified": str,
}

PORTAL_COLUMNS: dict[str, type] = {
    "name": str,
    "url": str,
    "province": str,
    "level": str,
    "code": str,  # GB/T 2260 division code (portals.csv `code`), if given
    "parent_code": str,
    "status": str,  # ok|no_reports|budget_exhausted|blocked|dead
    "reason": str,
    "pages": int,
    "reports": int,
    "errors": int,
    "last_crawl": str,
}

# The way the crawl walked to each report list (issue 14): from the crawl context of the
# reports it listed (context["path"], in the WARC metadata records), so reindex rebuilds it.
LIST_PATH_COLUMNS: dict[str, type] = {
    "portal": str,
    "list_url": str,   # the list's first page (reports.listed_on)
    "path": str,       # JSON [[anchor, url], ...] from the home page to the list
    "steps": int,
}

_LIST_PATHS_SQL = ("CREATE TABLE IF NOT EXISTS list_paths (portal TEXT, list_url TEXT, path TEXT, steps INTEGER, "
                   "PRIMARY KEY (portal, list_url))")

RUN_COLUMNS: dict[str, type] = {
    "id": int,
    "started_at": str,
    "finished_at": str,
    "finish_reason": str,
    "pages": int,
    "reports_new": int,
    "reports_changed": int,
    "reports_unchanged": int,
    "reports_removed": int,
    "errors": int,
    "stats": str,  # JSON: everything finish_run() was given, incl. per-portal counts
}

FTS_SQL = search.FTS_CREATE_SQL
_FTS_COLS = ", ".join(search.FTS_COLUMNS)
_FTS_INSERT = "INSERT INTO reports_fts(rowid, {}) VALUES (?{})".format(
    _FTS_COLS, ", ?" * len(search.FTS_COLUMNS)
)
_FTS_DELETE = "INSERT INTO reports_fts(reports_fts, rowid, {}) VALUES ('delete', ?{})".format(
    _FTS_COLS, ", ?" * len(search.FTS_COLUMNS)
)

# portal/year for coverage and lookups; the single columns are datasette's facets, which
# otherwise scan every report (text and all) on each page view of a big archive.
_INDEXES = [
    ("reports", ["portal", "year"]),
    ("reports", ["year"]),
    ("reports", ["province"]),
    ("reports", ["level"]),
    ("reports", ["publisher"]),
    ("reports", ["content_type"]),
    ("reports", ["extract_error"]),   # datasette facets on it
    ("reports", ["text_source"]),
    ("reports", ["page_url"]),
    ("reports", ["removed_at"]),
    ("report_versions", ["report_id", "version"]),
    ("reports", ["publisher_code"]),
    ("reports", ["division_code", "publisher_code"]),
    ("portals", ["code"]),
    ("captures", ["url"]),
    ("captures", ["payload_digest"]),
]


class Index:
    """Writer of reports.db. Not for concurrent use by several processes: one writer."""

    def __init__(
        self,
        path: str | os.PathLike,
        batch_size: int = 500,
        commit_interval: float = 2.0,
    ):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.batch_size = batch_size
        self.commit_interval = commit_interval
        # check_same_thread=False: a writer thread may own the Index; _lock serialises.
        # isolation_level=None: we issue BEGIN/COMMIT ourselves so batches span calls.
        conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self._pending = 0
        self._last_commit = time.monotonic()
        self.counts = {"new": 0, "changed": 0, "unchanged": 0, "removed": 0}
        self._divisions_loaded = False  # see _need_divisions
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
        conn.execute("PRAGMA busy_timeout=10000")
        search.register_functions(conn)
        self._ensure_schema()

    # ------------------------------------------------------------------ schema, migration

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        if self._meta(key) == value:
            return  # no write when nothing changed (see coverage.ensure_view)
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def _ensure_schema(self) -> None:
        names = set(self.db.table_names())
        if "meta" in names:
            raw = self._meta("schema_version")
            try:
                version = int(raw)
            except (TypeError, ValueError):
                raise IndexSchemaError(
                    f"{self.path}: meta.schema_version is {raw!r}, not a nianbao index "
                    "schema version; move the file away or point ARCHIVE_DIR elsewhere"
                ) from None
            if version > SCHEMA_VERSION:
                raise IndexSchemaError(
                    f"{self.path}: index schema version {version} is newer than this "
                    f"nianbao supports ({SCHEMA_VERSION}); upgrade nianbao, or rebuild the "
                    "index from the WARCs with `python -m archive reindex`"
                )
        elif names - {"sqlite_stat1", "sqlite_sequence"}:
            # Tables but no meta: an index from before versioning, or someone else's file.
            if "reports" not in names:
                raise IndexSchemaError(
                    f"{self.path}: not a nianbao index (tables {sorted(names)} but no "
                    "'reports' or 'meta'); refusing to write into it"
                )
            cols = set(self.db["reports"].columns_dict)
            if not {"page_url", "text"} <= cols:
                raise IndexSchemaError(
                    f"{self.path}: table 'reports' lacks the columns "
                    f"{sorted({'page_url', 'text'} - cols)}: not a nianbao index; "
                    "refusing to write into it"
                )
            version = 0
        else:
            version = None  # empty file
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self._create_or_migrate(version)
            self.conn.execute("COMMIT")
        except BaseException:
            # SQLite has already rolled back after SQLITE_FULL: a second ROLLBACK would raise
            # "no transaction is active" and hide "database or disk is full" from the caller
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _create_table(self, name: str, columns: dict, pk: str, autoincrement_pk=False,
                      foreign_keys=None):
        table = self.db[name]
        if not table.exists():
            table.create(columns, pk=pk, not_null={pk} if not autoincrement_pk else None,
                         foreign_keys=foreign_keys)
        else:
            # migration: add what an older schema lacks (never drops or retypes)
            have = table.columns_dict
            for col, typ in columns.items():
                if col not in have:
                    table.add_column(col, typ)

    def _create_or_migrate(self, version: int | None) -> None:
        # version None: new file; 0: pre-versioning nianbao index. Additive changes (a new
        # column or index) need no version bump: the steps below run on every open and
        # add whatever is missing. Changes that rewrite data bump SCHEMA_VERSION and add
        # their step here (if version < 2: ...), each idempotent.
        self.db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
        if version == 0 and "id" not in self.db["reports"].columns_dict:
            raise IndexSchemaError(
                f"{self.path}: table 'reports' has no 'id' key column; rebuild the index "
                "from the WARCs with `python -m archive reindex`"
            )
        self._create_table("reports", REPORT_COLUMNS, "id")
        # the foreign key lets datasette link a version to its report and list a
        # report's versions on its page
        self._create_table("report_versions", VERSION_COLUMNS, "id", True,
                           foreign_keys=[("report_id", "reports", "id")])
        self._create_table("captures", CAPTURE_COLUMNS, "id", True)
        self._create_table("portals", PORTAL_COLUMNS, "name")
        self._create_table("crawl_runs", RUN_COLUMNS, "id", True)
        coverage.install(self.conn)
        for table, cols in _INDEXES:
            self.db[table].create_index(cols, if_not_exists=True)
        self.db["report_versions"].create_index(
            ["report_id", "version"], unique=True, if_not_exists=True,
            index_name="idx_report_versions_unique",
        )
        # one row per WARC record: re-indexing the same files adds nothing
        self.db["captures"].create_index(
            ["warc_filename", "warc_offset"], unique=True, if_not_exists=True
        )
        self._create_statistics()  # issue 18
        self._set_meta("schema_version", str(SCHEMA_VERSION))
        self._set_meta("created_by", "nianbao archive.index")
        if "reports_fts" in self.db.table_names():
            self._check_fts_segmenter()
        else:
            self.conn.execute(FTS_SQL)
            self._fill_fts()
            self._set_meta("fts_segmenter", search.SEGMENTER_VERSION)

    def _check_fts_segmenter(self) -> None:
        if self._meta("fts_segmenter") != search.SEGMENTER_VERSION:
            self._rebuild_fts_locked()

    def _fill_fts(self) -> None:
        cur = self.conn.execute("SELECT rowid, title, text FROM reports")
        self.conn.executemany(_FTS_INSERT, search.iter_segmented(cur))

    def _rebuild_fts_locked(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS reports_fts")
        self.conn.execute(FTS_SQL)
        self._fill_fts()
        self._set_meta("fts_segmenter", search.SEGMENTER_VERSION)

    def rebuild_fts(self) -> None:
        """Recreate reports_fts from reports (after a segmenter change or a VACUUM)."""
        with self._lock:
            self._begin()
            self._rebuild_fts_locked()
            self._commit_locked()

    def optimize_fts(self) -> None:
        """Merge the FTS b-trees into one (faster queries after a big load)."""
        with self._lock:
            self._commit_locked()
            self.conn.execute("INSERT INTO reports_fts(reports_fts) VALUES ('optimize')")

    def vacuum(self) -> None:
        """VACUUM, then rebuild reports_fts (VACUUM may renumber reports.rowid)."""
        with self._lock:
            self._commit_locked()
            self.conn.execute("VACUUM")
            self.rebuild_fts()

    # ------------------------------------------------------------------ transactions

    def _begin(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")

    def _wrote(self, n: int = 1) -> None:
        self._pending += n
        if (
            self._pending >= self.batch_size
            or time.monotonic() - self._last_commit >= self.commit_interval
        ):
            self._commit_locked()

    def _commit_locked(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")
        self._pending = 0
        self._last_commit = time.monotonic()

    def commit(self) -> None:
        """Commit what has been written so far (also done in batches and on close)."""
        with self._lock:
            self._commit_locked()

    def close(self) -> None:
        """Commit and close. Safe to call twice."""
        with self._lock:
            if self.conn is None:
                return
            self._commit_locked()
            try:
                self.conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            self.conn.close()
            self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ captures

    _CAPTURE_FIELDS = [c for c in CAPTURE_COLUMNS if c != "id"]
    _CAPTURE_SQL = "INSERT OR IGNORE INTO captures ({}) VALUES ({})".format(
        ", ".join(_CAPTURE_FIELDS), ", ".join("?" * len(_CAPTURE_FIELDS))
    )

    def _capture_params(self, row: Mapping) -> tuple:
        unknown = set(row) - set(self._CAPTURE_FIELDS)
        if unknown:
            raise ValueError(f"captures has no columns {sorted(unknown)}")
        return tuple(row.get(c) for c in self._CAPTURE_FIELDS)

    def add_capture(self, row: Mapping) -> None:
        """Record one archived response (or revisit). Keys: the ``captures`` columns
        (url, method, status, content_type, payload_digest, warc_filename, warc_offset,
        warc_length, fetched_at, portal, kind, record_type, record_id); missing ones are
        NULL. The same (warc_filename, warc_offset) twice is ignored."""
        self.add_captures([row])

    def add_captures(self, rows: Iterable[Mapping]) -> int:
        """``add_capture`` for many rows in one statement; returns rows given."""
        params = [self._capture_params(r) for r in rows]
        if not params:
            return 0
        with self._lock:
            self._begin()
            self.conn.executemany(self._CAPTURE_SQL, params)
            self._wrote(len(params))
        return len(params)

    def set_capture_extract_error(self, warc_filename: str, warc_offset: int, error: str) -> None:
        """Say why the document of one capture gave no or partial text (``Extraction.extract_error``)."""
        with self._lock:
            self._begin()
            self.conn.execute("UPDATE captures SET extract_error = ? WHERE warc_filename = ? AND warc_offset = ?",
                              (error, warc_filename, warc_offset))
            self._wrote()

    # ------------------------------------------------------------------ reports

    _REPORT_FIELDS = list(REPORT_COLUMNS)
    _REPORT_INPUT = set(REPORT_COLUMNS) - {"first_seen", "last_seen", "removed_at", "version"}
    _REPORT_INSERT = "INSERT INTO reports ({}) VALUES ({})".format(
        ", ".join(_REPORT_FIELDS), ", ".join("?" * len(_REPORT_FIELDS))
    )
    _REPORT_UPDATE = "UPDATE reports SET {} WHERE rowid = ?".format(
        ", ".join(f"{c} = ?" for c in _REPORT_FIELDS if c != "id")
    )
    _VERSION_FIELDS = [c for c in VERSION_COLUMNS if c != "id"]
    _VERSION_INSERT = "INSERT INTO report_versions ({}) VALUES ({})".format(
        ", ".join(_VERSION_FIELDS), ", ".join("?" * len(_VERSION_FIELDS))
    )

    @staticmethod
    def _clean_report(row: Mapping) -> dict:
        """Validate and normalise an input row (from archive.reports.rows.build_report)."""
        unknown = set(row) - Index._REPORT_INPUT
        if unknown:
            raise ValueError(f"reports has no columns {sorted(unknown)}")
        page_url = row.get("page_url")
        if not page_url:
            raise ValueError("a report row needs page_url")
        out = dict(row)
        rid = report_id(page_url)
        if out.get("id") not in (None, rid):
            raise ValueError(f"report id {out['id']!r} is not report_id({page_url!r}) = {rid!r}")
        out["id"] = rid
        if isinstance(out.get("tables"), (list, tuple)):
            out["tables"] = json.dumps(out["tables"], ensure_ascii=False)
        for flag in ("needs_ocr",):
            if isinstance(out.get(flag), bool):
                out[flag] = int(out[flag])
        if not out.get("fetched_at"):
            out["fetched_at"] = warc_date()
        return out

    def _fts_delete(self, rowid: int, title, text) -> None:
        self.conn.execute(_FTS_DELETE, (rowid, *search.fts_values(title, text)))

    def _fts_insert(self, rowid: int, title, text) -> None:
        self.conn.execute(_FTS_INSERT, (rowid, *search.fts_values(title, text)))

    # ------------------------------------------------------------------ statistics (#18)

    def _create_statistics(self) -> None:
        """report_stats, report_checks, report_similarity and the publisher × year view; an
        index from before them gets them filled from its reports' stored tables and text."""
        from archive import stats as _stats
        from archive.stats import schema as S
        from archive.stats.similarity import sketch

        fresh = "report_stats" not in self.db.table_names()
        self._create_table("report_stats", S.STATS_COLUMNS, "id", True,
                           foreign_keys=[("report_id", "reports", "id")])
        self._create_table("report_checks", S.CHECK_COLUMNS, "id", True,
                           foreign_keys=[("report_id", "reports", "id")])
        self._create_table("report_similarity", S.SIMILARITY_COLUMNS, "id", True,
                           foreign_keys=[("report_id", "reports", "id")])
        self._create_table("report_sketches", S.SKETCH_COLUMNS, "report_id")
        for table, cols in (("report_stats", ["report_id"]), ("report_stats", ["row_key", "col_key"]),
                            ("report_checks", ["report_id"]), ("report_checks", ["status"]),
                            ("report_similarity", ["report_id"])):
            self.db[table].create_index(cols, if_not_exists=True)
        coverage.ensure_view(self.conn, S.PUBLISHER_YEAR_VIEW, S.PUBLISHER_YEAR_SQL)
        if fresh:
            for rid, tables, text, year in self.conn.execute(
                    "SELECT id, tables, text, year FROM reports").fetchall():
                self._write_statistics(rid, *_stats.report_statistics(rid, tables, text or "", year))
                self._write_sketch(rid, sketch(text or ""))
            self._refresh_similarity()

    def _write_statistics(self, report_id: str, stats: list[dict], checks: list[dict]) -> None:
        self.conn.execute("DELETE FROM report_stats WHERE report_id = ?", (report_id,))
        self.conn.execute("DELETE FROM report_checks WHERE report_id = ?", (report_id,))
        for table, rows in (("report_stats", stats), ("report_checks", checks)):
            if rows:
                cols = list(rows[0])
                self.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(chr(34) + c + chr(34) for c in cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))})",
                    [[r[c] for c in cols] for r in rows])

    def replace_statistics(self, report_id: str, stats: list[dict], checks: list[dict]) -> None:
        """Store a report's report_stats and report_checks rows (``archive.stats.
        report_statistics``), replacing what an earlier version of the report gave."""
        with self._lock:
            self._begin()
            self._write_statistics(report_id, stats, checks)
            self._wrote()

    def _write_sketch(self, report_id: str, sk: bytes) -> None:
        self.conn.execute("INSERT INTO report_sketches (report_id, sketch) VALUES (?, ?) "
                          "ON CONFLICT(report_id) DO UPDATE SET sketch = excluded.sketch",
                          (report_id, sk))

    def set_sketch(self, report_id: str, sk: bytes) -> None:
        """Store the near-copy sketch of a report's current text (archive.stats.similarity)."""
        with self._lock:
            self._begin()
            self._write_sketch(report_id, sk)
            self._wrote()

    def _refresh_similarity(self) -> None:
        from archive.stats.similarity import similar_pairs

        rows = self.conn.execute(
            "SELECT r.id, coalesce(nullif(r.publisher, ''), r.portal), r.year, k.sketch "
            "FROM reports r JOIN report_sketches k ON k.report_id = r.id").fetchall()
        self.conn.execute("DELETE FROM report_similarity")
        self.conn.executemany(
            "INSERT INTO report_similarity (report_id, other_id, relation, similarity) "
            "VALUES (?, ?, ?, ?)",
            [(r["report_id"], r["other_id"], r["relation"], r["similarity"])
             for r in similar_pairs(rows)])

    def refresh_similarity(self) -> None:
        """Recompute report_similarity from the stored sketches (end of a crawl or reindex)."""
        with self._lock:
            self._begin()
            self._refresh_similarity()
            self._wrote(self.batch_size)

    def upsert_report(self, row: Mapping) -> str:
        """Insert or update one report; returns ``"new"``, ``"changed"`` or ``"unchanged"``.

        ``row`` holds the ``reports`` columns (page_url required; id, if given, must be
        ``report_id(page_url)``; ``tables`` may be a list, it is stored as JSON). Its
        ``fetched_at`` is when the capture was made (now, if missing).

        * unchanged — same payload_digest or same text as the current row: only
          last_seen (and first_seen, for an older capture) moves; removed_at is cleared,
          since the report is there again.
        * changed — the current row moves to ``report_versions`` and the new capture
          becomes the current row with ``version`` + 1. A capture *older* than the
          current one (out-of-order re-indexing) is filed as a past version instead and
          the call reports "unchanged" for the current row.
        """
        r = self._clean_report(row)
        when = r["fetched_at"]
        with self._lock:
            self._begin()
            if r.get("division_code"):
                self._need_divisions()
            old = self.conn.execute(
                "SELECT rowid, * FROM reports WHERE id = ?", (r["id"],)
            ).fetchone()
            if old is None:
                r.update(first_seen=when, last_seen=when, removed_at=None, version=1)
                cur = self.conn.execute(
                    self._REPORT_INSERT, [r.get(c) for c in self._REPORT_FIELDS]
                )
                self._fts_insert(cur.lastrowid, r.get("title"), r.get("text"))
                status = "new"
            else:
                old = dict(zip(["rowid"] + self._report_columns(), old))
                status = self._update_existing(old, r, when)
            self.counts[status] += 1
            self._wrote()
        return status

    def _report_columns(self) -> list[str]:
        cols = getattr(self, "_cols_cache", None)
        if cols is None:
            cols = self._cols_cache = [
                r[1] for r in self.conn.execute("PRAGMA table_info(reports)")
            ]
        return cols

    def _same_content(self, a: Mapping, b: Mapping) -> bool:
        if a.get("payload_digest") and a.get("payload_digest") == b.get("payload_digest"):
            return True
        return (a.get("text") or "") == (b.get("text") or "")

    @staticmethod
    def _incomplete(row: Mapping) -> bool:
        """The row says its text is not the report's whole text (coverage's marks), or it is a
        scan not OCR'd."""
        return (row.get("extract_error") or "").startswith(
            (coverage.COVER_ONLY_MARK, coverage.PARTIAL_MARK)) or bool(row.get("needs_ocr"))

    def _update_existing(self, old: dict, r: dict, when: str) -> str:
        if self._incomplete(old) and not self._incomplete(r) \
                and (r.get("text") or "") != (old.get("text") or ""):
            # The same report made whole (its attachment joined, its pages all in, its page
            # images OCR'd: from the same page bytes, so "same content" by digest): the row is
            # completed in place, as a reindex of the same WARCs builds it, not kept as a version.
            return self._replace_current(old, r, when, version=old.get("version") or 1)
        if self._same_content(old, r):
            self.conn.execute(
                "UPDATE reports SET last_seen = max(coalesce(last_seen, ?), ?), "
                "first_seen = min(coalesce(first_seen, ?), ?), removed_at = NULL "
                "WHERE rowid = ?",
                (when, when, when, when, old["rowid"]),
            )
            return "unchanged"
        if old.get("fetched_at") and when < old["fetched_at"]:
            # An earlier capture arriving late: history, not a change of the current row.
            known = self.conn.execute(
                "SELECT 1 FROM report_versions WHERE report_id = ? AND "
                "(payload_digest = ? OR text = ?)",
                (old["id"], r.get("payload_digest"), r.get("text") or ""),
            ).fetchone()
            if not known:
                v = dict(r, report_id=old["id"], version=0, first_seen=when,
                         last_seen=when, replaced_at=old["fetched_at"])
                self.conn.execute(self._VERSION_INSERT, [v.get(c) for c in self._VERSION_FIELDS])
                self._renumber_versions(old["id"])
            self.conn.execute(
                "UPDATE reports SET first_seen = min(coalesce(first_seen, ?), ?) WHERE rowid = ?",
                (when, when, old["rowid"]),
            )
            return "unchanged"
        # A real change: keep the old one as a version.
        v = dict(old, report_id=old["id"], replaced_at=when)
        self.conn.execute(self._VERSION_INSERT, [v.get(c) for c in self._VERSION_FIELDS])
        return self._replace_current(old, r, when, version=(old.get("version") or 1) + 1)

    def _replace_current(self, old: dict, r: dict, when: str, version: int) -> str:
        """The current row of ``old``'s report becomes ``r`` (numbered ``version``)."""
        new = dict(r)
        if not new.get("listed_on"):  # re-checked while unlisted: keep where it was listed
            new["listed_on"] = old.get("listed_on")
        new.update(
            first_seen=old.get("first_seen") or when,
            last_seen=when,
            removed_at=None,
            version=version,
        )
        self.conn.execute(
            self._REPORT_UPDATE,
            [new.get(c) for c in self._REPORT_FIELDS if c != "id"] + [old["rowid"]],
        )
        self._fts_delete(old["rowid"], old.get("title"), old.get("text"))
        self._fts_insert(old["rowid"], new.get("title"), new.get("text"))
        return "changed"

    def _renumber_versions(self, rid: str) -> None:
        """Past versions numbered 1..n by capture time; the current row is n+1."""
        rows = self.conn.execute(
            "SELECT id FROM report_versions WHERE report_id = ? ORDER BY fetched_at, id",
            (rid,),
        ).fetchall()
        # two passes: (report_id, version) is unique
        for i, (vid,) in enumerate(rows, 1):
            self.conn.execute("UPDATE report_versions SET version = ? WHERE id = ?", (-i, vid))
        self.conn.execute(
            "UPDATE report_versions SET version = -version WHERE report_id = ?", (rid,)
        )
        self.conn.execute(
            "UPDATE reports SET version = ? WHERE id = ?", (len(rows) + 1, rid)
        )

    _HEX16 = re.compile(r"^[0-9a-f]{16}$")

    def _ids(self, ids_or_urls: Iterable[str] | str) -> list[str]:
        if isinstance(ids_or_urls, str):
            ids_or_urls = [ids_or_urls]
        return [x if self._HEX16.match(x) else report_id(x) for x in ids_or_urls]

    def mark_removed(self, ids_or_page_urls: Iterable[str] | str, when: str | None = None) -> int:
        """Mark reports as gone from their portal (404/410, or no longer listed). They
        stay in the index; ``removed_at`` keeps the first time they were found missing.
        Takes report ids or page URLs; returns how many rows newly got removed_at."""
        when = when or warc_date()
        ids = self._ids(ids_or_page_urls)
        with self._lock:
            self._begin()
            n = 0
            for rid in ids:
                n += self.conn.execute(
                    "UPDATE reports SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
                    (when, rid),
                ).rowcount
            self.counts["removed"] += n
            self._wrote(len(ids))
        return n

    def mark_seen(self, ids_or_page_urls: Iterable[str] | str, when: str | None = None) -> int:
        """Reports confirmed present without re-extraction (e.g. a 304): last_seen moves
        forward and removed_at is cleared. Returns how many rows matched."""
        when = when or warc_date()
        ids = self._ids(ids_or_page_urls)
        with self._lock:
            self._begin()
            n = 0
            for rid in ids:
                n += self.conn.execute(
                    "UPDATE reports SET last_seen = max(coalesce(last_seen, ?), ?), "
                    "removed_at = NULL WHERE id = ?",
                    (when, when, rid),
                ).rowcount
            self._wrote(len(ids))
        return n

    def set_published(self, id_or_page_url: str, published: str | None, source: str | None) -> int:
        """Set a report's ``published`` and ``published_source`` in place (a list dated it
        after its capture: archive.reports.ingest.Ingest.list_date); not a new version, its
        text is the same. Returns how many rows matched."""
        rid = self._ids(id_or_page_url)[0]
        with self._lock:
            self._begin()
            n = self.conn.execute("UPDATE reports SET published = ?, published_source = ? WHERE id = ?",
                                  (published, source, rid)).rowcount
            self._wrote()
        return n

    def get_report(self, id_or_page_url: str) -> dict | None:
        """The current row of a report (None if unknown), e.g. for refresh decisions."""
        rid = self._ids(id_or_page_url)[0]
        with self._lock:
            cur = self.conn.execute("SELECT * FROM reports WHERE id = ?", (rid,))
            row = cur.fetchone()
            return dict(zip([d[0] for d in cur.description], row)) if row else None

    # ------------------------------------------------------------------ portals, runs

    def upsert_portal(self, row: Mapping) -> None:
        """Insert or update a portal by ``name``; only the given columns change."""
        unknown = set(row) - set(PORTAL_COLUMNS)
        if unknown:
            raise ValueError(f"portals has no columns {sorted(unknown)}")
        if not row.get("name"):
            raise ValueError("a portal row needs name")
        cols = list(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "name")
        sql = "INSERT INTO portals ({}) VALUES ({}) ON CONFLICT(name) DO {}".format(
            ", ".join(cols), ", ".join("?" * len(cols)),
            f"UPDATE SET {updates}" if updates else "NOTHING",
        )
        with self._lock:
            self._begin()
            if row.get("code"):
                self._need_divisions()
            self.conn.execute(sql, [row[c] for c in cols])
            self._wrote()

    def add_list_path(self, portal: str, list_url: str, path: list) -> None:
        """Remember how the crawl reached a report list: ``path`` is [[anchor, url], ...] from
        the home page. The shortest path met is kept (crawl and reindex agree on it)."""
        steps = [[str(a or ""), str(u)] for a, u in path]
        with self._lock:
            self._begin()
            # created with its first row (an empty index stays small: the full-disk tests),
            # asked every time: a rolled-back batch (disk full) takes the table with it
            self.conn.execute(_LIST_PATHS_SQL)
            self.conn.execute(
                "INSERT INTO list_paths(portal, list_url, path, steps) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(portal, list_url) DO UPDATE SET path = excluded.path, steps = excluded.steps "
                "WHERE excluded.steps < list_paths.steps "
                "OR (excluded.steps = list_paths.steps AND excluded.path < list_paths.path)",
                (portal, list_url, json.dumps(steps, ensure_ascii=False), len(steps)))
            self._wrote()

    def _need_divisions(self) -> None:
        """Load the divisions table once, with the first row that carries a division code."""
        if not self._divisions_loaded:
            coverage.fill_divisions(self.conn)
            self._divisions_loaded = True

    def start_run(self, started_at: str | None = None) -> int:
        """Open a crawl_runs row (committed at once, so a crashed run still shows) and
        reset the new/changed/unchanged/removed counters. Returns the run id."""
        with self._lock:
            self._begin()
            cur = self.conn.execute(
                "INSERT INTO crawl_runs (started_at) VALUES (?)", (started_at or warc_date(),)
            )
            self._commit_locked()
            self.counts = dict.fromkeys(self.counts, 0)
            return cur.lastrowid

    def finish_run(self, run_id: int, stats: Mapping | None = None) -> None:
        """Close a crawl run. ``stats`` may hold finish_reason, finished_at, pages,
        errors, reports_new/changed/unchanged/removed (default: what this Index counted
        since start_run) and anything else (e.g. ``portals``: per-portal counts); all of
        it is stored as JSON in ``stats``. Commits."""
        stats = dict(stats or {})
        values = {
            "finished_at": stats.get("finished_at") or warc_date(),
            "finish_reason": stats.get("finish_reason"),
            "pages": stats.get("pages"),
            "errors": stats.get("errors"),
        }
        for k in ("new", "changed", "unchanged", "removed"):
            values[f"reports_{k}"] = stats.get(f"reports_{k}", self.counts[k])
        stats.update({k: v for k, v in values.items() if k not in stats})
        values["stats"] = json.dumps(stats, ensure_ascii=False, default=str)
        with self._lock:
            self._begin()
            self.conn.execute(
                "UPDATE crawl_runs SET {} WHERE id = ?".format(
                    ", ".join(f"{c} = ?" for c in values)
                ),
                [*values.values(), run_id],
            )
            self._commit_locked()
