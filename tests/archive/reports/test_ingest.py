"""archive/reports/ingest.py: archived documents applied to a real reports.db, once, the same
way for the crawl's pipeline and for reindex."""
from __future__ import annotations

import pytest

from archive.extract import Extraction
from archive.index import Index, report_id
from archive.reports.ingest import Ingest

TITLE = "襄阳市人民政府2017年政府信息公开工作年度报告"
PAGE = "http://www.xiangyang.gov.cn/zwgk/201803/t20180330_1.html"
FILE = "http://www.xiangyang.gov.cn/zwgk/201803/P020180330.pdf"
BODY = "一、总体情况。" * 60


def ctx(kind: str = "report", **kw) -> dict:
    return {"portal": "襄阳市", "kind": kind, "anchor": TITLE, **kw}


def cap(url: str = PAGE, when: str = "2026-01-01T00:00:00Z", **kw) -> dict:
    """A capture; give other content another payload_digest (same digest = same content)."""
    return {"url": url, "status": 200, "warc_filename": "a.warc.gz", "warc_offset": 1,
            "payload_digest": "sha1:A", "fetched_at": when, **kw}


def page(text: str = BODY) -> Extraction:
    return Extraction(text=f"{TITLE}\n{text}", title=TITLE)


@pytest.fixture
def index(tmp_path):
    idx = Index(tmp_path / "reports.db")
    yield idx
    idx.close()


def never() -> Extraction:
    raise AssertionError("an unchanged current report must not be extracted")


def test_a_report_is_stored_counted_and_announced(index):
    seen = []
    ingest = Ingest(index, on_report=lambda portal, rid, has_text: seen.append((portal, rid)))
    ingest.document(ctx(), cap(), page())
    ingest.finish()
    row = index.get_report(PAGE)
    assert row["text"] == f"{TITLE}\n{BODY}" and row["url"] == PAGE
    assert ingest.counts["new"] == 1
    assert seen == [("襄阳市", report_id(PAGE))]


def test_the_same_text_again_is_unchanged_and_new_text_is_a_change(index):
    ingest = Ingest(index)
    ingest.document(ctx(), cap(), page())
    ingest.document(ctx(), cap(when="2026-02-01T00:00:00Z"), page())
    ingest.document(ctx(), cap(when="2026-03-01T00:00:00Z", payload_digest="sha1:B"), page("二、主动公开情况。" * 60))
    assert (ingest.counts["new"], ingest.counts["unchanged"], ingest.counts["changed"]) == (1, 1, 1)


def test_an_unchanged_document_of_a_current_report_is_seen_without_extraction(index):
    ingest = Ingest(index)
    ingest.document(ctx(), cap(), page())
    ingest.document(ctx(), cap(when="2026-05-01T00:00:00Z"), never, unchanged=True)
    assert ingest.counts["unchanged"] == 1
    assert index.get_report(PAGE)["last_seen"] == "2026-05-01T00:00:00Z"


def test_an_unchanged_document_of_an_unknown_report_is_extracted(index):
    ingest = Ingest(index)
    ingest.document(ctx(), cap(), page, unchanged=True)  # a thunk: called because it is needed
    assert index.get_report(PAGE)["text"] == f"{TITLE}\n{BODY}"


def test_an_unchanged_cover_still_takes_a_changed_attachment(index):
    ingest = Ingest(index)
    ingest.document(ctx(), cap(), page("详见附件。"))
    attachment = ctx("attachment", page_url=PAGE, page_title=TITLE, anchor="附件")
    ingest.document(attachment, cap(FILE), Extraction(text=BODY, content_type="pdf"))
    assert index.get_report(PAGE)["url"] == FILE
    # a refresh: the cover answers 304, the attachment has new text
    ingest.document(ctx(), cap(when="2026-06-01T00:00:00Z"), never, unchanged=True)
    ingest.document(attachment, cap(FILE, when="2026-06-01T00:00:00Z", payload_digest="sha1:B"),
                    Extraction(text="二、主动公开情况。" * 60, content_type="pdf"))
    ingest.finish()
    row = index.get_report(PAGE)
    assert row["text"] == "二、主动公开情况。" * 60 and row["title"] == TITLE
    assert ingest.counts["changed"] == 1


