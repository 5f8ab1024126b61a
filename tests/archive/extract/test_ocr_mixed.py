"""OCR of the scans a text layer leaves out (issue 17 point 3): a PDF of text pages with a
scanned page between them OCRs that page only, in its place, and keeps its text pages' text;
an OFD whose pages are only images (in its Res/ folder) is OCR'd like a scanned PDF. Both
from farm/disguised.py (seed report text drawn by the farm's scan code).

Needs Debian's tesseract-ocr + tesseract-ocr-chi-sim, poppler-utils and fonts-wqy-zenhei
(Makefile TEST_PKGS).
"""
from __future__ import annotations

import re

import pytest

from archive.extract import extract
from bench.extract.metrics import char_prf
from farm import disguised

REPORTS = disguised.disguised_reports()
MIXED = REPORTS["mixedpdf"]
SCANNED_OFD = REPORTS["scanofd"]
OCR_F1 = 0.95
PDF_URL = "http://www.shimen.gov.cn/uploadfile/20150319/mixedpdf7.pdf"
OFD_URL = "http://www.shimen.gov.cn/uploadfile/20140310/scanofd8.ofd"


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def mixed_gold() -> tuple[str, str, str]:
    """(text pages before the scan, scanned part, text pages after): gold texts."""
    head, scan, tail = disguised.mixed_parts(MIXED)
    return head.gold_text(), "\n".join(scan.body_lines()), "\n".join(tail.body_lines())


def table_numbers(gold: str) -> set[str]:
    return {c for ln in gold.splitlines() if " | " in ln for c in ln.split(" | ") if c.isdigit()}


@pytest.fixture(scope="module")
def mixed_pdf() -> bytes:
    return disguised.mixed_pdf_bytes(MIXED)


@pytest.fixture(scope="module")
def scanned_ofd() -> bytes:
    return disguised.scanned_ofd_bytes(SCANNED_OFD)


def test_mixed_pdf_ocrs_its_scanned_page_in_place_and_keeps_the_text_pages(mixed_pdf):
    ex = extract(mixed_pdf, PDF_URL, "application/pdf")
    head, scan, tail = mixed_gold()
    text = squash(ex.text)
    # the text pages exactly (character for character; line breaks are the layout's), in order
    assert text.startswith(squash(head)) and text.endswith(squash(tail))
    middle = text[len(squash(head)):len(text) - len(squash(tail))]
    assert char_prf(middle, scan).f1 >= OCR_F1
    assert table_numbers(scan) and all(n in middle for n in table_numbers(scan))
    assert ex.text_source == "text+ocr" and ex.ocr_engine == "tesseract" and 0.5 < ex.ocr_confidence <= 1
    assert not ex.needs_ocr and ex.extract_error is None
    # only the scanned page went through OCR
    assert ex.metadata["pages"] == 3 and ex.metadata["ocr_pages"] == 1
    assert ex.title == MIXED.title
    assert char_prf(ex.text, MIXED.gold_text()).f1 >= 0.98


def test_mixed_pdf_page_cap_counts_scanned_pages_only(mixed_pdf, monkeypatch):
    monkeypatch.setenv("NIANBAO_OCR_MAX_PAGES", "1")
    ex = extract(mixed_pdf, PDF_URL, "application/pdf")
    assert ex.text_source == "text+ocr" and ex.metadata["ocr_pages"] == 1
    assert ex.extract_error is None


def test_mixed_pdf_with_ocr_off_keeps_its_text_pages_and_says_which_are_scans(mixed_pdf, monkeypatch):
    monkeypatch.setenv("NIANBAO_OCR", "off")
    ex = extract(mixed_pdf, PDF_URL, "application/pdf")
    head, _, tail = mixed_gold()
    assert squash(ex.text) == squash(head) + squash(tail)
    assert ex.needs_ocr and ex.text_source == "text"
    assert ex.extract_error == "OCR off (NIANBAO_OCR=off): 1 of 3 PDF pages are scanned images (pages 2)"


