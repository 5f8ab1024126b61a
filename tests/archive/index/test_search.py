"""archive.index.search: Chinese queries of every length against a real reports.db built by
archive.index.Index from the seed reports (whole reports and their paragraphs as separate
rows, so that each query has a non-trivial set of expected hits)."""

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from archive.index import Index, report_id, search
from tests.paths import ROOT, SHARED

SEEDS = SHARED / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")
REPO = ROOT


def norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s).lower()


def _docs():
    """(page_url, title, text) for the 5 seed reports and ~150 of their paragraphs."""
    docs = []
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        text = path.read_text(encoding="utf-8")
        docs.append((f"http://seed{i}.gov.cn/report.html", f"seed report {i}", text))
        paras = [l.strip() for l in text.splitlines()
                 if len(re.findall(r"[\u4e00-\u9fff]", l)) >= 15 and "<" not in l]
        for j, para in enumerate(paras[:30]):
            docs.append((f"http://seed{i}.gov.cn/p{j}.html", f"paragraph {i}.{j}", para))
    return docs


DOCS = _docs()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "reports.db"
    ix = Index(path)
    for n, (url, title, text) in enumerate(DOCS):
        ix.upsert_report({"page_url": url, "url": url, "title": title, "text": text,
                          "portal": "测试", "year": 2020, "payload_digest": f"d{n}"})
    # a report whose *title* holds the query word: ranks first for 复议
    ix.upsert_report({"page_url": "http://title.gov.cn/1.html", "title": "行政复议工作年度报告",
                      "text": "本年度行政复议案件情况。", "payload_digest": "t"})
    ix.close()
    return path


def expected(query_words):
    """Ids of the docs containing every query word (substring, NFKC, case-folded)."""
    out = set()
    for url, title, text in DOCS:
        hay = norm(title + "\n" + text)
        if all(w in hay for w in query_words):
            out.add(report_id(url))
    return out


def hits(db, q, **kw):
    return [h["id"] for h in search.search(db, q, limit=1000, **kw)]


# -------------------------------------------------------------- query building


def test_segment_bigrams_and_words():
    assert search.segment("2019年行政复议") == "2019 年行 行政 政复 复议 议"
    assert search.segment("ＩＰＶ６改造") == "ipv6 改造 造"  # NFKC, lower-case
    assert search.segment("一 | 二") == "一 二"
    assert search.segment4("政府信息公开、复议") == "政府信息 府信息公 信息公开"


def test_fts_query_shapes():
    assert search.fts_query("复议") == '{title text} : "复议"'
    assert search.fts_query("依申请") == '{title text} : "依申 申请"'
    assert search.fts_query("行政复议") == '{title4 text4} : "行政复议"'
    assert search.fts_query("2019 复议") == '{title text} : "2019" AND {title text} : "复议"'
    assert search.fts_query("议") == '{title text} : "议"*'
    assert search.fts_query("，。") == ""
    # user input is never FTS5 syntax: quotes, parentheses and NEAR are just characters
    assert search.fts_query('复议" OR x) NEAR(') .count('"') % 2 == 0


# -------------------------------------------------------------- search results


@pytest.mark.parametrize("q", ["复议", "依申请", "行政复议", "政府信息公开", "香菇", "诉讼", "主动公开",
                               "信息公开工作年度报告"])
def test_cjk_queries_find_exactly_the_reports_containing_them(db, q):
    want = expected([q])
    assert want, f"test data has no {q}"
    got = hits(db, q)
    assert len(got) == len(set(got))
    assert set(got) - {report_id("http://title.gov.cn/1.html")} == want


def test_two_character_query_trigram_would_miss(db):
    # the reason for bigrams: these are found although they are only two characters
    for q in ("复议", "公开", "申请"):
        assert hits(db, q)


def test_mixed_query_2019_fuyi(db):
    got = set(hits(db, "2019 复议"))
    want = set()
    for url, title, text in DOCS:
        t = norm(title + "\n" + text)
        if re.search(r"(?<![0-9a-z])2019(?![0-9a-z])", t) and "复议" in t:
            want.add(report_id(url))
    assert want and got == want


def test_no_match_across_gaps(db):
    # 复议 and 行政 both occur everywhere, "复议行政" (reversed) nowhere as a substring
    assert not expected(["复议行政"])
    assert hits(db, "复议行政") == []


def test_single_character_prefix(db):
    want = expected(["菇"])
    assert want and set(hits(db, "菇")) == want


def test_or_and_not(db):
    a, b = set(hits(db, "香菇")), set(hits(db, "嘉禾"))
    assert set(hits(db, "香菇 OR 嘉禾")) == a | b
    assert set(hits(db, "政府信息公开 -香菇")) == set(hits(db, "政府信息公开")) - a


def test_ranking_title_first_and_snippet(db):
    res = search.search(db, "复议", limit=5)
    assert res[0]["id"] == report_id("http://title.gov.cn/1.html")
    assert [r["score"] for r in res] == sorted(r["score"] for r in res)
    for r in res[1:]:
        assert "[复议]" in r["snippet"]


def test_snippet_is_original_text_with_marks():
    text = "二〇二〇年，本机关收到行政复议申请２件。\n行政复议 | 2 | 0"
    s = search.snippet(text, "行政复议 2")
    assert "[行政复议]" in s and "申请[２]件" in s and "⏎" in s
    html_s = search.nianbao_snippet_html("<b>复议</b>", "复议")
    assert html_s == "&lt;b&gt;<mark>复议</mark>&lt;/b&gt;"


def test_empty_query_returns_nothing(db):
    assert search.search(db, "") == [] and search.search(db, "，，") == []


def test_rank_cap_ranks_the_newest_matches(db):
    """With fewer candidates than matches, only the newest (highest rowid) are ranked."""
    full = hits(db, "政府信息公开")
    capped = search.search(db, "政府信息公开", limit=1000, rank_candidates=10)
    assert len(capped) == 10 and set(h["id"] for h in capped) <= set(full)


def test_documented_sqlite_utils_snippet(db):
    """The shell command in archive/index/search.py's docstring works as written."""
    exe = shutil.which("sqlite-utils", path=str(Path(sys.executable).parent))
    if not exe:
        pytest.skip("sqlite-utils CLI not installed next to this Python")
    sql = re.search(r'sqlite-utils query data/reports.db "(.*?)" -p q', search.__doc__, re.S).group(1)
    out = subprocess.run(
        [exe, "query", str(db), sql, "-p", "q", "行政复议", "--functions",
         "from archive.index.search import nianbao_fts_query, nianbao_snippet"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert out.returncode == 0, out.stderr
    assert "[行政复议]" in out.stdout and "行政复议工作年度报告" in out.stdout


def test_fts_values_are_bigrams_and_4grams_of_title_and_text():
    from archive.index.search import fts_values

    assert fts_values("信息公开", "２０１９年行政复议 ABC") == (
        "信息 息公 公开 开",                       # title bigrams (+ the last character)
        "2019 年行 行政 政复 复议 议 abc",          # text: NFKC, lower case, runs split
        "信息公开",                                # title 4-grams
        "年行政复 行政复议",                        # text 4-grams (CJK runs of 4+ only)
    )
    assert fts_values(None, "") == ("", "", "", "")
