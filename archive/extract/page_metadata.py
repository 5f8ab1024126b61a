"""Page metadata of disclosure platforms: 索引号 / 发布机构 / 成文日期 / 发布日期 blocks.

Platforms print a block of label/value pairs above the report (a table, ``dl/dd`` pairs or
``p`` lines). :func:`find_metadata_blocks` finds those blocks in a parsed page so the
extractor can drop them from the text, and :func:`parse_metadata_text` turns their text into
fields: ``index_no``, ``publisher``, ``written`` and ``published`` (dates as YYYY-MM-DD).
"""
from __future__ import annotations

import re

from .html_text import text_content

__all__ = ["LABELS", "parse_metadata_text", "normalise_date", "find_metadata_blocks",
           "FIELD_LABELS"]

# label (spaces between its characters allowed) → field (None: stripped, not kept)
LABELS: dict[str, str | None] = {
    "索引号": "index_no", "索取号": "index_no", "信息索引号": "index_no",
    "发布机构": "publisher", "发文机关": "publisher", "发布单位": "publisher",
    "发文单位": "publisher", "责任部门": "publisher", "公开主体": "publisher",
    "信息公开主体": "publisher", "发布主体": "publisher", "公开责任部门": "publisher",
    "成文日期": "written", "生成日期": "written", "制发日期": "written", "形成日期": "written",
    "成文时间": "written", "发文日期": "written", "印发日期": "written",
    "发布日期": "published", "发布时间": "published", "公开日期": "published",
    "公开时间": "published", "发文时间": None,
    "公开方式": None, "公开形式": None, "主题分类": None, "组配分类": None, "体裁分类": None,
    "服务对象分类": None, "信息分类": None, "信息类别": None, "分类": None, "主题词": None,
    "关键词": None, "文号": None, "发文字号": None, "文件编号": None, "名称": None,
    "标题": None, "公开时限": None, "公开范围": None, "有效性": None, "时效性": None,
    "效力状况": None, "是否有效": None, "信息来源": None, "来源": None, "浏览次数": None,
    "访问量": None, "点击数": None, "字体": None, "分享": None, "所属机构": "publisher",
    "实施日期": None, "废止日期": None, "统一编号": None, "内容概述": None, "摘要": None,
}
FIELD_LABELS = {f: [k for k, v in LABELS.items() if v == f]
                for f in ("index_no", "publisher", "written", "published")}
# labels that only occur in metadata blocks (not in ordinary prose headings)
_STRONG = {"索引号", "索取号", "信息索引号", "发布机构", "成文日期", "生成日期", "公开方式",
           "主题分类", "组配分类", "体裁分类", "发文机关", "公开时限", "公开范围", "服务对象分类"}

_SPACED = {k: r"\s*".join(map(re.escape, k)) for k in LABELS}
# a label at the start of a segment or after whitespace, followed by a colon or a segment end
_LABEL_RE = re.compile(
    r"(?:^|(?<=[\s|]))(" + "|".join(sorted(_SPACED.values(), key=len, reverse=True)) +
    r")\s*(?:[:：]|(?=\n)|$)", re.M)
# any label anywhere: at least as many hits in an element's plain text as parse_metadata_text
# counts labels in its segmented text (which needs a boundary before each)
_ANY_LABEL_RE = re.compile("|".join(sorted(_SPACED.values(), key=len, reverse=True)))
# The one pattern of a written date (2020年8月2日, 2017-3-10, 2017/03/10), for page metadata,
# list rows (crawler.discovery) and calendar URLs alike.
DATE_RE = re.compile(
    r"((?:19|20)\d{2})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?")
_WS_RE = re.compile(r"\s+")


def normalise_date(value: str | None) -> str | None:
    """'2020年08月02日' / '2017-3-10 12:01' / '2017/03/10' → '2020-08-02' (None if no date)."""
    if not value:
        return None
    m = DATE_RE.search(value)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _label_key(matched: str) -> str:
    return _WS_RE.sub("", matched)


def parse_metadata_text(text: str) -> tuple[dict, int, int]:
    """Parse label/value text (segments separated by newlines).

    Returns (fields, number of labels with a value, number of strong labels with a value):
    labels without a value (a table header row 信息名称 | 公开方式 | 公开时限) do not count."""
    fields: dict = {}
    matches = list(_LABEL_RE.finditer(text))
    strong = 0
    valued = 0
    for i, m in enumerate(matches):
        key = _label_key(m.group(1))
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[m.end():end].strip(" \t\r\n:：|")
        value = _WS_RE.sub(" ", value).strip()
        if value:
            valued += 1
            if key in _STRONG:
                strong += 1
        field = LABELS.get(key)
        if not field or not value or field in fields:
            continue
        if field in ("written", "published"):
            date = normalise_date(value)
            if date:
                fields[field] = date
        else:
            if len(value) <= 120:
                fields[field] = value
    return fields, valued, strong


