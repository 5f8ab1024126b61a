"""The `registry` farm: provincial portals linking their cities' and counties' portals.

Built on the small farm (its 襄阳市, 随州市, 铁岭市 and 嘉禾县 portals hold reports) plus three
provincial portals and a few plain city/county home pages, linked in the styles real
provincial portals use: a 市州政府网站 box, a 政府网站导航 page with a second page, a
``<select>`` jump menu, links wrapped in spans, a renamed division (襄樊市), an abbreviated
autonomous prefecture (恩施州), development zones that are not divisions, an ambiguous short
name (朝阳 in 辽宁: 朝阳市 or 朝阳县), a same-host column named after a district, and links to
dead portals (十堰市, 利川市: the farm does not serve their hosts).

``REGISTRY_TRUTH`` is what `scrapy crawl portals` must write, written down from the official
division codes by hand — not computed by archive.registry, which it checks.
"""
from __future__ import annotations

from dataclasses import dataclass

from .sites import Site

PROVINCES_CSV = """code,name,url
420000,湖北省,http://www.hubei.gov.cn/
210000,辽宁省,http://www.ln.gov.cn/
430000,湖南省,http://www.hunan.gov.cn/
"""


@dataclass(frozen=True)
class FoundPortal:
    code: str
    name: str
    url: str
    province: str
    level: str
    parent_code: str


# (code, official name, url, province, type, parent code): every row portals-found.csv must hold.
REGISTRY_TRUTH: tuple[FoundPortal, ...] = tuple(FoundPortal(*r) for r in [
    ("210000", "辽宁省", "http://www.ln.gov.cn/", "辽宁省", "省", ""),
    ("210100", "沈阳市", "http://www.shenyang.gov.cn/", "辽宁省", "地级市", "210000"),
    ("211200", "铁岭市", "http://www.tieling.gov.cn/", "辽宁省", "地级市", "210000"),
    ("420000", "湖北省", "http://www.hubei.gov.cn/", "湖北省", "省", ""),
    ("420100", "武汉市", "http://www.wuhan.gov.cn/", "湖北省", "地级市", "420000"),
    ("420200", "黄石市", "http://www.huangshi.gov.cn/", "湖北省", "地级市", "420000"),
    ("420222", "阳新县", "http://www.yx.gov.cn/", "湖北省", "县", "420200"),
    ("420281", "大冶市", "http://www.hbdaye.gov.cn/", "湖北省", "县级市", "420200"),
    ("420300", "十堰市", "http://www.shiyan.gov.cn/", "湖北省", "地级市", "420000"),
    ("420600", "襄阳市", "http://www.xiangyang.gov.cn/", "湖北省", "地级市", "420000"),
    ("421300", "随州市", "http://www.suizhou.gov.cn/", "湖北省", "地级市", "420000"),
    ("422800", "恩施土家族苗族自治州", "http://www.enshi.gov.cn/", "湖北省", "自治州", "420000"),
    ("422801", "恩施市", "http://www.es.gov.cn/", "湖北省", "县级市", "422800"),
    ("422802", "利川市", "http://www.lichuan.gov.cn/", "湖北省", "县级市", "422800"),
    ("429004", "仙桃市", "http://www.xiantao.gov.cn/", "湖北省", "县级市", "420000"),
    ("429021", "神农架林区", "http://www.snj.gov.cn/", "湖北省", "林区", "420000"),
    ("430000", "湖南省", "http://www.hunan.gov.cn/", "湖南省", "省", ""),
    ("431000", "郴州市", "http://www.czs.gov.cn/", "湖南省", "地级市", "430000"),
    ("431021", "桂阳县", "http://www.hngy.gov.cn/", "湖南省", "县", "431000"),
    ("431024", "嘉禾县", "http://www.jiahe.gov.cn/", "湖南省", "县", "431000"),
])
# Links that name a place but must not be matched: (link text, start of the reason).
REGISTRY_UNMATCHED = (
    ("武汉经济技术开发区", "not a division"),
    ("黄石经济技术开发区", "not a division"),
    ("朝阳", "ambiguous"),
)
DEAD = {"www.shiyan.gov.cn", "www.lichuan.gov.cn"}


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="header"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zwfw/">政务服务</a>'
            f'</div>{body}<div class="footer">主办：{title} 网站标识码 4200000001</div></body></html>').encode()


def _plain_home(host: str, name: str, extra: str = "") -> Site:
    site = Site(host)
    site.add("/", _page(f"{name}人民政府门户网站",
                        f'<ul class="news"><li><a href="/xwzx/1.html">{name}召开常务会议</a></li></ul>{extra}'))
    site.add("/zwgk/", _page(f"{name}政务公开", "<p>政务公开</p>"))
    return site


