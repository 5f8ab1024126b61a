"""WARC/1.1 writing, reading back and crash recovery.

Writing (`WarcWriter`) happens on the crawler's reactor thread, so each record is built in
memory, compressed as its own gzip member and appended with a single unbuffered `os.write`
loop: nothing is re-read, nothing lingers in a user-space buffer (a SIGKILL therefore loses
at most the exchange being written), and a failed write can be cut back exactly to the last
whole record.

Record layout of one exchange (the warcio/pywb convention: response first)::

    response  WARC-Concurrent-To -> request         <- the Capture points here
    request   WARC-Concurrent-To -> response
    metadata  WARC-Concurrent-To -> response        (application/json crawl context)

HTTP header blocks are serialised here rather than with warcio's `StatusAndHeaders`, because
warcio percent-encodes non-ASCII header values (e.g. a GBK `Content-Disposition` filename)
and we want the bytes as received: header strings are encoded as latin-1 (the way HTTP
libraries decode raw header bytes), falling back to UTF-8 only for characters latin-1 cannot
hold.

Replay note: the metadata record carries the page's URL as WARC-Target-URI (design contract),
and pywb's own indexer (`wb-manager add` of raw WARCs, `wb-manager reindex`) indexes it under
that URL, so pywb 2.10 then serves the JSON instead of the page. Index with
`python -m archive cdxj` or package with `python -m archive pack` (both leave metadata records
out), as tests/test_replay.py does.

Reading (`iter_records`, `iter_exchanges`) walks the file one gzip member at a time; a corrupt
member is reported and skipped by re-synchronising on the next gzip magic, so one flipped byte
costs one record, not the rest of the file. Non-gzip (plain `.warc`) files are read with
warcio's `ArchiveIterator`.
"""
from __future__ import annotations

import base64
import errno
import fcntl
import glob
import hashlib
import http
import io
import json
import logging
import os
import re
import socket
import threading
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
OPEN_SUFFIX = ".open"
GZIP_MAGIC = b"\x1f\x8b\x08"
PROFILE_SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
PROFILE_IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
_PROFILES = {
    "server-not-modified": PROFILE_SERVER_NOT_MODIFIED,
    "identical-payload-digest": PROFILE_IDENTICAL_PAYLOAD,
}
# Where the transfer coding removed by the HTTP client is remembered. Same prefix pywb uses
# for headers it must not replay as-is.
ORIG_PREFIX = "X-Archive-Orig-"
CONTEXT_URI_PREFIX = "urn:nianbao:context:"  # WARC-Target-URI of crawl-context metadata records
# Errors that mean "no more room": a full disk, a quota, or RLIMIT_FSIZE (Python ignores
# SIGXFSZ, so the write fails with EFBIG instead of killing the process).
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_CHUNK = 1 << 20


@dataclass
class HttpExchange:
    """One HTTP request/response pair exactly as it went over the wire."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    payload: bytes  # entity body as received: Content-Encoding kept, transfer-encoding removed
    ip_address: str | None = None
    fetched_at: datetime | None = None  # UTC; now() when None
    http_version: str = "HTTP/1.1"
    payload_digest: str | None = None  # sha1_digest(payload), if the caller has it already


@dataclass
class Capture:
    """Where one archived response lives."""

    warc_filename: str
    warc_offset: int
    warc_length: int
    record_id: str
    payload_digest: str
    fetched_at: str  # ISO 8601 UTC, e.g. 2026-11-22T01:02:03Z
    # Added: the WARC-Target-URI, so a Capture is all write_revisit() needs to refer to it.
    url: str | None = None
    record_type: str = "response"  # response | revisit


class ArchiveError(Exception):
    """Something is wrong with the archive files (bad input, unwritable directory...)."""


class ArchiveFullError(ArchiveError):
    """The disk (or quota / file-size limit) is full. Every file already written is closed,
    cut back to its last whole record and valid; the crawl must stop."""


# --------------------------------------------------------------------------- helpers


def sha1_digest(data: bytes) -> str:
    """`sha1:<base32>`, the form WARC tools (warcio, pywb, Heritrix) write and compare."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def check_digest(label: str, data: bytes) -> bool | None:
    """True/False whether `label` ("algo:value", base32 or hex) matches `data`; None when the
    algorithm is unknown (cannot be checked)."""
    algo, _, value = label.partition(":")
    algo = algo.strip().lower().replace("-", "")
    value = value.strip()
    try:
        h = hashlib.new(algo, data).digest()
    except (ValueError, TypeError):
        return None
    candidates = {
        base64.b32encode(h).decode("ascii").rstrip("="),
        h.hex(),
    }
    try:
        candidates.add(base64.b64encode(h).decode("ascii").rstrip("="))
    except Exception:  # pragma: no cover
        pass
    v = value.rstrip("=")
    return v in candidates or v.upper() in candidates or v.lower() in candidates


