"""Reading WARC files back: gzip members, records, HTTP exchanges.

Reading (`iter_records`, `iter_exchanges`) walks the file one gzip member at a time; a corrupt
member is reported and skipped by re-synchronising on the next gzip magic, so one flipped byte
costs one record, not the rest of the file. Non-gzip (plain `.warc`) files are read with
warcio's `ArchiveIterator`.

Replay note: the metadata record carries the page's URL as WARC-Target-URI (design contract),
and pywb's own indexer (`wb-manager add` of raw WARCs, `wb-manager reindex`) indexes it under
that URL, so pywb 2.10 then serves the JSON instead of the page. Index with
`python -m archive cdxj` or package with `python -m archive pack` (both leave metadata records
out), as tests/archive/test_replay.py does.

Length: three layers of one reading path (gzip members → WARC records → HTTP exchanges), each
used on its own by verify, recover and reindex.
"""
from __future__ import annotations

import glob
import json
import logging
import os
import zlib
from dataclasses import dataclass
from typing import Callable, Iterator

from .content import decode_content
from .records import _CHUNK, GZIP_MAGIC, OPEN_SUFFIX, WARC_VERSION, ArchiveError, Capture, _get_header

log = logging.getLogger(__name__)



@dataclass
class Member:
    """One gzip member of a WARC file: file offset, compressed length, and either its
    decompressed bytes or why it could not be read."""

    offset: int
    length: int
    data: bytes | None
    error: str | None = None
    truncated: bool = False


def iter_members(f, start: int = 0) -> Iterator[Member]:
    """Walk the gzip members of a binary file object from `start`.

    A corrupt member (bad deflate data, CRC/length mismatch) is yielded with `error` set and
    reading re-synchronises on the next gzip magic; an incomplete member at the end of the
    file (a crash mid-write) is yielded with `truncated=True` and ends the walk.
    """
    f.seek(start)
    buf = b""
    buf_off = start
    while True:
        if not buf:
            buf = f.read(_CHUNK)
            if not buf:
                return
        member_start = buf_off
        d = zlib.decompressobj(31)
        out: list[bytes] = []
        data, buf = buf, b""
        consumed = 0
        error = None
        while True:
            try:
                out.append(d.decompress(data))
            except zlib.error as e:
                error = str(e)
                break
            if d.eof:
                consumed += len(data) - len(d.unused_data)
                buf = d.unused_data
                buf_off = member_start + consumed
                break
            consumed += len(data)
            data = f.read(_CHUNK)
            if not data:
                yield Member(member_start, consumed, None, "incomplete gzip member at end of file", truncated=True)
                return
        if error is None:
            yield Member(member_start, consumed, b"".join(out))
            continue
        # Re-synchronise on the next gzip magic after the bad member's start.
        nxt = _find_magic(f, member_start + 1)
        if nxt is None:
            f.seek(0, os.SEEK_END)
            end = f.tell()
            yield Member(member_start, end - member_start, None, f"corrupt gzip member: {error}")
            return
        yield Member(member_start, nxt - member_start, None, f"corrupt gzip member: {error}")
        f.seek(nxt)
        buf, buf_off = b"", nxt


def _find_magic(f, pos: int) -> int | None:
    f.seek(pos)
    tail = b""
    base = pos
    while True:
        chunk = f.read(_CHUNK)
        if not chunk:
            return None
        hay = tail + chunk
        i = hay.find(GZIP_MAGIC)
        if i >= 0:
            return base - len(tail) + i
        tail = hay[-2:]
        base += len(chunk)


@dataclass
class WarcRecord:
    """A parsed WARC record (whole block in memory: one record at a time)."""

    filename: str
    offset: int
    length: int
    headers: list[tuple[str, str]]
    block: bytes
    version: str = WARC_VERSION
    complete: bool = True  # False when the block is shorter than Content-Length

    def header(self, name: str, default=None):
        return _get_header(self.headers, name, default)

    @property
    def rec_type(self) -> str:
        return (self.header("WARC-Type") or "").lower()

    @property
    def record_id(self) -> str | None:
        return self.header("WARC-Record-ID")

    @property
    def target_uri(self) -> str | None:
        return self.header("WARC-Target-URI")

    @property
    def date(self) -> str | None:
        return self.header("WARC-Date")

    def concurrent_to(self) -> list[str]:
        return [v for k, v in self.headers if k.lower() == "warc-concurrent-to"]

    def split_http(self) -> tuple[bytes, bytes]:
        """(HTTP head including the blank line, entity body) of request/response/revisit."""
        i = self.block.find(b"\r\n\r\n")
        if i < 0:
            return self.block, b""
        return self.block[: i + 4], self.block[i + 4 :]


