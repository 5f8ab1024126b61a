"""Character-level precision / recall / F1 of an extracted text against a gold text.

Both texts are normalised the same way: Unicode NFKC, then every whitespace character and
every "|" removed (so the ` | ` cell separators and line breaks do not count, and a
full-width ｜, which NFKC maps to "|", neither). The comparison is on the *multiset* of
characters (bag of characters): precision = |ours ∩ gold| / |ours|,
recall = |ours ∩ gold| / |gold|. It is exact and fast, and blind to order; the order-aware
check is the test suite's equality modulo whitespace and the table-row recovery below.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_DROP = re.compile(r"[\s|]+")


def normalise(text: str | None) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text or ""))


@dataclass
class Score:
    precision: float
    recall: float
    f1: float


def char_prf(ours: str | None, gold: str) -> Score:
    o = Counter(normalise(ours))
    g = Counter(normalise(gold))
    n_o = sum(o.values())
    n_g = sum(g.values())
    common = sum((o & g).values())
    p = common / n_o if n_o else (1.0 if not n_g else 0.0)
    r = common / n_g if n_g else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Score(p, r, f)


def rows_recovered(ours: str | None, gold_rows: list[str]) -> tuple[int, int]:
    """How many gold table rows (``a | b | c``) appear as one line of the text, compared
    after NFKC with whitespace removed and outer "|" stripped (trafilatura writes
    markdown-style ``| a | b | c |`` rows: the same row)."""
    if not gold_rows:
        return 0, 0
    def key(line: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", line)).strip("|")
    lines = {key(ln) for ln in (ours or "").splitlines()}
    hit = sum(1 for r in gold_rows if key(r) in lines)
    return hit, len(gold_rows)
