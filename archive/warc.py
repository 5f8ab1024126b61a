"""WARC/1.1 writing and reading (warcio). STUB: interface only, being implemented."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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


@dataclass
class Capture:
    """Where one archived response lives."""

    warc_filename: str
    warc_offset: int
    warc_length: int
    record_id: str
    payload_digest: str
    fetched_at: str  # ISO 8601 UTC, e.g. 2026-11-22T01:02:03Z
