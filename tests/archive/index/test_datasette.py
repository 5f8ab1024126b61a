"""datasette with archive/index/datasette.json and archive/index/datasette_plugins, queried in-process
through datasette's own HTTPX client, on a real reports.db written by archive.index and a
real WARC file written by archive.warc: search cases, canned queries, report pages and
capture links."""

import asyncio
import gzip
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.index import Index, report_id
from tests.paths import ROOT

datasette_app = pytest.importorskip("datasette.app")

REPO = ROOT
METADATA = REPO / "archive" / "index" / "datasette.json"
PLUGINS = REPO / "archive" / "index" / "datasette_plugins"
SEEDS = REPO.parent / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")


def seed(n: int) -> str:
    return next(SEEDS.glob(f"{n:03d}_*.txt")).read_text(encoding="utf-8")


# (portal, province, level, year, published, seed): published dates chosen around the
# deadlines: 31 March of the next year before the 2019 regulation, 31 January from it on.
REPORTS = [
    ("襄阳市", "湖北省", "city", 2017, "2018-03-30", 0),   # on time (old rule)
    ("铁岭市", "辽宁省", "city", 2017, "2018-04-02", 1),   # 2 days late (old rule)
    ("衢州市", "浙江省", "city", 2016, "2017-03-31", 2),   # on the deadline: on time
    ("随州市", "湖北省", "city", 2020, "2021-02-05", 3),   # 5 days late (new rule)
    ("嘉禾县", "湖南省", "county", 2017, "2020-09-27", 4),  # 911 days late
    ("随州市", "湖北省", "city", 2019, "2020-01-31", 3),   # on the deadline (new rule)
    ("随州市", "湖北省", "city", 2018, "2019-03-15", 3),   # 2018 report: old rule, on time
]


def url_of(i):
    portal, _, _, year, _, _ = REPORTS[i]
    return f"http://www.example{i}.gov.cn/xxgk/{year}/report{i}.html"


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    from archive.warc import HttpExchange, WarcWriter

    root = tmp_path_factory.mktemp("archive")
    writer = WarcWriter(str(root / "warc"))
    ix = Index(root / "reports.db")
    run = ix.start_run("2024-02-01T00:00:00Z")
    for i, (portal, prov, level, year, published, n) in enumerate(REPORTS):
        text = seed(n)
        title = f"{portal}{year}年政府信息公开工作年度报告"
        body = f"<html><body><h1>{title}</h1><pre>{text}</pre></body></html>".encode("utf-8")
        ex = HttpExchange(
            method="GET", url=url_of(i), request_headers=[("Host", f"www.example{i}.gov.cn")],
            request_body=b"", status=200, reason="OK",
            response_headers=[("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Encoding", "gzip")],
            payload=gzip.compress(body),
            fetched_at=datetime(2024, 2, 1, 8, i, tzinfo=timezone.utc),
        )
        cap = writer.write_exchange(ex, {"portal": portal, "kind": "report"})
        ix.add_capture({"url": ex.url, "method": "GET", "status": 200,
                        "content_type": "text/html", "payload_digest": cap.payload_digest,
                        "warc_filename": cap.warc_filename, "warc_offset": cap.warc_offset,
                        "warc_length": cap.warc_length, "fetched_at": cap.fetched_at,
                        "portal": portal, "kind": "report", "record_type": "response"})
        ix.upsert_report({
            "page_url": ex.url, "url": ex.url, "portal": portal, "province": prov,
            "level": level, "title": title, "year": year, "published": published,
            "publisher": f"{portal}人民政府办公室", "text": f"{title}\n{text}",
            "tables": [], "content_type": "html", "warc_filename": cap.warc_filename,
            "warc_offset": cap.warc_offset, "warc_length": cap.warc_length,
            "payload_digest": cap.payload_digest, "fetched_at": cap.fetched_at,
        })
        ix.upsert_portal({"name": portal, "url": f"http://www.example{i}.gov.cn/",
                          "province": prov, "level": level, "status": "ok"})
    writer.close()
    # a portal that was blocked: in the coverage with no report at all
    ix.upsert_portal({"name": "某某县", "url": "http://www.moumou.gov.cn/", "status": "blocked",
                      "reason": "HTTP 412 JavaScript challenge"})
    # refresh history: 襄阳市's report was edited, 铁岭市's disappeared
    edited = f"襄阳市2017年政府信息公开工作年度报告\n{seed(0)}\n补充说明：更正了行政复议数据。"
    assert ix.upsert_report({"page_url": url_of(0), "url": url_of(0), "portal": "襄阳市",
                             "title": "襄阳市2017年政府信息公开工作年度报告", "year": 2017,
                             "published": "2018-03-30", "text": edited,
                             "payload_digest": "sha1:EDITED",
                             "fetched_at": "2024-03-01T00:00:00Z"}) == "changed"
    assert ix.mark_removed([url_of(1)], "2024-03-01T00:00:00Z") == 1
    ix.finish_run(run, {"finish_reason": "finished", "pages": 7})
    ix.close()
    return root


