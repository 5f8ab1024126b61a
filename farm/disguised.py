"""A county portal whose reports hide behind the wrong names, and scans (issue 17).

石门县 publishes its reports the way real county sites do: every attachment is called ``.doc``
whatever Word or WPS saved — RTF (GBK ``\\'xx`` escapes under ``\\ansicpg936``, ``\\uN?``
escapes, tables with merged cells), a Word web page (HTML), a Word web archive (MHT: MIME
multipart, quoted-printable GBK HTML plus a base64 image), a DOCX — plus a WPS file (OLE2
Word stream with WPS Office's ``WpsCustomData`` stream and ``KSOProductBuildVer`` property),
a PDF with junk before ``%PDF-``, a scanned PDF (page images only), a mixed PDF (text pages
with a scanned page between them: ``mixed_pdf_bytes``), a scanned OFD (its pages only images
in ``Res/``: ``scanned_ofd_bytes``) and a report page that shows its pages as ``<img>`` scans.
Gold texts are the corpus reports' (``Report.gold_text``).

Scans are drawn with Pillow and Debian's WenQuanYi Zen Hei (``fonts-wqy-zenhei``, in the
Makefile's TEST_PKGS) at 150 dpi: one line per paragraph line, a table row as its cells spaced
apart, ruled. Without the font the scans cannot be drawn: ``font_path()`` says so.
"""
from __future__ import annotations

import base64
import io
import quopri
import random
from functools import lru_cache
from pathlib import Path
from typing import Callable

from . import docs
from .corpus import Block, Report, Table, seed_report, variant
from .pages import (
    ListItem,
    PageMeta,
    body_html,
    esc,
    render_article,
    render_attachment_page,
    render_legacy_list,
    render_link_page,
)
from .sites import Built, _Builder, _related, _rng

__all__ = ["DisguisedPortal", "rtf_bytes", "word_html_bytes", "mht_bytes", "wps_bytes",
           "scan_pages", "scanned_pdf_bytes", "mixed_pdf_bytes", "mixed_parts", "scanned_ofd_bytes",
           "font_path", "disguised_reports"]

FONT_CANDIDATES = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
                   "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DPI = 150
PAGE_PX = (1240, 1754)   # A4 at 150 dpi
MARGIN_PX = 120
FONT_PX = 26
LINE_PX = 44


def font_path() -> str:
    """A CJK font to draw scans with (Debian fonts-wqy-zenhei or fonts-noto-cjk)."""
    for p in FONT_CANDIDATES:
        if Path(p).exists():
            return p
    raise FileNotFoundError("no CJK font to draw the farm's scans: apt-get install fonts-wqy-zenhei")


# -- RTF ------------------------------------------------------------------------------------------
def _rtf_escape(s: str, rng: random.Random) -> str:
    """GBK ``\\'xx`` escapes (what Word writes under \\ansicpg936); about one CJK character in
    eight as a ``\\uN?`` escape instead (what newer Word writes), ASCII as is."""
    out = []
    for ch in s:
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ord(ch) < 128:
            out.append(ch)
        elif rng.random() < 0.125:
            n = ord(ch)
            out.append(f"\\u{n - 65536 if n > 32767 else n}?")
        else:
            out.append("".join(f"\\'{b:02x}" for b in ch.encode("gbk")))
    return "".join(out)


