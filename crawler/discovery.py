"""Finding the 年报 columns and the reports in them: pure functions on parsed pages.

No Scrapy here. A page is an lxml HTML tree plus its URL; the spider turns what these functions
return into requests. Platform-specific list pagers live in crawler/platforms/.

Length: one job, reading links from a page, across every way portals link (a, area, option,
onclick, document.write, menu arrays, frames, redirects) and the priorities the walk gives them;
the link styles share the URL and scope rules, so they stay in one module.
"""
from __future__ import annotations

import ast
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html

from archive.extract.html import repaired
from archive.extract.page_metadata import DATE_RE, normalise_date
from archive.reports.classify import classify_title, normalize_title
from archive.reports.urls import (  # noqa: F401 - is_document_url and the lists are this module's API too
    ATTACHMENT_EXTENSIONS,
    DOCUMENT_EXTENSIONS,
    canonical_url,
    is_attachment_href,
    is_document_url,
    meta_refresh_url,
)

# Anchor-text and URL cues of the columns that lead to annual reports. Weights are additive;
# a link scoring COLUMN_THRESHOLD or more is followed as a column.
# the 年报 column's own name, in anchor text and in URLs (names_report_column)
_NB_TEXT = re.compile(r"信息公开年报|信息公开年度报告|公开年报|年度.{0,4}报告|年报")
_NB_URL = re.compile(r"xxgknb|gknb|ndbg|zfxxgknb|nianbao|/nb/|_nb|ndbb|gzndbg", re.I)
_TEXT_CUES: list[tuple[re.Pattern, int]] = [
    (_NB_TEXT, 10),
    (re.compile(r"政府信息公开|信息公开"), 6),
    (re.compile(r"政务公开|阳光政务|政府公开|公开专栏|透明政务|政务信息"), 5),
    (re.compile(r"公开目录|主动公开|法定|公开内容|信息公开平台"), 3),
    (re.compile(r"部门|乡镇|街道|县区|区县|县（市、区）|县市区|镇（街道）|下属单位"), 2),
    (re.compile(r"制度|规定|依申请|申请表|意见箱|新闻|要闻|动态|招聘|留言|信箱|投诉|在线办事|网上办事|"
                r"办事指南|办事服务|政务服务|便民服务|登录|注册|English|无障碍|关怀|手机版|邮箱|地图|专题|视频|图片"), -6),
    # a 公开指南 says where the 年报 column is ("每年1月31日前在本网站……栏目公布"): above news, below columns
    (re.compile(r"指南"), -5),
]
# Anchors that name a government body: department, township, street office …
_BODY_NAME = re.compile(r"(?:局|委|委员会|办公室|办|镇|乡|街道|办事处|中心|院|所|馆|队|站|人民政府|政府|"
                        r"管委会|管理委员会|分局|区|县|市|旗)$")
# The heading of a box of such links that makes them ways to the bodies' 信息公开 pages.
_UNIT_SECTION = re.compile(r"^(?!.*(?:动态|新闻|要闻|链接|服务|招聘)).*(?:部门|乡镇|街道|单位|县区|区县|县（市、区）|县市区|"
                           r"镇（街道）|乡镇（街道）|下属|直属|县直|市直|区直)")
UNIT_SECTION_BONUS = 8
_URL_CUES: list[tuple[re.Pattern, int]] = [
    (_NB_URL, 8),
    (re.compile(r"zfxxgk|xxgk|zwgk|govinfo|openness|gongkai", re.I), 4),
    (re.compile(r"bmxxgk|xzxxgk|bm_|/bm/|xzjd|jdxx|xianqu|xqxxgk|qxxxgk", re.I), 2),
]
COLUMN_THRESHOLD = 6
PAGER_WORDS = re.compile(r"^(?:下一?页|下页|尾页|末页|最后一页|后页|next|>|>>|»|›|\d{1,4}|第\s*\d{1,4}\s*页)$", re.I)


@dataclass(frozen=True)
class Link:
    """One outlink: absolute URL, the visible title (title= attribute when the text is cut)
    and the date printed beside it in a list, if any."""

    url: str
    text: str
    date: str | None = None
    section: str | None = None   # heading of the box a body-name link sits in ("部门信息公开")
    style: str = "a"             # how it was written: a|option|onclick|script|frame|refresh|redirect


