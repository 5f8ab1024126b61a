"""Larger farms: one sample portal per platform kind ("platforms"), the discovery bench
("bench", ≥20 portals over all kinds, hundreds of reports) and the crawl bench ("large",
≥200 portals, ≥20,000 pages). Everything is derived deterministically from a seed."""
from __future__ import annotations

import random
from typing import Sequence

from .corpus import Report, seed_report, unit_report, variant
from .sites import BlockedPortal, DeadPortal, HanwebPortal, JpaasPortal, LegacyPortal, TrsPortal, UcapPortal, Unit

OLD_SEEDS = ("xiangyang-2017", "tieling-2017", "quzhou-2016", "jiahe-2017")

DEPARTMENTS = [("教育局", "jyj"), ("财政局", "czj"), ("民政局", "mzj"), ("人力资源和社会保障局", "rsj"),
               ("自然资源和规划局", "zrzyj"), ("生态环境局", "sthjj"), ("住房和城乡建设局", "zjj"),
               ("交通运输局", "jtysj"), ("水利局", "slj"), ("农业农村局", "nyncj"), ("商务局", "swj"),
               ("文化和旅游局", "whlyj"), ("卫生健康委员会", "wjw"), ("市场监督管理局", "scjgj"),
               ("统计局", "tjj"), ("医疗保障局", "ybj"), ("应急管理局", "yjglj"), ("审计局", "sjj"),
               ("司法局", "sfj"), ("发展和改革委员会", "fgw")]

# Syllables of generated place names: (character, pinyin). Generated names are plausible but
# not real governments; hosts are www.<pinyin>.gov.cn.
SYLLABLES = [("安", "an"), ("平", "ping"), ("宁", "ning"), ("江", "jiang"), ("山", "shan"), ("阳", "yang"),
             ("城", "cheng"), ("河", "he"), ("东", "dong"), ("西", "xi"), ("南", "nan"), ("北", "bei"),
             ("新", "xin"), ("兴", "xing"), ("华", "hua"), ("丰", "feng"), ("永", "yong"), ("定", "ding"),
             ("昌", "chang"), ("泰", "tai"), ("清", "qing"), ("源", "yuan"), ("林", "lin"), ("石", "shi"),
             ("长", "chang"), ("武", "wu"), ("嘉", "jia"), ("禾", "he"), ("青", "qing"), ("云", "yun"),
             ("龙", "long"), ("凤", "feng"), ("金", "jin"), ("宝", "bao"), ("台", "tai"), ("济", "ji"),
             ("德", "de"), ("通", "tong"), ("顺", "shun"), ("和", "he"), ("乐", "le"), ("富", "fu")]
PROVINCES = ["湖北省", "湖南省", "浙江省", "江西省", "江苏省", "辽宁省", "河南省", "四川省", "山东省", "广西壮族自治区"]
TOWN_SUFFIX = ["镇", "乡", "街道办事处"]


def generated_names(n: int, rng: random.Random, taken: set[str]) -> list[tuple[str, str, str]]:
    """``n`` distinct (name, host, level) for generated portals."""
    out = []
    while len(out) < n:
        (c1, p1), (c2, p2) = rng.sample(SYLLABLES, 2)
        level = rng.choice(["city", "county", "county", "district"])
        suffix = {"city": "市", "county": "县", "district": "区"}[level]
        host = f"www.{p1}{p2}.gov.cn"
        if host in taken:
            continue
        taken.add(host)
        out.append((c1 + c2 + suffix, host, level))
    return out


def own_reports(name: str, years: Sequence[int], rng: random.Random, province: str, code: str) -> list[Report]:
    """The government's own reports for ``years``: seed variants (old layout before 2019,
    seed 003's layout from 2019) renamed and re-dated."""
    out = []
    for y in years:
        base = seed_report("suizhou-2020" if y >= 2019 else rng.choice(OLD_SEEDS))
        out.append(variant(base, government=name, year=y, province=province,
                           slug=f"{code}-{y}", index_no=f"{code}/{y + 1}-{rng.randrange(1, 99999):05d}"))
    return out


