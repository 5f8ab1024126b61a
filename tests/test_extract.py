"""archive.extract on real pages (tests/fixtures/extract/sample*.html, gold text checked by
hand) and on small hand-made fixtures, one per rule of the extraction contract."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.extract import Extraction, extract

FIX = Path(__file__).parent / "fixtures" / "extract"
WS = re.compile(r"\s+")


def squash(s: str) -> str:
    return WS.sub("", s)


def load(name: str) -> bytes:
    return (FIX / name).read_bytes()


def gold(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


# --- real pages -------------------------------------------------------------------------
REAL = [
    ("sample02_shanxi_trs", "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml"),
    ("sample05_wanzai_ucap",
     "http://www.wanzai.gov.cn/wzxrmzf/tjsja/202305/7215380191c5400397df5d7d0b5fd06b.shtml"),
]


@pytest.mark.parametrize("name,url", REAL)
def test_real_page_equals_gold_text(name, url):
    ex = extract(load(name + ".html"), url)
    assert isinstance(ex, Extraction)
    assert ex.content_type == "html"
    assert squash(ex.text) == squash(gold(name + ".gold.txt"))
    # one line per paragraph: the gold's lines are the text's lines
    assert [squash(x) for x in ex.text.splitlines() if x.strip()] == \
        [squash(x) for x in gold(name + ".gold.txt").splitlines() if x.strip()]


def test_real_trs_page_title_and_chrome():
    ex = extract(load("sample02_shanxi_trs.html"), REAL[0][1])
    assert ex.title == "山西品牌丝路行（南美站）正式启动"
    assert ex.text.splitlines()[0] == ex.title
    for junk in ("打印", "字体", "分享", "扫一扫", "首页", "createPageHTML", "山西要闻"):
        assert junk not in ex.text
    assert ex.metadata["published"] == "2019-09-18"


def test_real_ucap_page_metadata_fields_not_text():
    ex = extract(load("sample05_wanzai_ucap.html"), REAL[1][1])
    assert ex.metadata["index_no"] == "014742224A/2023-0043406"
    assert ex.metadata["publisher"] == "万载县统计局"
    assert ex.metadata["written"] == "2023-05-11"
    for junk in ("索 引 号", "索引号", "014742224A", "生成日期", "公开方式", "访问量", "关联稿件",
                 "图文解读", "扫一扫", "关闭本页", "返回顶部", "网站地图"):
        assert junk not in ex.text
    assert ex.text.startswith("万载县2022年国民经济和社会发展统计公报\n万载县统计局")


def test_real_metadata_paragraphs():
    ex = extract(load("sample10_handan_metadata.html"),
                 "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html")
    assert ex.metadata["index_no"] == "000014348/2020-35147"
    assert ex.metadata["publisher"] == "邯郸市教育局"
    assert ex.metadata["published"] == "2020-08-02"
    assert "索引号" not in ex.text and "主题分类" not in ex.text


# --- Word-pasted markup, GB2312 declared ------------------------------------------------
def test_word_pasted_spans_keep_every_character():
    ex = extract(load("word_spans_gb2312.html"), "http://www.qz.gov.cn/art/2017/3/10/art_1.html",
                 "text/html")
    assert ex.text + "\n" == gold("word_spans_gb2312.gold.txt")
    assert "〔2016〕48号" in ex.text and "6月30日" in ex.text and "7月11日" in ex.text
    assert "2017年12月31日" in ex.text


def test_gb2312_declared_is_decoded_as_gb18030():
    ex = extract(load("word_spans_gb2312.html"), "http://www.qz.gov.cn/a.html")
    assert ex.encoding == "gb18030"
    assert "王䶮" in ex.text  # U+4DAE: GB18030 only, not in GB2312/GBK
    assert ex.replacement_chars == 0


# --- a TRS page with a metadata table, a span grid, hidden spam, chrome ----------------
TRS_PAGE = """<html><head><meta charset="gb2312">
<title>衢州市人民政府2016年政府信息公开工作年度报告_衢州市人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/x">政务公开</a> &gt; <a href="/y">年报</a></div>
<table class="xxgk"><tr><td>索引号:</td><td>11330800002618015K/2017-102042</td>
<td>成文日期:</td><td>2017-03-10</td></tr>
<tr><td>公开方式:</td><td>主动公开</td><td>组配分类:</td><td>2016年度</td></tr>
<tr><td>发布机构:</td><td>市政府办公室</td></tr></table>
<h1>衢州市人民政府2016年政府信息公开工作年度报告</h1>
<div class="info">发布日期:2017-03-11 12:01 浏览次数: <span id="c">12</span> 信息来源:衢州市
字体:[<a>大</a> <a>中</a> <a>小</a>]</div>
<div class="TRS_Editor"><p>一、概述</p>
<div style="display:none">365体育投注 澳门赌场</div>
<p hidden>隐藏的垃圾</p>
<table><tr><td rowspan="2">统计指标</td><td colspan="2">数量</td></tr>
<tr><td>单位</td><td>统计数</td></tr>
<tr><td>一、主动公开</td><td>条</td><td>5</td></tr></table>
<p>附件：<a href="/files/a.pdf">年报.pdf</a></p>
</div>
<p>【打印本页】【关闭窗口】</p>
<div class="footer">主办单位：衢州市人民政府办公室 网站标识码3308000001 浙ICP备05005440号</div>
</body></html>"""


def test_trs_page_inline():
    ex = extract(TRS_PAGE.encode("gb18030"), "http://www.qz.gov.cn/art/2017/3/10/art_1.html")
    assert ex.title == "衢州市人民政府2016年政府信息公开工作年度报告"
    assert ex.metadata == {"index_no": "11330800002618015K/2017-102042", "written": "2017-03-10",
                           "publisher": "市政府办公室", "published": "2017-03-11",
                           "container": "trs"}
    assert ex.text.splitlines() == [
        "衢州市人民政府2016年政府信息公开工作年度报告",
        "一、概述",
        "统计指标 | 数量 | ",
        "统计指标 | 单位 | 统计数",
        "一、主动公开 | 条 | 5",
        "附件：年报.pdf",
    ]
    assert ex.tables == [[["统计指标", "数量", ""], ["统计指标", "单位", "统计数"],
                          ["一、主动公开", "条", "5"]]]
    assert ex.links == [("http://www.qz.gov.cn/files/a.pdf", "年报.pdf")]


def test_never_raises_on_garbage():
    for body in (b"", b"\x00\x01\x02garbage", b"%PDF-1.4 broken", b"PK\x03\x04broken",
                 b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, b"<html>"):
        ex = extract(body, "http://x.gov.cn/a")
        assert isinstance(ex, Extraction)
