"""Documents are recognised by their bytes, not their names, and every one without (full) text
says why (issue 17). Documents are built here or by the farm (farm/disguised.py, docs.py)."""
from __future__ import annotations

import io
import zipfile

import pytest

from archive.extract import extract, sniff_type
from archive.extract.rtf import extract_rtf
from bench.extract.metrics import char_prf
from farm import disguised, docs
from farm.corpus import seed_report, variant

REPORTS = disguised.disguised_reports()
SZ = REPORTS["rtf"]          # 2021-template tables with rowspans and colspans
JH = REPORTS["wps"]
PDF = REPORTS["junkpdf"]    # table-free, as the farm's PDFs are


def doc_url(ext: str = "doc") -> str:
    return f"http://www.shimen.gov.cn/uploadfile/20230310/a.{ext}"


# --- sniffing -------------------------------------------------------------------------------------
@pytest.mark.parametrize("make,ext,ctype,kind", [
    (disguised.rtf_bytes, "doc", "application/msword", "rtf"),
    (disguised.word_html_bytes, "doc", "application/msword", "html"),
    (disguised.mht_bytes, "doc", "application/octet-stream", "mht"),
    (docs.report_docx, "doc", "application/msword", "docx"),
    (disguised.wps_bytes, "doc", "application/msword", "wps"),   # WPS Office marks, .doc name
    (disguised.wps_bytes, "wps", "application/octet-stream", "wps"),
    (lambda r: docs.doc_bytes(r.gold_text().splitlines()), "docx", "application/octet-stream", "doc"),
    (lambda r: b"\r\n\xef\xbb\xbf \r\n" + docs.report_pdf(PDF), "doc", "application/msword", "pdf"),
    (lambda r: r.gold_text().encode("gb18030"), "doc", "application/msword", "text"),
    (lambda r: r.gold_text().encode("utf-16-le"), "doc", "application/octet-stream", "text"),
    (lambda r: r.gold_text().encode("utf-16"), "txt", None, "text"),
])
def test_sniffed_by_content_not_by_name(make, ext, ctype, kind):
    assert sniff_type(make(JH if kind in ("doc", "pdf", "text", "wps") else SZ), doc_url(ext), ctype) == kind


def test_ole2_workbook_is_a_spreadsheet_whatever_its_name():
    # an OLE2 file with a Workbook stream (XLS, and WPS's ET which is BIFF8 inside)
    body = docs._cfb({"Workbook": b"\x09\x08" + b"\0" * 100})
    assert sniff_type(body, doc_url("et"), "application/octet-stream") == "xls"
    assert sniff_type(body, doc_url("doc"), "application/msword") == "xls"


# --- conversion of the disguised ones ---------------------------------------------------------------
@pytest.mark.parametrize("key,make,kind", [
    ("rtf", disguised.rtf_bytes, "rtf"),
    ("html", disguised.word_html_bytes, "html"),
    ("mht", disguised.mht_bytes, "mht"),
    ("wps", disguised.wps_bytes, "wps"),
])
def test_disguised_documents_convert_with_their_tables(key, make, kind):
    r = REPORTS[key]
    ex = extract(make(r), doc_url(), "application/msword")
    assert ex.content_type == kind and ex.extract_error is None and ex.text_source == "text"
    assert char_prf(ex.text, r.gold_text()).f1 >= 0.99
    lines = ex.text.splitlines()
    if kind != "wps":  # the farm's WPS carries its table as text lines; the others as tables
        for row in (row for t in r.gold_tables() for row in t):
            assert " | ".join(row) in lines
        assert ex.tables == r.gold_tables()


def test_rtf_gbk_escapes_unicode_escapes_and_merged_cells():
    rtf = (b"{\\rtf1\\ansi\\ansicpg936{\\fonttbl{\\f0\\fnil\\fcharset134 \\'cb\\'ce\\'cc\\'e5;}}\n"
           b"\\pard \\'d5\\'fe\\'b8\\'ae\\u20449?\\'cf\\'a2\\'b9\\'ab\\'bf\\'aa\\par\n"
           b"\\trowd\\clvmgf\\cellx1000\\clmgf\\cellx2000\\clmrg\\cellx3000\n"
           b"\\pard\\intbl \\'c9\\'ea\\'c7\\'eb\\cell \\'ca\\'fd\\'c1\\'bf\\cell \\cell\\row\n"
           b"\\trowd\\clvmrg\\cellx1000\\cellx2000\\cellx3000\n"
           b"\\pard\\intbl \\cell 12\\cell 3\\cell\\row\n\\pard}")
    out = extract_rtf(rtf)
    assert out.content_type == "rtf"
    assert out.text.splitlines() == ["政府信息公开", "申请 | 数量 | ", "申请 | 12 | 3"]
    assert out.tables == [[["申请", "数量", ""], ["申请", "12", "3"]]]


