"""archive/reports/rows.py: which captures are reports, what their rows say, and how cover
pages, attachments and split pages are joined (the same for the crawl and reindex)."""
from __future__ import annotations

import json

from archive.extract import Extraction
from archive.index import report_id
from archive.reports.rows import (
    COVER_ONLY,
    STUB_CHARS,
    ReportAssembler,
    build_report,
    is_stub,
    late_published,
    merge_attachment,
    published_and_source,
    published_date,
)

TITLE = "襄阳市人民政府2017年政府信息公开工作年度报告"
PAGE = "http://www.xiangyang.gov.cn/zwgk/201803/t20180330_1.html"
FILE = "http://www.xiangyang.gov.cn/zwgk/201803/P020180330.pdf"
BODY = "一、总体情况。" * 60  # well past STUB_CHARS


def page(text: str = BODY, **kw) -> Extraction:
    return Extraction(text=f"{TITLE}\n{text}", title=TITLE, **kw)


def ctx(kind: str = "report", **kw) -> dict:
    return {"portal": "襄阳市", "kind": kind, "anchor": TITLE, "province": "湖北省", "level": "city", **kw}


def cap(url: str = PAGE, **kw) -> dict:
    return {"url": url, "status": 200, "warc_filename": "a.warc.gz", "warc_offset": 10,
            "payload_digest": "sha1:X", "fetched_at": "2026-01-01T00:00:00Z", **kw}


def test_a_report_page_becomes_a_row_keyed_by_its_page_url():
    ex = page(tables=[[["a", "b"]]], metadata={"published": "2018-03-30", "publisher": "襄阳市政府办公室",
                                              "index_no": "011-01/2018-1", "written": "2018-03-29"})
    row = build_report(ctx(list_root="http://www.xiangyang.gov.cn/zwgk/"), cap(), ex)
    assert row["id"] == report_id(PAGE)
    assert (row["page_url"], row["url"], row["title"], row["year"]) == (PAGE, PAGE, TITLE, 2017)
    assert (row["published"], row["publisher"], row["index_no"], row["written"]) == (
        "2018-03-30", "襄阳市政府办公室", "011-01/2018-1", "2018-03-29")
    assert (row["portal"], row["province"], row["level"]) == ("襄阳市", "湖北省", "city")
    assert row["listed_on"] == "http://www.xiangyang.gov.cn/zwgk/"
    assert json.loads(row["tables"]) == [[["a", "b"]]]
    assert (row["warc_filename"], row["warc_offset"], row["payload_digest"]) == ("a.warc.gz", 10, "sha1:X")


def test_not_a_report_no_row():
    assert build_report(ctx(), cap(status=404), page()) is None
    assert build_report(ctx(kind="list"), cap(), page()) is None
    other = Extraction(text="关于开展检查的通知\n…", title="关于开展检查的通知")
    assert build_report(ctx(anchor="关于开展检查的通知"), cap(), other) is None


def test_the_anchor_names_the_report_when_the_page_title_does_not():
    ex = Extraction(text="正文" * 200, title="首页 > 政府信息公开")
    assert build_report(ctx(), cap(), ex)["title"] == TITLE


def test_published_falls_back_to_the_list_date_then_the_url_date():
    assert build_report(ctx(list_date="2018-04-01"), cap(), page())["published"] == "2018-04-01"
    assert build_report(ctx(), cap(), page())["published"] == "2018-03-30"  # t20180330_ in the URL


def test_a_document_files_publisher_is_the_body_in_its_title_not_a_line_of_its_text():
    pdf = Extraction(text=f"{TITLE}\n{BODY}", title=TITLE, content_type="pdf", metadata={"publisher": "某局"})
    assert build_report(ctx(), cap(), pdf)["publisher"] == "襄阳市人民政府"
    bare = Extraction(text=f"2017年政府信息公开工作年度报告\n{BODY}", title="2017年政府信息公开工作年度报告",
                      content_type="pdf")
    assert build_report(ctx(anchor=None), cap(), bare)["publisher"] == "襄阳市"  # the portal


def test_a_cover_page_is_a_stub():
    assert is_stub(page("详见附件。"))
    assert not is_stub(page("字" * STUB_CHARS))
    assert is_stub(page("字" * (STUB_CHARS - 1)))


