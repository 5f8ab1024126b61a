"""Scrapy settings for `scrapy crawl reports` (scrapy.cfg: default = settings.default).

Defaults are polite for real government portals: robots.txt obeyed, AutoThrottle on, at most
two requests at a time per host, many portals in parallel. Override with `-s NAME=value`.
"""
import os

from archive.reports.responses import MAX_RESPONSE_BYTES


def env_number_or_text(name: str, default, kind=float):
    """The environment variable `name` as a number (`default` when unset or empty). A value
    that is not a number is kept as text: raising here, at import, was a traceback before any
    check; `scrapy crawl` (crawler/commands/crawl.py, check_settings) reports it as bad input."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        return raw


BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"  # our `crawl`: clear errors, run lock, exit status

# Where everything goes: WARC files under ARCHIVE_DIR/warc, the index at ARCHIVE_DIR/reports.db.
ARCHIVE_DIR = os.environ.get("NIANBAO_ARCHIVE_DIR", "data")
WARC_ENABLED = True
WARC_PREFIX = "nianbao"
WARC_MAX_SIZE = 1_000_000_000          # rotate WARC files at 1 GB
WARC_OPERATOR = os.environ.get("NIANBAO_OPERATOR", "")
WARC_WORKER_ID = ""                      # set per worker in distributed mode
# Unchanged re-fetches are revisit records; their request record is left out by default: it is
# the original's request plus validators taken from the original's response, and would double
# the cost of a refresh (~570 B per page). True keeps it.
WARC_REVISIT_REQUESTS = False

# Discovery bounds: traps (endless calendars, session ids) cannot eat more than this.
NIANBAO_MAX_PAGES_PER_PORTAL = 3000
NIANBAO_MAX_COLUMN_DEPTH = 6
NIANBAO_NAV_BUDGET = 60                 # navigation pages per portal for the best-first walk (crawler/discovery.py)
NIANBAO_NAV_WAVE = 4                    # kept candidates asked at a time when a portal's strong leads found nothing
# Extraction runs in this many worker processes, off the reactor (0: inline on the reactor).
# bench/crawl: one worker on 2 cores gives +26% pages/s at the same CPU per page.
NIANBAO_EXTRACT_PROCESSES = max(1, (os.cpu_count() or 2) - 1)
# Per-document extraction budget (issue 15; archive/extract/budget.py): a pool worker past it
# is killed and replaced, the document indexed with its extract_error. Env vars of the same
# names set them too (and bound `archive reindex`); NIANBAO_PDF_MAX_PAGES caps pages per PDF.
NIANBAO_EXTRACT_TIMEOUT = env_number_or_text("NIANBAO_EXTRACT_TIMEOUT", 60.0)
NIANBAO_EXTRACT_MEMORY_MB = env_number_or_text("NIANBAO_EXTRACT_MEMORY_MB", 1024, int)
NIANBAO_MAX_LIST_PAGES = 500             # pages of one list followed through pager links

USER_AGENT = ("Mozilla/5.0 (compatible; nianbao/0.1; archive of government information-disclosure "
              "annual reports)")
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 64
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = MAX_RESPONSE_BYTES  # 40 MB: scanned-PDF reports can be large, none is bigger
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = True
CONCURRENT_ITEMS = 8                    # items per response are few; 100 workers per response cost CPU
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control: an HTTP server on localhost that runs Python sent to it, with a
# token in a job file under the user's home. An unattended cron crawl has no use for it.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 60.0
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

DOWNLOADER_MIDDLEWARES = {
    # Before anything else: no request (link, redirect, retry, attachment) to an internal address.
    "crawler.netguard.NetGuardMiddleware": 40,
    # First: a redirect may not leave the portal's scope.
    "crawler.resilience.ScopeMiddleware": 50,
    # Retries that wait (Retry-After, else exponential backoff) instead of hammering.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.resilience.BackoffRetryMiddleware": 550,
    # A report page whose meta refresh counts down to the home page is an error page: keep it.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.resilience.ReportMetaRefreshMiddleware": 580,
    # Next to the downloader: sees raw bodies before decompression, redirects, retries.
    "crawler.archiving.WarcMiddleware": 950,
}
NIANBAO_RETRY_BACKOFF = 2.0        # seconds before the first retry; doubles each time (jittered)
NIANBAO_RETRY_BACKOFF_MAX = 60.0
NIANBAO_RETRY_AFTER_MAX = 120.0    # honour Retry-After up to this many seconds
EXTENSIONS = {
    "crawler.progress.Progress": 500,   # one progress line every NIANBAO_PROGRESS_INTERVAL seconds
}
NIANBAO_PROGRESS_INTERVAL = 30.0
NIANBAO_REFRESH = True                   # re-request archived URLs conditionally, write revisits
# On a refresh, list pages that linked reports are walked every run; report pages still listed
# and navigation pages that led to no list are asked again only when their last answer is older
# than this many days (0: ask for everything every run). Unlisted known reports: every run.
NIANBAO_RECHECK_DAYS = 7.0
ITEM_PIPELINES = {
    "crawler.pipelines.IndexPipeline": 300,
}

# Internal networks the crawl may fetch from (loopback, private, link-local … are refused by
# crawler.netguard otherwise), e.g. ["10.8.0.0/16"] for an intranet mirror of a portal.
NIANBAO_ALLOW_PRIVATE_NETWORKS: list[str] = []
