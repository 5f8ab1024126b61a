"""Render an HTML element to text lines the way a browser lays it out, and tables to grids.

- Block elements (p, div, h1–h6, li, dd, …) and ``<br>`` start new lines.
- Inline runs join without loss: Word-pasted bodies put every run, digit, 年/月/日 and 〔〕 in
  its own ``<span>``/``<font>``, often with a newline between the tags. Whitespace next to a
  CJK character is dropped (what a browser does with the segment break between two wide
  characters), other whitespace collapses to one space; ``&nbsp;``/U+3000 runs count as one
  deliberate space. Zero-width characters and soft hyphens go.
- Data tables become one line per row, cells joined by `` | ``, on a grid with colspan and
  rowspan resolved (archive/extract/tables.py). A table holding another table, with a single
  column, or written without ``<tr>`` (a hand-made page layout), is layout: its cells render as
  ordinary blocks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from archive.reports.urls import ATTACHMENT_EXT_RE, is_attachment_href  # noqa: F401 - re-exported

from .tables import Cell, build_grid, row_line

__all__ = ["Line", "render", "normalise_inline", "is_attachment_href", "ATTACHMENT_EXT_RE", "text_content"]

# All the text inside an element: lxml.html's HtmlElement.text_content(), for the plain lxml
# elements extraction parses into (lxml.html's per-element class lookup costs ~10% of it).
text_content = etree.XPath("string()", smart_strings=False)

BLOCK_TAGS = frozenset((
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "section", "article", "header", "footer", "blockquote", "address", "center", "form",
    "fieldset", "figure", "figcaption", "hr", "main", "aside", "nav", "details", "summary",
    "caption", "legend", "menu", "dir", "body", "html", "tr", "td", "th", "tbody", "thead",
    "tfoot", "table", "pre", "noframes", "frameset", "ucapcontent", "listing", "xmp",
    "plaintext", "option", "optgroup", "hgroup", "search",
))

_STRUCTURE_TAGS = tuple(BLOCK_TAGS | {"br", "table", "pre", "a"})

_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_NBSP_RUN_RE = re.compile("[\u00a0\u3000\u2002-\u200a\u202f\u205f]+")
_WS_RUN_RE = re.compile(r"[ \t\r\n\f\v]+")
_CJK = ("\u2e80-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
        "\U00020000-\U0003ffff")
# quotes, dashes, ellipsis, middle dot: wide in Chinese text, narrow in English ("the “Switch
# Off” days" keeps its spaces); a space beside one goes only when CJK or another is across it
_AMBIGUOUS = "\u2018-\u201f\u2014\u2026\u00b7"
_SPACE_NEAR_CJK_RE = re.compile(
    f"(?<=[{_CJK}]) +| +(?=[{_CJK}])|(?<=[{_AMBIGUOUS}]) +(?=[{_AMBIGUOUS}])")
_MULTI_SPACE_RE = re.compile(r"[ \x01]+")


# Anything normalise_inline would change; most table cells ("12", "收到申请数") have none.
_INLINE_WORK_RE = re.compile("[\\s\x01\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0\u3000\u2002-\u200a\u202f\u205f]")


def normalise_inline(s: str) -> str:
    """Collapse one line's whitespace (see module docstring)."""
    if not s:
        return ""
    if not _INLINE_WORK_RE.search(s):
        return s
    s = _ZERO_WIDTH_RE.sub("", s)
    s = _NBSP_RUN_RE.sub("\x01", s)
    s = _WS_RUN_RE.sub(" ", s)
    s = _SPACE_NEAR_CJK_RE.sub("", s)
    s = _MULTI_SPACE_RE.sub(" ", s)
    return s.strip()


@dataclass
class Line:
    text: str
    link_ratio: float = 0.0  # share of the line's characters inside non-attachment links
    is_table: bool = False
    attachment: bool = False


