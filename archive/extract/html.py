"""HTML report pages → clean text, tables, metadata, attachment links.

One lxml parse, then:
1. drop what a browser would not show (scripts, styles, hidden markup: see furniture.py);
2. read and drop metadata blocks (索引号/发布机构/成文日期…, see page_metadata.py) and the
   发布时间/浏览次数/字体 info bar;
3. find the report body: Hanweb ``<!--<$[信息内容]>begin-->`` markers, then known platform
   containers (``.TRS_Editor``, ``.Custom_UnionStyle``, ``ucapcontent``/``#zoomcon``,
   ``#zoom``, ``.article-content`` …), else a text-density choice over the page with chrome
   blocks removed;
4. render it (html_text.py): blocks → lines, Word-pasted runs joined without loss, tables →
   one line per row on a resolved grid;
5. drop chrome lines and headline lists, put the title line first.

Length: the four steps above share one parsed tree and the per-page state of the body search;
the reusable parts already live beside it (html_text, page_metadata, furniture, encoding,
tables).
"""
from __future__ import annotations

import copy
import re
from urllib.parse import urljoin

from lxml import etree

from archive.reports.urls import meta_refresh_url

from . import fallback, furniture
from .html_text import BLOCK_TAGS, Line, is_attachment_href, render, text_content
from .page_metadata import SEED_RE, elements_with_text, find_metadata_blocks, normalise_date, within

__all__ = ["extract_html_text", "HtmlResult"]

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "select",
              "option", "button", "textarea", "input", "svg", "canvas", "map", "audio", "video",
              "head", "title", "meta", "link", "applet", "frame", "frameset", "dialog")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# C0 controls other than tab/newline/return: a browser shows them as space; lxml parses them
# but refuses them when our code sets a node's text (the whole page failed: ValueError)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WS_RE = re.compile(r"\s+")

# known report containers, best first: (name, xpath, strings one of which the page source must
# contain for the xpath to match, or () to always try). A whole-tree XPath costs ~0.5 ms on a
# Word-pasted page, a substring test ~30 µs (lower-casing the source would cost 0.3 ms).
_CLS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
CONTAINERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("trs", "//*[{}]".format(_CLS.format("TRS_Editor")), ("TRS_Editor",)),
    ("trs-ueditor", "//*[{}]".format(_CLS.format("TRS_UEDITOR")), ("TRS_UEDITOR",)),
    ("trs-union", "//*[{}]".format(_CLS.format("Custom_UnionStyle")), ("Custom_UnionStyle",)),
    ("ucap", "//ucapcontent", ()),  # a tag name: any case in the source
    ("ucap", "//*[@id='zoomcon']", ("zoomcon",)),
    ("ucap", "//*[@id='UCAP-CONTENT']", ("UCAP-CONTENT",)),
    ("hanweb", "//*[@id='zoom' or @id='Zoom' or @id='ZOOM']", ("zoom", "Zoom", "ZOOM")),
    ("hanweb", "//*[@id='fontzoom' or @id='fontZoom']", ("ontzoom", "ontZoom")),
    ("generic", "//*[{}]".format(_CLS.format("article-content")), ("article-content",)),
    ("generic", "//*[{}]".format(_CLS.format("pages_content")), ("pages_content",)),
    ("generic", "//*[{}]".format(_CLS.format("zoom")), ("zoom",)),
]
_CONTAINER_XPATHS = [(name, etree.XPath(xp), needles) for name, xp, needles in CONTAINERS]
_MARKER_PAIRS = [("<$[信息内容]>begin", "<$[信息内容]>end"),
                 ("ZJEG_RSS.content.begin", "ZJEG_RSS.content.end")]
_TITLE_SPLIT_RE = re.compile(r"\s+[-–—|｜]+\s+|\s*[_｜|]\s*|\s*(?:——|－－|--)\s*")
_HEADING_XPATH = etree.XPath(
    "//h1|//h2|//h3|//ucaptitle|//*[contains(@class,'title') or contains(@class,'Title') "
    "or contains(@id,'title') or contains(@id,'Title')]")


class HtmlResult:
    __slots__ = ("text", "title", "tables", "metadata", "container", "needs_ocr", "scan_images")

    def __init__(self):
        self.text = ""
        self.title: str | None = None
        self.tables: list[list[list[str]]] = []
        self.metadata: dict = {}
        self.container: str | None = None
        self.needs_ocr = False
        self.scan_images: list[str] = []  # the page images of a scanned report (issue 17: OCR)


# Plain lxml elements, not lxml.html's HtmlElement: its class lookup runs for every element
# touched and cost ~10% of extraction; text_content() and drop are ours (html_text, _drop).
# huge_tree: libxml2 otherwise stops nesting at depth 256 and silently drops the rest of the
# page (legacy pages open a <font> per paragraph and never close it: 400 paragraphs kept 125).
_PARSER = etree.HTMLParser(huge_tree=True)
_EMPTY = "<html><body></body></html>"
# Past this depth even huge_tree stops (libxml2: 2048), and our tree walks recurse: such a
# page is parsed again with its presentational inline tags removed (they carry no text).
MAX_DEPTH = 400
_INLINE_TAG_RE = re.compile(r"</?(?:font|span|b|i|u|strong|em|small|big|o:p)\b[^>]*>", re.I)


# Is any element MAX_DEPTH levels or more below the root? The deepest element is a leaf, so only
# leaves are asked; in libxml2, this costs half of a walk in Python on ordinary pages and
# under a millisecond on a 2,000-deep one (no recursion: the tree may be deeper than the stack).
_TOO_DEEP = etree.XPath("boolean(//*[not(*)][count(ancestor::*) >= $n])")


def _too_deep(root) -> bool:
    """Whether the tree is deeper than MAX_DEPTH elements."""
    return bool(_TOO_DEEP(root, n=MAX_DEPTH))


# spelled out, not re.I: a case-insensitive search of a whole page costs ~3x as much
_HTML_END_RE = re.compile(r"</[hH][tT][mM][lL]\s*>")
_HTML_END_B_RE = re.compile(rb"</[hH][tT][mM][lL]\s*>")
_NON_SPACE_RE = re.compile(r"\S")
_NON_SPACE_B_RE = re.compile(rb"\S")


def without_early_html_end(source: str | bytes) -> str | bytes:
    """The page source without its ``</html>`` end tags when one comes before the page's
    end. libxml2 2.14 stops reading at ``</html>``: a stray one before the body (an included
    fragment's own, common on portals) lost every paragraph and link after it. A browser
    reads on, and so do we; the parser closes the document itself."""
    if isinstance(source, bytes):
        end_re, more_re = _HTML_END_B_RE, _NON_SPACE_B_RE
    else:
        end_re, more_re = _HTML_END_RE, _NON_SPACE_RE
    m = end_re.search(source)
    if m is None or more_re.search(source, m.end()) is None:
        return source
    return end_re.sub(b"" if isinstance(source, bytes) else "", source)


_TITLE_SCAN = 65536  # a page's <title> is in its head
# (title start, tag start, end tag to write) for str and for bytes sources
_TITLE_RES = {
    str: (re.compile(r"<[tT][iI][tT][lL][eE](?:\s[^>]*)?>"), re.compile(r"<[A-Za-z/!]"), "</title>"),
    bytes: (re.compile(rb"<[tT][iI][tT][lL][eE](?:\s[^>]*)?>"), re.compile(rb"<[A-Za-z/!]"), b"</title>"),
}


