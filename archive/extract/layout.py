"""Reading order and ruled tables of one fixed-layout page: what PDF (extract_pdf.py) and OFD
(extract_ofd.py) pages share once their glyphs and rulings are known.

Coordinates are PDF's: points, y growing upwards. A page is given as text lines (``TextLine``:
the glyphs one line holds, as a layout engine grouped them) and as horizontal and vertical
rulings (``add_ruling``). ``page_lines`` rebuilds ruled tables from the rulings (grid lines,
merged cells where a border is missing: colspan text in the first column, rowspan text
repeated in every row, as for HTML; each cell's characters joined across its wrapped lines),
groups the remaining text into visual rows (vertical extents overlapping) read top to bottom,
splits a row into cells of a borderless table at wide gaps, joins the wrapped lines of a
paragraph (a line from the left edge to the right margin goes on with the next line of the
same font size), and drops the page number in the footer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["Glyph", "TextLine", "add_ruling", "page_lines"]

PAGE_NO_RE = re.compile(r"^[\s\-—–－_]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[\s\-—–－_]*$")
_EPS = 2.0  # points: rulings closer than this are the same line


class Glyph(NamedTuple):
    """One character and its box."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class TextLine:
    """A line of text: its top and its glyphs left to right; a str item is a space the layout
    engine inferred between two glyphs (it has no box)."""

    top: float
    items: list[Glyph | str]


def add_ruling(x0: float, y0: float, x1: float, y1: float, is_rect: bool,
               hsegs: list, vsegs: list) -> None:
    """File a drawn line or rectangle (its bounding box) as horizontal ``(y, x0, x1)`` and/or
    vertical ``(x, y0, y1)`` rulings; a rectangle gives its four sides (Word's cell borders)."""
    w, h = x1 - x0, y1 - y0
    if h <= 2.5 and w > 2.5:
        hsegs.append(((y0 + y1) / 2, x0, x1))
    elif w <= 2.5 and h > 2.5:
        vsegs.append(((x0 + x1) / 2, y0, y1))
    elif is_rect and w > 2.5 and h > 2.5:
        hsegs.extend([(y0, x0, x1), (y1, x0, x1)])
        vsegs.extend([(x0, y0, y1), (x1, y0, y1)])


def page_lines(lines: list[TextLine], hsegs: list, vsegs: list
               ) -> tuple[list[str], list[list[list[str]]]]:
    """Lines of one page in reading order (ruled tables as grid rows) and its tables."""
    regions = _table_regions(hsegs, vsegs)

    # characters inside a table region go to its cells; the rest stay free text
    cell_chars: list[dict] = [dict() for _ in regions]
    pieces: list[tuple] = []
    for li, line in enumerate(lines):
        run: list = []
        for ch in line.items:
            if isinstance(ch, str):
                if run:
                    run.append(ch)  # a space the layout engine inferred
                continue
            cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
            hit = None
            for ri, reg in enumerate(regions):
                unit = reg.unit_at(cx, cy)
                if unit is not None:
                    hit = (ri, unit)
                    break
            if hit is None:
                run.append(ch)
                continue
            if run:
                pieces.append(_piece(run))
                run = []
            ri, unit = hit
            cell_chars[ri].setdefault(regions[ri].cell_of[unit], []).append((li, line.top, ch))
        if run:
            pieces.append(_piece(run))

    blocks: list[tuple] = []  # (top y, lines[, geometry of a free line])
    page_tables: list[list[list[str]]] = []
    for reg, cells in zip(regions, cell_chars):
        grid = reg.grid(cells)
        if grid:
            page_tables.append(grid)
            blocks.append((reg.top, [" | ".join(r) for r in grid]))
    rows = _rows(pieces)
    free_tables: list[list[list[str]]] = []
    table: list[list[str]] = []
    right = max((r[3] for r in rows), default=0.0)  # the text's right margin on this page
    # and its left edge: where the lines that reach the right margin start
    left = min((r[2] for r in rows if r[3] >= right - 2.5 * r[4]), default=0.0)
    for i, (top, cells, x0, x1, width, height) in enumerate(rows):
        if len(cells) >= 2:
            table.append(cells)
        elif len(table) >= 2:
            free_tables.append(_pad(table))
            table = []
        else:
            table = []
        if len(cells) == 1 and i == len(rows) - 1 and PAGE_NO_RE.match(cells[0]):
            continue  # the page number in the footer
        # a single-cell line that runs from the left edge (an indent allowed) to the right
        # margin continues on the next line; a right-aligned one (issuer, date) does not
        wraps = len(cells) == 1 and x1 >= right - 2.5 * width and x0 <= left + 3 * width
        blocks.append((top, [" | ".join(cells)], (x0, wraps, len(cells) == 1, width, height)))
    if len(table) >= 2:
        free_tables.append(_pad(table))
    page_tables.extend(free_tables)
    blocks.sort(key=lambda b: -b[0])  # stable: a table before text starting at its top
    out: list[str] = []
    prev = None  # geometry of the previous free line, when it wraps
    for block in blocks:
        text_lines = [ln for ln in block[1] if ln.strip()]
        geo = block[2] if len(block) > 2 else None
        # (not a line in another font size: a centred title above the first paragraph)
        if geo and prev and geo[2] and geo[0] <= prev[0] + prev[3] and out \
                and max(geo[4], prev[4]) <= 1.2 * min(geo[4], prev[4]):
            out[-1] = _join(out[-1], text_lines[0]) if text_lines else out[-1]
            text_lines = text_lines[1:]
        out.extend(text_lines)
        prev = geo if geo and geo[1] else None
    return out, page_tables


