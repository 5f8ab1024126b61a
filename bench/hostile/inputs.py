"""Hostile inputs, generated (never stored): each a few lines of code and a few KB to MB of
bytes that cost a naive extractor minutes or gigabytes. Shared by tests/archive/extract/test_hostile_*.py and tests/crawler/test_hostile_web.py
and `python -m bench.hostile`."""
from __future__ import annotations

import gzip
import random
import zlib

from farm.docs import pdf_file

__all__ = ["pdf", "scattered_glyphs_pdf", "flate_bomb_pdf", "many_pages_pdf", "gzip_bomb",
           "deep_font_html", "nul_html", "mixed_encoding_html"]


def pdf(page_streams: list[bytes], filters: list[str] | None = None, share_content: bool = False) -> bytes:
    """A minimal valid PDF (one Helvetica font) with one page per content stream. With
    `share_content` every page uses the first stream (a 100k-page file stays small)."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")  # filled below
    pages = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    contents = []
    streams = page_streams[:1] if share_content else page_streams
    for i, stream in enumerate(streams):
        flt = (filters or [None] * len(streams))[i]
        head = b"<< /Length %d" % len(stream) + (b" /Filter /" + flt.encode() if flt else b"") + b" >>"
        contents.append(add(head + b"\nstream\n" + stream + b"\nendstream"))
    n_pages = len(page_streams)
    for i in range(n_pages):
        c = contents[0 if share_content else i]
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (pages, font, c)))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
    objs[pages - 1] = (b"<< /Type /Pages /Count %d /Kids [" % n_pages
                       + b" ".join(b"%d 0 R" % k for k in kids) + b"] >>")
    return pdf_file(objs, catalog)


def scattered_glyphs_pdf(glyphs: int = 3000, seed: int = 15) -> bytes:
    """One page of `glyphs` single letters at random places: each its own text line and box,
    the worst case of pdfminer's hierarchical text-box grouping (quadratic+ in boxes)."""
    rnd = random.Random(seed)
    ops = [b"BT /F1 6 Tf"]
    for _ in range(glyphs):
        ops.append(b"1 0 0 1 %d %d Tm (%s) Tj" % (rnd.randrange(20, 575), rnd.randrange(20, 820),
                                                    bytes([rnd.randrange(65, 91)])))
    ops.append(b"ET")
    return pdf([b"\n".join(ops)])


def flate_bomb_pdf(inflated_mb: int = 1024) -> bytes:
    """A page whose content stream is `inflated_mb` MB of spaces behind FlateDecode (~1 KB of
    compressed data per MB), then one line of text."""
    c = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(c.compress(chunk) for _ in range(inflated_mb))
    data += c.compress(b"BT /F1 12 Tf 72 720 Td (bomb) Tj ET") + c.flush()
    return pdf([data], filters=["FlateDecode"])


def many_pages_pdf(pages: int = 100_000) -> bytes:
    """`pages` pages sharing one small content stream."""
    return pdf([b"BT /F1 12 Tf 72 720 Td (page) Tj ET"] * pages, share_content=True)


def gzip_bomb(inflated_mb: int = 3072) -> bytes:
    """A gzip body (Content-Encoding: gzip) of `inflated_mb` MB of one byte."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"<p>" + b"a" * ((1 << 20) - 3)
    return b"".join(c.compress(chunk) for _ in range(inflated_mb)) + c.flush()


def gzip_payload(body: bytes) -> bytes:
    """`body` gzipped (an archived payload stored with Content-Encoding)."""
    return gzip.compress(body)


def deep_font_html(paragraphs: int = 400) -> bytes:
    """A legacy page: every paragraph opens a <font> it never closes (FrontPage, Word 97)."""
    body = "".join(f'<p><font face="宋体">第{i}段 政府信息公开工作年度报告内容。\n' for i in range(paragraphs))
    return ("<html><head><meta charset=utf-8><title>2019年政府信息公开工作年度报告</title></head>"
            f"<body><div>{body}</div></body></html>").encode("utf-8")


def nul_html() -> bytes:
    """A report page with a NUL byte in its first KB (a broken CMS template)."""
    return ("<!DOCTYPE html>\x00<html><head><meta charset=utf-8><title>某县2019年政府信息公开工作年度报告"
            "</title></head><body><div class=content><h1>某县2019年政府信息公开工作年度报告</h1>"
            + "<p>一、总体情况。本年度共主动公开政府信息1234条。</p>" * 20
            + "</div></body></html>").encode("utf-8")


def mixed_encoding_html() -> tuple[bytes, list[str]]:
    """A GBK page (declared gb2312) whose CMS pasted some paragraphs as UTF-8 bytes; with the
    paragraphs it holds."""
    gbk = ["一、总体情况", "本年度主动公开政府信息一千二百条。", "三、存在的主要问题及改进情况"]
    utf = ["二、收到和处理政府信息公开申请情况", "本年度共收到申请五十件，均已按时答复。"]
    parts = [b"<html><head><meta http-equiv=Content-Type content='text/html; charset=gb2312'>"
             b"<title>" + "某市2020年政府信息公开工作年度报告".encode("gbk") + b"</title></head><body>"]
    parts += [b"<p>" + gbk[0].encode("gbk") + b"</p>", b"<p>" + gbk[1].encode("gbk") + b"</p>"]
    parts += [b"<p>" + s.encode("utf-8") + b"</p>" for s in utf]
    parts += [b"<p>" + gbk[2].encode("gbk") + b"</p></body></html>"]
    return b"".join(parts), gbk + utf
