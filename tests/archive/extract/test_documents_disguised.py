"""Every document becomes text or says why (issue 17): a real crawl of 石门县 (farm/
disguised.py), whose reports are RTF/HTML/MHT/DOCX named .doc, a WPS file, a PDF after junk
bytes, a scanned PDF, a mixed PDF (text pages and a scanned page), a scanned OFD and a page of
scanned images; then reindex from the WARCs.

Needs Debian's tesseract-ocr + tesseract-ocr-chi-sim, poppler-utils and fonts-wqy-zenhei
(Makefile TEST_PKGS).
"""
from __future__ import annotations

import json
import re
import sqlite3

import pytest

from archive.reports.urls import identity_url
from bench.extract.metrics import char_prf, rows_recovered
from tests.crawling import connect_index, run_crawl

CONVERTED_F1 = 0.99
OCR_F1 = 0.95


def rows_without_text_or_reason(con) -> list[tuple]:
    """Report rows whose text has nothing past the title and that carry neither needs_ocr nor
    an extract_error: a lost report that looks present (the invariant of issue 17)."""
    bad = []
    for r in con.execute("select url, title, text, needs_ocr, extract_error from reports"):
        url, title, text, needs_ocr, error = r
        body = (text or "")
        if title and body.startswith(title):
            body = body[len(title):]
        if not body.strip() and not needs_ocr and not error:
            bad.append((url, text, needs_ocr, error))
    return bad


@pytest.fixture(scope="module")
def farm():
    from farm import Farm
    from farm.disguised import disguised_portal
    from farm.server import FarmServer

    f = Farm("disguised")
    f.add(disguised_portal().build())
    with FarmServer(f) as srv:
        f.port = srv.port if hasattr(srv, "port") else srv.start()
        yield f


@pytest.fixture(scope="module")
def crawled(farm, tmp_path_factory):
    archive = tmp_path_factory.mktemp("disguised")
    farm.write_portals_csv(archive / "portals.csv")
    proc = run_crawl(archive / "portals.csv", archive, farm.port, {"NIANBAO_EXTRACT_PROCESSES": 2})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return archive, proc


@pytest.fixture(scope="module")
def db(crawled):
    con = connect_index(crawled[0])
    yield con
    con.close()


def _rows(db) -> dict:
    return {identity_url(r["page_url"]): r for r in db.execute("select * from reports")}


def test_every_disguised_document_is_recognised_and_converted(farm, db):
    rows = _rows(db)
    assert len(rows) == len(farm.truth)
    for t in farm.truth:
        row = rows[identity_url(t.page_url)]
        assert row["content_type"] == t.content_type, t.url
        if row["text_source"] in ("ocr", "text+ocr"):
            continue
        assert row["text_source"] == "text" and row["extract_error"] is None, (t.url, row["extract_error"])
        assert char_prf(row["text"], t.text).f1 >= CONVERTED_F1, t.url
        gold_rows = [ln for ln in t.text.splitlines() if " | " in ln]
        if t.content_type in ("rtf", "html", "mht", "docx"):  # real tables: every row one line
            assert rows_recovered(row["text"], gold_rows) == (len(gold_rows), len(gold_rows)), t.url


def test_scans_are_ocred_with_their_table_numbers(farm, db):
    rows = _rows(db)
    ocred = [t for t in farm.truth if rows[identity_url(t.page_url)]["text_source"] == "ocr"]
    # the scanned PDF, the scanned OFD and the page of images
    assert {t.content_type for t in ocred} == {"pdf", "ofd", "html"} and len(ocred) == 3
    for t in ocred:
        row = rows[identity_url(t.page_url)]
        assert char_prf(row["text"], t.text).f1 >= OCR_F1, t.url
        assert row["ocr_engine"] == "tesseract" and 0.5 < row["ocr_confidence"] <= 1
        assert not row["needs_ocr"] and row["extract_error"] is None
        digits = [c for c in t.text.splitlines() if " | " in c]
        numbers = {cell for ln in digits for cell in ln.split(" | ") if cell.isdigit()}
        assert numbers and all(n in row["text"] for n in numbers), t.url


