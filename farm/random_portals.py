"""Random test portals that do not share the crawler's assumptions (issue 14, part 5).

Each portal is generated from its own integer seed, drawn from distributions broader than
any rule list: navigation depth 1–4 from home to the 年报 list; the way in through top menus,
side boxes, footers, "更多" links, image maps, 信息公开 platform homes with a column tree and
guide pages; anchor texts from a broad vocabulary of real menu names (decorated with spaces,
icons, ``<span>``\\ s, images with only an ``alt``) among many distractors that share words;
opaque URL schemes of several CMSes (Hanweb ``/col/colN/``, TRS ``index_N.html``, legacy ASP
``ShowClass.asp?ClassID=``, ``/channel/N``, ``?id=``, ``/html/YYYY/xxgk_MMDD/N.html``, jsp
``?columnId=``, numeric paths); every linking style (:data:`LINK_STYLES`); lists of 1–15
pages with several pager styles (links, numbers, TRS ``createPageHTML``, a page ``<select>``,
Hanweb's POST dataproxy, jpaas's JSON GET API); reports as HTML pages, as attachments of a
page, or as files linked straight from a list; look-alike entries and columns; department
and township directories (sometimes on their own hosts); 信息公开 platforms on another host
(a subdomain, or a city platform shared by counties under a path); portals without reports;
robots.txt rules that hide part of the reports; calendar and session-id traps.

The seed split is fixed here, before any tuning (see bench/README.md):

- :data:`TUNING_SEEDS` (0–199): the seeds a discovery change may be tuned against;
- :data:`HELDOUT_SEEDS` (10000–10999): never looked at while tuning; recall is reported on them.

Every link the generator writes is recorded in :attr:`RandomFarm.graph` (source node →
:class:`Link`: style, target, the string as written, anchor, role) so that a test can walk it
independently of the crawler. Truth = the reports reachable from the home page through that
graph without entering a robots-disallowed URL; :attr:`RandomFarm.paths` holds, per portal,
the home → … → list chain (anchor, URL) of every report list, and :attr:`RandomFarm.meta` the
portal's draws (scheme, depth, styles …) for debugging.

Length: a generator of whole portals (CMS URL schemes, menus, link styles, pagers, hosts,
robots rules, truth) whose draws must stay in one order per seed; split, the seeds would change.
"""
from __future__ import annotations

import dataclasses
import json
import posixpath
import random
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from . import docs
from .corpus import Report, seed_report, unit_report, variant
from .pages import (
    Chrome,
    HanwebParams,
    ListItem,
    PageMeta,
    attr,
    esc,
    jpaas_list_html,
    render_attachment_page,
    render_hanweb_column,
    render_hanweb_dataproxy,
    render_jpaas_column,
    render_plain_article,
    render_report,
)
from .sites import JPAAS_PATH, Built, Portal, Resource, Site, TruthReport, _add_traps, lookalikes

# -- the seed split (fixed before tuning; do not change) -------------------------------------------
TUNING_SEEDS = range(0, 200)
HELDOUT_SEEDS = range(10000, 11000)
SEED_SETS = {"tuning": TUNING_SEEDS, "heldout": HELDOUT_SEEDS}

LINK_STYLES = ("a", "area", "option", "window_open", "location_href", "void_onclick", "document_write",
               "js_array", "iframe", "frame", "meta_refresh", "js_redirect", "http_redirect")
PAGER_STYLES = ("links", "numeric", "createPageHTML", "select", "hanweb_post", "jpaas_get")
SCHEMES = ("hanweb", "trs", "asp", "channel", "idq", "phpcms", "html", "jsp", "numeric")
SCHEME_WEIGHTS = (3, 3, 1, 1, 1, 1, 1, 1, 1)   # Hanweb and TRS run most real portals


def pick_scheme(rng: random.Random) -> str:
    """A CMS URL scheme, Hanweb and TRS the most common."""
    return rng.choices(SCHEMES, SCHEME_WEIGHTS)[0]

# -- vocabularies ------------------------------------------------------------------------------------
SECTION_NAMES = ["政务公开", "政府信息公开", "信息公开", "阳光政务", "政府公开", "政务公开专栏", "公开专栏",
                 "政务信息公开", "政府信息公开专栏", "政务公开栏目", "透明政务"]
XXGK_NAMES = ["政府信息公开", "信息公开目录", "政府信息公开平台", "政府信息公开目录", "信息公开", "政府信息公开专栏",
              "基层政务公开", "政府信息公开网", "信息公开平台", "公开目录"]
FDGK_NAMES = ["法定主动公开内容", "主动公开", "法定公开内容", "主动公开目录", "法定主动公开", "主动公开信息",
              "政府信息主动公开", "公开内容"]
GUIDE_NAMES = ["政府信息公开指南", "信息公开指南", "公开指南"]
NB_NAMES = ["政府信息公开年报", "年度报告", "工作年报", "政务公开年报", "信息公开年度报告", "政府信息公开工作年度报告",
            "年报", "政府信息公开年度报告", "信息公开年报", "政府年报", "公开年报", "政府信息公开工作年报",
            "年度工作报告", "信息公开工作年度报告"]
MORE_TEXTS = ["更多>>", "更多", "more+", "MORE", "查看更多", ">>", "更多+", ""]
DISTRACTORS = ["新闻中心", "政务动态", "政务服务", "互动交流", "网上办事", "公开征集", "政策解读", "通知公告", "部门动态",
               "乡镇动态", "领导之窗", "依申请公开", "政务公开工作要点", "年度计划", "年度预算", "部门预决算", "统计数据",
               "统计公报", "政府工作报告", "人事信息", "规划计划", "政策文件", "重点领域信息公开", "建议提案办理",
               "新闻发布会", "在线访谈", "民意征集", "政民互动", "投诉举报", "专题专栏", "营商环境", "乡村振兴",
               "招商引资", "文化旅游", "数据开放", "领导信箱", "12345热线", "政府文件", "公示公告", "财政资金",
               "机构职能", "工作动态", "政务服务网", "公开征求意见", "政府信息公开制度", "政府会议", "人大建议",
               "政协提案", "应急管理", "价格收费", "政府采购", "招标投标", "年度统计", "政务公开考核", "公开意见箱",
               "年度目标", "工作总结", "政务要闻", "图片新闻", "视频新闻", "县情概况", "历史沿革", "走进本地"]
LOOKALIKE_COLUMNS = ["政务公开工作要点", "年度计划", "政府信息公开指南", "统计公报", "财政预决算", "政府工作报告",
                     "法治政府建设年度报告", "政府信息公开制度", "依申请公开", "年度工作总结"]
NEWS = ["我县召开全县经济工作会议", "政府常务会议研究部署安全生产工作", "优化营商环境工作推进会召开",
        "春节前夕领导走访慰问困难群众", "政务服务中心推出“一次办好”新举措", "防汛抗旱工作会议召开",
        "全县乡村振兴工作现场推进会召开", "召开2023年政务公开工作培训会", "我县开展年度报告编制培训",
        "政府信息公开年报编制工作部署会召开"]
DEPARTMENTS = [("教育局", "jyj"), ("财政局", "czj"), ("民政局", "mzj"), ("人力资源和社会保障局", "rsj"),
               ("自然资源局", "zrzyj"), ("生态环境分局", "sthj"), ("住房和城乡建设局", "zjj"),
               ("交通运输局", "jtj"), ("水利局", "slj"), ("农业农村局", "nyj"), ("商务局", "swj"),
               ("文化和旅游局", "wlj"), ("卫生健康局", "wjj"), ("市场监督管理局", "scj"), ("统计局", "tjj"),
               ("医疗保障局", "ybj"), ("应急管理局", "yjj"), ("审计局", "sjj"), ("司法局", "sfj"),
               ("发展和改革局", "fgj"), ("林业局", "lyj"), ("退役军人事务局", "tyjr")]
