"""archive/reports/soft404.py: error pages served with HTTP 200 ("soft 404s") are told from
reports, on real markup.

tests/fixtures/soft404/ holds hand-written error pages in the way TRS (`<title>404</title>`,
"对不起，您访问的页面不存在或已被删除！"), Hanweb ("抱歉，您所访问的页面不存在... 3 秒后自动跳转到
首页"), UCAP ("该信息已撤销或已过期！" inside the portal's menu and footer), old table-layout
sites ("信息不存在") and nginx ("404 Not Found") phrase them; /work/shared/samples/ holds no
error page (checked: none says 页面不存在/不存在). The pages that must never be flagged are
real: the farm's rendering of every seed report in every skin, the extraction fixtures (real
portal pages and covers) and the shared real report texts.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.extract import extract
from archive.reports.soft404 import MAX_CHARS, is_soft_404
from farm.pages import SKINS, Chrome, labelled_set, render_soft_404
from tests.paths import FIXTURES, SHARED

ERROR_PAGES = sorted((FIXTURES / "soft404").glob("*.html"))
URL = "http://www.example.gov.cn/zwgk/xxgknb/202001/t20200129_1.html"


def judged(body: bytes, status: int = 200) -> str | None:
    ex = extract(body, URL, "text/html")
    return is_soft_404(ex.title, ex.text, status)


@pytest.mark.parametrize("path", ERROR_PAGES, ids=lambda p: p.stem)
def test_portal_error_pages_are_soft_404s(path: Path):
    why = judged(path.read_bytes())
    assert why is not None and why.startswith("soft 404: ")


def test_the_fixtures_are_there():
    assert len(ERROR_PAGES) >= 5


@pytest.mark.parametrize("skin", SKINS)
def test_the_farm_error_page_in_portal_chrome_is_a_soft_404(skin):
    assert judged(render_soft_404(Chrome.for_government("襄阳市", "www.xiangyang.gov.cn"), skin))


def test_a_real_error_status_is_not_called_a_soft_404():
    body = (FIXTURES / "soft404" / "trs_404.html").read_bytes()
    assert judged(body, 404) is None and judged(body, 410) is None


@pytest.mark.parametrize("skin,report,body,ctype", list(labelled_set()), ids=lambda v: v if isinstance(v, str) else "")
def test_farm_report_pages_are_never_soft_404s(skin, report, body, ctype):
    ex = extract(body, URL, ctype)
    assert is_soft_404(ex.title, ex.text, 200) is None


@pytest.mark.parametrize("path", sorted((FIXTURES / "extract").rglob("*.html")), ids=lambda p: p.name)
def test_real_portal_pages_and_covers_are_never_soft_404s(path: Path):
    assert judged(path.read_bytes()) is None


def _seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="shared seed reports missing")
def test_a_real_report_that_mentions_a_missing_page_is_no_soft_404():
    texts = _seed_texts()
    assert texts
    for text in texts:
        title = text.strip().splitlines()[0]
        assert is_soft_404(title, text) is None
        # the phrase near the top of a real report (a dead link it fixed): still a report
        lines = text.strip().splitlines()
        said = "\n".join([lines[0], "对不起，您访问的页面不存在。本年度清理此类死链12个。"] + lines[1:])
        assert is_soft_404(title, said) is None


def test_short_pages_are_judged_by_their_words_not_their_length():
    title = "襄阳市2019年政府信息公开工作年度报告"
    cover = f"{title}\n发布时间：2020-01-29\n附件：襄阳市2019年政府信息公开工作年度报告.pdf"
    assert is_soft_404(title, cover) is None
    # a statistics line of a report ("申请信息不存在7件") is no error message
    assert is_soft_404(title, f"{title}\n申请信息不存在7件，占比为3.6%") is None
    assert is_soft_404(title, f"{title}\n该信息已撤销！") is not None


def test_the_phrase_counts_only_near_the_top_of_a_short_page():
    filler = "政务公开 政务服务 互动交流 " * 40  # ~ MAX_CHARS of menu before it
    assert is_soft_404("某市人民政府", filler[: MAX_CHARS // 3] + "\n对不起，您访问的页面不存在！") is not None
    assert is_soft_404("某市人民政府", filler + "\n对不起，您访问的页面不存在！") is None
