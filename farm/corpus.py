"""Gold reports of the sample portal farm.

The five seed texts of ../shared/seeds were cleaned by hand into ``reports/<slug>.txt`` (portal
chrome and headline lists removed, lost 年/月/日 and 〔〕 restored, the spam-mirror office name
replaced, the GBK-garbled run repaired, the 2019-layout tables rebuilt with their real
rowspan/colspan, the 统计指标 | 单位 | 统计数 annexes turned back into tables).

File format (one report per file)::

    title: 襄阳市2017年政府信息公开年度工作报告      <- metadata header, "key: value"
    government: 襄阳市
    ...
    ---
    ## 一、概述                                      <- heading
    本报告根据……                                     <- paragraph
    ^ （2018年2月）                                 <- centred line (issuer/date under the title)
    @ 襄阳市人民政府办公室                           <- right-aligned closing line (issuer, date)
    [table]
    第二十条第（一）项{c=4}                          <- cells split on "|", spans as {c=N}, {r=N}, {r=N,c=M}
    信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量
    [/table]

Table rows list only the cells an HTML ``<tr>`` would hold (cells covered by an earlier
rowspan are omitted), exactly as the pages render them; :meth:`Table.grid` resolves the spans
the way docs/design.md's text contract asks.

More reports are derived deterministically with :func:`variant` (another body of the same
level and province, another year: names and years change consistently in title and text).
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import pathlib
import re
from dataclasses import dataclass, field

REPORTS_DIR = pathlib.Path(__file__).with_name("reports")

SEED_SLUGS = ("xiangyang-2017", "tieling-2017", "quzhou-2016", "suizhou-2020", "jiahe-2017")


@dataclass(frozen=True)
class Cell:
    """One table cell as an HTML ``<td>`` holds it."""

    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Table:
    """A table as HTML rows (cells under an earlier rowspan are not repeated)."""

    rows: tuple[tuple[Cell, ...], ...]

    def grid(self) -> list[list[str]]:
        """Resolve spans on a grid: colspan text in its first column and empty strings in the
        spanned columns; rowspan text repeated in every row it spans (docs/design.md)."""
        grid: list[list[str | None]] = []
        # pending[col] = (text, rows_left) for rowspans reaching into later rows
        pending: dict[int, tuple[str, int]] = {}
        for row in self.rows:
            out: list[str | None] = []
            cells = list(row)
            col = 0

            def fill_pending() -> None:
                nonlocal col
                while col in pending:
                    text, left = pending[col]
                    out.append(text)
                    if left <= 1:
                        del pending[col]
                    else:
                        pending[col] = (text, left - 1)
                    col += 1

            for cell in cells:
                fill_pending()
                for k in range(cell.colspan):
                    text = cell.text if k == 0 else ""
                    out.append(text)
                    if cell.rowspan > 1:
                        pending[col] = (text, cell.rowspan - 1)
                    col += 1
            fill_pending()
            grid.append(out)
        width = max(len(r) for r in grid)
        return [[c or "" for c in r] + [""] * (width - len(r)) for r in grid]


@dataclass(frozen=True)
class Block:
    """A body element: ``kind`` is "p" (paragraph), "h" (heading), "center", "sign"
    (right-aligned issuer/date line) or "table" (then ``table`` is set and ``text`` empty)."""

    kind: str
    text: str = ""
    table: Table | None = None


@dataclass(frozen=True)
class Report:
    """A clean annual report with its page metadata.

    ``year`` is the covered year, ``published`` the page's 发布日期 (YYYY-MM-DD), ``written``
    the 成文日期, ``publisher`` the 发布机构, ``level`` one of city/county/district/department/
    township, ``kind`` distinguishes the government's own report from a department's or
    township's.
    """

    slug: str
    title: str
    government: str
    province: str
    level: str
    year: int
    published: str
    written: str
    publisher: str
    index_no: str
    blocks: tuple[Block, ...] = field(repr=False)
    seed: str = ""  # slug of the seed report this one derives from

    # -- text contract -------------------------------------------------------------------
    def body_lines(self) -> list[str]:
        """Lines of the body (without the title), tables one line per grid row."""
        lines: list[str] = []
        for b in self.blocks:
            if b.kind == "table":
                assert b.table is not None
                lines.extend(" | ".join(r) for r in b.table.grid())
            else:
                lines.append(b.text)
        return lines

    def gold_text(self) -> str:
        """The text an ideal extraction returns: title, then one line per heading/paragraph,
        one line per table row with cells joined by " | " (spans resolved on a grid)."""
        return "\n".join([self.title, *self.body_lines()])

    def gold_tables(self) -> list[list[list[str]]]:
        """The report's tables as grids (list of rows of cell strings)."""
        return [b.table.grid() for b in self.blocks if b.kind == "table" and b.table]

    @property
    def has_tables(self) -> bool:
        return any(b.kind == "table" for b in self.blocks)

    def replace(self, **kw) -> "Report":
        return dataclasses.replace(self, **kw)