def segments_text(el) -> str:
    """Text of an element with a newline at every element boundary except inline formatting,
    so label and value cells stay apart while a label split in ``<font>`` runs stays whole."""
    parts: list[str] = []
    _segments(el, parts)
    return "".join(parts)


_INLINE = {"font", "b", "strong", "i", "em", "u", "a", "label", "small", "big", "sup", "sub",
           "abbr", "code", "s", "strike", "ins", "mark", "o:p", "nobr"}


def _segments(el, parts: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    inline = tag.lower() in _INLINE
    if not inline:
        parts.append("\n")
    if el.text and tag:
        parts.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _segments(child, parts)
        if child.tail:
            parts.append(child.tail)
    if not inline:
        parts.append("\n")


_MAX_BLOCK_CHARS = 1500  # no metadata block is longer (text_content, whitespace included)
# A text node holding one of these starts the search for a block around it.
SEED_RE = re.compile("索引|索 引|索取号|发布机构|成文日期|成文时间|公开方式|生成日期|主题分类|发文机关|"
                     "组配分类|发 布 机 构")


def elements_with_text(root, *patterns: re.Pattern) -> list[list]:
    """For each pattern, the elements one of whose own text nodes (text, or a child's tail)
    it matches, in document order. One walk serves every pattern: an XPath ``contains()`` per
    label copies every text node of the page once per label."""
    found: list[dict] = [{} for _ in patterns]
    for el in root.iter():
        text, tail = el.text, el.tail
        if text and isinstance(el.tag, str):
            for hits, pattern in zip(found, patterns):
                if pattern.search(text):
                    hits[el] = None
        if tail:
            for hits, pattern in zip(found, patterns):
                if pattern.search(tail):
                    parent = el.getparent()
                    if parent is not None:
                        hits[parent] = None
    return [sorted(hits, key=_document_position) if len(hits) > 1 else list(hits) for hits in found]


def _document_position(el) -> list[int]:
    path = []
    parent = el.getparent()
    while parent is not None:
        path.append(parent.index(el))
        el, parent = parent, parent.getparent()
    path.reverse()
    return path


def find_metadata_blocks(root, seeds: list | None = None, holds_body: set | None = None) -> list:
    """Metadata blocks as (element, fields): maximal ones, never the whole page.

    A block holds at least two labels, at least one of them "strong" (索引号, 发布机构,
    成文日期, 公开方式, ...), and little else besides. `seeds`: the elements whose text
    matches SEED_RE, if the caller already has them (elements_with_text). `holds_body`: the
    report's container and its ancestors; a block never grows into one of them (a cover page
    whose body is only "详见附件。" made the whole main column look like metadata)."""
    holds_body = holds_body or set()
    found: list = []
    seen: set = set()
    measured: dict = {}  # element -> (raw length, compact length, parsed fields): seeds share ancestors

    def measure(el):
        """(raw length, compact length, parsed fields or None). None: the element is too long
        (or too long for the labels it could hold), so it is no block and the climb's rules
        below decide without a parse (segmenting report tables for nothing was 95% of this
        step)."""
        got = measured.get(el)
        if got is None:
            plain = text_content(el)
            raw_len = len(plain)
            if raw_len > _MAX_BLOCK_CHARS * 3:
                got = (raw_len, 0, None)
            else:
                compact = len(_WS_RE.sub("", plain))
                if compact > 120 + 60 * max(len(_ANY_LABEL_RE.findall(plain)), 1):
                    got = (raw_len, compact, None)
                else:
                    got = (raw_len, compact, parse_metadata_text(segments_text(el)))
            measured[el] = got
        return got

    if seeds is None:
        [seeds] = elements_with_text(root, SEED_RE)
    for seed in seeds:
        if seed in seen:
            continue
        el = seed
        best = None
        best_n = best_compact = 0
        for _ in range(8):
            if el is None or el.tag in ("body", "html") or el in holds_body:
                break
            if el in seen:
                best = None
                break
            raw_len, compact, parsed = measure(el)
            if raw_len > _MAX_BLOCK_CHARS * 3:
                break
            if parsed is None:  # longer than 120 + 60 × the labels it could hold: not a block
                if best is not None:
                    break  # one of the two stops below would apply, whatever its label count
                el = el.getparent()
                continue
            fields, n, strong = parsed
            if best is not None and n <= best_n and compact > best_compact + 3:
                break  # the parent adds text but no labels: the report, not metadata
            if n >= 2 and strong >= 1 and compact <= 120 + 60 * n:
                best = (el, fields)
                best_n, best_compact = n, compact
            elif best is not None and compact > 120 + 60 * max(n, 1):
                break
            el = el.getparent()
        if best is not None:
            found = [b for b in found if not within(b[0], best[0])]
            if not any(within(best[0], b[0]) for b in found):
                found.append(best)
            seen.update(best[0].iter())
    return found


def within(el, ancestor) -> bool:
    """`el` is `ancestor` or inside it (still attached to it)."""
    while el is not None:
        if el is ancestor:
            return True
        el = el.getparent()
    return False
