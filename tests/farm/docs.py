"""Attachment files of the farm: PDF (a small pure-Python writer) and DOCX (python-docx).

The PDF uses the standard non-embedded Chinese CID font ``STSong-Light`` with the
``UniGB-UCS2-H`` encoding (what reportlab's UnicodeCIDFont writes): text is UTF-16BE and
every extractor knows that predefined CMap, so pdfminer.six and pypdf get the exact characters
back. (A /ToUnicode CMap is deliberately absent: pdfminer applies it to CIDs, not codes, and
would then return (cid:N) garbage.) No dependency beyond the stdlib.

Tables are not drawn in PDFs (a PDF holds positioned text, not cells), so a PDF report must
be one without tables (see ``corpus.variant(..., drop_tables=True)``). DOCX files keep tables
as real Word tables with merged cells.
"""
from __future__ import annotations

import io
import zlib
from typing import Sequence

from .corpus import Report

PAGE_W, PAGE_H = 595, 842          # A4 in points
MARGIN = 72
FONT_SIZE = 12
LEADING = 20


def _width(ch: str) -> float:
    # Adobe-GB1 CIDs 1-95 (ASCII under UniGB-UCS2-H) are half width; the rest full width.
    return 0.5 if " " <= ch <= "~" else 1.0


def wrap(line: str, max_em: float) -> list[str]:
    """Break a paragraph into lines no wider than ``max_em`` ems."""
    out, cur, w = [], "", 0.0
    for ch in line:
        cw = _width(ch)
        if cur and w + cw > max_em:
            out.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    out.append(cur)
    return out


def _hex(s: str) -> str:
    return s.encode("utf-16-be").hex().upper()


def pdf_bytes(title: str, paragraphs: Sequence[str], *, author: str = "",
              date: str = "20190320000000") -> bytes:
    """A text PDF: ``title`` centred on the first page, then each paragraph wrapped to the
    page width. Deterministic (fixed dates, no random IDs)."""
    max_em = (PAGE_W - 2 * MARGIN) / FONT_SIZE
    lines: list[tuple[str, float, int]] = []  # (text, x, size)
    tw = sum(_width(c) for c in title) * 16
    lines.append((title, max(MARGIN, (PAGE_W - tw) / 2), 16))
    lines.append(("", MARGIN, FONT_SIZE))
    for p in paragraphs:
        for i, seg in enumerate(wrap("\u3000\u3000" + p if p else p, max_em)):
            lines.append((seg, MARGIN, FONT_SIZE))
    per_page = int((PAGE_H - 2 * MARGIN) / LEADING)
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)]

    objs: list[bytes] = []

    def add(data: bytes) -> int:
        objs.append(data)
        return len(objs)

    def stream(data: bytes, extra: str = "") -> bytes:
        comp = zlib.compress(data, 9)
        return (f"<< /Length {len(comp)} /Filter /FlateDecode{extra} >>\nstream\n".encode()
                + comp + b"\nendstream")

    catalog = add(b"")  # placeholder, filled below
    pages_id = add(b"")
    desc = add(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
               b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
    cid = add(f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
              f"<< /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor {desc} 0 R "
              f"/DW 1000 /W [1 95 500] >>".encode())
    font = add(f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
               f"/DescendantFonts [{cid} 0 R] >>".encode())
    kids = []
    for page in pages:
        ops = []
        y = PAGE_H - MARGIN
        for text, x, size in page:
            if text:
                ops.append(f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td <{_hex(text)}> Tj ET")
            y -= LEADING
        content = add(stream("\n".join(ops).encode("ascii")))
        kids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                        f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>".encode()))
    objs[pages_id - 1] = (f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
                          f"/Count {len(kids)} >>").encode()
    objs[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    info = add(f"<< /Title <FEFF{_hex(title)}> /Author <FEFF{_hex(author)}> /Producer (nianbao farm) "
               f"/CreationDate (D:{date}+08'00') >>".encode())

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, data in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + data + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def report_pdf(report: Report) -> bytes:
    """The report as a PDF; its text is ``report.gold_text()`` modulo whitespace. The report
    must have no tables."""
    if report.has_tables:
        raise ValueError(f"{report.slug}: PDFs of the farm carry no tables; use drop_tables=True")
    return pdf_bytes(report.title, report.body_lines(), author=report.publisher,
                     date=report.published.replace("-", "") + "090000")


def report_docx(report: Report) -> bytes:
    """The report as a DOCX: title paragraph, body paragraphs split into Word-like runs (digits
    and 年/月/日 in their own runs), tables as Word tables with merged cells. Deterministic
    (fixed core properties)."""
    import datetime

    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from .pages import _rng, word_runs

    d = docx.Document()
    cp = d.core_properties
    cp.author = report.publisher
    cp.title = report.title
    fixed = datetime.datetime.fromisoformat(report.published + "T09:00:00")
    cp.created = cp.modified = fixed
    cp.last_modified_by = report.publisher
    cp.revision = 1
    rng = _rng("docx", report.slug)
    t = d.add_paragraph()
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = t.add_run(report.title)
    r.bold = True
    for b in report.blocks:
        if b.kind == "table":
            assert b.table is not None
            grid = b.table.grid()
            ncols = len(grid[0])
            table = d.add_table(rows=len(grid), cols=ncols)
            table.style = "Table Grid"
            # place the HTML-style rows on the grid, merging spanned areas
            occupied = [[False] * ncols for _ in grid]
            for ri, row in enumerate(b.table.rows):
                ci = 0
                for cell in row:
                    while occupied[ri][ci]:
                        ci += 1
                    for rr in range(ri, ri + cell.rowspan):
                        for cc in range(ci, ci + cell.colspan):
                            occupied[rr][cc] = True
                    target = table.cell(ri, ci)
                    if cell.rowspan > 1 or cell.colspan > 1:
                        target = target.merge(table.cell(ri + cell.rowspan - 1, ci + cell.colspan - 1))
                    target.text = cell.text
                    ci += cell.colspan
            continue
        p = d.add_paragraph()
        if b.kind == "center":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif b.kind == "sign":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for run in word_runs(b.text, rng):
            rr = p.add_run(run)
            if b.kind == "h":
                rr.bold = True
    buf = io.BytesIO()
    d.save(buf)
    return _normalise_zip(buf.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so the same report gives the same bytes."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            ni = zipfile.ZipInfo(info.filename, date_time=(2019, 3, 20, 9, 0, 0))
            ni.compress_type = zipfile.ZIP_DEFLATED
            ni.external_attr = info.external_attr
            z.writestr(ni, src.read(info.filename))
    return out.getvalue()
