"""Attachment files of the farm: PDF (a small pure-Python writer) and DOCX (python-docx).

The PDF uses the standard non-embedded Chinese CID font ``STSong-Light`` with the
``UniGB-UCS2-H`` encoding (what reportlab's UnicodeCIDFont writes): text is UTF-16BE and
every extractor knows that predefined CMap, so pdfminer.six and pypdf get the exact characters
back. (A /ToUnicode CMap is deliberately absent: pdfminer applies it to CIDs, not codes, and
would then return (cid:N) garbage.) No dependency beyond the stdlib.

``pdf_bytes`` draws no tables; a report with tables goes to pdfdoc.py (ruled cells, Word's
layout). DOCX files keep tables as real Word tables with merged cells.

Length: one generator per attachment format (a small PDF writer, DOCX, DOC as a compound file,
OFD packages with ruled tables); they share the text layout helpers at the top.
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
    return pdf_with_scans(title, [paragraphs], author=author, date=date)


def _text_pages(title: str | None, paragraphs: Sequence[str]) -> list[list[tuple[str, float, int]]]:
    """Pages of (text, x, size) lines: the title centred (when given), then the paragraphs
    wrapped to the page width."""
    max_em = (PAGE_W - 2 * MARGIN) / FONT_SIZE
    lines: list[tuple[str, float, int]] = []  # (text, x, size)
    if title is not None:
        tw = sum(_width(c) for c in title) * 16
        lines.append((title, max(MARGIN, (PAGE_W - tw) / 2), 16))
        lines.append(("", MARGIN, FONT_SIZE))
    for p in paragraphs:
        for seg in wrap("\u3000\u3000" + p if p else p, max_em):
            lines.append((seg, MARGIN, FONT_SIZE))
    per_page = int((PAGE_H - 2 * MARGIN) / LEADING)
    return [lines[i:i + per_page] for i in range(0, len(lines), per_page)]


def _image_xobject(png: bytes) -> tuple[bytes, int, int]:
    """A page scan (PNG) as a PDF image XObject (8-bit grey pixels, Flate-compressed), with
    its width and height in pixels."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    comp = zlib.compress(img.tobytes(), 6)
    return (f"<< /Type /XObject /Subtype /Image /Width {img.width} /Height {img.height} "
            f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Length {len(comp)} /Filter /FlateDecode >>\n"
            f"stream\n").encode() + comp + b"\nendstream", img.width, img.height


def pdf_with_scans(title: str, sections: Sequence[Sequence[str] | Sequence[bytes]], *,
                   author: str = "", date: str = "20190320000000", dpi: int = 150) -> bytes:
    """A PDF of text pages and scanned pages, in order: a section of paragraphs (str) is laid
    out as ``pdf_bytes`` does (the title on the document's first text page), starting a new
    page; a section of page scans (PNG bytes, see disguised.scan_pages) is one image page each,
    the image filling a page of its size at ``dpi`` (pdftoppm at that resolution renders it
    pixel for pixel) and no text layer (what a scanner's pages inserted into an exported report
    look like). Deterministic."""
    pages: list = []
    title_left: str | None = title
    for section in sections:
        if section and isinstance(section[0], bytes):
            pages.extend(section)
            continue
        pages.extend(_text_pages(title_left, section))  # type: ignore[arg-type]
        title_left = None

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
        if isinstance(page, bytes):  # a scanned page: one image over the whole page
            data, w_px, h_px = _image_xobject(page)
            image = add(data)
            w, h = f"{w_px * 72 / dpi:g}", f"{h_px * 72 / dpi:g}"
            content = add(stream(f"q {w} 0 0 {h} 0 0 cm /Im1 Do Q".encode("ascii")))
            kids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {w} {h}] "
                            f"/Resources << /XObject << /Im1 {image} 0 R >> >> /Contents {content} 0 R >>".encode()))
            continue
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
    return pdf_file(objs, catalog, info)