def _root(parent: list[int], a: int) -> int:
    """Union-find: the representative of ``a`` (with path halving)."""
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= _EPS:
            continue
        out.append(v)
    return out


class _Region:
    """A ruled table: grid lines xs (left→right) and ys (top→bottom), merged cells."""

    def __init__(self, xs: list[float], ys: list[float], hsegs: list, vsegs: list):
        self.xs, self.ys = xs, ys  # ys descending
        self.top = ys[0]
        nr, nc = len(ys) - 1, len(xs) - 1
        parent = list(range(nr * nc))

        def union(a: int, b: int) -> None:
            parent[_root(parent, a)] = _root(parent, b)

        for r in range(nr):
            ymid = (ys[r] + ys[r + 1]) / 2
            for c in range(nc - 1):  # is there a vertical ruling between c and c+1?
                x = xs[c + 1]
                if not any(abs(vx - x) <= _EPS and vy0 - _EPS <= ymid <= vy1 + _EPS
                           for vx, vy0, vy1 in vsegs):
                    union(r * nc + c, r * nc + c + 1)
        for c in range(nc):
            xmid = (xs[c] + xs[c + 1]) / 2
            for r in range(nr - 1):  # a horizontal ruling between r and r+1?
                y = ys[r + 1]
                if not any(abs(hy - y) <= _EPS and hx0 - _EPS <= xmid <= hx1 + _EPS
                           for hy, hx0, hx1 in hsegs):
                    union(r * nc + c, (r + 1) * nc + c)
        self.nr, self.nc = nr, nc
        self.cell_of = [_root(parent, i) for i in range(nr * nc)]
        spans: dict[int, list[int]] = {}
        for i, root in enumerate(self.cell_of):
            r, c = divmod(i, nc)
            b = spans.setdefault(root, [r, r, c, c])
            b[0], b[1] = min(b[0], r), max(b[1], r)
            b[2], b[3] = min(b[2], c), max(b[3], c)
        self.spans = spans

    def unit_at(self, x: float, y: float) -> int | None:
        xs, ys = self.xs, self.ys
        if not (xs[0] <= x <= xs[-1] and ys[-1] <= y <= ys[0]):
            return None
        c = next((i for i in range(self.nc) if xs[i] <= x <= xs[i + 1]), None)
        r = next((i for i in range(self.nr) if ys[i] >= y >= ys[i + 1]), None)
        if c is None or r is None:
            return None
        return r * self.nc + c

    def grid(self, cells: dict) -> list[list[str]]:
        grid = [[""] * self.nc for _ in range(self.nr)]
        for root, (r0, r1, c0, _c1) in self.spans.items():
            items = cells.get(root)
            if not items:
                continue
            text = _cell_text(items)
            for r in range(r0, r1 + 1):  # rowspan: repeated; colspan: first column only
                grid[r][c0] = text
        return [row for row in grid if any(row)]


def _cell_text(items: list) -> str:
    """Characters of one cell: by text line (top to bottom), then left to right."""
    by_line: dict[int, list] = {}
    tops: dict[int, float] = {}
    for li, top, ch in items:
        by_line.setdefault(li, []).append(ch)
        tops[li] = top
    parts = []
    for li in sorted(by_line, key=lambda k: (-tops[k], k)):
        chs = sorted(by_line[li], key=lambda ch: ch.x0)
        parts.append("".join(ch.text for ch in chs))
    return _norm(" ".join(parts))


