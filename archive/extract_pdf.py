"""PDF attachments → text in reading order, table rows as ``a | b | c`` lines where the layout
allows, image-only (scanned) PDFs flagged for OCR instead of returning an empty text.

pdfminer.six lays out each page. Ruled tables (what Word and WPS export: cell borders drawn
as lines or thin rectangles) are rebuilt from the rulings: grid lines, merged cells where a
border is missing (colspan text in the first column, rowspan text repeated in every row,
as for HTML), each cell's characters joined across its wrapped lines. The remaining text
lines are grouped into visual rows (vertical extents overlapping), read top to bottom;
within a row, pieces separated by a wide gap are cells of a borderless table and are joined
with `` | ``. Spaces pdfminer inserts next to CJK characters are dropped. pypdf is the
fallback when pdfminer cannot parse a file.
"""
from __future__ import annotations

import io
import re

__all__ = ["extract_pdf"]

_CID_RE = re.compile(r"\(cid:\d+\)")
_PAGE_NO_RE = re.compile(r"^[\s\-—–－_]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[\s\-—–－_]*$")
_WS_RE = re.compile(r"\s+")


def extract_pdf(body: bytes) -> dict:
    """Returns a dict with text, title, tables, needs_ocr, metadata (error/pages/…)."""
    try:
        return _with_pdfminer(body)
    except Exception as exc:  # noqa: BLE001 - malformed PDFs raise anything
        try:
            out = _with_pypdf(body)
            out["metadata"]["pdfminer_error"] = f"{type(exc).__name__}: {exc}"[:300]
            return out
        except Exception as exc2:  # noqa: BLE001
            return {"text": "", "title": None, "tables": [], "needs_ocr": False,
                    "metadata": {"error": f"unreadable PDF: {type(exc2).__name__}: {exc2}"[:300]}}


def _with_pdfminer(body: bytes) -> dict:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    laparams = LAParams(line_margin=0.5, char_margin=2.0, word_margin=0.1, detect_vertical=False)
    page_lines: list[str] = []
    tables: list[list[list[str]]] = []
    images = 0
    pages = 0
    chars = 0
    for page in extract_pages(io.BytesIO(body), laparams=laparams):
        pages += 1
        rendered, page_tables, n_images = _page(page)
        images += n_images
        tables.extend(page_tables)
        for ln in rendered:
            chars += len(_WS_RE.sub("", ln))
        page_lines.extend(rendered)

    text = "\n".join(page_lines)
    meta: dict = {"pages": pages}
    cid = len(_CID_RE.findall(text))
    needs_ocr = False
    if cid and cid * 6 >= max(chars, 1) * 0.3:
        # glyphs without a Unicode mapping: the text layer is useless
        meta["error"] = "PDF text layer has no Unicode mapping (cid fonts)"
        needs_ocr, text, tables = True, "", []
    elif chars == 0 or (chars < 10 * max(pages, 1) and images):
        needs_ocr, text, tables = True, "", []
    title = _pdf_title(body) or (page_lines[0][:200] if page_lines and not needs_ocr else None)
    return {"text": text, "title": title, "tables": tables, "needs_ocr": needs_ocr,
            "metadata": meta}


# --- one page ----------------------------------------------------------------------------
_EPS = 2.0  # points: rulings closer than this are the same line


def _page(page) -> tuple[list[str], list[list[list[str]]], int]:
    """Lines of one page in reading order (ruled tables as grid rows) and its tables."""
    from pdfminer.layout import (LTChar, LTCurve, LTFigure, LTImage, LTLine, LTRect,
                                 LTTextContainer, LTTextLine)

    text_lines: list = []
    hsegs: list[tuple[float, float, float]] = []  # (y, x0, x1)
    vsegs: list[tuple[float, float, float]] = []  # (x, y0, y1)
    images = 0

    def walk(obj) -> None:
        nonlocal images
        for item in obj:
            if isinstance(item, LTTextLine):
                text_lines.append(item)
            elif isinstance(item, LTTextContainer):
                walk(item)
            elif isinstance(item, LTImage):
                images += 1
            elif isinstance(item, LTFigure):
                walk(item)
            elif isinstance(item, (LTLine, LTRect, LTCurve)):
                _add_rulings(item, hsegs, vsegs, isinstance(item, LTRect))

    walk(page)
    regions = _table_regions(hsegs, vsegs)

    # characters inside a table region go to its cells; the rest stay free text
    cell_chars: list[dict] = [dict() for _ in regions]
    pieces: list[tuple] = []
    for li, line in enumerate(text_lines):
        run: list = []
        for ch in line:
            if not isinstance(ch, LTChar):
                if run:
                    run.append(ch)  # LTAnno: a space pdfminer inferred
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
            cell_chars[ri].setdefault(reg_cell(regions[ri], unit), []).append((li, line, ch))
        if run:
            pieces.append(_piece(run))

    blocks: list[tuple[float, list[str]]] = []  # (top y, lines)
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
    for i, (top, cells, x0, x1, width) in enumerate(rows):
        if len(cells) >= 2:
            table.append(cells)
        elif len(table) >= 2:
            free_tables.append(_pad(table))
            table = []
        else:
            table = []
        if len(cells) == 1 and i == len(rows) - 1 and _PAGE_NO_RE.match(cells[0]):
            continue  # the page number in the footer
        # a single-cell line that runs to the right margin continues on the next line
        wraps = len(cells) == 1 and x1 >= right - 2.5 * width
        blocks.append((top, [" | ".join(cells)], (x0, wraps, len(cells) == 1, width)))
    if len(table) >= 2:
        free_tables.append(_pad(table))
    page_tables.extend(free_tables)
    blocks.sort(key=lambda b: -b[0])  # stable: a table before text starting at its top
    out: list[str] = []
    prev = None  # geometry of the previous free line, when it wraps
    for block in blocks:
        lines = [ln for ln in block[1] if ln.strip()]
        geo = block[2] if len(block) > 2 else None
        if geo and prev and geo[2] and geo[0] <= prev[0] + prev[3] and out:
            out[-1] = _join(out[-1], lines[0]) if lines else out[-1]
            lines = lines[1:]
        out.extend(lines)
        prev = geo if geo and geo[1] else None
    return out, page_tables, images


