"""Pure rendering functions: the HTML of imitation portal pages, one skin per platform.

Skins (see ../shared/DOMAIN.md and ../shared/samples/):

- ``trs``        TRS WCM: body in ``<div class="TRS_Editor">``, JS pagers ``createPageHTML``.
- ``hanweb``     Hanweb JCMS: body in ``#zoom`` between ``<!--<$[信息内容]>begin-->`` markers.
- ``ucap``       UCAP: ``<h1 class="article-title"><ucaptitle>``, ``<div id="zoomcon"><ucapcontent>``.
- ``legacy_gbk`` old county sites: table/font layout, ``charset=gb2312`` meta, bytes gb18030.

Every article page carries the furniture an extractor must strip: header/nav, breadcrumb,
索引号/发布机构/成文日期 table, "发布时间：… 浏览次数： 字体：[大 中 小]", 【打印本页】【关闭窗口】,
分享到, 扫一扫在手机打开当前页, a 相关新闻 list (with one report title among the headlines), the
footer (主办/承办/网站标识码/ICP备), the "您访问的链接即将离开…是否继续？" dialog, "您的浏览器版本太低！",
hidden spam (display:none / visibility:hidden / hidden attribute), and a Word-pasted body where
digits, 年/月/日 and 〔〕 sit in their own ``<span>``/``<font>`` runs.

Labelled set for archive/extract/__init__.py::

    from farm import pages, corpus
    for skin, report, body, content_type in pages.labelled_set():
        ex = extract(body, "http://example.gov.cn/a.html", content_type)
        assert squash(ex.text) == squash(report.gold_text())   # modulo whitespace
        # ex.metadata: index_no == report.index_no, publisher == report.publisher,
        #              published == report.published (hanweb/trs/ucap/legacy pages all show them)

All functions are deterministic: the run splitting and furniture depend only on their inputs.

Length: one pure rendering function per page kind and skin; they share the furniture snippets
and the deterministic random source.
"""
from __future__ import annotations

import hashlib
import html
import random
from dataclasses import dataclass
from typing import Iterable, Sequence

from .corpus import Block, Report, Table, seed_reports, variant

SKINS = ("trs", "hanweb", "ucap", "legacy_gbk")

# What the HTML declares for each skin (legacy pages declare gb2312 but hold GBK/GB18030 bytes).
CONTENT_TYPE = {
    "trs": "text/html; charset=utf-8",
    "hanweb": "text/html; charset=UTF-8",
    "ucap": "text/html;charset=utf-8",
    "legacy_gbk": "text/html",  # charset only in the <meta>, as on the real sites
}

SPAM_TEXT = "365体育投注官网_皇冠体育_澳门威尼斯人娱乐场_真人百家乐"


def esc(s: str) -> str:
    """HTML-escape text content (quotes kept as they are: “” are text, not markup)."""
    return html.escape(s, quote=False)


def attr(s: str) -> str:
    return html.escape(s, quote=True)


def _rng(*parts: object) -> random.Random:
    h = hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()
    return random.Random(int(h[:16], 16))


@dataclass
class Chrome:
    """Portal-level furniture of a page (names, nav, breadcrumb, related headlines)."""

    site_name: str                       # 襄阳市人民政府
    host: str = "www.example.gov.cn"
    nav: Sequence[tuple[str, str]] = ()  # (text, href)
    breadcrumb: Sequence[tuple[str, str]] = ()
    related: Sequence[tuple[str, str, str]] = ()  # (title, href, date)
    organizer: str = ""                  # 主办
    operator: str = ""                   # 承办
    icp: str = "鄂ICP备05003358号"
    site_code: str = "4206000001"
    police: str = "鄂公网安备 42060202000123号"

    @classmethod
    def for_government(cls, government: str, host: str = "www.example.gov.cn",
                       related: Sequence[tuple[str, str, str]] = (), **kw) -> "Chrome":
        """Default chrome for a government's portal."""
        site = government + "人民政府" if not government.endswith("人民政府") else government
        nav = [("首页", "/"), ("政务公开", "/zwgk/"), ("新闻中心", "/xwzx/"),
               ("政务服务", "/zwfw/"), ("互动交流", "/hdjl/"), (f"走进{government}", "/zjxy/")]
        bc = [("首页", "/"), ("政府信息公开", "/zwgk/"), ("政府信息公开年报", "./")]
        return cls(site_name=site, host=host, nav=kw.pop("nav", nav),
                   breadcrumb=kw.pop("breadcrumb", bc), related=related,
                   organizer=kw.pop("organizer", f"{government}人民政府办公室"),
                   operator=kw.pop("operator", f"{government}政务服务和大数据管理局"), **kw)


# -- Word-pasted runs ----------------------------------------------------------------------------
_SPECIAL = set("年月日〔〕（）《》“”")


def word_runs(text: str, rng: random.Random) -> list[str]:
    """Split text the way Word-pasted HTML does: digit runs and 年/月/日/〔〕 in their own runs,
    plus random cuts in the prose. Joining the runs gives back ``text`` exactly."""
    runs: list[str] = []
    cur = ""
    kind = None
    for ch in text:
        k = "d" if ch.isdigit() or ch in ".%" else ("s" if ch in _SPECIAL else "t")
        if cur and (k != kind or k == "s" or (k == "t" and rng.random() < 0.04)):
            runs.append(cur)
            cur = ""
        cur += ch
        kind = k
    if cur:
        runs.append(cur)
    return runs


