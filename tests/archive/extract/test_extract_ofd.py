"""archive.extract on OFD attachments (GB/T 33190-2016): the farm's seed reports rendered as
real OFD zips (farm/docs.py ``ofd_bytes``/``report_ofd``: many short TextObjects and
TextCodes with DeltaX, ruled tables, a running header on a template page, page numbers), and
damaged or hostile ones.
"""
from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

import pytest

from archive.extract import extract, sniff_type
from archive.extract import ofd as extract_ofd
from archive.extract.ocr import unavailable
from farm import corpus, docs
from farm.corpus import Block, Cell, Table

WS = re.compile(r"\s+")
PAGE = "Doc_0/Pages/Page_0/Content.xml"
TITLE = "嘉禾县2017年政府信息公开年度报告"
PARAS = [
    "本年度报告根据《中华人民共和国政府信息公开条例》编制，全文包括概述、主动公开政府信息情况、"
    "依申请公开政府信息情况、复议诉讼情况、存在的主要问题及改进措施等内容。本报告中所列数据的"
    "统计期限自2017年1月1日至2017年12月31日止。",
    "2017年，我县坚持把政府信息公开工作做为政府施政的基本准则。",
]
TABLE = Table(((Cell("统计指标"), Cell("单位"), Cell("统计数")),
               (Cell("一、主动公开情况", colspan=3),),
               (Cell("（一）主动公开政府信息数"), Cell("条", rowspan=2), Cell("1652")),
               (Cell("其中：主动公开规范性文件数"), Cell("31")),
               (Cell("二、回应解读情况"), Cell("次"), Cell("120"))))
GRID = [["统计指标", "单位", "统计数"],
        ["一、主动公开情况", "", ""],
        ["（一）主动公开政府信息数", "条", "1652"],
        ["其中：主动公开规范性文件数", "条", "31"],
        ["二、回应解读情况", "次", "120"]]
BLOCKS = [Block("h", "一、概述"), Block("p", PARAS[0]), Block("p", PARAS[1]),
          Block("table", table=TABLE), Block("p", "附件：2017年政府信息公开情况统计表"),
          Block("sign", "嘉禾县人民政府办公室"), Block("sign", "2018年3月20日")]
GOLD = [TITLE, "一、概述", *PARAS, *(" | ".join(r) for r in GRID),
        "附件：2017年政府信息公开情况统计表", "嘉禾县人民政府办公室", "2018年3月20日"]


def squash(s: str) -> str:
    return WS.sub("", s)


def small_ofd(**kw) -> bytes:
    return docs.ofd_bytes(TITLE, BLOCKS, author="嘉禾县人民政府办公室", **kw)


def rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """The OFD with parts replaced (None: removed); new names are added."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            if name not in replace:
                z.writestr(name, src.read(name))
        for name, part in replace.items():
            if part is not None:
                z.writestr(name, part)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def codes_text(xml: bytes) -> str:
    """The text of a part's TextCodes, in file order."""
    return "".join(re.findall(r"<ofd:TextCode[^>]*>([^<]*)</ofd:TextCode>", xml.decode()))


# --- text, order, tables -------------------------------------------------------------------------
def test_lines_in_reading_order_with_the_ruled_table_on_its_grid():
    data = small_ofd()
    ex = extract(data, "http://www.jiahe.gov.cn/module/download/downfile.jsp?id=7",
                 "application/octet-stream")
    assert ex.content_type == "ofd"
    # one line per paragraph (wrapped lines joined; the right-aligned issuer and date lines
    # stay apart), one per table row, cells left to right, merged cells as on a grid
    assert ex.text.splitlines() == GOLD
    assert ex.tables == [GRID]
    assert ex.title == TITLE
    assert not ex.needs_ocr
    assert ex.metadata == {"pages": 1}


@pytest.mark.parametrize("slug", corpus.SEED_SLUGS)
def test_seed_report_gives_every_character_of_the_gold_text_in_order(slug):
    report = corpus.seed_report(slug)
    ex = extract(docs.report_ofd(report), f"http://x.gov.cn/{slug}.ofd")
    assert ex.content_type == "ofd" and not ex.needs_ocr
    assert "error" not in ex.metadata
    pages = ex.metadata["pages"]
    assert pages >= 3  # several pages, each cut into many TextCodes
    assert ex.title == report.title
    assert squash(ex.text) == squash(report.gold_text())
    # every table row is one line; a table a page break cuts is two tables of the same rows
    lines = ex.text.splitlines()
    gold_rows = [row for table in report.gold_tables() for row in table]
    assert [row for table in ex.tables for row in table] == gold_rows
    for row in gold_rows:
        assert " | ".join(row) in lines
    # paragraphs are lines; only one a page break cuts (no layout joins across pages) is not
    ours = {squash(ln) for ln in lines}
    missing = [g for g in report.gold_text().splitlines() if squash(g) not in ours]
    assert len(missing) <= pages - 1, missing[:3]


