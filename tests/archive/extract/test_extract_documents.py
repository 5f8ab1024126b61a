"""archive.extract on attachments: DOCX, DOC, WPS, PDF (text layer and scanned).

Fixtures: tests/fixtures/extract/report.{docx,doc,pdf}, scanned.pdf (see make_documents.py
there for how they were made) and report.gold.txt; plus the farm's own PDF/DOCX/DOC files of
every seed report when farm is there.
"""
from __future__ import annotations

import re
import shutil

import pytest

from archive.extract import extract, sniff_type
from archive.extract import office as extract_office
from tests.paths import FIXTURES

FIX = FIXTURES / "extract"
WS = re.compile(r"\s+")
GOLD = (FIX / "report.gold.txt").read_text(encoding="utf-8")
GOLD_TABLE = [
    ["统计指标", "单位", "统计数"],
    ["一、主动公开情况", "", ""],
    ["（一）主动公开政府信息数", "条", "1652"],
    ["其中：主动公开规范性文件数", "条", "31"],
    ["二、回应解读情况", "次", "120"],
]
TITLE = "嘉禾县2017年政府信息公开年度报告"
needs_antiword = pytest.mark.skipif(not (shutil.which("antiword") or shutil.which("catdoc")),
                                    reason="antiword/catdoc not installed (make sysdeps)")


def squash(s: str) -> str:
    return WS.sub("", s)


def body(name: str) -> bytes:
    return (FIX / name).read_bytes()


# --- DOCX ---------------------------------------------------------------------------------
def test_docx_paragraphs_and_tables_in_document_order():
    ex = extract(body("report.docx"), "http://www.jiahe.gov.cn/attach/report.docx")
    assert ex.content_type == "docx"
    assert ex.text + "\n" == GOLD  # split runs joined, merged cells on the grid
    assert ex.tables == [GOLD_TABLE]
    assert ex.title == TITLE
    assert not ex.needs_ocr


def test_docx_is_recognised_by_its_bytes_not_its_url():
    ex = extract(body("report.docx"), "http://www.jiahe.gov.cn/module/download/downfile.jsp?id=7",
                 "application/octet-stream")
    assert ex.content_type == "docx"
    assert ex.text + "\n" == GOLD


# --- DOC / WPS ------------------------------------------------------------------------------
@needs_antiword
def test_doc_through_antiword():
    ex = extract(body("report.doc"), "http://www.jiahe.gov.cn/attach/report.doc")
    assert ex.content_type == "doc"
    lines = ex.text.splitlines()
    assert lines[0] == TITLE
    for line in GOLD.splitlines():
        if " | " not in line:
            assert line in lines
    # a binary Word table keeps no text in vertically merged continuation cells
    assert "其中：主动公开规范性文件数 |  | 31" in lines
    assert "（一）主动公开政府信息数 | 条 | 1652" in lines
    assert "一、主动公开情况 |  | " in lines
    assert len(ex.tables) == 1 and all(len(r) == 3 for r in ex.tables[0])


@needs_antiword
def test_wps_and_disguised_doc_are_sniffed_by_magic_bytes():
    data = body("report.doc")
    assert sniff_type(data, "http://x.gov.cn/a.wps") == "wps"
    ex = extract(data, "http://x.gov.cn/attach/2018/ndbg.wps")
    assert ex.content_type == "wps" and ex.text.startswith(TITLE)
    ex = extract(data, "http://x.gov.cn/art/2018/3/28/art_1.html", "text/html")
    assert ex.content_type == "doc" and ex.text.startswith(TITLE)


def test_doc_without_converter_reports_an_error(monkeypatch):
    monkeypatch.setattr(extract_office.shutil, "which", lambda name: None)
    ex = extract(body("report.doc"), "http://x.gov.cn/a.doc")
    assert ex.content_type == "doc"
    assert ex.text == ""
    assert "antiword" in ex.metadata["error"]


# --- PDF ----------------------------------------------------------------------------------
def test_pdf_text_in_reading_order_with_ruled_table_rebuilt():
    ex = extract(body("report.pdf"), "http://www.jiahe.gov.cn/attach/report.pdf")
    assert ex.content_type == "pdf"
    assert not ex.needs_ocr
    assert ex.title == TITLE
    assert squash(ex.text) == squash(GOLD)
    lines = ex.text.splitlines()
    for row in GOLD_TABLE:  # every row one line, the rowspan text repeated
        assert " | ".join(row) in lines
    assert ex.tables == [GOLD_TABLE]
    # wrapped lines of a paragraph are joined again
    assert GOLD.splitlines()[1] in lines


