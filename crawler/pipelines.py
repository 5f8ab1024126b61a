"""Item pipeline: captured report documents → clean text → rows in reports.db.

Thin on purpose: extraction is archive.extract, the report decisions archive.reports, storage
archive.index — the same functions `python -m archive reindex` uses on the WARC files.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals

from archive.extract import extract
from archive.index import Index, report_id
from archive.reports import ReportAssembler
from crawler.signals import capture_stored

logger = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class IndexPipeline:
    """Extract and index each report; record every capture and each portal's outcome."""

    def __init__(self, crawler, db_path: Path):
        self.crawler = crawler
        self.db_path = db_path
        self.index: Index | None = None
        self.assembler = ReportAssembler()
        self.counts = {"new": 0, "changed": 0, "unchanged": 0, "removed": 0}
        self.run_id = None
        crawler.signals.connect(self.on_capture, signal=capture_stored)
        # The finish reason exists only once the spider has closed, after close_spider.
        crawler.signals.connect(self.on_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        archive_dir = Path(crawler.settings.get("ARCHIVE_DIR", "data"))
        archive_dir.mkdir(parents=True, exist_ok=True)
        return cls(crawler, archive_dir / "reports.db")

    def open_spider(self, spider=None):
        self.index = Index(self.db_path)
        self.run_id = self.index.start_run()

    def on_capture(self, capture: dict, context: dict):
        if self.index is not None:
            self.index.add_capture(capture)

    def process_item(self, item, spider=None):
        if "failure" in item:
            failure = item["failure"]
            self.index.add_capture({"url": failure["url"], "method": failure["method"], "status": None,
                                    "portal": failure["portal"], "kind": failure["kind"],
                                    "error": failure["error"], "fetched_at": _now()})
            if failure.get("gone"):
                # A report page (or a list-linked file) answering 404/410 is gone: keep its row, mark it.
                self.counts["removed"] += self.index.mark_removed([report_id(failure["gone"])])
            return item
        context, capture = item["context"], item["capture"]
        if item.get("unchanged") and self._still_current(context, capture):
            return item
        try:
            extraction = extract(item["body"], capture["url"], item.get("content_type"))
        except Exception:  # one bad document must not stop the crawl, but the run reports it
            logger.exception("extraction failed for %s", capture["url"])
            self.crawler.stats.inc_value("nianbao/pipeline_errors")
            return item
        try:
            for row in self.assembler.feed(context, capture, extraction):
                self._store(row)
        except Exception:
            logger.exception("indexing failed for %s", capture["url"])
            self.crawler.stats.inc_value("nianbao/pipeline_errors")
        return item

    def _still_current(self, context: dict, capture: dict) -> bool:
        """An unchanged document whose report is indexed: no re-extraction, the report is seen.

        A cover page (its report's text comes from an attachment) is handed to the assembler
        so that a changed attachment still joins it.
        """
        page_url = context.get("page_url") or capture["url"]
        row = self.index.get_report(report_id(page_url))
        if row is None:
            return False
        if capture["url"] == row["page_url"] and row["url"] != row["page_url"] and context.get("kind") == "report":
            self.assembler.add_indexed_cover(row)  # counted when its attachment is seen
            return True
        if capture["url"] != row["url"]:
            return False
        self.index.mark_seen([row["id"]])
        self.counts["unchanged"] += 1
        states = getattr(self.crawler.spider, "states", {})
        if row["portal"] in states:
            states[row["portal"]].reports.add(row["id"])
        return True

    def _store(self, row: dict) -> None:
        outcome = self.index.upsert_report(row)
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        states = getattr(self.crawler.spider, "states", {})
        if row.get("portal") in states:
            states[row["portal"]].reports.add(row["id"])

    def close_spider(self, spider=None):
        for row in self.assembler.flush():
            self._store(row)
        for state in getattr(self.crawler.spider, "states", {}).values():
            self.index.upsert_portal(dict(state.row(), last_crawl=_now()))
        self.index.commit()

    def on_closed(self, spider, reason):
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.index.finish_run(self.run_id, {
            "finish_reason": reason,
            "pages": stats.get("response_received_count", 0),
            "reports_new": self.counts["new"], "reports_changed": self.counts["changed"],
            "reports_unchanged": self.counts["unchanged"], "reports_removed": self.counts["removed"],
            "errors": stats.get("log_count/ERROR", 0),
            "portals": {s.portal.name: s.row() for s in getattr(spider, "states", {}).values()},
        })
        self.index.close()
