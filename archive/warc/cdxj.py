"""CDXJ indexes of the WARC files (cdxj-indexer, the indexer pywb and py-wacz use).

One sorted `<warc name>.cdxj` per WARC. Only `response`, `revisit` and `resource` records are
indexed: our `metadata` records (crawl context, `urn:nianbao:context:<url>`) are of no use to
a replay tool. POST requests (Hanweb `dataproxy.jsp`) get their body appended to the URL key
(`__wb_post_data`), as pywb expects to replay them.
"""
from __future__ import annotations

import os

from archive.warc import GZIP_MAGIC, ArchiveError, iter_members, warc_files

INDEXED_RECORDS = "response,revisit,resource"


def _run_indexer(warc_path: str, out_path: str, filename: str | None = None) -> None:
    from cdxj_indexer.main import CDXJIndexer

    CDXJIndexer(
        output=out_path,
        inputs=[warc_path],
        sort=True,
        post_append=True,
        records=INDEXED_RECORDS,
        filename=filename or os.path.basename(warc_path),
    ).process_all()


def _first_damage(warc_path: str, start: int = 0) -> tuple[int, str] | None:
    """(offset, why) of the first unreadable gzip member from ``start``, as verify names it.
    cdxj-indexer (warcio) stops without a word at a member cut short, and fails on a corrupt
    one with a dump of its bytes: neither says where."""
    with open(warc_path, "rb") as f:
        if f.read(2) != GZIP_MAGIC[:2]:
            return None  # a plain .warc: warcio raises on damage itself
        for m in iter_members(f, start):
            if m.data is None:
                return m.offset, m.error or "unreadable"
    return None


def _indexed_end(cdxj_path: str) -> tuple[int, int]:
    """(lines, end offset of the furthest indexed record) of a written index. warcio raises on
    a corrupt member before it; a member cut short can only follow it, so the check for one
    reads the WARC from there instead of decompressing the whole file a second time."""
    import json

    n = end = 0
    with open(cdxj_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                n += 1
                rec = json.loads(line.split(" ", 2)[2])
                end = max(end, int(rec["offset"]) + int(rec["length"]))
    return n, end


def write_cdxj(warc_path: str, out_dir: str | None = None, force: bool = False) -> tuple[str, int] | None:
    """Write `<out_dir>/<warc name>.cdxj` (default: beside the WARC). Returns (path, lines),
    or None when the index is already newer than the WARC and `force` is off. Written to a
    temporary name and renamed, so a reader never sees half an index."""
    out_dir = out_dir or os.path.dirname(os.path.abspath(warc_path))
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, os.path.basename(warc_path) + ".cdxj")
    if not force and os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(warc_path):
        return None
    tmp = out + ".tmp"
    try:
        _run_indexer(warc_path, tmp)
    except Exception as e:  # cdxj-indexer/warcio raise many types on damaged input
        try:
            os.unlink(tmp)
        except OSError:
            pass
        damage = _first_damage(warc_path)
        if damage:
            raise ArchiveError(f"@{damage[0]}: {damage[1]}; not indexed") from e
        raise ArchiveError(f"cannot index {warc_path}: {type(e).__name__}: {e}") from e
    n, end = _indexed_end(tmp)
    os.replace(tmp, out)
    damage = _first_damage(warc_path, end)
    if damage:
        # The records before the damage are sound and replayable: keep their index, but dated
        # before the WARC so that the next run indexes (and reports) the file again.
        st = os.stat(warc_path)
        os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns - 1_000_000_000))
        raise ArchiveError(f"@{damage[0]}: {damage[1]}; partial index {out} ({n} lines: the records "
                           f"before @{damage[0]})")
    return out, n


def index_all(paths_or_dir, out_dir: str | None = None, force: bool = False):
    """Yield (warc, result | None, error | None) for every WARC."""
    for path in warc_files(paths_or_dir):
        try:
            yield path, write_cdxj(path, out_dir, force), None
        except (ArchiveError, OSError) as e:
            yield path, None, str(e)