def make_units(gov: str, rng: random.Random, province: str, n_dept: int, n_town: int,
               years: Sequence[int], n_lookalikes: int = 3) -> list[Unit]:
    """Departments and townships of ``gov`` with generated reports for some of ``years``."""
    units = []
    for dname, dcode in rng.sample(DEPARTMENTS, n_dept):
        ys = sorted(rng.sample(list(years), min(len(years), rng.randrange(1, 3))))
        name = gov + dname
        units.append(Unit(name, "department", dcode,
                          [unit_report(name, gov, y, province=province, seed=rng.random()) for y in ys],
                          n_lookalikes))
    for k in range(n_town):
        (c1, p1), (c2, p2) = rng.sample(SYLLABLES, 2)
        suffix = rng.choice(TOWN_SUFFIX)
        name = c1 + c2 + suffix
        ys = sorted(rng.sample(list(years), min(len(years), rng.randrange(1, 3))))
        units.append(Unit(name, "township", f"{p1}{p2}{k}",
                          [unit_report(name, gov, y, province=province, seed=rng.random(), level="township")
                           for y in ys], n_lookalikes))
    return units


def platform_builders(seed: int = 0) -> list:
    """One sample portal per platform kind (issue 3: "tests cover each platform kind with its
    own sample portal"), plus the portals that cannot be crawled."""
    rng = random.Random(f"platforms|{seed}")
    hb = "湖北省"
    b = []
    # TRS with departments, townships, a multi-page report, URL variants and traps
    years = [2017, 2018, 2019, 2020]
    b.append(TrsPortal("宜城市", "www.yc.gov.cn", hb, "city", own_reports("宜城市", years, rng, hb, "yc"),
                       units=make_units("宜城市", rng, hb, 2, 2, years), n_lookalikes=8, per_page=5,
                       multipage=1, url_variants=True, traps=True, seed=seed))
    # TRS whose 信息公开 platform is a subdomain
    b.append(TrsPortal("枣阳市", "www.zyszf.gov.cn", hb, "city", own_reports("枣阳市", [2018, 2019, 2021], rng, hb, "zy"),
                       xxgk_host="xxgk.zyszf.gov.cn", units=make_units("枣阳市", rng, hb, 2, 0, [2019, 2020]),
                       pager="countPage", n_lookalikes=7, per_page=4, seed=seed))
    # a city platform hosting its county's columns
    b.append(TrsPortal("十堰市", "www.shiyan.gov.cn", hb, "city", own_reports("十堰市", [2019, 2020], rng, hb, "sy"),
                       xxgk_host="xxgk.shiyan.gov.cn", n_lookalikes=6, per_page=5, seed=seed))
    b.append(TrsPortal("竹山县", "www.zhushan.gov.cn", hb, "county", own_reports("竹山县", [2018, 2020], rng, hb, "zs"),
                       xxgk_host="xxgk.shiyan.gov.cn", xxgk_root="/zsx/", n_lookalikes=5, per_page=4, seed=seed))
    zj = "浙江省"
    b.append(HanwebPortal("江山市", "www.jiangshan.gov.cn", zj, "city",
                          own_reports("江山市", [2016, 2017, 2018, 2019, 2020], rng, zj, "js"),
                          units=make_units("江山市", rng, zj, 2, 1, [2018, 2019, 2020]), n_lookalikes=14,
                          perpage=15, columnid=1660011, unitid=5102, webid=31, xxgk_col=1660000, seed=seed))
    b.append(JpaasPortal("龙游县", "www.longyou.gov.cn", zj, "county",
                         own_reports("龙游县", [2019, 2020, 2021, 2022], rng, zj, "ly"),
                         units=make_units("龙游县", rng, zj, 1, 1, [2020, 2021]), n_lookalikes=14, seed=seed))
    jx = "江西省"
    b.append(UcapPortal("万载县", "www.wanzai.gov.cn", jx, "county",
                        own_reports("万载县", [2019, 2020, 2021, 2022], rng, jx, "wz"),
                        units=make_units("万载县", rng, jx, 2, 2, [2020, 2021, 2022]), n_lookalikes=8, seed=seed))
    hn = "湖南省"
    # the 2013 one is a PDF with its ruled statistics table (docs.report_pdf → pdfdoc.py)
    lw = [variant(seed_report("jiahe-2017"), government="临武县", year=y, province=hn, drop_tables=y != 2013,
                  slug=f"linwu-{y}", published=f"{y + 1}-03-{10 + k:02d}", index_no=f"43102500/{y + 1}-0{k}123")
          for k, y in enumerate([2013, 2014, 2015, 2016, 2017])]
    b.append(LegacyPortal("临武县", "www.linwu.gov.cn", hn, "county", html_reports=[variant(
        seed_report("jiahe-2017"), government="临武县", year=2018, province=hn, slug="linwu-2018",
        published="2019-03-20", index_no="43102500/2019-00211")], pdf_reports=[lw[0]], doc_reports=[lw[1]],
        docx_reports=[lw[2]], wps_reports=[lw[3], lw[4]], n_lookalikes=8, per_page=5, seed=seed))
    # attachments that lie about their format (RTF/HTML/MHT as .doc, WPS), scans to OCR (issue 17)
    from .disguised import disguised_portal
    b.append(disguised_portal(seed))
    b.append(BlockedPortal("宜章县", "www.yizhang.gov.cn", hn, "county", "412"))
    b.append(BlockedPortal("安仁县", "www.anren.gov.cn", hn, "county", "521"))
    b.append(BlockedPortal("汝城县", "www.rucheng.gov.cn", hn, "county", "wzws"))
    b.append(BlockedPortal("资兴市", "www.zixing.gov.cn", hn, "city", "403"))
    b.append(DeadPortal("桂东县", "www.guidong.gov.cn", hn, "county"))
    return b