@pytest.fixture(scope="module")
def get(archive_dir):
    from datasette.app import Datasette

    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    metadata["plugins"]["nianbao"]["replay_url"] = "http://replay.test/nianbao/"
    ds = Datasette([str(archive_dir / "reports.db")], metadata=metadata,
                   plugins_dir=str(PLUGINS))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(ds.invoke_startup())

    def fetch(path):
        return loop.run_until_complete(ds.client.get(path))

    yield fetch
    loop.close()


def rows(get, path):
    r = get(path)
    assert r.status_code == 200, r.text[:2000]
    return r.json()


def ids_for(get, q):
    from urllib.parse import quote

    data = rows(get, f"/reports/reports.json?_search={quote(q)}&_shape=array&_col=title&_size=max")
    return {row["id"] for row in data}


def containing(*words):
    out = set()
    for i, (_, _, _, _, _, n) in enumerate(REPORTS):
        text = seed(n) + ("补充说明：更正了行政复议数据。" if i == 0 else "")
        if all(w in text for w in words):
            out.add(report_id(url_of(i)))
    return out


# ------------------------------------------------------------------ search box


@pytest.mark.parametrize("q", ["复议", "依申请", "行政复议", "政府信息公开", "香菇", "嘉禾县"])
def test_search_box_finds_chinese_of_any_length(get, q):
    want = containing(q)
    assert want
    assert ids_for(get, q) == want


def test_search_box_mixed_query(get):
    # "2019" as a word: only seed 3 (随州市) mentions 2019 (指2019年事项数); and 复议
    want = {report_id(url_of(i)) for i in (3, 5, 6)}
    assert ids_for(get, "2019 复议") == want
    # 香菇 only in 随州市's text, 嘉禾县 only in 嘉禾县's: AND finds nothing, OR both
    assert ids_for(get, "香菇 嘉禾县") == set()
    assert ids_for(get, "香菇 OR 嘉禾县") == containing("香菇") | containing("嘉禾县")


def test_search_page_ranked_with_snippets(get):
    r = get("/reports/reports?_search=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE")  # 行政复议
    assert r.status_code == 200
    page = r.text
    assert 'id="nianbao-ranked"' in page
    hits = re.findall(r'class="nianbao-hit-title" href="/reports/reports/([0-9a-f]{16})"', page)
    assert set(hits) == containing("行政复议")
    assert "<mark>行政复议</mark>" in page
    # the table below still has facets, and its text column shows a snippet, not the report
    assert 'id="facet-portal"' in page and 'id="facet-year"' in page
    assert page.count("<mark>") > len(hits)
    # the search box keeps what the user typed, not the MATCH expression
    assert 'value="行政复议"' in page


