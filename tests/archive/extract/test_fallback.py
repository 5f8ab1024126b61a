"""Pages of a layout the extractor does not know (#17 point 4): the main text, not a fragment.

The page below is built like a WeChat article: the body sits in a container the page's
script reveals (``visibility: hidden`` in the markup), no known report container, only a
title and a byline visible. The density choice then finds a fragment; archive/extract/fallback.py
asks trafilatura and keeps the main text. Pages with a known container or a body of
fallback.WIDE_CHARS characters or more must not pay for it (trafilatura is not called).

Forum threads (cut-down real pages, tests/fixtures/extract/threads/): every post is main text,
not only the longest one, and not the copyright footer that outweighs a thread of short
replies.
"""
from __future__ import annotations

import pytest

import archive.extract.fallback as fallback
from archive.extract import extract
from bench.extract.metrics import char_prf
from tests.paths import FIXTURES

THREADS = FIXTURES / "extract" / "threads"

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


def _page(hidden: bool = True, paras: list[str] = PARAS) -> bytes:
    style = ' style="visibility: hidden;"' if hidden else ""
    return (
        "<html><head><title>" + TITLE + "</title></head><body>"
        '<div class="top"><a href="/">首页</a> <a href="/a">要闻</a> <a href="/b">公告</a></div>'
        '<div class="rich_media"><h1 class="rich_media_title">' + TITLE + "</h1>"
        '<div class="meta"><span>某市发布</span> <em>2024-03-01 09:30</em></div>'
        f'<div class="rich_media_content" id="js_content"{style}>'
        + "".join(f"<p>{p}</p>" for p in paras)
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
    paras = PARAS * 8  # over fallback.WIDE_CHARS characters: a body, not a fragment
    ex = extract(_page(hidden=False, paras=paras), URL, "text/html")
    assert len("".join(paras)) >= fallback.WIDE_CHARS
    assert char_prf(ex.text, "\n".join([TITLE, *paras])).f1 >= 0.95
    assert ex.metadata["container"] == "density"
    assert not calls


def test_a_short_body_is_checked_and_kept(calls):
    """A short body (under WIDE_CHARS) may be a fragment: trafilatura is asked, finds no
    more, and the page keeps its own text."""
    ex = extract(_page(hidden=False), URL, "text/html")
    assert char_prf(ex.text, GOLD).f1 >= 0.95
    assert ex.metadata["container"] == "density"
    assert calls


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

    from bench.extract import labelled
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
    pages = labelled.load([str(wmb), str(mh / "base.json")])
    assert len(pages) == 5  # the English page left out
    assert {p.half for p in pages} == {"tune", "held-out"}
    assert all(p.gold.startswith(TITLE) for p in pages)  # markdown markers removed
    assert main(["--set", "webmainbench", "--path", str(wmb), "--path",
                 str(mh / "base.json")]) == 0
    out = capsys.readouterr().out
    assert "MEAN held-out" in out and "MEAN tune" in out


# --- forum threads ------------------------------------------------------------------------
# the posts of each fixture, as the magic-html gold has them (one line a post, shortened)
FLARUM_POSTS = [
    "国内做社区需要严格控制用户内容",
    "composer require hamcq/filter-plus",
    "有考虑添加自定义service吗, ad误判太多",
    "您好，请问下为什么我的不管阿里云是否通过，都是审核中啊",
    "您好，我看了源代码，您的配置中少了",
    "更新了之后有了配置了，但是还是不能将正常内容自动审核通过",
]
DISCUZ_POSTS = [
    "建议对鼠神进行改版，现在的鼠神说是传奇，跟别的传奇差太远了",
    "3*大灾变的时候别的传奇，霸主武器都是无限*，鼠神为甚不是，要改。",
    "顶你，鼠神真的是太*了，攻击低，*太少，玩灾变居然还要自己买*",
    "同质化太严重了就没意思了",
    "莲花能自动蓄能恢复……这*点就可以重新站起来了（强烈复议）",
]


def _squash(s: str) -> str:
    return "".join(s.split())


def _thread(name: str):
    path = THREADS / f"{name}.html"
    return extract(path.read_bytes(), f"https://forum.example.com/{name}", "text/html")


@pytest.mark.parametrize("name,posts", [("flarum_thread", FLARUM_POSTS),
                                        ("discuz_thread", DISCUZ_POSTS)])
def test_a_thread_keeps_every_post(name, posts):
    text = _squash(_thread(name).text)
    missing = [p for p in posts if _squash(p) not in text]
    assert not missing


def test_flarum_replies_are_not_dropped_as_comment_chrome():
    """The replies are ``article.CommentPost`` blocks: "comment" names chrome on an article
    page, but here each is one of several sibling posts with prose."""
    ex = _thread("flarum_thread")
    assert "注册" not in ex.text and "登录" not in ex.text  # the header's links stay out
    assert ex.metadata["container"] in ("density", "density+posts")


def test_discuz_thread_is_not_its_copyright_footer():
    ex = _thread("discuz_thread")
    assert ex.metadata["container"] == "density+posts"
    assert "Copyright" not in ex.text and "版权所有" not in ex.text


@pytest.mark.parametrize("name,posts", [("flarum_thread", FLARUM_POSTS),
                                        ("discuz_thread", DISCUZ_POSTS)])
def test_without_the_fallback_a_thread_loses_posts(monkeypatch, name, posts):
    monkeypatch.setattr(fallback, "ENABLED", False)
    text = _squash(_thread(name).text)
    assert [p for p in posts if _squash(p) not in text]


def test_sibling_posts_expands_one_post_to_the_thread():
    from lxml import html as lxml_html
    root = lxml_html.fromstring(
        "<html><body><div id='t'>"
        + "".join(f"<div class='post' id='post_{i}'><a href='/u/{i}'>user{i}</a>"
                  f"<p class='msg'>第{i}楼的回复内容，说了一些有用的话。</p></div>"
                  for i in range(1, 4))
        + "<div class='reply-box'><a href='/r'>回复</a></div></div></body></html>")
    body = root.find("body")
    best = root.xpath("//div[@id='post_2']/p")[0]
    posts = fallback.sibling_posts(best, body)
    assert [p.get("id") for p in posts] == ["post_1", "post_2", "post_3"]


def test_sibling_link_lists_are_not_posts():
    """An article beside a block of the same class that is a list of links (related news) is
    one article, not a thread."""
    from lxml import html as lxml_html
    root = lxml_html.fromstring(
        "<html><body><div class='box'><p>" + PARAS[0] + "</p><p>" + PARAS[1] + "</p></div>"
        "<div class='box'><ul>" + "".join(f"<li><a href='/n/{i}'>相关新闻标题第{i}条很长很长"
                                          "</a></li>" for i in range(6)) + "</ul></div>"
        "</body></html>")
    body = root.find("body")
    best = root.xpath("//div[@class='box']")[0]
    assert fallback.sibling_posts(best, body) is None
    assert fallback.post_list(body, best) is None


def test_bench_reads_the_new_set_formats(tmp_path):
    """Sets 2 and 3: a readability test-pages directory (source.html, expected.html) and a
    CleanEval directory (input/, GoldStandard/; fixed quarters by sha1 of the page number),
    every language."""
    from bench.extract import labelled

    rd = tmp_path / "test-pages"
    for name in ("a-page", "b-page"):
        (rd / name).mkdir(parents=True)
        (rd / name / "source.html").write_text(
            "<html><body><nav><a href='/'>Home</a></nav><article><p>Hello readable world, "
            "this is the article.</p></article></body></html>", encoding="utf-8")
        (rd / name / "expected.html").write_text(
            "<div><p>Hello readable world, this is the article.</p></div>", encoding="utf-8")
    ce = tmp_path / "cleaneval-final"
    (ce / "input").mkdir(parents=True)
    (ce / "GoldStandard").mkdir()
    for n in range(1, 13):
        (ce / "input" / f"{n}.html").write_text(
            f'<text id="http://ce.example.com/{n}" title="t">\n<html><body><p>Page {n} '
            "text here.</p></body></html>", encoding="utf-8")
        (ce / "GoldStandard" / f"{n}.txt").write_text(
            f"URL: http://ce.example.com/{n}\n\n<p> Page {n} text here.", encoding="utf-8")
    pages = labelled.load([str(rd), str(ce)])
    read = [p for p in pages if p.source == "readability"]
    clean = [p for p in pages if p.source == "cleaneval-final"]
    assert len(read) == 2 and "Hello readable world" in read[0].gold
    assert {p.half for p in read} == {"new"}
    # quarter 0 of CleanEval final is set 2 ("new"), 1 set 3 ("fresh"), 2 set 4 ("late"), 3 set 5
    assert len(clean) == 12
    assert all(p.half == {0: "new", 1: "fresh", 2: "late", 3: "fifth"}[
        labelled._sha(f"cleaneval-final/{p.name.split('/')[1]}", 4)] for p in clean)
    assert {p.half for p in clean} == {"new", "fresh", "late", "fifth"}
    assert all("URL:" not in p.gold and "<p>" not in p.gold for p in clean)
    assert clean[0].url.startswith("http://ce.example.com/")


def test_a_reply_held_in_a_post_footer_is_kept():
    """paopao.info (magic-html forum page) holds each reply's text in the comment's
    ``n-thing-main__footer``: "footer" names chrome, but inside one of several comments it is
    the reply itself."""
    replies = ["个人观点，端密聊天本身就是小众的所需，也是小众受用。",
               "好熟悉的app啊，看其logo，就好像哪见过，之前好像有开源版本来着？",
               "端到端加密说实话也并不是大众群体的刚性需求，这是一个好噱头。"]
    page = ("<html><head><title>帖子</title></head><body><ul class='n-list'>"
            + "".join(f"<li class='n-list-item'><div class='comment-item'><div class='n-thing-main'>"
                      f"<div class='n-thing-header'><a href='/u/{i}'>user{i}</a></div>"
                      f"<div class='n-thing-main__footer'><div class='reply-wrap'>{r}</div>"
                      "</div></div></div></li>" for i, r in enumerate(replies))
            + "</ul><div class='footer'>关于我们 联系方式</div></body></html>").encode("utf-8")
    text = _squash(extract(page, "https://forum.example.com/p/1", "text/html").text)
    assert all(_squash(r) in text for r in replies)
    assert "关于我们" not in text


def test_bench_reads_the_fresh_set_formats(tmp_path):
    """Set 3 ("fresh"): GoldStandard/input directories chosen by their name (dragnet: an eighth
    by sha1; CleanEval dev and CleanPortalEval whole) and htmltotext's benchmarkdata."""
    from bench.extract import labelled

    dirs = {}
    for dataset in ("dragnet_data", "cleaneval-dev", "CleanPortalEval-master"):
        d = dirs[dataset] = tmp_path / dataset
        (d / "input").mkdir(parents=True)
        (d / "GoldStandard").mkdir()
        for n in range(1, 17):
            (d / "input" / f"{n}.html").write_text(f"<html><body><p>Page {n} of {dataset}.</p></body></html>",
                                                    encoding="utf-8")
            (d / "GoldStandard" / f"{n}.txt").write_text(f"Page {n} of {dataset}.", encoding="utf-8")
    bd = tmp_path / "benchmarkdata"
    for lang in ("zh", "en"):
        (bd / lang / "html").mkdir(parents=True)
        (bd / lang / "text").mkdir(parents=True)
        (bd / lang / "html" / "a.html").write_text("<html><body><p>正文一段。</p></body></html>", encoding="utf-8")
        (bd / lang / "text" / "a.txt").write_text("正文一段。", encoding="utf-8")
    pages = labelled.load([str(p) for p in dirs.values()] + [str(bd)], "all")
    assert {p.half for p in pages} <= {"fresh", "late", "fifth", "sixth", "seventh"}
    assert {"fresh", "late", "fifth"} <= {p.half for p in pages}
    by_source = {}
    for p in pages:
        by_source.setdefault(p.source, []).append(p)
    assert len(by_source["cleaneval-dev"]) == len(by_source["CleanPortalEval-master"]) == 16
    # dragnet: eighth 0 is set 3 ("fresh"), 1 set 4 ("late"), 2 set 5 ("fifth"), 3-4 set 6,
    # 5-7 set 7
    assert sorted(p.name for p in by_source["dragnet_data"] if p.half == "fresh") == sorted(
        f"dragnet/{n}" for n in range(1, 17) if labelled._sha(f"dragnet/{n}", 8) == 0)
    assert sorted(p.name for p in by_source["dragnet_data"] if p.half == "late") == sorted(
        f"dragnet/{n}" for n in range(1, 17) if labelled._sha(f"dragnet/{n}", 8) == 1)
    assert sorted(p.name for p in by_source["dragnet_data"] if p.half == "fifth") == sorted(
        f"dragnet/{n}" for n in range(1, 17) if labelled._sha(f"dragnet/{n}", 8) == 2)
    assert sorted(p.name for p in by_source["dragnet_data"] if p.half == "sixth") == sorted(
        f"dragnet/{n}" for n in range(1, 17) if labelled._sha(f"dragnet/{n}", 8) in (3, 4))
    assert sorted(p.name for p in by_source["dragnet_data"] if p.half == "seventh") == sorted(
        f"dragnet/{n}" for n in range(1, 17) if labelled._sha(f"dragnet/{n}", 8) >= 5)
    assert sorted(p.name for p in by_source["htmltotext"]) == ["htmltotext/en/a", "htmltotext/zh/a"]


def test_bench_reads_utf16_gold_and_cuts_dragnet_comments():
    """Five dragnet gold files are UTF-16 (read as UTF-8, their pages were scored against
    mojibake); dragnet's gold holds the article, then ``!@#$%^&*()  COMMENTS`` and the
    reader comments, which are its separate "content + comments" task."""
    from bench.extract import labelled

    assert labelled._gold_text("Article text.\n".encode("utf-16")) == "Article text.\n"
    assert labelled._gold_text("\ufeffBOM dropped".encode("utf-8")) == "BOM dropped"
    gold = "The article.\n!@#$%^&*()  COMMENTS\nA reader's comment.\n"
    assert labelled._gold_text(gold.encode("utf-8")) == "The article.\n"


def test_bench_set_4_takes_the_non_chinese_magic_html_pages(tmp_path):
    """Set 4 ("late"): magic-html pages whose gold is not Chinese (never scored before, since
    the old set kept only Chinese ones); the Chinese ones stay in the old halves."""
    import json as _json

    from bench.extract import labelled

    d = tmp_path / "article"
    (d / "htmls").mkdir(parents=True)
    base = {"a1": {"url": "https://en.example.com/a", "content": "An English article body."},
            "z1": {"url": "https://zh.example.com/z", "content": "一篇中文文章的正文内容。"}}
    for key in base:
        (d / "htmls" / f"{key}.html").write_text("<html><body><p>x</p></body></html>", encoding="utf-8")
    (d / "base.json").write_text(_json.dumps(base), encoding="utf-8")
    halves = {p.url: p.half for p in labelled.load([str(d / "base.json")], "all")}
    assert halves["https://en.example.com/a"] == "late"
    assert halves["https://zh.example.com/z"] in ("tune", "held-out")
    assert [p.url for p in labelled.load([str(d / "base.json")], "zh")] == ["https://zh.example.com/z"]


def test_bench_reads_set_five_gold(tmp_path):
    """Set 5: page-signal's annotated gold is the text of its headline, full-text and
    supplemental spans only (not related links or comments), half of its pages by name; every
    way dragnet types its comment mark cuts the comments."""
    from bench.extract import labelled

    ps = tmp_path / "page-signal-master"
    (ps / "input").mkdir(parents=True)
    (ps / "GoldStandard").mkdir()
    for n in range(8):
        (ps / "input" / f"id{n}.html").write_text("<html><body><p>x</p></body></html>")
        (ps / "GoldStandard" / f"id{n}.txt").write_text(
            '<html><body><span class="x-nc-sel0">Menu Home</span>'
            f'<h1><span class="x-nc-sel1">Headline {n}</span></h1>'
            '<p><span class="x-nc-sel2">Body text <b>bold</b> here.</span></p>'
            '<span class="x-nc-sel3">Photo caption.</span>'
            '<span class="x-nc-sel4">Related story</span>'
            '<span class="x-nc-sel5">A reader comment</span></body></html>', encoding="utf-8")
    pages = labelled.load([str(ps)], lang="all")
    assert len(pages) == 8  # half in set 5, the other half in set 6
    assert all(p.half == {0: "fifth", 1: "sixth"}[
        labelled._sha(f"page-signal/{p.name.split('/')[1]}", 2)] for p in pages)
    assert {p.half for p in pages} == {"fifth", "sixth"}
    gold = " ".join(pages[0].gold.split())
    assert gold.startswith("Headline") and "Body text bold here." in gold
    assert "Photo caption." in gold
    assert not any(w in gold for w in ("Menu", "Related", "comment"))

    for mark in ("!@#$%^&*()  COMMENTS", "!@ $%^&*()  COMMENTS", "@#$%^&**()  COMMENTS",
                 "!#@$%^&*()  COMMENTS", "  #$%^&*()  COMMENTS", "!@#$%^&*()  CORRECTED"):
        text = labelled._gold_text(f"The article.\n{mark}\nFirst reader: great post".encode())
        assert text.strip() == "The article.", mark