def test_a_gone_report_keeps_its_row_marked_removed(index):
    ingest = Ingest(index)
    ingest.document(ctx(), cap(), page())
    assert ingest.gone(PAGE, when="2026-07-01T00:00:00Z") == 1
    assert ingest.gone(PAGE, when="2026-08-01T00:00:00Z") == 0  # removed once, the first time
    row = index.get_report(PAGE)
    assert row["removed_at"] == "2026-07-01T00:00:00Z" and row["text"]
    assert ingest.counts["removed"] == 1


def test_finish_stores_a_cover_whose_attachment_never_came(index):
    ingest = Ingest(index)
    ingest.document(ctx(), cap(), page("详见附件。"))
    assert index.get_report(PAGE) is None
    ingest.finish()
    assert index.get_report(PAGE)["url"] == PAGE


# -- statistics derived in the extraction pool (extract_and_derive) ------------------------------

def _statistics(index: Index) -> tuple[list, list, list]:
    q = index.conn.execute
    return (q("SELECT * FROM report_stats ORDER BY report_id, table_index, row, col, row_key, col_key").fetchall(),
            q("SELECT * FROM report_checks ORDER BY report_id, \"check\", column").fetchall(),
            q("SELECT report_id, sketch FROM report_sketches ORDER BY report_id").fetchall())


@pytest.mark.parametrize("doc_type", ["html-trs", "docx"])
def test_statistics_derived_with_the_extraction_equal_those_derived_at_store(tmp_path, doc_type, monkeypatch):
    """The crawl's pool derives a report's statistics beside its extraction; the index must hold
    exactly what deriving them at store time (reindex) gives."""
    from archive.extract import extract
    from archive.reports.ingest import extract_and_derive
    from farm.stats_reports import render, stats_report

    sr = stats_report("2021", 0)
    body, url, ctype = render(sr, doc_type)
    context = {"portal": "统计局", "kind": "report", "anchor": sr.report.title}
    capture = cap(url)
    extraction, derived = extract_and_derive(body, url, ctype, context, {"url": url, "status": 200})
    assert [d.report_id for d in derived] == [report_id(url)] and derived[0].stats
    pooled, inline = Index(tmp_path / "pooled.db"), Index(tmp_path / "inline.db")
    try:
        with monkeypatch.context() as m:  # what the pool derived is used, not derived again
            m.setattr("archive.reports.ingest.derive", lambda row: pytest.fail("derived again at store"))
            ingest = Ingest(pooled)
            ingest.document(context, capture, extraction, derived=derived)
            ingest.finish()
        ingest = Ingest(inline)
        ingest.document(context, capture, extract(body, url, ctype))
        ingest.finish()
        got, want = _statistics(pooled), _statistics(inline)
        assert got == want and len(got[0]) >= 50 and got[1] and got[2]
    finally:
        pooled.close()
        inline.close()


def test_derived_statistics_that_do_not_fit_the_stored_row_are_derived_again(index):
    """A cover page joined with its attachment: the pool derived the attachment's row, but the
    stored row has the cover's year; what was derived for another text or year is not used."""
    from archive.reports.ingest import Derived, derive

    ingest = Ingest(index)
    row_text = f"{TITLE}\n{BODY}"
    stale = Derived(report_id(PAGE), row_text, "[]", 2016, [{"report_id": report_id(PAGE), "bogus": 1}], [], b"x")
    ingest.document(ctx(), cap(), page(), derived=[stale])
    ingest.finish()
    want = derive(index.get_report(PAGE))
    assert index.conn.execute("SELECT sketch FROM report_sketches").fetchone()[0] == want.sketch != b"x"
    fitting = Derived(report_id(FILE), f"{TITLE}\n{BODY}", "[]", 2017, [], [], b"fits")
    ingest.document(ctx("attachment", page_url=FILE), cap(FILE), page(), derived=[fitting])
    assert index.conn.execute("SELECT sketch FROM report_sketches WHERE report_id = ?",
                              (report_id(FILE),)).fetchone()[0] == b"fits"


ERROR_PAGE = Extraction(text="页面不存在\n首页\n政务公开\n对不起，您访问的页面不存在或已被删除！\n3\n秒后自动跳转到首页",
                        title="页面不存在", content_type="html")