def test_scanned_pdf_needs_ocr_and_has_no_text():
    ex = extract(body("scanned.pdf"), "http://www.jiahe.gov.cn/attach/scan.pdf")
    assert ex.content_type == "pdf"
    assert ex.needs_ocr is True
    assert ex.text == ""


def test_broken_pdf_does_not_raise():
    ex = extract(body("report.pdf")[:3000], "http://x.gov.cn/a.pdf")
    assert ex.content_type == "pdf"
    assert isinstance(ex.text, str)


# --- the farm's attachments -------------------------------------------------------------------
def _farm():
    try:
        from farm import corpus, docs
    except Exception:  # noqa: BLE001
        pytest.skip("farm not available")
    return corpus, docs


@pytest.mark.parametrize("kind", ["docx", "pdf", "doc"])
def test_farm_attachments_give_the_gold_text(kind):
    corpus, docs = _farm()
    if kind == "doc" and not shutil.which("antiword"):
        pytest.skip("antiword not installed")
    from collections import Counter
    for report in corpus.seed_reports():
        r = report if kind == "docx" else corpus.variant(report, drop_tables=True)
        data = {"docx": docs.report_docx, "pdf": docs.report_pdf, "doc": docs.report_doc}[kind](r)
        ex = extract(data, f"http://x.gov.cn/{r.slug}.{kind}")
        assert ex.content_type == kind
        assert ex.title == r.title
        gold, ours = squash(r.gold_text()), squash(ex.text)
        if kind == "pdf":
            # pdfminer drops a character the farm's CID font cannot map (U+00B7 "·")
            common = sum((Counter(gold) & Counter(ours)).values())
            assert common / len(gold) >= 0.999 and common / len(ours) >= 0.999, r.slug
        else:
            assert ours == gold, r.slug


# --- spreadsheets (the 统计表 annex) ----------------------------------------------------
ANNEX = (FIX / "annex.gold.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["annex.xlsx", "annex.xls"])
def test_spreadsheet_annex_rows_with_merged_cells(name):
    if name.endswith(".xls"):
        pytest.importorskip("xlrd")  # pyproject: xlrd>=2.0 (catdoc's xls2csv garbles CJK)
    ex = extract(body(name), "http://www.jiahe.gov.cn/module/download/downfile.jsp?id=9")
    assert ex.content_type == "other"
    assert ex.metadata["format"] == name.rsplit(".", 1)[1]
    assert ex.text + "\n" == ANNEX  # merged title row: first column; rowspan 条 repeated
    assert ex.title == "嘉禾县2017年政府信息公开情况统计表"
    assert len(ex.tables) == 1 and {len(r) for r in ex.tables[0]} == {3}


def test_xls_without_xlrd_does_not_raise(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "xlrd", None)  # import fails: xls2csv or an error
    ex = extract(body("annex.xls"), "http://x.gov.cn/a.xls")
    assert ex.content_type == "other" and ex.metadata["format"] == "xls"


@pytest.mark.skipif(not shutil.which("catdoc"), reason="catdoc not installed")
def test_doc_falls_back_to_catdoc(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(extract_office.shutil, "which",
                        lambda name: None if name == "antiword" else real_which(name))
    ex = extract(body("report.doc"), "http://x.gov.cn/a.doc")
    assert ex.metadata["converter"] == "catdoc"
    assert ex.text.splitlines()[0] == TITLE
    assert "（一）主动公开政府信息数 | 条 | 1652" in ex.text.splitlines()


def test_docx_automatic_numbering_labels_are_put_back():
    """Word keeps 一、/（一）/1. of numbered headings in numbering.xml, not in the text runs
    (LibreOffice's text export of numbered.docx shows the same labels)."""
    ex = extract(body("numbered.docx"), "http://x.gov.cn/a.docx")
    assert ex.text + "\n" == (FIX / "numbered.gold.txt").read_text(encoding="utf-8")


def test_an_unreadable_pdf_says_why_in_its_own_words():
    """A PDF pdfminer cannot parse yields no text and pdfminer's reason (there is no second
    PDF library to fall back on: the error must not be an ImportError of one)."""
    e = extract(b"%PDF-1.4\n1 0 obj broken", "http://www.a.gov.cn/x.pdf")
    assert e.text == ""
    assert e.metadata["error"].startswith("unreadable PDF: PDFSyntaxError")