def word_html(text: str, rng: random.Random, flavour: str = "span") -> str:
    """Inline HTML of one Word-pasted paragraph."""
    out = []
    for run in word_runs(text, rng):
        if flavour == "font":
            face = rng.choice(["仿宋_GB2312", "宋体", "仿宋"])
            out.append(f'<font face="{face}" size="3">{esc(run)}</font>')
        elif run[:1].isdigit():
            out.append(f'<span lang="EN-US" style="font-size:16.0pt;font-family:仿宋_GB2312">{esc(run)}</span>')
        else:
            r = rng.random()
            if r < 0.15:
                out.append(f'<span style="font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体"><span style="color:#333333">{esc(run)}</span></span>')
            else:
                out.append(f'<span style="font-size:16.0pt;font-family:仿宋_GB2312">{esc(run)}</span>')
    if flavour != "font" and rng.random() < 0.5:
        out.append('<span lang="EN-US" style="font-size:16.0pt"><o:p></o:p></span>')
    return "".join(out)


def table_html(table: Table, rng: random.Random, flavour: str = "span") -> str:
    """A Word-pasted table with real colspan/rowspan; empty cells hold &nbsp;."""
    rows = []
    for row in table.rows:
        tds = []
        for c in row:
            span = ""
            if c.colspan > 1:
                span += f' colspan="{c.colspan}"'
            if c.rowspan > 1:
                span += f' rowspan="{c.rowspan}"'
            inner = word_html(c.text, rng, flavour) if c.text else "&nbsp;"
            if flavour == "font":
                tds.append(f'<td{span} valign="middle">{inner}</td>')
            else:
                tds.append(f'<td{span} valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt">'
                           f'<p class="MsoNormal" align="center" style="text-align:center">{inner}</p></td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return ('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
            'style="border-collapse:collapse;border:none" align="center"><tbody>'
            + "\n".join(rows) + "</tbody></table>")


def body_html(blocks: Iterable[Block], rng: random.Random, flavour: str = "span",
              spam: bool = True) -> str:
    """The report body as a Word paste: ``<p class="MsoNormal">`` paragraphs, headings in bold
    runs, centred/right-aligned issuer lines, tables; with hidden spam injected mid-body."""
    parts = []
    blocks = list(blocks)
    spam_at = rng.randrange(1, max(2, len(blocks))) if spam else -1
    for i, b in enumerate(blocks):
        if i == spam_at:
            # Hacked pages hide link farms inside the body; an extractor must drop them.
            parts.append(rng.choice([
                f'<div style="display:none"><a href="http://www.365-bet.example/">{SPAM_TEXT}</a></div>',
                f'<p style="visibility: hidden; height:0">{SPAM_TEXT}</p>',
                f'<div hidden><a href="http://x.example/">{SPAM_TEXT}</a></div>',
            ]))
        if b.kind == "table":
            assert b.table is not None
            parts.append(table_html(b.table, rng, flavour))
            continue
        inner = word_html(b.text, rng, flavour)
        if flavour == "font":
            if b.kind == "h":
                parts.append(f"<p><b>{inner}</b></p>")
            elif b.kind == "center":
                parts.append(f'<p align="center">{inner}</p>')
            elif b.kind == "sign":
                parts.append(f'<p align="right">{inner}</p>')
            else:
                parts.append(f"<p>　　{inner}</p>")
            continue
        if b.kind == "h":
            parts.append(f'<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt"><b><span style="font-family:黑体">{inner}</span></b></p>')
        elif b.kind == "center":
            parts.append(f'<p class="MsoNormal" align="center" style="text-align:center">{inner}</p>')
        elif b.kind == "sign":
            parts.append(f'<p class="MsoNormal" align="right" style="text-align:right">{inner}</p>')
        else:
            indent = "&nbsp;&nbsp;&nbsp;&nbsp;" if rng.random() < 0.3 else ""
            parts.append(f'<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt">{indent}{inner}</p>')
    return "\n".join(parts)


# -- page metadata --------------------------------------------------------------------------------
@dataclass
class PageMeta:
    """What an article page shows besides the body."""

    title: str
    published: str = ""          # YYYY-MM-DD
    publisher: str = ""
    index_no: str = ""
    written: str = ""
    doc_no: str = ""
    time: str = "09:30"          # hh:mm shown after the date
    category: str = "政府信息公开年报"

    @classmethod
    def of(cls, report: Report) -> "PageMeta":
        rng = _rng("time", report.slug)
        return cls(report.title, report.published, report.publisher, report.index_no,
                   report.written, time=f"{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}")


def _furniture_top(skin: str, chrome: Chrome) -> str:
    nav = "".join(f'<li><a href="{attr(h)}">{esc(t)}</a></li>' for t, h in chrome.nav)
    return f"""
<div class="top-bar"><span>欢迎访问{esc(chrome.site_name)}门户网站</span>
<a href="javascript:void(0)" onclick="setHome()">设为首页</a> | <a href="javascript:void(0)">加入收藏</a> | <a href="/wza/">无障碍</a> | <a href="/m/">手机版</a></div>
<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{attr(chrome.site_name)}"></a></div>
<form class="search" action="/search/" method="get"><input name="q" placeholder="请输入关键字"><button>搜索</button></form></div>
<div class="nav"><ul>{nav}</ul></div>
<div style="display:none" class="seo-links"><a href="http://www.365-bet.example/">{SPAM_TEXT}</a></div>
"""


