"""The labels of the statistics tables and their stable keys.

The State Council prescribes three tables (格式 of 国办公开办函〔2019〕60号 for the 2019–2020
reports, 〔2021〕30号 from 2021 on): 主动公开 (Article 20 items), 收到和处理申请 (applications by
applicant column) and 复议诉讼 (reconsiderations and lawsuits). Before 2019 a free 统计表 of
统计指标 | 单位 | 统计数 was used. Labels are matched after :func:`norm` (NFKC, no whitespace,
no numbering such as （一）/(一)/一、/1.), by keyword: printed labels carry notes in brackets and
local additions, so an exact match would miss most of them.
"""
from __future__ import annotations

import functools
import re
import unicodedata

# Table names as stored in report_stats.table
ACTIVE, APPLICATIONS, REVIEW, LEGACY = "主动公开", "收到和处理申请", "复议诉讼", "legacy"

_WS = re.compile(r"\s+")
# （一） (一) 一、 1. 1、 （1） ① at the start of a label, possibly repeated ("三、（一）")
_NUMBERING = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．](?!\d)|[①-⑳])"
)


# A report's cells are normalised many times over (classify, continuation, row and column keys)
# and the same labels recur in every report: cached, this was 1.8% of the crawl's CPU uncached.
@functools.lru_cache(maxsize=1 << 15)
def norm(text: str) -> str:
    """Label text for matching: NFKC (full-width → ASCII), all whitespace removed."""
    return _WS.sub("", unicodedata.normalize("NFKC", text or ""))


def strip_numbering(label: str) -> str:
    """Remove leading numbering: '（三）不予公开' → '不予公开', '三、本年度办理结果' → '本年度办理结果'."""
    s = norm(label)
    while True:
        m = _NUMBERING.match(s)
        if not m:
            return s
        s = s[m.end():]


# ---- 收到和处理申请 (2019 and 2021): rows -------------------------------------------------
# (key, keywords that must all occur, parent group or None). Order matters: the first match wins,
# so the specific sub-items come before their group's generic words.
APPLICATION_ROWS: list[tuple[str, tuple[str, ...], str | None]] = [
    ("new_requests", ("本年新收",), None),
    ("carried_over", ("上年结转",), None),
    ("carried_forward", ("结转下年度",), None),
    ("results_total", ("总计",), "results"),
    ("disclosed", ("予以公开",), "results"),
    ("partly_disclosed", ("部分公开",), "results"),
    ("withheld_state_secret", ("国家秘密",), "withheld"),
    ("withheld_prohibited_by_law", ("禁止公开",), "withheld"),
    ("withheld_three_safeties", ("三安全一稳定",), "withheld"),
    ("withheld_third_party", ("第三方",), "withheld"),
    ("withheld_internal_affairs", ("内部事务",), "withheld"),
    ("withheld_process_info", ("过程性信息",), "withheld"),
    ("withheld_enforcement_file", ("执法案卷",), "withheld"),
    ("withheld_query_matter", ("查询事项",), "withheld"),
    ("unavailable_not_held", ("不掌握",), "unavailable"),
    ("unavailable_needs_creation", ("另行制作",), "unavailable"),
    ("unavailable_unclear", ("仍不明确",), "unavailable"),
    ("not_processed_petition", ("信访",), "not_processed"),
    ("not_processed_repeated", ("重复申请",), "not_processed"),
    ("not_processed_publication", ("出版物",), "not_processed"),
    ("not_processed_excessive", ("大量反复",), "not_processed"),
    ("not_processed_confirmation", ("重新出具",), "not_processed"),
    # 2021: （六）其他处理 has three sub-rows; 2019: one row
    ("other_no_correction", ("逾期不补正",), "other"),
    ("other_no_fee", ("缴纳费用",), "other"),
]
# the groups' own labels (a row whose most specific label is the group itself)
APPLICATION_GROUPS = {"不予公开": "withheld", "无法提供": "unavailable", "不予处理": "not_processed",
                      "其他处理": "other", "本年度办理结果": "results"}
# sub-items that make up (七)总计
RESULT_PARTS = ("disclosed", "partly_disclosed", "withheld_", "unavailable_", "not_processed_",
                "other_")