def test_mixed_pdf_row_has_its_text_pages_and_its_ocred_scan_in_order(farm, db):
    from farm.disguised import disguised_reports, mixed_parts

    rows = _rows(db)
    [t] = [t for t in farm.truth if "/mixedpdf" in t.url]
    row = rows[identity_url(t.page_url)]
    assert row["content_type"] == "pdf" and row["text_source"] == "text+ocr"
    assert not row["needs_ocr"] and row["extract_error"] is None and row["ocr_engine"] == "tesseract"
    head, scan, tail = mixed_parts(disguised_reports()["mixedpdf"])
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    text, h, tl = squash(row["text"]), squash(head.gold_text()), squash("\n".join(tail.body_lines()))
    assert text.startswith(h) and text.endswith(tl)  # the text pages exactly
    assert char_prf(text[len(h):len(text) - len(tl)], "\n".join(scan.body_lines())).f1 >= OCR_F1


def test_no_report_row_is_empty_without_a_reason(db):
    assert rows_without_text_or_reason(db) == []


def test_no_platforms_farm_report_is_empty_without_a_reason(platforms_crawled):
    """The same invariant over every report row of the platforms farm's crawl (all platform
    kinds, 石门县 included)."""
    archive, proc = platforms_crawled
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = connect_index(archive)
    assert con.execute("select count(*) from reports").fetchone()[0] > 50
    assert rows_without_text_or_reason(con) == []


def test_reindex_produces_the_same_rows(crawled, db, tmp_path):
    from archive.reindex import reindex

    archive, _ = crawled
    stats = reindex(archive / "warc", str(tmp_path / "rebuilt.db"), jobs=1)
    assert not stats.record_errors and not stats.failures
    cols = "page_url, url, text, content_type, needs_ocr, extract_error, text_source, ocr_engine, ocr_confidence"
    rebuilt = sqlite3.connect(tmp_path / "rebuilt.db")
    assert sorted(rebuilt.execute(f"select {cols} from reports").fetchall()) == \
        sorted(tuple(r) for r in db.execute(f"select {cols} from reports"))
    q = "select url, extract_error from captures where extract_error is not null"
    assert sorted(rebuilt.execute(q).fetchall()) == sorted(tuple(r) for r in db.execute(q))
    assert len(stats.document_errors) == len(db.execute(q).fetchall())


def test_ocr_off_leaves_scans_flagged_with_a_reason(farm, tmp_path):
    farm.write_portals_csv(tmp_path / "portals.csv")
    import os
    os.environ["NIANBAO_OCR"] = "off"
    try:
        proc = run_crawl(tmp_path / "portals.csv", tmp_path, farm.port)
    finally:
        del os.environ["NIANBAO_OCR"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = connect_index(tmp_path)
    scans = con.execute("select url, needs_ocr, extract_error, text_source from reports "
                        "where extract_error is not null").fetchall()
    assert len(scans) == 4  # the scanned PDF, the mixed PDF, the scanned OFD, the page of scans
    assert all(r["needs_ocr"] == 1 and r["extract_error"].startswith("OCR off") for r in scans)
    [mixed] = [r for r in scans if "/mixedpdf" in r["url"]]
    assert mixed["text_source"] == "text" and "1 of 3 PDF pages are scanned images" in mixed["extract_error"]
    assert rows_without_text_or_reason(con) == []
    # the capture rows say it too, the run summary lists them and the log counts them
    n = con.execute("select count(*) from captures where extract_error like 'OCR off%'").fetchone()[0]
    assert n >= 4  # the scans above (and the page's images, fetched all the same)
    run = json.loads((tmp_path / "last-run.json").read_text(encoding="utf-8"))
    assert run["extract_errors"]["count"] == n
    assert {r["url"] for r in scans} <= {d["url"] for d in run["extract_errors"]["documents"]}
    assert "nianbao/extract_errors" in proc.stderr