def registry_sites() -> list[Site]:
    """The provincial portals and the plain city/county home pages of the registry farm."""
    sites = []
    hubei = Site("www.hubei.gov.cn")
    hubei.add("/", _page("湖北省人民政府门户网站", """
      <div class="box"><h3>市州政府网站</h3><ul>
        <li><a href="http://www.xiangyang.gov.cn/" target="_blank">襄樊市</a></li>
        <li><a href="http://www.suizhou.gov.cn/index.html"><span>随州市人民政府</span></a></li>
        <li><a href="http://www.enshi.gov.cn/">恩施州</a></li>
      </ul></div>
      <div class="jump"><select onchange="window.open(this.value)">
        <option value="">县市区政府网站</option>
        <option value="http://www.snj.gov.cn/">神农架林区</option>
        <option value="http://www.xiantao.gov.cn/index.html">仙桃市人民政府</option>
      </select></div>
      <div class="links"><a href="/wzdh/">政府网站导航</a> <a href="http://fgw.hubei.gov.cn/">省发展改革委</a>
        <a href="http://www.wedz.gov.cn/">武汉经济技术开发区</a> <a href="http://news.cnhubei.com/">湖北日报网</a></div>"""))
    hubei.add("/wzdh/index.html", _page("政府网站导航", """
      <ul class="dh"><li><a href="http://www.wuhan.gov.cn/">武汉市人民政府门户网站</a></li>
        <li><a href="http://www.huangshi.gov.cn/">黄石市</a></li></ul>
      <div class="page"><a href="/wzdh/index_1.html">下一页</a></div>"""))
    hubei.add("/wzdh/index_1.html", _page("政府网站导航", """
      <ul class="dh"><li><a href="http://www.shiyan.gov.cn/">十堰市</a></li></ul>
      <div class="page"><a href="/wzdh/index.html">上一页</a></div>"""))
    sites.append(hubei)
    ln = Site("www.ln.gov.cn")
    ln.add("/", _page("辽宁省人民政府门户网站", '<div class="nav"><a href="/zfxxgk/dfzf/">地方政府网站</a></div>'))
    ln.add("/zfxxgk/dfzf/", _page("地方政府网站", """
      <table><tr><td><a href="http://www.shenyang.gov.cn/">沈阳市</a></td>
      <td><a href="http://www.tieling.gov.cn/">铁岭市</a></td>
      <td><a href="http://www.chaoyang.gov.cn/">朝阳</a></td></tr></table>"""))
    sites.append(ln)
    hunan = Site("www.hunan.gov.cn")
    hunan.add("/", _page("湖南省人民政府门户网站", """
      <div class="box"><div class="title">市州</div><a href="http://www.czs.gov.cn/">郴州市</a></div>"""))
    sites.append(hunan)
    sites.append(_plain_home("www.huangshi.gov.cn", "黄石市", """
      <div class="box"><h3>县市区</h3><a href="http://www.yx.gov.cn/">阳新县</a>
        <a href="http://www.hbdaye.gov.cn/">大冶市</a> <a href="/xlq/">下陆区</a>
        <a href="http://www.hsdz.gov.cn/">黄石经济技术开发区</a></div>"""))
    sites.append(_plain_home("www.enshi.gov.cn", "恩施土家族苗族自治州", """
      <select name="xsq"><option>县市政府网站</option><option value="http://www.es.gov.cn/">恩施市</option>
        <option value="http://www.lichuan.gov.cn/">利川市</option></select>"""))
    sites.append(_plain_home("www.czs.gov.cn", "郴州市", """
      <div class="box"><h3>县市区</h3><a href="http://www.jiahe.gov.cn/">嘉禾县</a>
        <a href="http://www.hngy.gov.cn/">桂阳县人民政府</a></div>"""))
    for host, name in [("www.wuhan.gov.cn", "武汉市"), ("www.shenyang.gov.cn", "沈阳市"),
                       ("www.chaoyang.gov.cn", "朝阳市"), ("www.snj.gov.cn", "神农架林区"),
                       ("www.xiantao.gov.cn", "仙桃市"), ("www.yx.gov.cn", "阳新县"),
                       ("www.hbdaye.gov.cn", "大冶市"), ("www.es.gov.cn", "恩施市"),
                       ("www.hngy.gov.cn", "桂阳县")]:
        sites.append(_plain_home(host, name))
    return sites