def _add_rulings(item, hsegs: list, vsegs: list, is_rect: bool) -> None:
    x0, y0, x1, y1 = item.x0, item.y0, item.x1, item.y1
    w, h = x1 - x0, y1 - y0
    if h <= 2.5 and w > 2.5:
        hsegs.append(((y0 + y1) / 2, x0, x1))
    elif w <= 2.5 and h > 2.5:
        vsegs.append(((x0 + x1) / 2, y0, y1))
    elif is_rect and w > 2.5 and h > 2.5:
        hsegs.extend([(y0, x0, x1), (y1, x0, x1)])
        vsegs.extend([(x0, y0, y1), (x1, y0, y1)])


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

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        def union(a: int, b: int) -> None:
            parent[find(a)] = find(b)

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
        self.cell_of = [find(i) for i in range(nr * nc)]
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


def reg_cell(reg: _Region, unit: int) -> int:
    return reg.cell_of[unit]


def _cell_text(items: list) -> str:
    """Characters of one cell: by text line (top to bottom), then left to right."""
    by_line: dict[int, list] = {}
    tops: dict[int, float] = {}
    for li, line, ch in items:
        by_line.setdefault(li, []).append(ch)
        tops[li] = line.y1
    parts = []
    for li in sorted(by_line, key=lambda k: (-tops[k], k)):
        chs = sorted(by_line[li], key=lambda ch: ch.x0)
        parts.append("".join(ch.get_text() for ch in chs))
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

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    order = sorted(range(n), key=lambda i: boxes[i][0])
    for ii, i in enumerate(order):  # sweep on x: union touching boxes
        bi = boxes[i]
        for j in order[ii + 1:]:
            bj = boxes[j]
            if bj[0] > bi[2]:
                break
            if bj[1] <= bi[3] and bi[1] <= bj[3]:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
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
    from pdfminer.layout import LTChar

    chs = [c for c in run if isinstance(c, LTChar)]
    text = "".join(c.get_text() for c in run).strip()
    x0 = min(c.x0 for c in chs)
    x1 = max(c.x1 for c in chs)
    y0 = min(c.y0 for c in chs)
    y1 = max(c.y1 for c in chs)
    width = (x1 - x0) / max(len(chs), 1)
    return (y0, y1, x0, x1, text, width)


def _rows(items: list[tuple]) -> list[tuple[float, list[str], float, float, float]]:
    """Group text pieces into visual rows, top to bottom; cells left to right (a wide gap
    between two pieces of a row separates cells of a borderless table)."""
    items = [it for it in items if it[4]]
    items.sort(key=lambda it: (-it[1], it[2]))
    rows: list[list[tuple]] = []
    for it in items:
        y0, y1 = it[0], it[1]
        placed = False
        if rows:
            row = rows[-1]
            ry0 = min(r[0] for r in row)
            ry1 = max(r[1] for r in row)
            overlap = min(y1, ry1) - max(y0, ry0)
            h = min(y1 - y0, ry1 - ry0)
            if h > 0 and overlap >= 0.5 * h:
                row.append(it)
                placed = True
        if not placed:
            rows.append([it])
    out: list[tuple[float, list[str], float, float, float]] = []
    for row in rows:
        row.sort(key=lambda it: it[2])
        cells: list[str] = []
        prev = None
        for it in row:
            if prev is not None:
                gap = it[2] - prev[3]
                width = max(prev[5], it[5], 1.0)
                if gap <= 1.5 * width:  # same phrase, split by pdfminer
                    cells[-1] = _join(cells[-1], it[4])
                    prev = it
                    continue
            cells.append(it[4])
            prev = it
        out.append((max(it[1] for it in row), [_norm(c) for c in cells], row[0][2],
                    max(it[3] for it in row), max(it[5] for it in row)))
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


def _pdf_title(body: bytes) -> str | None:
    try:
        from pypdf import PdfReader
        info = PdfReader(io.BytesIO(body)).metadata
        title = (info.title or "").strip() if info else ""
    except Exception:  # noqa: BLE001
        return None
    # Word leaves "Microsoft Word - 文档1.docx" and similar: not a title
    if not title or re.search(r"Microsoft|\.docx?$|^文档\d*$|^Untitled|^无标题", title, re.I):
        return None
    return title


def _with_pypdf(body: bytes) -> dict:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    texts = []
    images = 0
    for page in reader.pages:
        texts.append(page.extract_text() or "")
        try:
            images += len(page.images)
        except Exception:  # noqa: BLE001
            pass
    text = "\n".join(t.strip() for t in texts if t.strip())
    chars = len(_WS_RE.sub("", text))
    pages = len(reader.pages)
    needs_ocr = chars < 10 * max(pages, 1)
    if needs_ocr:
        text = ""
    first = text.splitlines()[0][:200] if text else None
    return {"text": text, "title": first, "tables": [], "needs_ocr": needs_ocr,
            "metadata": {"pages": pages, "extractor": "pypdf"}}
