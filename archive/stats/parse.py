"""Statistics tables of a report → one row per number (``report_stats``).

Input is what extraction gives: ``Extraction.tables`` (grids: spans resolved, docs/design.md),
the text (whose ` | ` lines are the same grids, used when ``tables`` is empty) and the covered
year. Every decision is made from labels, not from positions alone, because real reports shift,
merge, split and transpose the prescribed tables:

* a table is classified by its labels (申请人情况/本年新收 …), and a grid that has none of its
  own but continues the previous one (a table cut across pages) is read as its continuation;
* application-table columns come from the header cells (自然人 … 总计) when the grid is regular,
  else from the order of the cells after a row's labels (naively extracted tables, where rowspan
  cells are missing and every later cell shifts left);
* a grid whose applicant labels run down its first column is read transposed;
* the template (2021/2019/pre2019) is recognised from labels that only one version has, the
  year only breaks ties.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from archive.stats import labels as L

Row = tuple[int | None, int, list[str]]  # (table index or None for text, row index, cells)

_NULLS = {"", "-", "—", "——", "/", "／", "无", "×", "\\", "–", "－"}
_NUMBER = re.compile(r"^([-+]?\d+(?:\.\d+)?)(万元|元|件|条|个|次|人次|人|篇|项|%)?$")
_UNITS = {"件", "条", "个", "次", "人", "人次", "篇", "万元", "元", "项", "期", "场", "家"}


@dataclass
class Stat:
    """One number of a statistics table."""

    table: str
    row_key: str
    col_key: str
    label: str
    value: int | float | None
    raw: str
    unit: str | None
    table_index: int | None  # index in Extraction.tables; None when read from the text
    row: int
    col: int

    def as_row(self, report_id: str, template: str) -> dict:
        # by hand: dataclasses.asdict deep-copies every field (1.2% of the crawl's CPU)
        return {"report_id": report_id, "template": template, "table": self.table, "row_key": self.row_key,
                "col_key": self.col_key, "label": self.label, "value": self.value, "raw": self.raw,
                "unit": self.unit, "table_index": self.table_index, "row": self.row, "col": self.col}


@functools.lru_cache(maxsize=1 << 15)  # a cell is read several times; numbers recur across reports
def parse_value(cell: str) -> tuple[bool, int | float | None, str | None]:
    """(is a value cell, value, unit suffix). '—', '/', blank → value cell with None;
    '1,200' → 1200; '１２' → 12; '172536.2597万元' → 172536.2597 with unit 万元; text → not a value."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell or ""))
    if s in _NULLS or set(s) <= set("-—–/／"):
        return True, None, None
    s2 = s.replace(",", "")
    m = _NUMBER.match(s2)
    if not m:
        return False, None, None
    num = m.group(1)
    value: int | float = float(num) if "." in num else int(num)
    return True, value, m.group(2)


def _is_label(cell: str) -> bool:
    return bool(cell.strip()) and not parse_value(cell)[0]


# ---------------------------------------------------------------------------- classify

def classify(grid: list[list[str]]) -> str | None:
    """Which statistics table a grid is (labels.ACTIVE … LEGACY), or None."""
    t = L.norm("".join("".join(r) for r in grid))
    if "统计指标" in t or ("统计数" in t and "单位" in t and "本年新收" not in t):
        return L.LEGACY
    if "本年新收" in t or "申请人情况" in t or ("自然人" in t and "法人或其他组织" in t):
        return L.APPLICATIONS
    if "行政复议" in t and ("尚未审结" in t or "结果维持" in t or "复议后起诉" in t):
        return L.REVIEW
    if "第二十条" in t or ("信息内容" in t and any(w in t for w in ("规章", "行政许可", "行政处罚"))):
        return L.ACTIVE
    hits = sum(1 for r in grid for c in r[:2] if _is_label(c)
               and not L.legacy_row_key(c, None).startswith("label:"))
    if hits >= 5:
        return L.LEGACY
    return None