def with_title_closed(source: str | bytes) -> str | bytes:
    """The page source with an unclosed ``<title>`` closed before the first tag inside it.
    A title's text runs to ``</title>`` whatever it holds, so a title whose end tag was cut
    (``…antitrust cases</titavaScript" src=…>``, a damaged capture) swallowed the whole page:
    its text came out as "no text besides the title". A real title never holds a tag."""
    title_re, tag_re, close = _TITLE_RES[bytes if isinstance(source, bytes) else str]
    m = title_re.search(source, 0, _TITLE_SCAN)
    tag = tag_re.search(source, m.end()) if m else None
    if tag is None or source[tag.start():tag.start() + 8].lower().startswith(close[:7]):
        return source  # no title, or closed as it should be
    return source[:tag.start()] + close + source[tag.start():]


def repaired(source: str | bytes) -> str | bytes:
    """The page source with what makes libxml2 lose a page a browser shows repaired: an early
    ``</html>`` (without_early_html_end) and an unclosed ``<title>`` (with_title_closed).
    Extraction and discovery parse through it."""
    return with_title_closed(without_early_html_end(source))


def parse(html: str):
    """lxml tree of a page. A page nested deeper than MAX_DEPTH is flattened first (see
    flattened())."""
    return _parse(repaired(html))


def _parse(html: str):
    """`parse` of a source already through `repaired` (extraction does that once, for the
    parse and for the fallback that reads the source too)."""
    html = _CONTROL_RE.sub(" ", _XML_DECL_RE.sub("", html, count=1))
    if not html.strip():
        html = _EMPTY
    try:
        root = etree.fromstring(html, _PARSER)
    except (etree.ParserError, ValueError):
        root = None
    if root is not None and _too_deep(root):
        flat = etree.fromstring(_INLINE_TAG_RE.sub("", html), _PARSER)
        if flat is not None:
            flat.set("data-nianbao-flattened", "1")
            root = flat
    if root is None:
        return etree.fromstring(_EMPTY, _PARSER)
    _adopt_after_body(root)
    _unwrap_anchors(root)
    return root


def _unwrap_anchors(root) -> None:
    """Unwrap named anchors (``<a name=…>`` with no href or onclick): one left open swallows
    the rest of the page in libxml2's tree, and every link-density rule then reads the page's
    prose as link text. An ``<a>`` with neither href nor name stays a link: scripts make
    those clickable (a headline list of them is still a headline list)."""
    found = False
    for a in root.iter("a"):
        if a.get("name") is not None and a.get("href") is None and a.get("onclick") is None:
            a.tag = "nianbao-anchor"
            found = True
    if found:
        etree.strip_tags(root, "nianbao-anchor")


def _adopt_after_body(root) -> None:
    """Move what libxml2 put after ``<body>`` into it: a stray ``</body>`` early in a page
    (an included fragment's own) ends the body there, and the rest of the page, which a
    browser shows in the body, became siblings of it, out of every body search."""
    body = root.find("body")
    if body is None:
        return
    for el in list(body.itersiblings()):
        body.append(el)  # moves it, with its tail


def flattened(root) -> bool:
    """Was this page's inline markup removed because it nested too deep?"""
    return root.get("data-nianbao-flattened") == "1"


def extract_html_text(html: str, url: str) -> HtmlResult:
    out = HtmlResult()
    html = repaired(html)  # the fallback and the body search read it too
    root = _parse(html)
    base = url
    for b in root.iter("base"):
        if b.get("href"):
            base = urljoin(url, b.get("href").strip())
            break

    metas = _meta_tags(root)
    title_tag = ""
    for t in root.iter("title"):
        title_tag = _clean(text_content(t))
        break

    _drop_invisible(root)

    # metadata blocks and the info bar: read, then drop
    meta: dict = {}
    meta_seeds, bar_seeds = elements_with_text(root, SEED_RE, _INFO_BAR_RE)
    holds_body = _container_lineage(root, html)
    for block, fields in find_metadata_blocks(root, meta_seeds, holds_body):
        for k, v in fields.items():
            meta.setdefault(k, v)
        _drop(block)
    published_bar = _drop_info_bars(root, bar_seeds, holds_body)
    if published_bar and "published" not in meta:
        meta["published"] = published_bar
    if "published" not in meta:
        for key in ("pubdate", "publishdate", "article:published_time", "firstpublishedtime",
                    "publish_time", "dc.date"):
            d = normalise_date(metas.get(key))
            if d:
                meta["published"] = d
                break

    title = _find_title(root, metas, title_tag)
    subtitles = _subtitles(root, title) if title else []

    body_el, container = _find_body(root, html, url)
    out.container = container
    _drop_headline_lists(body_el)

    lines, tables = render(body_el)
    lines = _without_trailing_headings(_clean_lines(lines))
    text_lines = [ln.text for ln in lines]
    # a fragment of an unknown layout, or a text that runs on past the article?
    # (trafilatura's second opinion: not on a page whose body is an attachment link or scans:
    # its text comes from the file or from OCR)
    short = fallback.needed(container, text_lines)
    if (short or fallback.tail_needed(container, text_lines)) and not attachment_links(body_el, base) \
            and not _image_only(body_el, text_lines, title):
        if short:
            better = fallback.main_lines(html, text_lines)
            if better is not None:
                text_lines = better
                out.container = container = "density+trafilatura"
        if fallback.tail_needed(container, text_lines):  # ours ran on past the article?
            text_lines = fallback.without_extra_tail(html, text_lines)

    # a fragment all the same: say so, do not let it pass for the page's text
    if container.startswith("density") and fallback.needed_shortfall(text_lines):
        short = fallback.shortfall(text_lines, _visible_prose(html))
        if short:
            meta["error"] = short

    kept_nothing = not text_lines
    shell = interstitial(text_lines)
    no_sentence = container.startswith("density") and _no_sentence(text_lines)
    if title:
        if not _starts_with_title(text_lines, title):
            head = [title] + [t for t in subtitles if not _starts_with_title(text_lines, t)]
            text_lines[0:0] = head
    elif text_lines:
        title = text_lines[0][:200]

    chars = sum(len(_WS_RE.sub("", t)) for t in text_lines)
    if "error" not in meta and chars < _STUB_CHARS:
        target = redirect_target(html, base, metas.get("refresh"),
                                 scripts=chars < _SCRIPT_STUB_CHARS)
        if target:
            meta["error"] = f"a redirect page: no text of its own, it sends the reader to {target}"

    out.needs_ocr = _image_only(body_el, text_lines, title)
    if out.needs_ocr:
        out.scan_images = _scan_images(body_el, root, base)
    elif kept_nothing and "error" not in meta and not attachment_links(body_el, base):
        shown = _visible_prose(html, with_links=True)
        if shown:  # not an empty document: its text is all furniture to us
            meta["error"] = (f"main text not found: the page shows {shown} characters, all of "
                             "them links, lists or page furniture (layout not recognised)")
    elif shell and "error" not in meta:
        meta["error"] = (f"not the page's text: the capture is a bot check or a script "
                         f"application's empty shell (\u201c{shell[:80]}\u201d); its text needs a "
                         "browser to load it")
    elif no_sentence and "error" not in meta and not attachment_links(body_el, base):
        # a few short lines (a site's name, menu words, a button) kept from a page whose
        # text is elsewhere (a thread a script loads): not the page's text, and it says so
        meta["error"] = (f"no sentence: the page's text is {len(text_lines)} short lines (a site's "
                         "name, menu words, labels); its main text, if any, was not recognised or "
                         "is not in the capture (loaded by a script)")
    out.title = title
    out.text = "\n".join(text_lines)
    out.tables = tables
    if flattened(root):
        meta["repaired"] = f"markup nested deeper than {MAX_DEPTH} levels: inline tags removed"
    out.metadata = meta
    return out


