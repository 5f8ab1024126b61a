"""Statistics tables → report_stats / report_checks (archive/stats, issue #18).

Real markup: the farm's cleaned seed tables (grids as the extraction contract gives them), the
raw seed texts of ../shared/seeds (naive extraction: ragged ` | ` rows, flattened 统计表), the
official 2021 template DOCX read with the project's own extract(), and hand-made variants of
the seed tables (full-width digits, numbering styles, transposed, cut across pages).
"""
from __future__ import annotations

import copy
import json

import pytest

from archive.extract import extract
from archive.stats import labels as L
from archive.stats import parse_tables, parse_value, report_statistics, run_checks
from farm.corpus import seed_report
from tests.paths import SHARED

SEEDS = SHARED / "seeds"
TEMPLATE = SHARED / "templates" / "2021_report_format_template.docx"


def _values(parsed) -> dict:
    return {(s.table, s.row_key, s.col_key): s.value for s in parsed.stats}


def _suizhou_grids() -> list[list[list[str]]]:
    return seed_report("suizhou-2020").gold_tables()


def _apps(grids):
    return next(g for g in grids if any("本年新收" in c for r in g for c in r))


def test_values_land_where_the_grid_has_them():
    """Every number of the seed's 2019-layout tables is stored with the cell it came from, and
    the cell's text is that number."""
    grids = _suizhou_grids()
    parsed = parse_tables(grids, "", 2020)
    assert parsed.template == "2019"
    numeric_cells = {(ti, ri, ci) for ti, g in enumerate(grids) for ri, r in enumerate(g)
                     for ci, c in enumerate(r) if parse_value(c)[1] is not None and ci > 0
                     or (ti == 2 and parse_value(c)[1] is not None)}
    got = {(s.table_index, s.row, s.col) for s in parsed.stats if s.value is not None}
    assert got == numeric_cells
    for s in parsed.stats:
        assert parse_value(grids[s.table_index][s.row][s.col])[1] == s.value
    # row and column keys read from the labels of that cell's row and column
    apps = _apps(grids)
    for s in parsed.stats:
        if s.table == L.APPLICATIONS:
            row = apps[s.row]
            header = [L.norm(apps[1][s.col]), L.norm(apps[2][s.col])]
            want_col = dict(L.APPLICANT_COLUMNS)[s.col_key][0]
            assert any(h == want_col or h.startswith(want_col) for h in header), (s, header)
            assert L.application_row_key([c for c in row if parse_value(c)[0] is False], None)[0] \
                in (s.row_key, None) or s.row_key.startswith("other")


def test_seed_checks_pass_and_a_changed_number_fails():
    grids = _suizhou_grids()
    checks = run_checks(parse_tables(grids, "", 2020))
    assert checks and all(c["status"] == "pass" for c in checks)
    names = {c["check"] for c in checks}
    assert names == {"balance", "results_sum", "applicant_sum", "review_sum"}
    bad = copy.deepcopy(grids)
    apps = _apps(bad)
    row = next(r for r in apps if "本年新收" in r[0])
    row[3] = str(int(row[3]) + 1)  # 自然人 of 本年新收
    failed = [c for c in run_checks(parse_tables(bad, "", 2020)) if c["status"] == "fail"]
    assert {(c["check"], c["column"]) for c in failed} == {
        ("balance", "natural_person"), ("applicant_sum", "new_requests")}
    nums = json.loads(failed[0]["numbers"])
    assert nums["lhs"] or nums["rhs"]
    # a review total that does not add up
    bad = copy.deepcopy(grids)
    bad[2][-1][4] = "9"
    failed = [c for c in run_checks(parse_tables(bad, "", 2020)) if c["status"] == "fail"]
    assert [(c["check"], c["column"]) for c in failed] == [("review_sum", "reconsideration")]


