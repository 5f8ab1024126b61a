"""SQLite tables and the comparison view of the statistics (created by archive.index.Index).

``publisher_year_stats``: one row per (publisher, year) — the publisher is the 发布机构 of the
page, or the portal when the page names none — with the key indicators as columns. Where the
three template versions count the same thing the column merges them; where they do not, the
column is null for the versions that lack it (docs/stats.md lists each column's sources):

* applications_received — 2019/2021 本年新收 × 总计; pre-2019 收到申请数. Same meaning.
* disclosed — 2019/2021 予以公开 × 总计; pre-2019 同意公开答复数. Same meaning.
* partly_disclosed — 部分公开 × 总计; pre-2019 同意部分公开答复数.
* refused — 2019/2021 the eight 不予公开 rows × 总计; pre-2019 不同意公开答复数. Close, not equal:
  the old form counted 不是《条例》所指政府信息 as a refusal, the new one as 无法提供/不予处理.
* reconsiderations, reconsiderations_corrected, lawsuits, lawsuits_corrected — 复议诉讼 总计 and
  结果纠正 (lawsuits: 未经复议直接起诉 + 复议后起诉); pre-2019 行政复议数量/被依法纠错数 and
  行政诉讼数量/被依法纠错数. Same meaning; pre-2019 has no 尚未审结.
* normative_documents — 2019 规范性文件 本年新制作数量; 2021 行政规范性文件 本年制发件数;
  pre-2019 制发规范性文件总数. Same meaning (documents issued in the year).
* active_items — pre-2019 only (主动公开政府信息数): the 2019 and 2021 forms have no total.
* disclosure_fees — pre-2019 only (依申请公开信息收取的费用, 万元): the 2019 form dropped it.
* admin_fee_amount — 2021 only (第二十条第（八）项 行政事业性收费 本年收费金额, 万元): fees the
  body levies, not fees for disclosure.
"""
from __future__ import annotations

STATS_COLUMNS: dict[str, type] = {
    "report_id": str,
    "template": str,  # 2021 | 2019 | pre2019 | unknown
    "table": str,  # 主动公开 | 收到和处理申请 | 复议诉讼 | legacy
    "row_key": str,
    "col_key": str,
    "label": str,  # the row label as printed (normalised: NFKC, no whitespace)
    "value": float,  # integer or decimal; null for '—', '/', blank
    "raw": str,  # the cell text
    "unit": str,
    "table_index": int,  # index in reports.tables; null when read from the text
    "row": int,
    "col": int,
}

CHECK_COLUMNS: dict[str, type] = {
    "report_id": str,
    "check": str,  # balance | results_sum | applicant_sum | review_sum | tables
    "column": str,  # the applicant column, row or review group checked
    "status": str,  # pass | fail | skipped | unreadable
    "numbers": str,  # JSON {"lhs": {...}, "rhs": {...}}
    "message": str,
}

SKETCH_COLUMNS: dict[str, type] = {
    "report_id": str,
    "sketch": bytes,  # archive.stats.similarity.sketch (64-bin MinHash) of the current text
}

SIMILARITY_COLUMNS: dict[str, type] = {
    "report_id": str,
    "other_id": str,
    "relation": str,  # same_year_other_body | same_body_previous_year
    "similarity": float,  # estimated Jaccard of 5-character shingles (64-bin MinHash)
}


def _max(cond: str) -> str:
    return f"max(CASE WHEN {cond} THEN s.value END)"


def _app(row: str, col: str = "total") -> str:
    return f"(s.\"table\" = '收到和处理申请' AND s.row_key = '{row}' AND s.col_key = '{col}')"


def _leg(row: str) -> str:
    return f"(s.\"table\" = 'legacy' AND s.row_key = '{row}')"


def _rev(group: str, col: str) -> str:
    return f"(s.\"table\" = '复议诉讼' AND s.row_key = '{group}' AND s.col_key = '{col}')"


_REFUSED = ("sum(CASE WHEN s.\"table\" = '收到和处理申请' AND s.row_key LIKE 'withheld_%' "
            "AND s.col_key = 'total' THEN s.value END)")
_NORMATIVE = ("max(CASE WHEN s.\"table\" = '主动公开' AND s.row_key = 'normative_documents' "
              "AND s.col_key IN ('made', 'issued') THEN s.value END)")
_ADMIN_FEES = ("max(CASE WHEN s.\"table\" = '主动公开' AND s.row_key = 'fees' "
               "AND s.col_key = 'fee_amount' THEN s.value END)")

# indicator → its expression over one report's report_stats rows (aliased s)
INDICATORS: dict[str, str] = {
    "applications_received": f"coalesce({_max(_app('new_requests'))}, {_max(_leg('requests_received'))})",
    "disclosed": f"coalesce({_max(_app('disclosed'))}, {_max(_leg('answered_disclosed'))})",
    "partly_disclosed": f"coalesce({_max(_app('partly_disclosed'))}, {_max(_leg('answered_partly'))})",
    "refused": f"coalesce({_REFUSED}, {_max(_leg('answered_refused'))})",
    "reconsiderations": f"coalesce({_max(_rev('reconsideration', 'total'))}, {_max(_leg('reconsideration_total'))})",
    "reconsiderations_corrected": f"coalesce({_max(_rev('reconsideration', 'corrected'))}, {_max(_leg('reconsideration_corrected'))})",
    "lawsuits": f"coalesce({_max(_rev('lawsuit_direct', 'total'))} + {_max(_rev('lawsuit_after_reconsideration', 'total'))}, {_max(_leg('lawsuit_total'))})",
    "lawsuits_corrected": f"coalesce({_max(_rev('lawsuit_direct', 'corrected'))} + {_max(_rev('lawsuit_after_reconsideration', 'corrected'))}, {_max(_leg('lawsuit_corrected'))})",
    "normative_documents": f"coalesce({_NORMATIVE}, {_max(_leg('normative_issued'))})",
    "active_items": _max(_leg("active_total")),
    "disclosure_fees": _max(_leg("fees")),
    "admin_fee_amount": _ADMIN_FEES,
}

PUBLISHER_YEAR_VIEW = "publisher_year_stats"
_INNER = ",\n         ".join(f"{expr} AS {name}" for name, expr in INDICATORS.items())
_OUTER = ",\n       ".join(f"max({name}) AS {name}" for name in INDICATORS)
# per report first (a publisher may have two reports for a year: a copy on another portal),
# then the largest figure per (publisher, year); reports counts them so a reader sees it
PUBLISHER_YEAR_SQL = f"""
CREATE VIEW {PUBLISHER_YEAR_VIEW} AS
WITH per_report AS (
  SELECT r.id, coalesce(nullif(r.publisher, ''), r.portal) AS publisher, r.portal, r.year,
         max(s.template) AS template,
         (SELECT count(*) FROM report_checks c WHERE c.report_id = r.id AND c.status = 'fail') AS failed_checks,
         {_INNER}
  FROM reports r LEFT JOIN report_stats s ON s.report_id = r.id
  WHERE r.year IS NOT NULL
  GROUP BY r.id
)
SELECT publisher, group_concat(DISTINCT portal) AS portal, year, count(*) AS reports,
       group_concat(DISTINCT template) AS templates, sum(failed_checks) AS failed_checks,
       {_OUTER}
FROM per_report GROUP BY publisher, year
"""
