"""Which division a link or a publisher names: by name, within a parent, never guessed.

A provincial portal's box of city and county sites says "襄阳市", "襄阳", "恩施州",
"神农架林区", "阳新县人民政府" or "襄阳市政府门户网站"; the official names are 襄阳市,
恩施土家族苗族自治州, 神农架林区, 阳新县. A name matches a division of the scope when, after
removing the portal words (人民政府, 门户网站 …), it is the official name, the official name
without its ethnic-autonomy words, or the short name (without 市/县/区/旗/州 …) — and only when
exactly one division of the scope fits. Development zones and new areas that are not divisions
(经济技术开发区, 高新区, 新区 that has no code) are refused with a reason, as is an ambiguous
short name (吉林 in 吉林省: the province's 吉林市, or none).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .divisions import Division, load_divisions

# Words around a government's name in link texts, page titles and 发布机构 fields.
_PORTAL_WORDS = re.compile(
    r"(?:人民政府|政府)?(?:门户网站|门户网|政府网站|网站|官网|政务网|政府网|信息网)$|人民政府$|政府$|"
    r"^(?:中国)|[【】\[\]（）()《》\s·•>»]")
# The 55 minority nationalities, longest first, as they appear in autonomous divisions' names.
_NATIONALITIES = sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 "
    "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 "
    "保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各".split(), key=len, reverse=True)
_ETHNIC = re.compile("(?:(?:" + "|".join(_NATIONALITIES) + ")族?)+(?=自治)")
_SUFFIX = re.compile(r"(?:自治州|自治县|自治旗|特区|林区|地区|新区|矿区|市|县|区|旗|盟|州)$")
# What looks like a place but is not an administrative division.
NOT_A_DIVISION = re.compile(r"开发区|高新区|高新技术产业|经开区|工业园|产业园|园区|管委会|管理委员会|示范区|"
                            r"试验区|实验区|综合保税区|保税区|合作区|景区|风景区|林场|农场|度假区|集聚区")
# Renamed or merged divisions: the old name still appears on portals (code of today's division).
RENAMED = {
    "襄樊市": "420600", "思茅市": "530800", "巢湖市": "340181", "襄樊": "420600",
    "莱芜市": "370116", "莱芜": "370116", "达川市": "511700", "沾益县": "530303",
    "铜仁地区": "520600", "毕节地区": "520500", "海东地区": "630200", "吐鲁番地区": "650400",
    "哈密地区": "650500", "日喀则地区": "540200", "昌都地区": "540300", "林芝地区": "540400",
    "山南地区": "540500", "那曲地区": "540600",
}


@dataclass(frozen=True)
class Match:
    """The outcome of matching one name: the division, or why none."""

    division: Division | None
    reason: str = ""


def clean_name(text: str) -> str:
    """A link text or publisher without portal words and brackets: '襄阳市人民政府门户网站' → '襄阳市'."""
    t = text.strip()
    for _ in range(3):
        t2 = _PORTAL_WORDS.sub("", t)
        if t2 == t:
            break
        t = t2
    return t


def name_forms(name: str) -> set[str]:
    """The forms a division's official name is written in: full, without ethnic words, short."""
    forms = {name}
    plain = _ETHNIC.sub("", name)          # 恩施土家族苗族自治州 → 恩施自治州
    forms.add(plain)
    short = _SUFFIX.sub("", plain)         # → 恩施
    if len(short) >= 2:
        forms.add(short)
        if plain.endswith("自治州"):
            forms.add(short + "州")         # 恩施州
        if plain.endswith("自治县"):
            forms.add(short + "县")
        if plain.endswith("自治旗"):
            forms.add(short + "旗")
    return forms


# Indexes per divisions tuple, keyed by identity: hashing 3,209 divisions on every lookup
# would cost more than the lookup (the bundled tuple is one cached object).
_CACHE: dict[int, tuple[tuple, dict]] = {}


def _cached(divisions: tuple[Division, ...]) -> dict:
    hit = _CACHE.get(id(divisions))
    if hit is None or hit[0] is not divisions:
        if len(_CACHE) > 8:
            _CACHE.clear()
        hit = _CACHE[id(divisions)] = (divisions, {"codes": {d.code: d for d in divisions}})
    return hit[1]


def _scope_index(scope_code: str, divisions: tuple[Division, ...]) -> dict[str, list[Division]]:
    """Name form → divisions within ``scope_code`` (a province or prefecture code; '' = all)."""
    cache = _cached(divisions)
    key = ("scope", scope_code)
    if key in cache:
        return cache[key]
    index: dict[str, list[Division]] = {}
    cache[key] = index
    for d in divisions:
        if scope_code and not _within(d, scope_code) or d.code == scope_code:
            continue
        for form in name_forms(d.name):
            index.setdefault(form, []).append(d)
    return index


def _within(d: Division, scope_code: str) -> bool:
    if scope_code.endswith("0000"):
        return d.province_code == scope_code
    return d.parent_code == scope_code


def match_division(text: str, scope_code: str = "", divisions: tuple[Division, ...] | None = None) -> Match:
    """The division of ``scope_code`` (province or prefecture; '' for the whole country) that
    ``text`` names, or a Match with ``division=None`` and the reason."""
    divisions = divisions if divisions is not None else load_divisions()
    name = clean_name(text)
    if not name:
        return Match(None, "empty name")
    index = _scope_index(scope_code, divisions)
    exact = [d for d in index.get(name, []) if d.name == name]
    if len(exact) == 1:
        return Match(exact[0])
    if name in RENAMED:
        d = _cached(divisions)["codes"].get(RENAMED[name])
        if d is not None and (not scope_code or _within(d, scope_code)):
            return Match(d, f"renamed: {name} is now {d.name}")
    if NOT_A_DIVISION.search(name):
        return Match(None, f"not a division: {name}")
    found = index.get(name, [])
    if not found:
        short = _SUFFIX.sub("", _ETHNIC.sub("", name))
        found = index.get(short, []) if len(short) >= 2 else []
        # 'XX县' must not match the city XX市 of the same stem, nor the reverse
        if found and short != name:
            suffix = name[len(short):]
            typed = [d for d in found if _ETHNIC.sub("", d.name).endswith(suffix)]
            found = typed if typed else ([] if suffix in ("市", "县", "区", "旗") else found)
    found = list({d.code: d for d in found}.values())
    if len(found) == 1:
        return Match(found[0])
    if len(found) > 1:
        return Match(None, f"ambiguous: {name} could be " + ", ".join(f"{d.name} {d.code}" for d in found))
    return Match(None, f"no division named {name} here")


def publisher_division(publisher: str | None, portal_code: str | None,
                       divisions: tuple[Division, ...] | None = None) -> str | None:
    """The division a report's publisher (发布机构, or the body its title names) is the
    government of, looked for within its portal's division: '阳新县人民政府' on 黄石市's portal
    → 420222; the portal's own government → the portal's code; a department ('襄阳市教育局'),
    an unknown or an ambiguous name → None."""
    if not publisher or not portal_code:
        return None
    divisions = divisions if divisions is not None else load_divisions()
    own = _cached(divisions)["codes"].get(portal_code)
    if own is None:
        return None
    name = clean_name(publisher)
    if name in name_forms(own.name):
        return own.code
    if own.level == "county":
        return None
    m = match_division(name, own.code, divisions)
    return m.division.code if m.division is not None else None
