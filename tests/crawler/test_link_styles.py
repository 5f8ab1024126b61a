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


# -- priorities and the walk (pure) ---------------------------------------------------------------
HANWEB_HOME = """<div class="nav"><ul><li><a href="/col/col1001/index.html">首页</a></li>
<li><a href="/col/col1228/index.html">政务公开</a></li><li><a href="/col/col1002/index.html">新闻中心</a></li>
<li><a href="/col/col1003/index.html">政务服务</a></li><li><a href="/col/col1004/index.html">互动交流</a></li></ul></div>
<div class="box"><div class="box-title"><span>政府信息公开年报</span><a class="more" href="/col/col1300/index.html">更多>></a></div>
<ul><li><a href="/art/2023/1/20/art_1300_5511.html">临海县2022年政府信息公开工作年度报告</a><span>2023-01-20</span></li></ul></div>
<div class="news"><ul><li><a href="/art/2023/3/1/art_1002_77.html">召开全县经济工作会议</a><span>2023-03-01</span></li></ul></div>"""


def test_priorities_put_opaque_zhengwu_gongkai_before_news_and_services():
    from crawler.discovery import link_priority

    links = {l.text or l.url: l for l in extract_links(parse_html(HANWEB_HOME, HOME), HOME)}
    p = {k: link_priority(l, 1) for k, l in links.items()}
    assert p["政务公开"] > p["互动交流"] > p["新闻中心"]
    assert p["政务公开"] > p["政务服务"]
    assert p["更多>>"] > p["政务公开"]           # the 年报 box's 更多 link, named by its heading
    assert p["召开全县经济工作会议"] < p["新闻中心"]  # a dated article is last, not never
    # deeper is a little worse; a frame/redirect inherits its page's priority
    assert link_priority(links["政务公开"], 3) < p["政务公开"]
    from crawler.discovery import Link
    assert link_priority(Link("http://www.a.gov.cn/x/", "", style="frame"), 2, parent_priority=9) == 9


def _cand(text, priority, referer="http://www.a.gov.cn/zwgk/", section=None, depth=1):
    from crawler.discovery import Candidate

    return Candidate((-priority, text), f"http://www.a.gov.cn/{text}", text, referer, priority, None, depth, section)


def test_waves_stop_once_reports_are_found_and_never_mix_tiers():
    from crawler.discovery import next_wave

    home = "http://www.a.gov.cn/"
    kept = [_cand("政务公开", 4), _cand("政策文件", 0), _cand("新闻中心", -7), _cand("政务服务", -7)]
    released, rest = next_wave(kept, set(), home, found=False, budget_left=60, wave=4)
    assert [c.text for c in released] == ["政务公开"]        # the news columns wait for a later wave
    released, _ = next_wave(rest, set(), home, found=False, budget_left=60, wave=4)
    assert [c.text for c in released] == ["政策文件"]
    released, _ = next_wave(kept, set(), home, found=False, budget_left=0, wave=4)
    assert released == []                                      # the budget is spent
    # reports found: only promising cues are still asked, news never
    released, _ = next_wave(kept, set(), home, found=True, budget_left=60, wave=4)
    assert [c.text for c in released] == ["政务公开"]


def test_siblings_of_a_fruitful_unit_are_raised():
    from crawler.discovery import next_wave

    home, directory = "http://www.a.gov.cn/", "http://www.a.gov.cn/zwgk/bmxxgk/"
    kept = [_cand("财政局", -1, directory, section="县直部门"), _cand("统计数据", -1, directory)]
    released, _ = next_wave(kept, set(), home, found=True, budget_left=60, wave=4)
    assert released == []
    released, _ = next_wave(kept, {directory}, home, found=True, budget_left=60, wave=4)
    assert [c.text for c in released] == ["财政局"]