class RecordError(ArchiveError):
    """A record could not be parsed."""


def parse_records(data: bytes, filename: str, offset: int, length: int) -> list[WarcRecord]:
    """Parse the WARC record(s) held by one decompressed member (normally exactly one)."""
    records = []
    pos = 0
    n = len(data)
    while pos < n:
        # Blank lines between records are tolerated.
        while data.startswith(b"\r\n", pos):
            pos += 2
        if pos >= n:
            break
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            raise RecordError("WARC header block has no end")
        lines = data[pos:end].split(b"\r\n")
        version = lines[0].decode("latin-1").strip()
        if not version.startswith("WARC/"):
            raise RecordError(f"not a WARC record (starts with {lines[0][:20]!r})")
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if line[:1] in (b" ", b"\t") and headers:
                k, v = headers[-1]
                headers[-1] = (k, v + " " + line.strip().decode("utf-8", "replace"))
                continue
            k, sep, v = line.partition(b":")
            if not sep:
                raise RecordError(f"bad WARC header line {line[:40]!r}")
            headers.append((k.strip().decode("utf-8", "replace"), v.strip().decode("utf-8", "replace")))
        cl = _get_header(headers, "Content-Length")
        try:
            clen = int(cl)
        except (TypeError, ValueError):
            raise RecordError(f"missing or bad Content-Length {cl!r}") from None
        bstart = end + 4
        block = data[bstart : bstart + clen]
        complete = len(block) == clen
        records.append(WarcRecord(filename, offset, length, headers, block, version, complete))
        pos = bstart + clen
        if not complete:
            break
        if data[pos : pos + 4] == b"\r\n\r\n":
            pos += 4
        else:
            records[-1].complete = False  # trailing CRLFCRLF missing: record damaged
            break
    return records


ErrorCallback = Callable[[str, int, str], None]


def _default_on_error(path: str, offset: int, message: str) -> None:
    log.warning("%s at offset %d: %s (skipped)", path, offset, message)


def warc_files(paths_or_dir, include_open: bool = False) -> list[str]:
    """Expand files and directories into a sorted list of WARC files (`*.warc.gz`, `*.warc`;
    `*.open` too when asked). Sorted by file name, i.e. by the timestamp in our names, across
    all the directories given (several workers' archives interleave in time order)."""
    if isinstance(paths_or_dir, (str, os.PathLike)):
        paths_or_dir = [paths_or_dir]
    out: list[str] = []
    for p in paths_or_dir:
        p = os.fspath(p)
        if os.path.isdir(p):
            pats = ["*.warc.gz", "*.warc"] + (["*.warc.gz" + OPEN_SUFFIX] if include_open else [])
            found = set()
            for pat in pats:
                found.update(glob.glob(os.path.join(glob.escape(p), pat)))
            out.extend(sorted(found))
        elif os.path.exists(p):
            out.append(p)
        else:
            raise ArchiveError(f"no such file or directory: {p}")
    return sorted(out, key=lambda path: (os.path.basename(path), path))


def iter_records(path: str, on_error: ErrorCallback | None = None, start: int = 0) -> Iterator[WarcRecord]:
    """Every record of one WARC file, in order (from byte `start`, which must be a record
    boundary of a gzip-per-record file). Bad members are reported via `on_error`
    (path, offset, message) and skipped."""
    on_error = on_error or _default_on_error
    name = os.path.basename(path)
    if name.endswith(OPEN_SUFFIX):
        name = name[: -len(OPEN_SUFFIX)]
    try:
        f = open(path, "rb")
    except OSError as e:
        raise ArchiveError(f"cannot read {path}: {e.strerror}") from e
    with f:
        head = f.read(3)
        f.seek(0)
        if head[:2] != GZIP_MAGIC[:2]:
            if start:
                raise ArchiveError(f"{path}: byte ranges need a gzip-per-record WARC")
            yield from _iter_plain(f, path, name, on_error)
            return
        for m in iter_members(f, start):
            if m.data is None:
                on_error(path, m.offset, m.error or "unreadable")
                continue
            try:
                recs = parse_records(m.data, name, m.offset, m.length)
            except RecordError as e:
                on_error(path, m.offset, str(e))
                continue
            for r in recs:
                if not r.complete:
                    on_error(path, m.offset, "record block shorter than its Content-Length")
                    continue
                yield r