def test_merge_attachment_keeps_the_page_metadata_and_takes_the_document():
    cover = build_report(ctx(), cap(), page("详见附件。", metadata={"published": "2018-03-30"}))
    att = build_report(ctx("attachment", page_url=PAGE, page_title=TITLE), cap(FILE, warc_offset=99),
                       Extraction(text=BODY, title=None, content_type="pdf"))
    row = merge_attachment(cover, att)
    assert (row["id"], row["page_url"], row["published"], row["title"]) == (cover["id"], PAGE, "2018-03-30", TITLE)
    assert (row["url"], row["text"], row["content_type"], row["warc_offset"]) == (FILE, BODY, "pdf", 99)


def _attachment(a: ReportAssembler, text: str = BODY) -> list[dict]:
    return a.feed(ctx("attachment", page_url=PAGE, page_title=TITLE, anchor="附件1"), cap(FILE),
                  Extraction(text=text, content_type="pdf"))


def test_a_cover_waits_for_its_attachment():
    a = ReportAssembler()
    assert a.feed(ctx(), cap(), page("详见附件。")) == []
    [row] = _attachment(a)
    assert (row["page_url"], row["url"], row["text"]) == (PAGE, FILE, BODY)
    assert row["extract_error"] is None
    assert a.flush() == []


def test_an_attachment_that_comes_first_waits_for_its_cover():
    a = ReportAssembler()
    assert _attachment(a) == []
    [row] = a.feed(ctx(), cap(), page("详见附件。"))
    assert (row["url"], row["text"]) == (FILE, BODY)


def test_a_page_with_its_own_text_does_not_wait():
    a = ReportAssembler()
    [row] = a.feed(ctx(), cap(), page())
    assert row["url"] == PAGE
    assert _attachment(a) == []  # the page is the report; its attachment has no cover to join
    assert a.flush() == []


def test_a_cover_whose_attachment_never_comes_is_flushed_with_its_own_text():
    a = ReportAssembler()
    a.feed(ctx(), cap(), page("详见附件。"))
    [row] = a.flush()
    assert row["url"] == PAGE and "详见附件" in row["text"]
    # no silent success: the row says its text is only the cover's
    assert row["extract_error"] == COVER_ONLY


def test_a_file_linked_from_the_list_is_the_report():
    a = ReportAssembler()
    [row] = a.feed(ctx("attachment", page_url=FILE), cap(FILE), Extraction(text=BODY, content_type="pdf"))
    assert row["id"] == report_id(FILE) and row["url"] == FILE


def test_a_split_report_is_joined_when_all_its_pages_are_in():
    a = ReportAssembler()
    second = "http://www.xiangyang.gov.cn/zwgk/201803/t20180330_1_1.html"
    assert a.feed(ctx(parts=2), cap(), page("第一页" * 80)) == []
    [row] = a.feed(ctx("continuation", page_url=PAGE, part=1), cap(second),
                   Extraction(text=f"{TITLE}\n" + "第二页" * 80, title=TITLE))
    assert row["text"] == f"{TITLE}\n" + "第一页" * 80 + "\n" + "第二页" * 80  # the repeated title dropped
    assert row["id"] == report_id(PAGE)


def test_a_split_report_missing_a_page_is_flushed_with_what_came():
    a = ReportAssembler()
    a.feed(ctx(parts=3), cap(), page("第一页" * 80))
    [row] = a.flush()
    assert "第一页" in row["text"] and row["page_url"] == PAGE
    assert row["extract_error"] == "partial: 1 of the report's 3 pages were archived"


# -- a list that dates a report only after its capture (the crawl's urn:nianbao:listdate: record)

UNDATED = "http://www.xiangyang.gov.cn/zwgk/content_77.html"  # no date in the URL


def test_published_date_page_metadata_then_list_date_then_url_date():
    assert published_date("2018-03-28", "2018-04-01", PAGE) == "2018-03-28"
    assert published_date(None, "2018-04-01", PAGE) == "2018-04-01"  # beats t20180330_ in the URL
    assert published_date(None, None, PAGE) == "2018-03-30"
    assert published_date(None, None, UNDATED) is None
    assert published_date("", "2018-04-01", UNDATED) == "2018-04-01"  # an empty page date is none


def test_a_row_says_where_its_date_came_from():
    assert published_and_source("2018-03-28", "2018-04-01", PAGE) == ("2018-03-28", "page")
    assert published_and_source(None, "2018-04-01", PAGE) == ("2018-04-01", "list")
    assert published_and_source(None, None, PAGE) == ("2018-03-30", "url")
    assert published_and_source(None, None, UNDATED) == (None, None)
    for meta, list_date, want in (({}, None, ("2018-03-30", "url")), ({}, "2018-04-01", ("2018-04-01", "list")),
                                  ({"published": "2018-03-28"}, "2018-04-01", ("2018-03-28", "page"))):
        [row] = ReportAssembler().feed(ctx(list_date=list_date), cap(PAGE), page(metadata=meta))
        assert (row["published"], row["published_source"]) == want