def parse_html(body: bytes | str, url: str) -> lxml.html.HtmlElement:
    """Parse HTML (bytes or text) into an lxml tree; empty documents give an empty <html>.
    The source is repaired first (archive.extract.html.repaired): libxml2 stops reading at a
    stray ``</html>`` before the page's end, and an unclosed ``<title>`` swallows the page;
    every link after either was lost."""
    try:
        root = lxml.html.document_fromstring(repaired(body), base_url=url)
    except (lxml.etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html></html>")
    return root


def page_root(text: str, url: str, parsed: Callable[[], lxml.html.HtmlElement]) -> lxml.html.HtmlElement:
    """The tree of a fetched page: ``parsed()`` (the tree Scrapy's selector builds) unless the
    text needs a repair libxml2 cannot do (a stray ``</html>`` before its end, an unclosed
    ``<title>``: archive.extract.html.repaired); then the tree of the repaired text."""
    fixed = repaired(text)
    return parsed() if fixed is text else parse_html(fixed, url)


def response_root(response) -> lxml.html.HtmlElement:
    """`page_root` of a Scrapy text response (anything with ``text``, ``url`` and
    ``selector``): the tree both spiders read links from."""
    return page_root(response.text, response.url, lambda: response.selector.root)


def _link_text(a: lxml.html.HtmlElement) -> str:
    text = normalize_title(a.text_content())
    title = normalize_title(a.get("title") or a.get("alt") or "")
    if not text and not title:  # image-only anchors: the image's alt names the column
        for img in a.iter("img"):
            title = normalize_title(img.get("alt") or img.get("title") or "")
            if title:
                break
    # Lists cut long titles ("…年度报…" / "..."); the title attribute holds the whole one.
    if title and (len(title) > len(text) or text.endswith(("…", "...", "..")) or not text):
        return title
    return text


def _row_date(a: lxml.html.HtmlElement) -> str | None:
    node = a
    for _ in range(3):
        node = node.getparent()
        if node is None:
            return None
        if node.tag in ("li", "tr", "dd", "dl", "p", "div", "td"):
            text = node.text_content()
            if len(text) < 300:
                d = normalise_date(text)
                if d:
                    return d
    return None


# Where JavaScript navigates: window.open('u'), location.href='u', window.location="u",
# location.replace("u"), top.location.href = 'u' (string literals only: this.value is a pager/select).
_JS_NAV = re.compile(r"""(?:window\.open\s*\(\s*|(?:(?:window|top|self|parent|document)\.)?location(?:\.href)?\s*=\s*|"""
                     r"""location\.(?:replace|assign)\s*\(\s*)(["'])([^"'\s]{1,500}?)\1""")
# A page function that navigates to a URL built from its first argument, called by onclick
# handlers: ``function zhinan(id){ document.location.href='seal/zhinan?id='+id }`` and
# ``<a onclick="zhinan(2)">政府信息公开指南</a>`` (a TRS 信息公开 platform's home page).
_JS_NAV_FUNCTION = re.compile(
    r"""function\s+([A-Za-z_$][\w$]*)\s*\(\s*([A-Za-z_$][\w$]*)[^)]{0,100}\)\s*\{[^{}]{0,300}?"""
    r"""(?:window\.open\s*\(\s*|(?:(?:window|top|self|parent|document)\.)?location(?:\.href)?\s*=\s*|"""
    r"""location\.(?:replace|assign)\s*\(\s*)(["'])([^"'\s]{0,500}?)\3\s*\+\s*\2\b"""
    r"""(?:\s*\+\s*(["'])([^"'\s]{0,200}?)\5)?""")
# ... and the handler's call: zhinan(2), xq('123'), return show(7);
_JS_CALL = re.compile(r"""^\s*(?:return\s+)?([A-Za-z_$][\w$]*)\s*\(\s*(?:(-?\d+)|(["'])([^"'<>\s]{1,200})\3)\s*(?:,[^)]*)?\)""")
# Anchors written by document.write / innerHTML strings: <a href="u">text</a> (quotes may be escaped).
_JS_ANCHOR = re.compile(r"""<a\s[^<>]*?href\s*=\s*\\?["']([^"'\\<>\s]{1,500})\\?["'][^<>]*>(.{0,200}?)</a>""", re.I | re.S)
# String literals of a script (menu arrays: [{"name": "政务公开", "url": "/col/col12/"}] or [["政务公开", "/x/"]]).
_JS_STRING = re.compile(r""""((?:[^"\\\n]|\\.){0,300})"|'((?:[^'\\\n]|\\.){0,300})'""")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TAGS = re.compile(r"<[^>]*>")
# A string that is a page URL: absolute, root- or dot-relative, or a file name of a web page,
# never a script, style or image.
_URLISH = re.compile(r"^(?:https?://[\w.-]+(?:[/?#]\S*)?|\.{0,2}/[\w\-./%~]*(?:\?\S*)?|[\w\-./]+\.(?:s?html?|jsp|aspx?|php)(?:\?\S*)?)$", re.I)
_NOT_PAGE = re.compile(r"\.(?:js|css|png|jpe?g|gif|ico|svg|swf|woff2?|ttf|eot|mp4|mp3|json|xml)(?:[?#]|$)", re.I)
_SKIP_SCHEMES = ("javascript:", "mailto:", "data:", "file:", "tel:", "ftp:", "about:")

# How a link was written (Link.style): wrappers are the content of the page that holds them.
WRAPPER_STYLES = ("frame", "refresh", "redirect")


def _page_url_like(value: str) -> bool:
    value = value.strip()
    return bool(value) and len(value) < 500 and bool(_URLISH.match(value)) and not _NOT_PAGE.search(value)


# A relative reference written without a leading "/" or "./" and not ending in a page suffix:
# "col/col1228/", "channel/123", "?page=3". Page URLs only where something says the string is
# one (a menu array item with its label, a select that navigates to its option's value).
_RELATIVE_REF = re.compile(r"^(?:(?:[\w\-.~%]+/)+[\w\-.~%]*|[\w\-.~%/]*\?[\w\-.~%]+=[^\s<>\"']*)$", re.ASCII)
_MIME_OR_DATE = re.compile(r"^(?:text|application|image|audio|video|multipart|font)/|^[\d/.\-]+$", re.I)


def _relative_ref_like(value: str) -> bool:
    """A relative path or query reference ("col/col12/", "?page=3"), never a MIME type or date."""
    value = value.strip()
    return (len(value) < 500 and bool(_RELATIVE_REF.match(value)) and not _MIME_OR_DATE.match(value)
            and not _NOT_PAGE.search(value))


# A select whose change handler goes to the chosen option's value as it is (no concatenation):
# then every option value is a URL, whatever it looks like ("?page=3", "col/col12/").
_GOES_TO_VALUE = re.compile(r"(?:location(?:\.href)?\s*=\s*|window\.open\s*\(\s*|location\.(?:replace|assign)\s*\(\s*)"
                            r"this\.(?:value|options\[\s*this\.selectedIndex\s*\]\.value)\s*(?:[,;)]|$)")


def _option_is_link(value: str, select) -> bool:
    """An ``<option value>`` is a link when the value looks like a page URL, or when its select
    navigates to the value verbatim and the value is any relative reference but a bare number
    (an id that a script turns into a URL, which only running it would tell)."""
    if _page_url_like(value):
        return True
    value = value.strip()
    if select is None or not value or value.startswith("#") or value.isdigit() or not _GOES_TO_VALUE.search(select.get("onchange") or ""):
        return False
    return not re.match(r"^[a-z][\w+.-]*:", value, re.I) and bool(re.match(r"^[^\s<>\"']+$", value)) and not _NOT_PAGE.search(value)


def _js_urls(code: str) -> list[str]:
    """URLs a piece of JavaScript navigates to (onclick handlers, href="javascript:…")."""
    return [m.group(2) for m in _JS_NAV.finditer(code or "")]


# A loop that writes an array's items as anchors: href="'+m[i][1]+'" or href="'+m[i].url+'".
_HREF_FROM_ARRAY = re.compile(r"""href\s*=\s*\\?["']\s*["']\s*\+\s*([A-Za-z_$][\w$]*)\s*\[\s*[\w$]+\s*\]\s*"""
                              r"""(?:\[\s*(\d+)\s*\]|\.\s*([A-Za-z_$][\w$]*)|\[\s*["']([\w$]+)["']\s*\])""")


def _array_literal(code: str, name: str) -> list | None:
    """The value of ``var name = [...]`` in a script, when it is a plain literal (JSON, or
    single-quoted strings), else None."""
    m = re.search(r"(?:^|[^\w$.])" + re.escape(name) + r"\s*=\s*\[", code)
    text = _balanced(code, m.end() - 1) if m else None
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    return value if isinstance(value, list) else None


def _balanced(code: str, start: int, limit: int = 100_000) -> str | None:
    """The bracketed literal opening at ``code[start]`` ("[...]" over several lines, nested,
    brackets inside strings ignored), or None when it does not close within ``limit``."""
    depth, quote, i = 0, None, start
    end = min(len(code), start + limit)
    while i < end:
        ch = code[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return code[start:i + 1]
        i += 1
    return None


def _array_menu_links(code: str) -> list[tuple[str, str]]:
    """(raw URL, label) of a menu a script writes from an array: the field the loop puts in
    ``href=`` is a URL whatever it looks like ("2749" under /channel/, "col12/"), its
    item's Chinese string the label."""
    out = []
    for m in _HREF_FROM_ARRAY.finditer(code):
        items = _array_literal(code, m.group(1))
        field = int(m.group(2)) if m.group(2) is not None else (m.group(3) or m.group(4))
        for item in items or []:
            try:
                raw = item[field]
            except (KeyError, IndexError, TypeError):
                continue
            others = item.values() if isinstance(item, dict) else item
            label = next((normalize_title(v) for v in others if isinstance(v, str) and v != raw and _CJK.search(v)), "")
            if isinstance(raw, (str, int)) and not isinstance(raw, bool) and str(raw).strip() and label:
                out.append((str(raw).strip(), label))
    return out


# a literal followed by "+": the start of a URL built at run time, not a URL
_CONCAT_AFTER = re.compile(r"\s*\+")


def _nav_functions(root: lxml.html.HtmlElement) -> dict[str, tuple[str, str]]:
    """The page's functions that navigate to ``prefix + argument + suffix``:
    {name: (prefix, suffix)} (see _JS_NAV_FUNCTION)."""
    out: dict[str, tuple[str, str]] = {}
    for el in root.iter("script"):
        code = el.text or ""
        if "function" in code and ("location" in code or "window.open" in code):
            for m in _JS_NAV_FUNCTION.finditer(code):
                out.setdefault(m.group(1), (m.group(4), m.group(6) or ""))
    return out


def _called_urls(handler: str, functions: dict[str, tuple[str, str]]) -> list[str]:
    """The URL an onclick handler reaches through one of the page's navigating functions."""
    m = _JS_CALL.match(handler or "")
    if not m or m.group(1) not in functions:
        return []
    prefix, suffix = functions[m.group(1)]
    arg = m.group(2) if m.group(2) is not None else m.group(4)
    return [prefix + arg + suffix]


def _script_links(code: str) -> list[tuple[str, str, str]]:
    """(raw URL, label, style) written by a <script>: anchors in document.write/innerHTML
    strings, menus written from arrays (_array_menu_links), other menu items of JS
    arrays/objects (a URL-looking literal with the nearest Chinese literal beside it as its
    label) and redirects (window.location = "…")."""
    out: list[tuple[str, str, str]] = []
    raw_hrefs = set()
    for m in _JS_ANCHOR.finditer(code):
        # markup a script writes (document.write, innerHTML, a Hanweb <record> CDATA) is parsed
        # as HTML: "&amp;" in its href is "&" (kept, it asked for a page that does not exist)
        raw_hrefs.add(m.group(1))
        out.append((html.unescape(m.group(1)), normalize_title(html.unescape(_TAGS.sub("", m.group(2)))),
                    "script"))
    if "href" in code:
        out += [(raw, label, "script") for raw, label in _array_menu_links(code)
                if not _NOT_PAGE.search(raw) and not raw.lower().startswith(_SKIP_SCHEMES)]
    written = {u for u, _, _ in out} | raw_hrefs  # an anchor's href is not a string literal too
    for m in _JS_NAV.finditer(code):
        if "window.open" not in m.group(0) and not _CONCAT_AFTER.match(code, m.end()):
            out.append((m.group(2), "", "redirect"))
            written.add(m.group(2))
    literals = [(m.start(), m.end(), m.group(1) if m.group(1) is not None else m.group(2))
                for m in _JS_STRING.finditer(code)]
    for i, (start, end, value) in enumerate(literals):
        # a relative "col/col12/" is a URL only as a labelled menu item (the label is required below)
        if value in written or not (_page_url_like(value) or _relative_ref_like(value)) or "<" in value:
            continue
        label, best = "", 120
        for j in (i - 3, i - 2, i - 1, i + 1, i + 2, i + 3):
            if 0 <= j < len(literals) and _CJK.search(literals[j][2]) and "<" not in literals[j][2] \
                    and not _page_url_like(literals[j][2]):
                gap = start - literals[j][1] if j < i else literals[j][0] - end
                if gap < best:
                    label, best = normalize_title(literals[j][2]), gap
        if label:
            out.append((value, label, "script"))
    return out


def extract_links(root: lxml.html.HtmlElement, base_url: str, *, with_dates: bool = True) -> list[Link]:
    """All followable http(s) links of a page, absolute, with their titles, list dates and
    the way each was written (Link.style): ``<a>``/``<area>`` (a), ``<option value=URL>``
    jump menus (option), ``onclick`` handlers and ``javascript:`` hrefs (onclick), links written
    by ``<script>`` (script), ``<iframe>``/``<frame>`` (frame), meta refresh (refresh) and JS
    redirects (redirect); ``<base href>`` is honoured.

    Skips mailto:/data:/file: links, images and scripts, and links to IP literals in private or
    loopback ranges (a public portal has no business linking there).
    """
    base = root.base_url or base_url
    for b in root.iterfind(".//base[@href]"):
        base = urljoin(base_url, b.get("href"))
        break
    links: list[Link] = []
    seen: set[str] = set()
    functions: dict[str, tuple[str, str]] | None = None

    def handler_urls(handler: str) -> list[str]:
        """URLs an onclick handler navigates to: written in it, or through a page function."""
        nonlocal functions
        urls = _js_urls(handler)
        if urls or not handler:
            return urls
        if functions is None:  # read the page's scripts once, and only for a handler that calls
            functions = _nav_functions(root)
        return _called_urls(handler, functions)

    def add(raw: str, text: str, style: str, el=None, section: str | None = None) -> None:
        raw = (raw or "").strip()
        if not raw or raw.startswith("#") or raw[:12].lower().startswith(_SKIP_SCHEMES):
            return
        try:
            url = canonical_url(urljoin(base, raw))
        except ValueError:
            return
        if url is None or url in seen:
            return
        seen.add(url)
        if section is None and el is not None and (len(text) <= 20 and _BODY_NAME.search(text) or MORE_WORDS.match(text)):
            # Only body names and 更多 links need their box heading: a cheap test first keeps
            # this off hot paths.
            section = _section_title(el)
        date = _row_date(el) if with_dates and el is not None and style == "a" else None
        links.append(Link(url, text, date, section, style))

    for el in root.iter("a", "area", "option", "iframe", "frame", "meta", "script"):
        tag = el.tag
        if tag in ("a", "area"):
            href = (el.get("href") or "").strip()
            if href[:11].lower() == "javascript:":
                for raw in handler_urls(href[11:]) + handler_urls(el.get("onclick") or ""):
                    add(raw, _link_text(el), "onclick", el)
            elif href:
                add(href, _link_text(el), "a", el)
            elif el.get("onclick"):
                for raw in handler_urls(el.get("onclick")):
                    add(raw, _link_text(el), "onclick", el)
        elif tag == "option":
            value = el.get("value") or ""
            select = el.getparent()
            while select is not None and select.tag != "select":
                select = select.getparent()
            if _option_is_link(value, select):
                heading = None
                if select is not None:
                    first = select.find("option")
                    heading = normalize_title(first.text_content()) if first is not None and not _option_is_link(first.get("value") or "", select) else None
                    heading = heading or _section_title(select)
                add(value, normalize_title(el.text_content()), "option", None, heading)
        elif tag in ("iframe", "frame"):
            add(el.get("src") or "", normalize_title(el.get("title") or ""), "frame")
        elif tag == "meta":
            if (el.get("http-equiv") or "").lower() == "refresh":
                target = meta_refresh_url(el.get("content"))
                if target:
                    add(target, "", "refresh")
        elif tag == "script":
            code = el.text or ""
            if code and el.get("src") is None:
                for raw, label, style in _script_links(code):
                    add(raw, label, style, el if style == "script" else None)
    for el in root.xpath("//*[@onclick][not(self::a or self::area)]"):  # <li onclick="location.href='…'">
        for raw in handler_urls(el.get("onclick")):
            add(raw, _link_text(el), "onclick", el)
    return links


def _section_title(a: lxml.html.HtmlElement) -> str | None:
    """The short heading just before the list a link sits in (e.g. <div class="box-title">)."""
    node = a
    for _ in range(4):
        parent = node.getparent()
        if parent is None:
            return None
        sib, looked = node.getprevious(), 0
        while sib is not None and looked < 2:
            if sib.tag == node.tag:  # an earlier item of the same list, not its heading
                break
            if isinstance(sib.tag, str) and sib.tag not in ("script", "style"):
                text = normalize_title(sib.text_content())
                if 0 < len(text) <= 24:
                    return text
                if text:
                    break
            sib, looked = sib.getprevious(), looked + 1
        node = parent
    return None


# Article URLs of the common platforms: an article is never a column, whatever folder it is in.
_ARTICLE_URL = re.compile(r"/t\d{8}_\d+|/art/\d{4}/|/art_\d+_\d+|/[0-9a-f]{32}\.s?html?$|"
                          r"content_\d+|/\d{6,}\.s?html?$|[?&](?:articleid|infoid)=\d|"
                          r"(?:show|detail|view|content|article|info)\w*\.\w+\?(?:.*&)?id=\d", re.I)
# "更多>>" and friends: a box's way to its whole list, named by the box heading.
MORE_WORDS = re.compile(r"^(?:更多|more|查看更多|更多内容|>>|»|更多>>|更多\+|more\+|\+)?$", re.I)


def column_score(link: Link) -> int:
    """How strongly a link looks like a way to the 年报 column (higher is better).

    Column names are short (a body name plus 政府信息公开年报 at most); longer anchors and
    article URLs are articles, never columns.
    """
    text = link.text
    if MORE_WORDS.match(text) and link.section:
        text = link.section   # "更多>>" of a box headed 政府信息公开年报
    if len(text) > 32 or _ARTICLE_URL.search(link.url):
        return 0
    score = 0
    for pattern, weight in _TEXT_CUES:
        if pattern.search(text):
            score += weight
    if link.section and _UNIT_SECTION.search(link.section):
        score += UNIT_SECTION_BONUS
    path = urlsplit(link.url)
    target = path.path + "?" + path.query + " " + (path.hostname or "")
    for pattern, weight in _URL_CUES:
        if pattern.search(target):
            score += weight
    return score


# -- the best-first walk (issue 14): priorities carried by Scrapy's request priority ----------
# Lists, reports and attachments go before any navigation page, so a list is walked before the
# walk decides whether to look further.
CONTENT_PRIORITY = 100
# Navigation priorities: a column score minus the depth; a link that is no column (news,
# services, articles) still gets one, below every column: last, not never.
WEAK_FLOOR = -40
SIBLING_BONUS = 6
# Once reports were found, kept candidates whose cues reach this (政务公开, 阳光政务 … with an
# opaque URL) are still asked for: a portal's own list may sit behind one while a
# department's was found first. Below it, the walk stops.
PROMISING = 5
WAVE_MARGIN = 3


_GUIDE = re.compile(r"公开指南")
# Calendar widgets and other endless spaces: a date in the query, a calendar by name, a bare
# day number. Never a way to a 年报 column, however long the walk.
_TRAP = re.compile(r"日历|calendar|[?&][\w.]*=\d{4}-\d{1,2}(?:-\d{1,2})?(?:&|$)", re.I)


def is_trap(link: Link) -> bool:
    """A navigation link the walk never follows (calendars, day numbers)."""
    return bool(_TRAP.search(link.url) or _TRAP.search(link.text) or link.text.isdigit())


def link_priority(link: Link, depth: int, parent_priority: int | None = None) -> int:
    """The Scrapy priority of a navigation link met at ``depth`` (home = 0).

    Cues: anchor text, URL, the box heading (``column_score``), depth (deeper is a little
    worse). A frame, meta refresh or JS redirect is the content of the page that holds it: it
    inherits that page's priority. Article-looking or long-titled links get WEAK_FLOOR.
    """
    if link.style in WRAPPER_STYLES and parent_priority is not None:
        return parent_priority
    if len(link.text) > 32 or _ARTICLE_URL.search(link.url):
        return WEAK_FLOOR - depth   # an article, not a column
    score = column_score(link)
    if link.date and score < COLUMN_THRESHOLD:
        return WEAK_FLOOR - depth   # a dated list entry (a box's 更多 link sits beside dates too)
    if _GUIDE.search(link.text):
        # a 公开指南 names the 年报 column in its text: above news, and asked even after
        # reports were found elsewhere (PROMISING), below the columns themselves
        score = max(score, PROMISING)
    if not link.text:
        score -= 2  # an icon with no name: nothing says where it goes
    return max(WEAK_FLOOR + 1, score - depth)


def is_strong(priority: int, depth: int) -> bool:
    """A candidate followed at once: its cues alone reach COLUMN_THRESHOLD (depth aside)."""
    return priority + depth >= COLUMN_THRESHOLD


def names_report_column(link: Link) -> bool:
    """The link names the 年报 column itself (its text says 年报/年度报告, or its URL xxgknb,
    ndbg …), as opposed to a way towards one. Such a link is the walk's goal, not navigation:
    it is asked for outside the navigation budget (a portal of 30 departments has 30 of them
    behind 30 department pages, and which of them got the last budget slots depended on the
    order the department pages answered in)."""
    if len(link.text) > 32 or _ARTICLE_URL.search(link.url) or link.date:
        return False
    if _NB_TEXT.search(link.text):
        return True
    path = urlsplit(link.url)
    return bool(_NB_URL.search(path.path + "?" + path.query)) and column_score(link) >= COLUMN_THRESHOLD


@dataclass(order=True)
class Candidate:
    """A navigation link kept for later: the walk asks for it only if the portal's strong
    leads found no report (in priority order, NAV_WAVE at a time)."""

    sort_key: tuple
    url: str = field(compare=False)
    text: str = field(compare=False)
    referer: str = field(compare=False)
    priority: int = field(compare=False)
    payload: object = field(compare=False, default=None)   # what the spider builds its request from
    depth: int = field(compare=False, default=0)
    section: str | None = field(compare=False, default=None)   # box heading of a body-name link


def boosted(c: Candidate, fruitful: set[str], home: str) -> int:
    """A candidate's priority once the crawl has learnt which pages led to reports: siblings
    of a fruitful column — body names in a box (departments, townships) on a linking page
    whose other entries led to reports, not the home page — are raised."""
    sibling = c.section is not None and c.referer in fruitful and c.referer != home
    return c.priority + (SIBLING_BONUS if sibling else 0)


def worth_keeping(c: Candidate, found: bool) -> bool:
    """Whether a candidate can still be released: before reports are found any can (and the
    best ones name the portal's status reason); after, only those that reach PROMISING or may
    yet be raised as siblings of a fruitful column (a body name in a box). The others are
    dropped instead of being held until the crawl ends."""
    return not found or c.section is not None or c.priority + c.depth >= PROMISING


def next_wave(candidates: list[Candidate], fruitful: set[str], home: str, *, found: bool,
              budget_left: int, wave: int) -> tuple[list[Candidate], list[Candidate]]:
    """Which kept candidates to ask for now that the portal's queue has run dry: none once
    reports were found (except those whose cues, raised for siblings of a fruitful column,
    reach PROMISING), else the best ``wave``
    within the budget. Returns (released, kept)."""
    ranked = sorted(candidates, key=lambda c: (-boosted(c, fruitful, home), c.sort_key))
    if found:
        released = [c for c in ranked if boosted(c, fruitful, home) + c.depth >= PROMISING][:max(budget_left, 0)]
    else:
        # one tier at a time: a wave never mixes a 政务公开 with the news columns beside it
        top = boosted(ranked[0], fruitful, home) if ranked else 0
        released = [c for c in ranked[:max(0, min(wave, budget_left))] if boosted(c, fruitful, home) >= top - WAVE_MARGIN]
    ids = {id(c) for c in released}
    return released, [c for c in ranked if id(c) not in ids and worth_keeping(c, found)]


def walk_status(found: bool, budget_spent: bool, pages: int, unexplored: list[Candidate]) -> tuple[str, str | None]:
    """A reachable portal's status and reason: `ok` only with reports found; otherwise
    `budget_exhausted` (the navigation budget ran out first) or `no_reports`, with the pages
    walked and the best unexplored candidates."""
    if found:
        return "ok", None
    best = "; ".join(f"{c.text or '(no text)'} {c.url}" for c in sorted(unexplored)[:3])
    reason = f"no report found after {pages} pages" + (f"; best unexplored: {best}" if best else "; nothing left to explore")
    return ("budget_exhausted" if budget_spent else "no_reports"), reason


# What the URL of a list's page N looks like. A bare number as link text counts as a pager only
# with such a URL: calendar widgets ("1" … "31" → ?date=…) are traps, not pagers.
_PAGE_URL = re.compile(r"(?:^|/)[\w-]*?_\d+\.s?html?$|[?&](?:page|pageno|pageindex|pagenum|p|pn|curpage|"
                       r"currentpage|start|startrecord|offset)=\d+|/page/\d+", re.I)


def is_pager_link(link: Link, page_url: str) -> bool:
    """A link to another page of the same list ("下一页", "3", "尾页" in the same folder)."""
    text = link.text or ""
    if not PAGER_WORDS.match(text):
        return False
    here, there = urlsplit(page_url), urlsplit(link.url)
    if here.netloc != there.netloc or there.path.rsplit("/", 1)[0] != here.path.rsplit("/", 1)[0]:
        return False
    if DATE_RE.search(link.url):  # a date in the URL is a calendar, whatever the link says
        return False
    # Numbers must point at page URLs; words (下一页, 尾页) may point at any page of the list.
    target = there.path + ("?" + there.query if there.query else "")
    return bool(_PAGE_URL.search(target)) or not text.isdigit()


def registrable_domain(host: str) -> str:
    """The site's own domain: www.xiangyang.gov.cn -> xiangyang.gov.cn (gov.cn aware)."""
    host = (host or "").lower().strip(".")
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in ("gov", "com", "org", "net", "edu") and labels[-1] == "cn":
        return ".".join(labels[-3:])
    return ".".join(labels[-2:]) if len(labels) >= 2 else host


@dataclass
class Scope:
    """Which hosts belong to one portal: its host, its subdomains, and hosts its 信息公开
    links lead to (added while crawling)."""

    domains: set[str]
    hosts: set[str] = field(default_factory=set)   # single hosts of other domains (a city's 信息公开 platform)

    @classmethod
    def for_home(cls, home_url: str) -> "Scope":
        return cls({registrable_domain(urlsplit(home_url).hostname or "")})

    def allows(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host in self.hosts or any(host == d or host.endswith("." + d) for d in self.domains)

    def add(self, url: str) -> None:
        self.domains.add(registrable_domain(urlsplit(url).hostname or ""))

    def add_host(self, url: str) -> None:
        """Admit one host of another domain, not its siblings: a city platform shared by its
        counties is in scope, the city's own portal is not."""
        self.hosts.add((urlsplit(url).hostname or "").lower())


def admits_platform(link: Link) -> bool:
    """A link out of the portal's domain that leads to its 信息公开 platform: a government
    host, reached through a frame/redirect of an in-scope page or named as 信息公开/政务公开
    (anchor or host name such as xxgk.*). Other sites stay out."""
    if not is_government_host(link.url):
        return False
    if link.style in WRAPPER_STYLES or _PLATFORM_HOST.match(urlsplit(link.url).hostname or ""):
        return True
    # the anchor's own cues, not its box heading: a directory of the province's cities and
    # counties lists other portals, not this portal's platform
    return column_score(Link(link.url, link.text)) >= 5 and not _ARTICLE_URL.search(link.url)


_PLATFORM_HOST = re.compile(r"(?:xxgk|zwgk|zfxxgk|gk|govinfo|gkml|xxgkml)\.", re.I)


def is_government_host(url: str) -> bool:
    """Official portals live under .gov.cn; mirrors and spam sites do not."""
    host = (urlsplit(url).hostname or "").lower()
    return host.endswith(".gov.cn")


@dataclass(frozen=True)
class PageLinks:
    """What one list or column page offers the crawler."""

    reports: list[Link]      # links whose title names a disclosure report
    columns: list[Link]      # links that look like ways to 年报 columns (score >= COLUMN_THRESHOLD)
    pagers: list[Link]       # other pages of this list
    others: list[Link] = field(default_factory=list)  # every other page link: weak candidates, last


def classify_links(links: list[Link], page_url: str) -> PageLinks:
    """Sort a page's links into reports, columns to explore and pager links."""
    reports, columns, pagers, others = [], [], [], []
    for link in links:
        if classify_title(link.text) is not None:
            reports.append(link)
        elif is_pager_link(link, page_url):
            pagers.append(link)
        elif is_document_url(link.url):
            continue
        elif link.style in WRAPPER_STYLES or column_score(link) >= COLUMN_THRESHOLD:
            columns.append(link)
        else:
            others.append(link)
    return PageLinks(reports, columns, pagers, others)


# Substrings one of which a link to a document file has (its dot may be escaped), tested on
# the page's href values only: raw bytes lowered (ASCII-only, fast) and one regex with a
# literal prefix; a case-insensitive regex over a 100 KB Chinese page costs ~0.4 ms.
_DOCUMENT_HINTS = tuple(h.encode() for h in ATTACHMENT_EXTENSIONS + (
    "&#46;", "&#046;", "&#x2e;", "&#x02e;", "&period;"))
_HREF_VALUE_RE = re.compile(rb"href\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)")


# An anchor text that ends with a file extension ("年报.pdf</a>"): is_attachment_href's text rule.
_ANCHOR_EXT_RE = re.compile(rb"\.(?:" + b"|".join(e[1:].encode() for e in ATTACHMENT_EXTENSIONS) + rb")\s*</a", re.I)


def may_link_documents(body: bytes) -> bool:
    """False when a page cannot link a document file: no href value with `.pdf`/`.doc`/…
    (nor an escaped dot) and no anchor text ending in one (attachment_links' rule). Lets a
    crawl skip parsing report pages that have no attachment. Any ASCII-compatible encoding
    (UTF-8, GBK…); a UTF-16 page (NUL bytes) is always True."""
    low = body.lower()
    if b"\x00" in low:
        return True
    hrefs = b" ".join(_HREF_VALUE_RE.findall(low))
    return any(hint in hrefs for hint in _DOCUMENT_HINTS) or bool(_ANCHOR_EXT_RE.search(low))


def attachment_links(root: lxml.html.HtmlElement, base_url: str) -> list[Link]:
    """Links to document files (PDF/DOC/DOCX/WPS…) on a report page, by the one rule extraction
    uses too (archive.reports.urls.is_attachment_href): the extension in the URL, query
    included (download.jsp?filename=a.pdf), or at the end of the anchor text."""
    return [link for link in extract_links(root, base_url, with_dates=False) if is_attachment_href(link.url, link.text)]
