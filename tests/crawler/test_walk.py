"""The best-first walk on portals the cue lists never saw (issue 14): real crawls of three
hand-written portals served on loopback.

- 临海县: a Hanweb-like home page whose only way in is a top-menu "政务公开" with an opaque
  URL (/col/col1228/index.html): the old fixed threshold never followed it.
- 青田县: a <select> jump menu leads to a column whose 年报 link is an onclick on an <li>; the
  list is embedded by an <iframe> from the city's shared 信息公开 platform on another host.
- 南济县: the only way in is an item of a JS menu array with a folder-relative URL
  ("gk/c9172/"); the list's later pages are offered only by a <select> whose values are
  relative query strings ("?page=2"); one report is a download script named by its anchor
  text only (/download.jsp?id=…, "….pdf").
- 空白县: a reachable portal without any report: `no_reports` with a reason, never `ok`; its
  robots.txt-disallowed link is never fetched.
"""
from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from farm import Farm
from farm.corpus import seed_report, variant
from farm.docs import report_pdf
from farm.sites import Portal, Site
from tests.crawling import ROOT, connect_index, run_crawl
from tests.paths import FIXTURES

ROBOTS_KONGBAI = "User-agent: *\nDisallow: /private/\n"


def _page(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><div class='top'><a href='/'>首页</a></div>{body}"
            "<div class='footer'>主办：人民政府办公室</div></body></html>").encode()


def _report(title: str, date: str) -> bytes:
    paras = "".join(f"<p>{t}</p>" for t in (
        "根据《中华人民共和国政府信息公开条例》要求，现公布本年度政府信息公开工作年度报告。",
        "一、总体情况。本年度本机关认真贯彻落实政府信息公开工作要求，主动公开政府信息。",
        "二、主动公开政府信息情况。全年主动公开规范性文件若干件，政策解读若干篇。",
        "三、收到和处理政府信息公开申请情况。全年收到申请若干件，均按时答复。",
        "四、存在的主要问题及改进情况。公开工作仍有不足，下一步将持续改进。"))
    return _page(title, f"<div class='article'><h1>{title}</h1><div class='info'>发布日期：{date}</div>{paras}</div>")


def _news_column(site: Site, path: str, name: str) -> None:
    site.add(path, _page(name, f"<ul><li><a href='{path}art_1.html'>召开全县经济工作会议</a>"
                               "<span>2023-01-05</span></li></ul>"))
    site.add(f"{path}art_1.html", _page("召开全县经济工作会议", "<p>会议召开。</p>"))


def _linhai() -> tuple[list[Site], Portal, list[str]]:
    site = Site("www.linhai.gov.cn")
    site.add("/", _page("临海县人民政府", """
      <div class='nav'><ul><li><a href='/col/col1001/index.html'>新闻中心</a></li>
      <li><a href='/col/col1228/index.html'>政务公开</a></li>
      <li><a href='/col/col1002/index.html'>政务服务</a></li><li><a href='/col/col1003/index.html'>互动交流</a></li></ul></div>"""))
    for path, name in (("/col/col1001/", "新闻中心"), ("/col/col1002/", "政务服务"), ("/col/col1003/", "互动交流")):
        _news_column(site, path, name)
        site.add(path + "index.html", site.resources[path].body)
    site.add("/col/col1228/index.html", _page("政务公开", """
      <div class='side'><ul><li><a href='/col/col1290/index.html'>政策解读</a></li>
      <li><a href='/col/col1300/index.html'>政府信息公开年报</a></li></ul></div>"""))
    site.add("/col/col1290/index.html", _page("政策解读", "<ul></ul>"))
    reports = []
    items = ""
    for year, art in ((2022, 5511), (2021, 4410)):
        title = f"临海县{year}年政府信息公开工作年度报告"
        path = f"/art/{year + 1}/1/20/art_1300_{art}.html"
        site.add(path, _report(title, f"{year + 1}-01-20"))
        items += f"<li><a href='{path}' title='{title}'>{title}</a><span>{year + 1}-01-20</span></li>"
        reports.append("http://www.linhai.gov.cn" + path)
    site.add("/col/col1300/index.html", _page("政府信息公开年报", f"<ul class='list'>{items}</ul>"))
    return [site], Portal("临海县", "http://www.linhai.gov.cn/", "浙江省", "county"), reports