# -- parsing the committed files ----------------------------------------------------------
_SPAN = re.compile(r"\{([rc]=\d+(?:,[rc]=\d+)?)\}\s*$")


def _parse_cell(raw: str) -> Cell:
    raw = raw.strip()
    colspan = rowspan = 1
    m = _SPAN.search(raw)
    if m:
        for part in m.group(1).split(","):
            k, v = part.split("=")
            if k == "c":
                colspan = int(v)
            else:
                rowspan = int(v)
        raw = raw[: m.start()].strip()
    return Cell(raw, colspan, rowspan)


def parse_report(text: str, slug: str) -> Report:
    """Parse one ``reports/<slug>.txt`` file (format in the module docstring)."""
    head, _, body = text.partition("\n---\n")
    meta = {}
    for line in head.splitlines():
        k, _, v = line.partition(":")
        meta[k.strip()] = v.strip()
    blocks: list[Block] = []
    rows: list[tuple[Cell, ...]] | None = None
    for line in body.splitlines():
        if rows is not None:
            if line.strip() == "[/table]":
                blocks.append(Block("table", table=Table(tuple(rows))))
                rows = None
            else:
                rows.append(tuple(_parse_cell(c) for c in line.split("|")))
            continue
        line = line.strip()
        if not line:
            continue
        if line == "[table]":
            rows = []
        elif line.startswith("## "):
            blocks.append(Block("h", line[3:].strip()))
        elif line.startswith("^ "):
            blocks.append(Block("center", line[2:].strip()))
        elif line.startswith("@ "):
            blocks.append(Block("sign", line[2:].strip()))
        else:
            blocks.append(Block("p", line))
    return Report(
        slug=slug, title=meta["title"], government=meta["government"],
        province=meta["province"], level=meta["level"], year=int(meta["year"]),
        published=meta["published"], written=meta.get("written", meta["published"]),
        publisher=meta["publisher"], index_no=meta.get("index_no", ""),
        blocks=tuple(blocks), seed=slug,
    )


@functools.lru_cache(maxsize=None)
def seed_report(slug: str) -> Report:
    """One of the five cleaned seed reports by slug (see :data:`SEED_SLUGS`)."""
    return parse_report((REPORTS_DIR / f"{slug}.txt").read_text(encoding="utf-8"), slug)


def seed_reports() -> list[Report]:
    """The five cleaned seed reports."""
    return [seed_report(s) for s in SEED_SLUGS]


