"""Page furniture: what a government portal wraps around a report, and how to recognise it.

Three kinds of evidence, used by archive/extract/html.py:
- hidden markup (``display:none``, ``visibility:hidden``, the ``hidden`` attribute, off-screen
  or zero-size boxes, and class/id rules of the page's own ``<style>`` blocks that hide):
  injected spam lives there, and a browser shows none of it;
- class/id tokens of chrome blocks (navigation, breadcrumb, share, print, footer, related
  headlines, QR codes, the jiucuo error-report widget);
- whole lines that are chrome whatever the markup: 打印本页/关闭窗口, 字体[大 中 小],
  发布时间…浏览次数, 分享到, 扫一扫, breadcrumbs, footers (主办/承办/网站标识码/ICP备/
  公网安备), "您访问的链接即将离开…是否继续？", "您的浏览器版本太低！".
"""
from __future__ import annotations

import functools
import re

__all__ = ["is_hidden_style", "hidden_selectors", "CHROME_TOKEN_RE", "TAIL_TOKEN_RE", "TAIL_MAX", "RELATED_TOKEN_RE", "CONSENT_TOKEN_RE", "CONSENT_LOOSE_TOKEN_RE", "CONSENT_WORDS_RE", "is_chrome_line",
           "INFO_BAR_RE", "is_info_bar", "DIALOG_RE"]

_OFFSCREEN_RE = re.compile(
    r"(?:^|[;\s])(?:left|top|text-indent|margin-left|margin-top)\s*:\s*-\s*(\d+)(?:\.\d+)?\s*"
    r"(px|pt|em|rem|cm|mm|in|%)?", re.I)
_HIDDEN_STYLE_RE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|visibility\s*:\s*collapse"
    r"|(?:^|[;\s])font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:!important\s*)?(?:;|$)"
    r"|(?:^|[;\s])opacity\s*:\s*0(?:\.0+)?\s*(?:!important\s*)?(?:;|$)",
    re.I)
_ZERO_BOX_RE = re.compile(r"(?:^|[;\s])(?:height|width)\s*:\s*0(?:px)?\s*(?:!important\s*)?(?:;|$)",
                          re.I)
_OVERFLOW_HIDDEN_RE = re.compile(r"overflow\s*:\s*hidden", re.I)
_TRANSFORM_RE = re.compile(r"(?:^|[;\s])(?:-webkit-)?transform\s*:", re.I)


_QUICK_RE = re.compile(r"none|hidden|collapse|:\s*-|:\s*0|opacity", re.I)


@functools.lru_cache(maxsize=4096)
def is_hidden_style(style: str) -> bool:
    """Does an inline style hide its element? (Cached: Word-pasted pages repeat a handful of
    style strings on thousands of spans.)"""
    if not _QUICK_RE.search(style):
        return False
    found = _HIDDEN_STYLE_RE.findall(style)
    # opacity:0 beside a transform is where a scroll-in animation starts (Webflow
    # interactions, GSAP): the block is shown once the reader scrolls to it
    if found and not (_TRANSFORM_RE.search(style) and all(
            f.lstrip("; \t").lower().startswith("opacity") for f in found)):
        return True
    for m in _OFFSCREEN_RE.finditer(style):
        # pushed off screen (left:-9999px); a Word hanging indent (-21pt) is not
        value, unit = int(m.group(1)), (m.group(2) or "px").lower()
        limit = {"px": 500, "pt": 400, "em": 40, "rem": 40, "cm": 15, "mm": 150, "in": 6,
                 "%": 100}[unit]
        if value >= limit:
            return True
    return bool(_ZERO_BOX_RE.search(style) and _OVERFLOW_HIDDEN_RE.search(style))


_CSS_RULE_RE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR_RE = re.compile(r"^(?:[a-zA-Z][\w-]*)?([.#])([\w-]+)$")


def hidden_selectors(css: str) -> tuple[frozenset[str], frozenset[str]]:
    """Classes and ids that a page's own CSS hides (simple selectors only: ``.x``, ``#y``,
    ``div.x``). Returns (classes, ids). Cached: a portal's pages share their stylesheet."""
    return _hidden_selectors(css) if len(css) < 20000 else _hidden_selectors.__wrapped__(css)