APPLICANT_COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("natural_person", ("自然人",)),
    ("commercial", ("商业企业",)),
    ("research", ("科研机构",)),
    ("public_interest", ("社会公益组织",)),
    ("legal_services", ("法律服务机构",)),
    ("other_org", ("其他",)),
    ("total", ("总计",)),
]
ORG_COLUMNS = ("commercial", "research", "public_interest", "legal_services", "other_org")


def application_row_key(labels: list[str], group: str | None) -> tuple[str | None, str | None]:
    """Row key of an application-table row from its label cells (most specific last) and the
    group the previous rows were in; returns (key, group the row belongs to)."""
    for label in reversed(labels):
        s = strip_numbering(label)
        if not s:
            continue
        for key, words, parent in APPLICATION_ROWS:
            if all(w in s for w in words):
                return key, parent
        for word, grp in APPLICATION_GROUPS.items():
            if s.startswith(word):
                if grp == "other":
                    return "other_handling", "other"
                group = grp
                break
        else:
            if s.startswith("其他") and group == "other":
                return "other_other", "other"
    return None, group


# ---- 主动公开 (Article 20) -----------------------------------------------------------------
ACTIVE_ROWS: list[tuple[str, tuple[str, ...]]] = [
    ("regulations", ("规章",)),
    ("normative_documents", ("规范性文件",)),
    ("other_documents", ("其他主动公开文件",)),
    ("licensing", ("行政许可",)),
    ("other_services", ("其他对外管理服务",)),
    ("penalties", ("行政处罚",)),
    ("enforcement", ("行政强制",)),
    ("fees", ("行政事业性收费",)),
    ("procurement", ("政府集中采购",)),
]
# header words → column key; 2019: 新制作/新公开/对外公开总数, 2021: 制发/废止/现行有效
ACTIVE_COLUMNS: list[tuple[str, tuple[str, ...], str | None]] = [
    ("made", ("新制作",), "件"),
    ("published", ("新公开",), "件"),
    ("public_total", ("对外公开总数",), "件"),
    ("issued", ("制发",), "件"),
    ("repealed", ("废止",), "件"),
    ("in_force", ("现行有效",), "件"),
    ("items_prev_year", ("上一年项目数",), "个"),
    ("items_change", ("增",), "个"),
    ("decisions", ("处理决定数",), "件"),
    ("fee_amount", ("收费金额",), "万元"),
    ("procurement_items", ("采购项目数",), "个"),
    ("procurement_amount", ("采购总金额",), "万元"),
]


def active_row_key(label: str) -> str | None:
    """Key of a 主动公开 row. Matched on the label before its note in brackets: the note of
    其他对外管理服务事项 lists 行政许可以外…行政处罚、行政强制, which are rows of their own."""
    s = re.split(r"[(（]", strip_numbering(label), maxsplit=1)[0] or strip_numbering(label)
    for key, words in ACTIVE_ROWS:
        if all(w in s for w in words):
            # "规范性文件" must not catch "其他主动公开文件（…除规范性文件以外…）"
            if key == "normative_documents" and s.startswith("其他"):
                continue
            return key
    return None


def active_column_key(header: str) -> tuple[str, str | None] | None:
    s = norm(header)
    for key, words, unit in ACTIVE_COLUMNS:
        if all(w in s for w in words):
            return key, unit
    return None


# ---- 复议诉讼 ----------------------------------------------------------------------------
REVIEW_GROUPS = [("reconsideration", "行政复议"), ("lawsuit_direct", "未经复议"),
                 ("lawsuit_after_reconsideration", "复议后起诉")]
REVIEW_RESULTS = [("upheld", "维持"), ("corrected", "纠正"), ("other", "其他"),
                  ("pending", "尚未审结"), ("total", "总计")]


