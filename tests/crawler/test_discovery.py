"""Link discovery and platform pagers on real list pages (crawler/discovery.py, crawler/platforms)."""

from archive.reports.urls import canonical_url, identity_url
from crawler.discovery import Link, Scope, classify_links, column_score, extract_links, parse_html
from crawler.platforms import Page, embedded_links, hanweb, jpaas, list_requests, parse_api, trs
from tests.paths import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "discovery"


def page(name, url):
    body = (FIXTURES / name).read_bytes()
    return Page(url, body.decode("utf-8", "replace"), parse_html(body, url))


def test_real_trs_nianbao_column_reports_dates_and_js_pager():
    url = "http://www.ordos.gov.cn/xxgk/xxgknb/index.html"
    p = page("11_ordos_engebei_trs_xxgknb_list.html", url)
    found = classify_links(extract_links(p.root, url), url)
    titles = {link.text: link.date for link in found.reports}
    assert titles == {
        "鄂尔多斯市2019年政府信息公开工作年度报告": "2020-09-03",
        "鄂尔多斯市人民政府办公室2019年政府信息公开工作年度报告": "2020-03-11",
        "鄂尔多斯市2018年政府信息公开年度报告": "2019-05-30",
        "内蒙古自治区2018年政府信息公开工作年度报告": "2019-05-30",
    }
    # News items in the same column are neither reports nor columns to explore.
    assert not any("恩格贝" in link.text for link in found.columns)
    assert "http://www.ordos.gov.cn/xxgk/xxgknb/" in {l.url for l in found.columns}
    # var countPage = 2: page index_1.html exists only in JavaScript.
    assert [r.url for r in list_requests(p)] == ["http://www.ordos.gov.cn/xxgk/xxgknb/index_1.html"]


def test_real_trs_list_with_var_countpage():
    url = "http://xxgk.hd.gov.cn/list/index.html"
    p = page("07_handan_trs_xxgk_list_savedpage.jsp.html", url)
    urls = [r.url for r in list_requests(p)]
    assert len(urls) == 55  # countPage = 56: index_1 … index_55
    assert urls[0].endswith("/list/index_1.html") and urls[-1].endswith("/list/index_55.html")


def test_var_countpage_takes_the_suffix_its_script_writes():
    # A column at a directory URL whose pages are .shtml: only the script's links say so.
    script = ("var currentPage = 0;\nvar nextPage = currentPage+1\nvar countPage = 3//共多少页\n"
              'document.write("&nbsp;<a href=\\"index."+"shtml\\">首页</a>");\n'
              'document.write("<a href=\\"index"+"_" + nextPage + "."+"shtml\\">下一页</a>");')
    assert trs.pager(script, "http://www.hetong.gov.cn/zwgk/xxgknb/") == (3, "index", "shtml")
    assert trs.pager("var countPage = 3;", "http://a.gov.cn/x/") == (3, "index", "html")
    assert trs.pager("var countPage = 3;", "http://a.gov.cn/x/index.htm") == (3, "index", "htm")


def test_create_page_html_variants():
    assert trs.pager('createPageHTML(12, 0, "index", "shtml");', "http://a.gov.cn/x/") == (12, "index", "shtml")
    assert trs.pager("createPageHTML('page_div',7, 1,'list','html',100);", "http://a.gov.cn/x/") == (7, "list", "html")


HANWEB_PAGE = """<html><body><div id="4485"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=63&path=/&columnid=4485&unitid=11111&webname=%E6%B5%8B&permissiontype=0"></a>]]></nextgroup>
<recordset><record><![CDATA[<li><a href="/art/2021/1/29/art_4485_1.html" title="衢州市人民政府2020年政府信息公开工作年度报告">衢州市人民政府2020年…</a><span>2021-01-29</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2020/3/1/art_4485_2.html">2020年政务公开工作要点</a><span>2020-03-01</span></li>]]></record>
</recordset></datastore></script></div>
<script>$('#4485').jpage({perPage: 15, totalRecord: 100, proxyUrl: '/module/web/jpage/dataproxy.jsp'});</script></body></html>"""


