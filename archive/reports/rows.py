"""From an archived capture to a `reports` row: the decisions the crawl and reindex share.

`build_report` decides whether one capture is a report and fills the row; `ReportAssembler`
joins a report page that only points to its attachment with that attachment's text, whatever
order the two captures arrive in. `published_date` is which date a report is published on, also
when a list dates it only after its capture (`late_published`, `ReportAssembler.date_late`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from archive.extract import Extraction, join_pages
from archive.index import report_id
from archive.index.coverage import COVER_ONLY_MARK, PARTIAL_MARK  # how such errors start
from archive.registry.match import publisher_division
from archive.reports.classify import classify_title
from archive.reports.urls import date_from_url

# A report page whose own text (title aside) is shorter than this is a cover for its attachment:
# the report's text comes from the attachment when one arrives, else the cover stays as it is.
STUB_CHARS = 200
# Said on a row that is only its cover page (no attachment came to join it), and on a split
# report with pages missing: the row exists, but its text is not the report's whole text.
COVER_ONLY = (COVER_ONLY_MARK + ": the report's text is in an attachment that was not archived "
              "(its capture row says why: robots.txt, HTTP error, not linked)")


def body_chars(extraction: Extraction) -> int:
    """Characters of text besides the title line."""
    text = extraction.text or ""
    if extraction.title and text.startswith(extraction.title):
        text = text[len(extraction.title):]
    return sum(1 for c in text if not c.isspace())


def is_stub(extraction: Extraction) -> bool:
    """True when a report page is only a cover for document attachments."""
    return body_chars(extraction) < STUB_CHARS


def pick_title(extraction: Extraction, context: dict) -> str | None:
    """The title that names the report: the page's own, else the anchor that led to it."""
    for candidate in (extraction.title, context.get("anchor"), context.get("page_title")):
        if candidate and classify_title(candidate):
            return candidate.strip()
    return None


def holds_text(row: dict) -> bool:
    """Whether a `reports` row holds the report's text: not a cover whose file was never
    archived (COVER_ONLY), not a scan left without text (needs_ocr), not empty. The coverage
    views ask the same in SQL (archive.index.coverage.HAS_TEXT)."""
    return bool((row.get("text") or "").strip()) and not row.get("needs_ocr") \
        and not (row.get("extract_error") or "").startswith(COVER_ONLY_MARK)


def lacks_parts(row: dict) -> bool:
    """Whether a stored `reports` row is a report page that misses documents it is made of: a
    cover whose attachment was not archived (COVER_ONLY), a report split over pages with pages
    missing (PARTIAL_MARK), a web page whose text is in page images not OCR'd. A killed or
    stopped run, or a failed fetch, leaves such rows; the missing parts may come later."""
    err = row.get("extract_error") or ""
    return err.startswith((COVER_ONLY_MARK, PARTIAL_MARK)) or bool(
        row.get("needs_ocr") and row.get("content_type") == "html")


def extraction_error(extraction: Extraction) -> str | None:
    """Why a document gave no or partial text: ``extract()`` fills ``extract_error``; an
    Extraction made elsewhere (a worker's timeout or memory limit) may only carry
    ``metadata["error"]``."""
    return extraction.extract_error or (extraction.metadata or {}).get("error") or None


def page_date(extraction: Extraction) -> str | None:
    """The publication date a document states itself (a web page's 发布日期 metadata)."""
    return (extraction.metadata or {}).get("published") or None


def published_date(page: str | None, listed: str | None, page_url: str) -> str | None:
    """A report's `published`: the date its page states (`page_date`), else the date a list
    shows beside its link (`listed`), else the date in its URL (TRS …/t20180330_1.html), else
    None. The crawl and reindex decide with this alone, when the row is built
    (`published_and_source`) and when a list dates the report after its capture
    (`late_published`)."""
    return published_and_source(page, listed, page_url)[0]


def published_and_source(page: str | None, listed: str | None, page_url: str) -> tuple[str | None, str | None]:
    """`published_date` and where it came from, the row's `published_source`: ``page``,
    ``list``, ``url``, or None with no date."""
    if page:
        return page, "page"
    if listed:
        return listed, "list"
    in_url = date_from_url(page_url)
    return (in_url, "url") if in_url else (None, None)