def _qingtian() -> tuple[list[Site], Portal, list[str]]:
    site, city = Site("www.qingtian.gov.cn"), Site("xxgk.lishui.gov.cn")
    site.add("/", _page("青田县人民政府", """
      <div class='quick'><select onchange="if(this.value!='')window.open(this.value,'_blank')">
      <option value=''>==快速通道==</option><option value='/channel/12'>政务公开</option>
      <option value='/channel/13'>政务服务</option></select></div>"""))
    _news_column(site, "/channel/13/", "政务服务")
    site.add("/channel/13", site.resources["/channel/13/"].body)
    site.add("/channel/12", _page("政务公开", """
      <ul class='tree'><li class='item' onclick="location.href='/channel/40'"><span>年度报告</span></li>
      <li class='item' onclick="location.href='/channel/41'"><span>政务动态</span></li></ul>"""))
    _news_column(site, "/channel/41/", "政务动态")
    site.add("/channel/41", site.resources["/channel/41/"].body)
    site.add("/channel/40", _page("年度报告", "<iframe src='http://xxgk.lishui.gov.cn/qt/list.html' "
                                          "frameborder='0' width='100%' height='1600'></iframe>"))
    reports, items = [], ""
    for year, n in ((2022, 7), (2021, 3)):
        title = f"青田县人民政府{year}年政府信息公开工作年度报告"
        path = f"/qt/content_{n}.html"
        city.add(path, _report(title, f"{year + 1}-01-28"))
        items += f"<tr><td><a href='{path}'>{title}</a></td><td>{year + 1}-01-28</td></tr>"
        reports.append("http://xxgk.lishui.gov.cn" + path)
    city.add("/qt/list.html", _page("年度报告", f"<table>{items}</table>"))
    return [site, city], Portal("青田县", "http://www.qingtian.gov.cn/", "浙江省", "county"), reports


