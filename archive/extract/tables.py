"""Tables as grids: ``colspan``/``rowspan`` (HTML) and ``gridSpan``/``vMerge`` (DOCX) resolved.

The contract (docs/design.md): a cell spanning several columns keeps its text in its first
column and leaves empty strings in the others; a cell spanning several rows repeats its text
in every row it covers. Every row of a grid has the same number of cells, so no cell shifts
column, and a row renders as one line ``a | b | c``.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Cell", "build_grid", "row_line", "MAX_SPAN"]

MAX_SPAN = 200  # portals write colspan="1000" to mean "the rest": clamp


@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1  # 0 = to the end of the table (HTML semantics)


def build_grid(rows: list[list[Cell]], drop_empty_rows: bool = True) -> list[list[str]]:
    """Lay ``rows`` of cells on a grid. Returns rows of equal length."""
    grid: list[list[str | None]] = []
    # pending[col] = (text, rows_left) for rowspans reaching into later rows
    pending: dict[int, tuple[str, int]] = {}
    n_rows = len(rows)
    for r, cells in enumerate(rows):
        line: list[str | None] = []

        def fill_pending(col: int) -> int:
            while col in pending:
                text, left = pending[col]
                _put(line, col, text)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
                col += 1
            return col

        col = 0
        for cell in cells:
            col = fill_pending(col)
            while col < len(line) and line[col] is not None:
                col += 1
                col = fill_pending(col)
            colspan = max(1, min(cell.colspan, MAX_SPAN))
            rowspan = cell.rowspan
            if rowspan <= 0:
                rowspan = n_rows - r
            rowspan = max(1, min(rowspan, n_rows - r, MAX_SPAN))
            for k in range(colspan):
                text = cell.text if k == 0 else ""
                _put(line, col + k, text)
                if rowspan > 1:
                    pending[col + k] = (text, rowspan - 1)
            col += colspan
        # rowspans covering columns after the last cell of this row
        for c in sorted(pending):
            if c < len(line) and line[c] is not None:
                continue  # placed by this row (a rowspan starting here)
            text, left = pending[c]
            _put(line, c, text)
            if left <= 1:
                del pending[c]
            else:
                pending[c] = (text, left - 1)
        grid.append(line)
    width = max((len(row) for row in grid), default=0)
    out = [[c if c is not None else "" for c in row] + [""] * (width - len(row)) for row in grid]
    if drop_empty_rows:
        out = [row for row in out if any(c.strip() for c in row)]
    return out


def _put(line: list[str | None], col: int, text: str) -> None:
    if col >= len(line):
        line.extend([None] * (col + 1 - len(line)))
    line[col] = text


def row_line(row: list[str]) -> str:
    """One grid row as one text line."""
    return " | ".join(row)