def test_running_header_template_and_page_numbers_do_not_leak():
    header = "嘉禾县人民政府办公室主办内部资料"
    data = docs.report_ofd(corpus.seed_report("jiahe-2017"))
    with_header = docs.ofd_bytes(TITLE, list(corpus.seed_report("jiahe-2017").blocks),
                                 header=header)
    tpl = part(with_header, "Doc_0/Tpls/Tpl_0/Content.xml")
    assert codes_text(tpl) == header and b"PathObject" in tpl  # the template draws a header
    ex = extract(with_header, "http://x.gov.cn/a.ofd")
    assert ex.metadata["pages"] >= 3
    assert header not in squash(ex.text)
    assert squash(ex.text) == squash(extract(data, "http://x.gov.cn/a.ofd").text)
    assert not [ln for ln in ex.text.splitlines() if re.fullmatch(r"-\s*\d+\s*-", ln)]
    for n in range(1, ex.metadata["pages"] + 1):  # each page's content ends with its number
        assert codes_text(part(with_header, f"Doc_0/Pages/Page_{n - 1}/Content.xml")) \
            .endswith(f"- {n} -")


def test_annotations_are_not_text():
    ex = extract(small_ofd(annotation="此件已盖章批注"), "http://x.gov.cn/a.ofd")
    assert ex.text.splitlines() == GOLD
    assert "批注" not in ex.text


@pytest.mark.parametrize("style", ["default", "none", "undeclared"])
def test_namespace_styles_give_the_same_text(style):
    if style == "undeclared":  # an ofd: prefix its producer never declared
        data = small_ofd()
        src = zipfile.ZipFile(io.BytesIO(data))
        data = rezip(data, {n: src.read(n).replace(f' xmlns:ofd="{docs.OFD_NS}"'.encode(), b"")
                            for n in src.namelist() if n.endswith(".xml")})
        assert b"xmlns" not in part(data, "OFD.xml")
    else:
        data = small_ofd(style=style)
        assert b"<ofd:" not in part(data, PAGE)
    assert (b"xmlns=" in part(data, PAGE)) == (style == "default")
    ex = extract(data, "http://x.gov.cn/a.ofd")
    assert ex.text.splitlines() == GOLD
    assert ex.tables == [GRID]
    assert "error" not in ex.metadata


def test_text_object_with_ctm_and_repeated_deltas_lands_in_place():
    """Two runs on one baseline: the left one drawn through a CTM (half scale, Size doubled)
    after the right one in the file, its glyphs advanced by DeltaX "g" repeats."""
    ids = docs.OfdIds()
    right = (f'<ofd:TextObject ID="{ids()}" Boundary="68 30 40 6" Size="4">'
             '<ofd:TextCode X="0" Y="4">公开年度报告</ofd:TextCode></ofd:TextObject>')
    left = (f'<ofd:TextObject ID="{ids()}" Boundary="30 30 40 6" Size="8" CTM="0.5 0 0 0.5 0 0">'
            '<ofd:TextCode X="0" Y="8" DeltaX="g 4 8 16">嘉禾县政府信息</ofd:TextCode>'
            '</ofd:TextObject>')
    under = (f'<ofd:TextObject ID="{ids()}" Boundary="30 40 80 6" Size="4">'
             '<ofd:TextCode X="0" Y="4" DeltaX="2 2 2 2 g 19 4">2017年嘉禾县人民政府信息公开工作年度'
             '报告正文</ofd:TextCode></ofd:TextObject>')
    ex = extract(docs.ofd_package([[under, right, left]], ids=ids), "http://x.gov.cn/a.ofd")
    # the CTM halves "g 4 8": 嘉禾县政府 4 mm apart; "16" leaves a one-em gap before 信, and
    # 息 ends at 62 mm: one phrase with 公开年度报告 (68 mm), on the baseline y = 34 mm
    assert ex.text.splitlines() == ["嘉禾县政府信息公开年度报告",
                                    "2017年嘉禾县人民政府信息公开工作年度报告正文"]