KINDS = ["trs", "hanweb", "jpaas", "ucap", "legacy", "trs_xxgk", "trs_countpage", "hanweb", "trs", "ucap"]


def generated_builders(n: int, seed: int, taken: set[str], *, large: bool = False) -> list:
    """``n`` generated portals cycling over the platform kinds; every 10th cannot be crawled.
    ``large`` gives each portal many more look-alikes and units (≈100+ pages a portal)."""
    rng = random.Random(f"generated|{seed}|{large}")
    out = []
    for i, (name, host, level) in enumerate(generated_names(n, rng, taken)):
        province = rng.choice(PROVINCES)
        code = host.split(".")[1]
        if i % 10 == 9:
            mode = ["412", "521", "wzws", "403", "dead"][(i // 10) % 5]
            out.append(DeadPortal(name, host, province, level) if mode == "dead"
                       else BlockedPortal(name, host, province, level, mode))
            continue
        kind = KINDS[i % len(KINDS)]
        years = sorted(rng.sample(range(2014, 2024), rng.randrange(4, 7)))
        reports = own_reports(name, years, rng, province, code)
        n_fake = rng.randrange(50, 70) if large else rng.randrange(6, 14)
        units = make_units(name, rng, province, rng.randrange(3, 6), rng.randrange(2, 4), years,
                           n_lookalikes=10 if large else 3)
        s = seed * 1000 + i
        if kind in ("trs", "trs_countpage", "trs_xxgk"):
            out.append(TrsPortal(name, host, province, level, reports, units=units, n_lookalikes=n_fake,
                                 per_page=rng.choice([5, 8, 10, 15]), seed=s,
                                 pager="countPage" if kind == "trs_countpage" else "createPageHTML",
                                 ext=rng.choice(["html", "shtml"]),
                                 xxgk_host=f"xxgk.{code}.gov.cn" if kind == "trs_xxgk" else None,
                                 multipage=1 if rng.random() < 0.3 else 0))
        elif kind == "hanweb":
            out.append(HanwebPortal(name, host, province, level, reports, units=units, n_lookalikes=n_fake,
                                    perpage=15, columnid=1200000 + i * 1000, unitid=4000 + i, webid=10 + i,
                                    xxgk_col=1100000 + i * 1000, seed=s))
        elif kind == "jpaas":
            out.append(JpaasPortal(name, host, province, level, reports, units=units, n_lookalikes=n_fake,
                                   column_id=1300000 + i * 1000, web_id=f"{rng.getrandbits(64):016x}", seed=s))
        elif kind == "ucap":
            out.append(UcapPortal(name, host, province, level, reports, units=units, n_lookalikes=n_fake,
                                  site_code=code + "zf", per_page=rng.choice([8, 10, 15]), seed=s))
        else:  # legacy: the old-layout reports as files, the others as pages
            old = [r for r in reports if r.year <= 2018]
            flat = [variant(r, drop_tables=True, slug=r.slug) for r in old]
            out.append(LegacyPortal(name, host, province, level,
                                    html_reports=[r for r in reports if r.year > 2018],
                                    pdf_reports=flat[0::3], doc_reports=flat[1::3], docx_reports=old[2::3],
                                    n_lookalikes=n_fake, per_page=10, seed=s))
    return out
