"""Hostile DOCX/XLSX packages: zip bombs, entity bombs, damaged parts (archive/extract/zipparts.py).

Real fixtures (tests/fixtures/extract/numbered.docx, annex.xlsx) with one part swapped for a
hostile one; extract() must report the problem, keep what it can and stay within bounded
memory (tracemalloc counts lxml's and zlib's buffers allocated through Python too).
"""
from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from archive.extract import extract, zipparts
from tests.paths import FIXTURES

FIX = FIXTURES / "extract"
BOMB_MB = 200  # inflates to 200 MB; stored as ~200 KB


def _swap(fixture: str, part: str, write) -> bytes:
    """`fixture` with `part` replaced by what `write(fh)` streams into it (deflated)."""
    src = zipfile.ZipFile(FIX / fixture)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            if name != part:
                out.writestr(name, src.read(name))
        with out.open(part, "w") as fh:
            write(fh)
    return buf.getvalue()


def _bomb(start: bytes):
    def write(fh):
        fh.write(start)
        chunk = b" " * 2**20
        for _ in range(BOMB_MB):
            fh.write(chunk)
    return write


def _measured(body: bytes, url: str):
    tracemalloc.start()
    try:
        ex = extract(body, url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return ex, peak


W_DOC = (b'<?xml version="1.0"?><w:document xmlns:w='
         b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')


def test_a_docx_whose_document_is_a_zip_bomb_is_reported_within_bounded_memory():
    body = _swap("numbered.docx", "word/document.xml", _bomb(W_DOC))
    assert len(body) < 2**20 < BOMB_MB * 2**20
    ex, peak = _measured(body, "http://x.gov.cn/a.docx")
    assert ex.content_type == "docx" and ex.text == ""
    assert "word/document.xml: larger than" in ex.metadata["error"]
    assert peak < 2 * zipparts.MAX_PART_BYTES < BOMB_MB * 2**20


def test_a_docx_with_a_bomb_in_numbering_keeps_its_text():
    plain = extract((FIX / "numbered.docx").read_bytes(), "http://x.gov.cn/a.docx")
    body = _swap("numbered.docx", "word/numbering.xml", _bomb(b"<w:numbering>"))
    ex, peak = _measured(body, "http://x.gov.cn/a.docx")
    assert peak < 2 * zipparts.MAX_PART_BYTES
    assert "error" not in ex.metadata
    # the paragraphs are all there, only the automatic 一、/（一） labels are lost
    for line in plain.text.splitlines()[1:]:
        if not line.startswith(("一", "二", "三", "四", "五", "六", "（", "1", "2", "3")):
            assert line in ex.text


def test_entities_in_a_docx_are_not_expanded():
    laughs = '<!ENTITY a "AAAAAAAAAA">' + "".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
    doc = (f'<?xml version="1.0"?><!DOCTYPE w:document [{laughs}'
           '<!ENTITY file SYSTEM "file:///etc/passwd">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body><w:p><w:r><w:t>政府信息公开&i;&file;年度报告</w:t></w:r></w:p></w:body>'
           '</w:document>').encode()
    body = _swap("numbered.docx", "word/document.xml", lambda fh: fh.write(doc))
    ex, peak = _measured(body, "http://x.gov.cn/a.docx")
    assert ex.text.startswith("政府信息公开")  # the text up to the first entity reference
    assert "AAAA" not in ex.text and "root:" not in ex.text  # 10^9 A's; /etc/passwd
    assert peak < 50 * 2**20


X_SHEET = (b'<?xml version="1.0"?><worksheet xmlns='
           b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')


def test_an_xlsx_sheet_that_is_a_bomb_is_reported():
    sheets = [n for n in zipfile.ZipFile(FIX / "annex.xlsx").namelist()
              if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    body = _swap("annex.xlsx", sheets[0], _bomb(X_SHEET))
    ex, peak = _measured(body, "http://x.gov.cn/a.xlsx")
    assert ex.metadata["format"] == "xlsx"
    assert f"{sheets[0]}: larger than" in ex.metadata["error"]
    assert peak < 2 * zipparts.MAX_PART_BYTES


def test_all_parts_together_are_capped(monkeypatch):
    data = (FIX / "numbered.docx").read_bytes()
    monkeypatch.setattr(zipparts, "MAX_TOTAL_BYTES", 1000)
    ex = extract(data, "http://x.gov.cn/a.docx")
    assert "larger than" in ex.metadata["error"]


def test_a_damaged_part_is_a_part_error_naming_it():
    good = (FIX / "numbered.docx").read_bytes()
    zf = zipfile.ZipFile(io.BytesIO(good))
    info = zf.getinfo("word/document.xml")
    # flip bytes inside the part's compressed data (after its 30-byte local header + name)
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + 10
    broken = bytearray(good)
    for i in range(at, at + 40):
        broken[i] ^= 0x5A
    parts = zipparts.Parts(zipfile.ZipFile(io.BytesIO(bytes(broken))))
    with pytest.raises(zipparts.PartError, match="word/document.xml"):
        parts.read("word/document.xml")
    ex = extract(bytes(broken), "http://x.gov.cn/a.docx")
    assert ex.content_type == "docx" and "word/document.xml" in ex.metadata["error"]