def test_words_in_separate_text_codes_keep_their_spaces():
    """A word space is a gap between TextCodes (a third of an em here); characters of one
    code, or codes that touch, join without one."""
    ids = docs.OfdIds()
    digits = "".join(f'<ofd:TextCode X="{27 + 2 * i}" Y="4">{d}</ofd:TextCode>'
                     for i, d in enumerate("2017"))
    obj = (f'<ofd:TextObject ID="{ids()}" Boundary="30 30 60 6" Size="4">'
           '<ofd:TextCode X="0" Y="4" DeltaX="g 5 2">Annual</ofd:TextCode>'
           f'<ofd:TextCode X="13.5" Y="4" DeltaX="g 5 2">Report</ofd:TextCode>{digits}'
           '</ofd:TextObject>')
    ex = extract(docs.ofd_package([[obj]], ids=ids), "http://x.gov.cn/a.ofd")
    assert ex.text == "Annual Report 2017"


def test_vertical_text_stays_one_run():
    ids = docs.OfdIds()
    obj = (f'<ofd:TextObject ID="{ids()}" Boundary="30 30 6 30" Size="4">'
           '<ofd:TextCode X="0" Y="4" DeltaY="g 3 5">政务公开</ofd:TextCode></ofd:TextObject>')
    ex = extract(docs.ofd_package([[obj]], ids=ids), "http://x.gov.cn/a.ofd")
    assert ex.text == "政务公开"


def test_deltas_expand_repeats_only_as_far_as_the_text_goes():
    assert extract_ofd._deltas("g 3 1.5 2 g 2 0.5", 10) == [1.5, 1.5, 1.5, 2, 0.5, 0.5]
    assert extract_ofd._deltas("g 1000000000000 3.7", 4) == [3.7] * 4
    assert extract_ofd._deltas("1 x g", 5) == [1.0, 0.0, 0.0]
    assert extract_ofd._deltas("g " + "9" * 5000 + " 2", 2) == [2.0, 2.0]  # no int() limit
    assert extract_ofd._deltas("g \u00b2 2 1", 3) == [1.0]  # "²" is no count


# --- scanned pages --------------------------------------------------------------------------------
def test_image_only_ofd_needs_ocr(monkeypatch):
    monkeypatch.setenv("NIANBAO_OCR", "off")  # OCR of real scans: test_ocr_scans.py
    ids = docs.OfdIds()
    data = docs.ofd_package([[docs.ofd_image(ids)], [docs.ofd_image(ids)]], title=TITLE, ids=ids)
    ex = extract(data, "http://x.gov.cn/scan.ofd")
    assert ex.content_type == "ofd"
    assert ex.needs_ocr is True
    assert ex.text == "" and ex.tables == []
    assert ex.title == TITLE  # DocInfo still names it
    assert ex.metadata == {"pages": 2, "error": "OCR off (NIANBAO_OCR=off): 2 of 2 OFD pages are "
                                                "scanned images (pages 1, 2)"}


def test_an_unreadable_page_image_is_an_ocr_failure_not_a_crash():
    """ofd_package's placeholder image is a PNG signature and zeros: tesseract refuses it."""
    if unavailable():
        pytest.skip(unavailable())
    ids = docs.OfdIds()
    data = docs.ofd_package([[docs.ofd_image(ids)]], title=TITLE, ids=ids)
    ex = extract(data, "http://x.gov.cn/scan.ofd")
    assert ex.needs_ocr is True and ex.text == ""
    assert ex.extract_error.startswith("OCR failed: RuntimeError: tesseract exit")
    assert ex.extract_error.endswith(": 1 of 1 OFD pages are scanned images (pages 1)")
    assert "\n" not in ex.extract_error


def test_one_scanned_page_among_text_pages_flags_ocr_and_keeps_the_text(monkeypatch):
    monkeypatch.setenv("NIANBAO_OCR", "off")
    ids = docs.OfdIds()
    text = docs.ofd_text(25, 40, PARAS[1], ids)
    data = docs.ofd_package([text, [docs.ofd_image(ids)]], ids=ids)
    ex = extract(data, "http://x.gov.cn/a.ofd")
    assert ex.needs_ocr is True
    assert ex.text == PARAS[1]
    assert ex.title == PARAS[1]  # no DocInfo Title: the first line