def _continues(kind: str, grid: list[list[str]]) -> bool:
    """A grid with no header of its own whose row labels belong to ``kind`` (a table cut
    across pages)."""
    keys = 0
    group = None
    for r in grid:
        labs = [c for c in r if _is_label(c)]
        if kind == L.APPLICATIONS:
            key, group = L.application_row_key(labs, group)
            keys += key is not None
        elif kind == L.ACTIVE:
            keys += any(L.active_row_key(c) for c in labs)
        elif kind == L.LEGACY:
            keys += any(not L.legacy_row_key(c, None).startswith("label:") for c in labs)
        elif kind == L.REVIEW:
            keys += sum(1 for c in r if parse_value(c)[1] is not None) >= 5
    return keys >= max(1, len(grid) // 2)


# ---------------------------------------------------------------------------- tables

def _applications(rows: list[Row]) -> list[Stat]:
    """收到和处理政府信息公开申请: 7 applicant columns × ~25 rows."""
    stats: list[Stat] = []
    # header positions: the last header row that names the most columns wins
    positions: dict[int, str] = {}
    width = None
    for _ti, _ri, cells in rows:
        found = {}
        for ci, c in enumerate(cells):
            s = L.norm(c)
            for key, words in L.APPLICANT_COLUMNS:
                if (s == "其他" if key == "other_org" else s.startswith(words[0])):
                    found[ci] = key
        if len(found) >= len(positions) and found:
            positions, width = found, len(cells)
    regular = len(set(positions.values())) == len(L.APPLICANT_COLUMNS)
    group = None
    seen: set[tuple[str, str]] = set()
    for ti, ri, cells in rows:
        normed = [L.norm(c) for c in cells]
        if any(s in ("自然人", "商业企业", "申请人情况") for s in normed):
            continue  # a header row (repeated on every page of a cut table, too)
        label_idx = [i for i, c in enumerate(cells) if _is_label(c)]
        labs = [cells[i] for i in label_idx]
        key, group = L.application_row_key(labs, group)
        if key is None:
            continue
        label = " ".join(dict.fromkeys(L.norm(x) for x in labs))
        last = max(label_idx) if label_idx else -1
        if regular and len(cells) == width and all(i < min(positions) for i in label_idx):
            pairs = [(ci, positions[ci]) for ci in sorted(positions)]
        else:  # shifted: the cells after the labels, in the prescribed order
            tail = list(range(last + 1, len(cells)))
            n = len(L.APPLICANT_COLUMNS)
            # more cells than columns: colspan padding after the labels (a page of a cut table
            # that is wider than the header's page) or empty cells at the end (ragged text)
            while len(tail) > n and not cells[tail[0]].strip():
                tail.pop(0)
            pairs = list(zip(tail, [k for k, _ in L.APPLICANT_COLUMNS]))
        for ci, col in pairs:
            ok, value, unit = parse_value(cells[ci])
            if not ok or (key, col) in seen:
                continue
            seen.add((key, col))
            stats.append(Stat(L.APPLICATIONS, key, col, label, value, cells[ci].strip(),
                              unit or "件", ti, ri, ci))
    return stats


def _active(rows: list[Row]) -> list[Stat]:
    """主动公开 (第二十条 items): sections, each with a 信息内容 header naming its columns."""
    stats: list[Stat] = []
    columns: dict[int, tuple[str, str | None]] = {}
    seen: set[tuple[str, str]] = set()
    for ti, ri, cells in rows:
        if any(L.norm(c).startswith("信息内容") for c in cells):
            columns = {}
            for ci, c in enumerate(cells):
                hit = L.active_column_key(c) if ci else None
                if hit:
                    columns[ci] = hit
            continue
        if not cells or not _is_label(cells[0]):
            continue
        key = L.active_row_key(cells[0])
        if key is None or not columns:
            continue
        for ci, (col, unit) in columns.items():
            if ci >= len(cells):
                continue
            ok, value, suffix = parse_value(cells[ci])
            if not ok:
                continue
            row_key = key if (key, col) not in seen else f"{key}#{ri}"  # never overwrite
            seen.add((row_key, col))
            stats.append(Stat(L.ACTIVE, row_key, col, L.norm(cells[0]), value, cells[ci].strip(),
                              suffix or unit, ti, ri, ci))
    return stats


def _review(rows: list[Row]) -> list[Stat]:
    """行政复议 / 行政诉讼: 15 numbers in one row (or several rows of 5), in the prescribed order."""
    order = [(g, r) for g, _ in L.REVIEW_GROUPS for r, _ in L.REVIEW_RESULTS]
    stats: list[Stat] = []
    k = 0
    for ti, ri, cells in rows:
        vals = [(ci, c) for ci, c in enumerate(cells) if parse_value(c)[0]]
        if not any(parse_value(c)[1] is not None for _, c in vals):
            continue  # header rows
        if any(_is_label(c) for c in cells):
            # a labelled row (transposed layouts: 行政复议 | 6 | 1 | …): start of its group
            t = L.norm("".join(c for c in cells if _is_label(c)))
            for gi, (_g, word) in enumerate(L.REVIEW_GROUPS):
                if word in t:
                    k = gi * 5
        for ci, c in vals:
            if k >= len(order):
                break
            _, value, unit = parse_value(c)
            g, r = order[k]
            stats.append(Stat(L.REVIEW, g, r, "", value, c.strip(), unit or "件", ti, ri, ci))
            k += 1
    return stats


def _legacy(rows: list[Row]) -> list[Stat]:
    """统计指标 | 单位 | 统计数: label, unit and value per row; section numbers (四、/五、) keep
    复议 and 诉讼 apart."""
    stats: list[Stat] = []
    section = None
    seen: set[str] = set()
    for ti, ri, cells in rows:
        labs = [(i, c) for i, c in enumerate(cells) if _is_label(c) and L.norm(c) not in _UNITS]
        if not labs:
            continue
        li, label = labs[0]
        if L.norm(label) in ("统计指标", "指标名称"):
            continue
        section = L.legacy_section(label) or section
        units = [L.norm(c) for c in cells[li + 1:] if L.norm(c) in _UNITS]
        vals = [(i, c) for i, c in enumerate(cells) if i > li and parse_value(c)[0]
                and L.norm(c) not in _UNITS]
        if any(L.norm(c) in ("—", "——") for c in cells[li + 1:]) and not units:
            continue  # a section heading row: 一、主动公开情况 | —— |
        if not vals:
            continue
        ci, cell = vals[-1]
        _, value, suffix = parse_value(cell)
        key = L.legacy_row_key(label, section)
        if key in seen:
            key = f"{key}#{ri}"
        seen.add(key)
        stats.append(Stat(L.LEGACY, key, "value", L.norm(label), value, cell.strip(),
                          suffix or (units[0] if units else None), ti, ri, ci))
    return stats


_PARSERS = {L.APPLICATIONS: _applications, L.ACTIVE: _active, L.REVIEW: _review,
            L.LEGACY: _legacy}


def _transpose(grid: list[list[str]]) -> list[list[str]]:
    width = max((len(r) for r in grid), default=0)
    return [[r[c] if c < len(r) else "" for r in grid] for c in range(width)]


def _transposed_applications(grid: list[list[str]]) -> bool:
    """Applicant types down the first columns instead of across the header."""
    words = {"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构"}
    return sum(1 for r in grid if words & {L.norm(c) for c in r[:3]}) >= 3


# ---------------------------------------------------------------------------- text

def grids_from_text(text: str) -> list[list[list[str]]]:
    """The ``|`` lines of a text, consecutive lines as one grid (documents whose tables reached
    the text but not ``Extraction.tables``: a PDF's text layer, a naive extraction). A row that
    a PDF wrapped onto two lines is joined again: within a table every row has the table's
    width, so two short lines whose cells add up to it (less the cell cut in two) are one row."""
    grids: list[list[list[str]]] = []
    segment: list[str] = []
    lines = (text or "").splitlines() + [""]
    for i, line in enumerate(lines):
        if "|" in line:
            segment.append(line)
            continue
        if (segment and 0 < len(line.strip()) <= 20 and i + 1 < len(lines) and "|" in lines[i + 1]
                and L.strip_numbering(line) == L.norm(line)):  # not a heading (三、…)
            segment[-1] += line.strip()  # the end of a wrapped row, alone on its line
            continue
        if segment:
            grids.append(_join_wrapped(segment))
            segment = []
    return grids


_GLUE = re.compile(r"(?<=.)(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|其中|\d{1,2}\.(?!\d))")


def _unglue(cells: list[str], width: int) -> list[list[str]]:
    """Cut a line holding more than one row (a PDF layout joined a full-width row with the next)
    into rows: the cell where they meet holds the end of one row and the start of the next,
    split before a numbering (一、 （一） 1. 其中) or after a leading number."""
    rows = []
    while len(cells) > width:
        g = width - 1
        glued = cells[g]
        m = _GLUE.search(glued)
        if m is None:
            m = re.match(r"^[\d.,—-]+(?=\D)", glued)
            cut = m.end() if m else 0
        else:
            cut = m.start()
        rows.append(cells[:g] + [glued[:cut].strip()])
        cells = [glued[cut:].strip()] + cells[g + 1:]
    rows.append(cells)
    return rows


def _join_wrapped(lines: list[str]) -> list[list[str]]:
    from collections import Counter

    counts = Counter(line.count("|") + 1 for line in lines)
    width = max(counts, key=lambda n: (counts[n], n))  # the most common row width
    pieces: list[list[str]] = []
    for line in lines:
        cells = [c.strip() for c in line.split("|")]
        pieces.extend(_unglue(cells, width) if len(cells) > width else [cells])
    rows: list[list[str]] = []
    i = 0
    while i < len(pieces):
        cur = pieces[i]
        while len(cur) < width and i + 1 < len(pieces) and len(cur) + len(pieces[i + 1]) - 1 <= width:
            i += 1
            cur = cur[:-1] + [cur[-1] + pieces[i][0]] + pieces[i][1:]
        rows.append(cur)
        i += 1
    return rows


def _flattened_legacy(text: str) -> list[Row]:
    """A 统计表 flattened one cell per line (label, unit, value on their own lines; seeds 002,
    004): pair each label with the value line that follows it."""
    lines = [ln.strip() for ln in (text or "").splitlines()]
    start = next((i for i, ln in enumerate(lines) if L.norm(ln) == "统计指标"), None)
    if start is None:
        return []
    rows: list[Row] = []
    cur: list[str] | None = None
    cur_at = 0
    for i in range(start + 1, len(lines)):
        s = lines[i]
        if not s or L.norm(s) in ("单位", "统计数"):
            continue
        if len(s) > 80 or s.endswith("。"):
            break  # prose again
        ok, _, _ = parse_value(s)
        if ok or L.norm(s) in _UNITS:
            if cur is not None:
                cur.append(s)
                if ok and L.norm(s) not in ("—", "——"):
                    rows.append((None, cur_at, cur))
                    cur = None
                elif L.norm(s) in ("—", "——"):
                    cur = None
            continue
        if cur is not None and len(cur) == 1 and L.strip_numbering(s) == L.norm(s) \
                and not s.startswith("其中"):
            cur[0] += s  # the label wrapped onto the next line, or its note on its own line
            continue
        cur, cur_at = [s], i
    return rows


# ---------------------------------------------------------------------------- report

TEMPLATE_2021_WORDS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "逾期不补正")
TEMPLATE_2019_WORDS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "政府集中采购")