def pdf_file(objs: list[bytes], catalog: int, info: int | None = None) -> bytes:
    """A PDF file of numbered objects (1-based, in order) with its xref table and trailer:
    the writer that pdf_bytes and farm/pdfdoc.py share."""
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
    info_ref = f" /Info {info} 0 R" if info else ""
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root {catalog} 0 R{info_ref} >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def report_pdf(report: Report) -> bytes:
    """The report as a PDF; its text is ``report.gold_text()`` modulo whitespace. A report
    with tables is laid out as Word exports one (pdfdoc.report_pdf_layout: ruled tables with
    merged cells, a two-line title, tables and paragraphs cut by page breaks); one without,
    as plain text lines (``pdf_bytes``)."""
    if report.has_tables:
        from .pdfdoc import report_pdf_layout
        return report_pdf_layout(report)
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


def doc_bytes(paragraphs: Sequence[str], extra_streams: dict[str, bytes] | None = None) -> bytes:
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
    return _cfb({"WordDocument": bytes(wd), "1Table": bytes(table), **(extra_streams or {})})


def report_doc(report: Report) -> bytes:
    """The report as a Word 97 .doc (also served as .wps: Kingsoft WPS files are the same
    compound-file format). Table-free reports only, like PDFs."""
    if report.has_tables:
        raise ValueError(f"{report.slug}: DOC files of the farm carry no tables; use drop_tables=True")
    return doc_bytes([report.title, *report.body_lines()])


# -- OFD (GB/T 33190-2016) -------------------------------------------------------------------------
OFD_NS = "http://www.ofdspec.org/2016"
OFD_PAGE_W, OFD_PAGE_H, OFD_MARGIN = 210.0, 297.0, 25.0  # A4, in millimetres (OFD's unit)
OFD_SIZE, OFD_LEADING = 3.7, 6.5                          # 五号 body text
OFD_TABLE_SIZE, OFD_TABLE_LEADING = 3.2, 4.6              # 小五 in tables


