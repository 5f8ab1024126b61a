"""Incremental re-crawls: ask conditionally, archive unchanged content as `revisit` records.

A refresh crawl on an existing ARCHIVE_DIR knows, from `reports.db`'s `captures`, the last full
response of every URL. It re-requests each with `If-None-Match`/`If-Modified-Since`; a 304, or a
200 whose payload digest equals the last capture's, is archived as a WARC `revisit` (profile
server-not-modified or identical-payload-digest) instead of a second copy. The spider still needs
the page (a list's links, a report's attachments), so the archived response is read back from
the WARC and handed on, flagged unchanged so the pipeline skips re-extraction.

Not every page is asked again on every run (`RecheckPlan`, NIANBAO_RECHECK_DAYS): the list
pages that linked reports are walked every run, so new reports are found the day they appear;
report pages still listed, and navigation pages that lead to no list, are re-checked once
their last answer is older than the interval. A known report no longer listed anywhere is
always asked again, so one that is gone is marked removed the same day.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from archive.warc import ArchivedExchange, exchanges_in_file, read_response, sha1_digest


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
    warc_length: int | None = None
    # the original's crawl context, which a revisit (written without a context record) has
    portal: str | None = None
    kind: str | None = None


def priors_from_rows(rows: dict) -> dict:
    """Prior captures keyed as `rows` is (URL, from `index.latest_responses()`, or (URL,
    payload digest), from `index.post_responses()`)."""
    out = {}
    for key, r in rows.items():
        if r.get("record_id") and r.get("warc_filename") and r.get("warc_offset") is not None:
            out[key] = Prior(r["url"], r["record_id"], r.get("payload_digest") or "", r.get("fetched_at") or "",
                             r["warc_filename"], int(r["warc_offset"]), r.get("etag") or None,
                             r.get("last_modified") or None, r.get("warc_length") or None,
                             r.get("portal") or None, r.get("kind") or None)
    return out


def conditional_headers(prior: Prior) -> dict[str, str]:
    """Validators to send with a re-request (RFC 9110 §13.1)."""
    headers = {}
    if prior.etag:
        headers["If-None-Match"] = prior.etag
    if prior.last_modified:
        headers["If-Modified-Since"] = prior.last_modified
    return headers


def revisit_profile(status: int, payload: bytes, prior: Prior | None, digest: str | None = None) -> str | None:
    """Which revisit profile a re-fetched response deserves, or None to archive it in full.
    `digest`: sha1_digest(payload), if already computed."""
    if prior is None:
        return None
    if status == 304:
        return "server-not-modified"
    if status == 200 and prior.payload_digest and (digest or sha1_digest(payload)) == prior.payload_digest:
        return "identical-payload-digest"
    return None


def read_prior(warc_dir: str | os.PathLike, prior: Prior) -> ArchivedExchange | None:
    """The archived response a revisit refers to (None if its WARC file is gone)."""
    path = os.path.join(os.fspath(warc_dir), prior.warc_filename)
    if not os.path.exists(path):
        return None
    if prior.warc_length:
        exchange = read_response(path, prior.warc_offset, prior.warc_length)
        if exchange is not None and exchange.record_id == prior.record_id:
            return exchange
    for exchange in exchanges_in_file(path, start=prior.warc_offset, end=prior.warc_offset + 1):
        if exchange.record_id == prior.record_id or exchange.url == prior.url:
            return exchange
        return None
    return None


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 UTC time as stored in the index (`2026-11-22T03:48:34Z`), or None."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def is_due(last_checked: str | None, now: datetime, days: float) -> bool:
    """Whether a page last answered at `last_checked` should be asked again now."""
    if days <= 0:
        return True
    when = parse_time(last_checked)
    return when is None or now - when >= timedelta(days=days)


@dataclass
class RecheckPlan:
    """Which known pages a refresh run may leave alone (see the module docstring).

    `fresh`: URLs whose last definite answer is younger than the interval (decided once, from
    archive.index.last_checked, not per link); `hubs`: portal → list pages that linked its
    live reports (reports.listed_on).
    """

    days: float
    fresh: frozenset[str] = frozenset()
    hubs: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self):
        self._hub_urls = set().union(*self.hubs.values()) if self.hubs else set()

    @classmethod
    def build(cls, days: float, checked: dict[str, str], reports: list[dict],
              now: datetime | None = None) -> "RecheckPlan":
        now = now or datetime.now(timezone.utc)
        fresh = frozenset(url for url, when in checked.items() if not is_due(when, now, days))
        hubs: dict[str, set[str]] = {}
        for row in reports:
            if row.get("listed_on") and row.get("portal"):
                hubs.setdefault(row["portal"], set()).add(row["listed_on"])
        return cls(days, fresh, hubs)

    @property
    def active(self) -> bool:
        return self.days > 0

    def due(self, url: str) -> bool:
        """Ask `url` again: never answered, or its last answer is older than the interval."""
        return url not in self.fresh

    def is_hub(self, url: str) -> bool:
        return url in self._hub_urls

    def skip_navigation(self, url: str) -> bool:
        """A column page answered recently that led to no report list: not needed this run."""
        return not self.due(url) and not self.is_hub(url)