def warc_date(dt: datetime | None) -> str:
    """WARC-Date (and Capture.fetched_at): UTC, seconds precision, `Z` suffix. Seconds keep
    the 14-digit CDX timestamp and the index's fetched_at identical strings."""
    if dt is None:
        dt = datetime.now(timezone.utc)
    elif dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(s: str) -> str:
    # A CR/LF inside a header would end the header block early and corrupt the record.
    return str(s).replace("\r", " ").replace("\n", " ")


def _enc(s: str) -> bytes:
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:
        return s.encode("utf-8")


def _header_lines(headers: Iterable[tuple[str, str]]) -> bytes:
    return b"".join(_enc(_clean(k)) + b": " + _enc(_clean(v)) + b"\r\n" for k, v in headers)


def _has_header(headers, name: str) -> bool:
    name = name.lower()
    return any(k.lower() == name for k, _ in headers)


def _get_header(headers, name: str, default=None):
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return default


def archived_response_headers(headers: list[tuple[str, str]], payload_len: int) -> list[tuple[str, str]]:
    """Response headers as they go into the WARC.

    The payload we store has its transfer coding already removed by the HTTP client, so a
    `Transfer-Encoding` header would make readers (warcio, pywb) try to de-chunk it again.
    It is renamed `X-Archive-Orig-Transfer-Encoding`. A `Content-Length` that disagrees with
    the de-chunked payload (only possible next to a transfer coding, where it was meaningless
    on the wire) is renamed likewise. No `Content-Length` is invented: when the server sent
    none, the record says exactly what it said, and the WARC record length frames the body.
    """
    if not any(k.lower() == "transfer-encoding" for k, _ in headers):
        return list(headers)
    out = []
    for k, v in headers:
        lk = k.lower()
        if lk == "transfer-encoding":
            out.append((ORIG_PREFIX + k, v))
        elif lk == "content-length" and v.strip() != str(payload_len):
            out.append((ORIG_PREFIX + k, v))
        else:
            out.append((k, v))
    return out


def _status_line(version: str, status: int, reason: str) -> bytes:
    reason = _clean(reason or "").strip()
    if not reason:
        # Scrapy does not keep the reason phrase; the standard one is what almost every
        # server sends, and readers (pywb) expect a phrase after the code.
        try:
            reason = http.HTTPStatus(int(status)).phrase
        except ValueError:
            reason = ""
    line = f"{version or 'HTTP/1.1'} {int(status)}"
    if reason:
        line += " " + reason
    return _enc(line) + b"\r\n"


def http_response_head(ex: HttpExchange) -> bytes:
    """Status line + header block (ending with the blank line) of the response record."""
    headers = archived_response_headers(ex.response_headers, len(ex.payload or b""))
    return _status_line(ex.http_version, ex.status, ex.reason) + _header_lines(headers) + b"\r\n"