class _Renderer:
    __slots__ = ("lines", "tables", "buf", "link_chars", "att", "structured")

    def __init__(self, structured: frozenset | set = frozenset()):
        # elements with a block, <br>, <table>, <pre> or <a> below them; the text of any other
        # element is just its text (see _structured)
        self.structured = structured
        self.lines: list[Line] = []
        self.tables: list[list[list[str]]] = []
        self.buf: list[str] = []
        self.link_chars = 0
        self.att = False

    # -- text buffer ----------------------------------------------------------------
    def add(self, s: str | None, link: int) -> None:
        if s:
            self.buf.append(s)
            if link == 1:
                self.link_chars += len(s) - s.count(" ") - s.count("\n")
            elif link == 2:
                self.att = True

    def flush(self) -> None:
        if not self.buf:
            return
        raw = "".join(self.buf)
        text = normalise_inline(raw)
        if text:
            n = len(text.replace(" ", ""))
            ratio = min(1.0, self.link_chars / n) if n else 0.0
            self.lines.append(Line(text, ratio, False, self.att))
        self.buf = []
        self.link_chars = 0
        self.att = False

    # -- tree walk --------------------------------------------------------------------
    def walk(self, el, link: int = 0) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comment / PI: only its tail counts (added by parent)
            return
        tag = tag.lower()
        if tag == "br":
            self.flush()
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        if tag == "pre":
            self.flush()
            for raw in text_content(el).splitlines():
                text = normalise_inline(raw)
                if text:
                    self.lines.append(Line(text))
            return
        if tag == "a" and link == 0:
            href = el.get("href") or ""
            link = 2 if is_attachment_href(href, text_content(el)) else 1
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        if el in self.structured:
            self.contents(el, link)
        else:
            # inline runs only (a Word-pasted paragraph: dozens of <span>s): one C-level
            # string() instead of a Python call per run; same text
            self.add(text_content(el) if len(el) else el.text, link)
        if block:
            self.flush()

    def contents(self, el, link: int = 0) -> None:
        """What is inside `el`: its text, and each child followed by its tail."""
        self.add(el.text, link)
        for child in el:
            self.walk(child, link)
            if child.tail:
                self.add(child.tail, link)

    def table(self, table) -> None:
        strays: list = []
        rows = _table_rows(table, strays)
        for el in strays:  # a browser moves them out, before the table ("foster parenting")
            self.walk(el)
            self.flush()
        layout = (not rows or table.find(".//table") is not None or any(_IMPLIED in tr.attrib for tr in rows)
                  or all(_row_width(tr) <= 1 for tr in rows) or _mostly_links(table)
                  or _holds_prose(rows))
        caption = table.find("caption")
        if caption is not None:
            self.walk(caption)
            self.flush()
        if layout:
            for tr in rows:
                for cell in tr:
                    if isinstance(cell.tag, str) and cell.tag in ("td", "th"):
                        self.walk(cell)
                        self.flush()
            return
        cells_rows: list[list[Cell]] = []
        for tr in rows:
            cells = []
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                    continue
                cells.append(Cell(cell_text(cell, self.structured), _span(cell.get("colspan")),
                                  _span(cell.get("rowspan"), zero_ok=True)))
            cells_rows.append(cells)
        grid = build_grid(cells_rows)
        if not grid:
            return
        self.tables.append(grid)
        for row in grid:
            self.lines.append(Line(row_line(row), 0.0, True, False))


def cell_text(cell, structured: frozenset | set) -> str:
    """A table cell's text on one line (its own paragraphs joined). `structured`: the
    renderer's (see _structured)."""
    if not len(cell):  # text only: what the renderer would make of it, without one
        return normalise_inline(cell.text)
    # Shortcuts for a cell that renders as one line: normalised twice like the walk's line
    # joined below (the second pass drops a &nbsp; space that ended up next to CJK).
    if cell not in structured:  # inline runs only
        return normalise_inline(normalise_inline(text_content(cell)))
    if len(cell) == 1 and not normalise_inline(cell.text) and not normalise_inline(cell[0].tail):
        only = cell[0]  # Word's <td><p><span>…</span></p></td>: one paragraph, one line
        if only not in structured and isinstance(only.tag, str) and only.tag in BLOCK_TAGS \
                and only.tag not in ("table", "pre"):
            return normalise_inline(normalise_inline(text_content(only)))
    sub = _Renderer(structured)
    sub.contents(cell)
    sub.flush()
    return normalise_inline(" ".join(ln.text for ln in sub.lines))


_WS_RE = re.compile(r"\s+")


def _mostly_links(table) -> bool:
    """A navigation bar or headline list laid out as a table (not attachments)."""
    anchors = [a for a in table.iter("a") if not is_attachment_href(a.get("href") or "")]
    if not anchors:
        return False
    total = len(_WS_RE.sub("", text_content(table)))
    links = sum(len(_WS_RE.sub("", text_content(a))) for a in anchors)
    return total > 0 and links >= 0.7 * total