def late_published(row: dict, list_date: str) -> tuple[str | None, str | None]:
    """The (`published`, `published_source`) a report row holds once a list dated the report
    after its capture: `published_and_source` with the row's own date as its page's date or
    as the first list's, and ``list_date`` otherwise. So a page's date and an earlier list's
    stay; a URL's date or none gives way. A row from an index older than `published_source`
    (its date's source unknown) keeps any date it has: it may be the page's (`archive
    reindex` sets the source)."""
    published, source = row.get("published"), row.get("published_source")
    if published and source is None:
        return published, None
    return published_and_source(published if source == "page" else None,
                                published if source == "list" else list_date, row["page_url"])


def build_report(context: dict, capture: dict, extraction: Extraction) -> dict | None:
    """The `reports` row for one captured document, or None if it is not a report.

    `context` is the crawl context stored beside the capture (portal, kind, anchor, list_date,
    page_url…); `capture` holds url, status, warc_filename, warc_offset, payload_digest,
    fetched_at, content_type.
    """
    if capture.get("status") not in (200, None) or context.get("kind") not in ("report", "attachment"):
        return None
    title = pick_title(extraction, context)
    if title is None:
        return None
    named = classify_title(title)
    meta = extraction.metadata or {}
    url = capture["url"]
    page_url = context.get("page_url") or url
    published, published_source = published_and_source(page_date(extraction), context.get("list_date"), page_url)
    # 发布机构 comes from a web page's metadata block; a document file has no such block (an
    # issuer line inside its text is not page metadata), so then the body named in the title.
    page_publisher = meta.get("publisher") if extraction.content_type == "html" else None
    publisher = page_publisher or named.body or context.get("portal")
    division = context.get("code") or None   # the portal's GB/T 2260 code (portals.csv `code`)
    return {
        "id": report_id(page_url),
        "page_url": page_url,
        "url": url,
        "listed_on": context.get("list_root"),
        "portal": context.get("portal"),
        "province": context.get("province") or None,
        "level": context.get("level") or None,
        "division_code": division,
        "publisher_code": publisher_division(publisher, division),
        "title": title,
        "year": named.year,
        "published": published,
        "published_source": published_source,
        "publisher": publisher,
        "index_no": meta.get("index_no"),
        "written": meta.get("written"),
        "text": extraction.text,
        "tables": json.dumps(extraction.tables, ensure_ascii=False),
        "content_type": extraction.content_type,
        "needs_ocr": int(bool(extraction.needs_ocr)),
        "replacement_chars": extraction.replacement_chars,
        "extract_error": extraction_error(extraction),
        "text_source": extraction.text_source,
        "ocr_engine": extraction.ocr_engine,
        "ocr_confidence": extraction.ocr_confidence,
        "warc_filename": capture.get("warc_filename"),
        "warc_offset": capture.get("warc_offset"),
        "payload_digest": capture.get("payload_digest"),
        "fetched_at": capture.get("fetched_at"),
    }


def merge_attachment(page_row: dict, attachment_row: dict) -> dict:
    """A cover page's row with its attachment's text: page metadata, attachment document."""
    row = dict(page_row)
    for key in ("url", "text", "tables", "content_type", "needs_ocr", "replacement_chars",
                "extract_error", "text_source", "ocr_engine", "ocr_confidence", "warc_filename", "warc_offset", "payload_digest", "fetched_at"):
        row[key] = attachment_row[key]
    return row