def http_request_head(ex: HttpExchange) -> bytes:
    """Request line with path AND query (origin form, as sent to an origin server even when
    the crawl went through a proxy) + headers. `Host` is added when the caller's header list
    lacks it, because the HTTP client always sends it."""
    parts = urlsplit(ex.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers = list(ex.request_headers)
    if not _has_header(headers, "host") and parts.netloc:
        headers.insert(0, ("Host", parts.netloc.rpartition("@")[2]))
    line = _enc(f"{_clean(ex.method or 'GET').upper()} {_clean(target)} {ex.http_version or 'HTTP/1.1'}") + b"\r\n"
    return line + _header_lines(headers) + b"\r\n"


def _new_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _record(warc_headers: list[tuple[str, str]], block: bytes, content_type: str) -> bytes:
    """Serialise one record (uncompressed): WARC headers incl. Block-Digest and length."""
    hdrs = list(warc_headers)
    hdrs.append(("Content-Type", content_type))
    hdrs.append(("WARC-Block-Digest", sha1_digest(block)))
    hdrs.append(("Content-Length", str(len(block))))
    head = WARC_VERSION.encode() + b"\r\n" + b"".join(
        _clean(k).encode("utf-8") + b": " + _clean(v).encode("utf-8") + b"\r\n" for k, v in hdrs
    )
    return head + b"\r\n" + block + b"\r\n\r\n"


def _gzip_member(data: bytes, level: int) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def _safe_name_part(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "_", s).strip("_") or "host"


def _nianbao_version() -> str:
    try:
        from importlib.metadata import version

        return version("nianbao")
    except Exception:
        return "0.1.0"


def _warcio_version() -> str:
    try:
        from importlib.metadata import version

        return version("warcio")
    except Exception:  # pragma: no cover
        return "unknown"


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- writer


class WarcWriter:
    """Appends exchanges to rotating, gzip-per-record WARC/1.1 files.

    Files are named `<prefix>-<YYYYmmddHHMMSSfff>-<serial:05d>-<host>[-<worker_id>].warc.gz`
    and exist as `<name>.open` (exclusively flock'ed, so `recover()` can tell a live file
    from a crashed one) until `close()` or rotation fsyncs and renames them.
    A file is opened lazily on the first write, so a crawl that archives nothing leaves
    nothing behind.

    `max_size` is respected before writing: an exchange that would push a non-empty file past
    it goes into the next file (a single exchange larger than `max_size` gets a file of its
    own). `info` goes into every file's warcinfo record (operator, description, robots,
    isPartOf, http-header-user-agent, anything else as extra fields).
    """

    def __init__(
        self,
        directory: str,
        prefix: str = "nianbao",
        max_size: int = 1_000_000_000,
        info: dict | None = None,
        worker_id: str | None = None,
        compresslevel: int = 6,
    ):
        self.directory = os.path.abspath(str(directory))
        try:
            os.makedirs(self.directory, exist_ok=True)
        except OSError as e:
            raise ArchiveError(f"cannot create WARC directory {self.directory}: {e.strerror}") from e
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise ArchiveError(f"WARC directory {self.directory} is not writable")
        self.prefix = prefix
        self.max_size = int(max_size)
        self.info = dict(info or {})
        self.worker_id = worker_id
        self.compresslevel = compresslevel
        self.host = _safe_name_part(socket.gethostname())
        self.files: list[str] = []  # final names of files closed so far
        self._serial = 0
        self._fd: int | None = None
        self._name: str | None = None  # final name of the open file
        self._size = 0
        self._records_in_file = 0
        self._lock = threading.Lock()  # the reactor thread is the only writer; this is cheap insurance
        self._closed = False

    # -- file management

    @property
    def current_path(self) -> str | None:
        """Path of the `.open` file being written, if any."""
        return os.path.join(self.directory, self._name + OPEN_SUFFIX) if self._name else None

    def _next_name(self) -> str:
        while True:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")[:17]
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.host}"
            if self.worker_id:
                name += f"-{_safe_name_part(str(self.worker_id))}"
            name += ".warc.gz"
            self._serial += 1
            p = os.path.join(self.directory, name)
            if not os.path.exists(p) and not os.path.exists(p + OPEN_SUFFIX):
                return name

    def warcinfo_fields(self) -> list[tuple[str, str]]:
        fields = [
            ("software", f"nianbao/{_nianbao_version()} warcio/{_warcio_version()}"),
            ("format", "WARC File Format 1.1"),
            ("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
            ("hostname", socket.gethostname()),
            ("robots", str(self.info.get("robots", "obey"))),
        ]
        for key in ("operator", "description", "isPartOf", "http-header-user-agent"):
            if self.info.get(key):
                fields.append((key, str(self.info[key])))
        for key, value in self.info.items():
            if key not in {"robots", "operator", "description", "isPartOf", "http-header-user-agent"} and value not in (None, ""):
                fields.append((str(key), str(value)))
        return fields

    def _open(self) -> None:
        name = self._next_name()
        path = os.path.join(self.directory, name + OPEN_SUFFIX)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as e:
            if e.errno in _FULL_ERRNOS:
                raise ArchiveFullError(f"archive disk full: cannot create {path}: {e.strerror}") from e
            raise ArchiveError(f"cannot create WARC file {path}: {e.strerror}") from e
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fd, self._name, self._size, self._records_in_file = fd, name, 0, 0
        block = b"".join(_enc(_clean(k)) + b": " + _clean(v).encode("utf-8") + b"\r\n" for k, v in self.warcinfo_fields())
        rec = _record(
            [
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", _new_id()),
                ("WARC-Date", warc_date(None)),
                ("WARC-Filename", name),
            ],
            block,
            "application/warc-fields",
        )
        try:
            self._append([_gzip_member(rec, self.compresslevel)])
        except ArchiveError:
            # Not even the warcinfo fitted: leave no empty husk behind.
            if self._fd is not None:
                os.close(self._fd)
            self._fd, self._name = None, None
            try:
                os.unlink(path)
            except OSError:
                pass
            raise

    def _finish_file(self) -> str | None:
        """fsync, close and rename the open file to its final name; returns the final path."""
        if self._fd is None:
            return None
        fd, name = self._fd, self._name
        self._fd, self._name = None, None
        open_path = os.path.join(self.directory, name + OPEN_SUFFIX)
        final = os.path.join(self.directory, name)
        try:
            os.fsync(fd)  # data on disk before the name says "complete"
        finally:
            os.close(fd)
        os.rename(open_path, final)
        _fsync_dir(self.directory)
        self.files.append(final)
        return final

    def _append(self, members: list[bytes]) -> list[tuple[int, int]]:
        """Append gzip members to the open file; returns (offset, length) per member.

        On a full disk the partial write is cut off (ftruncate needs no free space), the file
        is closed under its final name and `ArchiveFullError` is raised.
        """
        data = b"".join(members)
        start = self._size
        view = memoryview(data)
        written = 0
        try:
            while written < len(data):
                written += os.write(self._fd, view[written:])
        except OSError as e:
            path = self.current_path
            try:
                os.ftruncate(self._fd, start)
            except OSError:  # pragma: no cover - nothing more we can do; recover() handles it
                pass
            if self._records_in_file == 0:
                raise ArchiveFullError(f"archive disk full writing {path}: {e.strerror}") if e.errno in _FULL_ERRNOS \
                    else ArchiveError(f"cannot write {path}: {e.strerror}")
            final = self._finish_file()
            if e.errno in _FULL_ERRNOS:
                raise ArchiveFullError(
                    f"archive disk full ({e.strerror}) while writing {os.path.basename(final)}; "
                    f"the file was cut back to its last whole record and closed; {len(self.files)} "
                    f"WARC file(s) written so far are valid"
                ) from e
            raise ArchiveError(f"cannot write {final}: {e.strerror}") from e
        out = []
        off = start
        for m in members:
            out.append((off, len(m)))
            off += len(m)
        self._size = off
        self._records_in_file += len(members)
        return out

    def _write_group(self, members: list[bytes]) -> list[tuple[int, int]]:
        if self._closed:
            raise ArchiveError("WarcWriter is closed")
        total = sum(len(m) for m in members)
        if self._fd is not None and self._records_in_file > 1 and self._size + total > self.max_size:
            self._finish_file()
        if self._fd is None:
            self._open()
        return self._append(members)

    # -- records

    def _metadata_record(self, url: str, date: str, concurrent_to: str, metadata: dict) -> bytes:
        body = json.dumps(metadata, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
        return _record(
            [
                ("WARC-Type", "metadata"),
                ("WARC-Record-ID", _new_id()),
                ("WARC-Date", date),
                # Not the page's own URL: replay tools that index every record (pywb's own
                # indexer) would otherwise serve this JSON for the page. The response it
                # describes is the WARC-Concurrent-To record.
                ("WARC-Target-URI", CONTEXT_URI_PREFIX + url),
                ("WARC-Concurrent-To", concurrent_to),
            ],
            body,
            "application/json",
        )

    def _request_record(self, ex: HttpExchange, date: str, req_id: str, resp_id: str) -> bytes:
        head = http_request_head(ex)
        body = ex.request_body or b""
        hdrs = [
            ("WARC-Type", "request"),
            ("WARC-Record-ID", req_id),
            ("WARC-Date", date),
            ("WARC-Target-URI", ex.url),
            ("WARC-Concurrent-To", resp_id),
        ]
        if body:
            hdrs.append(("WARC-Payload-Digest", sha1_digest(body)))
        return _record(hdrs, head + body, "application/http;msgtype=request")

    def write_exchange(self, exchange: HttpExchange, metadata: dict | None = None) -> Capture:
        """Archive one exchange as response + request (+ metadata) records; returns where the
        response record now lives. The three records always land in the same file."""
        ex = exchange
        date = warc_date(ex.fetched_at)
        resp_id, req_id = _new_id(), _new_id()
        payload = ex.payload or b""
        payload_digest = ex.payload_digest or sha1_digest(payload)
        hdrs = [
            ("WARC-Type", "response"),
            ("WARC-Record-ID", resp_id),
            ("WARC-Date", date),
            ("WARC-Target-URI", ex.url),
        ]
        if ex.ip_address:
            hdrs.append(("WARC-IP-Address", ex.ip_address))
        hdrs += [("WARC-Concurrent-To", req_id), ("WARC-Payload-Digest", payload_digest)]
        records = [
            _record(hdrs, http_response_head(ex) + payload, "application/http;msgtype=response"),
            self._request_record(ex, date, req_id, resp_id),
        ]
        if metadata is not None:
            records.append(self._metadata_record(ex.url, date, resp_id, metadata))
        return self._emit(records, ex.url, resp_id, payload_digest, date, "response")

    def write_revisit(
        self,
        exchange: HttpExchange,
        refers_to,
        profile: str = "server-not-modified",
        metadata: dict | None = None,
        with_request: bool = True,
    ) -> Capture:
        """Archive a re-fetch whose content is already archived (issue 6) as a `revisit`
        record holding only the HTTP headers, plus its request (and metadata) record.
        `with_request=False` leaves the request record out (a cheaper refresh archive).

        `refers_to`: a `Capture` of the original response (or any object/dict with `url`/`uri`,
        `fetched_at`/`date`, `record_id`, `payload_digest`). `profile`: "server-not-modified"
        (a 304) or "identical-payload-digest" (a 200 whose payload digest equals the original's;
        checked here). The returned Capture points at the revisit record and carries the
        original's payload digest, which is what the revisit stands for.
        """
        if profile not in _PROFILES:
            raise ValueError(f"unknown revisit profile {profile!r}; use one of {sorted(_PROFILES)}")

        def attr(*names, default=None):
            for n in names:
                v = refers_to.get(n) if isinstance(refers_to, dict) else getattr(refers_to, n, None)
                if v:
                    return v
            return default

        ref_uri = attr("url", "uri", "target_uri", default=exchange.url)
        ref_date = attr("fetched_at", "date")
        ref_id = attr("record_id", "id")
        ref_digest = attr("payload_digest", "digest")
        if isinstance(ref_date, datetime):
            ref_date = warc_date(ref_date)
        ex = exchange
        if profile == "identical-payload-digest":
            if not ref_digest:
                raise ValueError("identical-payload-digest revisit needs the original payload digest")
            if ex.payload and check_digest(ref_digest, ex.payload) is False:
                raise ValueError(f"payload of {ex.url} does not match {ref_digest}; archive it in full")
        date = warc_date(ex.fetched_at)
        rev_id, req_id = _new_id(), _new_id()
        hdrs = [
            ("WARC-Type", "revisit"),
            ("WARC-Record-ID", rev_id),
            ("WARC-Date", date),
            ("WARC-Target-URI", ex.url),
            ("WARC-Profile", _PROFILES[profile]),
        ]
        if ref_id:
            hdrs.append(("WARC-Refers-To", ref_id))
        hdrs.append(("WARC-Refers-To-Target-URI", ref_uri))
        if ref_date:
            hdrs.append(("WARC-Refers-To-Date", ref_date))
        if ex.ip_address:
            hdrs.append(("WARC-IP-Address", ex.ip_address))
        if with_request:
            hdrs.append(("WARC-Concurrent-To", req_id))
        if ref_digest:
            # Per WARC 1.1 the revisit's payload digest names the payload it stands for; pywb
            # uses it to find the original.
            hdrs.append(("WARC-Payload-Digest", ref_digest))
        # Block = HTTP headers only. They describe the re-fetch (a 304 has no body anyway);
        # the transfer coding is renamed the same way as in response records.
        head = _status_line(ex.http_version, ex.status, ex.reason) + _header_lines(
            archived_response_headers(ex.response_headers, len(ex.payload or b""))
        ) + b"\r\n"
        records = [_record(hdrs, head, "application/http;msgtype=response")]
        if with_request:
            records.append(self._request_record(ex, date, req_id, rev_id))
        if metadata is not None:
            records.append(self._metadata_record(ex.url, date, rev_id, metadata))
        return self._emit(records, ex.url, rev_id, ref_digest or "", date, "revisit")

    def write_metadata(self, url: str, metadata: dict, concurrent_to: str | None = None) -> Capture:
        """A stand-alone metadata record (e.g. a crawl-log note about a URL)."""
        date = warc_date(None)
        rec_id = _new_id()
        body = json.dumps(metadata, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
        hdrs = [("WARC-Type", "metadata"), ("WARC-Record-ID", rec_id), ("WARC-Date", date), ("WARC-Target-URI", url)]
        if concurrent_to:
            hdrs.append(("WARC-Concurrent-To", concurrent_to))
        return self._emit([_record(hdrs, body, "application/json")], url, rec_id, sha1_digest(body), date, "metadata")

    def _emit(self, records: list[bytes], url, rec_id, digest, date, rtype) -> Capture:
        # Big payloads (PDFs, already compressed) get the fastest level: this runs on the
        # reactor thread, and level 6 gains almost nothing on them.
        members = [_gzip_member(r, self.compresslevel if len(r) < _CHUNK else 1) for r in records]
        with self._lock:
            spans = self._write_group(members)
            name = self._name
        off, length = spans[0]
        return Capture(
            warc_filename=name,
            warc_offset=off,
            warc_length=length,
            record_id=rec_id,
            payload_digest=digest,
            fetched_at=date,
            url=url,
            record_type=rtype,
        )

    def flush(self) -> None:
        """fsync the open file (writes are unbuffered already; this is for power loss)."""
        with self._lock:
            if self._fd is not None:
                os.fsync(self._fd)

    def rotate(self) -> str | None:
        """Close the current file now (the next write opens a new one)."""
        with self._lock:
            return self._finish_file()

    def close(self) -> list[str]:
        """Close (fsync + rename) the open file; returns every file this writer completed."""
        with self._lock:
            if not self._closed:
                self._finish_file()
                self._closed = True
        return list(self.files)

    def __enter__(self) -> "WarcWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------- low-level reading


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


class ContentDecodingError(ValueError):
    """The payload cannot be decoded at all (the crawl's download failed the same way)."""


class ContentTooLarge(ContentDecodingError):
    """Decoding would exceed `max_size` (Scrapy: IgnoreRequest, DOWNLOAD_MAXSIZE)."""


_DECODE_CHUNK = 65536
_SUPPORTED_CODINGS = ("gzip", "x-gzip", "deflate", "br", "zstd")


def _grow(size: int, chunk: bytes, max_size: int) -> int:
    size += len(chunk)
    if max_size and size > max_size:
        raise ContentTooLarge(f"decoded body exceeds {max_size} bytes")
    return size


def decode_content(payload: bytes, content_encoding: str | None, max_size: int = 0) -> bytes:
    """Undo Content-Encoding the way scrapy.downloadermiddlewares.httpcompression does, so the
    bytes re-indexing extracts from are the bytes the crawl extracted from:

    * codings are undone last-applied first, stopping at the first unsupported one (whose
      bytes are then returned as they are);
    * gzip keeps what decompressed before a CRC error or truncation (GzipFile.read1, as
      scrapy.utils.gz.gunzip); with nothing decompressed it fails;
    * deflate falls back to raw deflate (some IIS servers);
    * decompression stops with `ContentTooLarge` past `max_size` (0: no limit), so a gzip bomb
      costs `max_size` bytes of memory, not its decompressed size.
    """
    if not content_encoding or not payload:
        return payload
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    body = payload
    while codings:
        coding = codings.pop()
        if coding not in _SUPPORTED_CODINGS:  # "identity" included, as in Scrapy
            break
        try:
            if coding in ("gzip", "x-gzip"):
                body = _gunzip(body, max_size)
            elif coding == "deflate":
                body = _inflate(body, max_size)
            elif coding == "br":
                body = _unbrotli(body, max_size)
            else:
                body = _unzstd(body, max_size)
        except ContentDecodingError:
            raise
        except Exception as e:
            raise ContentDecodingError(f"cannot decode {coding} content: {e}") from e
    return body


def _gunzip(data: bytes, max_size: int) -> bytes:
    import gzip
    import struct

    f = gzip.GzipFile(fileobj=io.BytesIO(data))
    # a CRC error or truncation keeps what came before it, as Scrapy does; nothing at all fails
    return _drain(f.read1, max_size, (OSError, EOFError, struct.error), keep_partial=True)


def _drain(read, max_size: int, errors: tuple, keep_partial: bool) -> bytes:
    """Read a decompressing stream to its end in _DECODE_CHUNK pieces, stopping with
    ContentTooLarge past `max_size`. One of `errors` ends the stream; with `keep_partial` it is
    raised again when nothing came out before it."""
    out = io.BytesIO()
    size = 0
    while True:
        try:
            chunk = read(_DECODE_CHUNK)
        except errors:
            if keep_partial and not out.getbuffer().nbytes:
                raise
            break
        if not chunk:
            break
        size = _grow(size, chunk, max_size)
        out.write(chunk)
    return out.getvalue()


def _inflate(data: bytes, max_size: int) -> bytes:
    d = zlib.decompressobj()
    try:
        first = d.decompress(data, _DECODE_CHUNK)
    except zlib.error:
        d = zlib.decompressobj(-15)
        first = d.decompress(data, _DECODE_CHUNK)
    size = _grow(0, first, max_size)
    out = io.BytesIO()
    out.write(first)
    while d.unconsumed_tail and not d.eof:
        chunk = d.decompress(d.unconsumed_tail, _DECODE_CHUNK)
        size = _grow(size, chunk, max_size)
        out.write(chunk)
    return out.getvalue()


def _unbrotli(data: bytes, max_size: int) -> bytes:
    try:
        import brotli
    except ImportError:  # pragma: no cover
        import brotlicffi as brotli
    d = brotli.Decompressor()
    if not hasattr(d, "process"):
        # brotlipy (an old package also named `brotli`) shadows Google's brotli in some
        # environments: no streaming output limit there, so check the size afterwards.
        body = brotli.decompress(data)
        _grow(0, body, max_size)
        return body
    first = d.process(data, output_buffer_limit=_DECODE_CHUNK)
    size = _grow(0, first, max_size)
    out = io.BytesIO()
    out.write(first)
    while not d.is_finished():
        chunk = d.process(b"", output_buffer_limit=_DECODE_CHUNK)
        if not chunk:
            break
        size = _grow(size, chunk, max_size)
        out.write(chunk)
    return out.getvalue()


def _unzstd(data: bytes, max_size: int) -> bytes:
    try:
        from compression import zstd  # Python 3.14
    except ImportError:
        from backports import zstd
    reader = zstd.ZstdFile(io.BytesIO(data))
    return _drain(reader.read, max_size, (EOFError,), keep_partial=False)


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


def exchanges_in_file(path: str, on_error: ErrorCallback | None = None, start: int = 0, end: int | None = None) -> Iterator[ArchivedExchange]:
    """The exchanges of one file whose response/revisit record starts in [start, end).

    Reading continues past `end` only to pick up the request/metadata records that follow the
    last response; request/metadata records at `start` that belong to a response before it
    are left to whoever reads that range. This is how reindex splits one big WARC between
    processes without losing or duplicating an exchange.
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
            if pending is not None and pending.record_id in targets:
                pending.context = meta
            else:
                for tid in targets:
                    early_meta[tid] = meta
                if len(early_meta) > 256:
                    early_meta.pop(next(iter(early_meta)))
    if pending is not None:
        yield pending


# --------------------------------------------------------------------------- recovery


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
