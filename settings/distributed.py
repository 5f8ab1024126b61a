"""Distributed crawling on scrapy-redis: one Redis holds the frontier and the dupefilter.

    NIANBAO_REDIS_URL=redis://frontier:6379/0 NIANBAO_CRAWL_ID=2026-05-09 NIANBAO_WORKER_ID=a \\
    SCRAPY_SETTINGS_MODULE=settings.distributed scrapy crawl reports -a portals=portals.csv \\
        -s ARCHIVE_DIR=/srv/nianbao/a

Start any number of such workers (same portals.csv, same NIANBAO_CRAWL_ID, one
NIANBAO_WORKER_ID and one ARCHIVE_DIR each), on one host or many. Every worker yields the
start requests; the shared dupefilter lets each through once. A worker exits by itself once the
shared frontier has been empty and it has had nothing to do for NIANBAO_IDLE_TIMEOUT seconds
(default 30), so cron never leaves one idling. The environment variable SCRAPY_SETTINGS_MODULE
overrides scrapy.cfg's `settings.default`.

Each worker writes its own WARC files (`nianbao-<time>-<serial>-<host>-<worker id>.warc.gz`)
and its own reports.db under its own ARCHIVE_DIR: two workers must not share one ARCHIVE_DIR
(the second would exit at once with status 75: archive/runlock.py; WARC crash recovery of one
would also touch the other's open files). A worker's own reports.db only holds its share; the
results meet by re-indexing every worker's WARC files into one database:

    python -m archive reindex --warc /srv/nianbao/*/warc --db /srv/nianbao/reports.db

Environment:
  NIANBAO_REDIS_URL      the Redis (default redis://127.0.0.1:6379/0)
  NIANBAO_CRAWL_ID       names this crawl's Redis keys `reports:<id>:requests|dupefilter`; the
                         workers of one crawl share it, the next crawl takes a new one (default:
                         today's UTC date, so a second crawl the same day needs its own id)
  NIANBAO_WORKER_ID      this worker's id in WARC file names (default <hostname>-<pid>)
  NIANBAO_ARCHIVE_DIR    this worker's ARCHIVE_DIR (default data/<worker id>)
  NIANBAO_IDLE_TIMEOUT   seconds a worker waits on an empty frontier before it exits (30)
  NIANBAO_REDIS_TTL      seconds the crawl's keys live after a worker exits (7 days)

The keys are kept when a worker exits (SCHEDULER_PERSIST = True, with an expiry): with
scrapy-redis's SCHEDULER_PERSIST = False the first worker to finish would delete the shared
queue and dupefilter under the workers still crawling, losing requests they queue later.
"""
from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from settings.default import *  # noqa: F401,F403
from settings.default import env_number_or_text

WARC_WORKER_ID = os.environ.get("NIANBAO_WORKER_ID") or f"{socket.gethostname().split('.')[0]}-{os.getpid()}"
ARCHIVE_DIR = os.environ.get("NIANBAO_ARCHIVE_DIR") or os.path.join("data", WARC_WORKER_ID)
NIANBAO_CRAWL_ID = os.environ.get("NIANBAO_CRAWL_ID") or datetime.now(timezone.utc).strftime("%Y-%m-%d")

# scrapy-redis: the frontier (a priority queue) and the request fingerprints live in Redis.
SCHEDULER = "scrapy_redis.scheduler.Scheduler"
DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
SCHEDULER_QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"
SCHEDULER_QUEUE_KEY = f"%(spider)s:{NIANBAO_CRAWL_ID}:requests"
SCHEDULER_DUPEFILTER_KEY = f"%(spider)s:{NIANBAO_CRAWL_ID}:dupefilter"
SCHEDULER_PERSIST = True
SCHEDULER_IDLE_BEFORE_CLOSE = 0  # never block the reactor on an empty queue (BRPOP); see IdleClose
REDIS_URL = os.environ.get("NIANBAO_REDIS_URL", "redis://127.0.0.1:6379/0")

NIANBAO_IDLE_TIMEOUT = env_number_or_text("NIANBAO_IDLE_TIMEOUT", 30.0)
NIANBAO_REDIS_TTL = env_number_or_text("NIANBAO_REDIS_TTL", 7 * 24 * 3600, int)

EXTENSIONS = {"settings.distributed.IdleClose": 500}


class IdleClose:
    """Close the spider once the shared frontier has stayed empty for NIANBAO_IDLE_TIMEOUT
    seconds with nothing in flight here (Scrapy re-checks idleness every 5 s); then give the
    crawl's Redis keys an expiry so finished crawls do not pile up in Redis."""

    def __init__(self, crawler, timeout: float, ttl: int):
        self.crawler, self.timeout, self.ttl = crawler, timeout, ttl
        self.idle_since: float | None = None
        crawler.signals.connect(self.active, signal=signals.request_scheduled)
        crawler.signals.connect(self.active, signal=signals.response_received)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if "scrapy_redis" not in str(s.get("SCHEDULER")):
            raise NotConfigured("not a scrapy-redis crawl")
        return cls(crawler, s.getfloat("NIANBAO_IDLE_TIMEOUT", 30), s.getint("NIANBAO_REDIS_TTL", 7 * 24 * 3600))

    def active(self, *args, **kwargs) -> None:
        self.idle_since = None

    def spider_idle(self, spider) -> None:
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.timeout:
            raise DontCloseSpider

    def spider_closed(self, spider, reason) -> None:
        from scrapy_redis import connection

        s = self.crawler.settings
        try:
            server = connection.from_settings(s)
            for key in (s.get("SCHEDULER_QUEUE_KEY"), s.get("SCHEDULER_DUPEFILTER_KEY")):
                server.expire(key % {"spider": spider.name}, self.ttl)
        except Exception as exc:  # the crawl is done; an expiry is housekeeping only
            spider.logger.warning("could not set an expiry on the crawl's Redis keys: %s", exc)
