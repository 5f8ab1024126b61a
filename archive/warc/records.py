"""WARC/1.1 record building: the shapes written (HttpExchange, Capture), digests, WARC dates,
HTTP head blocks, one record as bytes, one gzip member.

Record layout of one exchange (the warcio/pywb convention: response first)::

    response  WARC-Concurrent-To -> request         <- the Capture points here
    request   WARC-Concurrent-To -> response
    metadata  WARC-Concurrent-To -> response        (application/json crawl context)

HTTP header blocks are serialised here rather than with warcio's `StatusAndHeaders`, because
warcio percent-encodes non-ASCII header values (e.g. a GBK `Content-Disposition` filename)
and we want the bytes as received: header strings are encoded as latin-1 (the way HTTP
libraries decode raw header bytes), falling back to UTF-8 only for characters latin-1 cannot
hold.
"""
from __future__ import annotations

import base64
import errno
import hashlib
import http
import logging
import os
import re
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable
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
RUN_URI_PREFIX = "urn:nianbao:run:"  # WARC-Target-URI of a crawl's closing summary (portal statuses)
# WARC-Target-URI of a date a list gave a report after its capture (`WarcWriter.write_list_date`)
LISTDATE_URI_PREFIX = "urn:nianbao:listdate:"
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


def warc_date(dt: datetime | None = None) -> str:
    """WARC-Date (and Capture.fetched_at): UTC, seconds precision, `Z` suffix; now when `dt` is
    None. The one timestamp format of the archive: the index's times (fetched_at, first_seen,
    crawl_runs) use it too, so seconds keep the 14-digit CDX timestamp and the index's
    fetched_at identical strings."""
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