_SENTENCE_CHARS = 60   # a line this long (whitespace aside) is a sentence, so is one of four
_SENTENCE_WORDS = 4    # words or more that ends like one (. ! ?), or one with this many CJK
_SENTENCE_CJK = 15     # ideographs
_SENTENCE_END_RE = re.compile(r"[.!?。！？][\"'”’)]?\s*$")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_NO_SENTENCE_TOTAL = 200  # a text this short with no sentence is not a page's main text


def _no_sentence(lines: list[str]) -> bool:
    """``lines`` are short (under _NO_SENTENCE_TOTAL characters in all) and none is a
    sentence: menu words, labels, a site's name."""
    sizes = [len(_WS_RE.sub("", t)) for t in lines]
    if not lines or sum(sizes) >= _NO_SENTENCE_TOTAL:
        return False
    return not any(n >= _SENTENCE_CHARS or len(_CJK_RE.findall(t)) >= _SENTENCE_CJK
                   or (len(t.split()) >= _SENTENCE_WORDS and _SENTENCE_END_RE.search(t))
                   for t, n in zip(lines, sizes))


# what a capture says when it is not the page: a bot check (Cloudflare, Project Shield, a
# WAF's "please wait") or a script application's empty shell ("You need to enable JavaScript
# to run this app"). Only a short text is asked: an article may mention JavaScript.
_SHELL_RE = re.compile(
    r"enable javascript|javascript (?:is )?(?:required|disabled|not enabled|must be enabled)|"
    r"requires javascript|turn on javascript|javascript (?:aktivieren|einschalten)|"
    r"activ(?:er|ez) (?:le )?javascript|habilit(?:ar|e) (?:el )?javascript|"
    r"checking (?:if the site connection is secure|your browser)|just a moment|project shield|"
    r"ddos protection by|attention required|verify (?:that )?you are (?:a )?human|are you a robot|"
    r"(?:启用|开启|打开|允许|支持)\s*javascript|javascript\s*(?:被禁用|已禁用|未启用)|"
    r"安全验证|人机验证|正在验证|访问验证|请稍候", re.I)
_SHELL_CHARS = 300


def interstitial(lines: list[str]) -> str | None:
    """The line by which a short text (under _SHELL_CHARS characters, whitespace aside) says
    it is a bot check or a script application's shell, not the page's text; else None."""
    chars = 0
    for t in lines:  # stops at the first _SHELL_CHARS characters: a report has thousands
        chars += len(_WS_RE.sub("", t))
        if chars >= _SHELL_CHARS:
            return None
    return next((t.strip() for t in lines if _SHELL_RE.search(t)), None)


_STUB_CHARS = 200  # a page with less text than this that redirects is a redirect stub
_SCRIPT_STUB_CHARS = 50  # a script's redirect may be conditional (a mobile site): less still
_CONDITION_RE = re.compile(r"\bif\s*\(")
_SCRIPT_BLOCK_RE = re.compile(r"<script[^>]*>(.*?)</script", re.I | re.S)
_SCRIPT_REDIRECT_RE = re.compile(
    r"""location(?:\.href)?\s*=\s*(?:\\?['"])([^'"\\]+)|location\.(?:replace|assign)\(\s*['"]([^'"]+)['"]""")


def redirect_target(html: str, base: str, refresh: str | None = None,
                    scripts: bool = True) -> str | None:
    """Where a page sends its reader, absolute, or None: by its ``<meta http-equiv=refresh>``
    (``refresh``: that tag's content) or, with ``scripts``, by a script assigning ``location``
    outside any ``if`` (an interstitial "you will be redirected in 3 s" page; not a
    mobile-site switch). Asked only of pages with almost no text."""
    target = meta_refresh_url(refresh)
    if target is None and scripts:  # a script's own statement, not a menu item's onclick
        for script in _SCRIPT_BLOCK_RE.finditer(html):
            code = script.group(1)
            m = _SCRIPT_REDIRECT_RE.search(code)
            if m and not _CONDITION_RE.search(code, 0, m.start()):
                target = m.group(1) or m.group(2)
                break
    target = (target or "").strip()
    if not target or target.lower().startswith(("javascript:", "#")):
        return None
    return urljoin(base, target)


def _visible_prose(html: str, with_links: bool = False) -> int:
    """Characters of text outside links (or all text, ``with_links``) a browser shows in the
    page's body (a second parse: asked only of a page whose extraction came out short).
    ``html``: the source as extract_html_text holds it (early ``</html>`` already dropped)."""
    root = _parse(html)
    _drop_invisible(root)
    body = root.find("body")
    if body is None:
        body = root
    for el in _comment_blocks(body):  # readers' comments are not the text we look for
        _drop(el)
    text = _text_len(body)
    if with_links:
        return text
    return text - _links_len(body.iter("a"))


# ---------------------------------------------------------------------------------------
def _clean(s: str | None) -> str:
    return _WS_RE.sub(" ", s or "").strip()


def _meta_tags(root) -> dict:
    """``<meta>`` contents by lower-cased name, property or http-equiv (``refresh``)."""
    metas = {}
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("http-equiv") or "").strip().lower()
        if key and m.get("content") and key not in metas:
            metas[key] = m.get("content").strip()
    return metas