def _breadcrumb(chrome: Chrome) -> str:
    links = "&nbsp;&gt;&nbsp;".join(
        f'<a href="{attr(h)}" class="CurrChnlCls" title="{attr(t)}">{esc(t)}</a>' for t, h in chrome.breadcrumb)
    return f'<div class="position">您当前所在位置：{links}</div>'


def _meta_table(meta: PageMeta) -> str:
    return f"""<table class="xxgk_table" width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td class="xxgk_t">索<i></i>引<i></i>号：</td><td>{esc(meta.index_no)}</td><td class="xxgk_t">主题分类：</td><td>{esc(meta.category)}</td></tr>
<tr><td class="xxgk_t">发布机构：</td><td>{esc(meta.publisher)}</td><td class="xxgk_t">成文日期：</td><td>{esc(meta.written or meta.published)}</td></tr>
<tr><td class="xxgk_t">名<i></i>称：</td><td colspan="3">{esc(meta.title)}</td></tr>
<tr><td class="xxgk_t">文<i></i>号：</td><td>{esc(meta.doc_no)}</td><td class="xxgk_t">发布日期：</td><td>{esc(meta.published)}</td></tr>
</table>"""


def _info_line(meta: PageMeta, chrome: Chrome) -> str:
    return (f'<div class="info"><span>发布时间：{esc(meta.published)} {esc(meta.time)}</span>'
            f'<span>来源：{esc(meta.publisher or chrome.site_name)}</span>'
            f'<span>浏览次数：<script src="/visit/count.jsp?id=1"></script></span>'
            f'<span>字体：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
            f'<a href="javascript:doZoom(14)">小</a>]</span></div>')


def _share_print(print_href: str = "javascript:window.print()") -> str:
    return f"""<div class="share-bar"><div class="bdsharebuttonbox"><span>分享到：</span>
<a href="#" class="bds_weixin" data-cmd="weixin" title="分享到微信"></a><a href="#" class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a><a href="#" class="bds_qzone" data-cmd="qzone" title="分享到QQ空间"></a></div>
<div class="qrcode"><img src="/images/qrcode.png"><p>扫一扫在手机打开当前页</p></div>
<div class="print"><a href="{print_href}" target="_blank">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div></div>"""


def _related(chrome: Chrome) -> str:
    if not chrome.related:
        return ""
    items = "".join(f'<li><a href="{attr(h)}" target="_blank">{esc(t)}</a><span>{esc(d)}</span></li>'
                    for t, h, d in chrome.related)
    return f'<div class="related"><div class="related-title">相关新闻</div><ul>{items}</ul></div>'


def _footer(chrome: Chrome) -> str:
    return f"""<div class="footer">
<p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a href="/sybz/">使用帮助</a></p>
<p>主办：{esc(chrome.organizer)}　承办：{esc(chrome.operator)}</p>
<p>网站标识码：{esc(chrome.site_code)}　<a href="https://beian.miit.gov.cn/">{esc(chrome.icp)}</a>　<img src="/images/ga.png">{esc(chrome.police)}</p>
<p><script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/17/000/0000/60429971/CA170000000604299710004.js' type='text/javascript'%3E%3C/script%3E"));</script>
<script id="_jiucuo_" sitecode="{esc(chrome.site_code)}" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></p>
</div>
<div class="leave-dialog" id="leaveTips" style="display:none"><div class="dialog-box"><p>您访问的链接即将离开“{esc(chrome.site_name)}”门户网站，是否继续？</p>
<a href="javascript:void(0)" class="btn-ok">继续访问</a><a href="javascript:void(0)" class="btn-cancel">放弃</a></div></div>
<!--[if lt IE 9]><div class="browser-tip"><p>您的浏览器版本太低！</p><p>为了更好的浏览体验，建议升级您的浏览器！</p></div><![endif]-->
<div class="ie-tip" id="ieTip"><h3>您的浏览器版本太低！</h3><p>为了更好的浏览体验，建议升级您的浏览器！</p></div>"""


def _head(title: str, chrome: Chrome, charset: str = "utf-8", extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(title)}_{esc(chrome.site_name)}</title>
<meta name="SiteName" content="{attr(chrome.site_name)}">
<meta name="SiteDomain" content="{attr(chrome.host)}">
<meta name="SiteIDCode" content="{attr(chrome.site_code)}">
<meta name="ArticleTitle" content="{attr(title)}">
<link rel="stylesheet" href="/css/style.css">
<script src="/js/jquery.min.js"></script>
{extra}</head>"""


# -- article pages ---------------------------------------------------------------------------------
def attachment_html(attachments: Sequence[tuple[str, str]], flavour: str = "span") -> str:
    """The 附件 line(s) linking files (href, link text)."""
    if not attachments:
        return ""
    links = "".join(f'<p>附件：<a href="{attr(h)}" target="_blank">{esc(t)}</a></p>' for h, t in attachments)
    return f'<div class="attachments">{links}</div>'


def render_article(skin: str, meta: PageMeta, body: str, chrome: Chrome, *,
                   attachments: Sequence[tuple[str, str]] = (), page_count: int = 1,
                   page_index: int = 0, page_name: str = "",
                   print_href: str = "javascript:window.print()") -> bytes:
    """An article page of ``skin`` whose body container holds ``body`` (HTML) followed by the
    attachment links. ``page_count``/``page_index``/``page_name`` write the TRS
    ``createPageHTML`` call of multi-page articles."""
    att = attachment_html(attachments)
    if skin == "trs":
        page = f"""{_head(meta.title, chrome)}