def _rtf_table(table: Table, rng: random.Random) -> str:
    """RTF rows with merged cells: \\clmgf/\\clmrg across, \\clvmgf/\\clvmrg down."""
    grid_text = table.grid()
    width = len(grid_text[0])
    # origin[r][c]: (kind) 'first' | 'h' (covered by a colspan) | 'v' (covered by a rowspan) | 'vfirst'
    kinds = [["" for _ in range(width)] for _ in grid_text]
    texts = [["" for _ in range(width)] for _ in grid_text]
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
                    if r + dr >= len(kinds):
                        continue
                    kind = "h" if dc else ("v" if dr else ("vfirst" if cell.rowspan > 1 else "first"))
                    kinds[r + dr][c + dc] = kind
            texts[r][c] = cell.text
            c += cell.colspan
    step = 9000 // width
    out = []
    for r in range(len(grid_text)):
        defs = []
        cells = []
        for c in range(width):
            k = kinds[r][c]
            flag = {"h": "\\clmrg", "v": "\\clvmrg", "vfirst": "\\clvmgf"}.get(k, "")
            if k not in ("h",) and c + 1 < width and kinds[r][c + 1] == "h":
                flag += "\\clmgf"
            defs.append(f"{flag}\\clbrdrt\\brdrs\\clbrdrb\\brdrs\\cellx{step * (c + 1)}")
            text = texts[r][c] if k in ("first", "vfirst") else ""
            cells.append(f"\\pard\\intbl\\qc {{\\f1 {_rtf_escape(text, rng)}}}\\cell")
        out.append("\\trowd\\trgaph108" + "".join(defs) + "\n" + "\n".join(cells) + "\n\\row")
    return "\n".join(out) + "\n\\pard\n"


def rtf_bytes(report: Report) -> bytes:
    """The report as Word's "save as RTF" under a Chinese locale writes it."""
    rng = _rng("rtf", report.slug)
    head = ("{\\rtf1\\ansi\\ansicpg936\\deff0\\deflang1033\\deflangfe2052"
            "{\\fonttbl{\\f0\\froman\\fcharset0 Times New Roman;}"
            "{\\f1\\fnil\\fcharset134 " + _rtf_escape("宋体", rng) + ";}}"
            "{\\colortbl;\\red0\\green0\\blue0;}"
            "{\\*\\generator Microsoft Word 11.0.5604;}"
            "{\\info{\\title " + _rtf_escape(report.title, rng) + "}}\n"
            "\\paperw11906\\paperh16838\\margl1800\\margr1800\n")
    body = [f"\\pard\\qc {{\\f1\\fs36 {_rtf_escape(report.title, rng)}}}\\par\n"]
    for b in report.blocks:
        if b.kind == "table":
            assert b.table is not None
            body.append(_rtf_table(b.table, rng))
            continue
        align = {"center": "\\qc", "sign": "\\qr"}.get(b.kind, "\\qj\\fi640")
        bold = "\\b " if b.kind == "h" else ""
        body.append(f"\\pard{align} {{\\f1\\fs32 {bold}{_rtf_escape(b.text, rng)}}}\\par\n")
    return (head + "".join(body) + "}").encode("ascii")


# -- Word web page and web archive ----------------------------------------------------------------
def _word_html(report: Report) -> str:
    rng = _rng("wordhtml", report.slug)
    body = body_html(report.blocks, rng, "span", spam=False)
    return ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"\n'
            'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">\n'
            '<head>\n<meta http-equiv=Content-Type content="text/html; charset=gb2312">\n'
            '<meta name=ProgId content=Word.Document>\n<meta name=Generator content="Microsoft Word 11">\n'
            f'<title>{esc(report.title)}</title>\n'
            '<style>\n<!-- p.MsoNormal {margin:0cm;font-size:10.5pt;font-family:"Times New Roman";} -->\n</style>\n'
            '</head>\n<body lang=ZH-CN style="text-justify-trim:punctuation">\n<div class=Section1>\n'
            f'<p class=MsoNormal align=center style="text-align:center"><b><span style="font-size:18.0pt">'
            f'{esc(report.title)}</span></b></p>\n{body}\n</div>\n</body>\n</html>\n')


def word_html_bytes(report: Report) -> bytes:
    """The report as Word's "save as web page" writes it (GB2312 declared), kept as .doc."""
    return _word_html(report).encode("gb18030")