# -- deriving variants ----------------------------------------------------------------------
def _short(name: str) -> str:
    """襄阳市 -> 襄阳, 嘉禾县 -> 嘉禾 (the short form used in 中国襄阳, 信用襄阳 …)."""
    for suffix in ("自治县", "市", "县", "区", "镇", "乡", "街道"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


# A year is shifted only where it reads as a date or a document number, so counts such as
# "2068条" or "难题2000余件" are left alone.
_YEAR = re.compile(r"(?<![\d.])(20[0-2]\d)(?=年|〕|\]|-\d|政府|度)")


def _shift_years(text: str, delta: int) -> str:
    if not delta:
        return text
    return _YEAR.sub(lambda m: str(int(m.group(1)) + delta), text)


def _shift_date(iso: str, delta: int) -> str:
    d = _dt.date.fromisoformat(iso)
    try:
        return d.replace(year=d.year + delta).isoformat()
    except ValueError:  # 29 February
        return d.replace(year=d.year + delta, day=28).isoformat()


def variant(base: Report, *, government: str | None = None, year: int | None = None,
            slug: str | None = None, province: str | None = None, level: str | None = None,
            publisher: str | None = None, index_no: str | None = None,
            published: str | None = None, drop_tables: bool = False,
            title: str | None = None) -> Report:
    """Derive a realistic report from ``base``: another body (full and short name replaced
    everywhere) and/or another covered year (every date-like year shifted by the same delta,
    publication dates too). ``drop_tables`` removes the tables and the annex lines announcing
    them (reports whose statistics table is a separate attachment, e.g. for PDF renderings).
    Deterministic: the same arguments give the same report."""
    gov = government or base.government
    delta = (year - base.year) if year is not None else 0
    old_full, new_full = base.government, gov
    old_short, new_short = _short(old_full), _short(gov)

    def conv(s: str) -> str:
        if new_full != old_full:
            s = s.replace(old_full, "\x00")
            if old_short != old_full and len(old_short) >= 2:
                s = s.replace(old_short, new_short)
            s = s.replace("\x00", new_full)
        return _shift_years(s, delta)

    blocks = []
    for b in base.blocks:
        if b.kind == "table":
            if drop_tables:
                continue
            assert b.table is not None
            t = Table(tuple(tuple(Cell(conv(c.text), c.colspan, c.rowspan) for c in row)
                            for row in b.table.rows))
            blocks.append(Block("table", table=t))
        else:
            text = conv(b.text)
            if drop_tables and ("统计表" in text or text in ("四、附表",)):
                continue
            blocks.append(Block(b.kind, text))
    if drop_tables:
        # drop now-empty trailing headings/centre lines that announced the annex
        while blocks and blocks[-1].kind in ("h", "center"):
            blocks.pop()
    new_year = base.year + delta
    return dataclasses.replace(
        base,
        slug=slug or f"{_slug_of(gov)}-{new_year}",
        title=title or conv(base.title),
        government=gov,
        province=province or base.province,
        level=level or base.level,
        year=new_year,
        published=published or _shift_date(base.published, delta),
        written=_shift_date(base.written, delta),
        publisher=publisher or conv(base.publisher),
        index_no=index_no if index_no is not None else conv(base.index_no),
        blocks=tuple(blocks),
        seed=base.seed,
    )


def _slug_of(name: str) -> str:
    # Slugs only need to be unique and stable; use the hex of the name's UTF-8 when no
    # romanisation is known.
    return _ROMAN.get(name) or name.encode("utf-8").hex()[:12]


_ROMAN = {
    "襄阳市": "xiangyang", "铁岭市": "tieling", "衢州市": "quzhou", "随州市": "suizhou",
    "嘉禾县": "jiahe", "广水市": "guangshui", "随县": "suixian", "曾都区": "zengdu",
    "宜城市": "yicheng", "枣阳市": "zaoyang", "开原市": "kaiyuan", "江山市": "jiangshan",
    "龙游县": "longyou", "临武县": "linwu", "桂阳县": "guiyang",
}


# -- generated reports of departments and townships ------------------------------------------------
_NUM = re.compile(r"^-?\d+(?:\.\d+)?(万元)?$")


def _renumber(table: Table, rng, scale: float) -> Table:
    """The same table with every number cell replaced by a plausible smaller number."""
    rows = []
    for row in table.rows:
        cells = []
        for c in row:
            m = _NUM.match(c.text)
            if m and c.text not in ("0",):
                n = int(abs(float(c.text.replace("万元", ""))) * scale * rng.uniform(0.3, 1.2))
                n = n if rng.random() < 0.8 else 0
                text = f"{n}万元" if m.group(1) else str(n)
                cells.append(Cell(text, c.colspan, c.rowspan))
            else:
                cells.append(c)
        rows.append(tuple(cells))
    return Table(tuple(rows))


def unit_report(unit: str, parent: Report | str, year: int, *, province: str, seed: object = 0,
                publisher: str | None = None, level: str = "department", slug: str | None = None,
                title_style: int | None = None, with_tables: bool = True,
                index_no: str | None = None) -> Report:
    """A generated, realistic report of a department (教育局 …) or township (…镇, …街道办事处):
    the national layout of ``year`` (2019-on: six fixed sections with the fixed tables taken
    from seed 003 and renumbered; before: free sections plus the 统计指标 annex of seed 004),
    prose written for ``unit``. Deterministic in its arguments."""
    import random as _random

    gov = parent if isinstance(parent, str) else parent.government
    rng = _random.Random(f"unit|{unit}|{year}|{seed}")
    style = title_style if title_style is not None else rng.randrange(4)
    title = [f"{unit}{year}年政府信息公开工作年度报告", f"{unit}{year}年度政府信息公开工作年度报告",
             f"{unit}政府信息公开工作年度报告（{year}年）", f"{unit}{year}年政府信息公开年报"][style]
    n_active = rng.randrange(40, 900)
    n_apply = rng.randrange(0, 25)
    n_site = rng.randrange(20, 600)
    blocks: list[Block] = [
        Block("p", f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{gov}关于做好{year}年"
                   f"政府信息公开工作年度报告编制和发布工作的要求，由{unit}编制。本报告所列数据的统计期限自"
                   f"{year}年1月1日起至{year}年12月31日止。如对本报告有疑问，请与{unit}办公室联系。"),
    ]
    if year >= 2019:
        base = seed_report("suizhou-2020")
        tables = [b.table for b in base.blocks if b.kind == "table"]
        delta = year - 2020
        tables = [Table(tuple(tuple(Cell(_shift_years(c.text, delta), c.colspan, c.rowspan) for c in r)
                              for r in t.rows)) for t in tables]
        scale = 0.02 if level == "department" else 0.005
        blocks += [
            Block("h", "一、总体情况"),
            Block("p", f"{year}年，{unit}深入贯彻落实《条例》和{gov}政务公开工作部署，坚持以公开为常态、不公开为例外，"
                       f"全年主动公开政府信息{n_active}条，其中通过门户网站公开{n_site}条。"),
            Block("p", f"（一）主动公开。围绕本单位职能，及时公开机构职能、政策文件、财政预决算、重点工作等信息，"
                       f"全年发布政策解读{rng.randrange(1, 30)}篇。"),
            Block("p", f"（二）依申请公开。全年收到政府信息公开申请{n_apply}件，均在法定期限内予以答复。"),
            Block("p", "（三）政府信息管理。严格落实信息发布审核制度，做到先审后发。"),
            Block("p", f"（四）平台建设。充分发挥政府信息公开平台作用，全年更新栏目信息{n_site}条。"),
            Block("p", "（五）监督保障。将政务公开工作纳入年度目标考核，明确专人负责。"),
            Block("h", "二、主动公开政府信息情况"),
        ]
        if with_tables:
            blocks.append(Block("table", table=_renumber(tables[0], rng, scale)))
        blocks.append(Block("h", "三、收到和处理政府信息公开申请情况"))
        if with_tables:
            blocks.append(Block("table", table=_renumber(tables[1], rng, 0.2)))
        blocks.append(Block("h", "四、政府信息公开行政复议、行政诉讼情况"))
        if with_tables:
            blocks.append(Block("table", table=_renumber(tables[2], rng, 0.3)))
        blocks += [
            Block("h", "五、存在的主要问题及改进情况"),
            Block("p", "存在的主要问题：一是公开内容的深度和广度还需拓展；二是政策解读形式较为单一。"
                       "改进措施：进一步规范公开内容，丰富解读形式，提升公开质量。"),
            Block("h", "六、其他需要报告的事项"),
            Block("p", f"本年度未收取信息处理费。{unit}无其他需要报告的事项。"),
        ]
    else:
        blocks += [
            Block("h", "一、概述"),
            Block("p", f"{year}年，{unit}认真贯彻落实《条例》，把政府信息公开工作列入重要议事日程，"
                       f"明确分管领导和工作人员，不断完善公开制度。"),
            Block("h", "二、主动公开政府信息情况"),
            Block("p", f"全年共主动公开政府信息{n_active}条，其中通过政府网站公开{n_site}条。"),
            Block("h", "三、依申请公开政府信息情况"),
            Block("p", f"全年共受理政府信息公开申请{n_apply}件，均已按时答复。"),
            Block("h", "四、政府信息公开的收费及减免情况"),
            Block("p", "本年度未收取任何费用。"),
            Block("h", "五、因政府信息公开申请行政复议、提起行政诉讼的情况"),
            Block("p", "本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"),
            Block("h", "六、存在的主要问题及改进措施"),
            Block("p", "主要问题是信息公开的及时性有待提高。下一步将进一步健全制度，加强培训，提高公开工作水平。"),
        ]
        if with_tables:
            annex = next(b.table for b in seed_report("jiahe-2017").blocks if b.kind == "table")
            blocks += [Block("p", f"附件：{year}年政府信息公开情况统计表"),
                       Block("table", table=_renumber(annex, rng, 0.1))]
    month_day = (f"01-{rng.randrange(10, 31):02d}" if year >= 2019 else
                 f"03-{rng.randrange(1, 31):02d}")
    published = f"{year + 1}-{month_day}"
    blocks += [Block("sign", unit), Block("sign", f"{year + 1}年{int(month_day[:2])}月{int(month_day[3:])}日")]
    return Report(
        slug=slug or f"unit-{unit.encode('utf-8').hex()[:16]}-{year}",
        title=title, government=unit, province=province, level=level, year=year,
        published=published, written=published, publisher=publisher or unit,
        index_no=index_no if index_no is not None else f"{rng.randrange(10**8, 10**9)}/{year + 1}-{rng.randrange(1, 99999):05d}",
        blocks=tuple(blocks), seed="generated",
    )
