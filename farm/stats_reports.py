"""Farm reports whose statistics tables the farm knows number by number (issue #18).

For each template version (2021, 2019, pre-2019 统计表) :func:`stats_report` builds a report
whose tables hold random numbers that satisfy the templates' arithmetic (本年新收 + 上年结转 =
办理结果总计 + 结转下年度 per applicant column; 总计 = the six applicant columns; 办理结果 items
add up to （七）总计; 复议/诉讼 总计 = their results), laid out with the real rowspan/colspan of
the official formats and varied the way portals vary them (numbering （一）/(一), full-width
digits, '—' for zero, spaces inside labels). ``StatsReport.truth`` lists every number with the
keys it must get — written here independently of archive/stats' label tables, so the bench
measures the parser, not itself. :func:`erroneous` breaks one number on purpose.

:func:`render` gives the bytes the farm serves for a document type (HTML in each skin, DOCX,
OFD, and PDF with table rows printed as ``a | b`` lines: the farm's PDFs have no ruled tables).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from .corpus import Block, Cell, Report, Table

APPLICANTS = ["natural_person", "commercial", "research", "public_interest", "legal_services",
              "other_org"]
COLUMNS = APPLICANTS + ["total"]

# (key, group cell or None, label); groups become rowspan cells like in the official format
WITHHELD = [("withheld_state_secret", "1.属于国家秘密"), ("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开"),
            ("withheld_three_safeties", "3.危及“三安全一稳定”"), ("withheld_third_party", "4.保护第三方合法权益"),
            ("withheld_internal_affairs", "5.属于三类内部事务信息"), ("withheld_process_info", "6.属于四类过程性信息"),
            ("withheld_enforcement_file", "7.属于行政执法案卷"), ("withheld_query_matter", "8.属于行政查询事项")]
UNAVAILABLE = [("unavailable_not_held", "1.本机关不掌握相关政府信息"),
               ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
               ("unavailable_unclear", "3.补正后申请内容仍不明确")]
NOT_PROCESSED = [("not_processed_petition", "1.信访举报投诉类申请"), ("not_processed_repeated", "2.重复申请"),
                 ("not_processed_publication", "3.要求提供公开出版物"),
                 ("not_processed_excessive", "4.无正当理由大量反复申请"),
                 ("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息")]
OTHER_2021 = [("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
              ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
              ("other_other", "3.其他")]

LEGACY = [  # (key, label, unit) of the pre-2019 统计表 (seed 004's rows); None key = section
    (None, "一、主动公开情况", "——"),
    ("active_total", "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条"),
    ("active_normative", "其中：主动公开规范性文件数", "条"),
    ("normative_issued", "制发规范性文件总数", "件"),
    ("channel_website", "2.政府网站公开政府信息数", "条"),
    ("channel_weibo", "3.政务微博公开政府信息数", "条"),
    (None, "三、依申请公开情况", "——"),
    ("requests_received", "（一）收到申请数", "件"),
    ("requests_in_person", "1.当面申请数", "件"),
    ("requests_online", "3.网络申请数", "件"),
    ("requests_closed", "（二）申请办结数", "件"),
    ("answered_disclosed", "2.同意公开答复数", "件"),
    ("answered_partly", "3.同意部分公开答复数", "件"),
    ("answered_refused", "4.不同意公开答复数", "件"),
    (None, "四、行政复议数量", "件"),  # replaced below by a keyed row
    ("reconsideration_upheld", "（一）维持具体行政行为数", "件"),
    ("reconsideration_corrected", "（二）被依法纠错数", "件"),
    ("lawsuit_total", "五、行政诉讼数量", "件"),
    ("lawsuit_upheld", "（一）维持具体行政行为或者驳回原告诉讼请求数", "件"),
    ("lawsuit_corrected", "（二）被依法纠错数", "件"),
    ("fees", "七、依申请公开信息收取的费用", "万元"),
    ("staff", "（三）从事政府信息公开工作人员数", "人"),
    ("budget", "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）", "万元"),
]
LEGACY[14] = ("reconsideration_total", "四、行政复议数量", "件")


@dataclass
class StatsReport:
    report: Report
    template: str
    truth: dict = field(default_factory=dict)  # (table, row_key, col_key) -> value (None = blank)
    erroneous: bool = False


class _Style:
    """How one report prints its numbers and labels."""

    def __init__(self, rng: random.Random):
        self.fullwidth = rng.random() < 0.25
        self.dash_zero = rng.random() < 0.25  # some bodies print '—' for 0
        self.paren_ascii = rng.random() < 0.3  # (一) instead of （一）
        self.spaced = rng.random() < 0.2  # '总 计', '自 然 人'
        self.rng = rng

    def num(self, v, may_blank: bool = True) -> tuple[str, object]:
        """(printed text, truth value)."""
        if v == 0 and may_blank and self.dash_zero and self.rng.random() < 0.5:
            return "—", None
        s = str(v)
        if self.fullwidth:
            s = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s)
        return s, v

    def label(self, s: str) -> str:
        if self.paren_ascii:
            s = s.replace("（", "(").replace("）", ")")
        if self.spaced and len(s) <= 4:
            s = " ".join(s)
        return s


def _small(rng: random.Random, p_zero: float = 0.6, hi: int = 9) -> int:
    return 0 if rng.random() < p_zero else rng.randint(1, hi)


def _applications(template: str, rng: random.Random, st: _Style, truth: dict) -> Table:
    T = "收到和处理申请"
    other_rows = OTHER_2021 if template == "2021" else [("other_handling", None)]
    result_keys = (["disclosed", "partly_disclosed"] + [k for k, _ in WITHHELD] + [k for k, _ in UNAVAILABLE]
                   + [k for k, _ in NOT_PROCESSED] + [k for k, _ in other_rows])
    vals: dict[str, dict[str, int]] = {k: {} for k in result_keys + ["results_total", "new_requests",
                                                                   "carried_over", "carried_forward"]}
    for c in APPLICANTS:
        big = c in ("natural_person", "other_org")
        for k in result_keys:
            vals[k][c] = _small(rng, 0.3 if k == "disclosed" and big else 0.75, 40 if big else 5)
        total = sum(vals[k][c] for k in result_keys)
        vals["results_total"][c] = total
        fwd = _small(rng, 0.6, 6)
        over = rng.randint(0, min(6, total + fwd))
        vals["carried_forward"][c] = fwd
        vals["carried_over"][c] = over
        vals["new_requests"][c] = total + fwd - over
    for k in vals:
        vals[k]["total"] = sum(vals[k][c] for c in APPLICANTS)

    def cells(key: str) -> list[Cell]:
        out = []
        for c in COLUMNS:
            text, v = st.num(vals[key][c], may_blank=c != "total" and key != "results_total")
            truth[(T, key, c)] = v
            out.append(Cell(text))
        return out

    L = st.label
    head = [
        (Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), Cell("申请人情况", 7)),
        (Cell(L("自然人"), rowspan=2), Cell("法人或其他组织", 5), Cell(L("总计"), rowspan=2)),
        tuple(Cell(x) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", L("其他"))),
    ]
    n_results = 2 + len(WITHHELD) + len(UNAVAILABLE) + len(NOT_PROCESSED) + len(other_rows) + 1
    rows: list[tuple[Cell, ...]] = list(head)
    rows.append((Cell(L("一、本年新收政府信息公开申请数量"), 3), *cells("new_requests")))
    rows.append((Cell(L("二、上年结转政府信息公开申请数量"), 3), *cells("carried_over")))
    rows.append((Cell(L("三、本年度办理结果"), rowspan=n_results), Cell(L("（一）予以公开"), 2), *cells("disclosed")))
    rows.append((Cell(L("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"), 2), *cells("partly_disclosed")))
    for group, items in (("（三）不予公开", WITHHELD), ("（四）无法提供", UNAVAILABLE),
                         ("（五）不予处理", NOT_PROCESSED)):
        for i, (k, label) in enumerate(items):
            first = (Cell(L(group), rowspan=len(items)),) if i == 0 else ()
            rows.append((*first, Cell(label), *cells(k)))
    if template == "2021":
        for i, (k, label) in enumerate(OTHER_2021):
            first = (Cell(L("（六）其他处理"), rowspan=3),) if i == 0 else ()
            rows.append((*first, Cell(label), *cells(k)))
    else:
        rows.append((Cell(L("（六）其他处理"), 2), *cells("other_handling")))
    rows.append((Cell(L("（七）总计"), 2), *cells("results_total")))
    rows.append((Cell(L("四、结转下年度继续办理"), 3), *cells("carried_forward")))
    return Table(tuple(rows))


def _review(rng: random.Random, st: _Style, truth: dict) -> Table:
    T = "复议诉讼"
    results = ["upheld", "corrected", "other", "pending"]
    labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    data = []
    for g in ("reconsideration", "lawsuit_direct", "lawsuit_after_reconsideration"):
        parts = {r: _small(rng, 0.5, 4) for r in results}
        parts["total"] = sum(parts.values())
        for r in results + ["total"]:
            text, v = st.num(parts[r], may_blank=r != "total")
            truth[(T, g, r)] = v
            data.append(Cell(text))
    return Table((
        (Cell("行政复议", 5), Cell("行政诉讼", 10)),
        (*(Cell(x, rowspan=2) for x in labels), Cell("未经复议直接起诉", 5), Cell("复议后起诉", 5)),
        tuple(Cell(x) for x in labels * 2),
        tuple(data),
    ))


def _active(template: str, rng: random.Random, st: _Style, truth: dict) -> Table:
    T = "主动公开"
    rows: list[tuple[Cell, ...]] = []

    def put(row_key: str, label: str, cols: list[str], values: list, span_last: int = 1):
        cells = [Cell(label)]
        for i, (c, v) in enumerate(zip(cols, values)):
            text, tv = st.num(v, may_blank=False)
            truth[(T, row_key, c)] = tv
            span = span_last if i == len(cols) - 1 else 1
            cells.append(Cell(text, span))
        rows.append(tuple(cells))

    if template == "2021":
        rows.append((Cell("第二十条第（一）项", 4),))
        rows.append(tuple(Cell(x) for x in ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")))
        for key, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
            put(key, label, ["issued", "repealed", "in_force"],
                [rng.randint(0, 30), rng.randint(0, 5), rng.randint(10, 400)])
        for item, pairs in (("（五）", [("licensing", "行政许可")]),
                            ("（六）", [("penalties", "行政处罚"), ("enforcement", "行政强制")])):
            rows.append((Cell(f"第二十条第{item}项", 4),))
            rows.append((Cell("信息内容"), Cell("本年处理决定数量", 3)))
            for key, label in pairs:
                put(key, label, ["decisions"], [rng.randint(0, 90000)], 3)
        rows.append((Cell("第二十条第（八）项", 4),))
        rows.append((Cell("信息内容"), Cell("本年收费金额（单位：万元）", 3)))
        put("fees", "行政事业性收费", ["fee_amount"], [round(rng.uniform(0, 9000), 2)], 3)
    else:
        rows.append((Cell("第二十条第（一）项", 4),))
        rows.append(tuple(Cell(x) for x in ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量")))
        for key, label in (("regulations", "规章"), ("normative_documents", "规范性文件")):
            put(key, label, ["made", "published", "public_total"],
                [rng.randint(0, 30), rng.randint(0, 30), rng.randint(10, 400)])
        hdr = ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量")
        other = "其他对外管理服务事项" + ("（指行政许可以外的政务服务事项，含行政确认、行政奖励、行政裁决、行政给付、"
                                       "行政处罚、行政强制、行政检查、行政征收和其他类，以及公共服务事项）"
                                       if rng.random() < 0.5 else "")  # seed 003's note
        for item, pairs in (("（五）", [("licensing", "行政许可"), ("other_services", other)]),
                            ("（六）", [("penalties", "行政处罚"), ("enforcement", "行政强制")])):
            rows.append((Cell(f"第二十条第{item}项", 4),))
            rows.append(tuple(Cell(x) for x in hdr))
            for key, label in pairs:
                put(key, label, ["items_prev_year", "items_change", "decisions"],
                    [rng.randint(0, 900), rng.randint(-20, 40), rng.randint(0, 90000)])
        rows.append((Cell("第二十条第（八）项", 4),))
        rows.append((Cell("信息内容"), Cell("上一年项目数量"), Cell("本年增/减", 2)))
        put("fees", "行政事业性收费", ["items_prev_year", "items_change"], [rng.randint(0, 60), rng.randint(-9, 9)], 2)
        rows.append((Cell("第二十条第（九）项", 4),))
        rows.append((Cell("信息内容"), Cell("采购项目数量"), Cell("采购总金额", 2)))
        put("procurement", "政府集中采购", ["procurement_items", "procurement_amount"],
            [rng.randint(0, 900), round(rng.uniform(0, 90000), 4)], 2)
    return Table(tuple(rows))


def _legacy_values(rng: random.Random) -> dict:
    """Plausible related numbers: answers add up to the applications received, 纠错 ≤ 总数."""
    received = rng.randint(5, 300)
    disclosed = rng.randint(0, received)
    partly = rng.randint(0, received - disclosed)
    recon, suits = rng.randint(0, 12), rng.randint(0, 8)
    in_person = rng.randint(0, received)
    normative = rng.randint(0, 60)
    return {"requests_received": received, "requests_closed": received, "answered_disclosed": disclosed,
            "answered_partly": partly, "answered_refused": rng.randint(0, received - disclosed - partly),
            "requests_in_person": in_person, "requests_online": received - in_person,
            "reconsideration_total": recon, "reconsideration_upheld": rng.randint(0, recon),
            "reconsideration_corrected": rng.randint(0, recon), "lawsuit_total": suits,
            "lawsuit_upheld": rng.randint(0, suits), "lawsuit_corrected": rng.randint(0, suits),
            "active_normative": normative, "normative_issued": normative}


def _legacy(rng: random.Random, st: _Style, truth: dict) -> Table:
    rows = [tuple(Cell(x) for x in ("统计指标", "单位", "统计数"))]
    related = _legacy_values(rng)
    for key, label, unit in LEGACY:
        if key is None:
            rows.append((Cell(label), Cell(unit), Cell("")))
            continue
        v = round(rng.uniform(0, 90), 1) if unit == "万元" else related.get(key, _small(rng, 0.3, 500))
        text, tv = st.num(v)
        truth[("legacy", key, "value")] = tv
        rows.append((Cell(label), Cell(unit), Cell(text)))
    return Table(tuple(rows))


def template_of(year: int) -> str:
    """The template version a report of ``year`` uses."""
    return "2021" if year >= 2021 else "2019" if year >= 2019 else "pre2019"


def series(unit: str, years, seed: int = 0) -> list[StatsReport]:
    """One body's reports over ``years`` (each in its year's template): an indicator over time."""
    return [stats_report(template_of(y), i, seed, year=y, unit=unit) for i, y in enumerate(years)]


def stats_report(template: str, n: int, seed: int = 0, *, year: int | None = None,
                 unit: str | None = None) -> StatsReport:
    """Report number ``n`` of a template version ('2021', '2019', 'pre2019') with known numbers."""
    rng = random.Random(f"stats|{template}|{n}|{seed}|{unit}")
    st = _Style(rng)
    if year is None:
        year = {"2021": 2021 + n % 4, "2019": 2019 + n % 2, "pre2019": 2014 + n % 4}[template]
    unit = unit or f"统计样本{template}第{n}局"
    truth: dict = {}
    blocks: list[Block] = [Block("p", f"本报告根据《中华人民共和国政府信息公开条例》编制，统计期限自{year}年1月1日起至{year}年12月31日止。")]
    if template == "pre2019":
        blocks += [Block("h", "一、概述"), Block("p", f"{year}年，{unit}认真贯彻落实《条例》。"),
                   Block("p", f"附件：{year}年政府信息公开情况统计表"), Block("table", table=_legacy(rng, st, truth))]
    else:
        blocks += [Block("h", "一、总体情况"), Block("p", f"{year}年，{unit}坚持以公开为常态、不公开为例外。"),
                   Block("h", "二、主动公开政府信息情况"), Block("table", table=_active(template, rng, st, truth)),
                   Block("h", "三、收到和处理政府信息公开申请情况"),
                   Block("table", table=_applications(template, rng, st, truth)),
                   Block("h", "四、政府信息公开行政复议、行政诉讼情况"), Block("table", table=_review(rng, st, truth)),
                   Block("h", "五、存在的主要问题及改进情况"), Block("p", "公开内容的深度和广度还需拓展。")]
    published = f"{year + 1}-01-{rng.randint(5, 28):02d}"
    report = Report(slug=f"stats-{template}-{n}-{seed}-{unit.encode('utf-8').hex()[:8]}", title=f"{unit}{year}年政府信息公开工作年度报告",
                    government=unit, province="湖北省", level="department", year=year, published=published,
                    written=published, publisher=unit, index_no=f"STATS/{year}-{n:05d}", blocks=tuple(blocks),
                    seed="generated")
    return StatsReport(report, template, truth)


def erroneous(sr: StatsReport) -> StatsReport:
    """The same report with one deliberate arithmetic error: 本年新收 of 自然人 printed one higher
    (so its column no longer balances and its row no longer adds up to 总计)."""
    blocks = []
    for b in sr.report.blocks:
        if b.kind == "table" and any("本年新收" in c.text for r in b.table.rows for c in r):
            rows = []
            for r in b.table.rows:
                if "本年新收" in r[0].text:
                    v = int(_ascii(r[1].text).replace("—", "0") or 0) + 1
                    r = (r[0], Cell(str(v)), *r[2:])
                    sr.truth[("收到和处理申请", "new_requests", "natural_person")] = v
                rows.append(r)
            b = Block("table", table=Table(tuple(rows)))
        blocks.append(b)
    return StatsReport(sr.report.replace(blocks=tuple(blocks), slug=sr.report.slug + "-err"),
                       sr.template, dict(sr.truth), erroneous=True)


def _ascii(s: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in s)


DOC_TYPES = ("html-trs", "html-hanweb", "html-ucap", "html-legacy_gbk", "docx", "ofd", "pdf-lines")


def render(sr: StatsReport, doc_type: str) -> tuple[bytes, str, str]:
    """(bytes, url, content type) of the report as the farm serves ``doc_type``."""
    from . import docs, pages

    r = sr.report
    if doc_type.startswith("html-"):
        skin = doc_type[5:]
        ctype = "text/html; charset=gb18030" if skin == "legacy_gbk" else "text/html; charset=utf-8"
        return pages.render_report(skin, r), f"http://www.stats.gov.cn/{r.slug}.html", ctype
    if doc_type == "docx":
        return (docs.report_docx(r), f"http://www.stats.gov.cn/{r.slug}.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    if doc_type == "ofd":
        return docs.report_ofd(r), f"http://www.stats.gov.cn/{r.slug}.ofd", "application/ofd"
    if doc_type == "pdf-lines":
        return (docs.pdf_bytes(r.title, r.body_lines(), author=r.publisher),
                f"http://www.stats.gov.cn/{r.slug}.pdf", "application/pdf")
    raise ValueError(f"unknown document type {doc_type!r}; one of {', '.join(DOC_TYPES)}")


def corpus(per_template: int = 3, seed: int = 0) -> list[StatsReport]:
    """``per_template`` reports of each template version plus one erroneous 2021 report."""
    out = [stats_report(t, n, seed) for t in ("2021", "2019", "pre2019") for n in range(per_template)]
    out.append(erroneous(stats_report("2021", per_template, seed)))
    return out


def stats_sites(per_template: int = 2, seed: int = 0):
    """Portal builders serving :func:`corpus` for a real crawl (``build_farm("stats")``): a TRS
    city whose article pages hold the tables, and an old county site whose article pages link
    DOCX attachments holding them. Returns (builders, {title: StatsReport})."""
    from .sites import LegacyPortal, TrsPortal

    reports = corpus(per_template, seed)
    html, docx = reports[0::2], reports[1::2]
    builders = [
        TrsPortal("统计样本市", "www.tongjiyangben.gov.cn", "湖北省", "city", [sr.report for sr in html],
                  n_lookalikes=3, per_page=6, seed=seed),
        LegacyPortal("统计样本县", "www.tjybx.gov.cn", "湖北省", "county",
                     docx_reports=[sr.report for sr in docx], n_lookalikes=3, per_page=6, seed=seed),
    ]
    return builders, {sr.report.title: sr for sr in reports}