def mht_bytes(report: Report) -> bytes:
    """The report as Word's "save as single file web page" (MHT) writes it: a MIME
    multipart/related message, the HTML quoted-printable in GBK, an image part in base64."""
    html = _word_html(report).replace("</div>\n</body>",
                                      '<p class=MsoNormal><img width=120 height=40 src="nianbao.files/image001.gif"></p>\n'
                                      "</div>\n</body>")
    qp = quopri.encodestring(html.encode("gb18030")).decode("ascii")
    gif = base64.encodebytes(b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01"
                             b"\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;").decode("ascii")
    boundary = "----=_NextPart_01D2A1B3.5F0C6E40"
    return ("MIME-Version: 1.0\r\n"
            f'Content-Type: multipart/related; boundary="{boundary}"\r\n\r\n'
            "此文档为“单个文件网页”，也称为“Web 档案”文件。\r\n\r\n".encode("gb18030").decode("latin-1") +
            f"--{boundary}\r\nContent-Location: file:///C:/nianbao.htm\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            'Content-Type: text/html; charset="gb2312"\r\n\r\n' + qp.replace("\n", "\r\n") + "\r\n"
            f"--{boundary}\r\nContent-Location: file:///C:/nianbao.files/image001.gif\r\n"
            "Content-Transfer-Encoding: base64\r\nContent-Type: image/gif\r\n\r\n" + gif + "\r\n"
            f"--{boundary}--\r\n").encode("latin-1")


def wps_bytes(report: Report) -> bytes:
    """A WPS Office file: the farm's binary Word document plus the WpsCustomData stream WPS
    Office adds (holding its KSOProductBuildVer mark), served as .wps."""
    return docs.doc_bytes(report.gold_text().splitlines(), extra_streams={
        "WpsCustomData": b"KSOProductBuildVer\x00" + "2052-11.1.0.9912".encode("utf-16-le")})


# -- scans -------------------------------------------------------------------------------------------
def _scan_lines(report: Report, title: bool = True) -> list[tuple[str, bool]]:
    """(text, ruled) lines as a scan shows them: title (unless ``title`` is False: pages
    from the middle of a report), paragraphs wrapped to the page, table rows with their cells
    spaced apart (ruled above)."""
    from PIL import ImageFont

    font = ImageFont.truetype(font_path(), FONT_PX)
    max_w = PAGE_PX[0] - 2 * MARGIN_PX

    def wrap(text: str) -> list[str]:
        out, cur = [], ""
        for ch in text:
            if cur and font.getlength(cur + ch) > max_w:
                out.append(cur)
                cur = ""
            cur += ch
        return out + [cur] if cur else out

    lines: list[tuple[str, bool]] = [(report.title, False)] if title else []
    for b in report.blocks:
        if b.kind == "table":
            assert b.table is not None
            for row in b.table.grid():
                lines.append(("\u3000\u3000\u3000".join(c for c in row if c), True))
            continue
        for seg in wrap(("\u3000\u3000" if b.kind == "p" else "") + b.text):
            lines.append((seg, False))
    return lines


