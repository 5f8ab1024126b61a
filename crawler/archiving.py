"""Downloader middleware that writes every HTTP exchange to WARC, exactly as received.

Its priority (950, see settings) puts it next to the downloader: `process_response` sees the
body before HttpCompressionMiddleware (590) decompresses it and before redirects and retries
act, so redirects, errors and robots.txt are archived too. All WARC logic is in archive/warc/.
"""
from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from archive.index import latest_responses, post_responses
from archive.warc import ArchiveFullError, HttpExchange, WarcWriter, recover, sha1_digest, warc_date
from crawler.refresh import Prior, conditional_headers, priors_from_rows, read_prior, revisit_profile
from crawler.signals import capture_stored, list_dated

logger = logging.getLogger(__name__)
_HIDDEN_REQUEST_HEADERS = {b"proxy-authorization"}  # credentials never go into the archive


def _headers(headers) -> list[tuple[str, str]]:
    out = []
    for key, values in headers.items():
        name = key.decode("latin-1")
        for value in values:
            out.append((name, value.decode("latin-1")))
    return out


def exchange_from(request, response) -> HttpExchange:
    """The raw exchange of a Scrapy request/response pair, before any decoding."""
    req_headers = [(k, v) for k, v in _headers(request.headers) if k.lower().encode() not in _HIDDEN_REQUEST_HEADERS]
    if not any(k.lower() == "host" for k, _ in req_headers):
        req_headers.insert(0, ("Host", urlsplit(request.url).netloc))
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    proxied = "proxy" in request.meta or "_auth_proxy" in request.meta
    ip = None if proxied or response.ip_address is None else str(response.ip_address)
    return HttpExchange(
        method=request.method, url=request.url, request_headers=req_headers,
        request_body=request.body or b"", status=response.status, reason=reason,
        response_headers=_headers(response.headers), payload=response.body,
        ip_address=ip, fetched_at=datetime.now(timezone.utc),
        http_version=response.protocol or "HTTP/1.1" if hasattr(response, "protocol") else "HTTP/1.1",
    )


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class WarcMiddleware:
    """Archive each response (and its request and crawl context) as WARC records."""

    def __init__(self, crawler, directory: Path, priors: dict[str, Prior] | None = None,
                 post_priors: dict[tuple[str, str], Prior] | None = None):
        self.crawler = crawler
        s = crawler.settings
        self.directory = directory
        self.priors = priors or {}
        self.post_priors = post_priors or {}
        self.revisit_requests = s.getbool("WARC_REVISIT_REQUESTS", False)
        recovered = recover(directory)
        for line in recovered:
            logger.warning("recovered WARC left by an interrupted crawl: %s", line)
        if recovered.damaged:
            # kept, not cut: readers skip the damaged members; the run goes on
            logger.error("WARC files with damaged records (kept in place; run `python -m archive verify`): %s",
                         ", ".join(recovered.damaged))
        self.writer = WarcWriter(
            directory, prefix=s.get("WARC_PREFIX", "nianbao"), max_size=s.getint("WARC_MAX_SIZE", 10**9),
            info={"operator": s.get("WARC_OPERATOR", ""), "robots": "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore",
                  "description": "nianbao crawl of government information-disclosure annual reports"},
            worker_id=s.get("WARC_WORKER_ID") or None,
        )
        self.started = warc_date()
        crawler.signals.connect(self.close, signal=signals.spider_closed)
        crawler.signals.connect(self.on_list_dated, signal=list_dated)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off")
        archive_dir = Path(crawler.settings.get("ARCHIVE_DIR", "data"))
        directory = archive_dir / "warc"
        directory.mkdir(parents=True, exist_ok=True)
        priors, post_priors = {}, {}
        db = archive_dir / "reports.db"
        if crawler.settings.getbool("NIANBAO_REFRESH", True) and db.exists():
            priors = priors_from_rows(latest_responses(db))
            post_priors = priors_from_rows(post_responses(db))
            logger.info("refresh: %d URLs archived before will be re-requested conditionally", len(priors))
        return cls(crawler, directory, priors, post_priors)

    def process_request(self, request, spider=None):
        prior = self.priors.get(request.url) if request.method == "GET" else None
        if prior is not None:
            for name, value in conditional_headers(prior).items():
                request.headers.setdefault(name, value)
        return None

    def process_response(self, request, response, spider=None):
        ctx = request.meta.get("nianbao")
        if ctx is None:
            ctx = {"kind": "robots" if urlsplit(request.url).path == "/robots.txt" else "other"}
        exchange = exchange_from(request, response)
        if request.method == "GET":
            prior = self.priors.get(request.url)
        else:
            prior = None
        if response.status == 200 and (prior is not None or (self.post_priors and request.method == "POST")):
            # One digest serves the revisit test and, if the page changed, the response record.
            exchange.payload_digest = sha1_digest(response.body)
            if prior is None:
                prior = self.post_priors.get((request.url, exchange.payload_digest))
        profile = revisit_profile(response.status, response.body, prior, exchange.payload_digest)
        try:
            if profile:
                # No context record: a revisit's context is its original's (reindex looks it up).
                capture = self.writer.write_revisit(exchange, prior, profile=profile,
                                                    with_request=self.revisit_requests)
            else:
                capture = self.writer.write_exchange(exchange, metadata=ctx)
        except ArchiveFullError as exc:
            self._stop_full(exc)
            raise CloseSpider("archive_full") from exc
        record = asdict(capture)
        request.meta["nianbao_capture"] = record
        # A revisit carries no context record, so the WARC says it is its original's: the index
        # says the same (reindex reads it so), whatever link led to the page this time.
        same = profile and prior is not None and prior.kind
        row = dict(record, url=request.url, method=request.method, status=response.status,
                   content_type=_header(response, b"Content-Type"),
                   portal=prior.portal if same else ctx.get("portal"),
                   kind=prior.kind if same else ctx.get("kind"), etag=_header(response, b"ETag"),
                   last_modified=_header(response, b"Last-Modified"))
        self.crawler.signals.send_catch_log(capture_stored, capture=row, context=ctx, request=request)
        if profile == "server-not-modified":
            # The spider still needs the page (links, attachments): hand on the archived copy.
            archived = read_prior(self.directory, prior)
            if archived is not None:
                request.meta["nianbao_unchanged"] = True
                headers = Headers()
                for name, value in archived.headers:
                    headers.appendlist(name, value)
                cls = responsetypes.from_args(headers=headers, url=request.url)
                return cls(request.url, status=archived.status, headers=headers, body=archived.payload,
                           request=request)
        elif profile:
            request.meta["nianbao_unchanged"] = True
        return response

    def on_list_dated(self, record: dict) -> None:
        """A date a list gave a report after its capture: the capture's context record is
        written already, so the date gets its own record (reindex reads it back)."""
        try:
            self.writer.write_list_date(record)
        except ArchiveFullError as exc:
            self._stop_full(exc)

    def _stop_full(self, exc: ArchiveFullError) -> None:
        logger.error("archive full, stopping the crawl: %s", exc)
        self.crawler.engine.close_spider(self.crawler.spider, "archive_full")

    def close(self, spider=None, reason=None):
        # The portals' outcome exists nowhere else in the WARCs: without this record a rebuilt
        # index would have no portals table (no statuses, no coverage view).
        # A spider that has portal rows to keep says so with `portal_rows()` (the reports
        # spider); others (the registry finder) write none.
        portal_rows = getattr(spider or self.crawler.spider, "portal_rows", None)
        try:
            rows = portal_rows() if callable(portal_rows) else []
            if rows:
                summary = {"run": self.started, "finished": warc_date(), "finish_reason": reason,
                           "portals": {row["name"]: row for row in rows}}
                settings = self.crawler.settings
                if settings.get("NIANBAO_CRAWL_ID"):
                    # one of several workers of a distributed crawl: each sees only its share
                    # of every portal, so reindex merges the workers' summaries of one crawl
                    summary.update(crawl=settings.get("NIANBAO_CRAWL_ID"),
                                   worker=settings.get("WARC_WORKER_ID") or "")
                self.writer.write_run_summary(self.started, summary)
        except ArchiveFullError as e:
            logger.error("the crawl's summary record was not archived (%s); reindex will lack "
                         "this run's portal statuses", e)
        finally:
            self.writer.close()