def test_hanweb_embedded_records_and_dataproxy_posts():
    url = "http://www.qz.gov.cn/col/col4485/index.html"
    p = Page(url, HANWEB_PAGE, parse_html(HANWEB_PAGE, url))
    links = embedded_links(p)
    assert [(l.text, l.date) for l in links] == [
        ("衢州市人民政府2020年政府信息公开工作年度报告", "2021-01-29"), ("2020年政务公开工作要点", "2020-03-01")]
    posts = hanweb.list_requests(p)
    assert [r.url.split("?")[1] for r in posts] == [
        "startrecord=1&endrecord=45&perpage=15", "startrecord=46&endrecord=90&perpage=15",
        "startrecord=91&endrecord=135&perpage=15"]
    form = dict(posts[0].form)
    assert form["columnid"] == "4485" and form["webid"] == "63" and form["unitid"] == "11111"
    assert all(r.method == "POST" and r.platform == "hanweb" for r in posts)


def test_hanweb_dataproxy_answer_schedules_the_rest_when_total_unknown():
    state = {"proxy_url": "http://www.qz.gov.cn/module/web/jpage/dataproxy.jsp", "fields": {"columnid": "1"},
             "per": 15, "group": 3, "start": 1}
    body = ("<datastore><totalrecord>100</totalrecord><totalpage>7</totalpage><recordset>"
            "<record><![CDATA[<li><a href='/art/2019/3/1/art_1_9.html'>2018年政府信息公开年报</a></li>]]></record>"
            "</recordset></datastore>").encode()
    answer = parse_api("hanweb", body, state["proxy_url"] + "?startrecord=1&endrecord=45&perpage=15", state)
    assert [l.url for l in answer.links] == ["http://www.qz.gov.cn/art/2019/3/1/art_1_9.html"]
    assert [r.state["start"] for r in answer.more] == [46, 91]


def test_jpaas_json_api_pages():
    html = ('<script>var url = "/api-gateway/jpaas-publish-server/front/page/build/unit?webId=1&pageId=2'
            '&parseType=bulidstatic&pageType=column&tagId=list&tplSetId=3&paramJson={&quot;pageNo&quot;:1,'
            '&quot;pageSize&quot;:15}";</script>').replace("&quot;", '"')
    url = "http://www.hangzhou.gov.cn/col/col1/index.html"
    p = Page(url, html, parse_html(html, url))
    [first] = jpaas.list_requests(p)
    assert "pageNo%22%3A1" in first.url and first.platform == "jpaas"
    body = '{"success":true,"data":{"html":"<li><a href=\\"/art/2021/1/2/art_1_3.html\\">杭州市2020年政府信息公开工作年度报告</a></li>"}}'
    answer = parse_api("jpaas", body.encode(), first.url, first.state)
    assert answer.links[0].text == "杭州市2020年政府信息公开工作年度报告"
    assert "pageNo%22%3A2" in answer.more[0].url
    assert parse_api("jpaas", b'{"success":true,"data":{"html":""}}', first.url, first.state).more == []


def test_canonical_urls_and_identity():
    assert canonical_url("http://www.a.gov.cn/x/t1.html?from=list#top") == "http://www.a.gov.cn/x/t1.html"
    assert canonical_url("http://www.a.gov.cn/x.jsp;jsessionid=ABC?id=3") == "http://www.a.gov.cn/x.jsp?id=3"
    assert canonical_url("javascript:void(0)") is None
    assert canonical_url("http://192.168.1.10/admin") is None
    assert canonical_url("http://127.0.0.1/x") is None
    assert canonical_url("http://www.a.gov.cn/logo.png") is None
    assert identity_url("https://www.a.gov.cn/col/index.html") == identity_url("http://www.a.gov.cn/col/")


def test_links_skip_hostile_schemes_and_private_hosts():
    html = """<a href="javascript:alert(1)">x</a><a href="mailto:a@b.c">m</a><a href="data:text/html,hi">d</a>
    <a href="file:///etc/passwd">f</a><a href="http://10.0.0.1/">p</a><a href="/ok.html">ok</a>"""
    links = extract_links(parse_html(html, "http://www.a.gov.cn/"), "http://www.a.gov.cn/")
    assert [l.url for l in links] == ["http://www.a.gov.cn/ok.html"]


def test_column_scores_and_scope():
    assert column_score(Link("http://www.a.gov.cn/zfxxgk/xxgknb/", "政府信息公开年报")) >= 10
    assert column_score(Link("http://www.a.gov.cn/zwgk/", "政务公开")) >= 6
    assert column_score(Link("http://www.a.gov.cn/zfxxgk/znzd/", "政府信息公开指南")) < 6
    assert column_score(Link("http://www.a.gov.cn/news/", "新闻中心")) < 6
    scope = Scope.for_home("http://www.xiangyang.gov.cn/")
    assert scope.allows("http://xxgk.xiangyang.gov.cn/col/")
    assert not scope.allows("http://www.xiangyang.gov.cn.spam.com/")
    scope.add("http://zwgk.hubei.gov.cn/x/")
    assert scope.allows("http://zwgk.hubei.gov.cn/y/")


