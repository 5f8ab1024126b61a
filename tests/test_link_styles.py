"""Every way real portals link (issue 14 point 1): pure tests of crawler.discovery on markup
written the way Hanweb, TRS, legacy ASP and jsp portals write their menus."""
from __future__ import annotations

from crawler.discovery import extract_links, parse_html

HOME = "http://www.a.gov.cn/"


def _links(html: str, url: str = HOME) -> dict[str, tuple[str, str]]:
    return {l.url: (l.text, l.style) for l in extract_links(parse_html(html, url), url)}


def test_onclick_handlers_on_anchors_and_other_elements():
    html = """<ul><li><a href="javascript:;" onclick="window.open('/col/col1228/index.html')"><span>政务</span><span>公开</span></a></li>
    <li class="item" onclick="location.href='/site/list.jsp?columnId=7688'"><span>政府信息公开</span></li>
    <li><a href="javascript:void(0)" onclick="window.location.href='/Article/ShowClass.asp?ClassID=5';return false;">阳光政务</a></li>
    <li><a href="javascript:window.open('/channel/123')">公开专栏</a></li></ul>"""
    links = _links(html)
    assert links["http://www.a.gov.cn/col/col1228/index.html"] == ("政务公开", "onclick")
    assert links["http://www.a.gov.cn/site/list.jsp?columnId=7688"] == ("政府信息公开", "onclick")
    assert links["http://www.a.gov.cn/Article/ShowClass.asp?ClassID=5"] == ("阳光政务", "onclick")
    assert links["http://www.a.gov.cn/channel/123"] == ("公开专栏", "onclick")


def test_select_jump_menus_keep_their_heading():
    html = """<select onchange="if(this.value!='')window.open(this.value,'_blank')"><option value="">==部门信息公开==</option>
    <option value="/bm/jyj/index.html">县教育局</option><option value="http://czj.a.gov.cn/">县财政局</option></select>
    <select onchange="location.href=this.value"><option value="list_5_2.html">第2页</option></select>"""
    links = extract_links(parse_html(html, HOME), HOME)
    by_url = {l.url: l for l in links}
    assert by_url["http://www.a.gov.cn/bm/jyj/index.html"].text == "县教育局"
    assert by_url["http://www.a.gov.cn/bm/jyj/index.html"].section == "==部门信息公开=="
    assert by_url["http://czj.a.gov.cn/"].style == "option"
    assert by_url["http://www.a.gov.cn/list_5_2.html"].text == "第2页"


def test_navigation_written_by_scripts():
    html = """<ul><script type="text/javascript">
    document.write('<li><a href="/zfxxgk/nb/" target="_blank">年度报告</a></li>');
    </script></ul><ul id="menu1"></ul><script>
    var m=[{"name":"公开专栏","url":"/channel/12"},{"name":"图标","url":"/js/menu.js"}];
    var n=[["透明政务","/html/list_5.html"],["政务服务","/html/list_9.html"]];
    var h="";for(var i=0;i<m.length;i++){h+='<li><a href="'+m[i].url+'">'+m[i].name+'</a></li>';}
    </script>"""
    links = _links(html)
    assert links["http://www.a.gov.cn/zfxxgk/nb/"] == ("年度报告", "script")
    assert links["http://www.a.gov.cn/channel/12"] == ("公开专栏", "script")
    assert links["http://www.a.gov.cn/html/list_5.html"] == ("透明政务", "script")
    assert links["http://www.a.gov.cn/html/list_9.html"] == ("政务服务", "script")
    assert "http://www.a.gov.cn/js/menu.js" not in links  # scripts, styles and images are not pages


def test_frames_refreshes_redirects_and_base():
    html = """<html><head><meta http-equiv="refresh" content="3; url=/zwgk/index.html">
    <base href="http://www.a.gov.cn/xxgk/"></head><body>
    <iframe src="http://xxgk.city.gov.cn/county12/" name="xxgk" frameborder="0"></iframe>
    <frameset><frame src="main.html" name="main"></frameset>
    <script>top.location.href = 'http://xxgk.a.gov.cn/';</script>
    <script>location.replace("/new/");</script>
    <map name="m"><area shape="rect" coords="0,0,1,1" href="gk.html" alt="信息公开"></map>
    <a href="/nav"><img src="/i/nav.png" alt="政务公开"></a></body></html>"""
    links = _links(html)
    assert links["http://www.a.gov.cn/zwgk/index.html"] == ("", "refresh")
    assert links["http://xxgk.city.gov.cn/county12/"] == ("", "frame")
    assert links["http://www.a.gov.cn/xxgk/main.html"] == ("", "frame")   # resolved against <base href>
    assert links["http://xxgk.a.gov.cn/"] == ("", "redirect")
    assert links["http://www.a.gov.cn/new/"] == ("", "redirect")
    assert links["http://www.a.gov.cn/xxgk/gk.html"] == ("信息公开", "a")
    assert links["http://www.a.gov.cn/nav"] == ("政务公开", "a")      # an image-only anchor is named by its alt


def test_hostile_javascript_is_not_a_link():
    html = """<a href="javascript:alert(1)">x</a><a href="javascript:void(0)" onclick="AddFavorite()">加入收藏</a>
    <select onchange="location.href=this.value"><option value="">请选择</option></select>
    <script>var x = "/"; var y = 'javascript:alert(2)';</script>"""
    assert _links(html) == {}
