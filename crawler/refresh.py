"""Incremental re-crawls: ask conditionally, archive unchanged content as `revisit` records.

A refresh crawl on an existing ARCHIVE_DIR knows, from `reports.db`'s `captures`, the last full
response of every URL. It re-requests each with `If-None-Match`/`If-Modified-Since`; a 304, or a
200 whose payload digest equals the last capture's, is archived as a WARC `revisit` (profile
server-not-modified or identical-payload-digest) instead of a second copy. The spider still needs
the page (a list's links, a report's attachments), so the archived response is read back from
the WARC and handed on, flagged unchanged so the pipeline skips re-extraction.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from archive.warc import ArchivedExchange, exchanges_in_file, sha1_digest


@dataclass(frozen=True)
class Prior:
    """The last full capture of a URL."""

    url: str
    record_id: str
    payload_digest: str
    fetched_at: str
    warc_filename: str
    warc_offset: int
    etag: str | None = None
    last_modified: str | None = None


def priors_from_rows(rows: dict[str, dict]) -> dict[str, Prior]:
    """Prior captures keyed by URL, from `Index.latest_responses()`."""
    out = {}
    for url, r in rows.items():
        if r.get("record_id") and r.get("warc_filename") and r.get("warc_offset") is not None:
            out[url] = Prior(url, r["record_id"], r.get("payload_digest") or "", r.get("fetched_at") or "",
                             r["warc_filename"], int(r["warc_offset"]), r.get("etag") or None,
                             r.get("last_modified") or None)
    return out


def conditional_headers(prior: Prior) -> dict[str, str]:
    """Validators to send with a re-request (RFC 9110 §13.1)."""
    headers = {}
    if prior.etag:
        headers["If-None-Match"] = prior.etag
    if prior.last_modified:
        headers["If-Modified-Since"] = prior.last_modified
    return headers


def revisit_profile(status: int, payload: bytes, prior: Prior | None) -> str | None:
    """Which revisit profile a re-fetched response deserves, or None to archive it in full."""
    if prior is None:
        return None
    if status == 304:
        return "server-not-modified"
    if status == 200 and prior.payload_digest and sha1_digest(payload) == prior.payload_digest:
        return "identical-payload-digest"
    return None


def read_prior(warc_dir: str | os.PathLike, prior: Prior) -> ArchivedExchange | None:
    """The archived response a revisit refers to (None if its WARC file is gone)."""
    path = os.path.join(os.fspath(warc_dir), prior.warc_filename)
    if not os.path.exists(path):
        return None
    for exchange in exchanges_in_file(path, start=prior.warc_offset, end=prior.warc_offset + 1):
        if exchange.record_id == prior.record_id or exchange.url == prior.url:
            return exchange
        return None
    return None