@pytest.mark.parametrize("docinfo, title", [
    ("嘉禾县二〇一七年政府信息公开年度报告", "嘉禾县二〇一七年政府信息公开年度报告"),
    ("Microsoft Word - 年报.docx", TITLE), ("文档1", TITLE), ("2017年报.ofd", TITLE)])
def test_docinfo_title_unless_it_is_a_file_name(docinfo, title):
    data = small_ofd()
    data = rezip(data, {"OFD.xml": part(data, "OFD.xml").replace(TITLE.encode(), docinfo.encode())})
    ex = extract(data, "http://x.gov.cn/a.ofd")
    assert ex.title == title
    assert ex.text.splitlines()[0] == TITLE


# --- type detection and the rest of the pipeline ----------------------------------------------
def test_sniff_type_tells_ofd_from_docx_and_other_zips():
    ofd = small_ofd()
    assert sniff_type(ofd) == "ofd"
    assert sniff_type(ofd, "http://x.gov.cn/a.docx", "application/msword") == "ofd"
    assert sniff_type(docs.report_docx(corpus.seed_report("jiahe-2017"))) == "docx"

    def zip_of(*names: str) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for n in names:
                z.writestr(n, "<OFD/>")
        return buf.getvalue()

    assert sniff_type(zip_of("ofd.xml", "Doc_0/Document.xml")) == "ofd"  # case-insensitive
    assert sniff_type(zip_of("readme.txt"), "http://x.gov.cn/a.ofd") == "other"
    assert sniff_type(zip_of("sub/OFD.xml"), "http://x.gov.cn/a.ofd") == "other"  # not at root
    ex = extract(zip_of("readme.txt"), "http://x.gov.cn/a.ofd")
    assert ex.content_type == "other" and ex.text == ""


def test_an_ofd_attachment_becomes_a_report_row():
    from archive.reports.classify import classify_title
    from archive.reports.rows import build_report

    ex = extract(small_ofd(), "http://www.jiahe.gov.cn/uploadfile/2018/0320/nb.ofd")
    capture = {"url": "http://www.jiahe.gov.cn/uploadfile/2018/0320/nb.ofd", "status": 200}
    row = build_report({"kind": "attachment", "portal": "嘉禾县", "list_date": "2018-03-20"},
                       capture, ex)
    assert row is not None
    assert row["content_type"] == "ofd" and row["title"] == TITLE and row["year"] == 2017
    assert row["published"] == "2018-03-20" and row["text"] == ex.text
    assert classify_title(f"{TITLE}.ofd") is not None  # a file name as the link text