<body>{_furniture_top(skin, chrome)}
<div class="main">{_breadcrumb(chrome)}
{_meta_table(meta)}
<div class="article"><div class="title"><h1>{esc(meta.title)}</h1></div>
{_info_line(meta, chrome)}
<div class="article-con"><div class="TRS_Editor"><div class="Custom_UnionStyle">
{body}
</div></div>{att}</div>
<div class="page-box"><script>
function createPageHTML(_nPageCount,_nCurrIndex,_sPageName,_sPageExt){{
	if(_nPageCount == null || _nPageCount <=1){{ return; }}
	for(var i = 0; i < _nPageCount; i++){{
		var sPageName = (i == 0 ? _sPageName : (_sPageName + "_" + i))+ "." + _sPageExt;
		if(_nCurrIndex == i){{ document.write("<span class='current'>"+(i+1)+"</span>&nbsp;"); }}
		else {{ document.write("<a href='" + sPageName + "'>"+ (i+1) +"</a>&nbsp;"); }}
	}}
}}
createPageHTML({page_count},{page_index},"{page_name}","html");
</script></div>
{_share_print(attr(print_href))}
{_related(chrome)}
</div></div>
{_footer(chrome)}
</body></html>"""
        return page.encode("utf-8")
    if skin == "hanweb":
        page = f"""{_head(meta.title, chrome, "UTF-8")}
<body>{_furniture_top(skin, chrome)}
<table width="1200" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td>{_breadcrumb(chrome)}</td></tr></table>
<table width="1200" border="0" align="center" cellpadding="0" cellspacing="0" class="bt_content">
<tr><td>{_meta_table(meta)}</td></tr>
<tr><td class="title" align="center" style="font-size:24px;font-weight:bold">{esc(meta.title)}</td></tr>
<tr><td align="center">{_info_line(meta, chrome)}</td></tr>
<tr><td><div id="zoom" class="bt_content">
<!--<$[信息内容]>begin-->{body}<!--<$[信息内容]>end-->
</div>{att}</td></tr>
<tr><td>{_share_print(attr(print_href))}</td></tr>
<tr><td>{_related(chrome)}</td></tr></table>
{_footer(chrome)}
<script language="javascript" src="/script/0/1810161458186379.js"></script>
</body></html>"""
        return page.encode("utf-8")
    if skin == "ucap":
        dl = (f'<div class="xxgk-info"><dl><dt>索引号：</dt><dd class="IndexNo">{esc(meta.index_no)}</dd></dl>'
              f'<dl><dt>发布机构：</dt><dd class="ReleaseMechanism">{esc(meta.publisher)}</dd></dl>'
              f'<dl><dt>生成日期：</dt><dd class="scrq">{esc(meta.written or meta.published)}</dd></dl>'
              f'<dl><dt>主题分类：</dt><dd>{esc(meta.category)}</dd></dl>'
              f'<dl><dt>发布日期：</dt><dd class="fbrq">{esc(meta.published)}</dd></dl></div>')
        page = f"""{_head(meta.title, chrome)}
