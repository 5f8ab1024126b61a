"""Scrapy extension for the crawl benchmark: RSS every N responses.

Enable with ``-s EXTENSIONS={"bench.crawl.rss.RssLog": 0}``. Settings:
``BENCH_RSS_EVERY`` (default 1000 responses), ``BENCH_RSS_FILE`` (JSON lines
``{"t": epoch, "last_response_t": epoch of the latest response, "responses": N, "rss_kb": main process, "children_rss_kb": its child processes (e.g. an
extraction pool), "cpu_s": user+sys of the main process so far}``; without it, log lines only).
``BENCH_TRACEMALLOC=1`` (bench.crawl's kind ``full-tracemalloc``; slow, for memory questions only)
also traces the crawl process's allocations and writes, at each sample, the 12 source lines
holding most memory and the walk's kept candidates to ``<BENCH_RSS_FILE>.tracemalloc.txt``.
"""
from __future__ import annotations

import json
import logging
import os
import resource
import time
import tracemalloc

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
    def __init__(self, every: int, path: str | None, trace: bool = False, crawler=None):
        self.every, self.path, self.n = every, path, 0
        self.crawler = crawler
        self.trace = open(path + ".tracemalloc.txt", "w", encoding="utf-8") if trace and path else None
        if self.trace:
            tracemalloc.start(1)
        self.last_response_t = None
        self.file = open(path, "a", encoding="utf-8") if path else None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler.settings.getint("BENCH_RSS_EVERY", 1000), crawler.settings.get("BENCH_RSS_FILE"),
                  crawler.settings.getbool("BENCH_TRACEMALLOC"), crawler)
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
        if self.trace and self.n % (5 * self.every) == 0:
            self._trace_sample()
        return row

    def _trace_sample(self) -> None:
        """The lines holding most of the crawl process's memory, and the walk's kept candidates."""
        snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        stats = snap.statistics("lineno")
        total = sum(s.size for s in stats)
        states = getattr(getattr(self.crawler, "spider", None), "states", {}) or {}
        kept = sum(len(getattr(s, "kept", ())) for s in states.values())
        self.trace.write(f"== {self.n} responses: traced {total / 2**20:.1f} MB, kept candidates {kept}\n")
        for s in stats[:12]:
            self.trace.write(f"  {s.size / 2**20:8.1f} MB {s.count:>9} blocks  {s.traceback[0]}\n")
        self.trace.flush()

    def response_received(self, response=None, request=None, spider=None):
        self.n += 1
        self.last_response_t = time.time()
        if self.n % self.every == 0:
            self.sample()

    def spider_closed(self, spider=None, reason=None):
        if self.trace:
            self._trace_sample()
        self.sample()
        if self.file:
            self.file.close()
