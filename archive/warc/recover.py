"""Crash recovery: complete the `*.warc.gz.open` files a crashed crawl left behind."""
from __future__ import annotations

import fcntl
import glob
import logging
import os

from .reader import RecordError, iter_members, parse_records
from .records import OPEN_SUFFIX, _fsync_dir

log = logging.getLogger(__name__)



def recover(directory: str) -> list[str]:
    """Complete the `*.warc.gz.open` files a crashed crawl left in `directory`.

    Each is scanned member by member; it is cut after the last whole, parseable record (a
    request/response pair whose response made it but whose request did not is kept: the
    response is the part that matters) and renamed to its final name. A file with no whole
    record at all is removed. Files still locked by a live writer are left alone.
    Returns one human-readable line per file handled.
    """
    report: list[str] = []
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
            good_end, records = 0, 0
            with os.fdopen(os.dup(fd), "rb") as f:
                for m in iter_members(f):
                    if m.data is None:
                        break
                    try:
                        recs = parse_records(m.data, "", m.offset, m.length)
                    except RecordError:
                        break
                    if not recs or not all(r.complete for r in recs):
                        break
                    good_end = m.offset + m.length
                    records += len(recs)
            final = path[: -len(OPEN_SUFFIX)]
            name = os.path.basename(final)
            if records == 0 or (records == 1 and good_end > 0 and _only_warcinfo(path, good_end)):
                os.close(fd)
                fd = -1
                os.unlink(path)
                report.append(f"{name}: no archived exchange survived; removed ({size} bytes)")
                continue
            if good_end < size:
                os.ftruncate(fd, good_end)
            os.fsync(fd)
            while os.path.exists(final):
                final = final[: -len(".warc.gz")] + "-recovered.warc.gz"
            os.rename(path, final)
            _fsync_dir(directory)
            if good_end < size:
                report.append(
                    f"{os.path.basename(final)}: kept {records} whole records, cut {size - good_end} "
                    f"bytes of an incomplete record, closed"
                )
            else:
                report.append(f"{os.path.basename(final)}: all {records} records whole, closed")
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