def test_trs_pager_skips_the_function_definition():
    text = ('function createPageHTML(_nPageCount,_nCurrIndex,_sPageName,_sPageExt){ if(_nPageCount == null) return; }'
            '\ncreatePageHTML(3, 0, "index", "shtml");')
    assert trs.pager(text, "http://www.a.gov.cn/xxgk/") == (3, "index", "shtml")


def test_pagers_versus_calendar_traps():
    from crawler.discovery import is_pager_link

    here = "http://www.a.gov.cn/xxgk/list.asp?classid=12"
    assert is_pager_link(Link("http://www.a.gov.cn/xxgk/list.asp?classid=12&page=2", "2"), here)
    assert is_pager_link(Link("http://www.a.gov.cn/xxgk/list.asp?classid=12&page=2", "下一页"), here)
    assert is_pager_link(Link("http://www.a.gov.cn/xxgk/index_3.html", "3"), "http://www.a.gov.cn/xxgk/index.html")
    # calendar widgets: numbered day links with dates in the URL
    assert not is_pager_link(Link("http://www.a.gov.cn/xxgk/cal.asp?date=2020-01-05", "5"), here)
    assert not is_pager_link(Link("http://www.a.gov.cn/xxgk/cal.asp?date=2020-02-01&page=2", "下一页"), here)
    # another folder is another list
    assert not is_pager_link(Link("http://www.a.gov.cn/other/index_2.html", "2"), "http://www.a.gov.cn/xxgk/index.html")


UNIT_BOXES = """<div class="main"><div class="box"><div class="box-title">部门信息公开</div><ul>
<li><a href="/wzxrmzf/wjw/xxgk.shtml">万载县卫生健康委员会</a></li><li><a href="/wzxrmzf/czj/xxgk.shtml">万载县财政局</a></li></ul></div>
<div class="box"><h3>乡镇（街道）信息公开</h3><ul><li><a href="/zwgk/xzxxgk/qc/index.html">青昌街道办事处</a></li>
<li><a href="/zwgk/xzxxgk/xd/index.html">新定镇</a></li></ul></div>
<div class="box"><div class="box-title">友情链接</div><ul><li><a href="/links/sj/">宜昌市</a></li></ul></div></div>"""


def test_department_and_township_links_under_their_heading_are_columns():
    url = "http://www.wanzai.gov.cn/zwgk/"
    links = extract_links(parse_html(UNIT_BOXES, url), url)
    columns = {l.text for l in classify_links(links, url).columns}
    assert columns == {"万载县卫生健康委员会", "万载县财政局", "青昌街道办事处", "新定镇"}
    assert {l.text: l.section for l in links}["新定镇"] == "乡镇（街道）信息公开"


def test_trs_article_continuation_pages():
    url = "http://www.yc.gov.cn/zwgk/xxgknb/202009/t20200927_7115112.html"
    text = 'function createPageHTML(_nPageCount,_nCurrIndex){}\ncreatePageHTML(3,0,"t20200927_7115112","html");'
    assert trs.article_pages(url, text) == [
        "http://www.yc.gov.cn/zwgk/xxgknb/202009/t20200927_7115112_1.html",
        "http://www.yc.gov.cn/zwgk/xxgknb/202009/t20200927_7115112_2.html"]
    # a list pager on an article page is not the article's
    assert trs.article_pages(url, 'createPageHTML(5, 0, "index", "html")') == []


def test_may_link_documents_is_a_superset_of_attachment_links():
    from crawler.discovery import attachment_links, may_link_documents, parse_html

    pages = {
        '<a href="/files/2019nb.PDF">附件</a>': True,
        '<a href="/f/a.docx?v=2">附件</a>': True,
        '<a href="/f/a.et#x">表</a>': True,
        '<a href="/f/a&#46;pdf">附件</a>': True,  # the parser unescapes it: a real link
        '<a href="/t20200101_1.html">2019年报告</a><p>见附件。</p>': False,
        '<link href="/css/style.css"><a href="/about.html">about</a>': False,
        # a download script: the file name in the query, or only in the anchor text
        '<a href="/module/download/downfile.jsp?classid=0&filename=nb2020.pdf">附件1</a>': True,
        '<a href="/download.jsp?id=5512">2020年年报.docx</a>': True,
    }
    for html, expected in pages.items():
        found = bool(attachment_links(parse_html(html, "http://a.gov.cn/"), "http://a.gov.cn/"))
        assert found == expected, html
        for encoding in ("utf-8", "gbk"):
            body = html.encode(encoding)
            assert may_link_documents(body) or not found, html  # never hides a real attachment
            assert may_link_documents(body) == expected, html
    assert may_link_documents('<a href="/a.pdf">附件</a>'.encode("utf-16"))  # cannot tell: parse


