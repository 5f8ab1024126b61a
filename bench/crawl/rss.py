"""Scrapy extension for the crawl benchmark: RSS every N responses.

Enable with ``-s EXTENSIONS={"bench.crawl.rss.RssLog": 0}``. Settings:
``BENCH_RSS_EVERY`` (default 1000 responses), ``BENCH_RSS_FILE`` (JSON lines
``{"t": epoch, "last_response_t": epoch of the latest response, "responses": N, "rss_kb": main process, "children_rss_kb": its child processes (e.g. an
extraction pool), "cpu_s": user+sys of the main process so far}``; without it, log lines only).
"""
from __future__ import annotations

import json
import logging
import os
import resource
import time

from scrapy import signals

logger = logging.getLogger(__name__)
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _rss_kb(pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE_KB
    except OSError:
        return 0


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


class RssLog:
    def __init__(self, every: int, path: str | None):
        self.every, self.path, self.n = every, path, 0
        self.last_response_t = None
        self.file = open(path, "a", encoding="utf-8") if path else None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler.settings.getint("BENCH_RSS_EVERY", 1000), crawler.settings.get("BENCH_RSS_FILE"))
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def sample(self) -> dict:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        kids = _children(os.getpid())
        row = {"t": time.time(), "last_response_t": self.last_response_t, "responses": self.n, "rss_kb": _rss_kb(), "children": len(kids),
               "children_rss_kb": sum(_rss_kb(c) for c in kids), "cpu_s": round(ru.ru_utime + ru.ru_stime, 3)}
        logger.info("bench rss: %s", row)
        if self.file:
            self.file.write(json.dumps(row) + "\n")
            self.file.flush()
        return row

    def response_received(self, response=None, request=None, spider=None):
        self.n += 1
        self.last_response_t = time.time()
        if self.n % self.every == 0:
            self.sample()

    def spider_closed(self, spider=None, reason=None):
        self.sample()
        if self.file:
            self.file.close()