_PROSE_ROW = 2000  # characters of one row beyond which, with blocks inside, it is a page
_PROSE_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "blockquote", "br")


def _holds_prose(rows) -> bool:
    """A page laid out in a table: a row that holds headings, lists or paragraphs of more
    than _PROSE_ROW characters. Read as data, the whole page became one `` | `` line."""
    for tr in rows:
        if len(_WS_RE.sub("", text_content(tr))) > _PROSE_ROW and \
                sum(1 for _ in tr.iter(*_PROSE_BLOCKS)) >= 3:
            return True
    return False


_ROW_WRAPPER_SKIP = frozenset(("table", "td", "th", "caption", "colgroup", "col"))


def _table_rows(table, strays: list | None = None) -> list:
    """The rows of ``table``, in order: its ``<tr>`` children and those of its row groups,
    and rows inside other wrappers (``<span>``, ``<form>``, ``<div>`` around rows: a browser
    lifts them out of the wrapper, libxml2 keeps them inside; skipping them lost whole
    article bodies, #17 point 4). Cells with no ``<tr>`` around them (``<table><td>…``) get
    one, as a browser gives them: skipped, a page laid out that way lost its whole article.
    Content that is in no cell (a ``<p>`` straight inside ``<table>``) goes to ``strays``:
    a browser shows it before the table; read as a wrapper of rows it was lost."""
    rows = []
    loose: list = []
    for child in list(table):
        if not isinstance(child.tag, str):
            continue
        if child.tag in ("td", "th"):
            loose.append(child)
            continue
        if loose:
            rows.append(_implied_row(loose))
            loose = []
        if child.tag == "tr":
            rows.append(child)
        elif child.tag == "table":
            if strays is not None:
                strays.append(child)  # a table straight inside a table: moved out too
        elif child.tag not in _ROW_WRAPPER_SKIP:
            if strays is not None and _CELL_XPATH(child) == []:
                strays.append(child)  # holds no row or cell: not a wrapper of rows
            else:
                rows.extend(_table_rows(child, strays))
    if loose:
        rows.append(_implied_row(loose))
    return rows


_CELL_XPATH = etree.XPath("descendant::*[self::tr or self::td or self::th][1]")


_IMPLIED = "data-nianbao-implied-row"


def _implied_row(cells: list):
    """Put ``cells`` (siblings, in order) into a new ``<tr>`` where the first one stood, marked
    as implied: editors that make data tables write their rows, so such a table is layout."""
    parent = cells[0].getparent()
    tr = etree.Element("tr", {_IMPLIED: ""})
    parent.insert(parent.index(cells[0]), tr)
    tr.extend(cells)  # each cell keeps its tail
    return tr


def _row_width(tr) -> int:
    return sum(_span(c.get("colspan")) for c in tr
               if isinstance(c.tag, str) and c.tag in ("td", "th"))


_INT_RE = re.compile(r"\d+")


def _span(value: str | None, zero_ok: bool = False) -> int:
    if not value:
        return 1
    m = _INT_RE.search(value)
    if not m:
        return 1
    n = int(m.group())
    if n == 0:
        return 0 if zero_ok else 1
    return n


def _structured(el) -> set:
    """`el` and the elements below it that hold a block element, <br>, <table>, <pre> or <a>:
    the ones the renderer must walk child by child. One C-level pass over those tags, then up
    their ancestors (a tag-filtered iterdescendants() per element costs more than it saves)."""
    marked: set = set()
    for found in el.iterdescendants(*_STRUCTURE_TAGS):
        up = found.getparent()
        while up is not None and up not in marked:
            marked.add(up)
            if up is el:
                break
            up = up.getparent()
    return marked


def render(el) -> tuple[list[Line], list[list[list[str]]]]:
    """Lines and data-table grids of an element."""
    r = _Renderer(_structured(el))
    try:
        if isinstance(el.tag, str) and el.tag in ("table", "pre"):
            r.walk(el)  # the body is itself a table: render it as one
        else:
            r.contents(el)
        r.flush()
    except RecursionError:  # pathological nesting: plain text, line by line
        r = _Renderer()
        for raw in text_content(el).splitlines():
            text = normalise_inline(raw)
            if text:
                r.lines.append(Line(text))
    return r.lines, r.tables