def test_may_link_documents_reads_href_values():
    from crawler.discovery import may_link_documents

    assert not may_link_documents("<p>报告全文见附件 2019nb.pdf（未链接）</p>".encode())
    assert may_link_documents(b"<A HREF=/f/NB.DOC>x</A>")
    assert may_link_documents(b"<a href = '/f/nb.wps'>x</a>")


def test_one_attachment_rule_for_crawl_and_extraction():
    """The crawl fetches as attachments exactly the links extraction renders as attachment
    lines (both decide with archive.reports.urls.is_attachment_href)."""
    from lxml import html as lhtml

    from archive.extract.html import attachment_links as extraction_attachments
    from crawler.discovery import attachment_links, parse_html

    url = "http://www.a.gov.cn/art/2021/1/28/art_1300_5511.html"
    page = """<div id="zoom"><p>详见附件。</p>
    <p><a href="/attach/2021/ndbg2020.pdf">临海县2020年政府信息公开工作年度报告.pdf</a></p>
    <p><a href="/module/download/downfile.jsp?classid=0&amp;filename=tjb2020.xlsx">统计表.xlsx</a></p>
    <p><a href="/download.jsp?id=5512">年报全文.docx</a></p>
    <p><a href="../../../../col/col1300/index.html">返回列表</a><a href="/doc/list.html">文档中心</a></p></div>"""
    crawl = {l.url for l in attachment_links(parse_html(page, url), url)}
    extraction = {u for u, _ in extraction_attachments(lhtml.document_fromstring(page), url)}
    assert crawl == extraction == {"http://www.a.gov.cn/attach/2021/ndbg2020.pdf",
                                   "http://www.a.gov.cn/module/download/downfile.jsp?classid=0&filename=tjb2020.xlsx",
                                   "http://www.a.gov.cn/download.jsp?id=5512"}


def test_names_report_column_is_the_goal_not_a_way_towards_it():
    from crawler.discovery import Link, names_report_column

    base = "http://www.duobu.gov.cn/zwgk/bmxxgk/jtysj/"
    assert names_report_column(Link(base + "xxgknb/", "政府信息公开年报"))
    assert names_report_column(Link(base + "col/col31/index.html", "年度报告"))
    assert names_report_column(Link(base + "xxgknb/", "更多"))          # its URL names it
    assert not names_report_column(Link(base + "xxgkzn/", "政府信息公开指南"))
    assert not names_report_column(Link(base + "jgzn/", "机构职能"))
    assert not names_report_column(Link(base, "政府信息公开"))
    # a report in a list, not the column: an article URL, a long title, a date beside it
    assert not names_report_column(Link(base + "xxgknb/202401/t20240120_7107.shtml", "2023年年报"))
    assert not names_report_column(Link(base + "nb/2023.html", "关于印发通西市交通运输局2023年政府信息公开工作年度报告编制工作方案的通知"))
    assert not names_report_column(Link(base + "nb/", "年报", date="2024-01-20"))


def test_markup_a_script_writes_has_its_entities_decoded():
    """Hanweb's first list page sits in ``<script type="text/xml">`` as HTML in CDATA, its
    hrefs escaped (``&amp;``), as in document.write strings: a browser parses that markup, so
    the link is ``…&filename=…``. Read raw, the crawl asked for ``…&amp%3Bfilename=…`` (404) on
    9 held-out portals beside the right URL, and counted them as reports it could not fetch."""
    url = "http://xxgk.shundeyang.gov.cn/col/col7216/index.html"
    page = ('<html><body><script type="text/xml"><datastore><recordset><record><![CDATA[\n'
            '<li><a href="/module/download/downfile.jsp?classid=0&amp;filename=a7773d28e7d4.docx" '
            'target="_blank" title="2023年顺德阳县民政局政府信息公开年报">2023年顺德阳县民政局'
            '政府信息公开年报&nbsp;</a></li>]]></record></recordset></datastore></script>'
            "<script>document.write('<a href=\"/col/col7217/index.html?a=1&amp;b=2\">政府信息公开年报</a>');"
            "</script></body></html>")
    links = extract_links(parse_html(page, url), url)
    urls = {link.url for link in links}
    assert "http://xxgk.shundeyang.gov.cn/module/download/downfile.jsp?classid=0&filename=a7773d28e7d4.docx" in urls
    assert "http://xxgk.shundeyang.gov.cn/col/col7217/index.html?a=1&b=2" in urls
    assert not any("amp" in u for u in urls)
    assert "2023年顺德阳县民政局政府信息公开年报" in {link.text for link in links}


