"""Report PDFs laid out the way Word/WPS exports of 2019/2021-template reports are (#17 point 5).

``docs.pdf_bytes`` writes text only; the PDFs here carry what makes real report PDFs hard:

- a two-line centred title (the government, then "2020年政府信息公开工作年度报告");
- paragraphs indented two ems, justified (character spacing) to the right margin, closing
  punctuation hanging past the margin instead of starting a line, and those hanging ``。``/``，``
  set in a second font whose metrics put the glyph box half a line lower (what a fallback
  punctuation font does: a layout engine then sees a lone ``。`` row);
- ruled tables: every cell stroked as a rectangle, merged cells (rowspan/colspan) as one
  rectangle, narrow label columns so labels wrap inside their cell, text centred
  vertically and horizontally in its cell, and tables cut across pages at any row: a merged
  cell crossing the cut is drawn as two rectangles and its text stays in the first part
  (what Word does);
- paragraphs running on from one page to the next, "- N -" page numbers in the footer.

Text stays STSong-Light + UniGB-UCS2-H (see docs.py), so the characters come back exactly and
``report.gold_text()`` is the text a perfect extraction returns.
"""
from __future__ import annotations

import re
import zlib
from typing import Sequence

from .corpus import Block, Report, Table
from .docs import _hex, _width, pdf_file, placed_cells

PAGE_W, PAGE_H = 595.0, 842.0
LEFT, RIGHT, TOP, BOTTOM = 72.0, 72.0, 72.0, 72.0
BODY = 14.0           # body text size (四号)
LEAD = 26.0           # body line pitch
TITLE = 20.0
TABLE = 10.5          # table text size (五号)
TABLE_LEAD = 14.0
HANG = "。，、；：！？）》”’"  # closing punctuation: never starts a line (it hangs instead)
ODD = "。，"            # hanging marks set in the second font (glyph box shifted down)


def _split_title(title: str) -> list[str]:
    """Two title lines: the government, then the rest (at the year), else at the middle."""
    m = re.search(r"\d{4}", title)
    cut = m.start() if m and m.start() >= 2 else len(title) // 2
    return [title[:cut], title[cut:]]


def _em(text: str) -> float:
    return sum(_width(c) for c in text)


def wrap_cjk(text: str, max_em: float, first_indent: float = 0.0) -> list[str]:
    """Lines of at most ``max_em`` ems (the first ``first_indent`` ems narrower); a closing
    punctuation mark that would start a line hangs at the end of the previous one, and a
    run of Latin letters/digits ("2019") is not broken (as Word sets them)."""
    out: list[str] = []
    cur, w, limit = "", 0.0, max_em - first_indent
    for ch in text:
        cw = _width(ch)
        if cur and w + cw > limit + 1e-6 and not (ch in HANG and w <= limit + 1e-6):
            carry = ""
            if ch.isascii() and ch.isalnum():
                m = re.search(r"[A-Za-z0-9.]+$", cur)
                if m and m.start() > 0:
                    carry = cur[m.start():]
                    cur = cur[:m.start()]
            out.append(cur)
            cur, w, limit = carry, _em(carry), max_em
        cur += ch
        w += cw
    if cur:
        out.append(cur)
    return out


class _Page:
    def __init__(self) -> None:
        self.ops: list[str] = []

    def text(self, x: float, y: float, s: str, size: float, font: str = "F1",
             spacing: float = 0.0) -> None:
        if s:
            tc = f"{spacing:.3f} Tc " if spacing else ""
            self.ops.append(f"BT /{font} {size:g} Tf {tc}{x:.2f} {y:.2f} Td <{_hex(s)}> Tj ET")

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        self.ops.append(f"0.5 w {x:.2f} {y:.2f} {w:.2f} {h:.2f} re S")