@functools.lru_cache(maxsize=256)
def _hidden_selectors(css: str) -> tuple[frozenset[str], frozenset[str]]:
    # the cascade, for simple selectors: per property, a later declaration beats an earlier one
    # (in one block or a later rule), an !important one beats a plain one. scmp.com writes
    # ``.x{position:relative;display:none;display:block}``: shown, and the article is in it.
    display: dict[tuple[str, str], tuple[bool, bool]] = {}     # selector -> (important, hides)
    visibility: dict[tuple[str, str], tuple[bool, bool]] = {}
    zeroed: set[tuple[str, str]] = set()  # font-size:0 / opacity:0: hidden whatever follows
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for m in _CSS_RULE_RE.finditer(css):
        decls = m.group(2)
        low = decls.lower()  # property names are case-insensitive (old pages write DISPLAY)
        if not _QUICK_RE.search(decls) and "display" not in low and "visib" not in low:
            continue
        said = _said(decls)
        zero = bool(_ZEROED_RE.search(decls))
        if not said and not zero:
            continue
        for sel in m.group(1).split(","):
            sm = _SIMPLE_SELECTOR_RE.match(sel.strip())
            if not sm:
                continue
            key = (sm.group(1), sm.group(2))
            if zero:
                zeroed.add(key)
            for prop, (important, hides) in said.items():
                seen = display if prop == "display" else visibility
                if important or not seen.get(key, (False, False))[0]:
                    seen[key] = (important, hides)
    hidden = zeroed | {k for k, (_, h) in display.items() if h} | {
        k for k, (_, h) in visibility.items() if h}
    return (frozenset(n for kind, n in hidden if kind == "."),
            frozenset(n for kind, n in hidden if kind == "#"))


_DISPLAY_DECL_RE = re.compile(r"(?:^|[;\s{])(display|visibility)\s*:\s*([\w-]+)\s*(!\s*important)?",
                              re.I)
_ZEROED_RE = re.compile(
    r"(?:^|[;\s])(?:font-size|opacity)\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:!important\s*)?"
    r"(?:;|$)", re.I)


def _said(decls: str) -> dict[str, tuple[bool, bool]]:
    """What a declaration block says of ``display`` and ``visibility``: for each it sets,
    (important, hides), the last declaration winning unless an earlier one is !important."""
    out: dict[str, tuple[bool, bool]] = {}
    for m in _DISPLAY_DECL_RE.finditer(decls):
        prop, value, important = m.group(1).lower(), m.group(2).lower(), bool(m.group(3))
        hides = value == "none" if prop == "display" else value in ("hidden", "collapse")
        if important or not out.get(prop, (False, False))[0]:
            out[prop] = (important, hides)
    return out


# class/id tokens of portal chrome. Matched against whole tokens split on -_ and camelCase.
CHROME_TOKEN_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|submenu|breadcrumbs?|crumbs?|bread|position|"
    r"location|weizhi|dqwz|share|bdshare|fenxiang|print|printer|dayin|close|guanbi|footer|foot|"
    r"bottom|copyright|banquan|header|topbar|sidebar|side|aside|related|xgxw|xglj|xgwz|"
    r"relation|reldocuments|qrcode|ewm|erweima|jiucuo|toolbar|tools|fontsize|fontzoom-tool|"
    r"zoomtool|comment|comments|pinglun|advert|ads|banner|popup|modal|dialog|tip-box|"
    r"skip|login|search|hotnews|rdxw|rmxw|latest|newslist|pagination|pager|page-box|"
    r"next|prev|prevnext|sxp|article-attr|article-infos|info-bar|infobar|bar-info|"
    r"article-btn|article-extended|article-ewm|pagebar|gotop|backtop|"
    # WordPress/Jetpack and Shariff widgets under one-word names: share and like buttons,
    # the "Related posts" box a script fills in (only its heading is in a capture)
    r"sharedaddy|shariff|relatedposts|yarpp|likes-widget)(?:$|[\s_-])",
    re.I)

# class/id tokens of the furniture that follows an article: the author's bio box, a newsletter
# or sign-up box, social buttons, the tag list. Unlike other chrome they hold prose (a bio, a
# pitch), so they are dropped as long as they are short (TAIL_MAX characters).
TAIL_TOKEN_RE = re.compile(
    r"(?:^|[\s_-])(?:author-?bio|about-?(?:the-)?author|author-?(?:box|info|card|profile|details|"
    r"block|wrap|wrapper|section|description)|bio-?box|newsletter|subscribe|subscription|signup|"
    r"sign-up|social|socials|syndication|tags|tag-?list|tag-?cloud|post-?tags|entry-?tags)"
    r"(?:$|[\s_-])",
    re.I)
TAIL_MAX = 1500

# class/id tokens of a related-content box ("related_posts", "news-related", Spanish
# "lee-tambien"): dropped under the same limits as the tail blocks when it is teaser cards
# (links), since an article's own sections are sometimes named so too
RELATED_TOKEN_RE = re.compile(r"(?:^|[\s_-])(?:related|lee-tambien)(?:$|[\s_-])", re.I)