# ---- pre-2019 统计表 -------------------------------------------------------------------------
# (key, keywords, section number or None). Sections disambiguate 维持/纠错/其他情形 under
# 四、行政复议 and 五、行政诉讼.
LEGACY_ROWS: list[tuple[str, tuple[str, ...], int | None]] = [
    ("active_total", ("主动公开政府信息数",), None),
    ("active_normative", ("主动公开规范性文件数",), None),
    ("normative_issued", ("制发规范性文件总数",), None),
    ("channel_gazette", ("政府公报公开",), None),
    ("channel_website", ("政府网站公开",), None),
    ("channel_weibo", ("政务微博公开",), None),
    ("channel_wechat", ("政务微信公开",), None),
    ("channel_other", ("其他方式公开",), None),
    ("responses_hotspots", ("回应公众关注",), None),
    ("press_conferences_leaders", ("负责同志参加新闻发布会",), None),
    ("press_conferences", ("新闻发布会",), None),
    ("online_interviews_leaders", ("负责同志参加", "访谈"), None),
    ("online_interviews", ("在线访谈",), None),
    ("policy_explanations", ("政策解读",), None),
    ("responses_social_media", ("微博微信回应",), None),
    ("responses_other", ("其他方式回应",), None),
    ("requests_received", ("收到申请数",), None),
    ("requests_in_person", ("当面申请",), None),
    ("requests_fax", ("传真申请",), None),
    ("requests_online", ("网络申请",), None),
    ("requests_letter", ("信函申请",), None),
    ("requests_closed", ("申请办结数",), None),
    ("closed_on_time", ("按时办结",), None),
    ("closed_extended", ("延期办结",), None),
    ("requests_answered", ("申请答复数",), None),
    ("answered_already_public", ("已主动公开范围",), None),
    ("answered_partly", ("同意部分公开",), None),
    ("answered_refused", ("不同意公开",), None),
    ("answered_disclosed", ("同意公开",), None),
    ("refused_state_secret", ("国家秘密",), None),
    ("refused_commercial_secret", ("商业秘密",), None),
    ("refused_privacy", ("个人隐私",), None),
    ("refused_security", ("危及国家安全",), None),
    ("refused_not_gov_info", ("不是《条例》所指",), None),
    ("refused_other", ("法律法规规定的其他情形",), None),
    ("answered_not_this_body", ("不属于本行政机关",), None),
    ("answered_not_exist", ("申请信息不存在",), None),
    ("answered_amend", ("更改补充",), None),
    ("answered_other_channel", ("其他途径",), None),
    ("reconsideration_total", ("行政复议数量",), None),
    ("lawsuit_total", ("行政诉讼数量",), None),
    ("reconsideration_upheld", ("维持",), 4),
    ("reconsideration_corrected", ("纠错",), 4),
    ("reconsideration_other", ("其他情形",), 4),
    ("lawsuit_upheld", ("维持",), 5),
    ("lawsuit_corrected", ("纠错",), 5),
    ("lawsuit_other", ("其他情形",), 5),
    ("complaints", ("举报投诉",), None),
    ("fees", ("收取的费用",), None),
    ("offices", ("专门机构数",), None),
    ("reading_points", ("查阅点",), None),
    ("staff_full_time", ("专职人员",), None),
    ("staff_part_time", ("兼职人员",), None),
    ("staff", ("工作人员数",), None),
    ("budget", ("专项经费",), None),
    ("meetings", ("会议",), None),
    ("trainings", ("培训班",), None),
    ("trainees", ("接受培训人员",), None),
]

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_SECTION = re.compile(r"^([一二三四五六七八九十])[、.．]")


def legacy_section(label: str) -> int | None:
    """'四、行政复议数量' → 4 (the top-level section of a 统计表 row), else None."""
    m = _SECTION.match(norm(label))
    return _CN_DIGITS[m.group(1)] if m else None


def legacy_row_key(label: str, section: int | None) -> str:
    """Stable key of a 统计表 row; unknown labels get 'label:<label without numbering/notes>'."""
    s = strip_numbering(label)
    s_main = re.sub(r"[(（][^)）]*[)）]", "", s)  # drop notes: （不同渠道和方式公开相同信息计1条）
    for key, words, sec in LEGACY_ROWS:
        if sec is not None and sec != section:
            continue
        if all(w in s_main for w in words):
            return key
    return "label:" + (s_main or s)[:40]
