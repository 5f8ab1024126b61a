"""WARC/1.1 writing (`WarcWriter`).

Writing happens on the crawler's reactor thread, so each record is built in memory,
compressed as its own gzip member and appended with a single unbuffered `os.write` loop:
nothing is re-read, nothing lingers in a user-space buffer (a SIGKILL therefore loses at most
the exchange being written), and a failed write can be cut back exactly to the last whole
record. Record layout and header encoding: archive/warc/records.py.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import threading
from datetime import datetime, timezone

from .records import (
    _CHUNK,
    _FULL_ERRNOS,
    _PROFILES,
    CONTEXT_URI_PREFIX,
    LISTDATE_URI_PREFIX,
    OPEN_SUFFIX,
    RUN_URI_PREFIX,
    ArchiveError,
    ArchiveFullError,
    Capture,
    HttpExchange,
    _clean,
    _enc,
    _fsync_dir,
    _gzip_member,
    _new_id,
    _nianbao_version,
    _record,
    _safe_name_part,
    _warcio_version,
    check_digest,
    http_request_head,
    http_response_head,
    sha1_digest,
    warc_date,
)

log = logging.getLogger(__name__)



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
                    else ArchiveError(f"cannot write {path}: {e.strerror}") from e
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

    def write_run_summary(self, run: str, summary: dict) -> None:
        """Archive what a crawl concluded that no HTTP exchange holds (each portal's status and
        reason, the finish reason) as one JSON `metadata` record, so that the index rebuilt
        from the WARCs alone (`archive reindex`) has the portals table too. `run` names the
        crawl (its start time); the record stands alone (no WARC-Concurrent-To)."""
        self._write_standalone(RUN_URI_PREFIX + run, summary)

    def write_list_date(self, record: dict) -> None:
        """Archive a date a list showed beside a report's link after the report was captured
        without one (too late for its crawl-context record): ``record`` holds ``url`` (the
        report's page URL, as its row names it), ``list_date``, ``list_url`` (the list page)
        and ``portal``. One stand-alone JSON `metadata` record, `WARC-Target-URI`
        `urn:nianbao:listdate:<url>`; `archive reindex` gives the date to the report's row
        as the crawl did (archive.reports.ingest.Ingest.list_date)."""
        self._write_standalone(LISTDATE_URI_PREFIX + record["url"], record)

    def _write_standalone(self, target_uri: str, data: dict) -> None:
        """One JSON `metadata` record about no particular exchange (no WARC-Concurrent-To)."""
        body = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
        record = _record(
            [("WARC-Type", "metadata"), ("WARC-Record-ID", _new_id()), ("WARC-Date", warc_date()),
             ("WARC-Target-URI", target_uri)],
            body, "application/json")
        members = [_gzip_member(record, self.compresslevel)]
        with self._lock:
            self._write_group(members)

    def write_revisit(
        self,
        exchange: HttpExchange,
        refers_to: Capture,
        profile: str = "server-not-modified",
        metadata: dict | None = None,
        with_request: bool = True,
    ) -> Capture:
        """Archive a re-fetch whose content is already archived (issue 6) as a `revisit`
        record holding only the HTTP headers, plus its request (and metadata) record.
        `with_request=False` leaves the request record out (a cheaper refresh archive).

        `refers_to`: the original response's `Capture`, or any object with the same `url`,
        `fetched_at`, `record_id` and `payload_digest` attributes (crawler.refresh.Prior). `profile`: "server-not-modified"
        (a 304) or "identical-payload-digest" (a 200 whose payload digest equals the original's;
        checked here). The returned Capture points at the revisit record and carries the
        original's payload digest, which is what the revisit stands for.
        """
        if profile not in _PROFILES:
            raise ValueError(f"unknown revisit profile {profile!r}; use one of {sorted(_PROFILES)}")
        ref_uri = refers_to.url or exchange.url
        ref_date = refers_to.fetched_at or None
        ref_id = refers_to.record_id or None
        ref_digest = refers_to.payload_digest or None
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
        records = [_record(hdrs, http_response_head(ex), "application/http;msgtype=response")]
        if with_request:
            records.append(self._request_record(ex, date, req_id, rev_id))
        if metadata is not None:
            records.append(self._metadata_record(ex.url, date, rev_id, metadata))
        return self._emit(records, ex.url, rev_id, ref_digest or "", date, "revisit")

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