class _Writer:
    """Flows blocks down pages; y is the baseline of the next line (PDF: y grows upwards)."""

    def __init__(self) -> None:
        self.pages: list[_Page] = [_Page()]
        self.y = PAGE_H - TOP
        self.cuts: list[bool] = []  # per table page break: does it cut a merged cell?
        self.para_breaks = 0        # paragraphs going on on the next page

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(_Page())
        self.y = PAGE_H - TOP

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page()

    def title(self, title: str) -> None:
        for part in _split_title(title):
            self.y -= TITLE * 1.6
            self.page.text((PAGE_W - _em(part) * TITLE) / 2, self.y, part, TITLE)
        self.y -= LEAD * 0.8

    def paragraph(self, text: str, kind: str) -> None:
        width = PAGE_W - LEFT - RIGHT
        if kind in ("center", "sign"):
            self.need(LEAD)
            self.y -= LEAD
            w = _em(text) * BODY
            x = LEFT + (width - w) / 2 if kind == "center" else PAGE_W - RIGHT - w
            self.page.text(x, self.y, text, BODY)
            return
        lines = wrap_cjk(text, width / BODY, 2.0)
        for i, line in enumerate(lines):
            if i and self.y - LEAD < BOTTOM:
                self.para_breaks += 1
            self.need(LEAD)
            self.y -= LEAD
            x = LEFT + (2 * BODY if i == 0 else 0.0)
            room = PAGE_W - RIGHT - x
            hang = line[-1] if line[-1] in HANG and _em(line) * BODY > room + 1e-6 else ""
            body = line[: -1] if hang else line
            spacing = 0.0
            if i < len(lines) - 1 and len(body) > 1:  # justified: the line fills the measure
                spacing = max(0.0, (room - _em(body) * BODY) / (len(body) - 1))
            if hang and hang in ODD:
                self.page.text(x, self.y, body, BODY, spacing=spacing)
                end = x + _em(body) * BODY + spacing * len(body)
                self.page.text(end, self.y, hang, BODY, font="F2")
            else:
                self.page.text(x, self.y, line, BODY, spacing=spacing)

    def table(self, table: Table) -> None:
        self.y -= 6
        _draw_table(self, table)
        self.y -= 6


def _draw_table(w: _Writer, table: Table) -> None:
    grid_w = PAGE_W - LEFT - RIGHT
    ncols = len(table.grid()[0])
    placed = placed_cells(table)
    # columns as wide as their unmerged text wants within 2.5-12 ems, label columns (those
    # holding a rowspan) narrow, so long labels wrap inside their cell
    want = [2.5] * ncols
    for _, ci, cell in placed:
        if cell.colspan == 1:
            cap = 4.5 if cell.rowspan > 1 else 12.0
            want[ci] = max(want[ci], min(cap, _em(cell.text) + 1))
    colws = [grid_w * x / sum(want) for x in want]
    xs = [LEFT + sum(colws[:i]) for i in range(ncols + 1)]
    lines_of = {id(c): wrap_cjk(c.text, (xs[ci + c.colspan] - xs[ci] - 4) / TABLE)
                if c.text else [] for _, ci, c in placed}
    nrows = len(table.rows)
    heights = [TABLE_LEAD + 6.0] * nrows
    for ri, _, cell in placed:
        if cell.rowspan == 1:
            heights[ri] = max(heights[ri], len(lines_of[id(cell)]) * TABLE_LEAD + 6.0)
    for ri, _, cell in placed:  # a merged cell's text must fit its rows
        need = len(lines_of[id(cell)]) * TABLE_LEAD + 6.0
        have = sum(heights[ri:ri + cell.rowspan])
        if need > have:
            heights[ri + cell.rowspan - 1] += need - have

    # rows per page: cut where the next row does not fit, but not where a merged cell
    # crossing the cut would not hold its text in its first part
    r = 0
    while r < nrows:
        room = w.y - BOTTOM
        end, used = r, 0.0
        while end < nrows and used + heights[end] <= room:
            used += heights[end]
            end += 1
        if end == r:  # not even one row fits here
            w.new_page()
            continue
        while end < nrows and end > r + 1:
            cut_ok = all(
                not (ri < end < ri + c.rowspan) or ri < r
                or len(lines_of[id(c)]) * TABLE_LEAD + 6.0 <= sum(heights[ri:end])
                for ri, _, c in placed)
            if cut_ok:
                break
            end -= 1
        top = w.y
        for ri, ci, cell in placed:
            r0, r1 = max(ri, r), min(ri + cell.rowspan, end)
            if r0 >= r1:
                continue  # not on this page
            x0, x1 = xs[ci], xs[ci + cell.colspan]
            y_top = top - sum(heights[r:r0])
            h = sum(heights[r0:r1])
            w.page.rect(x0, y_top - h, x1 - x0, h)
            if ri < r:
                continue  # the continuation of a cut cell: its text stayed on the last page
            cell_lines = lines_of[id(cell)]
            block = len(cell_lines) * TABLE_LEAD
            base = y_top - (h - block) / 2 - TABLE_LEAD + 3.0
            for k, line in enumerate(cell_lines):
                lx = x0 + (x1 - x0 - _em(line) * TABLE) / 2
                w.page.text(lx, base - k * TABLE_LEAD, line, TABLE)
        w.y = top - sum(heights[r:end])
        if end < nrows:
            w.cuts.append(any(ri < end < ri + c.rowspan for ri, _, c in placed))
        r = end
        if r < nrows:
            w.new_page()