# class/id tokens of a disclosure widget or a scroll animation: content a stylesheet hides until
# the reader opens it (accordion, tab, "read more", FAQ answer) or scrolls to it (fadeInUp,
# AOS, WOW). A reader sees it; hidden spam is a list of links, which these rules never keep.
DISCLOSURE_TOKEN_RE = re.compile(
    r"(?:^|[\s_-])(?:accordions?|accordian|collapse|collapsible|collapsed|tabs?|tabpanel|pane|"
    r"toggle|toggled|expand|expandable|expanded|faqs?|answer|spoiler|reveal|readmore|"
    r"more-text|fade|fadein|animate|animated|animation|aos|wow)(?:$|[\s_-])", re.I)


def is_disclosure_name(name: str) -> bool:
    """A class or id that names a disclosure widget or a scroll animation
    (DISCLOSURE_TOKEN_RE), split on -, _ and camelCase."""
    return bool(DISCLOSURE_TOKEN_RE.search(decamel(name)))


# class/id tokens of a cookie or privacy consent dialog (OneTrust, cookieconsent, GDPR
# banners). A captured page keeps the dialog's markup, and its long legal prose outweighed
# short articles in the density choice; unlike other chrome it is dropped whatever its size.
CONSENT_TOKEN_RE = re.compile(
    r"(?:^|\s)(?:onetrust-(?:consent|banner|pc)-sdk|cookies?|cookie[-_]?(?:notice|banner|consent|"
    r"bar|popup|law|wall|box|modal|dialog|overlay|settings|info|message|container)|"
    r"(?:cookie|gdpr|privacy)[-_]?consent\w*|consent[-_]?(?:banner|bar|box|modal|dialog|overlay|"
    r"popup|notice|wall|layer|container|manager|form)|gdpr(?:[-_]\w+)?|cc-window|cc-banner|"
    r"qc-cmp2?-\w+|sp_message_container\w*|truste-consent\w*|"
    r"widget_eu_cookie_law_widget|eu-cookie-law)(?:$|\s)", re.I)

# the same dialogs under other vendors' names (Complianz ``cmplz-cookiebanner``, CookieYes
# ``cookie-law-info-bar``, Moove ``moove_gdpr_cookie_modal``, ``wt-cli-cookie-bar-container``,
# ``spicy-consent-wrapper``): a class or id word that names cookies, GDPR or consent. Looser
# than CONSENT_TOKEN_RE, so the caller also asks that the block speak of cookies and hold
# under half of the text chosen (an unclosed tag in a banner can swallow the article).
CONSENT_LOOSE_TOKEN_RE = re.compile(r"(?:^|\s)[\w-]*(?:cookie|gdpr|cmplz|consent)[\w-]*(?:$|\s)", re.I)
CONSENT_WORDS_RE = re.compile(r"cookie|consent|gdpr|privacy|datenschutz", re.I)