def test_a_row_built_before_a_late_list_date_learns_what_it_should_hold():
    a = ReportAssembler()
    [row] = a.feed(ctx(), cap(UNDATED), page())
    assert row["published"] is None
    assert a.date_late(UNDATED, "2018-04-01") == "2018-04-01"
    assert late_published(row, "2018-04-01") == ("2018-04-01", "list")
    [url_dated] = ReportAssembler().feed(ctx(), cap(PAGE), page())
    assert late_published(url_dated, "2018-04-01") == ("2018-04-01", "list")  # beats the URL's date
    # a row from an index older than published_source: its date may be its page's, it stays
    assert late_published({"page_url": PAGE, "published": "2018-03-30"}, "2018-04-01") == ("2018-03-30", None)
    assert late_published({"page_url": UNDATED, "published": None}, "2018-04-01") == ("2018-04-01", "list")


def test_a_late_list_date_does_not_beat_the_pages_own_date():
    a = ReportAssembler()
    [row] = a.feed(ctx(), cap(UNDATED), page(metadata={"published": "2018-03-28"}))
    a.date_late(UNDATED, "2018-04-01")
    assert late_published(row, "2018-04-01") == ("2018-03-28", "page") == (row["published"], row["published_source"])
    # nor the first list's
    [listed] = ReportAssembler().feed(ctx(list_date="2018-03-31"), cap(UNDATED), page())
    assert late_published(listed, "2018-04-01") == ("2018-03-31", "list")


def test_a_late_list_date_known_before_the_capture_is_fed_dates_its_row():
    a = ReportAssembler()
    assert a.date_late(PAGE, "2018-04-01") == "2018-04-01"
    [row] = a.feed(ctx(), cap(PAGE), page())
    assert (row["published"], row["published_source"]) == ("2018-04-01", "list")
    assert a.late_date(row["id"]) == "2018-04-01"
    # a date the capture's own context holds is not replaced
    [listed] = ReportAssembler(_late={report_id(PAGE): "2018-04-01"}).feed(
        ctx(list_date="2018-03-31"), cap(PAGE), page())
    assert listed["published"] == "2018-03-31"


def test_a_waiting_cover_takes_a_late_list_date_before_its_attachment_comes():
    a = ReportAssembler()
    cover = ctx()
    assert a.feed(cover, cap(UNDATED), page("详见附件。")) == []
    assert a.date_late(UNDATED, "2018-04-01") == "2018-04-01"
    [row] = a.feed(ctx("attachment", page_url=UNDATED, page_title=TITLE, anchor="附件1"), cap(FILE),
                   Extraction(text=BODY, content_type="pdf"))
    assert (row["url"], row["published"], row["published_source"]) == (FILE, "2018-04-01", "list")
    assert "list_date" not in cover  # the caller's context is left as it was archived


def test_a_split_reports_first_page_waiting_takes_a_late_list_date():
    a = ReportAssembler()
    assert a.feed(ctx(parts=2), cap(UNDATED), page("第一页" * 80)) == []
    a.date_late(UNDATED, "2018-04-01")
    [row] = a.feed(ctx("continuation", page_url=UNDATED, part=1), cap(UNDATED + "?page=2"),
                   Extraction(text="第二页" * 80, title=TITLE))
    assert row["published"] == "2018-04-01"


def test_a_file_a_list_links_takes_a_late_list_date():
    a = ReportAssembler()
    [row] = a.feed(ctx("attachment", page_url=FILE), cap(FILE), Extraction(text=BODY, content_type="pdf"))
    assert row["published"] is None
    a.date_late(FILE, "2018-04-01")
    assert late_published(row, "2018-04-01") == ("2018-04-01", "list")
    [again] = a.feed(ctx("attachment", page_url=FILE), cap(FILE), Extraction(text=BODY, content_type="pdf"))
    assert (again["published"], again["published_source"]) == ("2018-04-01", "list")


def test_the_first_late_list_date_wins():
    a = ReportAssembler()
    a.feed(ctx(), cap(UNDATED), page())
    assert a.date_late(UNDATED, "2018-04-01") == "2018-04-01"
    assert a.date_late(UNDATED, "2018-05-01") == "2018-04-01"