<body>{_furniture_top(skin, chrome)}
<div class="container">{_breadcrumb(chrome)}
{dl}
<div class="article"><h1 class="article-title"><ucaptitle>{esc(meta.title)}</ucaptitle></h1>
{_info_line(meta, chrome)}
<div id="zoomcon" class="article-content"><ucapcontent>{body}</ucapcontent></div>{att}
{_share_print(attr(print_href))}</div>
{_related(chrome)}</div>
{_footer(chrome)}
</body></html>"""
        return page.encode("utf-8")
    if skin == "legacy_gbk":
        nav = "".join(f'<td align="center"><a href="{attr(h)}"><font color="#FFFFFF">{esc(t)}</font></a></td>'
                      for t, h in chrome.nav)
        rel = "".join(f'<tr><td>·<a href="{attr(h)}">{esc(t)}</a></td><td>{esc(d)}</td></tr>'
                      for t, h, d in chrome.related)
        page = f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{esc(meta.title)}</title>
<link href="/css/css.css" rel="stylesheet" type="text/css"></head>
<body leftmargin="0" topmargin="0">
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td><img src="/images/banner.jpg" width="980" height="160"></td></tr></table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#1E5BA8"><tr>{nav}</tr></table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td height="30">&nbsp;当前位置：<a href="/">首页</a> &gt;&gt; <a href="/xxgk/">政府信息公开</a> &gt;&gt; 正文</td></tr></table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#FFFFFF">
<tr><td height="50" align="center"><font size="5" color="#CC0000"><b>{esc(meta.title)}</b></font></td></tr>
<tr><td align="center"><font color="#666666">索引号：{esc(meta.index_no)}&nbsp;&nbsp;发布机构：{esc(meta.publisher)}&nbsp;&nbsp;发布时间：{esc(meta.published)}&nbsp;&nbsp;点击数：<script src="/count.asp?id=1"></script>&nbsp;&nbsp;字体：[<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>]</font></td></tr>
<tr><td><hr size="1" color="#CCCCCC"></td></tr>
<tr><td class="content" style="font-size:16px;line-height:30px">
{body}
{att}</td></tr>
<tr><td align="right"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td><b>相关新闻</b></td></tr>{rel}</table>
<div style="visibility:hidden;height:0;overflow:hidden"><a href="http://www.365-bet.example/">{SPAM_TEXT}</a></div>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#EEEEEE">
<tr><td align="center" height="80">主办：{esc(chrome.organizer)}　承办：{esc(chrome.operator)}<br>
网站标识码：{esc(chrome.site_code)}　{esc(chrome.icp)}<br>Copyright © {esc(chrome.site_name)} 版权所有</td></tr></table>
<script>if(navigator.userAgent.indexOf("MSIE 6")>0){{document.write("您的浏览器版本太低！");}}</script>
</body></html>"""
        # Real pages declare gb2312 but hold GBK/GB18030 bytes (© is not even in GBK).
        return page.encode("gb18030")
    raise ValueError(f"unknown skin {skin!r}")


def render_report(skin: str, report: Report, chrome: Chrome | None = None, *,
                  attachments: Sequence[tuple[str, str]] = (), spam: bool = True,
                  blocks: Sequence[Block] | None = None, page_count: int = 1, page_index: int = 0,
                  page_name: str = "", print_href: str = "javascript:window.print()") -> bytes:
    """The full article page of ``report`` in ``skin``. An ideal extraction of it yields
    ``report.gold_text()`` (modulo whitespace) and the metadata index_no/publisher/published.
    ``blocks``/``page_*`` render one page of a TRS multi-page article (``createPageHTML(n, i,
    page_name, "html")``); ``print_href`` is where 【打印本页】 points."""
    if chrome is None:
        # a 相关新闻 list with the previous year's report among unrelated headlines
        related = [("全市优化营商环境工作推进会召开", "/xwzx/202001/t20200106_1.html", "2020-01-06"),
                   (f"{report.government}{report.year - 1}年政府信息公开工作年度报告",
                    "/zwgk/xxgknb/t_prev.html", f"{report.year}-03-01"),
                   ("市政府常务会议研究部署安全生产工作", "/xwzx/202001/t20200103_2.html", "2020-01-03")]
        chrome = Chrome.for_government(report.government, related=related)
    rng = _rng(skin, report.slug, report.title)
    flavour = "font" if skin == "legacy_gbk" else "span"
    body = body_html(report.blocks if blocks is None else blocks, rng, flavour, spam=spam)
    return render_article(skin, PageMeta.of(report), body, chrome, attachments=attachments,
                          page_count=page_count, page_index=page_index, page_name=page_name,
                          print_href=print_href)


def render_attachment_page(skin: str, meta: PageMeta, attachments: Sequence[tuple[str, str]],
                           chrome: Chrome, intro: str = "") -> bytes:
    """An article page whose body is only a line and the attachment link(s): the report
    text lives in the file."""
    body = f'<p class="MsoNormal">{esc(intro)}</p>' if intro else ""
    return render_article(skin, meta, body, chrome, attachments=attachments)


def render_plain_article(skin: str, meta: PageMeta, paragraphs: Sequence[str], chrome: Chrome) -> bytes:
    """A look-alike or news article: a few plain paragraphs in the skin's body container."""
    rng = _rng("plain", skin, meta.title)
    flavour = "font" if skin == "legacy_gbk" else "span"
    body = body_html([Block("p", p) for p in paragraphs], rng, flavour, spam=False)
    return render_article(skin, meta, body, chrome)


# -- list, column and home pages ------------------------------------------------------------------
@dataclass
class ListItem:
    """One entry of a column list."""

    title: str
    href: str
    date: str


def _li(items: Sequence[ListItem]) -> str:
    return "\n".join(
        f'<li><a href="{attr(i.href)}" target="_blank" title="{attr(i.title)}">{esc(i.title)}</a>'
        f'<span class="date">{esc(i.date)}</span></li>' for i in items)