_CHROME_LINE_RES = [re.compile(p) for p in (
    # print / close / back / favourite / font size buttons, alone or in a row
    r"^(?:[【\[（(]?\s*(?:打印本页|打印此页|打印正文|打印文章|打印|关闭窗口|关闭本页|关闭|返回顶部|"
    r"返回首页|返回列表|返回|收藏本页|加入收藏|收藏|保存本页|我要纠错|纠错|分享|下载文章|"
    r"文章下载|内容下载|正常|放大|缩小|默认|字体放大|字体缩小|字体复位|小|中|大|上一篇|下一篇)"
    r"\s*[】\]）)]?\s*[|｜/]?\s*)+$",
    r"^字\s*[体号][:：]?\s*[\[【（(]?\s*(?:大\s*中\s*小|小\s*中\s*大|大|中|小|放大|缩小|默认|正常|\s)*"
    r"[\]】）)]?\s*$",
    r"^分享到.{0,40}$",
    r"^分享\s*(?:[:：].{0,40}|(?:微信|微博|QQ|朋友圈|空间|新浪微博|腾讯微博|\s)*)$",
    r"^(?:【|\[)?\s*(?:扫一扫|微信扫一扫|手机扫一扫|用手机扫描|扫描二维码|手机扫描)\s*"
    r"(?:在手机|用手机|手机|关注|打开|分享|二维码|阅读|浏览|查看|本页|当前页|$).{0,30}$",
    r"^(?:当前位置|您现在的位置|您当前的位置|您的位置|你的位置|你现在的位置|您所在的位置|所在位置|"
    r"现在位置|当前栏目)\s*[:：].{0,200}$",
    r"^.{0,30}(?:主办单位|承办单位|主办|承办|协办|技术支持|维护单位|运维单位)\s*[:：].{0,120}$",
    r"^.{0,80}(?:网站标识码|ICP\s*备|ICP\s*证|公网安备|网安备|版权所有|Copyright|©).{0,120}$",
    r"^(?:您访问的链接即将离开|您即将离开|即将离开).{0,80}$",
    r"^.{0,20}是否继续[?？]?\s*$",
    r"^(?:继续访问|放弃|取消|确定|继续)(?:\s*(?:继续访问|放弃|取消|确定|继续))*$",
    r"^.{0,10}(?:您的浏览器版本太低|浏览器版本过低|您的浏览器版本过低).{0,40}$",
    r"^.{0,10}(?:为了更好的浏览体验|建议(?:您)?升级.{0,10}浏览器|推荐使用.{0,20}浏览器).{0,60}$",
    r"^(?:相关(?:新闻|链接|文章|阅读|稿件)|热点新闻|最新(?:动态|文章)|"
    r"推荐阅读|热门(?:文章|新闻)|延伸阅读|关联稿件)\s*[:：]?$",
    r"^(?:[【\[]\s*(?:纠错|我要纠错|打印|关闭)\s*[】\]]\s*)*(?:责任编辑|编辑|审核|校对|初审|复审|终审)"
    r"\s*[:：].{0,30}$",
    r"^(?:微博|微信|QQ|Qzone|QQ空间|朋友圈|人人网|豆瓣|\+1|赞|点赞|评论|新闻评论|我要评论|网友评论|"
    r"图集|加载更多|查看更多|更多|关注我们|[【\[]\s*纠错\s*[】\]])$",
    r"^(?:浏览次数|访问量|点击数|阅读次数|阅读量|浏览量)\s*[:：].{0,20}$",
    r"^(?:上一篇|下一篇|上一条|下一条)\s*[:：].{0,120}$",
)]
_BREADCRUMB_SEP_RE = re.compile(r"\s*(?:>>|>|»|›|＞|→|/)\s*")
DIALOG_RE = re.compile(r"您访问的链接即将离开|您的浏览器版本太低")

# 发布时间 …浏览次数… 字体 … (the info bar under a title)
INFO_BAR_RE = re.compile(
    r"(?:发布时间|发布日期|发表时间|日期|时间|来源于?|信息来源|文章来源|稿件来源|稿源|作者|浏览次数|访问量|点击数|"
    r"阅读次数|浏览量|字体|字号)\s*[:：]")
_INFO_TOKENS_RE = re.compile(
    r"(?:浏览次数|访问量|访问次数|点击数|点击量|点击率|阅读次数|阅读数|浏览量|阅读量|字\s*[体号]|来源于?|稿源|"
    r"作者|发布时间|发布日期|信息来源|文章来源|责任编辑)\s*[:：]"
    r"|[【\[]\s*(?:打印|关闭|打印本页|关闭窗口|收藏|加入收藏|我要纠错)\s*[】\]]|分享到")


def is_info_bar(line: str) -> bool:
    """The 发布时间/浏览次数/字体 line under a title (short, two or more such fields)."""
    if len(line) > 160:
        return False
    starts = INFO_BAR_RE.match(line.strip())
    tokens = _INFO_TOKENS_RE.findall(line)
    n = len(tokens)
    if n == 1 and starts and tokens[0].startswith(("来源", "稿源", "作者", "责任编辑")):
        return len(line) <= 25  # "来源：新华网" alone; a longer line may be a report's note
    return bool((starts and n >= 1 and len(line) <= 120) or n >= 2)


def is_chrome_line(line: str, link_ratio: float = 0.0) -> bool:
    """A line of portal chrome, whatever the markup around it."""
    s = line.strip()
    if not s:
        return True
    if len(s) > 260:
        return False
    for rx in _CHROME_LINE_RES:
        if rx.match(s):
            return True
    if is_info_bar(s):
        return True
    # a breadcrumb: 首页 > 政务公开 > 年报, mostly links
    parts = _BREADCRUMB_SEP_RE.split(s)
    if len(parts) >= 3 and all(0 < len(p) <= 14 for p in parts) and (
            link_ratio >= 0.5 or parts[0] in ("首页", "网站首页", "主页")):
        return True
    return False


_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")


def decamel(s: str) -> str:
    """``mainContent`` → ``main-Content``: class and id names read word by word."""
    return _CAMEL_RE.sub("-", s)