def _drop(el) -> None:
    """Remove an element (or comment) and what it holds, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


_STYLE_XPATH = etree.XPath("//*[@style]")
_HIDDEN_ATTR_XPATH = etree.XPath("//*[@hidden]")
_ANY_HIDDEN_ATTR = etree.XPath("boolean(//@hidden)")  # cheaper than the element set, usually false
# Word-pasted reports carry ~1,400 styled spans and a handful of distinct hiding styles: test
# the style strings (plain strings, cached verdicts), then fetch only the elements with the
# hiding ones. An element object per styled span cost more than the rest of the step.
_STYLE_VALUES_XPATH = etree.XPath("//@style", smart_strings=False)
_STYLE_IS = [etree.XPath("//*[%s]" % " or ".join(f"@style = $s{i}" for i in range(n))) for n in range(1, 9)]


def _drop_invisible(root) -> None:
    """Remove what a browser does not render: scripts, styles, forms controls, hidden markup."""
    css: list[str] = []
    doomed = []
    served = []   # <noscript> blocks of prose
    # one walk for the tags, comments and PIs (each tree walk costs ~0.25 ms on a Word page)
    fields = []   # a form's visible controls, counted before they go (_drop_forms)
    for el in root.iter(*_DROP_TAGS, etree.Comment, etree.ProcessingInstruction):
        tag = el.tag
        if tag is etree.Comment or tag is etree.ProcessingInstruction:
            if _is_marker(el):
                continue
        elif tag in ("input", "textarea", "select"):
            if (el.get("type") or "text").lower() not in _UNSEEN_INPUTS:
                fields.append(el)
        elif tag == "style":
            css.append(el.text or "")
        elif tag == "noscript" and _is_prose(el, _PROSE_NOSCRIPT):
            served.append(el)
            continue
        doomed.append(el)
    # one cascade over all the page's style blocks, in order: a later block may show what an
    # earlier one hid (``.article{visibility:hidden}`` … ``.article{visibility:visible}``)
    hidden_classes, hidden_ids = furniture.hidden_selectors("\n".join(css)) if css else ((), ())
    if _ANY_HIDDEN_ATTR(root):
        doomed.extend(_HIDDEN_ATTR_XPATH(root))
    hiding = {style for style in _STYLE_VALUES_XPATH(root) if furniture.is_hidden_style(style)}
    if len(hiding) > len(_STYLE_IS):
        doomed.extend(el for el in _STYLE_XPATH(root) if el.get("style") in hiding)
    elif hiding:
        doomed.extend(_STYLE_IS[len(hiding) - 1](root, **{f"s{i}": v for i, v in enumerate(sorted(hiding))}))
    for cls in hidden_classes:
        if "'" not in cls:
            found = root.xpath(f"//*[{_CLS.format(cls)}]")
            # a disclosure widget's panel (by its class, or by its id, test id or role when a
            # CSS-in-JS class says nothing: <div data-testid="accordion-content-0"
            # class="css-bbVBUQ">) is shown when the reader opens it: hidden only if it is links
            named = furniture.is_disclosure_name(cls)
            doomed.extend(el for el in found
                          if not ((named or _names_disclosure(el)) and _is_prose(el, 1)))
    for i in hidden_ids:
        if "'" not in i:
            doomed.extend(root.xpath(f"//*[@id='{i}']"))
    if fields:
        _mark_forms(fields)
    for el in doomed:
        _drop(el)
    if served:
        # the page a crawler is served when the script-built page is empty without it
        # (Discourse and Flarum put a thread's posts there): read as a plain block. Beside a
        # page that shows the same text (a capture after the script ran), it is a copy.
        inside = sum(_text_len(el) for el in served)
        shown = _text_len(root) - inside >= inside
        for el in served:
            if shown:
                _drop(el)
            else:
                el.tag = "div"


_PROSE_NOSCRIPT = 500  # characters of prose (links under half) in a <noscript> that are text
# inputs a reader does not fill in: a form of these only (a search box's hidden state, an
# ASP.NET page's __VIEWSTATE) says nothing about the form
_UNSEEN_INPUTS = frozenset(("hidden", "submit", "button", "image", "reset"))
_FORM_FIELDS = 2   # visible controls that make a form one the reader fills in (contact, signup)
_FORM_MARK = "data-nianbao-fields"
_CONTACT_FIELD_RE = re.compile(r"e-?mail|phone|tel\b|first.?name|last.?name|full.?name|your.?name|"
                               r"company|message|comment|subscribe|newsletter", re.I)


def _asks_contact(el) -> bool:
    """A control that asks who the reader is or what they want to say (an email, a phone
    number, a name, a message): a contact, signup or comment form, not a calculator's input."""
    if el.tag == "textarea" or (el.get("type") or "").lower() in ("email", "tel"):
        return True
    return bool(_CONTACT_FIELD_RE.search(" ".join(
        el.get(a) or "" for a in ("name", "id", "placeholder", "autocomplete", "aria-label"))))


def _mark_forms(fields: list) -> None:
    """Mark (``_FORM_MARK``) each form that asks the reader to fill it in: at least
    _FORM_FIELDS visible controls, one of them a contact field. The controls are dropped
    with the rest of what a browser shows no text for, so the form is judged here."""
    counts: dict = {}
    asks = set()
    for el in fields:
        form = next(el.iterancestors("form"), None)
        if form is not None:
            counts[form] = counts.get(form, 0) + 1
            if _asks_contact(el):
                asks.add(form)
    for form in asks:
        if counts[form] >= _FORM_FIELDS:
            form.set(_FORM_MARK, str(counts[form]))


def _drop_forms(best) -> None:
    """Drop the forms a reader fills in (marked by ``_mark_forms``: a contact or signup form
    with its labels and consent notice) inside the density choice ``best``, when ``best``
    holds at least as much text outside them: they are the page's, not the article's. A form
    that wraps the article (ASP.NET pages put the whole page in one) stays."""
    forms = [f for f in best.iter("form") if f is not best and f.get(_FORM_MARK)]
    if not forms:
        return
    inside = sum(_text_len(f) for f in forms if not any(within(f, o) for o in forms if o is not f))
    if _text_len(best) - inside >= inside:
        for f in forms:
            if f.getparent() is not None:
                _drop(f)


def _names_disclosure(el) -> bool:
    """The id, test id or role of ``el`` names a disclosure widget (furniture.DISCLOSURE_TOKEN_RE)."""
    return any(furniture.is_disclosure_name(el.get(a) or "") for a in ("id", "data-testid", "role"))


def _is_marker(c) -> bool:
    text = c.text or ""
    return any(b in text or e in text for b, e in _MARKER_PAIRS)


_INFO_BAR_RE = re.compile("发布|浏览|字体|日期|时间|来源|点击")


def _drop_info_bars(root, seeds: list | None = None, holds_body: set | None = None) -> str | None:
    """Drop the 发布时间/浏览次数/字体 bar(s); return the first 发布时间 date found.
    `seeds`: elements whose text matches _INFO_BAR_RE (elements_with_text), found before
    the metadata blocks were dropped (those inside one are skipped). `holds_body`: the
    report's container and its ancestors, never taken for a bar (a cover page's short body
    sits in one short block with its bar)."""
    holds_body = holds_body or set()
    published = None
    lengths: dict = {}  # element → len(text_content()), computed once (ancestors are shared)

    def length(e) -> int:
        n = lengths.get(e)
        if n is None:
            n = lengths[e] = len(text_content(e))
        return n

    if seeds is None:
        [seeds] = elements_with_text(root, _INFO_BAR_RE)
    for el in seeds:
        if el.getparent() is None or not within(el, root):
            continue
        if el.tag in ("body", "html", "table", "tbody", "tr"):
            continue
        if length(el) > 600:
            continue  # a paragraph of the report mentioning 时间/发布: no info bar
        # climb to the largest short ancestor that still reads as an info bar
        best = None
        cur = el
        for _ in range(4):
            if cur is None or cur.tag in ("body", "html") or cur in holds_body:
                break
            if length(cur) > 600:
                break
            text = _clean(text_content(cur))
            if len(text) > 160:
                break
            if furniture.is_info_bar(text):
                best = (cur, text)
            cur = cur.getparent()
        if best is None:
            continue
        cur, text = best
        m = re.search(r"(?:发布时间|发布日期|发表时间|日期|时间)\s*[:：]\s*([^\s].{0,30})", text)
        if m and published is None:
            published = normalise_date(m.group(1))
        _drop(cur)
    return published


def _find_title(root, metas: dict, title_tag: str) -> str | None:
    for key in ("articletitle", "dc.title"):
        if metas.get(key):
            return _clean(metas[key])
    for el in root.iter("ucaptitle"):
        t = _clean(text_content(el))
        if t:
            return t
    parts = [p.strip() for p in _TITLE_SPLIT_RE.split(title_tag) if p.strip()] if title_tag else []
    page_title = max(parts, key=len) if parts else ""
    # a heading whose text is (part of) the <title>
    best = None
    if page_title:
        pt = _WS_RE.sub("", page_title)
        whole = _WS_RE.sub("", title_tag)
        for el in _HEADING_XPATH(root):
            t = _clean(text_content(el))
            tc = _WS_RE.sub("", t)
            if len(tc) < 4 or len(tc) > 200:
                continue
            if tc == pt:
                return t
            if (pt.startswith(tc) or tc.startswith(pt) or whole.startswith(tc)) and \
                    len(tc) >= 0.5 * min(len(pt), len(whole)) and (best is None or len(t) > len(best)):
                best = t
        if best:
            return best
        # a "<title>-<site>" without spaces around the dash: the heading is not there, so
        # keep the <title> minus a trailing site name that the page repeats elsewhere
        return page_title
    for el in root.iter("h1"):
        t = _clean(text_content(el))
        if len(t) >= 4:
            return t
    for key in ("og:title", "title"):
        if metas.get(key):
            return _clean(metas[key])
    return None


