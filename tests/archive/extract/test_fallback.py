"""Pages of a layout the extractor does not know (#17 point 4): the main text, not a fragment.

The page below is built like a WeChat article: the body sits in a container the page's
script reveals (``visibility: hidden`` in the markup), no known report container, only a
title and a byline visible. The density choice then finds a fragment; archive/extract/fallback.py
asks trafilatura and keeps the main text. Pages with a known container or a real body must
not pay for it (trafilatura is not called).
"""
from __future__ import annotations

import pytest

import archive.extract.fallback as fallback
from archive.extract import extract
from bench.extract.metrics import char_prf

PARAS = [
    "今年以来，某市持续推进政务公开标准化规范化建设，围绕群众关切的重点领域信息公开工作，"
    "建立健全主动公开目录，累计发布各类政府信息一万二千余条，较上年增长百分之十八。",
    "在依申请公开方面，全市各级行政机关共收到政府信息公开申请三百四十六件，均在法定期限内"
    "予以答复，未发生因政府信息公开被申请行政复议或提起行政诉讼后被纠错的情况。",
    "下一步，将继续加强政策解读和回应关切，推动政务公开向基层延伸，切实提升政府透明度和"
    "公信力，为经济社会高质量发展营造良好环境。",
]
TITLE = "某市政务公开工作取得新进展"
GOLD = "\n".join([TITLE, *PARAS])


def _page(hidden: bool = True) -> bytes:
    style = ' style="visibility: hidden;"' if hidden else ""
    return (
        "<html><head><title>" + TITLE + "</title></head><body>"
        '<div class="top"><a href="/">首页</a> <a href="/a">要闻</a> <a href="/b">公告</a></div>'
        '<div class="rich_media"><h1 class="rich_media_title">' + TITLE + "</h1>"
        '<div class="meta"><span>某市发布</span> <em>2024-03-01 09:30</em></div>'
        f'<div class="rich_media_content" id="js_content"{style}>'
        + "".join(f"<p>{p}</p>" for p in PARAS)
        + "</div></div><script>document.getElementById('js_content').style.visibility="
        "'visible';</script></body></html>").encode("utf-8")


URL = "https://mp.example.com/s/abc"


@pytest.fixture
def calls(monkeypatch):
    """Counts trafilatura calls (the real function still runs)."""
    import trafilatura
    real = trafilatura.extract
    seen = []

    def counting(*a, **kw):
        seen.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(trafilatura, "extract", counting)
    return seen


def test_unknown_layout_gives_the_main_text(calls):
    ex = extract(_page(), URL, "text/html")
    score = char_prf(ex.text, GOLD)
    assert score.recall >= 0.95 and score.precision >= 0.85
    assert ex.metadata["container"] == "density+trafilatura"
    assert ex.title == TITLE and ex.text.splitlines()[0] == TITLE
    assert calls


def test_without_the_fallback_it_is_a_fragment(monkeypatch):
    monkeypatch.setattr(fallback, "ENABLED", False)
    ex = extract(_page(), URL, "text/html")
    assert char_prf(ex.text, GOLD).recall < 0.3
    assert ex.metadata["container"] == "density"


def test_a_page_with_its_body_found_does_not_call_trafilatura(calls):
    ex = extract(_page(hidden=False), URL, "text/html")
    assert char_prf(ex.text, GOLD).f1 >= 0.95
    assert ex.metadata["container"] == "density"
    assert not calls


def test_report_pages_of_known_platforms_never_call_it(calls):
    from bench.extract.cases import farm_cases
    cases = farm_cases()[:8]
    assert cases
    for case in cases:
        ex = extract(case.body, case.url, case.content_type)
        assert ex.metadata.get("container") != "density+trafilatura"
    assert not calls


def test_ours_kept_when_trafilatura_finds_no_more():
    lines = [TITLE, *PARAS]
    html = _page(hidden=False).decode("utf-8")
    assert fallback.main_lines(html, lines) is None


def test_union_when_the_two_differ():
    # ours: a line trafilatura does not have; theirs: the article. Both kept, ours first.
    ours = ["相关链接：政务公开专栏"]
    out = fallback.main_lines(_page(hidden=False).decode("utf-8"), ours)
    assert out is not None and out[0] == ours[0]
    assert char_prf("\n".join(out), "\n".join(PARAS)).recall >= 0.95


def test_an_attachment_page_is_left_to_its_file(calls):
    """A page whose body only links the report's file (the farm's legacy county site, table
    layout): the text comes from the file, which the crawl fetches; trafilatura would return
    the page's chrome (menu, related news, footer) as its text instead."""
    from farm import build_farm

    farm = build_farm("platforms")
    pages = [t for t in farm.truth if t.content_type in ("docx", "wps") and "show.asp" in t.page_url]
    assert pages
    for t in pages:
        _, _, body = farm.request("GET", t.page_url)
        ex = extract(body, t.page_url, None)
        assert ex.metadata["container"] == "density"
        assert "相关新闻" not in ex.text and "版权所有" not in ex.text
    assert not calls


def test_a_scanned_report_page_stays_flagged_for_ocr(calls):
    page = ("<html><head><title>" + TITLE + "</title></head><body>"
            '<div class="top"><a href="/">首页</a> <a href="/a">要闻</a></div>'
            "<div><h1>" + TITLE + "</h1>"
            + "".join(f'<p><img src="/scan/p{i}.jpg"></p>' for i in range(1, 4))
            + "</div><p>某市人民政府办公室主办 版权所有 联系我们 网站地图 隐私声明 网站标识码"
            "1234567890</p></body></html>").encode("utf-8")
    ex = extract(page, "http://www.example.gov.cn/xxgk/show.asp?id=4", "text/html")
    assert ex.needs_ocr
    assert not calls


def test_bench_reads_both_formats_and_splits_by_url(tmp_path, capsys):
    """bench/extract --set webmainbench: a WebMainBench jsonl (markdown gold) and a
    magic-html base.json (htmls/ beside it), Chinese pages only, tune/held-out by URL."""
    import json

    from bench.extract import unseen
    from bench.extract.run import main

    page = _page().decode("utf-8")
    md = "# " + TITLE + "\n\n" + "\n\n".join(PARAS)
    wmb = tmp_path / "wmb.jsonl"
    rows = [{"url": f"https://a{i}.example.com/p", "html": page, "groundtruth_content": md}
            for i in range(4)]
    rows.append({"url": "https://en.example.com/", "html": "<p>hello</p>",
                 "groundtruth_content": "hello world, an English page"})
    wmb.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    mh = tmp_path / "article"
    (mh / "htmls").mkdir(parents=True)
    (mh / "htmls" / "k1.html").write_text(page, encoding="utf-8")
    (mh / "base.json").write_text(json.dumps({"k1": {"url": "https://b.example.com/x",
                                                     "content": GOLD}}, ensure_ascii=False),
                                  encoding="utf-8")
    pages = unseen.load([str(wmb), str(mh / "base.json")])
    assert len(pages) == 5  # the English page left out
    assert {p.half for p in pages} == {"tune", "held-out"}
    assert all(p.gold.startswith(TITLE) for p in pages)  # markdown markers removed
    assert main(["--set", "webmainbench", "--path", str(wmb), "--path",
                 str(mh / "base.json")]) == 0
    out = capsys.readouterr().out
    assert "MEAN held-out" in out and "MEAN tune" in out
