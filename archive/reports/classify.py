"""Is this title a 政府信息公开工作年度报告? Which year does it cover? Who published it?

Pure functions on titles (anchor texts, page titles, file names). The crawl uses them to decide
which links are reports; re-indexing uses them to decide which captures become rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Chinese numerals as used in years: 二〇一七 / 二○一七 / 二零一七.
_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3",
              "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_YEAR = re.compile(r"([二一][〇○零Ｏ一二三四五六七八九]{3})年")

# The report phrase must close the title: "…信息公开工作年度报告", "…信息公开年报（2015年）".
# What may follow it: a bracketed year or note, a file extension, punctuation.
_REPORT_END = re.compile(
    r"(?:政府)?(?:信息公开|政务公开)[^。；;，,]{0,12}?(?:年度报告|年报|年度工作报告|工作报告)"
    r"\s*(?:[（(【\[][^）)】\]]{0,16}[）)】\]])?\s*"
    r"(?:\.(?:s?html?|pdf|docx?|wps|xlsx?|et|ofd))?\s*[。.]?\s*$"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_BRACKET_YEAR = re.compile(r"[（(【\[]\s*((?:19|20)\d{2})\s*(?:年|年度)?\s*[）)】\]]")
_BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")

# Titles that look like reports but are not (DOMAIN.md "Look-alikes"), and notices about a report.
_REJECT = re.compile(
    r"指南|制度|目录|工作要点|要点|法治政府|统计公报|国民经济|预算|决算|通知|更正|勘误|撤销|"
    r"解读|图解|培训|会议|召开|部署|征求|意见|测评|评估|排名|通报|公示|说明"
)
# List bullets ("1.", "2、", "·") but not a leading year.
_TITLE_JUNK = re.compile(r"^(?:\d{1,2}[.、．]|[.、:：\-—_·•>\s])+")
_BODY_SUFFIX = re.compile(r"(?:关于|的)$")
_BODY_PREFIX = re.compile(r"^关于")  # "关于XX县2023年政府信息公开工作年度报告"


@dataclass(frozen=True)
class ReportTitle:
    """What a report title tells: the covered year and the body that issued it (if named)."""

    year: int
    body: str | None


def normalize_title(title: str) -> str:
    """Collapse whitespace (incl. full-width) and strip list bullets from a title."""
    title = re.sub(r"[\s\u3000\xa0]+", "", title or "")
    return _TITLE_JUNK.sub("", title)


def _cn_year_to_digits(title: str) -> str:
    return _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS.get(c, c) for c in m.group(1)) + "年", title)


def classify_title(title: str | None) -> ReportTitle | None:
    """Return the report's covered year and body if `title` names a disclosure annual report.

    >>> classify_title("衢州市人民政府2016年政府信息公开工作年度报告")
    ReportTitle(year=2016, body='衢州市人民政府')
    >>> classify_title("政府信息公开年报（2015年）")
    ReportTitle(year=2015, body=None)
    >>> classify_title("2019年政府信息公开指南") is None
    True
    >>> classify_title("关于江吉县2023年政府信息公开工作年度报告").body
    '江吉县'
    """
    if not title:
        return None
    t = _cn_year_to_digits(normalize_title(title))
    if len(t) > 80 or not _REPORT_END.search(t) or _REJECT.search(t):
        return None
    m = _YEAR.search(t) or _BRACKET_YEAR.search(t) or _BARE_YEAR.search(t)
    if not m:
        return None
    year = int(m.group(1))
    body = None
    head = t[: m.start()]
    cut = re.search(r"(?:政府)?(?:信息公开|政务公开)", head)
    if cut:  # "政府信息公开年报（2015年）": the year follows the report phrase
        head = head[: cut.start()]
    if not head:
        # "2019年度XX局政府信息公开工作年度报告": the body sits between year and report phrase.
        after = t[m.end():]
        after = re.sub(r"^度", "", after)
        cut = re.search(r"(?:政府)?(?:信息公开|政务公开)", after)
        head = after[: cut.start()] if cut else ""
    head = _BODY_PREFIX.sub("", _BODY_SUFFIX.sub("", head.strip("（(【[ ")))
    if head.endswith("人民"):  # "2021年度XX市人民政府信息公开…": the cut took 人民政府's 政府
        head += "政府"
    if 2 <= len(head) <= 30 and not _BARE_YEAR.search(head):
        body = head
    return ReportTitle(year=year, body=body)