def trs_pager_script(count: int, current: int, style: str, name: str = "index", ext: str = "html") -> str:
    """The only pager a TRS list page has: ``createPageHTML(n, cur, "index", "html")`` or the
    inline ``var countPage = N`` script (samples/07, 11)."""
    if style == "createPageHTML":
        return f"""<script>
function createPageHTML(_nPageCount,_nCurrIndex,_sPageName,_sPageExt){{
	if(_nPageCount == null || _nPageCount <=1){{ return; }}
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex != 0){{ document.write("<a href=\\"{name}.{ext}\\">首页</a>&nbsp;"); }}
	for(var i = 0; i < _nPageCount; i++){{
		var sPageName = (i == 0 ? _sPageName : (_sPageName + "_" + i))+ "." + _sPageExt;
		if(nCurrIndex == i) document.write("<span class='current'>"+(i+1)+"</span>&nbsp;");
		else document.write("<a href='" + sPageName + "'>"+ (i+1) +"</a>&nbsp;");
	}}
	if(nCurrIndex != _nPageCount-1){{ document.write("<a href=\\"{name}_" + (_nPageCount-1) + ".{ext}\\">尾页</a>"); }}
}}
createPageHTML({count}, {current}, "{name}", "{ext}");
</script>"""
    return f"""<script language="JavaScript" type="text/javascript">
var currentPage = {current};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {count}//共多少页
document.write("共计"+"&nbsp;<font style='color:#FF8008'>"+"{count}"+"&nbsp;</font>"+"页");
document.write("&nbsp;<a href=\\"{name}."+"{ext}\\">首页</a>&nbsp;|");
if(countPage>1&&currentPage!=0&&currentPage!=1)
document.write("<a href=\\"{name}"+"_" + prevPage + "."+"{ext}\\"><span class=greyfont>上一页</span></a>&nbsp;");
else if(countPage>1&&currentPage!=0&&currentPage==1)
document.write("<a href=\\"{name}.{ext}\\">&nbsp;<span class=greyfont>上一页</span></a>&nbsp;");
else
document.write("&nbsp;上一页&nbsp;");
if(countPage>1&&currentPage!=(countPage-1))
document.write("&nbsp;<a href=\\"{name}"+"_" + nextPage + "."+"{ext}\\">&nbsp;<span class=greyfont>下一页</span>&nbsp;</a>&nbsp;");
</script>"""


def render_trs_list(chrome: Chrome, column: str, items: Sequence[ListItem], page_count: int,
                    current: int, pager: str = "createPageHTML", ext: str = "html") -> bytes:
    """A TRS column list page (index.html / index_N.html); the pager exists only in JS."""
    page = f"""{_head(column, chrome)}
<body>{_furniture_top("trs", chrome)}
<div class="main">{_breadcrumb(chrome)}
<div class="left-menu"><h2>{esc(column)}</h2></div>
<div class="list-box"><div class="list-title">{esc(column)}</div>
<ul class="list">
{_li(items)}
</ul>
<div class="page">{trs_pager_script(page_count, current, pager, "index", ext)}</div></div></div>
{_footer(chrome)}
</body></html>"""
    return page.encode("utf-8")


def render_link_page(skin: str, chrome: Chrome, title: str, sections: Sequence[tuple[str, Sequence[tuple[str, str]]]],
                     headlines: Sequence[ListItem] = ()) -> bytes:
    """A home or 信息公开 page: link sections (heading, [(text, href)]) plus a headline list."""
    secs = "\n".join(
        f'<div class="box"><div class="box-title">{esc(h)}</div><ul>'
        + "".join(f'<li><a href="{attr(href)}">{esc(t)}</a></li>' for t, href in links)
        + "</ul></div>" for h, links in sections)
    news = f'<div class="news"><div class="box-title">要闻动态</div><ul>{_li(headlines)}</ul></div>' if headlines else ""
    charset = "gb2312" if skin == "legacy_gbk" else "utf-8"
    page = f"""{_head(title, chrome, charset)}
<body>{_furniture_top(skin, chrome)}
<div class="main">{secs}
{news}</div>
{_footer(chrome)}
</body></html>"""
    return page.encode("gb18030" if skin == "legacy_gbk" else "utf-8")


def hanweb_record(item: ListItem) -> str:
    """One Hanweb ``<record>``: CDATA holding the ``<li>`` the page's JS inserts."""
    return (f'<record><![CDATA[\n<li><a href="{attr(item.href)}" target="_blank" title="{attr(item.title)}">'
            f'{esc(item.title)}</a><span class="bt_time">{esc(item.date)}</span></li>]]></record>')


@dataclass
class HanwebParams:
    """The form fields of a Hanweb column's dataproxy.jsp calls, as the page writes them."""

    columnid: int
    unitid: int
    webid: int = 1
    appid: int = 1
    col: int = 1
    path: str = "/"
    webname: str = ""
    permissiontype: int = 0
    perpage: int = 15