def _iter_plain(f, path, name, on_error) -> Iterator[WarcRecord]:
    """Uncompressed (or whole-file gzip) WARCs: warcio reads them; no resync possible."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    it = ArchiveIterator(f, no_record_parse=True, check_digests=False)
    try:
        for rec in it:
            block = rec.raw_stream.read()
            it.read_to_end(rec)
            yield WarcRecord(
                name,
                it.get_record_offset(),
                it.get_record_length(),
                list(rec.rec_headers.headers),
                block,
                rec.rec_headers.protocol or WARC_VERSION,
            )
    except (ArchiveLoadFailed, ValueError, EOFError) as e:
        on_error(path, it.offset if hasattr(it, "offset") else 0, f"unreadable WARC data: {e}")


# --------------------------------------------------------------------------- exchanges


def _parse_http_head(head: bytes):
    """(first line parts, headers) from an HTTP head, bytes decoded latin-1 (exact round trip
    of what the writer encoded)."""
    text = head.decode("latin-1")
    lines = text.split("\r\n")
    first = lines[0]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            break
        if line[:1] in (" ", "\t") and headers:
            k, v = headers[-1]
            headers[-1] = (k, v + " " + line.strip())
            continue
        k, sep, v = line.partition(":")
        if sep:
            headers.append((k.strip(), v.strip()))
    return first.split(" ", 2), headers


@dataclass
class ArchivedRequest:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    record_id: str | None
    url: str | None = None


@dataclass
class ArchivedExchange:
    """One archived response or revisit with what belongs to it."""

    url: str
    method: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    payload: bytes  # as stored: content-encoding kept (empty for revisits)
    record_type: str  # response | revisit
    record_id: str
    payload_digest: str | None
    fetched_at: str
    warc_filename: str
    warc_offset: int
    warc_length: int
    ip_address: str | None = None
    request: ArchivedRequest | None = None
    context: dict | None = None  # the crawl-context metadata record
    refers_to: dict | None = None  # revisits: uri, date, record_id, profile
    http_version: str = "HTTP/1.1"

    def header(self, name: str, default=None):
        return _get_header(self.headers, name, default)

    @property
    def content_type(self) -> str | None:
        return self.header("Content-Type")

    @property
    def capture(self) -> Capture:
        return Capture(
            warc_filename=self.warc_filename,
            warc_offset=self.warc_offset,
            warc_length=self.warc_length,
            record_id=self.record_id,
            payload_digest=self.payload_digest or "",
            fetched_at=self.fetched_at,
            url=self.url,
            record_type=self.record_type,
        )

    def decoded_body(self, max_size: int = 0) -> bytes:
        """The payload with Content-Encoding removed, exactly as Scrapy's HttpCompression
        middleware hands it to the spider (see `decode_content`)."""
        return decode_content(self.payload, self.header("Content-Encoding"), max_size)

def _exchange_from(rec: WarcRecord) -> ArchivedExchange:
    head, body = rec.split_http()
    (parts, headers) = _parse_http_head(head)
    version = parts[0] if parts else "HTTP/1.1"
    try:
        status = int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        status = 0
    reason = parts[2] if len(parts) > 2 else ""
    refers = None
    if rec.rec_type == "revisit":
        profile = rec.header("WARC-Profile") or ""
        refers = {
            "uri": rec.header("WARC-Refers-To-Target-URI"),
            "date": rec.header("WARC-Refers-To-Date"),
            "record_id": rec.header("WARC-Refers-To"),
            "profile": profile.rsplit("/", 1)[-1] or None,
        }
    return ArchivedExchange(
        url=rec.target_uri or "",
        method="GET",
        status=status,
        reason=reason,
        headers=headers,
        payload=body,
        record_type=rec.rec_type,
        record_id=rec.record_id or "",
        payload_digest=rec.header("WARC-Payload-Digest"),
        fetched_at=rec.date or "",
        warc_filename=rec.filename,
        warc_offset=rec.offset,
        warc_length=rec.length,
        ip_address=rec.header("WARC-IP-Address"),
        refers_to=refers,
        http_version=version,
    )


def _request_from(rec: WarcRecord) -> ArchivedRequest:
    head, body = rec.split_http()
    parts, headers = _parse_http_head(head)
    return ArchivedRequest(
        method=parts[0] if parts else "GET",
        target=parts[1] if len(parts) > 1 else "/",
        headers=headers,
        body=body,
        record_id=rec.record_id,
        url=rec.target_uri,
    )


def iter_exchanges(paths_or_dir, on_error: ErrorCallback | None = None, include_open: bool = False) -> Iterator[ArchivedExchange]:
    """Yield every archived response and revisit, with its request record and crawl context.

    Streaming: one record group in memory at a time. A response is held back only until the
    next response/revisit (or the end of the file) so that the request and metadata records
    written after it can be attached. Requests written *before* their response (other tools'
    order) are matched too, from a small bounded buffer.
    """
    for path in warc_files(paths_or_dir, include_open=include_open):
        yield from exchanges_in_file(path, on_error)


def read_response(path: str, offset: int, length: int) -> ArchivedExchange | None:
    """The response/revisit record stored at `offset` (`length` bytes, one gzip member, as the
    index's captures give them), read without scanning on: a refresh reads one for every
    page that answered 304. None when those bytes are not such a record."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            raw = f.read(length)
        d = zlib.decompressobj(31)
        data = d.decompress(raw)
        if not d.eof:
            return None
        records = parse_records(data, os.path.basename(path), offset, length)
    except (OSError, zlib.error, RecordError):
        return None
    for rec in records:
        if rec.complete and rec.rec_type in ("response", "revisit"):
            return _exchange_from(rec)
    return None


def exchanges_in_file(path: str, on_error: ErrorCallback | None = None, start: int = 0, end: int | None = None,
                      on_summary: Callable[[str, dict], None] | None = None) -> Iterator[ArchivedExchange]:
    """The exchanges of one file whose response/revisit record starts in [start, end).

    Reading continues past `end` only to pick up the request/metadata records that follow the
    last response; request/metadata records at `start` that belong to a response before it
    are left to whoever reads that range. This is how reindex splits one big WARC between
    processes without losing or duplicating an exchange.

    `on_summary(target_uri, data)` receives the stand-alone JSON metadata records (a crawl's
    closing summary, `WarcWriter.write_run_summary`; a date a list gave a report after its
    capture, `WarcWriter.write_list_date`) that start in [start, end).
    """
    report = on_error or _default_on_error
    pending: ArchivedExchange | None = None
    early_requests: dict[str, ArchivedRequest] = {}
    early_meta: dict[str, dict] = {}
    for rec in iter_records(path, on_error, start=start):
        t = rec.rec_type
        if t in ("response", "revisit", "warcinfo", "resource") or (end is not None and rec.offset >= end and pending is None):
            if pending is not None:
                yield pending
                pending = None
            if end is not None and rec.offset >= end:
                return
            if t not in ("response", "revisit"):
                continue
            try:
                pending = _exchange_from(rec)
            except Exception as e:  # pragma: no cover - defensive: malformed HTTP head
                report(path, rec.offset, f"bad HTTP response head: {e}")
                continue
            rid = pending.record_id
            if rid in early_requests:
                pending.request = early_requests.pop(rid)
                pending.method = pending.request.method
            if rid in early_meta:
                pending.context = early_meta.pop(rid)
        elif t == "request":
            req = _request_from(rec)
            targets = rec.concurrent_to()
            if pending is not None and pending.request is None and (pending.record_id in targets or not targets):
                pending.request = req
                pending.method = req.method
            else:
                for tid in targets:
                    early_requests[tid] = req
                if len(early_requests) > 256:
                    early_requests.pop(next(iter(early_requests)))
        elif t == "metadata":
            ctype = (rec.header("Content-Type") or "").lower()
            if "json" not in ctype:
                continue
            try:
                meta = json.loads(rec.block.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                report(path, rec.offset, f"metadata record is not JSON: {e}")
                continue
            targets = rec.concurrent_to()
            if not targets:
                if on_summary is not None and rec.offset >= start and (end is None or rec.offset < end):
                    on_summary(rec.target_uri or "", meta)
                continue
            if pending is not None and pending.record_id in targets:
                pending.context = meta
            else:
                for tid in targets:
                    early_meta[tid] = meta
                if len(early_meta) > 256:
                    early_meta.pop(next(iter(early_meta)))
    if pending is not None:
        yield pending