@dataclass
class ParsedTables:
    """What a report's statistics tables gave: the template, the numbers, and for each grid
    what it was recognised as (for the checks' "why nothing" messages)."""

    template: str
    stats: list[Stat]
    kinds: list[str | None]
    source: str  # "tables" | "text" | "flattened text" | "none"


def identify_template(kinds: list[str | None], grids: list[list[list[str]]],
                      year: int | None) -> str:
    """'2021', '2019', 'pre2019' or 'unknown', from labels first, the year to break ties."""
    t = L.norm("".join("".join("".join(r) for r in g) for g, k in zip(grids, kinds) if k))
    if any(w in t for w in TEMPLATE_2021_WORDS):
        return "2021"
    if any(w in t for w in TEMPLATE_2019_WORDS):
        return "2019"
    fixed = {L.ACTIVE, L.APPLICATIONS, L.REVIEW} & set(kinds)
    if fixed:
        # the review table and the application table's common rows are the same in both
        return "2021" if year is not None and year >= 2021 else "2019"
    if L.LEGACY in kinds:
        return "pre2019"
    return "unknown"


def parse_tables(tables: list[list[list[str]]] | None, text: str = "",
                 year: int | None = None) -> ParsedTables:
    """All statistics of one report. ``tables`` as in ``Extraction.tables`` (a JSON string
    from the index is accepted too); ``text`` is read when the tables hold none."""
    if isinstance(tables, str):
        import json
        tables = json.loads(tables or "[]")
    grids = [g for g in (tables or [])]
    source = "tables"
    parsed = _parse_grids(grids, year)
    if not parsed.stats:
        tg = grids_from_text(text)
        if tg:
            p2 = _parse_grids(tg, year)
            if p2.stats:
                p2.source = "text"
                for s in p2.stats:
                    s.table_index = None
                return p2
        flat = _flattened_legacy(text)
        if flat:
            stats = _legacy(flat)
            if stats:
                return ParsedTables("pre2019", stats, [L.LEGACY], "flattened text")
        if not grids:
            source = "none"
    parsed.source = source
    return parsed


