"""A one-line progress report every NIANBAO_PROGRESS_INTERVAL seconds (default 30).

    progress: 1234 pages (41.1/s), 56 reports, 3 errors, 12/40 portals with reports, 310 queued
"""
from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger("nianbao.progress")


class Progress:
    """Scrapy extension: periodic crawl progress in one log line (pages, reports, errors, rate)."""

    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.task: task.LoopingCall | None = None
        self.started = time.monotonic()
        self.last_pages = 0
        self.last_time = self.started

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL", 30.0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider):
        self.started = self.last_time = time.monotonic()
        self.task = task.LoopingCall(self.log, spider)
        self.task.start(self.interval, now=False)

    def line(self, spider) -> str:
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        now = time.monotonic()
        rate = (pages - self.last_pages) / max(now - self.last_time, 1e-9)
        self.last_pages, self.last_time = pages, now
        states = getattr(spider, "states", {})
        reports = sum(len(s.reports) for s in states.values())
        with_reports = sum(1 for s in states.values() if s.reports)
        errors = sum(s.errors for s in states.values())
        slot = getattr(self.crawler.engine, "_slot", None) or getattr(self.crawler.engine, "slot", None)
        try:
            queued = len(slot.scheduler) if slot is not None else 0
        except (AttributeError, TypeError):  # the slot is gone once the spider closed
            queued = 0
        return (f"progress: {pages} pages ({rate:.1f}/s), {reports} reports, {errors} errors, "
                f"{with_reports}/{len(states)} portals with reports, {queued} queued")

    def log(self, spider):
        logger.info(self.line(spider))

    def closed(self, spider, reason):
        if self.task and self.task.running:
            self.task.stop()
        logger.info("%s; finished (%s) after %.0f s", self.line(spider), reason, time.monotonic() - self.started)