def _nanji() -> tuple[list[Site], Portal, list[str]]:
    site = Site("www.nanji.gov.cn")
    site.add("/", _page("南济县人民政府", """<ul id="menu0"></ul><script type="text/javascript">
      var m=[{"name": "新闻中心", "url": "xwzx/"}, {"name": "信息公开", "url": "gk/c9172/"}];
      var h="";for(var i=0;i<m.length;i++){h+='<li><a href="'+m[i].url+'">'+m[i].name+'</a></li>';}
      document.getElementById('menu0').innerHTML=h;</script>"""))
    _news_column(site, "/xwzx/", "新闻中心")
    site.add("/gk/c9172/", _page("信息公开", "<ul><li><a href='/gk/list.jsp?cid=7630'>年度报告</a></li></ul>"))
    reports, pages = [], {}
    for k, year in enumerate(range(2023, 2017, -1)):
        title = f"南济县{year}年政府信息公开工作年度报告"
        path = f"/gk/c7630/t{year + 1}0128_{k}.shtml"
        if year == 2018:   # a file behind a download script: its name is in the anchor text only
            path = "/download.jsp?id=5512"
            site.add(path, report_pdf(variant(seed_report("jiahe-2017"), drop_tables=True)), "application/pdf")
            anchor = f"{title}.pdf"
        else:
            site.add(path, _report(title, f"{year + 1}-01-28"))
            anchor = title
        pages.setdefault(1 + k // 3, []).append(f"<li><a href='{path}'>{anchor}</a><span>{year + 1}-01-28</span></li>")
        reports.append("http://www.nanji.gov.cn" + path)
    for n, items in pages.items():
        opts = "".join(f"<option value='?cid=7630&amp;page={i}'{' selected' if i == n else ''}>第{i}页</option>" for i in pages)
        body = f"<ul class='list'>{''.join(items)}</ul><div class='page'>跳转到<select onchange='location.href=this.value'>{opts}</select></div>"
        site.add("/gk/list.jsp?cid=7630" + ("" if n == 1 else f"&page={n}"), _page("年度报告", body))
    return [site], Portal("南济县", "http://www.nanji.gov.cn/", "江西省", "county"), reports


def _kongbai() -> tuple[list[Site], Portal, list[str]]:
    site = Site("www.kongbai.gov.cn", robots=ROBOTS_KONGBAI)
    site.add("/", _page("空白县人民政府", """
      <ul><li><a href='/xwzx/'>新闻中心</a></li><li><a href='/zwgk/'>政务公开</a></li>
      <li><a href='/private/xxgk.html'>信息公开（内部）</a></li></ul>"""))
    _news_column(site, "/xwzx/", "新闻中心")
    site.add("/zwgk/", _page("政务公开", "<ul><li><a href='/zwgk/zcwj/'>政策文件</a></li></ul>"))
    site.add("/zwgk/zcwj/", _page("政策文件", "<ul></ul>"))
    site.add("/private/xxgk.html", _page("内部", "<a href='/private/nb.html'>政府信息公开年报</a>"))
    return [site], Portal("空白县", "http://www.kongbai.gov.cn/", "江西省", "county"), []


def _handan() -> tuple[list[Site], Portal, list[str]]:
    """邯郸's real 信息公开 platform (tests/fixtures/discovery 13 and 14, real pages): its home
    reaches the guide only by ``onclick="zhinan(2)"``, a page function building
    ``seal/zhinan?id=2``; the guide's side menu links ``/zfxxgknb/``. The column is ours."""
    site = Site("hdzfxxgk.hd.gov.cn")
    real = FIXTURES / "discovery"
    site.add("/", (real / "13_handan_trs_xxgk_platform_home_savedpage.jsp.html").read_bytes())
    site.add("/seal/zhinan?id=2", (real / "14_handan_trs_xxgk_guide_side_menu_savedpage.jsp.html").read_bytes())
    reports, items = [], ""
    for year in (2022, 2021):
        title = f"邯郸市{year}年政府信息公开工作年度报告"
        path = f"/zfxxgknb/{year + 1}01/t{year + 1}0120_{year}.html"
        site.add(path, _report(title, f"{year + 1}-01-20"))
        items += f"<li><a href='{path}'>{title}</a><span>{year + 1}-01-20</span></li>"
        reports.append("http://hdzfxxgk.hd.gov.cn" + path)
    site.add("/zfxxgknb/", _page("政府信息公开年报", f"<ul class='list'>{items}</ul>"))
    return [site], Portal("邯郸市", "http://hdzfxxgk.hd.gov.cn/", "河北省", "city"), reports


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    from farm.server import FarmServer

    farm, expected = Farm("walk"), {}
    for sites, portal, reports in (_linhai(), _qingtian(), _nanji(), _kongbai(), _handan()):
        for site in sites:
            farm.sites[site.host] = site
        farm.portals.append(portal)
        expected[portal.name] = set(reports)
    work = tmp_path_factory.mktemp("walk")
    farm.write_portals_csv(work / "portals.csv")
    with FarmServer(farm) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])
        proc = run_crawl(work / "portals.csv", work / "archive", port, timeout=300)
        sent = [r.url for r in server.sent]
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"db": connect_index(work / "archive"), "expected": expected, "sent": sent,
            "archive": work / "archive", "stderr": proc.stderr}


def _found(db, portal: str) -> set[str]:
    return {r["page_url"] for r in db.execute("select page_url from reports where portal = ?", (portal,))}


def test_an_opaque_zhengwu_gongkai_link_is_followed(walked):
    assert _found(walked["db"], "临海县") == walked["expected"]["临海县"]
    row = walked["db"].execute("select status, reports from portals where name = '临海县'").fetchone()
    assert tuple(row) == ("ok", 2)