# --- damaged and hostile files --------------------------------------------------------------------
def test_broken_page_xml_keeps_what_parses_and_says_so():
    report = corpus.seed_report("quzhou-2016")
    data = docs.report_ofd(report)
    page1 = "Doc_0/Pages/Page_1/Content.xml"
    good = extract(data, "http://x.gov.cn/a.ofd")
    xml = part(data, page1)
    broken = rezip(data, {page1: xml[: len(xml) // 2]})
    ex = extract(broken, "http://x.gov.cn/a.ofd")
    assert ex.content_type == "ofd"
    assert page1 in ex.metadata["error"] and "bad XML" in ex.metadata["error"]
    assert ex.metadata["pages"] == good.metadata["pages"]
    lines = ex.text.splitlines()
    assert lines[0] == report.title
    assert len(squash(good.text)) * 0.8 < len(squash(ex.text)) < len(squash(good.text))
    assert good.text.splitlines()[-1] == lines[-1]  # the pages after it are all there


def test_missing_page_and_missing_document_are_errors_not_exceptions():
    data = small_ofd()
    ex = extract(rezip(data, {PAGE: None}), "http://x.gov.cn/a.ofd")
    assert ex.content_type == "ofd" and ex.text == "" and not ex.needs_ocr
    assert f"{PAGE}: missing" in ex.metadata["error"]
    ex = extract(rezip(data, {"Doc_0/Document.xml": None}), "http://x.gov.cn/a.ofd")
    assert "Doc_0/Document.xml: missing" in ex.metadata["error"]
    assert ex.title == TITLE  # OFD.xml's DocInfo was readable
    ex = extract(rezip(data, {"OFD.xml": b"\x00garbage"}), "http://x.gov.cn/a.ofd")
    assert ex.content_type == "ofd" and ex.metadata["error"].startswith("unreadable OFD")


def test_corrupt_compressed_part_is_an_error():
    data = bytearray(small_ofd())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(PAGE)
    start = info.header_offset + 30 + len(info.filename.encode())  # local header, no extra
    data[start + 10:start + 60] = b"\xff" * 50
    ex = extract(bytes(data), "http://x.gov.cn/a.ofd")
    assert ex.content_type == "ofd"
    assert ex.metadata["error"].startswith(f"{PAGE}: ")
    assert ex.title == TITLE and ex.text == "" and not ex.needs_ocr


def test_zip_bomb_part_costs_bounded_memory_and_is_reported():
    bomb_mb = 64
    assert bomb_mb * 2**20 > 2 * extract_ofd.MAX_PART_BYTES
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        src = zipfile.ZipFile(io.BytesIO(small_ofd()))
        for name in src.namelist():
            if name != PAGE:
                z.writestr(name, src.read(name))
        with z.open(PAGE, "w") as fh:  # 64 MB of spaces after a valid start
            fh.write(b'<?xml version="1.0"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016">')
            chunk = b" " * 2**20
            for _ in range(bomb_mb):
                fh.write(chunk)
    data = buf.getvalue()
    assert len(data) < 2**20
    tracemalloc.start()
    try:
        ex = extract(data, "http://x.gov.cn/bomb.ofd")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ex.content_type == "ofd"
    assert PAGE in ex.metadata["error"] and "larger than" in ex.metadata["error"]
    assert peak < 3 * extract_ofd.MAX_PART_BYTES < bomb_mb * 2**20


def test_all_parts_together_are_capped(monkeypatch):
    data = docs.report_ofd(corpus.seed_report("tieling-2017"))
    sizes = sorted(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(extract_ofd, "MAX_TOTAL_BYTES", sum(sizes) // 2)
    ex = extract(data, "http://x.gov.cn/a.ofd")
    assert "larger than" in ex.metadata["error"]
    assert ex.text.startswith(corpus.seed_report("tieling-2017").title)  # the first pages
    assert len(squash(ex.text)) < len(squash(corpus.seed_report("tieling-2017").gold_text()))


def test_page_count_is_capped(monkeypatch):
    monkeypatch.setattr(extract_ofd, "MAX_PAGES", 2)
    data = docs.report_ofd(corpus.seed_report("quzhou-2016"))
    ex = extract(data, "http://x.gov.cn/a.ofd")
    assert ex.metadata["pages"] == 2
    assert "stopped after 2 pages" in ex.metadata["error"]
    assert ex.text.startswith(corpus.seed_report("quzhou-2016").title)


def _with_doctype(subset: str, title_text: str) -> bytes:
    ofd = (f'<?xml version="1.0"?><!DOCTYPE ofd:OFD [{subset}]><ofd:OFD xmlns:ofd="{docs.OFD_NS}">'
           f'<ofd:DocBody><ofd:DocInfo><ofd:Title>{title_text}</ofd:Title></ofd:DocInfo>'
           '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
    return rezip(small_ofd(), {"OFD.xml": ofd.encode()})


def test_external_entities_are_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    data = _with_doctype(f'<!ENTITY x SYSTEM "{secret.as_uri()}">', "年报&x;")
    ex = extract(data, "http://x.gov.cn/a.ofd")
    assert ex.text.splitlines() == GOLD  # the rest of the file reads as usual
    assert "TOPSECRET" not in (ex.title or "") + ex.text


def test_billion_laughs_is_refused_not_expanded():
    subset = '<!ENTITY a "AAAAAAAAAA">' + "".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
    tracemalloc.start()
    try:
        ex = extract(_with_doctype(subset, "&i;"), "http://x.gov.cn/a.ofd")  # 10^9 A's
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ex.content_type == "ofd"
    assert ex.metadata["error"].startswith("OFD.xml: bad XML")
    assert "AAAA" not in (ex.title or "") + ex.text
    assert peak < 50 * 2**20


def test_a_huge_repeat_count_is_not_expanded():
    ids = docs.OfdIds()
    obj = (f'<ofd:TextObject ID="{ids()}" Boundary="20 20 100 6" Size="4">'
           '<ofd:TextCode X="0" Y="4" DeltaX="g 999999999999 4">政府信息公开</ofd:TextCode>'
           '</ofd:TextObject>')
    ex = extract(docs.ofd_package([[obj]], ids=ids), "http://x.gov.cn/a.ofd")
    assert ex.text == "政府信息公开"
