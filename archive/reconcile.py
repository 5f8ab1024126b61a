"""After a killed crawl: bring the index level with what the WARCs hold (#15 point 6).

A crawl killed with SIGKILL has archived responses (every WARC write is acknowledged only once
it is on disk) that never reached `captures` or `reports`: the pipeline commits the index in
batches, and the kill took the batch. Its `crawl_runs` row keeps `finish_reason` NULL.

`reconcile` runs at the start of the next crawl, under the archive's run lock (so any run row
still open belongs to a dead process): it closes those rows as ``killed`` and re-indexes the
WARC files written since the oldest of them, through `archive.reindex.reindex` into a
scratch database — the very functions a full rebuild uses — then copies into the live index
the capture rows it lacks and every report those files hold (`Index.upsert_report` decides
new / changed / unchanged as for any capture). Then the dates lists gave reports after their
capture (`urn:nianbao:listdate:` records in those files) go to the live rows through
`Ingest.list_date`, as a full reindex gives them: also to a row whose text is unchanged
(which the copy leaves as it was) and to a report captured in an older file than its date.
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone

from archive.index import Index
from archive.reports.ingest import Ingest
from archive.warc import warc_files


@dataclass
class Reconciled:
    """What `reconcile` did: runs closed, files re-read, rows added."""

    killed_runs: list[int] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    captures: int = 0
    reports: dict = field(default_factory=lambda: {"new": 0, "changed": 0, "unchanged": 0})
    list_date_records: int = 0  # urn:nianbao:listdate: records in the files re-read
    list_dates: int = 0  # live rows those records dated (the copy of the reports had not)

    @property
    def changed(self) -> bool:
        """Whether the index had to be put right (a killed run, captures or dates it lacked)."""
        return bool(self.killed_runs or self.captures or self.list_dates)

    def summary(self) -> str:
        if not self.changed:
            return "index in step with the WARCs"
        return (f"closed {len(self.killed_runs)} killed run(s) {self.killed_runs}; re-read {len(self.files)} "
                f"WARC file(s); indexed {self.captures} capture(s) the index lacked; reports "
                f"{self.reports['new']} new, {self.reports['changed']} changed, {self.reports['unchanged']} unchanged; "
                f"{self.list_dates} report(s) dated by {self.list_date_records} list date record(s)")


def _mtime_iso(path: str) -> str:
    return datetime.fromtimestamp(os.path.getmtime(path), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def reconcile(db_path: str | os.PathLike, warc_dir: str | os.PathLike, recovered: list[str] = ()) -> Reconciled:
    """Close the runs a killed crawl left open and index what its WARCs hold that the index
    lacks. ``recovered``: names of files `recover` just closed (always re-read). Call it with
    the archive's run lock held, before the new run opens its own row."""
    out = Reconciled()
    db_path, warc_dir = os.fspath(db_path), os.fspath(warc_dir)
    if not os.path.exists(db_path):
        return out
    con = sqlite3.connect(db_path)
    try:
        open_runs = con.execute("SELECT id, started_at FROM crawl_runs WHERE finish_reason IS NULL "
                                "ORDER BY id").fetchall()
        known = set(con.execute("SELECT warc_filename, warc_offset FROM captures WHERE warc_filename IS NOT NULL"))
    finally:
        con.close()
    since = min((s for _, s in open_runs if s), default=None)
    files = [p for p in warc_files(warc_dir) if os.path.basename(p) in set(recovered)
             or (since is not None and _mtime_iso(p) >= since[:19] + "Z")] if os.path.isdir(warc_dir) else []
    out.files = [os.path.basename(p) for p in files]
    if not files and not open_runs:
        return out   # nothing to do: do not even open the index for writing
    index = Index(db_path)
    try:
        if files:
            _copy_missing(index, files, known, out)
        if open_runs:
            last = index.conn.execute("SELECT max(fetched_at) FROM captures").fetchone()[0]
            for run_id, started in open_runs:
                index.finish_run(run_id, {"finish_reason": "killed",
                                          "finished_at": max(last or started or "", started or "")})
                out.killed_runs.append(run_id)
        index.commit()
    finally:
        index.close()
    return out


def _copy_missing(index: Index, files: list[str], known: set, out: Reconciled) -> None:
    from archive.reindex import reindex

    with tempfile.TemporaryDirectory(prefix="nianbao-reconcile-") as tmp:
        scratch = os.path.join(tmp, "reports.db")
        stats = reindex(files, scratch, jobs=1)
        con = sqlite3.connect(scratch)
        con.row_factory = sqlite3.Row
        try:
            rows = [dict(r) for r in con.execute("SELECT * FROM captures WHERE warc_filename IS NOT NULL")]
            missing = [r for r in rows if (r["warc_filename"], r["warc_offset"]) not in known]
            for r in missing:
                r.pop("id", None)
            out.captures = index.add_captures(missing) if missing else 0
            columns = [c for c in index.db["reports"].columns_dict]
            for r in con.execute("SELECT * FROM reports ORDER BY fetched_at"):
                row = {k: r[k] for k in r.keys() if k in columns and k not in
                       ("first_seen", "last_seen", "removed_at", "version")}
                out.reports[index.upsert_report(row)] += 1
        finally:
            con.close()
    # the copy leaves an unchanged row's date as it was, and the scratch index lacks the rows
    # of reports captured before these files: the records date the live rows themselves
    ingest = Ingest(index)
    for dated in stats.list_date_records:
        out.list_date_records += 1
        out.list_dates += ingest.list_date(dated["url"], dated["list_date"])