def test_search_canned_query(get):
    data = rows(get, "/reports/search.json?q=%E4%BE%9D%E7%94%B3%E8%AF%B7&_shape=array")  # 依申请
    assert {r["report_id"] for r in data} == containing("依申请")
    assert all("<mark>依申请</mark>" in r["snippet_html"] for r in data)
    scores = [r["score"] for r in data]
    assert scores == sorted(scores)


# ------------------------------------------------------------------ canned queries


def test_coverage(get):
    data = rows(get, "/reports/coverage.json?_shape=array&from_year=2016&to_year=2020")
    by = {r["portal"]: r for r in data}
    assert by["随州市"]["years_with_report"] == "2018 2019 2020"
    assert by["随州市"]["years_without_report"] == "2016 2017"
    assert by["衢州市"]["years_with_report"] == "2016"
    assert by["某某县"]["reports"] == 0 and by["某某县"]["years_missing"] == 5
    # removed reports are still in the archive: 铁岭市 2017 counts as covered
    assert by["铁岭市"]["years_with_report"] == "2017"


def test_coverage_matrix(get):
    data = rows(get, "/reports/coverage_matrix.json?_shape=array&from_year=2017&to_year=2018")
    cells = {(r["portal"], r["year"]): r for r in data}
    assert len(cells) == 6 * 2  # 6 portals × 2 years
    assert cells[("嘉禾县", 2017)]["status"] == "present"
    assert cells[("嘉禾县", 2018)]["status"] == "missing"
    assert cells[("铁岭市", 2017)]["removed"] == 1


def test_late_reports(get):
    data = rows(get, "/reports/late_reports.json?_shape=array")
    late = {r["portal"] + str(r["year"]): (r["deadline"], r["days_late"]) for r in data}
    assert late == {
        "嘉禾县2017": ("2018-03-31", 911),
        "随州市2020": ("2021-01-31", 5),
        "铁岭市2017": ("2018-03-31", 2),
    }


def test_removed_reports(get):
    data = rows(get, "/reports/removed_reports.json?_shape=array")
    assert [(r["report_id"], r["removed_at"]) for r in data] == [
        (report_id(url_of(1)), "2024-03-01T00:00:00Z")
    ]


def test_changed_reports(get):
    data = rows(get, "/reports/changed_reports.json?_shape=array")
    assert len(data) == 1
    r = data[0]
    assert r["report_id"] == report_id(url_of(0)) and r["version"] == 2
    assert r["earlier_versions"] == 1 and r["last_changed"] == "2024-03-01T00:00:00Z"


# ------------------------------------------------------------------ pages and captures


def test_report_page_text_lines_and_tables(get):
    rid = report_id(url_of(3))
    r = get(f"/reports/reports/{rid}")
    assert r.status_code == 200
    page = r.text
    assert '<h1 style="padding-left: 10px; border-left: 10px solid' in page
    assert "随州市2020年政府信息公开工作年度报告" in page
    # headings and paragraphs each on their own; table rows as table rows with their cells
    assert "<h3>一、总体情况</h3>" in page
    assert "<td>信息内容</td><td>本年新 制作数量</td><td>本年新 公开数量</td>" in page
    assert "<td>规章(设区的市、自治州人民政府应提供相关数据)</td><td>0</td><td>0</td><td>0</td>" in page
    # every line of the text is on the page, in order
    text_lines = [l for l in seed(3).splitlines() if l.strip() and " | " not in l][:20]
    pos = 0
    for line in text_lines:
        pos = page.index(line.replace('"', "&#34;").replace("<", "&lt;"), pos)
    # capture link and replay link
    assert re.search(r'href="/-/nianbao/capture/[^"]+\.warc\.gz/\d+"', page)
    assert 'href="http://replay.test/nianbao/20240201080300/' in page