def render_hanweb_column(chrome: Chrome, column: str, first_page: Sequence[ListItem], total: int,
                         p: HanwebParams) -> bytes:
    """A Hanweb ``/col/colNNN/index.html``: the first page of records embedded as
    ``<script type="text/xml"><datastore>``; later pages only via POST dataproxy.jsp."""
    records = "\n".join(hanweb_record(i) for i in first_page)
    total_pages = max(1, -(-total // p.perpage))
    web = attr(p.webname)
    page = f"""{_head(column, chrome, "UTF-8")}
<body>{_furniture_top("hanweb", chrome)}
<table width="1200" align="center"><tr><td>{_breadcrumb(chrome)}</td></tr></table>
<table width="1200" align="center"><tr><td valign="top" class="bt_list">
<div class="column-title">{esc(column)}</div>
<div id="{p.unitid}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid={p.appid}&webid={p.webid}&path={attr(p.path)}&columnid={p.columnid}&unitid={p.unitid}&webname={web}&permissiontype={p.permissiontype}"></a>]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore></script><script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>
var totalRecord = {total}; var perPage = {p.perpage}; var totalPage = {total_pages};
$(document).ready(function() {{
  $('#{p.unitid}').jpage({{
    dataStore: null, perPage: {p.perpage}, totalRecord: {total}, proxyUrl: '/module/web/jpage/dataproxy.jsp',
    groupSize: 3, barPosition: 'bottom', ajaxParam: {{
      col: {p.col}, appid: {p.appid}, webid: {p.webid}, path: '{attr(p.path)}', columnid: {p.columnid},
      sourceContentType: 1, unitid: '{p.unitid}', webname: '{web}', permissiontype: {p.permissiontype}
    }}
  }});
}});
</script></div>
</td></tr></table>
{_footer(chrome)}
</body></html>"""
    return page.encode("utf-8")


def render_hanweb_dataproxy(records: Sequence[ListItem], total: int, perpage: int) -> bytes:
    """The XML answer of ``POST /module/web/jpage/dataproxy.jsp``."""
    total_pages = max(1, -(-total // perpage))
    recs = "\n".join(hanweb_record(i) for i in records)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore><totalrecord>{total}</totalrecord>'
            f'<totalpage>{total_pages}</totalpage><recordset>\n{recs}\n</recordset></datastore>').encode("utf-8")


def render_legacy_list(chrome: Chrome, column: str, items: Sequence[ListItem], page: int,
                       page_count: int, page_href) -> bytes:
    """A legacy GBK table-layout list with plain 上一页/下一页 links; ``page_href(n)`` gives the
    URL of page n (1-based)."""
    rows = "\n".join(
        f'<tr><td width="20" align="center"><img src="/images/dot.gif"></td>'
        f'<td height="26"><a href="{attr(i.href)}" target="_blank"><font color="#333333">{esc(i.title)}</font></a></td>'
        f'<td width="90"><font color="#999999">[{esc(i.date)}]</font></td></tr>' for i in items)
    pager = f"共{page_count}页 第{page}页 "
    if page > 1:
        pager += f'<a href="{attr(page_href(1))}">首页</a> <a href="{attr(page_href(page - 1))}">上一页</a> '
    if page < page_count:
        pager += f'<a href="{attr(page_href(page + 1))}">下一页</a> <a href="{attr(page_href(page_count))}">尾页</a>'
    nav = "".join(f'<td align="center"><a href="{attr(h)}"><font color="#FFFFFF">{esc(t)}</font></a></td>'
                  for t, h in chrome.nav)
    html_ = f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{esc(column)}-{esc(chrome.site_name)}</title></head>
<body leftmargin="0" topmargin="0">
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#1E5BA8"><tr>{nav}</tr></table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td height="30">&nbsp;当前位置：<a href="/">首页</a> &gt;&gt; <a href="/xxgk/">政府信息公开</a> &gt;&gt; {esc(column)}</td></tr></table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
{rows}
<tr><td colspan="3" align="center" height="40">{pager}</td></tr></table>
<table width="980" border="0" align="center" bgcolor="#EEEEEE"><tr><td align="center">主办：{esc(chrome.organizer)}　{esc(chrome.icp)}　Copyright © {esc(chrome.site_name)}</td></tr></table>
</body></html>"""
    return html_.encode("gb18030")


def jpaas_list_html(items: Sequence[ListItem], total: int, page_no: int, page_size: int) -> str:
    """The ``data.html`` of a jpaas ``front/page/build/unit`` answer: the records as ``<li>`` plus
    the pager numbers the page's script reads."""
    pages = max(1, -(-total // page_size))
    lis = "".join(f'<li><a href="{attr(i.href)}" target="_blank" title="{attr(i.title)}">{esc(i.title)}</a>'
                  f'<span>{esc(i.date)}</span></li>' for i in items)
    return (f'<ul class="zfxxgk_zdgkc">{lis}</ul><div class="pagination" data-total="{total}" '
            f'data-pages="{pages}" data-page="{page_no}">共{total}条 第{page_no}/{pages}页</div>')


def render_jpaas_column(chrome: Chrome, column: str, unit_url: str, page_size: int = 15) -> bytes:
    """A jpaas (Hanweb's newer platform) column page: no records in the HTML; the script asks
    ``unit_url + "&paramJson=" + {"pageNo":n,"pageSize":15}`` and inserts ``data.html``."""
    page = f"""{_head(column, chrome)}
<body>{_furniture_top("hanweb", chrome)}
<div class="main">{_breadcrumb(chrome)}
<div class="column-title">{esc(column)}</div>
<div id="zfxxgk-list" class="list-con"></div>
<div id="page-bar"></div>
<script type="text/javascript">
var unitUrl = "{unit_url}";
function loadPage(pageNo) {{
  var paramJson = JSON.stringify({{"pageNo": pageNo, "pageSize": {page_size}}});
  $.ajax({{ url: unitUrl + "&paramJson=" + encodeURIComponent(paramJson), type: "GET", dataType: "json",
    success: function (res) {{ if (res.success) {{ $("#zfxxgk-list").html(res.data.html); }} }} }});
}}
loadPage(1);
</script></div>
{_footer(chrome)}
</body></html>"""
    return page.encode("utf-8")


def render_ucap_list(chrome: Chrome, column: str, items: Sequence[ListItem], page: int, page_count: int,
                     page_href) -> bytes:
    """A UCAP column list (``xxgk.shtml?code=…``) with plain 首页/上一页/下一页/尾页 links."""
    pager = f'<div class="page">共{page_count}页 '
    if page > 1:
        pager += f'<a href="{attr(page_href(1))}">首页</a> <a href="{attr(page_href(page - 1))}">上一页</a> '
    for n in range(1, page_count + 1):
        pager += f'<span class="cur">{n}</span> ' if n == page else f'<a href="{attr(page_href(n))}">{n}</a> '
    if page < page_count:
        pager += f'<a href="{attr(page_href(page + 1))}">下一页</a> <a href="{attr(page_href(page_count))}">尾页</a>'
    pager += "</div>"
    page_html = f"""{_head(column, chrome)}
<body>{_furniture_top("ucap", chrome)}
<div class="container">{_breadcrumb(chrome)}
<div class="xxgk-right"><div class="xxgk-title">{esc(column)}</div>
<ul class="xxgk-list">
{_li(items)}
</ul>
{pager}</div></div>
{_footer(chrome)}
</body></html>"""
    return page_html.encode("utf-8")


def render_waf(kind: str, host: str, seed: str = "") -> bytes:
    """The body a web application firewall answers instead of the page: ``412`` (瑞数-style
    dynamic cookie script), ``521`` (加速乐 ``__jsl_clearance`` cookie script), ``wzws``
    (``?wzwschallenge=`` confirmation page)."""
    token = hashlib.sha1(f"{host}|{seed}".encode()).hexdigest()
    if kind == "412":
        return (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                f'<meta id="9DhefwqGPrzGxEp9hPaoag" content="{token * 3}"></head><body>'
                f'<script type="text/javascript" r="m">$_ts=window[\'$_ts\'];if(!$_ts)$_ts={{}};$_ts.nsd=74221;'
                f'$_ts.cd="{token}qqqqqqqqqqqqqqqqq";</script>'
                f'<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m"></script>'
                f'</body></html>').encode()
    if kind == "521":
        return (f"<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')"
                f"+('a')+('n')+('c')+('e')+('_')+('s')+('=')+('{token[:10]}')+('|')+('-1')+('|')+('|')+('{token[10:30]}')"
                f"+(';max-age=3600;path=/');location.href=location.pathname+location.search</script></body></html>").encode()
    if kind == "wzws":
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head><body>'
                f'<script type="text/javascript">var wzwstemplate = "{token[:16]}"; var wzwschallenge = "{token}";'
                f'var wzwschallengex = "{token[::-1]}"; var template = 5; var encoderchars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";'
                f'function KTKY2RBD9NHPBCIHV9ZMEQQDARSLVFDU(str){{return str;}}'
                f'var cookieString = "wzws_cid=" + wzwschallenge + "; path=/";document.cookie = cookieString;'
                f'location.href = "/WZWSREL" + KTKY2RBD9NHPBCIHV9ZMEQQDARSLVFDU(wzwstemplate) + "?wzwschallenge=" + wzwschallengex;'
                f'</script><noscript>请开启JavaScript并刷新该页</noscript></body></html>').encode()
    raise ValueError(kind)


def render_soft_404(chrome: Chrome, skin: str = "trs", meta_refresh: bool = False) -> bytes:
    """The page a portal answers, with HTTP 200, for a page it deleted (a "soft 404"): the
    portal's header and footer around "对不起，您访问的页面不存在或已被删除！" and a
    3-second script countdown to the home page, as TRS and Hanweb sites serve it; with
    ``meta_refresh``, a ``<meta http-equiv="refresh" content="3;url=/">`` as well (which
    Scrapy's own MetaRefreshMiddleware would follow to the home page)."""
    countdown = ('<script type="text/javascript">var t = 3; setInterval(function () { t--; '
                 'document.getElementById("sec").innerHTML = t; if (t <= 0) { location.href = "/"; } }, 1000);'
                 '</script>')
    if meta_refresh:
        countdown += '<meta http-equiv="refresh" content="3;url=/">'
    page_html = f"""{_head("页面不存在", chrome, extra=countdown)}
<body>
{_furniture_top(skin, chrome)}
<div class="error-box">
<div class="error-img"><img src="/images/404.png" alt=""></div>
<p class="error-t1">对不起，您访问的页面不存在或已被删除！</p>
<p class="error-t2"><span id="sec">3</span> 秒后自动跳转到<a href="/">首页</a></p>
</div>
{_footer(chrome)}
</body></html>"""
    return page_html.encode("utf-8")


# -- labelled set for the extraction engineer ----------------------------------------------------
def labelled_set() -> Iterable[tuple[str, Report, bytes, str]]:
    """(skin, report, page bytes, Content-Type header) for every seed report in every skin,
    plus two derived variants; each page's gold text is ``report.gold_text()``."""
    reports = seed_reports()
    reports = reports + [variant(reports[3], government="广水市", year=2019),
                         variant(reports[4], government="临武县", year=2016)]
    for r in reports:
        for skin in SKINS:
            yield skin, r, render_report(skin, r), CONTENT_TYPE[skin]
