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


# -- Word 97 binary (.doc) and WPS ------------------------------------------------------------------
def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (v3, 512-byte sectors). Streams shorter than 4096 bytes are
    padded to 4096 so everything lives in regular sectors (no mini stream needed)."""
    import struct

    sect = 512
    endc, free, fats, nos = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    names = list(streams)
    datas, sizes = [], []
    for n in names:
        d = streams[n]
        if len(d) < 4096:
            d = d + b"\0" * (4096 - len(d))
        sizes.append(len(d))
        datas.append(d + b"\0" * (-len(d) % sect))
    n_data = sum(len(d) // sect for d in datas)
    n_fat = 1
    while n_fat + 1 + n_data > n_fat * (sect // 4):
        n_fat += 1
    fat = [fats] * n_fat
    dir_start = len(fat)
    fat.append(endc)
    starts = []
    for d in datas:
        k = len(d) // sect
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(k - 1)] + [endc]
    fat += [free] * (n_fat * (sect // 4) - len(fat))

    def entry(name: str, typ: int, start: int, size: int, left: int = nos, child: int = nos) -> bytes:
        nm = (name + "\0").encode("utf-16-le") if name else b""
        e = nm.ljust(64, b"\0") + struct.pack("<HBB", len(nm), typ, 1 if typ else 0)
        e += struct.pack("<III", left, nos, child) + b"\0" * 36
        return e + struct.pack("<IQ", start, size)

    # directory tree: entries ordered by (name length, upper-case name), each the left child of
    # the next; the root's child is the last one (all black: a valid, if lopsided, tree)
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    ents: list[bytes] = [b""] * len(names)
    for rank, i in enumerate(order):
        ents[i] = entry(names[i], 2, starts[i], sizes[i], left=order[rank - 1] + 1 if rank else nos)
    dirs = entry("Root Entry", 5, endc, 0, child=order[-1] + 1) + b"".join(ents)
    assert len(names) <= 3
    dirs += entry("", 0, 0, 0) * (3 - len(names))
    hdr = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    hdr += b"\0" * 6 + struct.pack("<9I", 0, n_fat, dir_start, 0, 4096, endc, 0, endc, 0)
    hdr += struct.pack("<109I", *(list(range(n_fat)) + [free] * (109 - n_fat)))
    return hdr + struct.pack(f"<{len(fat)}I", *fat) + dirs + b"".join(datas)


def doc_bytes(paragraphs: Sequence[str]) -> bytes:
    """A Word 97 (.doc) file holding ``paragraphs`` as Unicode text: FIB, one-piece CLX,
    a "Normal" stylesheet, one section, CHPX/PAPX bin tables and a font table (宋体), which is
    what antiword needs (``antiword -m UTF-8.txt f.doc``); catdoc reads it too."""
    import struct

    text = "\r".join(paragraphs) + "\r"
    tb = text.encode("utf-16-le")
    fc0 = 0x800
    bounds = [fc0]
    pos = fc0
    for p in paragraphs:
        pos += 2 * (len(p) + 1)
        bounds.append(pos)
    end_text = fc0 + len(tb)
    wd = bytearray(fc0) + tb
    wd += b"\0" * (-len(wd) % 512)
    chp_pn = len(wd) // 512          # one CHPX FKP: a single run with default properties
    fkp = bytearray(512)
    struct.pack_into("<II", fkp, 0, fc0, end_text)
    fkp[511] = 1
    wd += fkp
    pap_pns, pap_fcs = [], [fc0]     # PAPX FKPs: 25 paragraphs a page, all style 0
    paras = list(zip(bounds[:-1], bounds[1:]))
    for i in range(0, len(paras), 25):
        chunk = paras[i:i + 25]
        fkp = bytearray(512)
        fcs = [a for a, _ in chunk] + [chunk[-1][1]]
        struct.pack_into(f"<{len(fcs)}I", fkp, 0, *fcs)
        papx = 504                   # cb=0, cb'=1, istd=0
        fkp[papx:papx + 4] = b"\x00\x01\x00\x00"
        for k in range(len(chunk)):
            fkp[4 * len(fcs) + 13 * k] = papx // 2
        fkp[511] = len(chunk)
        pap_pns.append(len(wd) // 512)
        pap_fcs.append(fcs[-1])
        wd += fkp
    table = bytearray()

    def put(data: bytes) -> tuple[int, int]:
        off = len(table)
        table.extend(data)
        if len(table) % 2:
            table.append(0)
        return off, len(data)

    def plc(cps: list[int], items: list[bytes]) -> bytes:
        return struct.pack(f"<{len(cps)}I", *cps) + b"".join(items)

    std = struct.pack("<HHHHH", 0, 0x1 | (0xFFF << 4), 0x2, 0, 0)
    std += struct.pack("<H", 6) + "Normal".encode("utf-16-le") + b"\0\0"
    std = std[:6] + struct.pack("<H", len(std)) + std[8:]
    std += struct.pack("<HH", 2, 0) + struct.pack("<H", 0)
    stshi = struct.pack("<6H", 1, 10, 1, 0x5B, 0x0F, 0) + struct.pack("<3H", 0, 0, 0)
    f_stsh = put(struct.pack("<H", len(stshi)) + stshi + struct.pack("<H", len(std)) + std)
    ccp = len(text)
    f_sed = put(plc([0, ccp], [struct.pack("<HIHI", 0, 0xFFFFFFFF, 0, 0)]))
    f_chp = put(plc([fc0, end_text], [struct.pack("<I", chp_pn)]))
    f_pap = put(plc(pap_fcs, [struct.pack("<I", pn) for pn in pap_pns]))
    ffn = struct.pack("<BHBB", 0x02, 400, 134, 0) + b"\0" * 34 + "宋体".encode("utf-16-le") + b"\0\0"
    f_ffn = put(struct.pack("<HH", 1, 0) + bytes([len(ffn)]) + ffn)
    f_dop = put(bytes(500))
    f_clx = put(b"\x02" + struct.pack("<I", 16) + struct.pack("<II", 0, ccp) + struct.pack("<HIH", 0, fc0, 0))
    fib = bytearray(fc0)
    # FibBase: wIdent, nFib (Word 97), lid zh-CN, flags fWhichTblStm|fExtChar
    struct.pack_into("<HHHHHH", fib, 0, 0xA5EC, 0x00C1, 0, 0x0804, 0, 0x1200)
    struct.pack_into("<H", fib, 0x0C, 0x00BF)
    struct.pack_into("<II", fib, 0x18, fc0, end_text)
    struct.pack_into("<H", fib, 0x20, 14)
    struct.pack_into("<H", fib, 0x3E, 22)
    struct.pack_into("<I", fib, 0x40, len(wd))      # cbMac
    struct.pack_into("<I", fib, 0x4C, ccp)          # ccpText
    struct.pack_into("<H", fib, 0x98, 0x5D)
    for idx, (fc, lcb) in ((1, f_stsh), (6, f_sed), (12, f_chp), (13, f_pap), (15, f_ffn),
                           (31, f_dop), (33, f_clx)):
        struct.pack_into("<II", fib, 0x9A + idx * 8, fc, lcb)
    wd[:fc0] = fib
    return _cfb({"WordDocument": bytes(wd), "1Table": bytes(table)})


def report_doc(report: Report) -> bytes:
    """The report as a Word 97 .doc (also served as .wps: Kingsoft WPS files are the same
    compound-file format). Table-free reports only, like PDFs."""
    if report.has_tables:
        raise ValueError(f"{report.slug}: DOC files of the farm carry no tables; use drop_tables=True")
    return doc_bytes([report.title, *report.body_lines()])
