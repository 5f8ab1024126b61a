"""Crash recovery: complete the `*.warc.gz.open` files a crashed crawl left behind.

Only an incomplete *tail* is ever cut: the bytes after the last whole record, when they are a
gzip member the crash interrupted or the zeros a power loss leaves. A damaged member in the
middle of a file (a flipped byte, a bad block) is reported and left in place with every record
around it: readers skip it, `python -m archive verify` names it, and nothing good is deleted.
"""
from __future__ import annotations

import fcntl
import glob
import logging
import os

from .reader import RecordError, iter_members, parse_records
from .records import OPEN_SUFFIX, _fsync_dir

log = logging.getLogger(__name__)


class RecoverReport(list):
    """One human-readable line per file handled (a list of str), plus ``damaged``: the final
    names of files that hold damaged members (kept in place), so callers can fail loudly, and
    ``closed``: the final names of every file completed."""

    def __init__(self):
        super().__init__()
        self.damaged: list[str] = []
        self.closed: list[str] = []   # final names of the files completed (not removed)


def _scan(f) -> tuple[int, int, list[tuple[int, int, str]], bool]:
    """(end of the last whole member, whole records, damaged members before it as
    (offset, length, why), whether anything after that end is a truncated member)."""
    good_end, records = 0, 0
    bad: list[tuple[int, int, str]] = []
    truncated = False
    for m in iter_members(f):
        if m.data is None:
            if m.truncated:
                truncated = True
                break
            bad.append((m.offset, m.length, m.error or "unreadable"))
            continue
        try:
            recs = parse_records(m.data, "", m.offset, m.length)
        except RecordError as exc:
            bad.append((m.offset, m.length, str(exc)))
            continue
        if not recs or not all(r.complete for r in recs):
            bad.append((m.offset, m.length, "record shorter than its Content-Length"))
            continue
        good_end = m.offset + m.length
        records += len(recs)
    return good_end, records, [b for b in bad if b[0] < good_end], truncated


def _tail_is_debris(f, start: int, size: int, truncated: bool) -> bool:
    """Whether the bytes from ``start`` to the end may be cut: an interrupted member, or only
    zeros (or nothing). A damaged but whole member at the end is evidence, not debris."""
    if start >= size:
        return True
    f.seek(start)
    tail = f.read(min(size - start, 64 << 20))
    if not tail.strip(b"\0") and size - start <= len(tail):
        return True
    # one interrupted member and nothing else after the last whole one
    return truncated and tail[:3] == b"\x1f\x8b\x08"


def recover(directory: str) -> RecoverReport:
    """Complete the `*.warc.gz.open` files a crashed crawl left in `directory`.

    Each is scanned member by member. An incomplete tail (the member the crash interrupted,
    or trailing zeros) is cut; damaged members before the last whole record are kept in place
    and reported (`RecoverReport.damaged`); the file gets its final name. A file with no whole
    exchange and no damage is removed. Files still locked by a live writer are left alone.
    Returns one human-readable line per file handled.
    """
    report = RecoverReport()
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        return report
    for path in sorted(glob.glob(os.path.join(glob.escape(directory), "*" + OPEN_SUFFIX))):
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError as e:
            report.append(f"{os.path.basename(path)}: cannot open ({e.strerror}); left alone")
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                report.append(f"{os.path.basename(path)}: in use by a running writer; left alone")
                continue
            size = os.fstat(fd).st_size
            with os.fdopen(os.dup(fd), "rb") as f:
                good_end, records, bad, truncated = _scan(f)
                cut_tail = _tail_is_debris(f, good_end, size, truncated)
            end = good_end if cut_tail else size
            final = path[: -len(OPEN_SUFFIX)]
            name = os.path.basename(final)
            if not bad and cut_tail and (records == 0 or (records == 1 and _only_warcinfo(path, good_end))):
                os.close(fd)
                fd = -1
                os.unlink(path)
                report.append(f"{name}: no archived exchange survived; removed ({size} bytes)")
                continue
            if end < size:
                os.ftruncate(fd, end)
            os.fsync(fd)
            while os.path.exists(final):
                final = final[: -len(".warc.gz")] + "-recovered.warc.gz"
            os.rename(path, final)
            _fsync_dir(directory)
            name = os.path.basename(final)
            report.closed.append(name)
            parts = [f"kept {records} whole records" if (bad or end < size or not cut_tail)
                     else f"all {records} records whole"]
            if bad:
                parts.append("; ".join(f"corrupt member at offset {o} ({n} bytes: {why}) left in place"
                                       for o, n, why in bad))
            if not cut_tail:
                parts.append(f"{size - good_end} damaged bytes after the last whole record left in place")
            if end < size:
                parts.append(f"cut {size - end} bytes of an incomplete record")
            line = f"{name}: " + ", ".join(parts) + ", closed"
            if bad or not cut_tail:
                report.damaged.append(name)
                line += f" (damaged: see `python -m archive verify {os.path.join(directory, name)}`)"
            report.append(line)
        finally:
            if fd >= 0:
                os.close(fd)
    return report


def _only_warcinfo(path: str, end: int) -> bool:
    with open(path, "rb") as f:
        for m in iter_members(f):
            if m.offset >= end or m.data is None:
                break
            recs = parse_records(m.data, "", m.offset, m.length)
            return all(r.rec_type == "warcinfo" for r in recs)
    return False
