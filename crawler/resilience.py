"""Downloader middlewares for unreliable and hostile portals.

- `BackoffRetryMiddleware`: Scrapy's retries, but waiting between tries — exponential backoff
  with jitter, or the server's `Retry-After` when it sends one (capped).
- `ScopeMiddleware`: a redirect may not carry the crawl off the portal's scope (its hosts and
  other government hosts), nor to a private or loopback address.
- `ReportMetaRefreshMiddleware`: Scrapy's meta refresh, except on a report page (or attachment,
  continuation) that refreshes to its site's home page: that is an error page's countdown
  ("3 秒后自动跳转到首页"), and the spider must see the page itself, as reindex does.
"""
from __future__ import annotations

import email.utils
import logging
import random
import time
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import get_meta_refresh
from twisted.internet import reactor
from twisted.internet.task import deferLater

from archive.reports.responses import EXTRACT_KINDS
from archive.reports.urls import canonical_url
from crawler.discovery import is_government_host

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def backoff_seconds(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform in [base, base·2^(attempt-1)], capped."""
    rng = rng or random
    high = min(cap, base * (2 ** max(0, attempt - 1)))
    return rng.uniform(min(base, high), high)


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits before each retry (Retry-After, else exponential backoff)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("NIANBAO_RETRY_BACKOFF", 2.0)
        self.cap = settings.getfloat("NIANBAO_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_cap = settings.getfloat("NIANBAO_RETRY_AFTER_MAX", 120.0)

    async def _wait(self, retry: Request, response=None) -> None:
        delay = None
        if response is not None:
            delay = retry_after_seconds(response.headers.get(b"Retry-After"))
            if delay is not None:
                delay = min(delay, self.retry_after_cap)
        if delay is None:
            delay = backoff_seconds(retry.meta.get("retry_times", 1), self.base, self.cap)
        if delay > 0:
            self.crawler.stats.inc_value("nianbao/retry_wait_seconds", delay)
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))

    async def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, response)
        return result

    async def process_exception(self, request, exception, spider=None):
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result)
        return result


class ScopeMiddleware:
    """Drop redirected requests that leave the portal's scope (checked before any download)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if not request.meta.get("redirect_urls"):
            return None
        ctx = request.meta.get("nianbao") or {}
        spider = self.crawler.spider
        state = getattr(spider, "states", {}).get(ctx.get("portal"))
        if state is None:
            return None
        if canonical_url(request.url) is None:
            raise IgnoreRequest(f"redirect to a forbidden address: {request.url}")
        if state.scope.allows(request.url) or is_government_host(request.url):
            return None
        self.crawler.stats.inc_value("nianbao/redirect_off_scope")
        raise IgnoreRequest(f"redirect off scope: {request.meta['redirect_urls'][0]} -> {request.url}")


# Paths of a site's home page (no query): where an error page's countdown sends the reader.
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php",
               "/index.asp", "/index.aspx", "/default.html", "/default.htm", "/default.aspx"}


def is_home_page(url: str) -> bool:
    """Whether ``url`` is a site's home page (``http://host/``, ``/index.html`` …)."""
    parts = urlsplit(url)
    return not parts.query and parts.path.lower() in _HOME_PATHS


class ReportMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, but a report page, attachment or continuation whose
    meta refresh leads to its site's home page is handed on as it is.

    Portals answer a deleted report with 200 and "页面不存在 … 3 秒后自动跳转到首页"; followed,
    that refresh turns into a request for the home page (already seen: dropped), so the spider
    never saw the error page and the report stayed current, while ``archive reindex``, which
    reads the archived 200 itself, marked it removed (archive.reports.soft404). A report never
    lives at the home page, so nothing is lost by not following it there.
    """

    def process_response(self, request, response, spider=None):
        ctx = request.meta.get("nianbao") or {}
        if ctx.get("kind") in EXTRACT_KINDS and isinstance(response, HtmlResponse):
            _, url = get_meta_refresh(response, ignore_tags=self._ignore_tags)
            if url and is_home_page(urljoin(response.url, url)):
                return response
        return super().process_response(request, response)