def test_an_error_page_at_a_report_link_makes_no_row_and_says_why(index):
    ingest = Ingest(index)
    index.add_capture({"url": PAGE, "status": 200, "warc_filename": "a.warc.gz", "warc_offset": 1, "kind": "report"})
    ingest.document(ctx(), cap(), ERROR_PAGE)
    ingest.finish()
    assert index.get_report(PAGE) is None
    assert ingest.counts["soft_404"] == 1 and ingest.errors[0][0] == PAGE
    err = index.conn.execute("select extract_error from captures where url = ?", (PAGE,)).fetchone()[0]
    assert err.startswith("soft 404: ") and err == ingest.errors[0][1]


def test_a_report_whose_page_turns_into_an_error_page_keeps_its_text_and_is_removed(index):
    ingest = Ingest(index)
    ingest.document(ctx(), cap(), page())
    ingest.finish()
    later = Ingest(index)
    later.document(ctx(), cap(when="2026-07-01T00:00:00Z", payload_digest="sha1:404"), ERROR_PAGE)
    later.finish()
    row = index.get_report(PAGE)
    assert row["text"] == f"{TITLE}\n{BODY}" and row["version"] == 1 and row["extract_error"] is None
    assert row["removed_at"] == "2026-07-01T00:00:00Z"
    assert later.counts["removed"] == 1 and later.counts["changed"] == 0
    # the next run: the same error page (a revisit, "unchanged") must not make the report current again
    third = Ingest(index)
    third.document(ctx(), cap(when="2026-07-02T00:00:00Z", payload_digest="sha1:404"), lambda: ERROR_PAGE,
                   unchanged=True)
    third.finish()
    assert index.get_report(PAGE)["removed_at"] == "2026-07-01T00:00:00Z"
    assert third.counts["unchanged"] == 0 and third.counts["soft_404"] == 1


def test_an_error_page_for_an_attachment_leaves_its_cover_waiting(index):
    ingest = Ingest(index)
    ingest.document(ctx(), cap(), page("详见附件。"))
    ingest.document(ctx("attachment", page_url=PAGE, page_title=TITLE, anchor="附件"), cap(FILE), ERROR_PAGE)
    ingest.finish()
    row = index.get_report(PAGE)
    assert "页面不存在" not in row["text"] and row["extract_error"].startswith("cover page only")
    assert row["removed_at"] is None  # the report's page is there; only its file is not


def test_a_current_report_whose_page_bytes_changed_but_not_its_text_keeps_the_shortcut(index):
    """Only a removed report's unchanged page is judged again (the soft-404 rule above): a
    current one whose related-news box changed (same text, another digest) is not re-extracted."""
    ingest = Ingest(index)
    ingest.document(ctx(), cap(), page())
    ingest.document(ctx(), cap(when="2026-02-01T00:00:00Z", payload_digest="sha1:B"), page())
    ingest.document(ctx(), cap(when="2026-03-01T00:00:00Z", payload_digest="sha1:B"), never, unchanged=True)
    assert ingest.counts["unchanged"] == 2
    assert index.get_report(PAGE)["last_seen"] == "2026-03-01T00:00:00Z"


# -- a list that dates a report only after its capture (Ingest.list_date): the crawl calls it
# when its spider learns the date, reindex when it reads the urn:nianbao:listdate: record

UNDATED = "http://www.xiangyang.gov.cn/zwgk/content_77.html"  # no date in the URL


def test_a_stored_row_takes_a_late_list_date(index):
    ingest = Ingest(index)
    ingest.document(ctx(), cap(UNDATED), page())
    assert index.get_report(UNDATED)["published"] is None
    assert ingest.list_date(UNDATED, "2018-04-01") is True
    assert index.get_report(UNDATED)["published"] == "2018-04-01"
    assert ingest.counts["dated_after_capture"] == 1
    assert index.get_report(UNDATED)["version"] == 1  # the same text: no new version


def test_a_late_list_date_beats_the_url_date_but_not_the_pages_own(index):
    ingest = Ingest(index)
    ingest.document(ctx(), cap(PAGE), page())  # t20180330_ in its URL
    ingest.list_date(PAGE, "2018-04-01")
    assert index.get_report(PAGE)["published"] == "2018-04-01"
    ingest.document(ctx(), cap(UNDATED), Extraction(text=f"{TITLE}\n{BODY}", title=TITLE,
                                                    metadata={"published": "2018-03-28"}))
    assert ingest.list_date(UNDATED, "2018-04-01") is False
    assert index.get_report(UNDATED)["published"] == "2018-03-28"