def test_raw_seed_text_gives_the_same_numbers_as_the_clean_grid():
    """Seed 003 as a naive extraction left it (rowspan cells missing, cells shifted left, header
    split over three rows, '本年新 制作数量' with a space): same numbers, same keys."""
    raw = (SEEDS / "003_8b4dfd596b2b0ec5.txt").read_text(encoding="utf-8")
    from_text = parse_tables([], raw, None)
    from_grid = parse_tables(_suizhou_grids(), "", 2020)
    assert from_text.source == "text" and from_text.template == "2019"
    assert _values(from_text) == _values(from_grid)
    assert all(c["status"] == "pass" for c in run_checks(from_text))


@pytest.mark.parametrize("seed,slug", [("004_a0a57c0ee97c5b38.txt", "jiahe-2017"),
                                       ("002_75263946f453c9d5.txt", "quzhou-2016")])
def test_flattened_legacy_annex(seed, slug):
    """Seeds 002/004: the 统计表 flattened one cell per line; every printed number pairs with
    the label of the clean table (units were lost by that extraction)."""
    raw = (SEEDS / seed).read_text(encoding="utf-8")
    flat = parse_tables([], raw, None)
    clean = parse_tables(seed_report(slug).gold_tables(), "", 2017)
    assert flat.template == clean.template == "pre2019"
    clean_vals = {k: v for k, v in _values(clean).items() if v is not None}
    flat_vals = _values(flat)
    assert {k: flat_vals.get(k) for k in clean_vals} == clean_vals
    assert not any(k[1].startswith("label:") for k in flat_vals)
    checks = run_checks(flat)
    assert [c["status"] for c in checks] == ["skipped"]


def test_legacy_units_and_blanks():
    parsed = parse_tables(seed_report("jiahe-2017").gold_tables(), "", 2017)
    by = {s.row_key: s for s in parsed.stats}
    assert by["fees"].unit == "万元" and by["active_total"].unit == "条"
    assert by["channel_gazette"].value is None  # blank cell: null, not 0
    assert by["reconsideration_upheld"].row != by["lawsuit_upheld"].row


def test_official_2021_template_docx():
    """The blank official format: template recognised from its labels (no year given), every
    key of the 2021 application table present, every value null, no check passes."""
    ex = extract(TEMPLATE.read_bytes(), "http://example.invalid/t.docx")
    parsed = parse_tables(ex.tables, ex.text, None)
    assert parsed.template == "2021"
    rows = {s.row_key for s in parsed.stats if s.table == L.APPLICATIONS}
    want = {k for k, _, _ in L.APPLICATION_ROWS} | {"other_other"}
    assert rows == want
    cols = {s.col_key for s in parsed.stats if s.table == L.APPLICATIONS}
    assert cols == {k for k, _ in L.APPLICANT_COLUMNS}
    assert {s.col_key for s in parsed.stats if s.table == L.ACTIVE} == {
        "issued", "repealed", "in_force", "decisions", "fee_amount"}
    assert all(s.value is None for s in parsed.stats)
    checks = run_checks(parsed)
    assert checks and {c["status"] for c in checks} == {"skipped"}


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "0" <= ch <= "9" else ch for ch in s)


def test_variants_fullwidth_numbering_whitespace():
    grids = _suizhou_grids()
    base = _values(parse_tables(grids, "", 2020))
    var = copy.deepcopy(grids)
    for g in var:
        for r in g:
            for i, c in enumerate(r):
                c = _fullwidth(c)
                c = c.replace("（一）", "(一)").replace("一、", "（一）").replace("二、", "2、")
                c = c.replace("总计", "总 计").replace("予以公开", "予以\n公开")
                r[i] = c
    assert _values(parse_tables(var, "", 2020)) == base


def test_transposed_application_table():
    grids = _suizhou_grids()
    base = _values(parse_tables(grids, "", 2020))
    apps = _apps(grids)
    width = len(apps[0])
    t = [[r[c] for r in apps] for c in range(width)]
    var = [grids[0], t, grids[2]]
    parsed = parse_tables(var, "", 2020)
    assert _values(parsed) == base
    # the source positions point at the transposed grid's cells
    for s in parsed.stats:
        assert parse_value(var[s.table_index][s.row][s.col])[1] == s.value