# -- real home pages (../shared/samples 12-14): the first steps of the walk --------------------

def _ranked(name, url, depth=1):
    from crawler.discovery import link_priority
    links = extract_links(page(name, url).root, url)
    return sorted(((link_priority(l, depth), l) for l in links), key=lambda x: -x[0])


def test_real_city_home_ranks_its_nianbao_column_first():
    """宜春's home page (a UCAP provincial platform): its menu's 政府信息公开年度报告 item
    leads the walk, with 信息公开 and 政务公开 after it and news far below."""
    from crawler.discovery import is_strong, names_report_column
    ranked = _ranked("12_yichun_ucap_portal_home_2023.html", "http://www.yichun.gov.cn/")
    top, best = ranked[0]
    assert best.url == "http://www.yichun.gov.cn/ycsrmzf/zfxxgknb/redirect_firstChannel.shtml"
    assert names_report_column(best) and is_strong(top, 1)
    strong = {l.text for p, l in ranked if is_strong(p, 1)}
    assert {"信息公开", "政务公开"} <= strong
    assert not any(l.text.startswith("宜春市人民政府办公室印发") for p, l in ranked if is_strong(p, 1))


def test_real_platform_home_guide_link_through_a_page_function():
    """邯郸's 信息公开 platform home: the only way on to the 年报 column is its 指南 link,
    ``<a onclick="zhinan(2)">`` calling ``function zhinan(id){ document.location.href=
    'seal/zhinan?id='+id }``. The link is the function's URL with the call's argument; the
    function's body is no redirect of the page (it was taken for one, to "seal/zhinan?id=")."""
    url = "http://hdzfxxgk.hd.gov.cn/"
    ranked = _ranked("13_handan_trs_xxgk_platform_home_savedpage.jsp.html", url)
    by_url = {l.url: (p, l) for p, l in ranked}
    prio, guide = by_url["http://hdzfxxgk.hd.gov.cn/seal/zhinan?id=2"]
    assert (guide.text, guide.style) == ("政府信息公开指南", "onclick")
    assert prio > 0  # a guide: asked before news and services (PROMISING)
    assert not [l for p, l in ranked if l.style == "redirect"]
    # the news items call xq(id): articles, at the bottom
    p_news, news = by_url["http://hdzfxxgk.hd.gov.cn/seal/details?id=1"]
    assert news.text.startswith("邯郸市教育局关于印发") and p_news < 0


def test_real_guide_page_side_menu_names_the_nianbao_column():
    """The guide page of that platform: its side menu is the only way to /zfxxgknb/."""
    from crawler.discovery import names_report_column
    ranked = _ranked("14_handan_trs_xxgk_guide_side_menu_savedpage.jsp.html",
                     "http://hdzfxxgk.hd.gov.cn/seal/zhinan?id=2", depth=2)
    top, best = ranked[0]
    assert (best.url, best.text) == ("http://hdzfxxgk.hd.gov.cn/zfxxgknb/", "政府信息公开年报")
    assert names_report_column(best)


def test_onclick_calls_of_page_functions():
    """Page functions that build the URL from their argument, with a suffix, a string
    argument, ``javascript:`` hrefs and ``return``; a call of an unknown function or one that
    builds no URL gives nothing."""
    html = """<script>
    function go(id){ window.open('/art/' + id + '.html'); }
    function col(c) { location.href = "/col/col" + c + "/index.html" }
    function noop(x){ alert(x) }
    </script>
    <a href="javascript:go(17)">县政府信息公开年报</a>
    <li onclick="return col('1228');">政务公开</li>
    <a onclick="noop(3)">无</a><a onclick="other(4)">其他</a>"""
    links = {l.url: (l.text, l.style) for l in extract_links(parse_html(html, "http://www.a.gov.cn/"),
                                                              "http://www.a.gov.cn/")}
    assert links == {"http://www.a.gov.cn/art/17.html": ("县政府信息公开年报", "onclick"),
                     "http://www.a.gov.cn/col/col1228/index.html": ("政务公开", "onclick")}
