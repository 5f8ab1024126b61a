"""archive/extract/tables.py: spans laid on a grid (the table contract of docs/design.md)."""
from __future__ import annotations

from archive.extract.tables import MAX_SPAN, Cell, build_grid, row_line


def cells(*texts: str) -> list[Cell]:
    return [Cell(t) for t in texts]


def test_a_colspan_keeps_its_text_in_its_first_column():
    grid = build_grid([[Cell("收到申请", colspan=3)], cells("当面", "网上", "信函")])
    assert grid == [["收到申请", "", ""], ["当面", "网上", "信函"]]


def test_a_rowspan_repeats_its_text_in_every_row_it_covers():
    grid = build_grid([[Cell("办理结果", rowspan=3), Cell("予以公开"), Cell("5")],
                       cells("部分公开", "2"),
                       cells("不予公开", "1")])
    assert grid == [["办理结果", "予以公开", "5"], ["办理结果", "部分公开", "2"], ["办理结果", "不予公开", "1"]]


def test_a_rowspan_in_a_later_column_does_not_shift_the_next_rows_cells():
    grid = build_grid([[Cell("a"), Cell("合计", rowspan=2), Cell("c")], cells("b", "d")])
    assert grid == [["a", "合计", "c"], ["b", "合计", "d"]]


def test_a_rowspan_past_the_last_cell_of_a_row_still_fills_its_column():
    grid = build_grid([[Cell("a"), Cell("z", rowspan=2)], cells("b")])
    assert grid == [["a", "z"], ["b", "z"]]


def test_rowspan_zero_reaches_the_end_of_the_table():
    grid = build_grid([[Cell("x", rowspan=0), Cell("1")], cells("2"), cells("3")])
    assert [row[0] for row in grid] == ["x", "x", "x"]


def test_a_rowspan_beyond_the_table_is_cut_at_its_end():
    grid = build_grid([[Cell("x", rowspan=9), Cell("1")], cells("2")])
    assert grid == [["x", "1"], ["x", "2"]]


def test_a_span_on_both_axes():
    grid = build_grid([[Cell("项目", colspan=2, rowspan=2), Cell("本年")], cells("7"), cells("甲", "乙", "8")])
    assert grid == [["项目", "", "本年"], ["项目", "", "7"], ["甲", "乙", "8"]]


def test_rows_are_padded_to_one_width():
    grid = build_grid([cells("a"), cells("b", "c", "d")])
    assert grid == [["a", "", ""], ["b", "c", "d"]]


def test_huge_spans_are_clamped():
    grid = build_grid([[Cell("x", colspan=1000)]])
    assert len(grid[0]) == MAX_SPAN
    assert grid[0][0] == "x" and set(grid[0][1:]) == {""}


def test_empty_rows_are_dropped_unless_asked_to_keep_them():
    rows = [cells("a", "b"), cells(" ", ""), cells("c", "d")]
    assert build_grid(rows) == [["a", "b"], ["c", "d"]]
    assert build_grid(rows, drop_empty_rows=False) == [["a", "b"], [" ", ""], ["c", "d"]]


def test_no_rows_no_grid():
    assert build_grid([]) == []


def test_a_row_is_one_line():
    assert row_line(["申请", "", "3"]) == "申请 |  | 3"
