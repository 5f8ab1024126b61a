"""Reading order and ruled tables of fixed-layout pages: what PDF (pdf.py) and OFD
(ofd.py) pages share once their glyphs and rulings are known.

Coordinates are PDF's: points, y growing upwards. A page is given as text lines (``TextLine``:
the glyphs one line holds, as a layout engine grouped them) and as horizontal and vertical
rulings (``add_ruling``). ``page_layout`` lays out one page: it rebuilds ruled tables from the
rulings (grid lines, merged cells where a border is missing: colspan text in the first column,
rowspan text repeated in every row, as for HTML; each cell's characters joined across its
wrapped lines), groups the remaining text into visual rows (vertical extents overlapping; a
closing punctuation mark whose glyph box sits off its line goes back to the line it ends),
splits a row into cells of a borderless table at wide gaps, and drops the page number in the
footer. ``document_lines`` then reads the pages together: a ruled table cut by a page break
is joined to its first part (the text of a merged cell the break cut repeated in the rows
below it), a paragraph's wrapped lines are joined (a line from the left edge to the right
margin goes on with the next line of the same font size), also across a page break, and a
title set in two or three centred lines of a larger size is one line. ``page_lines`` is one
page read alone.

Length: one reading path (glyph lines → rows and ruled tables → document lines) whose
steps share the same geometry helpers; split by step, each part would import all the others.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["Glyph", "PageLayout", "TextLine", "add_ruling", "document_lines", "page_layout",
           "page_lines"]

PAGE_NO_RE = re.compile(r"^[\s\-—–－_]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[\s\-—–－_]*$")
_WS_RE = re.compile(r"\s+")
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


@dataclass
class _Free:
    """A visual row of free text (not in a ruled table)."""

    top: float
    text: str          # cells joined with " | "
    x0: float
    x1: float
    single: bool       # one cell (a paragraph line), not a borderless table row
    width: float       # widest average character width of its pieces
    height: float      # tallest piece


@dataclass
class _Ruled:
    """A ruled table rebuilt on one page, with what joining it to a part cut off on the
    previous page needs."""

    top: float
    grid: list[list[str]]
    xs: list[float]
    top_empty: dict[int, list[int]]   # column -> grid rows of an empty merged cell at the top
    bottom_span: dict[int, int]       # column -> rows the last row's cell there spans


@dataclass
class PageLayout:
    """One page laid out: its blocks top to bottom (``_Free`` rows and ``_Ruled`` tables,
    the footer's page number dropped) and its borderless tables."""

    blocks: list
    free_tables: list[list[list[str]]]

    def chars(self) -> int:
        """How many non-space characters the page's text holds."""
        n = 0
        for b in self.blocks:
            if isinstance(b, _Free):
                n += len(_WS_RE.sub("", b.text))
            else:
                n += sum(len(_WS_RE.sub("", c)) for row in b.grid for c in row)
        return n


def page_lines(lines: list[TextLine], hsegs: list, vsegs: list
               ) -> tuple[list[str], list[list[list[str]]]]:
    """Lines of one page in reading order (ruled tables as grid rows) and its tables."""
    return document_lines([page_layout(lines, hsegs, vsegs)])


def page_layout(lines: list[TextLine], hsegs: list, vsegs: list) -> PageLayout:
    """One page's ruled tables and visual rows (see ``document_lines`` for the reading)."""
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

    blocks: list = []
    for reg, cells in zip(regions, cell_chars):
        ruled = reg.ruled(cells)
        if ruled is not None:
            blocks.append(ruled)
    rows = _rows(pieces)
    free_tables: list[list[list[str]]] = []
    table: list[list[str]] = []
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
        blocks.append(_Free(top, " | ".join(cells), x0, x1, len(cells) == 1, width, height))
    if len(table) >= 2:
        free_tables.append(_pad(table))
    blocks.sort(key=lambda b: -b.top)  # stable: a table before text starting at its top
    return PageLayout(blocks, free_tables)


def _margins(pages: list[PageLayout]) -> tuple[float, float]:
    """The text's right margin and left edge over the document: where the paragraph lines
    that fill the measure end and start. The right end that two lines reach (within a
    character) sets the margin, so one line running into the margin does not move it."""
    rows = [b for p in pages for b in p.blocks if isinstance(b, _Free)]
    if not rows:
        return 0.0, 0.0
    ends = sorted(rows, key=lambda r: -r.x1)
    right = ends[0].x1
    for i, r in enumerate(ends[:-1]):
        if ends[i + 1].x1 >= r.x1 - r.width:
            right = r.x1
            break
    left = min((r.x0 for r in rows if r.x1 >= right - 2.5 * r.width), default=0.0)
    return right, left


def document_lines(pages: list[PageLayout]) -> tuple[list[str], list[list[list[str]]]]:
    """Lines of a document in reading order and its tables: ruled tables as grid rows (a
    table cut by a page break joined to its part on the previous page, the text of a merged
    cell the break cut repeated in the rows below it); a paragraph's wrapped lines joined,
    also across a page break (a single-cell line from the left edge, an indent allowed, to the
    right margin goes on with the next line of the same font size that is not indented
    further); a title set in two or three centred lines of a larger size joined."""
    right, left = _margins(pages)
    out: list[str] = []
    tables: list[list[list[str]]] = []
    prev = None        # the previous free line, when it wraps
    last_ruled = None  # the table the previous block was (it may go on on the next page)
    body_h = sorted(b.height for p in pages for b in p.blocks if isinstance(b, _Free)) or [0.0]
    body_h = body_h[len(body_h) // 2]
    for pi, page in enumerate(pages):
        blocks = _title_joined(page.blocks, left, right, body_h) if pi == 0 else page.blocks
        page_ruled: list[list[list[str]]] = []
        for bi, block in enumerate(blocks):
            if isinstance(block, _Ruled):
                if bi == 0 and last_ruled is not None and _continues(last_ruled, block):
                    _carry(last_ruled, block)
                    last_ruled.grid.extend(block.grid)
                    last_ruled.bottom_span = block.bottom_span
                else:
                    page_ruled.append(block.grid)
                    last_ruled = block
                out.extend(ln for ln in (" | ".join(r) for r in block.grid) if ln.strip())
                prev = None
                continue
            last_ruled = None
            text = block.text
            if not text.strip():
                continue
            # (not a line in another font size: a centred title above the first paragraph)
            # a line under an indented first line goes on with it only from the left edge:
            # at the same indent it is the next paragraph (the first one filled one line)
            edge = left + 1.5 * prev.width if prev and prev.x0 > left + 1.5 * prev.width \
                else (prev.x0 + prev.width if prev else 0.0)
            if prev and block.single and block.x0 <= edge and out \
                    and max(block.height, prev.height) <= 1.2 * min(block.height, prev.height):
                out[-1] = _join(out[-1], text)
            else:
                out.append(text)
            wraps = block.single and block.x1 >= right - 2.5 * block.width \
                and block.x0 <= left + 3 * block.width
            prev = block if wraps else None
        tables.extend(page_ruled)
        tables.extend(page.free_tables)
    return out, tables


def _title_joined(blocks: list, left: float, right: float, body_h: float) -> list:
    """The first page's blocks with a title set in 2-3 consecutive centred lines of one
    size larger than the body text joined into one line."""
    if len(blocks) < 2 or not isinstance(blocks[0], _Free):
        return blocks

    def title_like(b) -> bool:
        return isinstance(b, _Free) and b.single and b.height >= 1.15 * body_h \
            and abs((b.x0 - left) - (right - b.x1)) <= 2 * b.width

    first = blocks[0]
    if not title_like(first):
        return blocks
    n = 1
    while n < min(3, len(blocks)) and title_like(blocks[n]) \
            and abs(blocks[n].height - first.height) <= 0.1 * first.height \
            and blocks[n - 1].top - blocks[n].top <= 2.5 * first.height:
        n += 1
    if n == 1:
        return blocks
    parts = blocks[:n]
    text = ""
    for b in parts:
        text = _join(text, b.text) if text else b.text
    joined = _Free(first.top, text, min(b.x0 for b in parts), max(b.x1 for b in parts),
                   True, first.width, first.height)
    return [joined, *blocks[n:]]


def _continues(prev: _Ruled, cont: _Ruled) -> bool:
    """Is ``cont`` (first on its page) the rest of ``prev`` (last on the page before)? The
    same column lines."""
    return len(prev.xs) == len(cont.xs) and all(abs(a - b) <= 2 * _EPS
                                                for a, b in zip(prev.xs, cont.xs))


def _carry(prev: _Ruled, cont: _Ruled) -> None:
    """Fill the merged cells the page break cut: an empty merged cell at the top of the
    continuation takes the text of the cell above it (Word leaves the text in the first
    part). A cell one row high on both sides of the break is filled only when it is a label
    (not a number) with cells to its right filled."""
    if not prev.grid or not cont.grid:
        return
    last = prev.grid[-1]
    for c, rows in cont.top_empty.items():
        if c >= len(last) or not last[c] or not rows:
            continue
        merged = prev.bottom_span.get(c, 1) >= 2 or len(rows) >= 2
        label = not _NUMBER_RE.match(last[c]) and any(cont.grid[rows[0]][c + 1:])
        if merged or label:
            for r in rows:
                cont.grid[r][c] = last[c]


_NUMBER_RE = re.compile(r"^[\d.,%\-+\s]*$")


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

    def ruled(self, cells: dict) -> _Ruled | None:
        """The table as a grid (rows with no text left out), or None when it holds none."""
        grid = [[""] * self.nc for _ in range(self.nr)]
        top_empty: dict[int, list[int]] = {}
        bottom_span: dict[int, int] = {}
        for root, (r0, r1, c0, _c1) in self.spans.items():
            items = cells.get(root)
            if r1 == self.nr - 1:
                bottom_span[c0] = r1 - r0 + 1
            if not items:
                if r0 == 0:
                    top_empty[c0] = list(range(r0, r1 + 1))
                continue
            text = _cell_text(items)
            for r in range(r0, r1 + 1):  # rowspan: repeated; colspan: first column only
                grid[r][c0] = text
        keep = [r for r in range(self.nr) if any(grid[r])]
        if not keep:
            return None
        index = {r: i for i, r in enumerate(keep)}
        top_empty = {c: [index[r] for r in rows if r in index] for c, rows in top_empty.items()}
        return _Ruled(self.top, [grid[r] for r in keep], self.xs, top_empty, bottom_span)


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
    rows = _punctuation_attached(rows)
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


_CLOSING = set("。，、；：！？）》」』”’.,;:!?)")


def _punctuation_attached(rows: list[list[tuple]]) -> list[list[tuple]]:
    """Rows that are only a closing punctuation mark or two (a mark hanging past the right
    margin in a fallback font whose glyph box sits lower or higher than the line's) go back
    to the line they end: the neighbouring row whose right end touches the mark, the
    vertically nearer if both do."""
    if len(rows) < 2:
        return rows
    out = list(rows)
    for i, row in enumerate(rows):
        if len(row) != 1 or len(row[0][4]) > 2 or not set(row[0][4]) <= _CLOSING:
            continue
        it = row[0]
        mid = (it[0] + it[1]) / 2
        best, best_d = None, None
        for j in (i - 1, i + 1):
            if not 0 <= j < len(rows) or out[j] is None or j == i:
                continue
            other = out[j]
            if len(other) == 1 and set(other[0][4]) <= _CLOSING:
                continue
            end = max(o[3] for o in other)
            width = max(max(o[5] for o in other), 1.0)
            top = max(o[1] for o in other)
            bottom = min(o[0] for o in other)
            d = abs(mid - (top + bottom) / 2)
            if abs(it[2] - end) <= 1.5 * width and d <= (top - bottom) * 1.2 \
                    and (best_d is None or d < best_d):
                best, best_d = j, d
        if best is not None:
            out[best] = out[best] + [it]
            out[i] = None
    return [r for r in out if r is not None]


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