def _laid_out(report: Report) -> _Writer:
    w = _Writer()
    w.title(report.title)
    for b in report.blocks:
        if b.kind == "table":
            assert b.table is not None
            w.table(b.table)
        else:
            w.paragraph(b.text, b.kind)
    return w


def layout_stats(report: Report) -> dict:
    """What the report's PDF holds: pages, table page breaks (and how many cut a merged
    cell), paragraphs going on over a page break."""
    w = _laid_out(report)
    return {"pages": len(w.pages), "table_breaks": len(w.cuts),
            "merged_cells_cut": sum(w.cuts), "paragraph_breaks": w.para_breaks}


def report_pdf_layout(report: Report, *, word_title: bool = True) -> bytes:
    """The report as a Word-like PDF (see the module docstring); its text is
    ``report.gold_text()`` modulo whitespace and its tables ``report.gold_tables()``.
    ``word_title``: the document title is Word's "Microsoft Word - x.docx" (so the title must
    come from the first page), else the report's title."""
    w = _laid_out(report)
    meta_title = f"Microsoft Word - {report.slug}.docx" if word_title else report.title
    return _pdf_file(w.pages, meta_title, report.publisher)


def blocks_pdf(title: str, blocks: Sequence[Block]) -> bytes:
    """A PDF of ``title`` and ``blocks`` (corpus.Block), laid out as ``report_pdf_layout``."""
    w = _Writer()
    w.title(title)
    for b in blocks:
        if b.kind == "table":
            w.table(b.table)
        else:
            w.paragraph(b.text, b.kind)
    return _pdf_file(w.pages, "Microsoft Word - x.docx", "")


def _pdf_file(pages: list[_Page], title: str, author: str) -> bytes:
    """A PDF of the pages (numbered "- N -" at the foot), two STSong-Light fonts: F1 and F2,
    F2 with a descent that puts glyph boxes half a line below the baseline's."""
    objs: list[bytes] = []

    def add(data: bytes) -> int:
        objs.append(data)
        return len(objs)

    def stream(data: bytes) -> bytes:
        comp = zlib.compress(data, 9)
        return (f"<< /Length {len(comp)} /Filter /FlateDecode >>\nstream\n".encode()
                + comp + b"\nendstream")

    catalog = add(b"")
    pages_id = add(b"")
    fonts = []
    for descent in (-120, -700):
        desc = add(f"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
                   f"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 "
                   f"/Descent {descent} /CapHeight 880 /StemV 93 >>".encode())
        cid = add(f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
                  f"<< /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor "
                  f"{desc} 0 R /DW 1000 /W [1 95 500] >>".encode())
        fonts.append(add(f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding "
                         f"/UniGB-UCS2-H /DescendantFonts [{cid} 0 R] >>".encode()))
    kids = []
    for n, page in enumerate(pages, 1):
        label = f"- {n} -"
        page.text((PAGE_W - _em(label) * 10.5) / 2, 40, label, 10.5)
        content = add(stream("\n".join(page.ops).encode("ascii")))
        kids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_W:g} "
                        f"{PAGE_H:g}] /Resources << /Font << /F1 {fonts[0]} 0 R /F2 {fonts[1]} "
                        f"0 R >> >> /Contents {content} 0 R >>".encode()))
    objs[pages_id - 1] = (f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
                          f"/Count {len(kids)} >>").encode()
    objs[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    info = add(f"<< /Title <FEFF{_hex(title)}> /Author <FEFF{_hex(author)}> "
               f"/Producer (nianbao farm) /CreationDate (D:20210120090000+08'00') >>".encode())
    return pdf_file(objs, catalog, info)