_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _subtitles(root, title: str) -> list[str]:
    """Headings next to the title heading (a news subtitle above or below it)."""
    t = _WS_RE.sub("", title)
    for el in root.iter(*_HEADING_TAGS, "ucaptitle"):
        if _WS_RE.sub("", text_content(el)) != t:
            continue
        if el.tag == "ucaptitle":
            el = el.getparent()
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return []
        out = []
        for sib in parent:
            if sib is el or not isinstance(sib.tag, str):
                continue
            if sib.tag not in _HEADING_TAGS:
                if _WS_RE.sub("", text_content(sib)):
                    return []  # not a title block
                continue
            text = _clean(text_content(sib))
            if text and len(text) <= 100 and not furniture.is_chrome_line(text):
                out.append(text)
        return out[:2]
    return []


def _starts_with_title(lines: list[str], title: str) -> bool:
    t = _WS_RE.sub("", title)
    if not t:
        return True
    joined = ""
    for ln in lines[:4]:
        c = _WS_RE.sub("", ln)
        if c == t or (c.startswith(t) and len(c) - len(t) <= 8) or (
                c.endswith(t) and len(c) - len(t) <= 8):
            return True
        joined += c
        if joined == t:  # a title broken over two lines
            return True
    return False


def _text_len(el) -> int:
    return len(_WS_RE.sub("", text_content(el)))


def _links_len(anchors) -> int:
    """Characters of text (whitespace aside) in ``anchors``."""
    return sum(_text_len(a) for a in anchors)


def _container_lineage(root, source: str) -> set:
    """The first known report container kind of the page (in _find_body's order), its
    elements and all their ancestors. One XPath search on most pages: the others would cost
    ~0.8 ms a page (bench/crawl profile)."""
    out: set = set()
    for _name, found in _container_hits(root, source):
        for el in found:
            out.add(el)
            out.update(el.iterancestors())
        break
    return out


def _container_hits(root, source: str | None):
    """(name, elements) of each known container kind found in the page, best first; a kind
    whose marker strings ``source`` (the page's HTML, if known) lacks is not searched."""
    for name, xp, needles in _CONTAINER_XPATHS:
        if needles and source is not None and not any(n in source for n in needles):
            continue
        found = xp(root)
        if found:
            yield name, found


def _find_body(root, source: str | None = None, url: str | None = None):
    """The report body element and how it was found. `source`: the page's HTML, if known,
    to skip the searches for markers and containers it does not mention; `source` and `url`
    also tell a discussion page (fallback.is_discussion), whose replies are kept."""
    body = root.find("body")
    if body is None:
        body = root
    # 1. Hanweb content markers
    for begin_s, end_s in _MARKER_PAIRS:
        if source is not None and begin_s not in source:
            continue
        begins = [c for c in root.iter(etree.Comment) if begin_s in (c.text or "")]
        for b in begins:
            parent = b.getparent()
            end = None
            sib = b.getnext()
            while sib is not None:
                if sib.tag is etree.Comment and end_s in (sib.text or ""):
                    end = sib
                    break
                sib = sib.getnext()
            if end is None or parent is None:
                continue
            box = etree.Element("div")
            box.text = b.tail
            b.tail = None
            node = b.getnext()
            while node is not None and node is not end:
                nxt = node.getnext()
                box.append(node)  # moves it, with its tail
                node = nxt
            parent.insert(parent.index(end), box)
            if _text_len(box) > 0 or box.find(".//a") is not None:
                return box, "hanweb-markers"
    # 2. known platform containers
    for name, found in _container_hits(root, source):
        tops = [el for el in found if not any(within(el, o) for o in found if o is not el)]
        tops = [el for el in tops if _text_len(el) > 0 or el.find(".//a") is not None
                or _has_picture(el)]
        if name == "generic":
            tops = _generic_tops(tops)
        if not tops:
            continue
        if len(tops) == 1:
            return tops[0], name
        # several: the body is the biggest; others count only when they continue it (same
        # parent: an editor split in parts), not when they sit elsewhere (a 解读 teaser)
        main = max(tops, key=_text_len)
        parts = [el for el in tops if el.getparent() is main.getparent()]
        if len(parts) == 1:
            return main, name
        return _boxed(parts), name  # in document order
    # 3. text density
    _drop_chrome_blocks(body)
    _drop_headline_lists(body)
    best = _density_choice(body)
    if not fallback.is_discussion(source, url):
        _drop_comment_sections(best)
    _drop_related_blocks(best)
    _drop_tail_blocks(best)
    _drop_forms(best)
    posts = fallback.sibling_posts(best, body) or fallback.post_list(body, best)
    if posts and _outside_the_article(posts, best, body):
        # the page marks one article and the choice is in it: blocks beside it that look
        # alike (a page builder's columns and sections, a sidebar) are not its posts
        posts = None
    if posts:  # one post of a thread: keep them all (fallback.py)
        return _boxed(posts), "density+posts"
    parts = fallback.prose_siblings(best, body)
    if parts:  # an article split around a table or a links box: its other paragraphs too
        return _boxed(parts), "density+siblings"
    return best, "density"


# the "generic" containers' names (article-content, zoom, pages_content) are the Chinese
# portals' but common English words too: what they name on other pages is not always a body
_CARD_LIST = 3   # this many hits under as many parents: a repeated teaser card, not one body


def _generic_tops(tops: list) -> list:
    """The generic-named hits that can be a report body: not a block named as reader
    comments (``<section id="comments" class="article-content">``), not an image carousel
    without text (``<div class="swiper-slide zoom">``), and none at all when the name marks
    a repeated card (three "article-content" teasers of related posts, each under its own
    parent): the page's body is then found by density."""
    tops = [el for el in tops if _text_len(el) > 0 and not any(
        _COMMENT_NAME_RE.fullmatch(n)
        for n in " ".join(filter(None, (el.get("class"), el.get("id")))).lower().split())]
    if len({id(el.getparent()) for el in tops}) >= _CARD_LIST:
        return []
    return tops


def _has_picture(el) -> bool:
    """``el`` holds an image with a source (a report published as scans; lazy loaders' too).
    A script's image template is none: WordPress's lightbox, ``<div class="wp-lightbox-overlay
    zoom">`` on every page with an enlargeable picture, holds ``<img>`` tags whose source a
    script binds later, and its ``zoom`` class is the TRS article container's name."""
    return any((img.get("src") or img.get("data-src") or img.get("data-original") or "").strip()
               for img in el.iter("img"))


def _boxed(parts: list):
    """One ``<div>`` holding copies of ``parts`` (without their tails), in the given order: a
    body made of several blocks of the page (an editor's parts, a thread's posts)."""
    box = etree.Element("div")
    for el in parts:
        clone = copy.deepcopy(el)
        clone.tail = None
        box.append(clone)
    return box


_CHROME_TAGS = frozenset(("nav", "header", "footer", "aside"))


# characters of prose (links under half of it) that make a <header> a section of the page,
# not its banner: Webflow builds article pages of <header class="section_blog-post…"> blocks,
# and a page's banner (logo, menu, search) never holds that much unlinked text
_PROSE_HEADER = 1000
# a block named as chrome (nav, sidebar, footer…) that holds this much prose is kept: a page
# that names its article wrongly
_PROSE_NAMED_CHROME = 200


def _is_prose(el, least: int) -> bool:
    """``el`` holds at least ``least`` characters of text (whitespace aside), under half of
    them in links."""
    text = _text_len(el)
    return text >= least and _links_len(el.iter("a")) < 0.5 * text