def _parse_grids(grids: list, year: int | None) -> ParsedTables:
    kinds: list[str | None] = []
    groups: list[tuple[str, list[Row]]] = []  # consecutive grids of one table
    for ti, grid in enumerate(grids):
        grid = [[c if isinstance(c, str) else "" for c in r] for r in grid if r]
        kind = classify(grid)
        transposed = False
        if kind == L.APPLICATIONS and _transposed_applications(grid):
            grid, transposed = _transpose(grid), True
        if kind is None and groups and _continues(groups[-1][0], grid):
            kind = groups[-1][0]
            rows = [(ti, ri, r) for ri, r in enumerate(grid)]
            groups[-1][1].extend(rows)
            kinds.append(kind)
            continue
        kinds.append(kind)
        if kind is None:
            continue
        if transposed:
            # source positions refer to the original grid: row ↔ col swap when stats are made
            rows = [(ti, -1 - ri, r) for ri, r in enumerate(grid)]
        else:
            rows = [(ti, ri, r) for ri, r in enumerate(grid)]
        groups.append((kind, rows))
    stats: list[Stat] = []
    for kind, rows in groups:
        for s in _PARSERS[kind](rows):
            if s.row < 0:  # transposed: grid row r was column r of the original
                s.row, s.col = s.col, -1 - s.row
            stats.append(s)
    template = identify_template(kinds, grids, year)
    return ParsedTables(template, stats, kinds, "tables")
