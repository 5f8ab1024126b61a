"""Applying archived documents to the index — once, for the crawl and for reindex alike.

The crawl's item pipeline and `python -m archive reindex` both hand every report page,
continuation page and attachment to an `Ingest`; it decides what happens to the index: an
unchanged document of a current report only moves `last_seen`, a gone one (404/410, or an
error page served with 200: `soft404.is_soft_404`) marks its report removed and never
replaces its text, everything else goes through `ReportAssembler` into `Index.upsert_report`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable

from archive.extract import Extraction, extract
from archive.index import Index, report_id
from archive.reports.responses import EXTRACT_KINDS
from archive.reports.rows import ReportAssembler, extraction_error, holds_text, lacks_parts, late_published
from archive.reports.soft404 import is_soft_404
from archive.stats import report_statistics
from archive.stats.similarity import sketch

ExtractionOrThunk = Extraction | Callable[[], Extraction]


def with_scan_parts(context: dict, extraction: Extraction) -> dict:
    """A report page that shows its text only as scanned images: its images are its further
    parts (the crawl fetches them as continuation pages, OCR gives their text), so the report
    waits for them like a report split over pages. The same rule on reindex (issue 17)."""
    if (context.get("kind") == "report" and extraction.scan_images
            and int(context.get("parts") or 1) == 1):
        return {**context, "parts": len(extraction.scan_images) + 1}
    return context


def soft_404(context: dict, capture: dict, extraction: Extraction) -> str | None:
    """Why a report page, attachment or continuation page answered 200 with an error page
    (`soft404.is_soft_404`), or None. Such a capture stays in the WARC but makes no row."""
    if context.get("kind") not in EXTRACT_KINDS or extraction.content_type != "html":
        return None
    return is_soft_404(extraction.title, extraction.text, capture.get("status"))


@dataclass(frozen=True)
class Derived:
    """What a report row's text, tables and year give besides the row: its `report_stats` and
    `report_checks` rows and its near-copy sketch."""

    report_id: str
    text: str
    tables: str | None
    year: int | None
    stats: list[dict]
    checks: list[dict]
    sketch: bytes

    def fits(self, row: dict) -> bool:
        """True when ``row`` is the row this was derived from (same id, text, tables, year)."""
        return (row["id"] == self.report_id and row.get("year") == self.year
                and (row.get("text") or "") == self.text and row.get("tables") == self.tables)


def derive(row: dict) -> Derived:
    """The statistics (#18) and near-copy sketch of one report row."""
    text = row.get("text") or ""
    stats, checks = report_statistics(row["id"], row.get("tables"), text, row.get("year"))
    return Derived(row["id"], text, row.get("tables"), row.get("year"), stats, checks, sketch(text))


def derive_alone(context: dict, capture: dict, extraction: Extraction) -> list[Derived]:
    """`derive` for each row the document gives by itself (ReportAssembler.rows_alone): what a
    worker that extracted the document computes beside it."""
    if soft_404(context, capture, extraction):
        return []
    try:
        rows = ReportAssembler.rows_alone(with_scan_parts(context, extraction), capture, extraction)
        return [derive(row) for row in rows]
    except Exception:  # noqa: BLE001 - never lose the extraction: Ingest derives it again and
        return []      # fails there, as it would have without this shortcut


def extract_and_derive(body: bytes, url: str, content_type: str | None, context: dict,
                       capture: dict) -> tuple[Extraction, list[Derived]]:
    """``extract()`` and `derive_alone`: what the crawl's extraction pool runs, so that
    statistics parsing stays off the crawl's reactor thread."""
    extraction = extract(body, url, content_type)
    return extraction, derive_alone(context, {**capture, "url": url}, extraction)


class Ingest:
    """Turns (context, capture, extraction) triples into index writes.

    `on_report(portal, report_id, has_text)` is called for every report seen (stored or
    unchanged; `has_text`: `rows.holds_text` of its row), so the
    crawl can count reports per portal while it runs.
    """

    def __init__(self, index: Index, on_report: Callable[[str | None, str, bool], None] | None = None):
        self.index = index
        self.assembler = ReportAssembler()
        self.counts: Counter = Counter()
        self.errors: list[tuple[str | None, str]] = []  # (url, extract_error) of this run
        self.on_report = on_report or (lambda portal, rid, has_text: None)
        self._derived: dict[str, Derived] = {}  # report id -> derived with its extraction, until stored

    def document(self, context: dict, capture: dict, extraction: ExtractionOrThunk,
                 unchanged: bool = False, derived: list[Derived] = ()) -> None:
        """One captured document. `extraction` may be a callable, called only when needed
        (an unchanged document of a current report is never extracted). `derived`: what
        `extract_and_derive` gave with the extraction (used for the rows it fits)."""
        if context.get("path") is not None and context.get("list_root") and context.get("portal") \
                and context.get("kind") in ("report", "attachment") and not context.get("known"):
            self.index.add_list_path(context["portal"], context["list_root"], context["path"])
        if unchanged and self._still_current(context, capture):
            return
        if callable(extraction):
            extraction = extraction()
        if self._soft_404(context, capture, extraction):
            return
        for d in derived:
            self._derived[d.report_id] = d
        context = with_scan_parts(context, extraction)
        self._record_error(capture, extraction)
        for row in self.assembler.feed(context, capture, extraction):
            self._store(row)

    def _record_error(self, capture: dict, extraction: Extraction) -> None:
        """Why a document gave no or partial text: into its capture row and the run's list."""
        err = extraction_error(extraction)
        if not err:
            return
        self.errors.append((capture.get("url"), err))
        self.counts["extract_error"] += 1
        if capture.get("warc_filename") is not None and capture.get("warc_offset") is not None:
            self.index.set_capture_extract_error(capture["warc_filename"], capture["warc_offset"], err)

    def _soft_404(self, context: dict, capture: dict, extraction: Extraction) -> bool:
        """An error page served with 200: say so on its capture row and in the run's list,
        and treat it as the crawl treats a 404 of the same URL (`gone`); a continuation page
        is only missing from its report (which then says "partial")."""
        why = soft_404(context, capture, extraction)
        if why is None:
            return False
        self.errors.append((capture.get("url"), why))
        self.counts["soft_404"] += 1
        if capture.get("warc_filename") is not None and capture.get("warc_offset") is not None:
            self.index.set_capture_extract_error(capture["warc_filename"], capture["warc_offset"], why)
        if context.get("kind") in ("report", "attachment"):
            self.gone(capture["url"], when=capture.get("fetched_at"))
        return True

    def gone(self, url: str, when: str | None = None) -> int:
        """A report page (or a list-linked file) answered 404/410: keep its row, mark it removed."""
        n = self.index.mark_removed([report_id(url)], when=when)
        self.counts["removed"] += n
        return n

    def list_date(self, page_url: str, list_date: str) -> bool:
        """A list dated the report at `page_url` only after its capture was archived (the crawl
        learnt it too late for the capture's context, or in a later run, and wrote a
        `urn:nianbao:listdate:` record). The date goes into rows still to be built or waiting
        (`ReportAssembler.date_late`), and into the stored row now, as `late_published` says
        (a page's own date and an earlier list's stay; a URL's date or none gives way). The
        outcome does not depend on whether the record comes before or after the capture is
        ingested, nor on whether this run or an earlier one stored the row. Returns whether
        the stored row changed."""
        list_date = self.assembler.date_late(page_url, list_date)
        row = self.index.get_report(page_url)
        if row is None:
            return False  # not stored yet: its row takes the date when it is
        return self._date_stored(row, list_date)

    def _date_stored(self, row: dict, list_date: str) -> bool:
        published, source = late_published(row, list_date)
        if (published, source) == (row["published"], row.get("published_source")):
            return False
        self.index.set_published(row["id"], published, source)
        self.counts["dated_after_capture"] += 1
        return True

    def finish(self) -> None:
        """Store what is still waiting (covers without attachment, split reports missing a page)."""
        for row in self.assembler.flush():
            self._store(row)
        self._derived.clear()
        self.index.refresh_similarity()  # near-copies across the whole index (#18)

    def _store(self, row: dict) -> None:
        outcome = self.index.upsert_report(row)
        late = self.assembler.late_date(row["id"]) if outcome == "unchanged" else None
        if late:
            # an unchanged text keeps the stored row, but the date a list gave it late is news
            # (whichever came first, the record or the capture, the row ends the same)
            self._date_stored(self.index.get_report(row["id"]), late)
        done = self._derived.pop(row["id"], None)
        if outcome in ("new", "changed"):  # the statistics follow the current text (#18)
            if done is None or not done.fits(row):
                done = derive(row)
                self.counts["derived_at_store"] += 1  # the crawl's pool had not (or not for this row)
            self.index.replace_statistics(row["id"], done.stats, done.checks)
            self.index.set_sketch(row["id"], done.sketch)
        self.counts[outcome] += 1
        self.on_report(row.get("portal"), row["id"], holds_text(row))

    def _still_current(self, context: dict, capture: dict) -> bool:
        """An unchanged document that is already the text of its report: the report is seen.

        A cover page (its report's text comes from an attachment) goes to the assembler, so
        that a changed attachment still joins it.
        """
        page_url = context.get("page_url") or capture["url"]
        row = self.index.get_report(report_id(page_url))
        if row is None:
            return False
        if capture["url"] == row["page_url"] and context.get("kind") == "report" and lacks_parts(row):
            # Extract the unchanged page again, as reindex does: the crawl then fetches the
            # parts it names (attachment, page images) and they join it, instead of the row
            # staying a cover or a text-less scan for good after one stopped run.
            return False
        if capture["url"] == row["page_url"] and row["url"] != row["page_url"] and context.get("kind") == "report":
            self.assembler.add_indexed_cover(row)  # counted when its attachment is seen
            return True
        if capture["url"] != row["url"]:
            return False
        if row["removed_at"] and capture.get("payload_digest") and row["payload_digest"] \
                and capture["payload_digest"] != row["payload_digest"]:
            # A removed report whose URL answers, unchanged, something else than its row was
            # made from (the error page that replaced it, again): judge that again, never just
            # mark the row seen (which would make it current). A current report whose page
            # bytes changed but not its text keeps the shortcut.
            return False
        self.index.mark_seen([row["id"]], when=capture.get("fetched_at"))
        self.counts["unchanged"] += 1
        self.on_report(row["portal"], row["id"], holds_text(dict(row)))
        return True