def _cover_and_attachment(index, date_first: bool, date_between: bool) -> dict:
    ingest = Ingest(index)
    if date_first:
        ingest.list_date(UNDATED, "2018-04-01")
    ingest.document(ctx(), cap(UNDATED), page("详见附件。"))
    if date_between:
        ingest.list_date(UNDATED, "2018-04-01")
    attachment = ctx("attachment", page_url=UNDATED, page_title=TITLE, anchor="附件")
    ingest.document(attachment, cap(FILE, payload_digest="sha1:F"), Extraction(text=BODY, content_type="pdf"))
    if not (date_first or date_between):
        ingest.list_date(UNDATED, "2018-04-01")
    ingest.finish()
    return index.get_report(UNDATED)


@pytest.mark.parametrize("date_first, date_between", [(True, False), (False, True), (False, False)])
def test_the_row_is_the_same_whenever_the_late_date_comes(tmp_path, date_first, date_between):
    """Before the capture (another worker's WARC read first), while the cover waits for its
    attachment, after the row is stored: the crawl's pipeline and reindex may meet any."""
    idx = Index(tmp_path / "reports.db")
    try:
        row = _cover_and_attachment(idx, date_first, date_between)
    finally:
        idx.close()
    assert (row["url"], row["published"], row["version"]) == (FILE, "2018-04-01", 1)


@pytest.mark.parametrize("date_first", [True, False])
def test_an_unchanged_row_of_an_earlier_run_takes_a_late_list_date(tmp_path, date_first):
    """An earlier run stored the report with its URL's date; this run captures the same text
    undated and a list dates it late. Whichever the pipeline meets first, the list's date
    wins (this run knows the page states none), though the unchanged text keeps the row."""
    idx = Index(tmp_path / "reports.db")
    try:
        Ingest(idx).document(ctx(), cap(PAGE), page())
        assert idx.get_report(PAGE)["published"] == "2018-03-30"
        ingest = Ingest(idx)
        if date_first:
            ingest.list_date(PAGE, "2018-04-01")
        ingest.document(ctx(), cap(PAGE, when="2026-02-01T00:00:00Z"), page())
        if not date_first:
            ingest.list_date(PAGE, "2018-04-01")
        assert ingest.counts["unchanged"] == 1
        assert idx.get_report(PAGE)["published"] == "2018-04-01"
    finally:
        idx.close()


def test_a_row_an_earlier_run_built_takes_the_list_date_over_its_url_date_only(index):
    """An unchanged capture is not extracted again, so the page's own date is not read again:
    the stored row says where its date came from (`published_source`). A URL's date gives
    way to the list's, a page's own does not; a row from an index older than the column
    (source unknown) keeps the date it has."""
    Ingest(index).document(ctx(), cap(PAGE), page())
    Ingest(index).document(ctx(), cap(UNDATED), Extraction(text=f"{TITLE}\n{BODY}", title=TITLE,
                                                           metadata={"published": "2018-03-28"}))
    assert index.get_report(PAGE)["published_source"] == "url"
    assert index.get_report(UNDATED)["published_source"] == "page"
    ingest = Ingest(index)
    ingest.document(ctx(), cap(PAGE, when="2026-02-01T00:00:00Z"), never, unchanged=True)
    assert ingest.list_date(PAGE, "2018-04-01") is True
    assert ingest.list_date(UNDATED, "2018-04-01") is False
    assert [(index.get_report(u)["published"], index.get_report(u)["published_source"]) for u in (PAGE, UNDATED)] \
        == [("2018-04-01", "list"), ("2018-03-28", "page")]
    assert ingest.list_date(PAGE, "2018-05-01") is False  # the first list's date stays
    legacy = Ingest(index)
    index.set_published(PAGE, "2018-03-30", None)
    assert legacy.list_date(PAGE, "2018-04-01") is False
    assert index.get_report(PAGE)["published"] == "2018-03-30"


def test_a_late_date_for_a_report_never_stored_changes_nothing(index):
    assert Ingest(index).list_date(UNDATED, "2018-04-01") is False
    assert index.get_report(UNDATED) is None