def test_table_cut_across_pages():
    """The application table split in two grids (a PDF page break): the second part has no
    header; with and without the header repeated."""
    grids = _suizhou_grids()
    base = _values(parse_tables(grids, "", 2020))
    apps = _apps(grids)
    cut = 12
    wider = [r[:3] + [""] + r[3:] for r in apps[cut:]]  # the next page's grid has one more column
    for second in (apps[cut:], apps[:3] + apps[cut:], wider):
        var = [grids[0], apps[:cut], second, grids[2]]
        parsed = parse_tables(var, "", 2020)
        assert _values(parsed) == base
        assert {s.table_index for s in parsed.stats if s.table == L.APPLICATIONS} == {1, 2}


def test_null_markers_and_values():
    assert parse_value("—") == (True, None, None)
    assert parse_value("/") == (True, None, None)
    assert parse_value("") == (True, None, None)
    assert parse_value("１，２００") == (True, 1200, None)
    assert parse_value("172536.2597万元") == (True, 172536.2597, "万元")
    assert parse_value("-97") == (True, -97, None)
    assert parse_value("自然人")[0] is False
    grids = _suizhou_grids()
    var = copy.deepcopy(grids)
    row = next(r for r in _apps(var) if "上年结转" in r[0])
    row[4] = "—"
    stats = {(s.row_key, s.col_key): s for s in parse_tables(var, "", 2020).stats}
    assert stats[("carried_over", "commercial")].value is None
    assert stats[("carried_over", "commercial")].raw == "—"


def test_template_from_labels_not_year():
    grids = _suizhou_grids()
    assert parse_tables(grids, "", 2022).template == "2019"  # 2019 labels win over the year
    ex = extract(TEMPLATE.read_bytes(), "http://example.invalid/t.docx")
    assert parse_tables(ex.tables, "", 2019).template == "2021"
    assert parse_tables([grids[2]], "", 2021).template == "2021"  # review table alone: year
    assert parse_tables([grids[2]], "", 2020).template == "2019"


def test_unreadable_report_says_why():
    for tables, text in (([], "一、总体情况\n全年主动公开信息100条。"),
                         ([[["姓名", "电话"], ["张三", "123"]]], "")):
        rows, checks = report_statistics("r1", tables, text, 2020)
        assert rows == []
        assert [c["status"] for c in checks] == ["unreadable"] and checks[0]["message"]
        assert checks[0]["report_id"] == "r1"


def test_active_rows_keyed_by_their_own_label_not_their_note():
    """Seed 003's 其他对外管理服务事项 carries a note naming 行政许可, 行政处罚 and 行政强制: each
    row's key is the one its label (before the note) names, and no key repeats."""
    raw = (SEEDS / "003_8b4dfd596b2b0ec5.txt").read_text(encoding="utf-8")
    for parsed in (parse_tables([], raw, None), parse_tables(_suizhou_grids(), "", 2020)):
        active = [s for s in parsed.stats if s.table == L.ACTIVE]
        words = dict(L.ACTIVE_ROWS)
        assert {s.row_key for s in active} == {
            "regulations", "normative_documents", "other_documents", "licensing", "other_services",
            "penalties", "enforcement", "fees", "procurement"}
        for s in active:
            main = L.strip_numbering(s.label).split("(")[0]
            assert words[s.row_key][0] in main, (s.row_key, s.label)
        assert len({(s.row_key, s.col_key) for s in active}) == len(active)


def test_cli_missing_file_is_one_line(tmp_path):
    # docs/stats.md's `python -m archive.stats FILE…` on a wrong path was a FileNotFoundError traceback
    import os
    import subprocess
    import sys

    from tests.paths import ROOT

    r = subprocess.run([sys.executable, "-m", "archive.stats", str(tmp_path / "missing.txt")], capture_output=True,
                       text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1] == f"python -m archive.stats: error: {tmp_path / 'missing.txt'}: no such file"