def scan_pages(report: Report, title: bool = True) -> list[bytes]:
    """The report drawn as page scans (PNG, 8-bit grey, 150 dpi), deterministic; without
    its title line when ``title`` is False."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_path(), FONT_PX)
    lines = _scan_lines(report, title)
    per_page = (PAGE_PX[1] - 2 * MARGIN_PX) // LINE_PX
    pages = []
    for start in range(0, len(lines), per_page):
        img = Image.new("L", PAGE_PX, 255)
        draw = ImageDraw.Draw(img)
        y = MARGIN_PX
        for text, ruled in lines[start:start + per_page]:
            if ruled:
                draw.line([(MARGIN_PX - 10, y - 6), (PAGE_PX[0] - MARGIN_PX + 10, y - 6)], fill=0, width=2)
            draw.text((MARGIN_PX, y), text, font=font, fill=0)
            y += LINE_PX
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=False)
        pages.append(buf.getvalue())
    return pages


def scanned_pdf_bytes(report: Report) -> bytes:
    """An image-only PDF of the report's scans (what a scanner's PDF holds: one image a page),
    deterministic (Pillow's PDF writer stamps the time)."""
    return docs.pdf_with_scans(report.title, [scan_pages(report)], author=report.publisher,
                               date=report.published.replace("-", "") + "090000", dpi=DPI)


def mixed_parts(report: Report) -> tuple[Report, Report, Report]:
    """How ``mixed_pdf_bytes`` cuts a report: (text pages, scanned pages, text pages), each
    a Report of that part's blocks (the title goes with the first)."""
    blocks = report.blocks
    table_at = next(i for i, b in enumerate(blocks) if b.kind == "table")
    cut = max(1, table_at - 2)  # the scan starts two paragraphs before the table
    return (report.replace(blocks=blocks[:cut]), report.replace(blocks=blocks[cut:table_at + 1]),
            report.replace(blocks=blocks[table_at + 1:]))


def mixed_pdf_bytes(report: Report) -> bytes:
    """A PDF exported from Word with a scanned page put in: text pages (title and the first
    paragraphs), the page(s) holding the statistics table as a scan without a text layer,
    then text pages again (the closing paragraphs). Its text in page order is
    ``report.gold_text()``; ``mixed_parts`` says which part is which."""
    head, scan, tail = mixed_parts(report)
    return docs.pdf_with_scans(report.title, [
        [b.text for b in head.blocks], scan_pages(scan, title=False), [b.text for b in tail.blocks]],
        author=report.publisher, date=report.published.replace("-", "") + "090000", dpi=DPI)


def scanned_ofd_bytes(report: Report) -> bytes:
    """A scanned OFD: each page one full-page ImageObject showing a PNG scan kept in the
    package's ``Res/`` folder (DocumentRes.xml's MultiMedia), no TextObject anywhere."""
    ids = docs.OfdIds()
    media: dict[int, bytes] = {}
    pages = []
    for png in scan_pages(report):
        rid = ids()
        media[rid] = png
        pages.append([docs.ofd_image(ids, resource=rid)])
    return docs.ofd_package(pages, title=report.title, author=report.publisher,
                            date=report.published, ids=ids, media=media)


def _short(report: Report, n_paragraphs: int, table_rows: int) -> Report:
    """A shorter report (scans cost OCR time): its first blocks and the head of a table."""
    blocks = [b for b in report.blocks if b.kind != "table"][:n_paragraphs]
    table = next((b.table for b in report.blocks if b.kind == "table" and b.table), None)
    if table is not None and table_rows:
        plain = tuple(row for row in table.rows if all(c.rowspan == 1 for c in row))[:table_rows]
        blocks.append(Block("table", table=Table(plain)))
    return report.replace(blocks=tuple(blocks))


# -- the portal ------------------------------------------------------------------------------------
GOV, HOST, PROVINCE = "石门县", "www.shimen.gov.cn", "湖南省"


def disguised_reports() -> dict[str, Report]:
    """The portal's reports by how they are published (deterministic)."""
    sz, jh = seed_report("suizhou-2020"), seed_report("jiahe-2017")

    def v(base: Report, year: int, k: int) -> Report:
        return variant(base, government=GOV, year=year, province=PROVINCE, slug=f"shimen-{year}",
                       published=f"{year + 1}-03-{10 + k:02d}", index_no=f"43072600/{year + 1}-0{k}311")
    return {
        "rtf": v(sz, 2022, 1),
        "html": v(sz, 2021, 2),
        "mht": v(sz, 2020, 3),
        "docx": v(jh, 2019, 4),
        "wps": v(jh, 2018, 5),
        "junkpdf": v(jh.replace(blocks=tuple(b for b in jh.blocks if b.kind != "table")), 2017, 6),
        "scanpdf": _short(v(jh, 2016, 7), 6, 10),
        "scanpage": _short(v(jh, 2015, 8), 8, 10),
        "mixedpdf": _mixed(v(jh, 2014, 9)),
        "scanofd": _short(v(jh, 2013, 0), 6, 10),
    }


def _mixed(report: Report) -> Report:
    """A report for the mixed PDF: six paragraphs, the head of its table, four paragraphs
    (mixed_parts cuts it: text, scan of two paragraphs and the table, text)."""
    short = _short(report, 10, 8)
    paras = [b for b in short.blocks if b.kind != "table"]
    table = [b for b in short.blocks if b.kind == "table"]
    return short.replace(blocks=tuple(paras[:6] + table + paras[6:]))


class DisguisedPortal(_Builder):
    """Legacy county site: article pages linking one ``.doc``-named attachment each (whatever
    its real format), a scanned PDF, and a page whose body is its scanned pages as images."""

    server = "Microsoft-IIS/6.0"

    def build(self) -> Built:
        site = self.site()
        gbk = "text/html"
        nav = [("网站首页", "/"), ("政府信息公开", "/xxgk/")]
        chrome = self.chrome(nav=nav, icp="湘ICP备05003562号")
        reports = disguised_reports()
        octet = "application/octet-stream"
        files: list[tuple[str, str, str, str, Callable[[Report], bytes]]] = [
            # (key, file name, served Content-Type, truth content_type, maker)
            ("rtf", "doc", "application/msword", "rtf", rtf_bytes),
            ("html", "doc", "application/msword", "html", word_html_bytes),
            ("mht", "doc", octet, "mht", mht_bytes),
            ("docx", "doc", "application/msword", "docx", docs.report_docx),
            ("wps", "wps", octet, "wps", wps_bytes),
            ("junkpdf", "pdf", "application/pdf", "pdf", lambda r: b"\r\n\xef\xbb\xbf  \r\n" + docs.report_pdf(r)),
            ("scanpdf", "pdf", "application/pdf", "pdf", scanned_pdf_bytes),
            ("mixedpdf", "pdf", "application/pdf", "pdf", mixed_pdf_bytes),
            ("scanofd", "ofd", "application/ofd", "ofd", scanned_ofd_bytes),
        ]
        entries: list[ListItem] = []
        pages: list[tuple[ListItem, Callable]] = []
        for n, (key, ext, ctype, ctruth, make) in enumerate(files):
            r = reports[key]
            fhref = f"/uploadfile/{r.published.replace('-', '')}/{key}{n}.{ext}"
            site.add(fhref, (lambda r=r, make=make: make(r)), ctype)
            item = ListItem(r.title, f"/xxgk/show.asp?id={4100 + n * 7}", r.published)
            entries.append(item)
            meta = PageMeta.of(r)
            pages.append((item, lambda ch, meta=meta, fhref=fhref, r=r, ext=ext: render_attachment_page(
                "legacy_gbk", meta, [(fhref, f"{r.title}.{ext}")], ch)))
            self.add_truth(self.host, item.href, r, url_path=fhref, content_type=ctruth)
        # the report page of scans: its body is only the page images
        r = reports["scanpage"]
        item = ListItem(r.title, "/xxgk/show.asp?id=4199", r.published)
        entries.append(item)
        scans = [f"/uploadfile/{r.published.replace('-', '')}/scan{k + 1:02d}.png"
                 for k in range(len(_scan_page_cache(r)))]
        for k, href in enumerate(scans):
            site.add(href, (lambda r=r, k=k: _scan_page_cache(r)[k]), "image/png")
        body = "\n".join(f'<p style="text-align:center"><img src="{h}" width="600" border="0"></p>' for h in scans)
        meta = PageMeta.of(r)
        pages.append((item, lambda ch, meta=meta, body=body: render_article("legacy_gbk", meta, body, ch)))
        self.add_truth(self.host, item.href, r, content_type="html")
        report_items = list(entries)
        for item, render in pages:
            ch = self.chrome(nav=nav, icp=chrome.icp, related=_related(item.title, _rng("rel", item.href), report_items))
            site.add(item.href, (lambda render=render, ch=ch: render(ch)), gbk)
        entries.sort(key=lambda i: (i.date, i.href), reverse=True)

        def href(n: int) -> str:
            return "/xxgk/list.asp?classid=12" + (f"&page={n}" if n > 1 else "")
        site.add(href(1), (lambda: render_legacy_list(chrome, "政府信息公开年报", entries, 1, 1, href)), gbk)
        sections = [("政府信息公开", [("政府信息公开年报", href(1))])]
        site.add("/xxgk/", render_link_page("legacy_gbk", chrome, "政府信息公开", sections), gbk)
        home = render_link_page("legacy_gbk", chrome, GOV + "人民政府",
                                [("栏目导航", [("政府信息公开", "/xxgk/")])])
        site.add("/index.asp", home, gbk)
        site.add("/", home, gbk)
        return self.built()


@lru_cache(maxsize=8)
def _scan_page_cache(report: Report) -> tuple[bytes, ...]:
    return tuple(scan_pages(report))


def disguised_portal(seed: int = 0) -> DisguisedPortal:
    """The builder, as the farm registers it."""
    return DisguisedPortal(GOV, HOST, PROVINCE, "county", seed=seed)
