"""archive.index.coverage: a division whose only reports hold no report text (a cover page
whose file was never archived, a scan OCR could not read) is found but not covered."""
from __future__ import annotations

import sqlite3

from archive.index import Index
from archive.reports.rows import COVER_ONLY
from tests.archive.index.test_index import report

SUIZHOU, SHIYAN, XIANGYANG = "421300", "420300", "420600"  # 湖北省 prefecture-level cities


def test_reports_without_text_do_not_cover_a_division(tmp_path):
    ix = Index(tmp_path / "reports.db")
    for name, code in (("随州市", SUIZHOU), ("十堰市", SHIYAN), ("襄阳市", XIANGYANG)):
        ix.upsert_portal({"name": name, "url": f"http://{code}.example/", "code": code, "status": "ok"})
    ix.upsert_report(report(portal="随州市", division_code=SUIZHOU))   # the whole report
    ix.upsert_report(report("http://www.shiyan.gov.cn/zwgk/nb2020.shtml", portal="十堰市",
                            division_code=SHIYAN, publisher="十堰市人民政府", text="见附件。",
                            extract_error=COVER_ONLY))
    ix.upsert_report(report("http://www.xiangyang.gov.cn/zwgk/nb2020.shtml", portal="襄阳市",
                            division_code=XIANGYANG, publisher="襄阳市人民政府", text="",
                            content_type="pdf", needs_ocr=True, extract_error="scanned PDF: OCR is off"))
    ix.close()
    con = sqlite3.connect(tmp_path / "reports.db")
    con.row_factory = sqlite3.Row
    row = con.execute("select * from division_coverage where province_code = '420000' "
                      "and level = 'prefecture'").fetchone()
    assert (row["with_portal"], row["with_reports"], row["with_report_text"]) == (3, 3, 1)
    missing = {r["code"]: r["missing"] for r in con.execute(
        "select code, missing from divisions_missing where province = '湖北省'")}
    assert SUIZHOU not in missing
    assert missing[SHIYAN] == missing[XIANGYANG] == "reports without text only (see reports.extract_error)"


def test_has_text_sql_agrees_with_holds_text(tmp_path):
    """The coverage views' HAS_TEXT and the crawl's rows.holds_text are one rule in two
    languages: the same answer on every kind of row."""
    from archive.index.coverage import HAS_TEXT
    from archive.reports.rows import holds_text

    cases = [dict(text="正文", needs_ocr=0, extract_error=None),
             dict(text="见附件。", needs_ocr=0, extract_error=COVER_ONLY),
             dict(text="", needs_ocr=1, extract_error="scanned PDF: OCR is off"),
             dict(text="部分", needs_ocr=0, extract_error="partial: 2 of 3 pages"),
             dict(text="", needs_ocr=0, extract_error="no text: the HTML document is empty"),
             dict(text=None, needs_ocr=0, extract_error=None)]
    con = sqlite3.connect(":memory:")
    for row in cases:
        got = con.execute(f"select {HAS_TEXT} from (select ? as text, ? as needs_ocr, ? as extract_error) r",
                          (row["text"], row["needs_ocr"], row["extract_error"])).fetchone()[0]
        assert bool(got) == holds_text(row), row