class OfdIds:
    """Object IDs of one OFD document (unique across it, as the standard asks)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> int:
        self.n += 1
        return self.n


def _ofd_deltas(values: Sequence[float]) -> str:
    """DeltaX with runs of equal advances in the "g N v" form: "3.7 g 3 1.85"."""
    out: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j < len(values) and values[j] == values[i]:
            j += 1
        out.append(f"g {j - i} {values[i]:g}" if j - i > 1 else f"{values[i]:g}")
        i = j
    return " ".join(out)


def ofd_text(x: float, baseline: float, text: str, ids: OfdIds, rng=None, size: float = OFD_SIZE,
             t=lambda name: "ofd:" + name) -> list[str]:
    """``text`` starting at (x, baseline) mm, cut the way OFD converters cut it: TextObjects of
    2-8 characters, each of TextCodes of 1-4 characters with DeltaX advances (CJK one em, ASCII
    half an em), X/Y relative to the object's Boundary. ``rng`` picks the cuts (default: seeded
    by the text); ``t`` names elements (``_ofd_tag``)."""
    from xml.sax.saxutils import escape

    rng = rng or _seeded(text)
    objs: list[str] = []
    i = 0
    while i < len(text):
        chunk = text[i:i + rng.randint(2, 8)]
        width = sum(_width(c) for c in chunk) * size
        codes, cx, k = [], 0.0, 0
        while k < len(chunk):
            run = chunk[k:k + rng.randint(1, 4)]
            adv = [_width(c) * size for c in run]
            delta = f' DeltaX="{_ofd_deltas(adv[:-1])}"' if len(run) > 1 else ""
            codes.append(f'<{t("TextCode")} X="{cx:g}" Y="{size:g}"{delta}>{escape(run)}'
                         f'</{t("TextCode")}>')
            cx += sum(adv)
            k += len(run)
        objs.append(f'<{t("TextObject")} ID="{ids()}" Boundary="{x:.3f} {baseline - size:.3f} '
                    f'{width:.3f} {size * 1.2:.3f}" Font="2" Size="{size:g}">'
                    f'<{t("FillColor")} Value="0 0 0"/>{"".join(codes)}</{t("TextObject")}>')
        x += width
        i += len(chunk)
    return objs


def ofd_rect(x: float, y: float, w: float, h: float, ids: OfdIds,
             t=lambda name: "ofd:" + name) -> str:
    """A stroked rectangle (a table cell's borders) as a PathObject."""
    return (f'<{t("PathObject")} ID="{ids()}" Boundary="{x:.3f} {y:.3f} {w:.3f} {h:.3f}" '
            f'LineWidth="0.25"><{t("AbbreviatedData")}>M 0 0 L {w:.3f} 0 L {w:.3f} {h:.3f} '
            f'L 0 {h:.3f} C</{t("AbbreviatedData")}></{t("PathObject")}>')


def ofd_image(ids: OfdIds, t=lambda name: "ofd:" + name, resource: int = 1) -> str:
    """A full-page ImageObject (a scanned page) showing ``resource`` (1: ofd_package's
    placeholder image; else an ID of its ``media``)."""
    return (f'<{t("ImageObject")} ID="{ids()}" Boundary="0 0 {OFD_PAGE_W:g} {OFD_PAGE_H:g}" '
            f'CTM="{OFD_PAGE_W:g} 0 0 {OFD_PAGE_H:g} 0 0" ResourceID="{resource}"/>')


def _ofd_tag(style: str):
    """Element names and root namespace declaration for a namespace style: "prefix" (ofd:X),
    "default" (xmlns=…, no prefix) or "none" (no namespace at all)."""
    if style == "prefix":
        return (lambda name: "ofd:" + name), f' xmlns:ofd="{OFD_NS}"'
    return (lambda name: name), (f' xmlns="{OFD_NS}"' if style == "default" else "")


def ofd_package(pages: Sequence[Sequence[str]], *, title: str = "", author: str = "",
                date: str = "2019-03-20", template: Sequence[str] = (), style: str = "prefix",
                annotation: str = "", ids: OfdIds | None = None,
                media: dict[int, bytes] | None = None) -> bytes:
    """An OFD zip: OFD.xml → Doc_0/Document.xml → one Content.xml per page holding the given
    objects (from ``ofd_text``/``ofd_rect``/``ofd_image``, made with the same ``style``);
    ``template`` objects go to a TemplatePage every page uses; ``annotation`` text to an
    Annotations.xml of the first page. Odd pages' BaseLoc is absolute ("/Doc_0/…"), even ones
    relative, as producers differ. ``media``: PNG images by resource ID (IDs from ``ids``),
    listed in DocumentRes.xml and stored as Doc_0/Res/image_<ID>.png, for ``ofd_image(…,
    resource=ID)`` (a scanned OFD's pages). Deterministic (fixed zip dates)."""
    import zipfile
    from xml.sax.saxutils import escape

    ids = ids or OfdIds()
    t, xmlns = _ofd_tag(style)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    files: dict[str, str | bytes] = {}
    page_ids = [ids() for _ in pages]
    tpl_id = ids()
    files["OFD.xml"] = (
        f'{head}<{t("OFD")}{xmlns} Version="1.0" DocType="OFD"><{t("DocBody")}><{t("DocInfo")}>'
        f'<{t("DocID")}>0d1b2c3a4e5f60718293a4b5c6d7e8f9</{t("DocID")}>'
        + (f'<{t("Title")}>{escape(title)}</{t("Title")}>' if title else "")
        + f'<{t("Author")}>{escape(author)}</{t("Author")}><{t("CreationDate")}>{date}</{t("CreationDate")}>'
        f'<{t("Creator")}>nianbao farm</{t("Creator")}></{t("DocInfo")}>'
        f'<{t("DocRoot")}>Doc_0/Document.xml</{t("DocRoot")}></{t("DocBody")}></{t("OFD")}>')
    page_refs = "".join(
        f'<{t("Page")} ID="{pid}" BaseLoc="{"/Doc_0/" if i % 2 else ""}Pages/Page_{i}/Content.xml"/>'
        for i, pid in enumerate(page_ids))
    files["Doc_0/Document.xml"] = ""  # once every ID is given (MaxUnitID)

    def document() -> str:
        return (
            f'{head}<{t("Document")}{xmlns}><{t("CommonData")}><{t("MaxUnitID")}>{ids.n}'
            f'</{t("MaxUnitID")}><{t("PageArea")}><{t("PhysicalBox")}>0 0 {OFD_PAGE_W:g} {OFD_PAGE_H:g}'
            f'</{t("PhysicalBox")}></{t("PageArea")}><{t("PublicRes")}>PublicRes.xml</{t("PublicRes")}>'
            f'<{t("DocumentRes")}>DocumentRes.xml</{t("DocumentRes")}>'
            f'<{t("TemplatePage")} ID="{tpl_id}" BaseLoc="Tpls/Tpl_0/Content.xml" ZOrder="Background"/>'
            f'</{t("CommonData")}><{t("Pages")}>{page_refs}</{t("Pages")}>'
            f'<{t("Annotations")}>Annots/Annotations.xml</{t("Annotations")}></{t("Document")}>')

    files["Doc_0/PublicRes.xml"] = (
        f'{head}<{t("Res")}{xmlns} BaseLoc="Res"><{t("Fonts")}><{t("Font")} ID="2" '
        f'FontName="宋体" FamilyName="宋体"/></{t("Fonts")}></{t("Res")}>')
    images = media or {1: b"\x89PNG\r\n\x1a\n" + bytes(64)}  # default: a placeholder, not an image
    files["Doc_0/DocumentRes.xml"] = (
        f'{head}<{t("Res")}{xmlns} BaseLoc="Res"><{t("MultiMedias")}>'
        + "".join(f'<{t("MultiMedia")} ID="{rid}" Type="Image"'
                  + (' Format="PNG"' if media else "")
                  + f'><{t("MediaFile")}>image_{rid}.png</{t("MediaFile")}></{t("MultiMedia")}>'
                  for rid in images)
        + f'</{t("MultiMedias")}></{t("Res")}>')
    for rid, data in images.items():
        files[f"Doc_0/Res/image_{rid}.png"] = data

    def content(objs: Sequence[str], extra: str = "") -> str:
        return (f'{head}<{t("Page")}{xmlns}>{extra}<{t("Content")}><{t("Layer")} ID="{ids()}" '
                f'Type="Body">{"".join(objs)}</{t("Layer")}></{t("Content")}></{t("Page")}>')

    files["Doc_0/Tpls/Tpl_0/Content.xml"] = content(template)
    for i, objs in enumerate(pages):
        files[f"Doc_0/Pages/Page_{i}/Content.xml"] = content(
            objs, f'<{t("Template")} TemplateID="{tpl_id}" ZOrder="Background"/>')
    annots = ""
    if annotation:
        annots = f'<{t("Page")} PageID="{page_ids[0]}"><{t("FileLoc")}>Page_0/Annotation.xml</{t("FileLoc")}></{t("Page")}>'
        appearance = "".join(ofd_text(20, 20, annotation, ids, t=t))
        files["Doc_0/Annots/Page_0/Annotation.xml"] = (
            f'{head}<{t("PageAnnot")}{xmlns}><{t("Annot")} ID="{ids()}" Type="Stamp">'
            f'<{t("Appearance")} Boundary="0 0 100 30">{appearance}</{t("Appearance")}>'
            f'</{t("Annot")}></{t("PageAnnot")}>')
    files["Doc_0/Annots/Annotations.xml"] = (
        f'{head}<{t("Annotations")}{xmlns}>{annots}</{t("Annotations")}>')
    files["Doc_0/Document.xml"] = document()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2019, 3, 20, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return out.getvalue()


def _seeded(*parts: object):
    from .pages import _rng

    return _rng("ofd", *parts)



def placed_cells(table) -> list[tuple[int, int, object]]:
    """(row, column, cell) of every cell of a corpus Table once its row/colspans are resolved
    on the grid (the OFD and PDF writers both lay tables out from it)."""
    placed = []
    occupied: set[tuple[int, int]] = set()
    for ri, row in enumerate(table.rows):
        ci = 0
        for cell in row:
            while (ri, ci) in occupied:
                ci += 1
            occupied |= {(r, c) for r in range(ri, ri + cell.rowspan)
                         for c in range(ci, ci + cell.colspan)}
            placed.append((ri, ci, cell))
            ci += cell.colspan
    return placed

def _ofd_table(table, top: float, ids: OfdIds, rng, t) -> list[tuple[float, list[str]]]:
    """A report table as bordered cells (rowspan/colspan as merged rectangles) from ``top``:
    [(height, objects)] per group of rows no rowspan crosses (where a page may break)."""
    size, leading = OFD_TABLE_SIZE, OFD_TABLE_LEADING
    grid_w = OFD_PAGE_W - 2 * OFD_MARGIN
    ncols = len(table.grid()[0])
    placed = placed_cells(table)  # (row, col, cell)
    # columns as wide as their longest unmerged text wants, within 3-16 ems, scaled to fit
    want = [3.0] * ncols
    for _, ci, cell in placed:
        if cell.colspan == 1:
            want[ci] = max(want[ci], min(16.0, sum(_width(c) for c in cell.text) + 1))
    colws = [grid_w * w / sum(want) for w in want]
    xs = [OFD_MARGIN + sum(colws[:i]) for i in range(ncols + 1)]
    nrows = len(table.rows)
    lines_of = {id(cell): wrap(cell.text, (xs[ci + cell.colspan] - xs[ci] - 3) / size)
                if cell.text else [] for _, ci, cell in placed}
    heights = [leading + 1.0] * nrows
    for ri, _, cell in placed:
        if cell.rowspan == 1:
            heights[ri] = max(heights[ri], len(lines_of[id(cell)]) * leading + 1.0)
    for ri, _, cell in placed:  # a merged cell's text must fit its rows
        need = len(lines_of[id(cell)]) * leading + 1.0
        have = sum(heights[ri:ri + cell.rowspan])
        if need > have:
            heights[ri + cell.rowspan - 1] += need - have
    ends = [max(r + c.rowspan for r, _, c in placed if r <= ri) for ri in range(nrows)]
    groups, start = [], 0
    for ri in range(nrows):
        if ends[ri] == ri + 1:  # no rowspan reaches past this row: a page may break after it
            groups.append((start, ri + 1))
            start = ri + 1
    out = []
    for g0, g1 in groups:
        objs: list[str] = []
        for ri, ci, cell in placed:
            if not g0 <= ri < g1:
                continue
            x = xs[ci]
            y = top + sum(heights[g0:ri])
            h = sum(heights[ri:ri + cell.rowspan])
            objs.append(ofd_rect(x, y, xs[ci + cell.colspan] - x, h, ids, t))
            for k, line in enumerate(lines_of[id(cell)]):
                objs.extend(ofd_text(x + 1.5, y + (k + 1) * leading - 1.0, line, ids, rng, size,
                                     t=t))
        out.append((sum(heights[g0:g1]), objs))
    return out


def ofd_bytes(title: str, blocks: Sequence, *, author: str = "", date: str = "2019-03-20",
              header: str = "", style: str = "prefix", annotation: str = "",
              seed: object = "") -> bytes:
    """A text OFD: ``title`` centred on the first page, then the blocks (corpus.Block:
    paragraphs and headings indented two ems and wrapped, centred and right-aligned lines,
    tables with ruled cells), each page numbered "- N -" at its foot. ``header`` goes to the
    template page (with a rule under it), as running headers do. Text is cut into many short
    TextObjects/TextCodes (``ofd_text``)."""
    t, _ = _ofd_tag(style)
    ids = OfdIds()
    rng = _seeded(seed or title)
    width = OFD_PAGE_W - 2 * OFD_MARGIN
    bottom = OFD_PAGE_H - OFD_MARGIN
    pages: list[list[str]] = [[]]
    y = OFD_MARGIN

    def room(height: float) -> None:
        nonlocal y
        if y + height > bottom and pages[-1]:
            pages.append([])
            y = OFD_MARGIN

    def line(text: str, x: float, size: float = OFD_SIZE) -> None:
        nonlocal y
        room(OFD_LEADING)
        y += OFD_LEADING
        pages[-1].extend(ofd_text(x, y, text, ids, rng, size, t=t))

    title_size = 6.0
    title_w = sum(_width(c) for c in title) * title_size
    line(title, max(OFD_MARGIN, (OFD_PAGE_W - title_w) / 2), title_size)
    y += OFD_LEADING
    for b in blocks:
        if b.kind == "table":
            y += 2
            groups = _ofd_table(b.table, 0, ids, rng, t)
            total = sum(height for height, _ in groups)
            if total <= bottom - OFD_MARGIN:
                room(total)  # a table that fits on a page is kept on one
            for height, objs in groups:
                room(height)
                pages[-1].extend(_shift(objs, y))
                y += height
            y += 2
            continue
        w = sum(_width(c) for c in b.text) * OFD_SIZE
        if b.kind == "center":
            line(b.text, OFD_MARGIN + max(0.0, (width - w) / 2))
        elif b.kind == "sign":
            line(b.text, OFD_MARGIN + max(0.0, width - w))
        else:
            for i, seg in enumerate(wrap("\u3000\u3000" + b.text, width / OFD_SIZE)):
                line(seg[2:] if i == 0 else seg, OFD_MARGIN + (2 * OFD_SIZE if i == 0 else 0))
    for n, objs in enumerate(pages, 1):
        label = f"- {n} -"
        objs.extend(ofd_text((OFD_PAGE_W - len(label) * OFD_SIZE / 2) / 2, OFD_PAGE_H - 15,
                             label, ids, rng, t=t))
    template: list[str] = []
    if header:
        template = ofd_text(OFD_MARGIN, 15, header, ids, rng, t=t)
        template.append(f'<{t("PathObject")} ID="{ids()}" Boundary="{OFD_MARGIN:g} 18 {width:g} 1" '
                        f'LineWidth="0.5"><{t("AbbreviatedData")}>M 0 0 L {width:g} 0'
                        f'</{t("AbbreviatedData")}></{t("PathObject")}>')
    return ofd_package(pages, title=title, author=author, date=date, template=template,
                       style=style, annotation=annotation, ids=ids)


def _shift(objs: list[str], dy: float) -> list[str]:
    """Move objects laid out from y=0 down by ``dy`` mm (their Boundary's y)."""
    import re

    def move(m) -> str:
        return f'Boundary="{m.group(1)} {float(m.group(2)) + dy:.3f} '

    return [re.sub(r'Boundary="([-\d.]+) ([-\d.]+) ', move, o, count=1) for o in objs]


def report_ofd(report: Report) -> bytes:
    """The report as an OFD (``ofd_bytes``): its text is ``report.gold_text()`` modulo
    whitespace, its tables ruled grids, the government's name a running header."""
    return ofd_bytes(report.title, report.blocks, author=report.publisher, date=report.published,
                     header=f"{report.government}政府信息公开", seed=report.slug)
