"""bench/extract's metric: character-level P/R/F1 on a multiset of characters after NFKC,
whitespace and "|" removed; table rows recovered as one line."""
from __future__ import annotations

from bench.extract.metrics import char_prf, normalise, rows_recovered


def test_normalise_ignores_whitespace_pipes_and_width():
    assert normalise("统计指标 | 单位 |\n统计数　ＡＢ１") == "统计指标单位统计数AB1"


def test_precision_recall_f1():
    s = char_prf("一二三四", "一二三四五六七八")
    assert (s.precision, s.recall) == (1.0, 0.5)
    assert abs(s.f1 - 2 / 3) < 1e-9
    s = char_prf("一二三四X", "一二三四")
    assert s.recall == 1.0 and s.precision == 0.8
    assert char_prf("", "").f1 == 1.0 and char_prf("", "一").recall == 0.0


def test_rows_recovered_accepts_markdown_style_rows():
    gold = ["a | b | c", "d |  | f"]
    assert rows_recovered("x\n| a | b | c |\nd | | f", gold) == (2, 2)
    assert rows_recovered("a b c\nd\nf", gold) == (0, 2)
