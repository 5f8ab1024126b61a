"""Is this page an error page served with HTTP 200 (a "soft 404")?

Chinese government portals answer a deleted or mistyped page with 200 and a page saying
"对不起，您访问的页面不存在", "该信息已撤销或已过期", "404 Not Found"... A report link that
leads there is no report, and a known report whose URL now answers so is gone, as on a real
404. The crawl and ``archive reindex`` both ask `is_soft_404` (through archive.reports.ingest),
so a rebuilt index decides the same way.

Only short pages qualify: an error page holds a sentence or two besides the portal's chrome,
while a real report (even a cover page for its attachment, which may say anything in a
line) is never cut to an error message near its top. Reports do say "申请信息不存在" in
their statistics tables; the length cap and the phrase rules keep them out.
"""
from __future__ import annotations

import re

# Non-space characters of text (title included) above which a page is never an error page.
# The longest error pages seen carry a header menu, a crumb trail and a footer (~300).
MAX_CHARS = 600
# The error sentence must come this early in the text (non-space characters before it):
# after the title and a short header menu, not inside a report body.
NEAR_TOP = 300

# What is missing, then that it is missing: "页面不存在", "页面已删除或不存在", "信息已撤销",
# "您访问的文章已被删除", "该信息已过期". Not "申请信息不存在" (a statistics row of reports),
# and never across a sentence break or through 公开 ("信息公开…不存在").
_MISSING = re.compile(
    r"(?<!申请)(?:页面|网页|文章|信息|内容|文件|稿件|资源|链接|栏目)"
    r"[^。！!？?，,；;\n公]{0,6}?"
    r"(?:不存在|已被?删除|已被?撤销|已撤稿|已被?撤回|已过期|已下线|已失效|已被?移除|找不到|无法找到|无法访问)"
)
_CANNOT_FIND = re.compile(r"(?:找不到|无法找到|未找到)(?:该|此|您|所)?[^。！!，,\n]{0,6}?(?:页面|网页|文件|信息)")
_ENGLISH = re.compile(
    r"\b(?:404\s*[-:]?\s*)?(?:page|file|document|resource)?\s*not\s+found\b|"
    r"\bpage\s+(?:cannot|could\s+not|can't)\s+be\s+found\b|\bno\s+longer\s+available\b|"
    r"\b410\s+gone\b",
    re.I,
)
# A page title that is itself the error: "404", "404 Not Found", "页面不存在", "错误页",
# "出错了", "访问的页面不存在 - 某市人民政府".
_TITLE = re.compile(
    r"^\s*(?:HTTP\s*)?(?:404|410)(?:\s|$|[-_|：:]|错误|页面)|^\s*(?:错误页面?|出错了|页面错误|访问出错|提示信息)\s*"
    r"(?:$|[-_|])",
    re.I,
)


_SPACE_RE = re.compile(r"\s+")


def _nonspace(s: str) -> int:
    return len(_SPACE_RE.sub("", s))


def _cue(s: str) -> str | None:
    """The error sentence's words found in ``s``, or None."""
    for pattern in (_MISSING, _CANNOT_FIND, _ENGLISH):
        m = pattern.search(s)
        if m and m.group(0).strip():
            return m.group(0).strip()
    return None


def _head(text: str, chars: int) -> str:
    """The start of ``text`` holding ``chars`` non-space characters."""
    seen = 0
    for i, c in enumerate(text):
        if not c.isspace():
            seen += 1
            if seen > chars:
                return text[:i]
    return text


def is_soft_404(title: str | None, text: str | None, status: int | None = 200) -> str | None:
    """Why a page answered with HTTP 200 is an error page ("soft 404"), or None if it is not.

    ``title``/``text``: the page's extracted title and text (the text may repeat the title).
    The reason names the cue, e.g. ``soft 404: page says "页面不存在"``.

    >>> is_soft_404("404", "对不起，您访问的页面不存在或已被删除！")
    'soft 404: page says "页面不存在"'
    >>> is_soft_404("某市2019年政府信息公开工作年度报告", "一、总体情况 …申请信息不存在7件…" * 100) is None
    True
    """
    if status not in (200, None):  # a real error status is reported as such, not here
        return None
    title, text = (title or "").strip(), text or ""
    # a report's text is long: settle it without counting (it is asked of every HTML page)
    if len(text) > 8 * MAX_CHARS or _nonspace(text) > MAX_CHARS:
        return None
    said = _cue(title) or _cue(_head(text, NEAR_TOP))
    if said:
        return f'soft 404: page says "{said}"'
    if _TITLE.search(title):
        return f'soft 404: page titled "{title[:40]}"'
    return None