@dataclass
class ReportAssembler:
    """Turns captures into finished report rows, joining cover pages with their attachments.

    Feed every report/attachment/continuation capture with `feed`; rows come out when final.
    A report split over pages (context `parts` > 1 on the first page, `part` on the others) is
    joined once all its pages are in. `flush` at the end emits what is still waiting: covers
    whose attachment never came (with the cover's own text), split reports with pages missing.
    """

    _covers: dict[str, dict] = field(default_factory=dict)        # page id -> page row
    _early: dict[str, list[dict]] = field(default_factory=dict)   # page id -> attachment rows
    _indexed: set[str] = field(default_factory=set)               # covers taken from the index
    _pages: dict[str, dict[int, Extraction]] = field(default_factory=dict)  # split reports' pages
    _firsts: dict[str, tuple[dict, dict, int]] = field(default_factory=dict)  # id -> first page
    # A list that dates a report only after its capture (date_late): id -> that list date
    _late: dict[str, str] = field(default_factory=dict)

    def add_indexed_cover(self, row: dict) -> None:
        """A cover page that did not change since it was indexed (refresh): its attachment may
        still change, and then joins this row. Never emitted on its own by `flush`."""
        keep = {k: v for k, v in row.items() if k not in ("first_seen", "last_seen", "removed_at", "version")}
        self._covers[row["id"]] = keep
        self._indexed.add(row["id"])

    def date_late(self, page_url: str, list_date: str) -> str:
        """A list dated the report at `page_url` after its capture was archived (the crawl's
        `urn:nianbao:listdate:` record). Rows built from now on take the date as if their
        capture's context had held it, and so do the rows still waiting here (a cover, a split
        report's first page: `late_published`); the first list to date a report wins, as for
        a waiting request. Returns that first date (what the stored row is dated with)."""
        rid = report_id(page_url)
        list_date = self._late.setdefault(rid, list_date)
        first = self._firsts.get(rid)
        if first is not None and not first[0].get("list_date"):
            self._firsts[rid] = ({**first[0], "list_date": list_date}, *first[1:])
        cover = self._covers.get(rid)
        if cover is not None:
            cover["published"], cover["published_source"] = late_published(cover, list_date)
        return list_date

    def late_date(self, rid: str) -> str | None:
        """The list date `date_late` gave report `rid`, if any."""
        return self._late.get(rid)

    def feed(self, context: dict, capture: dict, extraction: Extraction) -> list[dict]:
        if self._late and not context.get("list_date"):
            late = self._late.get(report_id(context.get("page_url") or capture["url"]))
            if late:
                context = {**context, "list_date": late}
        kind = context.get("kind")
        if kind == "report" and int(context.get("parts") or 1) > 1:
            key = report_id(capture["url"])
            self._firsts[key] = (context, capture, int(context["parts"]))
            self._pages.setdefault(key, {})[0] = extraction
            return self._joined(key)
        if kind == "continuation":
            key = report_id(context.get("page_url") or capture["url"])
            self._pages.setdefault(key, {})[int(context.get("part") or 1)] = extraction
            return self._joined(key)
        if kind == "report":
            return self._report(context, capture, extraction)
        if kind == "attachment":
            return self._attachment(context, capture, extraction)
        return []

    @staticmethod
    def rows_alone(context: dict, capture: dict, extraction: Extraction) -> list[dict]:
        """The rows one document gives by itself, before any joining: a report page that is
        not a cover, a file a list links directly, an attachment's own row (which a cover page
        then takes its text from). What the extraction pool precomputes statistics for."""
        alone = ReportAssembler()
        rows = alone.feed(context, capture, extraction)
        return rows + [row for waiting in alone._early.values() for row in waiting]

    def _joined(self, key: str, force: bool = False) -> list[dict]:
        first = self._firsts.get(key)
        pages = self._pages.get(key, {})
        if first is None or (len(pages) < first[2] and not force):
            return []
        del self._firsts[key], self._pages[key]
        context, capture, parts = first
        rows = self._report(context, capture, join_pages([pages[i] for i in sorted(pages)]))
        if len(pages) < parts:
            for row in rows:
                row["extract_error"] = row.get("extract_error") or (
                    f"{PARTIAL_MARK} {len(pages)} of the report's {parts} pages were archived")
        return rows

    def _report(self, context: dict, capture: dict, extraction: Extraction) -> list[dict]:
        row = build_report(context, capture, extraction)
        if row is None:
            return []
        if not is_stub(extraction):
            self._early.pop(row["id"], None)
            return [row]
        waiting = self._early.pop(row["id"], None)
        if waiting:
            return [merge_attachment(row, waiting[0])]
        self._covers[row["id"]] = row
        return []

    def _attachment(self, context: dict, capture: dict, extraction: Extraction) -> list[dict]:
        page_url = context.get("page_url") or capture["url"]
        direct = page_url == capture["url"]
        row = build_report(context, capture, extraction)
        if direct:  # a list links the file itself: the file is the report
            return [row] if row else []
        if row is None:
            # The file's own name may not say 年报; it stands for the cover page's report.
            row = build_report({**context, "anchor": context.get("page_title")}, capture, extraction)
            if row is None:
                return []
        cover = self._covers.pop(row["id"], None)
        if cover is not None:
            self._indexed.discard(row["id"])
            return [merge_attachment(cover, row)]
        self._early.setdefault(row["id"], []).append(row)
        return []

    def flush(self) -> list[dict]:
        rows = []
        for key in list(self._firsts):  # split reports with a page that never came
            rows.extend(self._joined(key, force=True))
        self._pages.clear()
        rows += [dict(row, extract_error=row.get("extract_error") or COVER_ONLY)
                 for rid, row in self._covers.items() if rid not in self._indexed]
        self._covers.clear()
        self._early.clear()
        self._indexed.clear()
        return rows