def test_scanned_ofd_is_ocred(scanned_ofd):
    ex = extract(scanned_ofd, OFD_URL, "application/ofd")
    gold = SCANNED_OFD.gold_text()
    assert ex.content_type == "ofd" and ex.text_source == "ocr" and ex.ocr_engine == "tesseract"
    assert not ex.needs_ocr and ex.extract_error is None and 0.5 < ex.ocr_confidence <= 1
    assert char_prf(ex.text, gold).f1 >= OCR_F1
    assert table_numbers(gold) and all(n in ex.text for n in table_numbers(gold))
    pages = len(disguised.scan_pages(SCANNED_OFD))
    assert pages >= 2 and ex.metadata["pages"] == pages and ex.metadata["ocr_pages"] == pages
    assert ex.title == SCANNED_OFD.title  # DocInfo's


def test_scanned_ofd_page_cap_and_ocr_off(scanned_ofd, monkeypatch):
    pages = len(disguised.scan_pages(SCANNED_OFD))
    monkeypatch.setenv("NIANBAO_OCR_MAX_PAGES", "1")
    ex = extract(scanned_ofd, OFD_URL, "application/ofd")
    assert ex.text_source == "ocr" and ex.metadata["ocr_pages"] == 1 and not ex.needs_ocr
    assert ex.extract_error == f"OCR partial: 1 of {pages} scanned pages (NIANBAO_OCR_MAX_PAGES=1)"
    first = disguised.scan_pages(SCANNED_OFD)[0]
    assert char_prf(ex.text, extract(first, OFD_URL.replace(".ofd", ".png")).text).f1 > 0.99
    monkeypatch.setenv("NIANBAO_OCR", "off")
    ex = extract(scanned_ofd, OFD_URL, "application/ofd")
    assert ex.needs_ocr and ex.text == "" and ex.text_source is None
    assert ex.extract_error == (f"OCR off (NIANBAO_OCR=off): {pages} of {pages} OFD pages are scanned "
                                f"images (pages {', '.join(str(i + 1) for i in range(pages))})")


def test_a_blank_scanned_page_is_said_not_passed_over():
    """A scanned page OCR finds nothing on (blank, a photo): the text pages are kept and the
    row says which page gave nothing."""
    import io

    from PIL import Image

    from farm import docs

    buf = io.BytesIO()
    Image.new("L", (1240, 1754), 255).save(buf, "PNG")
    head, _, tail = disguised.mixed_parts(MIXED)
    body = docs.pdf_with_scans(MIXED.title, [[b.text for b in head.blocks], [buf.getvalue()],
                                             [b.text for b in tail.blocks]])
    ex = extract(body, PDF_URL, "application/pdf")
    assert squash(ex.text) == squash(head.gold_text()) + squash("\n".join(tail.body_lines()))
    assert ex.needs_ocr and ex.text_source == "text"
    assert ex.extract_error.startswith("OCR found no text (tesseract, 1 pages)")
    assert ex.extract_error.endswith(": 1 of 3 PDF pages are scanned images (pages 2)")


def test_a_scanned_page_is_read_from_its_own_image_and_keeps_its_table_numbers():
    """A page that is one scan image is OCR'd from that image (pdfimages), not from a
    re-rendering of it: rendered again by pdftoppm, this farm scan lost 5 of its 8 table
    numbers to OCR (bench/README, "ocr")."""
    from bench.ocr.run import scanned_reports

    report = next(r for r in scanned_reports(5) if r.slug.startswith("quzhou"))
    ex = extract(disguised.scanned_pdf_bytes(report), "http://www.quzhou.gov.cn/a/scan.pdf", None)
    assert ex.text_source == "ocr" and not ex.extract_error
    numbers = [c for ln in report.gold_text().splitlines() if " | " in ln for c in ln.split(" | ") if c.isdigit()]
    assert len(numbers) >= 8
    assert [c for c in numbers if c not in ex.text] == []
    assert char_prf(ex.text, report.gold_text()).f1 >= OCR_F1