def _prose_section(el) -> bool:
    """A ``<header>``, or a ``<nav>`` named as a disclosure widget (Webflow builds accordions
    of ``<nav class="expandable-list-description">``), that holds _PROSE_HEADER characters of
    prose: a section of the page, not its chrome. A menu, however long, is links."""
    if el.tag == "nav" and not furniture.is_disclosure_name(el.get("class") or ""):
        return False
    return el.tag in ("header", "nav") and _is_prose(el, _PROSE_HEADER)


def _drop_chrome_blocks(root) -> None:
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in _CHROME_TAGS:
            if not _prose_section(el):
                doomed.append(el)
            continue
        tokens = " ".join(filter(None, (el.get("class"), el.get("id"))))
        if tokens and el.tag not in ("body", "html") and furniture.CONSENT_TOKEN_RE.search(tokens):
            doomed.append(el)  # a cookie/consent dialog, however long its legal text
            continue
        if tokens and furniture.CHROME_TOKEN_RE.search(furniture.decamel(tokens)):
            if el.tag in ("body", "html") or fallback.is_thread_post(el, furniture.decamel(tokens)):
                continue
            if not _is_prose(el, _PROSE_NAMED_CHROME):
                doomed.append(el)
    for el in doomed:
        _drop(el)


# a block named as reader comments or their list/form: "comments", "comment-123",
# "li-comment-7", "commentlist", "comments-area", "disqus_thread", "respond"
_COMMENT_NAME_RE = re.compile(
    r"(?:[a-z]+[-_])?comments?(?:[-_]?(?:list|listing|area|section|wrap|wrapper|container|"
    r"content|holder|thread|threads|tree|box|block|form|respond))?(?:[-_]?\d+)?|"
    r"disqus_thread|respond|commentform")
_COMMENT_BLOCKS = ("div", "section", "ol", "ul", "li", "article", "dl", "dt", "dd", "aside",
                   "form", "table")
_ARTICLE_BESIDE = 300  # characters of the chosen block outside its comments: an article


def _drop_comment_sections(best) -> None:
    """Drop the reader comments under the density choice when it holds an article besides
    them (at least _ARTICLE_BESIDE characters outside them): the article is the page's
    text, its comment list is not (gov reports have none; news and blog pages do). A page
    that is comments only (a thread) keeps them: fallback.py reads it as posts; so does a
    page that says it is a discussion (the caller asks fallback.is_discussion)."""
    found = _comment_blocks(best)
    if found and _text_len(best) - sum(_text_len(el) for el in found) >= _ARTICLE_BESIDE:
        for el in found:
            _drop(el)


# candidates by substring (in C), then the exact name rule in Python
_COMMENT_CANDIDATES = etree.XPath(".//*[{}][{}]".format(
    " or ".join(f"self::{t}" for t in _COMMENT_BLOCKS),
    " or ".join(f"contains(@{a}, '{w}')" for a in ("class", "id")
                for w in ("omment", "OMMENT", "disqus", "respond"))))


def _comment_blocks(top) -> list:
    """The outermost blocks under ``top`` named as comments (_COMMENT_NAME_RE), in document
    order."""
    found: list = []
    kept: set = set()
    for el in _COMMENT_CANDIDATES(top):
        names = " ".join(filter(None, (el.get("class"), el.get("id")))).lower().split()
        if not any(_COMMENT_NAME_RE.fullmatch(n) for n in names):
            continue
        if any(a in kept for a in el.iterancestors()):
            continue  # inside a block already found
        found.append(el)
        kept.add(el)
    return found


_DENSITY_BLOCKS = BLOCK_TAGS - {"td", "th"}  # a table row reads as one run of text
_SHORT_RUN = 20  # characters of a run that do not count: teasers and captions weigh little


def _density_choice(body):
    """The block with the most paragraph text, net of links.

    Paragraph text: the inline text of a block element (its text up to the next block
    boundary; a table row is one run) when that run is prose — mostly not links, not a
    chrome line — counted beyond its first 20 characters, so that one real paragraph
    outweighs a handful of teaser summaries. Score = paragraph characters − 1.5 × link
    characters under the element; the best score among the blocks that hold paragraph text
    wins (an empty block scores 0, above every link-heavy one), the deepest element on a
    tie (wrappers add only widgets). The article the page marks (``_marked_article``) wins
    over a choice beside it, and over a choice around it when it holds _MARKED_SHARE of that
    choice's paragraph text."""
    stats: list = []

    def walk(el, in_link: bool):
        is_link = in_link or (el.tag == "a" and not is_attachment_href(
            el.get("href") or "", el.text or ""))
        parts = [el.text] if el.text else []
        link_chars = len(_WS_RE.sub("", el.text)) if (is_link and el.text) else 0
        para = 0
        links = 0
        for child in el:
            if isinstance(child.tag, str):
                c_parts, c_link, c_para, c_links = walk(child, is_link)
                para += c_para
                links += c_links
                if child.tag not in _DENSITY_BLOCKS:
                    parts.extend(c_parts)
                    link_chars += c_link
            if child.tail:
                parts.append(child.tail)
                if is_link:
                    link_chars += len(_WS_RE.sub("", child.tail))
        if el.tag in _DENSITY_BLOCKS or el is body:
            text = "".join(parts)
            n = len(_WS_RE.sub("", text))
            if n > _SHORT_RUN and link_chars <= 0.3 * n and not furniture.is_chrome_line(
                    _WS_RE.sub(" ", text).strip(), link_chars / n):
                para += n - link_chars - _SHORT_RUN
            links += link_chars
            stats.append((el, para, links))
            return [], 0, para, links
        return parts, link_chars, para, links

    try:
        walk(body, False)
    except RecursionError:
        return body
    best, best_score = body, None
    for el, para, links in stats:  # post-order: descendants before their ancestors
        if el.tag in ("p", "li", "tr", "tbody", "thead", "h1", "h2", "h3", "h4", "h5", "h6",
                      "dd", "dt", "th"):
            continue
        # a block with paragraph text first: an empty one (score 0) must not beat the
        # link-heavy cell (score < 0) that holds the page's only paragraph
        score = (para > 0, para - 1.5 * links)
        if best_score is None or score > best_score:
            best, best_score = el, score
    marked = _marked_article(body)
    if marked is not None and not within(best, marked) and not within(marked, best):
        for el, para, _links in stats:
            if el is marked and para > 0:
                return marked
    if marked is not None and marked is not best and within(marked, best):
        # the choice holds the article the page marks and more (testimonials, teaser cards, a
        # newsletter box): the marked one, when it holds a good share of the paragraph text
        paras = {id(el): para for el, para, _links in stats}
        if paras.get(id(marked), 0) >= _MARKED_SHARE * paras.get(id(best), 0) > 0:
            return marked
    return best


# set 9's tuning split: 0.3 and 0.5 gave F1 0.867 and 0.866 (0.862 without the rule); on
# set 3 the losses (a lead outside the marked block) came at shares of 0.36-0.72, so no share
# separates them; lower shares were not tried
_MARKED_SHARE = 0.3


def _outside_the_article(posts: list, best, body) -> bool:
    """``best`` lies in the one article the page marks (``_marked_article``) and some of
    ``posts`` do not."""
    marked = _marked_article(body)
    return (marked is not None and within(best, marked)
            and not all(within(p, marked) for p in posts))


_ARTICLE_XPATH = etree.XPath(".//article | .//*[@itemprop='articleBody'] | .//*[{}]".format(
    _CLS.format("entry-content")))


def _marked_article(body):
    """The one element the page marks as its article (an ``<article>``, schema.org
    ``itemprop="articleBody"`` or the hAtom microformat's ``entry-content``, which blog
    platforms write), or None when it marks none or several (a list of teasers)."""
    found = _ARTICLE_XPATH(body)
    tops = [el for el in found if not any(within(el, o) for o in found if o is not el)]
    return tops[0] if len(tops) == 1 else None