def test_a_portal_with_reports_keeps_only_candidates_that_can_still_be_released():
    """Once reports are found, a kept link that no fruitful column can raise and that does not
    reach PROMISING is never asked for: it is dropped, not held until the crawl ends."""
    from crawler.discovery import next_wave, worth_keeping

    home, directory = "http://www.a.gov.cn/", "http://www.a.gov.cn/zwgk/bmxxgk/"
    kept = [_cand("财政局", -1, directory, section="县直部门"), _cand("统计数据", -1, directory),
            _cand("政务公开", 4), _cand("新闻中心", -7)]
    assert all(worth_keeping(c, found=False) for c in kept)   # before: any may be released
    assert [c.text for c in kept if worth_keeping(c, found=True)] == ["财政局", "政务公开"]
    released, rest = next_wave(kept, set(), home, found=True, budget_left=0, wave=4)
    assert released == [] and sorted(c.text for c in rest) == ["政务公开", "财政局"]
    _, rest = next_wave(kept, set(), home, found=False, budget_left=0, wave=4)
    assert len(rest) == 4


def test_walk_status_is_ok_only_with_reports():
    from crawler.discovery import walk_status

    assert walk_status(True, False, 12, []) == ("ok", None)
    status, reason = walk_status(False, False, 7, [_cand("政策文件", 0)])
    assert status == "no_reports" and "7 pages" in reason and "政策文件" in reason
    assert walk_status(False, True, 60, [_cand("x", -5)])[0] == "budget_exhausted"


def test_calendar_traps_are_never_walked():
    from crawler.discovery import Link, is_trap

    assert is_trap(Link("http://www.a.gov.cn/bsrl/calendar.jsp?month=2021-01", "办事日历"))
    assert is_trap(Link("http://www.a.gov.cn/bsrl/day.jsp?date=2021-01-02", "2"))
    assert is_trap(Link("http://www.a.gov.cn/rl/index.jsp?m=2021-02", "下一月"))
    assert not is_trap(Link("http://www.a.gov.cn/col/col1228/index.html", "政务公开"))
    assert not is_trap(Link("http://www.a.gov.cn/zwgk/202001/", "信息公开年报"))


def test_other_government_hosts_enter_only_as_the_portals_platform():
    from crawler.discovery import Link, admits_platform

    assert admits_platform(Link("http://xxgk.lishui.gov.cn/qt/", "", style="frame"))
    assert admits_platform(Link("http://xxgk.lishui.gov.cn/qt/", "市县公开"))
    assert admits_platform(Link("http://www.zjzwfw.gov.cn/col/col1/", "政府信息公开"))
    assert not admits_platform(Link("http://www.snj.gov.cn/", "神农架林区", section="县市区政府信息公开"))
    assert not admits_platform(Link("http://www.example.com/xxgk/", "政府信息公开", style="frame"))


def test_select_pagers_with_relative_values():
    # a list's pager offered only as a jump menu whose values are relative query strings or
    # folder-relative paths (no leading "/" or "./"): the select goes to the value verbatim
    url = "http://www.a.gov.cn/site/list.jsp?id=7"
    html = """<div class="page">共3页 跳转到<select onchange="location.href=this.value">
    <option value="?id=7&page=1" selected>第1页</option><option value="?id=7&page=2">第2页</option>
    <option value="?id=7&page=3">第3页</option></select></div>
    <select onchange="window.open(this.options[this.selectedIndex].value)"><option value="">==县直部门==</option>
    <option value="bm/jyj/">县教育局</option></select>
    <select onchange="location.href='list_'+this.value+'.html'"><option value="4">第4页</option>
    <option value="?id=9">不跳转</option></select>"""
    links = {l.url: l for l in extract_links(parse_html(html, url), url)}
    assert links["http://www.a.gov.cn/site/list.jsp?id=7&page=2"].text == "第2页"
    assert links["http://www.a.gov.cn/site/list.jsp?id=7&page=3"].style == "option"
    assert links["http://www.a.gov.cn/site/bm/jyj/"].text == "县教育局"
    assert links["http://www.a.gov.cn/site/bm/jyj/"].section == "==县直部门=="
    # a handler that builds the URL from the value: only running it would tell where it goes
    assert not any("page=4" in u or u.endswith("/4") or "id=9" in u for u in links)
    from crawler.discovery import is_pager_link
    assert is_pager_link(links["http://www.a.gov.cn/site/list.jsp?id=7&page=3"], url)


