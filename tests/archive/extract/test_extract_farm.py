"""The labelled set of issue 4: every report page of every skin of the sample portal farm.

farm renders each gold report (farm/corpus.py) in each platform skin with all the
furniture of a real portal (metadata tables, info bars, share/print widgets, headline lists
with a report title among them, footers, dialogs, hidden spam, Word-pasted runs, GBK bytes).
Extraction must give back the gold text: equal modulo whitespace, line for line, every table
row as one line, the same grids in ``.tables``, and the page metadata as fields.
"""
from __future__ import annotations

import re

import pytest

from archive.extract import extract

pages = pytest.importorskip("farm.pages")
if not hasattr(pages, "labelled_set"):  # pragma: no cover - the farm predates the set
    pytest.skip("farm.pages has no labelled_set()", allow_module_level=True)

WS = re.compile(r"\s+")
CASES = list(pages.labelled_set())


def squash(s: str) -> str:
    return WS.sub("", s)


def _id(case) -> str:
    skin, report, _, _ = case
    return f"{skin}-{report.slug}"


@pytest.fixture(scope="module")
def extracted():
    return {_id(c): extract(c[2], f"http://www.example.gov.cn/{_id(c)}.html", c[3])
            for c in CASES}


def test_every_skin_is_in_the_set():
    assert {c[0] for c in CASES} >= {"trs", "hanweb", "ucap", "legacy_gbk"}


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_text_equals_gold_modulo_whitespace(case, extracted):
    _, report, _, _ = case
    ex = extracted[_id(case)]
    assert squash(ex.text) == squash(report.gold_text())


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_lines_and_table_rows(case, extracted):
    _, report, _, _ = case
    ex = extracted[_id(case)]
    ours = [squash(x) for x in ex.text.splitlines() if x.strip()]
    gold = [squash(x) for x in report.gold_text().splitlines() if x.strip()]
    assert ours == gold
    lines = {squash(x) for x in ex.text.splitlines()}
    for table in report.gold_tables():
        for row in table:
            assert squash(" | ".join(row)) in lines, row
    assert [[[squash(c) for c in r] for r in t] for t in ex.tables] == \
        [[[squash(c) for c in r] for r in t] for t in report.gold_tables()]


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_title_and_metadata_fields(case, extracted):
    _, report, _, _ = case
    ex = extracted[_id(case)]
    assert ex.title == report.title
    assert ex.text.splitlines()[0] == report.title
    assert ex.metadata.get("index_no") == report.index_no
    assert ex.metadata.get("publisher") == report.publisher
    assert ex.metadata.get("published") == report.published
    assert ex.replacement_chars == 0
    for junk in ("索引号", "浏览次数", "打印本页", "关闭窗口", "扫一扫在手机", "即将离开", "浏览器版本太低",
                 "ICP备", "365体育", "网站标识码"):
        assert junk not in ex.text


def test_a_report_split_over_pages_joins_to_the_gold_text():
    """TRS splits long articles into t…html, t…_1.html, t…_2.html; each page repeats the
    title. join_pages gives the report back."""
    from archive.extract import join_pages

    farm_mod = pytest.importorskip("farm")
    farm = farm_mod.build_farm("platforms")
    multi = []
    for t in farm.truth:
        if t.content_type != "html" or not re.search(r"/t\d{8}_\d+\.s?html$", t.url):
            continue
        status, _, _ = farm.request("GET", re.sub(r"(\.s?html)$", r"_1\1", t.url))
        if status == 200:
            multi.append(t)
    if not multi:
        pytest.skip("this farm has no multi-page report")
    for t in multi:
        parts = []
        for i in range(0, 20):
            url = t.url if i == 0 else re.sub(r"(\.s?html)$", rf"_{i}\1", t.url)
            status, headers, body = farm.request("GET", url)
            if status != 200:
                break
            parts.append(extract(body, url, dict(headers).get("Content-Type")))
        assert len(parts) >= 2
        joined = join_pages(parts)
        assert squash(joined.text) == squash(t.text)
        assert joined.metadata.get("index_no") == t.index_no