# a heading that introduces links to other pages, not the text: "Related Stories", "You might
# also like", "Popular posts", "相关阅读"
_RELATED_HEADING_RE = re.compile(
    r"(?:related(?:\s+(?:stories|articles|posts|content|reading|news|links|topics|guides|resources))?|"
    r"you\s+(?:might|may)\s+(?:also\s+)?(?:like|enjoy|be\s+interested\s+in)|"
    r"(?:more|other)\s+(?:stories|articles|posts|news|from\s+.{1,30}|like\s+this|to\s+read)|"
    r"read\s+(?:next|more|this\s+next)|recommended(?:\s+(?:for\s+you|reading|articles|stories|posts))?|"
    r"(?:most\s+)?popular(?:\s+(?:posts|stories|articles|now))?|trending(?:\s+(?:now|stories|posts|articles))?|"
    r"latest(?:\s+(?:news|posts|stories|articles))?|keep\s+reading|"
    r"相关(?:新闻|文章|阅读|链接|推荐|稿件|报道)|推荐阅读|延伸阅读|热门(?:文章|新闻|推荐)|猜你喜欢|"
    # German, Spanish, French, Polish
    r"(?:ähnliche|verwandte)\s+(?:beiträge|artikel|themen\w*)|mehr\s+zu(?:m|r)?\s+.{1,30}|"
    r"lesen\s+sie\s+(?:auch|mehr|weiter)|weiterlesen|das\s+könnte\s+sie\s+auch\s+interessieren|"
    r"auch\s+interessant|weitere\s+(?:artikel|beiträge|nachrichten|meldungen|themen)|"
    r"weiterführende\s+(?:links?|informationen|artikel|inhalte)|top[-\s]themen(?:\s+.{1,20})?|"
    r"meistgelesen\w*|lee\s+también|te\s+puede\s+interesar|(?:noticias|artículos)\s+relacionad[oa]s|"
    r"(?:à\s+)?lire\s+aussi|sur\s+le\s+même\s+sujet|articles\s+similaires|"
    r"czytaj\s+(?:też|także|również)|podobne\s+artykuły)"
    r"\s*[:：]?", re.I)
_RELATED_LABEL = 48   # characters at most of a related-content heading
_RELATED_MAX = 4000   # characters: a teaser block is short; the article it follows is not
_TEASER = 120         # characters of text per link at most in a block of teaser cards
_NAMED_TEASER = 300   # the same in a block named as related content (cards with excerpts)
_BEFORE_HEADING = 20  # characters before the heading in a block it still opens (a tab's label)


def _without_trailing_headings(lines: list[Line]) -> list[Line]:
    """``lines`` without the related-content headings they end with ("Mehr zum Thema",
    "Related posts", "相关链接"): a box whose cards were dropped, or that a script fills in,
    leaves its heading as the text's last line, which no article ends with."""
    end = len(lines)
    while end and not lines[end - 1].is_table and _is_related_label(lines[end - 1].text.strip()):
        end -= 1
    return lines[:end] if end < len(lines) else lines


def _is_related_label(label: str) -> bool:
    """A related-content heading's words ("Related posts", "Mehr zum Thema", "相关链接")."""
    return 0 < len(label) <= _RELATED_LABEL and bool(_RELATED_HEADING_RE.fullmatch(label))


def _teaser_cards(anchors: list, text: int, per_link: int = _TEASER) -> bool:
    """Are a block's ``anchors`` (with an href) and ``text`` characters teaser cards: three
    links or more, and a quarter of the text or more in them or at most ``per_link``
    characters of text per link? Teaser cards link by image and "Read more", their titles
    often not."""
    return len(anchors) >= 3 and (_links_len(anchors) >= 0.25 * text
                                  or text <= per_link * len(anchors))


def _drop_related_blocks(top) -> None:
    """Drop, under the density choice, the blocks a related-content heading opens: the
    heading's nearest ancestor (at most 4 up) holding three or more links, with a quarter of
    its text or more in them or at most _TEASER characters of text per link, at most
    _RELATED_MAX characters and under a third of ``top``'s text; when more than
    _BEFORE_HEADING characters come before the heading in it, only the heading and what
    follows it. Teaser cards (title, one-line summary, "Read more") are not all links, so the
    headline-list rule leaves them."""
    whole = text_content(top)
    if not _RELATED_HEADING_RE.search(whole):
        return  # most pages: no such heading anywhere
    total = len(_WS_RE.sub("", whole))
    doomed = []
    for h in top.iter():
        if not isinstance(h.tag, str) or h.tag in ("a", "body", "html") or len(h) > 3:
            continue  # a heading holds its words, not blocks
        label = _WS_RE.sub(" ", text_content(h)).strip()
        if not _is_related_label(label):
            continue
        for anc in list(h.iterancestors())[:4]:
            if anc is top or any(within(anc, d) for d, _ in doomed):
                break
            anchors = [a for a in anc.iter("a") if a.get("href")]
            if len(anchors) < 3:
                continue
            squeezed = _WS_RE.sub("", text_content(anc))
            text = len(squeezed)
            if text <= _RELATED_MAX and 3 * text < total and _teaser_cards(anchors, text):
                # text before the heading in the same block may be the article's own (a
                # one-sentence post and its "Related posts:" in one div): only the heading and
                # what follows it go then
                opens = squeezed.find(_WS_RE.sub("", label)) <= _BEFORE_HEADING
                doomed.append((anc, None if opens else h))
            break
    for anc, h in doomed:
        if anc.getparent() is None:
            continue
        if h is None:
            _drop(anc)
            continue
        node = h
        while node is not anc and node.getparent() is not None:
            parent = node.getparent()
            for sib in list(node.itersiblings()):
                _drop(sib)
            node = parent
        _drop(h)


def _drop_tail_blocks(top) -> None:
    """Drop, under the density choice, the short blocks named as what follows an article
    (furniture.TAIL_TOKEN_RE: author bio, newsletter box, social buttons, tag list): at most
    furniture.TAIL_MAX characters and under a third of ``top``'s text. Named chrome holding
    prose survives _drop_chrome_blocks (a mislabelled body); these names hold prose by nature.
    So do related-content boxes (furniture.RELATED_TOKEN_RE) of teaser cards (_teaser_cards;
    at most _RELATED_MAX characters and under half of the text, the name and the cards being
    two signs: a box of prose named "related-articles" is an article's section). So do
    consent dialogs under a plugin's own name (furniture.CONSENT_LOOSE_TOKEN_RE) that speak
    of cookies, consent or privacy and hold under half of the text. All are dropped here,
    after the choice: dropped before it, they moved it onto a fragment of the page."""
    total = _text_len(top)
    doomed = []
    for el in top.iterdescendants():
        # in document order, a block inside a doomed one comes before the next is doomed
        if not isinstance(el.tag, str) or (doomed and within(el, doomed[-1])):
            continue
        tokens = " ".join(filter(None, (el.get("class"), el.get("id"))))
        if not tokens:
            continue
        words = furniture.decamel(tokens)
        if furniture.TAIL_TOKEN_RE.search(words):
            text = _text_len(el)
            if text <= furniture.TAIL_MAX and 3 * text < total:
                doomed.append(el)
        elif furniture.RELATED_TOKEN_RE.search(words):
            text = _text_len(el)
            if text <= _RELATED_MAX and 2 * text < total and _teaser_cards(
                    [a for a in el.iter("a") if a.get("href")], text, _NAMED_TEASER):
                doomed.append(el)
        elif furniture.CONSENT_LOOSE_TOKEN_RE.search(tokens) \
                and furniture.CONSENT_WORDS_RE.search(text_content(el)) and 2 * _text_len(el) < total:
            doomed.append(el)
    for el in doomed:
        _drop(el)