def test_changed_report_page_lists_versions(get):
    page = get(f"/reports/reports/{report_id(url_of(0))}").text
    assert "Earlier versions" in page and "version 1" in page
    assert "补充说明：更正了行政复议数据。" in page
    vpage = get("/reports/report_versions/1").text
    assert "Earlier version 1" in vpage and "补充说明" not in vpage


def test_removed_report_page_says_so(get):
    page = get(f"/reports/reports/{report_id(url_of(1))}").text
    assert "Removed from the portal" in page


def test_capture_route_serves_archived_body_sandboxed(get):
    page = get(f"/reports/reports/{report_id(url_of(4))}").text
    href = re.search(r'href="(/-/nianbao/capture/[^"]+)"', page).group(1)
    r = get(href)
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == "sandbox"
    assert r.headers["content-type"].startswith("text/html")
    body = r.content.decode("utf-8")  # Content-Encoding: gzip in the archive, decoded here
    assert "<h1>嘉禾县2017年政府信息公开工作年度报告</h1>" in body
    assert get("/-/nianbao/capture/..%2Fsecret.warc.gz/0").status_code in (400, 404)
    assert get("/-/nianbao/capture/nope.warc.gz/0").status_code == 404


def test_table_page_shows_short_text_and_facets(get):
    page = get("/reports/reports").text
    for facet in ("portal", "province", "level", "year", "publisher", "content_type"):
        assert f'id="facet-{facet}"' in page
    # the text column is shortened in the table, full on the report page
    assert seed(3).splitlines()[5] not in page


def test_canned_search_uses_the_same_ranking_cap():
    from archive.index import search

    q = json.loads(METADATA.read_text(encoding="utf-8"))["databases"]["reports"]["queries"]["search"]
    n = search.RANK_CANDIDATES
    assert f"offset {n - 1})" in q["sql"] and f"{n:,}" in q["description"]
    assert search._BM25 in q["sql"]


def test_big_archive_defaults(get):
    """What keeps the reports page fast on 100,000 reports: newest-first rowid order (no
    sort of every search match), no per-column facet suggestions, indexed facet columns."""
    from archive.index import REPORT_COLUMNS

    meta = json.loads(METADATA.read_text(encoding="utf-8"))["databases"]["reports"]["tables"]
    assert meta["reports"]["sort_desc"] == "rowid"
    assert set(meta["reports"]["sortable_columns"]) == set(REPORT_COLUMNS) - {"text", "tables"} | {"rowid"}
    data = rows(get, "/reports/reports.json?_shape=array&_col=title")
    newest_first = [report_id(url_of(i)) for i in reversed(range(len(REPORTS)))]
    assert [r["id"] for r in data] == newest_first
    page = get("/reports/reports?_search=%E5%A4%8D%E8%AE%AE").text
    assert "Suggested facets" not in page


def test_replay_url_forms(monkeypatch):
    """replay_url: a pywb-style collection prefix, or a template; env var as fallback."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("nianbao_plugin_under_test", PLUGINS / "nianbao.py")
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)

    class DS:
        def __init__(self, conf):
            self.conf = conf

        def plugin_config(self, name):
            return self.conf

    args = ("http://www.qz.gov.cn/a.html", "2021-02-03T04:05:06Z", "f.warc.gz", 123)
    monkeypatch.delenv("NIANBAO_REPLAY_URL", raising=False)
    assert plugin.replay_url(DS({}), *args) is None
    assert plugin.replay_url(DS({"replay_url": "http://pywb:8080/nb/"}), *args) == \
        "http://pywb:8080/nb/20210203040506/http://www.qz.gov.cn/a.html"
    assert plugin.replay_url(DS({"replay_url": "http://r/{warc_filename}#{warc_offset}"}), *args) == \
        "http://r/f.warc.gz#123"
    monkeypatch.setenv("NIANBAO_REPLAY_URL", "http://env-replay/")
    assert plugin.replay_url(DS(None), *args) == \
        "http://env-replay/20210203040506/http://www.qz.gov.cn/a.html"
