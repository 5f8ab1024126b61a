"""The templates' own arithmetic (勾稽关系) as checks → ``report_checks`` rows.

2019/2021 application table, for every applicant column: 本年新收 + 上年结转 = （七）总计 +
结转下年度 (the template prints this rule in its corner cell); for every row: 总计 = 自然人 + the
five 法人或其他组织 columns; the 办理结果 sub-items add up to （七）总计. Review table: each
总计 = 维持 + 纠正 + 其他 + 尚未审结.

Blank cells ('—', '/', empty) are stored as null, not 0; a check counts them as 0 only when at
least one of its numbers is printed (many bodies leave zeros blank) and says so in its message;
a check whose numbers are all blank or absent is 'skipped', never 'pass'.
"""
from __future__ import annotations

import json

from archive.stats import labels as L
from archive.stats.parse import ParsedTables

PASS, FAIL, SKIPPED, UNREADABLE = "pass", "fail", "skipped", "unreadable"


def _check(name: str, column: str, lhs: dict, rhs: dict, what: str) -> dict:
    """One equation sum(lhs) == sum(rhs) over the named numbers (None = blank)."""
    nums = {**lhs, **rhs}
    if all(v is None for v in nums.values()):
        return dict(check=name, column=column, status=SKIPPED,
                    numbers=json.dumps({"lhs": lhs, "rhs": rhs}, ensure_ascii=False),
                    message=f"{what}: every number blank or missing")
    a = sum(v or 0 for v in lhs.values())
    b = sum(v or 0 for v in rhs.values())
    ok = abs(a - b) < 1e-6
    blanks = sorted(k for k, v in nums.items() if v is None)
    msg = f"{what}: {' + '.join(lhs)} = {a:g}, {' + '.join(rhs)} = {b:g}"
    if blanks:
        msg += f" (blank counted as 0: {', '.join(blanks)})"
    return dict(check=name, column=column, status=PASS if ok else FAIL,
                numbers=json.dumps({"lhs": lhs, "rhs": rhs}, ensure_ascii=False), message=msg)


def run_checks(parsed: ParsedTables) -> list[dict]:
    """Checks of one report's parsed tables (dicts with check, column, status, numbers, message).
    A report with no readable statistics table gets one 'unreadable' row saying why."""
    out: list[dict] = []
    by = {}
    for s in parsed.stats:
        by.setdefault(s.table, {})[(s.row_key, s.col_key)] = s.value
    apps = by.get(L.APPLICATIONS, {})
    if parsed.template in ("2019", "2021") and apps:
        rows = sorted({r for r, _ in apps}, key=lambda r: r)
        cols = [c for c, _ in L.APPLICANT_COLUMNS]
        for col in cols:
            g = lambda r: {r: apps.get((r, col))}  # noqa: E731
            if any((r, col) in apps for r in ("new_requests", "results_total")):
                out.append(_check("balance", col, {**g("new_requests"), **g("carried_over")},
                                  {**g("results_total"), **g("carried_forward")},
                                  "本年新收 + 上年结转 = 办理结果总计 + 结转下年度"))
            parts = {r: apps.get((r, col)) for r in rows
                     if r.startswith(L.RESULT_PARTS) and r != "results_total"
                     and not (r == "other_handling" and any(x.startswith("other_") and x != "other_handling" for x in rows))}
            if "results_total" in rows and parts:
                out.append(_check("results_sum", col, parts, g("results_total"),
                                  "办理结果各项之和 = （七）总计"))
        for row in rows:
            if (row, "total") not in apps:
                continue
            lhs = {c: apps.get((row, c)) for c in ("natural_person",) + L.ORG_COLUMNS}
            out.append(_check("applicant_sum", row, lhs, {"total": apps.get((row, "total"))},
                              "自然人 + 法人或其他组织 = 总计"))
    rev = by.get(L.REVIEW, {})
    if rev:
        for group, _ in L.REVIEW_GROUPS:
            parts = {r: rev.get((group, r)) for r, _ in L.REVIEW_RESULTS if r != "total"}
            if (group, "total") in rev:
                out.append(_check("review_sum", group, parts, {"total": rev.get((group, "total"))},
                                  "维持 + 纠正 + 其他 + 尚未审结 = 总计"))
    if not parsed.stats:
        kinds = [k for k in parsed.kinds if k]
        if parsed.source == "none":
            why = "no tables in the extraction and no `|` table lines or 统计表 in the text"
        elif kinds:
            why = f"tables recognised as {', '.join(kinds)} but no number could be placed"
        else:
            why = (f"{len(parsed.kinds)} table(s), none recognised as a statistics table "
                   "(no 申请人情况/第二十条/行政复议/统计指标 labels)")
        out.append(dict(check="tables", column="", status=UNREADABLE, numbers="{}", message=why))
    elif parsed.template == "pre2019":
        out.append(dict(check="tables", column="", status=SKIPPED, numbers="{}",
                        message=f"pre-2019 统计表 ({len(parsed.stats)} numbers): the free "
                                "format prescribes no arithmetic"))
    elif not apps and parsed.template in ("2019", "2021"):
        out.append(dict(check="tables", column="", status=SKIPPED, numbers="{}",
                        message="no application table (收到和处理申请) found"))
    return out


def stats_rows(report_id: str, parsed: ParsedTables) -> list[dict]:
    """``report_stats`` rows of one report."""
    return [s.as_row(report_id, parsed.template) for s in parsed.stats]


def check_rows(report_id: str, checks: list[dict]) -> list[dict]:
    """``report_checks`` rows of one report."""
    return [dict(report_id=report_id, **c) for c in checks]