def _drop_headline_lists(el) -> None:
    """Lists whose items are links (not attachments): related/latest headlines."""
    doomed = []
    for lst in el.iter("ul", "ol", "dl"):
        items = [c for c in lst if isinstance(c.tag, str) and c.tag in ("li", "dd", "dt")]
        if len(items) < 3:
            continue
        linky = 0
        for it in items:
            t = _text_len(it)
            anchors = list(it.iter("a"))
            if not anchors or t == 0:
                continue
            if any(is_attachment_href(a.get("href") or "", text_content(a)) for a in anchors):
                continue
            lt = _links_len(anchors)
            if lt >= 0.6 * t:
                linky += 1
        if linky >= max(3, 0.7 * len(items)):
            doomed.append(lst)
    for lst in doomed:
        if lst.getparent() is not None:
            _drop(lst)


def _clean_lines(lines: list[Line]) -> list[Line]:
    out: list[Line] = []
    for ln in lines:
        if not ln.is_table and furniture.is_chrome_line(ln.text, ln.link_ratio):
            continue
        out.append(ln)
    # runs of ≥3 consecutive link lines are headline lists (the report title may be among them)
    cleaned: list[Line] = []
    i = 0
    while i < len(out):
        if out[i].link_ratio >= 0.8 and not out[i].is_table and not out[i].attachment:
            j = i
            while j < len(out) and out[j].link_ratio >= 0.8 and not out[j].is_table \
                    and not out[j].attachment:
                j += 1
            if j - i >= 3 or (j == len(out) and j - i >= 2):
                i = j
                continue
        cleaned.append(out[i])
        i += 1
    # dialogs and browser warnings at the very end, whatever their exact wording
    while cleaned and furniture.DIALOG_RE.search(cleaned[-1].text):
        cleaned.pop()
    return cleaned


def _image_only(body_el, lines: list[str], title: str | None) -> bool:
    """A report published as scanned page images inside the HTML: (almost) no text besides
    the title, no attachment to fetch instead, and images that look like page scans
    (``_scan_candidates``): several distinct ones, or one declared page-sized. A page whose
    only images are spacers, bullets, logos or a lone undimensioned picture is a page whose
    text was not found, not a scan (cleaneval 618 claimed "OCR needed" for a spacer)."""
    if body_el.find(".//img") is None:
        return False
    t = _WS_RE.sub("", title or "")
    rest = sum(len(_WS_RE.sub("", ln)) for ln in lines if _WS_RE.sub("", ln) != t)
    if rest >= 50:
        return False
    if any(is_attachment_href(a.get("href") or "", text_content(a)) for a in body_el.iter("a")):
        return False
    # the body found may be a banner or an empty cell beside the scans (nothing to go by):
    # then the whole page's images, as _scan_images takes them
    scans = _scan_candidates(body_el) or _scan_candidates(body_el.getroottree().getroot())
    if len({src for src, _ in scans}) >= 2:
        return True
    return any(large for _, large in scans)


# file and folder names of page furniture, never of a report's page scans
_NOT_SCAN_RE = re.compile(
    r"(?<![a-z])(?:spacer|space|blank|pixel|clear|transparent|dot|bullet|arrow|icon|ico|logo|"
    r"banner|btn|button|nav|navigation|menu|rss|qr|qrcode|ewm|erweima|share|print|close|"
    r"search|bg|background|line|footer|header|top|bottom|more|weixin|weibo|wx|wb|gongan|"
    r"beian|jiucuo|conac|police|ga|loading)(?![a-z])", re.I)
# id/class words of elements that hold page chrome, not the report (tags: _CHROME_TAGS)
_CHROME_ATTR_RE = re.compile(r"(?<![a-z])(?:nav|menu|header|footer|banner|logo|top|bottom|"
                             r"sidebar|side|copyright|breadcrumb)(?![a-z])", re.I)
SCAN_LARGE = 400  # declared px (width or height) from which one image alone can be a page scan


def _px(value: str | None) -> int | None:
    """A declared size in pixels (``600``, ``600px``), or None (absent, ``100%``, junk)."""
    m = re.match(r"\s*(\d+)\s*(?:px)?\s*$", value or "", re.I)
    return int(m.group(1)) if m else None


def _declared_size(img) -> tuple[int | None, int | None]:
    style = img.get("style") or ""
    sw = re.search(r"(?<![-\w])width\s*:\s*(\d+)\s*px", style, re.I)
    sh = re.search(r"(?<![-\w])height\s*:\s*(\d+)\s*px", style, re.I)
    w = _px(img.get("width")) or (int(sw.group(1)) if sw else None)
    h = _px(img.get("height")) or (int(sh.group(1)) if sh else None)
    return w, h


def _page_like(img, scope) -> tuple[bool, bool]:
    """(can be a page scan, declared page-sized) for one ``<img>`` under ``scope``: not a
    data: URI, not linked (buttons, logos, QR codes), not inside page chrome (below
    ``scope``: the body found is trusted whatever its class), not named as furniture, not
    declared small or banner-shaped (far wider than a page), not an undimensioned GIF."""
    src = (img.get("src") or "").strip()
    if not src or src.startswith("data:"):
        return False, False
    for a in img.iterancestors():
        if a is scope:
            break
        if a.tag == "a" or a.tag in _CHROME_TAGS:
            return False, False
        if _CHROME_ATTR_RE.search(f"{a.get('id') or ''} {a.get('class') or ''}"):
            return False, False
    path = re.sub(r"^[a-z]+://[^/]+", "", src, flags=re.I).split("?")[0]
    if _NOT_SCAN_RE.search(path):
        return False, False
    w, h = _declared_size(img)
    if (w is not None and w < 200) or (h is not None and h < 200) or (w and h and w > 2.5 * h):
        return False, False
    if path.lower().endswith(".gif") and not (w and h):
        return False, False  # spacers and bullets are GIFs; a scan is seldom one
    return True, bool((w and w >= SCAN_LARGE) or (h and h >= SCAN_LARGE))


def _scan_candidates(scope) -> list[tuple[str, bool]]:
    """(src, declared page-sized) of the images under ``scope`` that can be page scans."""
    out = []
    for img in scope.iter("img"):
        ok, large = _page_like(img, scope)
        if ok:
            out.append((img.get("src").strip(), large))
    return out


def _scan_images(body_el, root, base: str) -> list[str]:
    """The page images of a report published as scans, in page order: the body's images that
    can be pages (``_page_like``); the whole page's if the body found has none (an empty body
    gives the container search nothing to go by)."""
    for scope in (body_el, root):
        found = [urljoin(base, src) for src, _ in _scan_candidates(scope)]
        if found:
            return list(dict.fromkeys(found))
    return []


def attachment_links(el, base: str) -> list[tuple[str, str]]:
    """(absolute URL, anchor text) of the attachment links under ``el``: the one rule the crawl
    follows too (archive.reports.urls.is_attachment_href; crawler.discovery.attachment_links)."""
    links: list[tuple[str, str]] = []
    seen: set[str] = set()
    for a in el.iter("a"):
        href = (a.get("href") or "").strip()
        text = _clean(text_content(a))
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        if not is_attachment_href(href, text):
            continue
        absolute = urljoin(base, href)
        if absolute in seen:
            continue
        seen.add(absolute)
        links.append((absolute, text))
    return links
