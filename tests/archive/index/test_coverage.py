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