def test_select_onclick_and_an_iframe_from_the_city_platform(walked):
    assert _found(walked["db"], "青田县") == walked["expected"]["青田县"]
    # the city platform was entered through the frame, but only its own host: not lishui.gov.cn
    assert not any(urlsplit(u).hostname == "www.lishui.gov.cn" for u in walked["sent"])


def test_a_real_platform_home_whose_guide_link_calls_a_page_function(walked):
    assert _found(walked["db"], "邯郸市") == walked["expected"]["邯郸市"]
    hd = walked["db"].execute("select path from list_paths where portal = '邯郸市'").fetchone()
    assert json.loads(hd["path"]) == [["政府信息公开指南", "http://hdzfxxgk.hd.gov.cn/seal/zhinan?id=2"],
                                      ["政府信息公开年报", "http://hdzfxxgk.hd.gov.cn/zfxxgknb/"]]
    assert "http://hdzfxxgk.hd.gov.cn/seal/zhinan?id=2" in walked["sent"]
    # the function's body is no redirect: its half URL is never asked for
    assert not any(u.endswith("/seal/zhinan?id=") for u in walked["sent"])


def test_a_js_menu_array_and_a_select_pager_with_relative_values(walked):
    assert _found(walked["db"], "南济县") == walked["expected"]["南济县"]
    assert "http://www.nanji.gov.cn/gk/list.jsp?cid=7630&page=2" in walked["sent"]


def test_a_portal_without_reports_is_no_reports_not_ok(walked):
    row = walked["db"].execute("select status, reason, reports from portals where name = '空白县'").fetchone()
    assert row["status"] == "no_reports" and row["reports"] == 0
    assert "pages" in row["reason"]
    assert "portals without reports: 空白县 (no_reports)" in walked["stderr"]


def test_robots_still_hold_and_news_comes_last(walked):
    sent = walked["sent"]
    assert "http://www.kongbai.gov.cn/robots.txt" in sent
    assert not any("/private/" in u for u in sent)
    # a portal whose report list was found stops before its news and service columns
    assert not any(u.startswith(("http://www.linhai.gov.cn/col/col1001/", "http://www.linhai.gov.cn/col/col1002/"))
                   for u in sent)
    # a portal without reports walks them too, last
    kongbai = [u for u in sent if "kongbai" in u]
    assert kongbai.index("http://www.kongbai.gov.cn/zwgk/") < kongbai.index("http://www.kongbai.gov.cn/xwzx/")


def test_the_walk_is_stored_and_printed(walked):
    rows = walked["db"].execute("select list_url, path from list_paths where portal = '临海县'").fetchall()
    assert [(r["list_url"], json.loads(r["path"])) for r in rows] == [
        ("http://www.linhai.gov.cn/col/col1300/index.html",
         [["政务公开", "http://www.linhai.gov.cn/col/col1228/index.html"],
          ["政府信息公开年报", "http://www.linhai.gov.cn/col/col1300/index.html"]])]
    qt = walked["db"].execute("select path from list_paths where portal = '青田县'").fetchone()
    assert [a for a, _ in json.loads(qt["path"])] == ["政务公开", "年度报告", "(frame)"]
    db = walked["archive"] / "reports.db"
    out = subprocess.run([sys.executable, "-m", "archive", "walk", "临海县", "--db", str(db)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "-> 政务公开  http://www.linhai.gov.cn/col/col1228/index.html" in out.stdout
    assert "status ok" in out.stdout


def test_reindex_rebuilds_the_walk(walked, tmp_path):
    db = tmp_path / "re.db"
    done = subprocess.run([sys.executable, "-m", "archive", "reindex", "--warc", str(walked["archive"] / "warc"),
                           "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    import sqlite3

    again = sqlite3.connect(db).execute("select portal, list_url, path from list_paths order by 1, 2").fetchall()
    crawl = walked["db"].execute("select portal, list_url, path from list_paths order by 1, 2").fetchall()
    assert again == [tuple(r) for r in crawl] and len(again) == 4