def test_mht_base64_part_in_gbk():
    import base64
    html = "<html><head><title>某县2020年政府信息公开工作年度报告</title></head><body>" \
           "<p>某县2020年政府信息公开工作年度报告</p><p>本年度共受理申请12件。</p></body></html>"
    b64 = base64.encodebytes(html.encode("gbk")).decode()
    mht = ("MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\n"
           "Content-Type: text/html; charset=\"gbk\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + b64 + "\r\n--b--\r\n").encode("ascii")
    ex = extract(mht, doc_url(), None)
    assert ex.content_type == "mht"
    assert ex.text.splitlines() == ["某县2020年政府信息公开工作年度报告", "本年度共受理申请12件。"]


def test_gbk_and_utf16_text_files():
    gold = JH.gold_text()
    for body in (gold.encode("gb18030"), gold.encode("utf-16-le"), gold.encode("utf-16-be"),
                 gold.encode("utf-16")):
        ex = extract(body, doc_url("txt"), None)
        assert char_prf(ex.text, gold).f1 == 1.0 and ex.replacement_chars == 0


# --- failures are data ------------------------------------------------------------------------------
def test_unknown_binary_says_unknown_format():
    ex = extract(b"\x00\x01\x02garbage\x00" * 50, doc_url(), "application/msword")
    assert ex.text == "" and ex.extract_error.startswith("unknown format: ")


def test_unreadable_pdf_keeps_the_readers_own_messages():
    ex = extract(docs.report_pdf(PDF)[:2500], doc_url("pdf"), "application/pdf")
    assert ex.text == "" and ex.extract_error.startswith("unreadable PDF: PSEOF: "), ex.extract_error
    assert "No module named" not in ex.extract_error


def test_encrypted_pdf_says_encrypted():
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    for page in PdfReader(io.BytesIO(docs.report_pdf(PDF))).pages:
        w.add_page(page)
    w.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    w.write(buf)
    ex = extract(buf.getvalue(), doc_url("pdf"), "application/pdf")
    assert ex.text == "" and ex.extract_error.startswith("encrypted PDF: "), ex.extract_error


def test_zip_bomb_docx_is_refused_with_a_reason():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b" " * (65 * 1024 * 1024))
    ex = extract(buf.getvalue(), doc_url("docx"), None)
    assert ex.text == "" and ex.extract_error.startswith("zip bomb refused: ")


def test_converter_missing_says_which(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without antiword/catdoc
    ex = extract(disguised.wps_bytes(JH), doc_url("wps"), None)
    assert ex.text == "" and "neither antiword nor catdoc is installed" in ex.extract_error


# --- OCR --------------------------------------------------------------------------------------------
SCAN = REPORTS["scanpdf"]


def test_scanned_pdf_is_ocred():
    ex = extract(disguised.scanned_pdf_bytes(SCAN), doc_url("pdf"), "application/pdf")
    assert ex.text_source == "ocr" and ex.ocr_engine == "tesseract" and not ex.needs_ocr
    assert ex.extract_error is None and 0.5 < ex.ocr_confidence <= 1
    assert char_prf(ex.text, SCAN.gold_text()).f1 >= 0.95


def test_ocr_off_and_unavailable_leave_the_scan_flagged(monkeypatch, tmp_path):
    body = disguised.scanned_pdf_bytes(SCAN)
    monkeypatch.setenv("NIANBAO_OCR", "off")
    ex = extract(body, doc_url("pdf"), "application/pdf")
    assert ex.needs_ocr and ex.text == "" and ex.extract_error == "OCR off (NIANBAO_OCR=off)"
    monkeypatch.setenv("NIANBAO_OCR", "on")
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without tesseract/poppler
    ex = extract(body, doc_url("pdf"), "application/pdf")
    assert ex.needs_ocr and ex.text == "" and ex.extract_error.startswith("OCR unavailable: ")


def test_ocr_page_cap(monkeypatch):
    longer = disguised._short(variant(seed_report("jiahe-2017"), year=2013), 14, 0)
    pages = len(disguised.scan_pages(longer))
    assert pages >= 2
    monkeypatch.setenv("NIANBAO_OCR_MAX_PAGES", "1")
    ex = extract(disguised.scanned_pdf_bytes(longer), doc_url("pdf"), "application/pdf")
    assert ex.text_source == "ocr" and ex.metadata["ocr_pages"] == 1
    assert ex.extract_error == f"OCR partial: 1 of {pages} pages (NIANBAO_OCR_MAX_PAGES=1)"


def test_partly_scanned_ofd_keeps_its_text_and_says_what_is_missing(monkeypatch):
    monkeypatch.setenv("NIANBAO_OCR", "off")
    ids = docs.OfdIds()
    text = docs.ofd_text(25, 40, "本年度共受理政府信息公开申请12件。", ids)
    ofd = docs.ofd_package([text, [docs.ofd_image(ids)]], ids=ids, title="某县2020年政府信息公开工作年度报告")
    ex = extract(ofd, doc_url("ofd"), None)
    assert ex.text == "本年度共受理政府信息公开申请12件。" and ex.needs_ocr
    assert ex.extract_error == "OCR off (NIANBAO_OCR=off): 1 of 2 OFD pages are scanned images (pages 2)"