def test_menu_arrays_with_folder_relative_urls():
    # Hanweb/jsp menus in JS arrays often write folder-relative URLs: "col/col1228/", "channel/12"
    url = "http://www.a.gov.cn/index.html"
    html = """<ul id="menu0"></ul><script type="text/javascript">
    var m=[{"name": "首页", "url": "index.html"}, {"name": "政府信息公开专栏", "url": "col/col1228/"},
           {"name": "公开年报", "url": "channel/12?type=nb"}];
    var n=[["互动交流", "hdjl/index.jsp?id=3"]];
    var cfg={"contentType": "application/json", "label": "日期", "d": "2021/01/02", "mime": "text/html"};
    for(var i=0;i<m.length;i++){h+='<li><a href="'+m[i].url+'">'+m[i].name+'</a></li>';}
    </script>"""
    links = _links(html, url)
    assert links["http://www.a.gov.cn/col/col1228/"] == ("政府信息公开专栏", "script")
    assert links["http://www.a.gov.cn/channel/12?type=nb"] == ("公开年报", "script")
    assert links["http://www.a.gov.cn/hdjl/index.jsp?id=3"] == ("互动交流", "script")
    assert not any(k.endswith(("application/json", "2021/01/02", "text/html")) for k in links)


def test_menus_written_from_arrays_take_the_field_the_loop_puts_in_href():
    # a channel CMS writes its menu from [label, id] pairs: the href is the bare id, relative
    # to the page's folder; whatever the value looks like, the loop makes it a link
    url = "http://xxgk.a.gov.cn/channel/3189"
    html = """<ul id="menu1"></ul><script type="text/javascript">
    var m=[["应急管理", "2914"], ["主动公开信息", "2749"]];
    var h="";
    for(var i=0;i<m.length;i++){h+='<li><a href="'+m[i][1]+'">'+m[i][0]+'</a></li>';}
    document.getElementById('menu1').innerHTML=h;
    </script><script>
    var menu = [{'title': '年度报告', 'id': 12, 'href': 'nb'}];
    for (var k = 0; k < menu.length; k++) { s += '<a href=\\'' + menu[k].href + '\\'>' + menu[k].title + '</a>'; }
    var counts = [["访问量", "2749"]];   // numbers no loop writes as links
    </script><script>
    var nav = [
      ["政务公开[专栏]", "3068"],
      ["依申请公开", "3206"]
    ];
    for (var j = 0; j < nav.length; j++) { s += '<a href="' + nav[j][1] + '">' + nav[j][0] + '</a>'; }
    </script>"""
    links = _links(html, url)
    assert links["http://xxgk.a.gov.cn/channel/2749"] == ("主动公开信息", "script")
    assert links["http://xxgk.a.gov.cn/channel/2914"] == ("应急管理", "script")
    assert links["http://xxgk.a.gov.cn/channel/nb"] == ("年度报告", "script")
    assert "http://xxgk.a.gov.cn/channel/12" not in links
    # an array over several lines, a bracket inside a label
    assert links["http://xxgk.a.gov.cn/channel/3068"] == ("政务公开[专栏]", "script")
    assert links["http://xxgk.a.gov.cn/channel/3206"] == ("依申请公开", "script")


def test_links_after_a_stray_html_end_tag_are_found():
    """An included header's own ``</html>`` before the body (www.gov.cn has one): libxml2 2.14
    stops reading there, and the home page's links after it were lost. Both the tree the
    spider reads (response_root, over Scrapy's own parse) and parse_html read past it."""
    from scrapy.http import HtmlResponse

    from crawler.discovery import response_root
    html = ("<html><head><title>某县人民政府</title></head></html>\n<body><ul>"
            "<li><a href='/zwgk/'>政府信息公开</a></li></ul></body></html>")
    assert "http://www.a.gov.cn/zwgk/" in _links(html)
    response = HtmlResponse(HOME, body=html.encode("utf-8"), encoding="utf-8")
    root = response_root(response)
    assert [l.url for l in extract_links(root, HOME)] == ["http://www.a.gov.cn/zwgk/"]
    assert extract_links(response.selector.root, HOME) == []  # what libxml2 alone gives