SYLLABLES = [("安", "an"), ("平", "ping"), ("宁", "ning"), ("江", "jiang"), ("山", "shan"), ("阳", "yang"),
             ("城", "cheng"), ("河", "he"), ("东", "dong"), ("西", "xi"), ("南", "nan"), ("北", "bei"),
             ("新", "xin"), ("兴", "xing"), ("华", "hua"), ("丰", "feng"), ("永", "yong"), ("定", "ding"),
             ("昌", "chang"), ("泰", "tai"), ("清", "qing"), ("源", "yuan"), ("林", "lin"), ("石", "shi"),
             ("长", "zhang"), ("武", "wu"), ("嘉", "jia"), ("禾", "hua"), ("青", "qin"), ("云", "yun"),
             ("龙", "long"), ("凤", "fen"), ("金", "jin"), ("宝", "bao"), ("台", "tai"), ("济", "ji"),
             ("德", "de"), ("通", "tong"), ("顺", "shun"), ("乐", "le"), ("富", "fu"), ("吉", "ji")]
CITIES = [("汉江市", "hanjiang"), ("云梦市", "yunmeng"), ("桐城市", "tongcheng"), ("双峰市", "shuangfeng")]
PROVINCES = ["湖北省", "湖南省", "浙江省", "江西省", "江苏省", "辽宁省", "河南省", "四川省", "山东省", "安徽省"]
OLD_SEEDS = ("xiangyang-2017", "tieling-2017", "quzhou-2016", "jiahe-2017")
FILE_TYPES = {"pdf": "application/pdf", "doc": "application/msword",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass(frozen=True)
class Link:
    """One link as the generator wrote it. ``source``/``target`` are graph nodes: an absolute
    URL, or ``"POST <url> <body>"`` for a POST request. ``raw`` is the string as it appears in
    the source page (relative, root-relative or absolute); ``role`` is path|distractor|item|
    pager|unit|lookalike|more|news."""

    style: str
    source: str
    target: str
    raw: str
    anchor: str
    role: str
    method: str = "GET"
    body: str = ""


def node(method: str, url: str, body: str = "") -> str:
    """The graph key of a request."""
    return url if method == "GET" else f"{method} {url} {body}"


def robots_allows(disallow: Sequence[str], url: str) -> bool:
    """Whether ``url`` (absolute) is allowed by a robots.txt made of plain ``Disallow:``
    prefixes (the generator writes no wildcards)."""
    p = urllib.parse.urlsplit(url)
    target = (p.path or "/") + (f"?{p.query}" if p.query else "")
    return not any(target.startswith(d) for d in disallow)


# -- URL spaces (a host, a path prefix and a CMS scheme) -------------------------------------------
class Space:
    """Where a part of a portal lives: ``host`` + ``prefix`` (``/`` or ``/<county>/`` on a shared
    city platform), with ``scheme`` naming columns, list pages, articles and files."""

    def __init__(self, host: str, prefix: str, scheme: str, rng: random.Random):
        self.host, self.prefix, self.scheme, self.rng = host, prefix, scheme, rng
        self.gbk = scheme == "asp"
        self.skin = {"hanweb": "hanweb", "trs": "trs", "asp": "legacy_gbk"}.get(scheme) or rng.choice(["trs", "ucap", "hanweb"])
        self.next_id = rng.randrange(100, 9000)
        self.trs_top = rng.choice(["zwgk", "xxgk", "zfxxgk", "gk", "govinfo", "channels", "col", "zw"])
        self.uid = rng.randrange(1000, 9999)
        self.ext = rng.choice(["html", "html", "shtml", "htm"])
        self.files = rng.choice(["/uploadfiles/{ym}/{h}.{ext}", "/module/download/downfile.jsp?classid=0&filename={h}.{ext}",
                                 "/picture/0/{h}.{ext}", "/u/cms/www/{ym}/{h}.{ext}", "/Upload/File/{ym}/{h}.{ext}"])

    def new_id(self) -> int:
        self.next_id += self.rng.randrange(1, 40)
        return self.next_id

    def url(self, path: str) -> str:
        return f"http://{self.host}{self.prefix.rstrip('/')}{path}"

    def column(self, cid: int, page: int = 1, *, telling: str = "") -> str:
        """The absolute URL of page ``page`` (1-based) of column ``cid``. ``telling`` is a
        pinyin directory name a TRS site may use instead of an opaque one."""
        s, n = self.scheme, page
        if s == "hanweb":
            p = f"/col/col{cid}/index.html" + (f"?uid={self.uid}&pageNum={n}" if n > 1 else "")
        elif s in ("trs", "numeric"):
            d = (f"/{self.trs_top}/{telling or f'c{cid}'}/" if s == "trs" else f"/{cid}/")
            p = d + (f"index_{n - 1}.{self.ext}" if n > 1 else "")
        elif s == "asp":
            p = f"/Article/ShowClass.asp?ClassID={cid}" + (f"&page={n}" if n > 1 else "")
        elif s == "channel":
            p = f"/channel/{cid}" + (f"?page={n}" if n > 1 else "")
        elif s == "idq":
            p = f"/list.aspx?id={cid}" + (f"&page={n}" if n > 1 else "")
        elif s == "phpcms":
            p = f"/index.php?m=content&c=index&a=lists&catid={cid}" + (f"&page={n}" if n > 1 else "")
        elif s == "html":
            p = f"/html/list_{cid}" + (f"_{n}" if n > 1 else "") + ".html"
        elif s == "jsp":
            p = f"/site/list.jsp?columnId={cid}" + (f"&pageIndex={n}" if n > 1 else "")
        else:
            raise ValueError(s)
        return self.url(p)

    def dir_style(self) -> bool:
        """Lists paged as ``index.html``, ``index_1.html`` … (TRS's createPageHTML works)."""
        return self.scheme in ("trs", "numeric")

    def article(self, cid: int, date: str) -> str:
        y, m, d = date.split("-")
        i, s = self.new_id() * 7 + 1000000, self.scheme
        if s == "hanweb":
            p = f"/art/{y}/{int(m)}/{int(d)}/art_{cid}_{i}.html"
        elif s == "trs":
            p = f"/{self.trs_top}/c{cid}/{y}{m}/t{y}{m}{d}_{i}.{self.ext}"
        elif s == "numeric":
            p = f"/{cid}/{i}.{self.ext}"
        elif s == "asp":
            p = f"/Article/ShowArticle.asp?ArticleID={i}"
        elif s == "channel":
            p = f"/content/{cid}/{i}"
        elif s == "idq":
            p = f"/show.aspx?id={i}"
        elif s == "phpcms":
            p = f"/index.php?m=content&c=index&a=show&catid={cid}&id={i}"
        elif s == "html":
            p = f"/html/{y}/xxgk_{m}{d}/{i}.html"
        else:
            p = f"/site/detail.jsp?articleId={i}&columnId={cid}"
        return self.url(p)

    def file(self, date: str, ext: str) -> str:
        h = "%032x" % self.rng.getrandbits(128)
        return self.url(self.files.format(ym=date[:7].replace("-", ""), h=h[:self.rng.choice([16, 20, 32])], ext=ext))

    def path_of(self, url: str) -> str:
        p = urllib.parse.urlsplit(url)
        return (p.path or "/") + (f"?{p.query}" if p.query else "")


# -- the page model -----------------------------------------------------------------------------------
@dataclass
class Menu:
    """A block of links on a page, all written in one ``style``."""

    heading: str
    style: str
    items: list = field(default_factory=list)   # (anchor, target, role, deco)
    css: str = "box"
    more: tuple | None = None                   # (text, target, role): the box's 更多 link


@dataclass
class NavPage:
    url: str
    space: Space
    title: str
    menus: list = field(default_factory=list)
    text: list = field(default_factory=list)    # paragraphs (guide pages), may hold one link
    base: str = ""                              # <base href>
    form: str = "root"                          # how same-host links are written


class RandomPortal:
    """One random portal, generated from ``seed``. ``build()`` returns a :class:`Built`;
    ``links`` (the link graph), ``paths`` and ``meta`` are read by :class:`RandomFarm`."""

    def __init__(self, seed: int, taken_hosts: set[str] | None = None):
        self.seed = seed
        self.rng = rng = random.Random(f"random-portal|{seed}")
        a, b, c = seed % 42, (seed // 42) % 42, (seed // 1764) % 42
        chars = [SYLLABLES[(a * 7 + 3) % 42], SYLLABLES[(b * 11 + a + 5) % 42]]
        self.level = rng.choice(["city", "county", "county", "district"])
        suffix = {"city": "市", "county": "县", "district": "区"}[self.level]
        self.name = chars[0][0] + chars[1][0] + (SYLLABLES[c][0] if c else "") + suffix
        pin = chars[0][1] + chars[1][1] + (SYLLABLES[c][1] if c else "")
        host = f"www.{pin}.gov.cn"
        k = 2
        while taken_hosts is not None and host in taken_hosts:
            host, k = f"www.{pin}{k}.gov.cn", k + 1
        if taken_hosts is not None:
            taken_hosts.add(host)
        self.pin, self.host = host.split(".")[1], host
        self.province = rng.choice(PROVINCES)
        self.links: dict[str, list[Link]] = {}
        self.sites: dict[str, Site] = {}
        self.disallow: dict[str, list[str]] = {}
        self.reports: dict[str, tuple] = {}          # page url -> (Report, kind, content_type, file url, publisher)
        self.lists: list[tuple[str, str]] = []       # (first list page url, whose)
        self.meta: dict = {"seed": seed, "styles": set(), "pagers": set()}
        self.pages: dict[str, NavPage] = {}
        self.titles: dict[str, str] = {}
        self._recorded: set[Link] = set()

    # -- small helpers ------------------------------------------------------------------------
    def site(self, host: str) -> Site:
        if host not in self.sites:
            self.sites[host] = Site(host, server=self.rng.choice(["nginx", "Apache", "Microsoft-IIS/7.5", "TRS Web Server"]))
        return self.sites[host]

    def serve(self, url: str, body, content_type: str = "", **kw) -> Resource:
        p = urllib.parse.urlsplit(url)
        target = (p.path or "/") + (f"?{p.query}" if p.query else "")
        return self.site(p.hostname).add(target, body, content_type or "text/html; charset=utf-8", **kw)

    def record(self, style: str, source: str, target: str, raw: str, anchor: str, role: str,
               method: str = "GET", body: str = "") -> None:
        link = Link(style, source, target, raw, anchor, role, method, body)
        if link in self._recorded:   # a page published again (a block added) writes its links again
            return
        self._recorded.add(link)
        self.links.setdefault(source, []).append(link)
        if role in ("path", "unit", "pager", "item"):
            self.meta["styles"].add(style)

    def raw(self, page: NavPage | str, target: str, form: str | None = None) -> str:
        """How ``target`` is written on ``page`` (resolution checked)."""
        src = page.url if isinstance(page, NavPage) else page
        base = (page.base if isinstance(page, NavPage) else "") or src
        form = form or (page.form if isinstance(page, NavPage) else "root")
        s, t = urllib.parse.urlsplit(base), urllib.parse.urlsplit(target)
        if s.hostname != t.hostname or form == "absolute":
            out = target
        elif form == "relative":
            start = posixpath.dirname(s.path) or "/"
            rel = posixpath.relpath(t.path, start)
            if t.path.endswith("/") and not rel.endswith("/"):
                rel += "/"
            if rel == "./":
                rel = "./"
            out = rel + (f"?{t.query}" if t.query else "")
            if out.startswith("?"):
                out = posixpath.basename(t.path) + out if posixpath.basename(t.path) else "./" + out
        else:
            out = (t.path or "/") + (f"?{t.query}" if t.query else "")
        assert urllib.parse.urljoin(base, out) == target, (base, out, target)
        return out

    def deco(self, text: str) -> str:
        r = self.rng.random()
        if r < 0.55:
            return "plain"
        return self.rng.choice(["spaced", "icon", "spans", "img_alt", "nbsp", "em"])

    @staticmethod
    def anchor_html(text: str, deco: str) -> str:
        if deco == "spaced" and len(text) <= 6:
            return " ".join(esc(text))
        if deco == "nbsp":
            return f"&nbsp;{esc(text)}&nbsp;"
        if deco == "icon":
            return f'<i class="iconfont icon-nav"></i><span>{esc(text)}</span>'
        if deco == "spans" and len(text) >= 2:
            k = len(text) // 2
            return f"<span>{esc(text[:k])}</span><span>{esc(text[k:])}</span>"
        if deco == "img_alt":
            return f'<img src="/images/nav_{sum(map(ord, text)) % 97}.png" alt="{attr(text)}" border="0">'
        if deco == "em":
            return f"<em></em><b>{esc(text)}</b>"
        return esc(text)

    # -- rendering of link blocks -------------------------------------------------------------
    def render_menu(self, page: NavPage, menu: Menu, k: int) -> str:
        style = menu.style
        self.meta["styles"].add(style) if any(r == "path" for _, _, r, _ in menu.items) else None
        items = []
        for anchor, target, role, deco in menu.items:
            raw = self.raw(page, target)
            self.record(style, page.url, target, raw, anchor, role)
            items.append((anchor, raw, deco))
        head = f'<div class="{menu.css}-title"><span>{esc(menu.heading)}</span>' if menu.heading else f'<div class="{menu.css}-title">'
        if menu.more:
            text, target, role = menu.more
            raw = self.raw(page, target)
            self.record("a", page.url, target, raw, text or menu.heading, role)
            inner = esc(text) if text else '<img src="/images/more.gif" border="0">'
            head += f'<a class="more" href="{attr(raw)}" target="_blank">{inner}</a>'
        head += "</div>"
        q = "'"
        if style == "a":
            body = "".join(f'<li><a href="{attr(r)}" target="_blank">{self.anchor_html(t, d)}</a></li>' for t, r, d in items)
            body = f"<ul>{body}</ul>"
        elif style == "area":
            areas = "".join(f'<area shape="rect" coords="{i * 120},0,{i * 120 + 118},60" href="{attr(r)}" alt="{attr(t)}" title="{attr(t)}">'
                            for i, (t, r, d) in enumerate(items))
            body = f'<img src="/images/banner_nav{k}.jpg" usemap="#navmap{k}" border="0" width="1200" height="60"><map name="navmap{k}" id="navmap{k}">{areas}</map>'
        elif style == "option":
            how = self.rng.choice(["window.open(this.value)", "location.href=this.options[this.selectedIndex].value",
                                   "if(this.value!='')window.open(this.value,'_blank')"])
            opts = "".join(f'<option value="{attr(r)}">{esc(t)}</option>' for t, r, d in items)
            body = f'<select onchange="{attr(how)}"><option value="">=={esc(menu.heading or "请选择")}==</option>{opts}</select>'
        elif style == "window_open":
            body = "".join(f'<li><a href="javascript:;" onclick="window.open({q}{attr(r)}{q})">{self.anchor_html(t, d)}</a></li>' for t, r, d in items)
            body = f"<ul>{body}</ul>"
        elif style == "location_href":
            body = "".join(f'<li class="item" onclick="location.href={q}{attr(r)}{q}"><span>{esc(t)}</span></li>' for t, r, d in items)
            body = f"<ul>{body}</ul>"
        elif style == "void_onclick":
            body = "".join(f'<li><a href="javascript:void(0)" onclick="window.location.href={q}{attr(r)}{q};return false;">{self.anchor_html(t, d)}</a></li>'
                           for t, r, d in items)
            body = f"<ul>{body}</ul>"
        elif style == "document_write":
            lines = "".join(f"document.write('<li><a href=\"{r}\" target=\"_blank\">{t}</a></li>');\n" for t, r, d in items)
            body = f"<ul><script type=\"text/javascript\">\n{lines}</script></ul>"
        elif style == "js_array":
            if self.rng.random() < 0.5:
                arr = json.dumps([{"name": t, "url": r} for t, r, d in items], ensure_ascii=False)
                loop = "h+='<li><a href=\"'+m[i].url+'\">'+m[i].name+'</a></li>';"
            else:
                arr = json.dumps([[t, r] for t, r, d in items], ensure_ascii=False)
                loop = "h+='<li><a href=\"'+m[i][1]+'\">'+m[i][0]+'</a></li>';"
            body = (f'<ul id="menu{k}"></ul><script type="text/javascript">\nvar m={arr};\nvar h="";\n'
                    f"for(var i=0;i<m.length;i++){{{loop}}}\ndocument.getElementById('menu{k}').innerHTML=h;\n</script>")
        else:
            raise ValueError(style)
        return f'<div class="{menu.css}">{head}{body}</div>'

    def render_nav(self, page: NavPage) -> bytes:
        """A navigation page (home, section, 信息公开 home, 法定主动公开, guide, unit page)."""
        blocks = [self.render_menu(page, m, k) for k, m in enumerate(page.menus)]
        top = "".join(b for b, m in zip(blocks, page.menus) if m.css in ("nav", "banner"))
        foot = "".join(b for b, m in zip(blocks, page.menus) if m.css == "foot")
        blocks = [b for b, m in zip(blocks, page.menus) if m.css not in ("nav", "banner", "foot")]
        text = "".join(f"<p>{p}</p>" for p in page.text)
        base = f'<base href="{attr(page.base)}">' if page.base else ""
        site_name = self.name + "人民政府"
        charset = "gb2312" if page.space.gbk else "utf-8"
        html_ = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{esc(page.title)}</title>{base}
<link rel="stylesheet" href="/css/index.css"><script src="/js/jquery.min.js"></script></head>
<body><div class="top"><span>欢迎访问{esc(site_name)}</span> <a href="javascript:void(0)" onclick="AddFavorite()">加入收藏</a></div>
<div class="header"><img src="/images/logo.png" alt="{attr(site_name)}"><form action="/search/" method="get"><input name="q"><button>搜索</button></form></div>
<div class="menu">{top}</div>
<div class="main"><h1 class="page-title">{esc(page.title)}</h1>
{text}
{"".join(blocks)}
</div>
<div class="footer">{foot}<p>主办：{esc(self.name)}人民政府办公室　网站标识码：{self.seed:010d}</p></div>
</body></html>"""
        return html_.encode("gb18030" if page.space.gbk else "utf-8")

    def publish(self, page: NavPage) -> None:
        self.pages[page.url] = page
        ctype = "text/html" if page.space.gbk else "text/html; charset=utf-8"
        self.serve(page.url, self.render_nav(page), ctype)

    # -- distractor columns and news --------------------------------------------------------
    def distractors(self, space: Space, n: int, exclude: Iterable[str] = ()) -> list[tuple]:
        """``n`` distractor links (anchor, target, role, deco) to generic columns of ``space``."""
        names = [d for d in DISTRACTORS if d not in set(exclude)]
        out = []
        for name in self.rng.sample(names, min(n, len(names))):
            key = (space.host, space.prefix, name)
            if key not in self._generic:
                url = space.column(space.new_id())
                self._generic[key] = url
                self._pending_generic.append((space, url, name))
            out.append((name, self._generic[key], "distractor", self.deco(name)))
        return out

    def _serve_generic(self) -> None:
        """Serve the distractor columns: a short list of news articles, no way further."""
        while self._pending_generic:
            space, url, name = self._pending_generic.pop()
            page = NavPage(url, space, name, form=self.rng.choice(["root", "absolute"]))
            items = [(t, u, "news", "plain") for t, u in self.news(space)]
            page.menus = [Menu(name, "a", items, css="list"),
                          Menu("", "a", [("首页", self.home_url, "distractor", "plain")], css="crumb")]
            self.publish(page)

    def news(self, space: Space) -> list[tuple[str, str]]:
        key = (space.host, space.prefix)
        if key not in self._news:
            out = []
            for _k, t in enumerate(self.rng.sample(NEWS, 4)):
                date = f"20{self.rng.randrange(19, 24)}-{self.rng.randrange(1, 13):02d}-{self.rng.randrange(1, 29):02d}"
                url = space.article(space.new_id(), date)
                meta = PageMeta(t, date, f"{self.name}融媒体中心")
                self.serve(url, (lambda m=meta, sk=space.skin, s=space: self._plain(sk, m, [f"{m.title}。", "（来源：本站）"], s)),
                           "text/html" if space.gbk else "text/html; charset=utf-8")
                out.append((t, url))
            self._news[key] = out
        return self._news[key]

    def _plain(self, skin, meta, paras, space) -> bytes:
        return render_plain_article(skin, meta, paras, Chrome.for_government(self.name, space.host, nav=[("首页", self.home_url)]))

    # -- reports ------------------------------------------------------------------------------
    def gov_report(self, year: int, gov: str) -> Report:
        base = seed_report("suizhou-2020" if year >= 2019 else self.rng.choice(OLD_SEEDS))
        r = variant(base, government=gov, year=year, province=self.province,
                    slug=f"rp{self.seed}-{year}", index_no=f"{self.seed:06d}/{year + 1}-{self.rng.randrange(1, 99999):05d}")
        titles = [f"{gov}人民政府{year}年政府信息公开工作年度报告", f"{gov}{year}年政府信息公开工作年度报告",
                  f"{gov}{year}年度政府信息公开工作报告", f"关于{gov}{year}年政府信息公开工作年度报告",
                  f"{year}年{gov}政务公开年报", f"{gov}政府信息公开工作年度报告（{year}年）",
                  f"{gov}人民政府{year}年政府信息公开年报", f"{year}年度{gov}人民政府信息公开工作年度报告",
                  f"{gov}人民政府办公室{year}年政府信息公开工作年度报告"]
        return r.replace(title=self.rng.choice(titles))

    def unit_reports(self, unit: str, years: Sequence[int], level: str) -> list[Report]:
        out = []
        for y in years:
            r = unit_report(unit, self.name, y, province=self.province, seed=f"{self.seed}|{unit}", level=level,
                            slug=f"rp{self.seed}-{unit.encode().hex()[:12]}-{y}")
            if self.rng.random() < 0.3:
                r = r.replace(title=self.rng.choice([f"{unit}{y}年度政府信息公开工作报告", f"{y}年{unit}政府信息公开年报",
                                                     f"{unit}关于{y}年政府信息公开工作年度报告"]))
            out.append(r)
        return out

    def fakes(self, gov: str, years: Sequence[int], n: int) -> list:
        out = lookalikes(gov, list(years) or [2020], self.rng, n)
        # a few more look-alikes of the kinds real 年报 columns carry
        extra = [f"{gov}{y}年度工作计划" for y in years] + [f"{gov}{y}年度部门预算" for y in years] + \
                [f"{gov}{y}年政务公开工作要点" for y in years] + [f"{gov}关于{y}年度政务公开工作情况的通报" for y in years]
        for _k in range(min(len(extra), max(0, n // 4))):
            t = self.rng.choice(extra)
            y = int(next(x for x in years if str(x) in t))
            if all(f.title != t for f in out):
                out[self.rng.randrange(len(out))] = dataclasses.replace(
                    out[0], title=t, date=f"{y + 1}-{self.rng.randrange(1, 13):02d}-{self.rng.randrange(1, 29):02d}")
        return out

    # -- a 年报 column ----------------------------------------------------------------------------
    def report_column(self, space: Space, title: str, reports: list[tuple[Report, str]], n_fakes: int,
                      via: str) -> str:
        """Serve a list of ``reports`` ((Report, kind)) and ``n_fakes`` look-alikes in ``space``;
        returns the URL of its first page. ``via`` is the page that links it (for the crumb)."""
        rng = self.rng
        cid = space.new_id()
        gov = self.name
        entries = []   # (ListItem-like: title, href, date, role)
        for r, kind in reports:
            date = r.published
            how = rng.choices(["html", "attach", "file"], [0.6, 0.25, 0.15])[0]
            page_url = space.article(cid, date)
            ext = rng.choice(["pdf", "pdf", "doc", "docx"])
            if how != "html" and ext == "doc" and r.has_tables:
                # the farm's Word 97 writer draws no tables: the report served as .doc, and so its
                # truth, is the report without them (PDF and DOCX files carry their tables)
                r = variant(r, drop_tables=True, slug=r.slug, title=r.title, publisher=r.publisher, index_no=r.index_no)
            publisher = r.publisher
            if how == "html":
                print_href = rng.choice(["javascript:window.print()", "javascript:window.print()"]
                                        + ([page_url + "?type=print"] if "?" not in page_url else []))
                ch = Chrome.for_government(gov, space.host, nav=[("首页", self.home_url)], breadcrumb=[("首页", self.home_url), (title, "./")])
                self.serve(page_url, (lambda r=r, ch=ch, sk=space.skin, p=print_href: render_report(sk, r, ch, print_href=p)),
                           "text/html" if space.gbk else "text/html; charset=utf-8")
                self.reports[page_url] = (r, kind, "html", page_url, publisher)
            elif how == "attach":
                furl = space.file(date, ext)
                self.serve(furl, (lambda r=r, e=ext: _file_bytes(r, e)), FILE_TYPES[ext])
                ch = Chrome.for_government(gov, space.host, nav=[("首页", self.home_url)])
                raw = self.raw(page_url, furl, rng.choice(["root", "absolute", "relative"]))
                self.record("a", page_url, furl, raw, f"{r.title}.{ext}", "attachment")
                self.serve(page_url, (lambda r=r, raw=raw, e=ext, ch=ch, sk=space.skin: render_attachment_page(
                    sk, PageMeta.of(r), [(raw, f"{r.title}.{e}")], ch, intro="详见附件。")),
                    "text/html" if space.gbk else "text/html; charset=utf-8")
                self.reports[page_url] = (r, kind, ext, furl, publisher)
            else:
                page_url = space.file(date, ext)
                self.serve(page_url, (lambda r=r, e=ext: _file_bytes(r, e)), FILE_TYPES[ext])
                import re
                body = re.match(r"^(?:关于)?(.*?)(?:关于)?(?:19|20)\d\d年", r.title)  # "XX局关于2023年…"
                pub = body.group(1) if body and body.group(1) and "报告" not in body.group(1) else r.government
                self.reports[page_url] = (r, kind, ext, page_url, pub)
            entries.append((r.title, page_url, date, "item"))
        for f in self.fakes(gov, sorted({r.year for r, _ in reports}) or [2020, 2021], n_fakes):
            url = space.article(cid, f.date)
            meta = PageMeta(f.title, f.date, f"{gov}人民政府办公室")
            self.serve(url, (lambda m=meta, ps=f.paragraphs, s=space: self._plain(s.skin, m, list(ps), s)),
                       "text/html" if space.gbk else "text/html; charset=utf-8")
            entries.append((f.title, url, f.date, "item"))
        entries.sort(key=lambda e: (e[2], e[1]), reverse=True)
        return self.serve_list(space, cid, title, entries, via)

    def serve_list(self, space: Space, cid: int, title: str, entries: list, via: str) -> str:
        rng = self.rng
        per = rng.choice([5, 8, 10, 12, 15, 20])
        chunks = [entries[i:i + per] for i in range(0, len(entries), per)] or [[]]
        styles = ["links", "numeric", "select"]
        if space.dir_style():
            styles += ["createPageHTML"] * 3
        if space.scheme == "hanweb" and space.prefix == "/":
            styles += ["hanweb_post"] * 3 + ["jpaas_get"] * 2
        pager = rng.choice(styles) if len(chunks) > 1 or rng.random() < 0.5 else rng.choice(styles)
        self.meta["pagers"].add(pager)
        first = space.column(cid)
        form = rng.choice(["root", "relative", "absolute"])
        trunc = rng.random() < 0.3
        if pager in ("hanweb_post", "jpaas_get"):
            self._api_list(space, cid, title, entries, per, pager, form, trunc)
            return first
        for n, chunk in enumerate(chunks, 1):
            url = space.column(cid, n)
            self._list_page(space, url, title, chunk, n, len(chunks), cid, pager, form, trunc, via)
        return first

    def _item_html(self, src: str, entries, form: str, trunc: bool, style: str = "a") -> str:
        out = []
        for t, u, d, role in entries:
            raw = self.raw(src, u, form)
            if rng_from(u).random() < 0.1 and "?" not in u and not u.endswith(tuple(FILE_TYPES)):
                raw_alias = raw + ("&" if "?" in raw else "?") + "from=list"
            else:
                raw_alias = None
            shown = t if not trunc or len(t) <= 20 else t[:19] + "…"
            href = raw_alias or raw
            self.record(style, src, urllib.parse.urljoin(src, href), href, t, role)
            out.append(f'<li><a href="{attr(href)}" target="_blank" title="{attr(t)}">{esc(shown)}</a><span>{esc(d)}</span></li>')
        return "\n".join(out)

    def _list_page(self, space, url, title, chunk, n, total, cid, pager, form, trunc, via) -> None:
        items = self._item_html(url, chunk, form, trunc)
        def purl(k):
            return space.column(cid, k)
        pg = ""
        if total > 1:
            if pager == "createPageHTML":
                name = "index"
                ext = space.ext
                pg = f'<div class="page"><script>createPageHTML({total}, {n - 1}, "{name}", "{ext}");</script></div>'
                for k in range(1, total + 1):
                    if k != n:
                        raw = f"{name}_{k - 1}.{ext}" if k > 1 else f"{name}.{ext}"
                        tgt = urllib.parse.urljoin(url, raw)
                        self.record("createPageHTML", url, purl(k) if k > 1 else tgt, raw, str(k), "pager")
            elif pager == "select":
                opts = ""
                for k in range(1, total + 1):
                    raw = self.raw(url, purl(k), form)
                    if k != n:
                        self.record("option", url, purl(k), raw, f"第{k}页", "pager")
                    opts += f'<option value="{attr(raw)}"{" selected" if k == n else ""}>第{k}页</option>'
                pg = f'<div class="page">共{total}页 跳转到<select onchange="location.href=this.value">{opts}</select></div>'
            else:
                parts = [f"共{total}页"]
                ks = (range(1, total + 1) if pager == "numeric" else
                      [k for k in (1, n - 1, n + 1, total) if 1 <= k <= total])
                labels = {1: "首页", n - 1: "上一页", n + 1: "下一页", total: "尾页"}
                seen = set()
                for k in ks:
                    if k == n or (pager != "numeric" and k in seen):
                        continue
                    seen.add(k)
                    raw = self.raw(url, purl(k), form)
                    label = str(k) if pager == "numeric" else labels[k]
                    self.record("a", url, purl(k), raw, label, "pager")
                    parts.append(f'<a href="{attr(raw)}">{label}</a>')
                pg = '<div class="page">' + " ".join(parts) + "</div>"
        crumb_raw = self.raw(url, self.home_url)
        self.record("a", url, self.home_url, crumb_raw, "首页", "distractor")
        script = _CREATE_PAGE_HTML if pager == "createPageHTML" else ""
        charset = "gb2312" if space.gbk else "utf-8"
        html_ = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{esc(title)}_{esc(self.name)}人民政府</title>{script}</head>
<body><div class="position">当前位置：<a href="{attr(crumb_raw)}">首页</a> &gt; {esc(title)}</div>
<div class="list-title">{esc(title)}</div><ul class="list">
{items}
</ul>{pg}
<div class="footer">主办：{esc(self.name)}人民政府办公室</div></body></html>"""
        data = html_.encode("gb18030" if space.gbk else "utf-8")
        ctype = "text/html" if space.gbk else "text/html; charset=utf-8"
        self.serve(url, data, ctype)
        if n == 1 and url.endswith("/"):
            self.serve(url + f"index.{space.ext}", data, ctype)   # createPageHTML's 首页 link

    def _api_list(self, space, cid, title, entries, per, pager, form, trunc) -> None:
        first = space.column(cid)
        site = self.site(space.host)
        items = [ListItem(t, space.path_of(u), d) for t, u, d, _ in entries]
        ch = Chrome.for_government(self.name, space.host, nav=[("首页", "/")], breadcrumb=[("首页", "/"), (title, "./")])
        total = len(items)
        if pager == "hanweb_post":
            unitid = space.new_id()
            p = HanwebParams(columnid=cid, unitid=unitid, webid=self.seed % 90 + 1, perpage=per, webname=self.name)
            self.serve(first, render_hanweb_column(ch, title, items[:per], total, p))
            for it, (t, u, _d, role) in zip(items[:per], entries):
                self.record("a", first, u, it.href, t, role)
            store = self._hanweb.setdefault(space.host, {})
            store[cid] = (p, items, entries)
            for start in range(per + 1, total + 1, per * 3):
                end = min(total, start + per * 3 - 1)
                body = urllib.parse.urlencode({"col": 1, "appid": 1, "webid": p.webid, "path": "/", "columnid": cid,
                                               "unitid": unitid, "webname": self.name, "permissiontype": 0})
                api = space.url(f"/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={end}&perpage={per}")
                self.record("hanweb_post", first, node("POST", api, body), api, "dataproxy", "pager", "POST", body)
                for it, (t, u, _d, role) in zip(items[start - 1:end], entries[start - 1:end]):
                    self.record("a", node("POST", api, body), u, it.href, t, role)
            if space.host not in self._routes:
                self._routes.add(space.host)
                site.route("/module/web/jpage/dataproxy.jsp", _hanweb_handler(store))
        else:
            web_id = "%016x" % self.rng.getrandbits(64)
            unit_url = (f"{JPAAS_PATH}?parseType=bulidstatic&webId={web_id}&tplSetId=t{self.seed}"
                        f"&pageType=column&tagId=当前栏目list&editType=null&pageId={cid}")
            self.serve(first, render_jpaas_column(ch, title, unit_url, per))
            store = self._jpaas.setdefault(space.host, {})
            store[(web_id, str(cid))] = items
            for n in range(1, max(1, -(-total // per)) + 1):
                q = urllib.parse.quote(json.dumps({"pageNo": n, "pageSize": per}, separators=(",", ":")), safe="")
                api = space.url(urllib.parse.quote(unit_url, safe="/?=&") + "&paramJson=" + q)
                self.record("jpaas_get", first, api, api, "jpaas", "pager")
                for it, (t, u, _d, role) in zip(items[(n - 1) * per:n * per], entries[(n - 1) * per:n * per]):
                    self.record("a", api, u, it.href, t, role)
            if space.host + "#jpaas" not in self._routes:
                self._routes.add(space.host + "#jpaas")
                site.route(JPAAS_PATH, _jpaas_handler(store))

    # -- the whole portal ---------------------------------------------------------------------
    def build(self) -> Built:
        rng = self.rng
        self._generic, self._pending_generic, self._news = {}, [], {}
        self._hanweb, self._jpaas, self._routes = {}, {}, set()
        scheme = pick_scheme(rng)
        main = Space(self.host, "/", scheme, rng)
        self.home_url = main.url("/")
        where = rng.choices(["same", "sub", "city"], [0.6, 0.25, 0.15])[0]
        if where == "same":
            xs = main
        elif where == "sub":
            xs = Space(f"xxgk.{self.pin}.gov.cn", "/", pick_scheme(rng), rng)
        else:
            cname, cpin = rng.choice(CITIES)
            xs = Space(f"xxgk.{cpin}.gov.cn", f"/{self.pin}{self.seed}/", pick_scheme(rng), rng)
        depth = rng.choices([1, 2, 3, 4], [0.15, 0.35, 0.35, 0.15])[0]
        chain = {1: [["list"]], 2: [["xxgk", "list"], ["section", "list"], ["guide", "list"]],
                 3: [["section", "xxgk", "list"], ["xxgk", "fdgk", "list"], ["section", "guide", "list"]],
                 4: [["section", "xxgk", "fdgk", "list"]]}[depth]
        chain = rng.choice(chain)
        no_reports = rng.random() < 0.06
        self.meta.update(scheme=scheme, xxgk=where, xxgk_scheme=xs.scheme, depth=depth, chain=chain, no_reports=no_reports)

        # the government's own reports, plus department reports in long lists
        years = sorted(rng.sample(range(2008, 2024), rng.randrange(1, 9)))
        n_pages = rng.choices(range(1, 16), [30, 18, 12, 8, 6, 5, 4, 3, 3, 2, 2, 2, 2, 1, 2])[0]
        own = [(self.gov_report(y, self.name), "government") for y in years]
        depts = rng.sample(DEPARTMENTS, len(DEPARTMENTS))
        extra = []
        want = max(0, n_pages * 6 - len(own))
        for dname, _dcode in depts:
            if len(extra) >= want:
                break
            ys = sorted(rng.sample(range(2015, 2024), min(9, max(1, want // 8))))
            extra += [(r, "department") for r in self.unit_reports(self.name + dname, ys, "department")]
        col_reports = [] if no_reports else own + extra[:want]
        n_fakes = rng.randrange(1, 6) + n_pages

        # units with their own 年报 column
        units = []
        if not no_reports and rng.random() < 0.45:
            for dname, dcode in rng.sample(DEPARTMENTS, rng.randrange(1, 5)):
                units.append((self.name + dname, dcode, "department"))
            for k in range(rng.randrange(0, 4)):
                (c1, p1), (c2, p2) = rng.sample(SYLLABLES, 2)
                units.append((c1 + c2 + rng.choice(["镇", "乡", "街道"]), f"{p1}{p2}{k}", "township"))
        unit_hosts = rng.random() < 0.25
        self.meta["units"] = len(units)

        # build from the list back to home: each step knows its target
        nb_title = rng.choice(NB_NAMES)
        list_url = self.report_column(xs, nb_title, col_reports, n_fakes if not no_reports else rng.randrange(0, 4), via="")
        if no_reports and rng.random() < 0.5:
            list_url = None    # no 年报 column at all
        target, target_kind = list_url, "list"
        path_rev = []
        unit_dir_done = False
        steps = ["home"] + chain[:-1]
        # create the nav pages of the chain (back to front)
        for i in range(len(steps) - 1, -1, -1):
            kind = steps[i]
            space = main if kind in ("home", "section") else xs
            url = self.home_url if kind == "home" else space.column(space.new_id())
            title = {"home": self.name + "人民政府门户网站", "section": rng.choice(SECTION_NAMES),
                     "xxgk": rng.choice(XXGK_NAMES), "fdgk": rng.choice(FDGK_NAMES), "guide": rng.choice(GUIDE_NAMES)}[kind]
            page = NavPage(url, space, title, form=rng.choice(["root", "root", "relative", "absolute"]))
            if rng.random() < 0.15 and kind != "home":
                page.base = space.url(rng.choice(["/", "/xxgk/", "/zwgk/index/"]))
            if target is not None:
                anchor = {"list": nb_title, "xxgk": self.chain_title(target), "fdgk": self.chain_title(target),
                          "guide": self.chain_title(target), "section": self.chain_title(target)}[target_kind]
                link_target = self.wrap(space, target, target_kind, page)
                self.place(page, kind, anchor, link_target, target_kind)
            if kind in ("xxgk", "fdgk") and units and not unit_dir_done:
                self.unit_directory(page, xs, units, unit_hosts)
                unit_dir_done = True
            self.fill(page, kind, space)
            self.publish(page)
            path_rev.append((kind, url))
            target, target_kind = url, kind
            self.titles[url] = title
        if units and not unit_dir_done:
            # no 信息公开 home on the way: the directory sits on the home page of the xxgk space
            page = self.pages[self.home_url]
            self.unit_directory(page, xs, units, unit_hosts)
            self.publish(page)
        if rng.random() < 0.3:
            _add_traps(self.site(self.host))
            p = self.pages[self.home_url]
            p.menus.append(Menu("互动交流", "a", [("办事日历", main.url("/bsrl/calendar.jsp?month=2021-01"), "trap", "plain"),
                                                ("网上办事", main.url("/wsbs/index.jsp"), "trap", "plain")]))
            self.publish(p)
            self.meta["traps"] = True
        self._serve_generic()
        self.robots(main, xs, units)
        return self.finish()

    def chain_title(self, url: str) -> str:
        return self.titles.get(url, "")

    def wrap(self, space: Space, target: str, kind: str, page: NavPage) -> str:
        """Maybe put a wrapper page between ``page`` and ``target``: an iframe/frameset page, a
        meta refresh, a JS redirect or an HTTP redirect. Returns what ``page`` links to."""
        rng = self.rng
        cross = urllib.parse.urlsplit(target).hostname != urllib.parse.urlsplit(page.url).hostname
        r = rng.random()
        if (cross and r < 0.4) or r < 0.04:
            style = rng.choice(["iframe", "frame"])
        elif r < 0.14:
            style = rng.choice(["meta_refresh", "js_redirect", "http_redirect"])
        else:
            return target
        wurl = page.space.column(page.space.new_id())
        raw = self.raw(wurl, target, "absolute" if cross else rng.choice(["root", "absolute"]))
        self.record(style, wurl, target, raw, "", "path")
        self.meta["styles"].add(style)
        title = self.titles.get(target, "") or "政府信息公开"
        if style == "iframe":
            body = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(title)}</title></head><body>'
                    f'<div class="header"><a href="/">首页</a></div>'
                    f'<iframe src="{attr(raw)}" name="xxgk" id="xxgk" width="100%" height="1800" frameborder="0" scrolling="no"></iframe>'
                    f"</body></html>").encode()
            self.serve(wurl, body)
        elif style == "frame":
            body = (f'<html><head><meta charset="utf-8"><title>{esc(title)}</title></head>'
                    f'<frameset rows="110,*" frameborder="no"><frame src="/top.html" name="top" scrolling="no">'
                    f'<frame src="{attr(raw)}" name="main"></frameset></html>').encode()
            self.serve(wurl, body)
        elif style == "meta_refresh":
            self.serve(wurl, (f'<html><head><meta http-equiv="refresh" content="{rng.choice(["0", "1", "3"])}; url={attr(raw)}">'
                              f'<title>{esc(title)}</title></head><body>正在跳转……</body></html>').encode())
        elif style == "js_redirect":
            js = rng.choice([f'window.location="{raw}";', f"window.location.href='{raw}';", f'location.replace("{raw}");',
                             f"top.location.href = '{raw}';"])
            self.serve(wurl, f'<html><head><meta charset="utf-8"><script type="text/javascript">{js}</script></head><body></body></html>'.encode())
        else:
            self.serve(wurl, b"", status=302, headers=[("Location", raw)])
        return wurl

    def place(self, page: NavPage, kind: str, anchor: str, target: str, target_kind: str) -> None:
        """Put the path link into a block of ``page``."""
        rng = self.rng
        style = rng.choices(["a", "area", "option", "window_open", "location_href", "void_onclick", "document_write", "js_array"],
                            [30, 10, 5, 8, 7, 7, 8, 9])[0]
        if style == "area" and kind != "home":
            style = "a"
        deco = self.deco(anchor)
        ndis = rng.randrange(6, 16)
        dis = self.distractors(page.space, ndis)
        pos = rng.randrange(len(dis) + 1)
        r = rng.random()
        if r < 0.2 and style in ("a", "document_write", "js_array", "window_open") and target_kind == "list":
            # a box headed by the 年报 name with its newest entries and a 更多 link
            more = rng.choice(MORE_TEXTS)
            m = Menu(anchor, style, [], css="box", more=(more, target, "path"))
            for t, u, _d, _role in self.newest(target):
                m.items.append((t, u, "item", "plain"))
            page.menus.append(m)
            page.menus.append(Menu(rng.choice(["栏目导航", "快速通道", ""]), style, dis, css="nav"))
            self.meta["way_in"] = "more"
            return
        guide_text_only = kind == "guide" and rng.random() < 0.5
        if not guide_text_only:
            dis.insert(pos, (anchor, target, "path", deco))
        css = rng.choice(["nav", "side", "tree", "foot", "quick"]) if kind != "home" else rng.choice(["nav", "nav", "quick", "foot", "banner"])
        heading = rng.choice(["", "栏目导航", "快速导航", "目录", "政务公开", "信息公开", "导航"]) if style != "option" else rng.choice(["政务公开", "专题栏目", "快速通道"])
        self.meta.setdefault("way_in", css)
        page.menus.append(Menu(heading, style, dis, css=css))
        if kind == "guide":
            raw = self.raw(page, target)
            self.record("a", page.url, target, raw, anchor, "path")
            page.text += ["一、本指南依据《中华人民共和国政府信息公开条例》编制。",
                          f"二、本机关每年1月31日前在本网站“<a href=\"{attr(raw)}\">{esc(anchor)}</a>”栏目公布上一年度政府信息公开工作年度报告。"]

    def newest(self, list_url: str) -> list:
        out = []
        for l in self.links.get(list_url, []):
            if l.role == "item":
                out.append((l.anchor, l.target, "", "item"))
        return out[:self.rng.randrange(2, 6)]

    def fill(self, page: NavPage, kind: str, space: Space) -> None:
        """Distractor blocks, look-alike columns and news for a nav page."""
        rng = self.rng
        n_blocks = rng.randrange(1, 4)
        for _ in range(n_blocks):
            page.menus.insert(rng.randrange(len(page.menus) + 1),
                              Menu(rng.choice(["政务动态", "通知公告", "专题专栏", "政务服务", "互动交流", "公开目录"]),
                                   rng.choice(["a", "a", "js_array", "document_write", "window_open"]),
                                   self.distractors(space, rng.randrange(4, 12))))
        if kind in ("xxgk", "fdgk", "home", "section") and rng.random() < 0.6:
            cols = []
            for name in rng.sample(LOOKALIKE_COLUMNS, rng.randrange(1, 4)):
                key = (space.host, space.prefix, "la:" + name)
                if key not in self._generic:
                    cid = space.new_id()
                    fakes = self.fakes(self.name, [2020, 2021, 2022], rng.randrange(2, 7))
                    entries = []
                    for f in fakes:
                        url = space.article(cid, f.date)
                        meta = PageMeta(f.title, f.date, f"{self.name}人民政府办公室")
                        self.serve(url, (lambda m=meta, ps=f.paragraphs, s=space: self._plain(s.skin, m, list(ps), s)),
                                   "text/html" if space.gbk else "text/html; charset=utf-8")
                        entries.append((f.title, url, f.date, "lookalike"))
                    entries.sort(key=lambda e: e[2], reverse=True)
                    for _n, chunk in enumerate([entries], 1):
                        self._list_page(space, space.column(cid), name, chunk, 1, 1, cid, "links", "root", False, "")
                    self._generic[key] = space.column(cid)
                cols.append((name, self._generic[key], "lookalike", "plain"))
            page.menus.append(Menu("", rng.choice(["a", "js_array"]), cols, css="tree"))
        if kind == "home":
            news = [(t, u, "news", "plain") for t, u in self.news(space)]
            page.menus.insert(0, Menu("要闻动态", "a", news, css="news"))
            friends = [(f"{c}人民政府", f"http://www.{p}.gov.cn/", "offsite", "plain") for c, p in rng.sample(CITIES, 3)]
            friends += [("中国政府网", "http://www.gov.cn/", "offsite", "plain")]
            page.menus.append(Menu("政府网站", "option", friends, css="friend"))

    def unit_directory(self, page: NavPage, xs: Space, units, own_hosts: bool) -> None:
        """A 部门/乡镇 directory on ``page``: each unit has a page with its own 年报 column."""
        rng = self.rng
        style = rng.choices(["a", "option", "js_array", "window_open", "location_href"], [40, 25, 15, 10, 10])[0]
        items = []
        for name, code, kind in units:
            space = Space(f"{code}.{self.pin}.gov.cn", "/", pick_scheme(rng), rng) if own_hosts and kind == "department" else xs
            years = sorted(rng.sample(range(2016, 2024), rng.randrange(1, 4)))
            reps = [(r, kind) for r in self.unit_reports(name, years, kind)]
            unit_url = space.column(space.new_id()) if space is xs else space.url("/")
            nb = rng.choice(NB_NAMES)
            lurl = self.report_column(space, nb, reps, rng.randrange(0, 3), via=unit_url)
            up = NavPage(unit_url, space, f"{name}信息公开", form=rng.choice(["root", "absolute"]))
            dis = self.distractors(space, rng.randrange(3, 8))
            dis.insert(rng.randrange(len(dis) + 1), (nb, lurl, "path", self.deco(nb)))
            up.menus.append(Menu(name, rng.choice(["a", "a", "js_array", "window_open"]), dis, css="tree"))
            self.publish(up)
            self.titles[unit_url] = name
            items.append((name, unit_url, "unit", "plain"))
        head = rng.choice(["部门信息公开", "乡镇（街道）信息公开", "部门和乡镇", "部门", "县直部门"])
        page.menus.append(Menu(head, style, items, css="dir"))
        self.meta["styles"].add(style)

    def robots(self, main: Space, xs: Space, units) -> None:
        """Write robots.txt: usually the defaults, sometimes a rule that hides reports."""
        rng = self.rng
        r = rng.random()
        for host, site in self.sites.items():
            dis = ["/search/", "/admin/"]
            if host == self.host and r < 0.05:
                # the attachments directory is closed: files are not expected
                dis.append(main.files.split("{")[0])
            if r > 0.92 and host == xs.host and xs.prefix == "/":
                victims = [l.target for ls in self.links.values() for l in ls
                           if l.role == "path" and " " not in l.target and urllib.parse.urlsplit(l.target).hostname == host and l.target != self.home_url]
                if victims:
                    v = rng.choice(victims)
                    dis.append(xs.path_of(v))
                    self.meta["robots"] = xs.path_of(v)
            self.disallow[host] = dis
            site.add("/robots.txt", ("User-agent: *\n" + "".join(f"Disallow: {d}\n" for d in dis)).encode(), "text/plain")

    def finish(self) -> Built:
        """Truth = reports reachable from home without entering a disallowed URL."""
        seen, parent = {self.home_url}, {self.home_url: None}
        q = deque([self.home_url])
        while q:
            cur = q.popleft()
            for l in self.links.get(cur, []):
                t = l.target
                if t in seen or l.role in ("offsite", "trap"):
                    continue
                url = t.split(" ")[1] if " " in t else t
                host = urllib.parse.urlsplit(url).hostname
                if not robots_allows(self.disallow.get(host, []), url):
                    continue
                seen.add(t)
                parent[t] = (cur, l)
                q.append(t)
        truth = []
        self.hidden = []     # (page url, why) of reports a polite crawl cannot reach
        for page_url, (r, kind, ctype, furl, publisher) in self.reports.items():
            if page_url not in seen and page_url + "?from=list" not in seen:
                self.hidden.append((page_url, "not reachable without a robots-disallowed URL"))
                continue
            fhost = urllib.parse.urlsplit(furl).hostname
            if not robots_allows(self.disallow.get(fhost, []), furl):
                self.hidden.append((page_url, f"its file {furl} is disallowed by robots.txt"))
                continue
            aliases = tuple(a for a in (page_url + "?type=print", page_url + "?from=list")
                            if "?" not in page_url and ctype == "html")
            truth.append(TruthReport(self.name, page_url, furl, r.title, r.year, r.published, publisher,
                                     r.index_no if page_url != furl else "", r.gold_text(), ctype, r.slug, kind, aliases))
        # the path of every list: home -> ... -> the list page that links a report
        paths = {}
        for t in truth:
            cur = t.page_url if t.page_url in parent else t.page_url + "?from=list"
            chain = []
            while parent.get(cur):
                src, l = parent[cur]
                chain.append((l.anchor, l.target, l.style))
                cur = src
            chain.reverse()
            list_url = chain[-2][1] if len(chain) >= 2 else self.home_url
            paths.setdefault(list_url, chain[:-1])
        self.paths = paths
        self.meta["styles"] = sorted(self.meta["styles"])
        self.meta["pagers"] = sorted(self.meta["pagers"])
        portal = Portal(self.name, self.home_url, self.province, self.level)
        if truth:
            status, reason = "ok", ""
        elif self.meta["no_reports"]:
            status, reason = "no_reports", "the portal publishes no 年报"
        else:
            status, reason = "no_reports", "every report is behind robots.txt"
        return Built(list(self.sites.values()), portal, truth, status, reason)


def rng_from(*parts) -> random.Random:
    return random.Random("|".join(map(str, parts)))


def _file_bytes(r: Report, ext: str) -> bytes:
    if ext == "pdf":
        return docs.report_pdf(r)
    if ext == "docx":
        return docs.report_docx(r)
    return docs.report_doc(r)     # report_column dropped a .doc report's tables


_CREATE_PAGE_HTML = """<script>
function createPageHTML(_nPageCount,_nCurrIndex,_sPageName,_sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  for(var i = 0; i < _nPageCount; i++){
    var sPageName = (i == 0 ? _sPageName : (_sPageName + "_" + i)) + "." + _sPageExt;
    if(_nCurrIndex == i) document.write("<span class='current'>" + (i + 1) + "</span>&nbsp;");
    else document.write("<a href='" + sPageName + "'>" + (i + 1) + "</a>&nbsp;");
  }
}
</script>"""


def _hanweb_handler(store: dict):
    def handler(method: str, target: str, headers, body: bytes):
        path, _, query = target.partition("?")
        if not path.endswith("/module/web/jpage/dataproxy.jsp"):
            return None
        if method != "POST":
            return 405, [("Allow", "POST"), ("Content-Type", "text/html")], b"<html><body>405</body></html>"
        q = urllib.parse.parse_qs(query)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        ctype = [("Content-Type", "text/xml;charset=UTF-8")]
        try:
            cid = int(form["columnid"][0])
            p, items, _ = store[cid]
            start, end = int(q["startrecord"][0]), int(q["endrecord"][0])
            ok = form.get("unitid", [""])[0] == str(p.unitid) and form.get("webid", [""])[0] == str(p.webid)
        except (KeyError, ValueError, IndexError):
            ok = False
        if not ok:
            return 200, ctype, render_hanweb_dataproxy([], 0, 15)
        return 200, ctype, render_hanweb_dataproxy(items[max(0, start - 1):max(0, end)], len(items), p.perpage)
    return handler


def _jpaas_handler(store: dict):
    def handler(method: str, target: str, headers, body: bytes):
        path, _, query = target.partition("?")
        if path != JPAAS_PATH:
            return None
        q = urllib.parse.parse_qs(query)
        ctype = [("Content-Type", "application/json;charset=UTF-8")]
        key = ((q.get("webId") or [""])[0], (q.get("pageId") or [""])[0])
        fail = json.dumps({"success": False, "code": "500", "message": "参数错误", "data": None}, ensure_ascii=False).encode()
        if key not in store:
            return 200, ctype, fail
        try:
            param = json.loads((q.get("paramJson") or ["{}"])[0])
            page_no, size = int(param.get("pageNo", 1)), max(1, min(100, int(param.get("pageSize", 15))))
        except (ValueError, TypeError, AttributeError):
            return 200, ctype, fail
        items = store[key]
        chunk = items[(page_no - 1) * size:page_no * size] if page_no >= 1 else []
        out = {"success": True, "code": "200", "message": "操作成功",
               "data": {"html": jpaas_list_html(chunk, len(items), page_no, size)}}
        return 200, ctype, json.dumps(out, ensure_ascii=False).encode()
    return handler


# -- the farm -------------------------------------------------------------------------------------------
def seeds_of(seed_set: str, n: int, start: int | None = None) -> list[int]:
    """The first ``n`` seeds of a named set (``tuning`` or ``heldout``), from ``start``."""
    rng_ = SEED_SETS[seed_set]
    first = rng_.start if start is None else start
    out = list(range(first, first + n))
    if not out or out[0] not in rng_ or out[-1] not in rng_:
        raise ValueError(f"seeds {first}..{first + n - 1} are not all in the {seed_set} set "
                         f"({rng_.start}..{rng_.stop - 1})")
    return out


def seed_set_of(seeds: Sequence[int]) -> str:
    """Which named set ``seeds`` belong to; mixing the sets is an error."""
    for name, r in SEED_SETS.items():
        if all(s in r for s in seeds):
            return name
    raise ValueError(f"seeds {min(seeds)}..{max(seeds)} mix or leave the tuning ({TUNING_SEEDS.start}..{TUNING_SEEDS.stop - 1}) "
                     f"and held-out ({HELDOUT_SEEDS.start}..{HELDOUT_SEEDS.stop - 1}) sets")


def random_farm(farm, seeds: Sequence[int]):
    """Fill ``farm`` (a :class:`farm.Farm`) with one random portal per seed; sets
    ``farm.graph`` (node → [Link]), ``farm.paths`` (portal → {list url: [(anchor, url, style)]}),
    ``farm.meta`` (portal → draws) and ``farm.seeds``."""
    farm.seed_set = seed_set_of(seeds)
    farm.seeds = list(seeds)
    farm.graph, farm.paths, farm.meta, farm.hidden = {}, {}, {}, {}
    taken = set()
    farm.skipped_seeds = []
    for s in seeds:
        p = RandomPortal(s, taken)
        built = p.build()
        if any(q.name == built.portal.name for q in farm.portals):
            # two seeds drew the same government name (from the 252nd held-out seed on): the
            # later seed is left out, deterministically, and listed
            farm.skipped_seeds.append(s)
            continue
        farm.add(built)
        for k, v in p.links.items():
            farm.graph.setdefault(k, []).extend(v)
        farm.paths[p.name] = p.paths
        farm.hidden[p.name] = p.hidden
        farm.meta[p.name] = {**p.meta, "home": p.home_url, "disallow": p.disallow}
    return farm
