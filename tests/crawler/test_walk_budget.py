"""The navigation budget and the 年报 columns themselves (issue 14): a real crawl of a portal
with many departments, served on loopback.

Found by bench.crawl (100 portals): one run in two missed 3 of 1,079 reports. 通西市 has
departments whose pages each link 信息公开指南, 机构职能, 政府信息公开年报 and 财政预决算, all
strong cues. The budget was spent link by link in document order as the department pages
answered, so whichever department answered last had its 指南 and 机构职能 asked for and its
年报 column refused, and the portal still said ``ok``. A link that names the 年报 column is the
walk's goal, not navigation: it is asked for whatever is left of the budget, and an ``ok`` portal
whose walk was cut says so in its reason.
"""
from __future__ import annotations

import pytest

from farm import Farm
from farm.sites import Portal, Site
from tests.crawler.test_walk import _page, _report
from tests.crawling import connect_index, run_crawl

DEPARTMENTS = [("fgw", "发展和改革委员会"), ("jyj", "教育局"), ("gaj", "公安局"), ("mzj", "民政局"),
               ("czj", "财政局"), ("rsj", "人力资源和社会保障局"), ("zrzyj", "自然资源局"),
               ("jtysj", "交通运输局")]
BUDGET = 12   # the 部门信息公开 page and its 8 department pages leave 3 navigation pages


def _portal() -> tuple[Site, Portal, set[str]]:
    site = Site("www.duobu.gov.cn")
    site.add("/", _page("多部市人民政府", "<ul><li><a href='/zwgk/bmxxgk/'>部门信息公开</a></li></ul>"))
    items = "".join(f"<li><a href='/zwgk/bmxxgk/{code}/index.shtml'>多部市{name}</a></li>"
                    for code, name in DEPARTMENTS)
    site.add("/zwgk/bmxxgk/", _page("部门信息公开", f"<div class='box'><h3>部门信息公开</h3><ul>{items}</ul></div>"))
    reports = set()
    for n, (code, name) in enumerate(DEPARTMENTS):
        base = f"/zwgk/bmxxgk/{code}/"
        # the 年报 column is the third link, after two strong ones: document order spends the
        # budget on those first
        site.add(base + "index.shtml", _page(f"多部市{name}政府信息公开", f"""
          <ul><li><a href='{base}xxgkzn/'>政府信息公开指南</a></li><li><a href='{base}jgzn/'>机构职能</a></li>
          <li><a href='{base}xxgknb/'>政府信息公开年报</a></li><li><a href='{base}czyjs/'>财政预决算</a></li></ul>"""))
        for col in ("xxgkzn", "jgzn", "czyjs"):
            site.add(f"{base}{col}/", _page(col, "<ul></ul>"))
        title = f"多部市{name}2023年政府信息公开工作年度报告"
        path = f"{base}xxgknb/202401/t20240120_{7100 + n}.shtml"
        site.add(path, _report(title, "2024-01-20"))
        site.add(base + "xxgknb/", _page("政府信息公开年报",
                                         f"<ul class='list'><li><a href='{path}'>{title}</a><span>2024-01-20</span></li></ul>"))
        reports.add("http://www.duobu.gov.cn" + path)
    return site, Portal("多部市", "http://www.duobu.gov.cn/", "浙江省", "city"), reports


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from farm.server import FarmServer

    site, portal, reports = _portal()
    farm = Farm("budget")
    farm.sites[site.host] = site
    farm.portals.append(portal)
    work = tmp_path_factory.mktemp("budget")
    farm.write_portals_csv(work / "portals.csv")
    with FarmServer(farm) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])
        proc = run_crawl(work / "portals.csv", work / "archive", port,
                         settings={"NIANBAO_NAV_BUDGET": BUDGET}, timeout=300)
        sent = [r.url for r in server.sent]
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"db": connect_index(work / "archive"), "expected": reports, "sent": sent}


def test_every_department_year_report_column_is_walked_beyond_the_budget(crawled):
    found = {r["page_url"] for r in crawled["db"].execute("select page_url from reports")}
    assert found == crawled["expected"]
    columns = [u for u in crawled["sent"] if u.endswith("/xxgknb/")]
    assert len(columns) == len(DEPARTMENTS)


def test_the_budget_still_bounds_plain_navigation(crawled):
    # 8 departments x 3 other strong links: only what the budget left was asked for
    other = [u for u in crawled["sent"] if u.endswith(("/xxgkzn/", "/jgzn/", "/czyjs/"))]
    assert 0 < len(other) < 3 * len(DEPARTMENTS)


def test_an_ok_portal_whose_walk_was_cut_says_so(crawled):
    row = crawled["db"].execute("select status, reason, reports from portals").fetchone()
    assert row["status"] == "ok" and row["reports"] == len(DEPARTMENTS)
    assert "navigation budget spent (NIANBAO_NAV_BUDGET)" in row["reason"]
    assert "column links not followed" in row["reason"]
