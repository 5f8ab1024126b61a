"""PDF layout of Word-exported report PDFs (#17 point 5): ruled tables with merged cells and
labels wrapping inside them, tables and paragraphs cut by page breaks, two-line titles,
closing punctuation hanging past the margin in another font (farm/pdfdoc.py makes them).

The extraction must give the report's gold text line for line (modulo whitespace), its tables
grid for grid, the project's char-F1 (bench/extract/metrics.py) and every table row exact.
"""
from __future__ import annotations

import io
import re
from collections import Counter

import pytest

from archive.extract import extract
from bench.extract.metrics import char_prf, rows_recovered
from farm import corpus
from farm.pdfdoc import report_pdf_layout


def _reports():
    seeds = corpus.seed_reports()
    out = list(seeds)
    # other bodies and years move every page and table break somewhere else
    for base, gov, year in ((seeds[3], "荆门市", 2021), (seeds[3], "广水市", 2019),
                            (seeds[2], "丽水市", 2018), (seeds[4], "临武县", 2016)):
        out.append(corpus.variant(base, government=gov, year=year))
    return out


REPORTS = _reports()


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module", params=REPORTS, ids=lambda r: r.slug)
def case(request):
    r = request.param
    data = report_pdf_layout(r)
    return r, data, extract(data, f"http://www.example.gov.cn/{r.slug}.pdf")


def test_gold_text_line_for_line(case):
    r, _, ex = case
    assert ex.content_type == "pdf"
    assert ex.title == r.title  # the two-line title, joined
    gold = [_squash(x) for x in r.gold_text().splitlines()]
    ours = [_squash(x) for x in ex.text.splitlines()]
    # the CID font cannot encode U+00B7 "·": pdfminer drops it (see test_extract_documents)
    assert ours == [g.replace("·", "") for g in gold]


def test_char_f1_and_every_table_row(case):
    r, _, ex = case
    score = char_prf(ex.text, r.gold_text())
    assert score.f1 >= 0.999
    rows = [ln for ln in r.gold_text().splitlines() if " | " in ln]
    hit, n = rows_recovered(ex.text, rows)
    assert hit == n
    assert ex.tables == r.gold_tables()


def _pdfminer_lines(data: bytes) -> list[list[str]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine

    pages = []
    for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
        lines: list[str] = []

        def walk(obj) -> None:
            for item in obj:
                if isinstance(item, LTTextLine):
                    lines.append(item.get_text().strip())
                elif isinstance(item, LTTextContainer):
                    walk(item)
        walk(page)
        pages.append(lines)
    return pages


def test_the_farm_pdfs_hold_the_hard_cases():
    """Guards the generator: without these the tests above prove nothing."""
    from farm.pdfdoc import layout_stats

    stats = [layout_stats(r) for r in REPORTS]
    assert sum(s["merged_cells_cut"] for s in stats) >= 3  # a rowspan label cut by a page
    assert sum(s["table_breaks"] for s in stats) >= 5
    assert sum(s["paragraph_breaks"] for s in stats) >= 10
    r = {x.slug: x for x in REPORTS}["suizhou-2020"]
    flat = [ln for p in _pdfminer_lines(report_pdf_layout(r)) for ln in p]
    assert flat[0] + flat[1] == r.title  # the title is two lines on the page
    # hanging punctuation that a layout engine sees as a line of its own
    assert Counter(flat)["。"] + Counter(flat)["，"] >= 3
    # labels wrapping inside their cells
    assert not any("（四）无法提供" in ln for ln in flat)
    assert any(ln == "（四）" or ln.startswith("（四）无") for ln in flat)


def test_per_page_reading_would_break_them():
    """The document reading (layout.document_lines) is what joins across pages: reading each
    page alone loses the cut tables' labels and splits paragraphs at the page break."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    from archive.extract.layout import document_lines
    from archive.extract.pdf import _page
    from farm.pdfdoc import layout_stats

    r = next(x for x in REPORTS if layout_stats(x)["merged_cells_cut"])
    data = report_pdf_layout(r)
    la = LAParams(line_margin=0.5, char_margin=2.0, word_margin=0.1, detect_vertical=False)
    layouts = [_page(p)[0] for p in extract_pages(io.BytesIO(data), laparams=la)]
    per_page = [ln for lay in layouts for ln in document_lines([lay])[0]]
    whole, _ = document_lines(layouts)
    rows = [ln for ln in r.gold_text().splitlines() if " | " in ln]
    assert rows_recovered("\n".join(whole), rows)[0] == len(rows)
    assert rows_recovered("\n".join(per_page), rows)[0] < len(rows)
    assert len(per_page) > len(whole)


@pytest.mark.parametrize("slug", corpus.SEED_SLUGS)
def test_ofd_pages_are_read_together_too(slug):
    """OFD shares layout.py: its tables cut by a page break are one table again and its
    paragraphs cut by one are one line (the farm OFD, farm/docs.py report_ofd)."""
    from farm import docs

    r = corpus.seed_report(slug)
    ex = extract(docs.report_ofd(r), f"http://www.example.gov.cn/{slug}.ofd")
    assert ex.metadata["pages"] >= 3
    assert [_squash(x) for x in ex.text.splitlines()] == \
        [_squash(x) for x in r.gold_text().splitlines()]
    assert ex.tables == r.gold_tables()