def _table_regions(hsegs: list, vsegs: list) -> list[_Region]:
    """Ruled tables: connected sets of horizontal and vertical rulings forming ≥ 2 cells."""
    if len(hsegs) < 2 or len(vsegs) < 2:
        return []
    segs = [("h", y, x0, x1) for y, x0, x1 in hsegs] + [("v", x, y0, y1) for x, y0, y1 in vsegs]
    boxes = []
    for kind, a, b0, b1 in segs:
        if kind == "h":
            boxes.append((b0 - _EPS, a - _EPS, b1 + _EPS, a + _EPS))
        else:
            boxes.append((a - _EPS, b0 - _EPS, a + _EPS, b1 + _EPS))
    n = len(boxes)
    parent = list(range(n))
    order = sorted(range(n), key=lambda i: boxes[i][0])
    for ii, i in enumerate(order):  # sweep on x: union touching boxes
        bi = boxes[i]
        for j in order[ii + 1:]:
            bj = boxes[j]
            if bj[0] > bi[2]:
                break
            if bj[1] <= bi[3] and bi[1] <= bj[3]:
                parent[_root(parent, i)] = _root(parent, j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(_root(parent, i), []).append(i)
    regions = []
    for members in groups.values():
        hs = [hsegs[i] for i in members if i < len(hsegs)]
        vs = [vsegs[i - len(hsegs)] for i in members if i >= len(hsegs)]
        if len(hs) < 2 or len(vs) < 2:
            continue
        xs = _cluster([v[0] for v in vs])
        ys = sorted(_cluster([h[0] for h in hs]), reverse=True)
        if len(xs) < 2 or len(ys) < 2 or (len(xs) - 1) * (len(ys) - 1) < 2:
            continue  # a frame around the page or a text box, not a table
        if (len(xs) - 1) * (len(ys) - 1) > 5000:
            continue
        regions.append(_Region(xs, ys, hs, vs))
    return regions


def _piece(run: list) -> tuple:
    chs = [c for c in run if not isinstance(c, str)]
    text = "".join(c if isinstance(c, str) else c.text for c in run).strip()
    x0 = min(c.x0 for c in chs)
    x1 = max(c.x1 for c in chs)
    y0 = min(c.y0 for c in chs)
    y1 = max(c.y1 for c in chs)
    width = (x1 - x0) / max(len(chs), 1)
    return (y0, y1, x0, x1, text, width)


def _rows(items: list[tuple]) -> list[tuple[float, list[str], float, float, float, float]]:
    """Group text pieces into visual rows, top to bottom; cells left to right (a wide gap
    between two pieces of a row separates cells of a borderless table). A row: (top, cells,
    left, right, widest average character width, tallest piece)."""
    items = [it for it in items if it[4]]
    items.sort(key=lambda it: (-it[1], it[2]))
    rows: list[list[tuple]] = []
    extent: list[float] = []  # [y0, y1] of the last row, kept as it grows (linear time)
    for it in items:
        y0, y1 = it[0], it[1]
        if rows:
            ry0, ry1 = extent
            overlap = min(y1, ry1) - max(y0, ry0)
            h = min(y1 - y0, ry1 - ry0)
            if h > 0 and overlap >= 0.5 * h:
                rows[-1].append(it)
                extent = [min(ry0, y0), max(ry1, y1)]
                continue
        rows.append([it])
        extent = [y0, y1]
    out: list[tuple[float, list[str], float, float, float, float]] = []
    for row in rows:
        row.sort(key=lambda it: it[2])
        cells: list[str] = []
        prev = None
        for it in row:
            if prev is not None:
                gap = it[2] - prev[3]
                width = max(prev[5], it[5], 1.0)
                if gap <= 1.5 * width:  # same phrase, split by the layout engine
                    cells[-1] = _join(cells[-1], it[4])
                    prev = it
                    continue
            cells.append(it[4])
            prev = it
        out.append((max(it[1] for it in row), [_norm(c) for c in cells], row[0][2],
                    max(it[3] for it in row), max(it[5] for it in row),
                    max(it[1] - it[0] for it in row)))
    return out


def _norm(s: str) -> str:
    from .html_text import normalise_inline
    return normalise_inline(s)


def _join(a: str, b: str) -> str:
    if a and b and (ord(a[-1]) > 0x2e80 or ord(b[0]) > 0x2e80):
        return a + b
    return a + " " + b


def _pad(table: list[list[str]]) -> list[list[str]]:
    width = max(len(r) for r in table)
    return [r + [""] * (width - len(r)) for r in table]
