"""`python -m archive verify DIR`: read every record of every WARC and check it.

Checked per record: the gzip member decompresses with a correct CRC and length; the record
starts with `WARC/1.0` or `WARC/1.1`; the mandatory headers are there (WARC-Record-ID,
WARC-Type, WARC-Date, Content-Length; WARC-Target-URI for request/response/revisit); the block
is as long as Content-Length says and ends with CRLFCRLF; `WARC-Block-Digest` and
`WARC-Payload-Digest` are recomputed from the bytes (the payload being the HTTP entity body,
content-encoding kept); an HTTP response head has a status line; record ids are unique; the
first record of a file is a warcinfo. Nothing is trusted from the writer: digests are computed
here with hashlib (archive.warc.check_digest).
"""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field

from archive.warc import (
    OPEN_SUFFIX,
    ArchiveError,
    WarcRecord,
    check_digest,
    iter_records,
    warc_files,
)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$")
_HTTP_TYPES = ("request", "response", "revisit")


@dataclass
class Fault:
    path: str
    offset: int
    message: str
    record_id: str | None = None

    def __str__(self) -> str:
        rid = f" {self.record_id}" if self.record_id else ""
        return f"{os.path.basename(self.path)} @{self.offset}{rid}: {self.message}"


@dataclass
class FileReport:
    path: str
    records: int = 0
    types: Counter = field(default_factory=Counter)
    faults: list[Fault] = field(default_factory=list)
    warnings: list[Fault] = field(default_factory=list)
    digests_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.faults


@dataclass
class VerifyReport:
    files: list[FileReport] = field(default_factory=list)
    open_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def faults(self) -> list[Fault]:
        return [x for f in self.files for x in f.faults]

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    def summary(self) -> str:
        types = Counter()
        for f in self.files:
            types.update(f.types)
        kinds = ", ".join(f"{n} {t}" for t, n in sorted(types.items()))
        bad = sum(1 for f in self.files if not f.ok)
        line = (
            f"verified {len(self.files)} WARC file(s), {self.records} records ({kinds or 'none'}), "
            f"{sum(f.digests_checked for f in self.files)} digests recomputed: "
        )
        if self.ok:
            line += "all OK"
        else:
            line += f"{len(self.faults)} fault(s) in {bad} file(s)"
        return line


def _digests(rec: WarcRecord, rep: FileReport) -> None:
    rid = rec.record_id
    block_label = rec.header("WARC-Block-Digest")
    if block_label:
        ok = check_digest(block_label, rec.block)
        if ok is False:
            rep.faults.append(Fault(rep.path, rec.offset, f"WARC-Block-Digest mismatch ({block_label})", rid))
        elif ok is None:
            rep.warnings.append(Fault(rep.path, rec.offset, f"unknown digest algorithm in {block_label}", rid))
        else:
            rep.digests_checked += 1
    elif rec.rec_type != "warcinfo":
        rep.warnings.append(Fault(rep.path, rec.offset, "no WARC-Block-Digest", rid))

    payload_label = rec.header("WARC-Payload-Digest")
    t = rec.rec_type
    if t == "revisit":
        return  # its payload digest names the original's payload, which it does not hold
    if t in ("response", "request"):
        ctype = (rec.header("Content-Type") or "").lower()
        if not ctype.startswith("application/http"):
            payload = rec.block  # not HTTP (e.g. dns:, or a resource-like response)
        else:
            head, payload = rec.split_http()
    elif t == "resource":
        payload = rec.block
    else:
        return
    if payload_label:
        ok = check_digest(payload_label, payload)
        if ok is False:
            rep.faults.append(Fault(rep.path, rec.offset, f"WARC-Payload-Digest mismatch ({payload_label})", rid))
        elif ok is True:
            rep.digests_checked += 1
    elif t == "response":
        rep.warnings.append(Fault(rep.path, rec.offset, "response without WARC-Payload-Digest", rid))


def _structure(rec: WarcRecord, rep: FileReport, seen_ids: set) -> None:
    rid = rec.record_id
    if rec.version not in ("WARC/1.0", "WARC/1.1"):
        rep.faults.append(Fault(rep.path, rec.offset, f"unknown WARC version {rec.version!r}", rid))
    for name in ("WARC-Record-ID", "WARC-Type", "WARC-Date", "Content-Length"):
        if not rec.header(name):
            rep.faults.append(Fault(rep.path, rec.offset, f"missing {name}", rid))
    date = rec.header("WARC-Date")
    if date and not _DATE_RE.match(date):
        rep.faults.append(Fault(rep.path, rec.offset, f"malformed WARC-Date {date!r}", rid))
    if rid:
        if rid in seen_ids:
            rep.faults.append(Fault(rep.path, rec.offset, "duplicate WARC-Record-ID", rid))
        seen_ids.add(rid)
    t = rec.rec_type
    if t in _HTTP_TYPES and not rec.target_uri:
        rep.faults.append(Fault(rep.path, rec.offset, f"{t} record without WARC-Target-URI", rid))
    if t in ("response", "revisit") and (rec.header("Content-Type") or "").lower().startswith("application/http"):
        first = rec.block.split(b"\r\n", 1)[0]
        if not re.match(rb"^HTTP/\d(\.\d)? \d{3}( |$)", first):
            rep.faults.append(Fault(rep.path, rec.offset, f"bad HTTP status line {first[:60]!r}", rid))
        if b"\r\n\r\n" not in rec.block:
            rep.faults.append(Fault(rep.path, rec.offset, "HTTP head does not end with a blank line", rid))
    if t == "revisit":
        if not rec.header("WARC-Profile"):
            rep.faults.append(Fault(rep.path, rec.offset, "revisit without WARC-Profile", rid))
        if not rec.header("WARC-Refers-To-Target-URI") and not rec.header("WARC-Refers-To"):
            rep.warnings.append(Fault(rep.path, rec.offset, "revisit without WARC-Refers-To-Target-URI", rid))


def verify_file(path: str) -> FileReport:
    """Check every record of one WARC file."""
    rep = FileReport(path)

    def on_error(p, offset, message):
        rep.faults.append(Fault(p, offset, message))

    seen: set[str] = set()
    try:
        for rec in iter_records(path, on_error):
            if rep.records == 0 and rec.rec_type != "warcinfo":
                rep.warnings.append(Fault(path, rec.offset, f"first record is {rec.rec_type}, not warcinfo"))
            rep.records += 1
            rep.types[rec.rec_type or "?"] += 1
            _structure(rec, rep, seen)
            _digests(rec, rep)
    except ArchiveError as e:
        rep.faults.append(Fault(path, 0, str(e)))
    except OSError as e:
        rep.faults.append(Fault(path, 0, f"cannot read: {e.strerror or e}"))
    if rep.records == 0 and not rep.faults:
        rep.faults.append(Fault(path, 0, "no WARC records"))
    return rep


def verify(paths_or_dir) -> VerifyReport:
    """Verify every WARC in the given files/directories. `*.open` files (being written, or
    left by a crash for `recover()`) are listed but not verified."""
    report = VerifyReport()
    for path in warc_files(paths_or_dir, include_open=True):
        if path.endswith(OPEN_SUFFIX):
            report.open_files.append(path)
            continue
        report.files.append(verify_file(path))
    return report
