"""Real pages of layouts the extractor was never written against that came out empty or as a
fragment (#17 point 4, set 2 of bench/README.md): cut-down CleanEval pages in
tests/fixtures/extract/unseen/ (origins in tests/fixtures/extract/README.md), and the density
rules that lost a page's text. An empty or tiny text must say why (``extract_error``), never
pass for the page's text.
"""
from __future__ import annotations

from lxml import etree

import archive.extract.fallback as fallback
from archive.extract import extract
from archive.extract import html as html_mod
from archive.extract.html_text import render
from tests.paths import FIXTURES

UNSEEN = FIXTURES / "extract" / "unseen"


def _extract(name: str, url: str):
    return extract((UNSEEN / name).read_bytes(), url, "text/html")


def test_a_page_of_headlines_with_spacer_and_bullet_images_does_not_claim_ocr():
    """ohio.com's columnist page: its text is a list of headline links with teasers, which
    the extractor drops as a headline list. Its images are a spacer GIF, nav bullets, logos
    and a small photo: no page scans. It claimed "OCR needed" (and the crawl would have
    fetched the spacer to OCR it), and that claim kept the fallback from being asked. Its
    column intro sits in cells written without ``<tr>`` (once skipped, now read): the intro is
    the text kept, and the page says the rest was not found."""
    ex = _extract("cleaneval_618_headline_list.html",
                  "http://www.ohio.com/mld/ohio/sports/columnists/marla_ridenour/")
    assert not ex.needs_ocr
    assert not (ex.extract_error or "").startswith("OCR")
    assert "Recent and past columns from Akron Beacon Journal sports columnist" in ex.text
    assert "|" not in ex.text  # layout cells, not a data row
    assert ex.extract_error.startswith("main text not found")


def test_failed_text_beside_furniture_images_is_not_an_image_only_page():
    """The scan test itself, on the same real markup with no text found at all: spacer,
    bullets and logos are not page scans, so the page says its text was not found instead."""
    root = html_mod.parse((UNSEEN / "cleaneval_618_headline_list.html").read_bytes().decode("latin-1"))
    assert not html_mod._image_only(root, [], "Marla Ridenour")
    assert html_mod._scan_images(root, root, "http://www.ohio.com/") == []


def test_a_real_image_only_report_page_still_claims_ocr():
    """A gov report page published as scans (real TRS markup: numbered W020… page images in
    the editor, no size declared; chrome around it): still image-only, its scans in order."""
    ex = _extract("trs_image_only_report.html", "http://www.example.gov.cn/art/2020/1/8/a.html")
    assert ex.needs_ocr
    assert ex.extract_error and ex.extract_error.startswith("OCR")
    root = html_mod.parse((UNSEEN / "trs_image_only_report.html").read_text("utf-8"))
    scans = html_mod._scan_images(root, root, "http://www.example.gov.cn/art/2020/1/8/a.html")
    assert [s.rsplit("/", 1)[1] for s in scans] == ["W020200108394115870127.jpg",
                                                     "W020200108394116028918.jpg",
                                                     "W020200108394116185744.jpg"]


def test_a_fragment_of_a_long_page_is_a_shortfall_too():
    """Not only tiny texts: 1,301 characters kept of a page showing 19,488 characters of prose
    outside links is a fragment, and must say so; a full text of a page with long link-free
    furniture is not."""
    fragment = ["一段正文。" * 260 + "末"]
    assert fallback.needed_shortfall(fragment)
    assert fallback.shortfall(fragment, 19488).startswith("main text not found")
    assert fallback.shortfall(fragment, 3000) is None


def test_shortfall_leaves_full_texts_and_short_pages_alone():
    many = ["一段正文，" * 60]
    assert fallback.shortfall(many, 2000) is None          # a real text
    assert fallback.shortfall(["短"], 500) is None           # a short page
    assert fallback.shortfall(["短"], 5000).startswith("main text not found")


def test_a_vertical_tab_in_the_text_does_not_fail_the_page():
    """seattlepi.com: paragraphs start with U+000B; lxml parsed them but refused them when
    the extractor set a node's text (the whole page failed with ValueError)."""
    ex = _extract("cleaneval_161_vertical_tab.html",
                  "http://seattlepi.nwsource.com/getaways/040298/dest02.html")
    assert ex.extract_error is None
    assert "St. Basil's Cathedral is downright dilapidated" in ex.text
    assert "the curator said" in ex.text
    assert "\x0b" not in ex.text


def test_content_after_a_stray_body_end_is_read():
    """udel.edu: the capture begins with a ``</body>``; libxml2 ends the body there and puts
    the whole page beside it, where no body search looked (``no text: empty``)."""
    ex = _extract("cleaneval_768_stray_body_end.html",
                  "http://www.udel.edu/PR/UDaily/2005/dec/personnel020105.html")
    assert ex.extract_error is None
    assert "With a staff of seven and more than 7,200" in ex.text
    assert "Prizes include the grand prize of a year of free housing" in ex.text


def test_rows_inside_a_span_in_a_table_are_rendered():
    """mercola.com: ``<TABLE><span id=_ctl0_content><span><TR><TD><P>…``: libxml2 keeps the
    rows inside the span (a browser lifts them out); the renderer took only a table's own
    rows and row groups, so the whole article was lost."""
    root = html_mod.parse((UNSEEN / "cleaneval_568_rows_in_span.html").read_text("latin-1"))
    table = root.find(".//table")
    text = "\n".join(ln.text for ln in render(table)[0])
    assert "I have already discussed the many toxic effects" in text
    assert "tested for rancidity, and showed no evidence of it" in text


def test_an_empty_block_does_not_beat_the_only_paragraph():
    """A layout table whose one cell holds the page's only paragraph beside a column of links
    (more link text than prose: a negative score) and an empty table (score 0): the density
    choice must be the block with the paragraph."""
    story = "肉をくわえたイヌが、橋を渡っていました。ふと下を見ると、川の中にも肉をくわえたイヌがいます。" * 3
    links = "".join(f"<a href='/s/{i}'>きょうのイソップ童話そのお話の題名{i}</a><br>" for i in range(12))
    page = (f"<html><body><table><tr><td>{links}</td><td><table><tr><td></td></tr></table>"
            f"<p>{story}</p></td></tr></table></body></html>")
    root = html_mod.parse(page)
    best = html_mod._density_choice(root.find("body"))
    assert story in "".join(best.itertext())


def test_prose_paragraphs_beside_the_chosen_table_are_kept():
    """infoplease.com: an article's paragraphs beside a data table, in a cell that also holds
    a links box; the table wins the density choice, the paragraphs join it."""
    paras = [f"Paragraph {i} of the article explains pluralities and majorities in elections "
             "at some length, well beyond a caption." for i in range(3)]
    rows = "".join(f"<tr><td>Year {y}</td><td>Candidate {y} with a long name</td><td>{y % 50}.{y % 9}%</td>"
                   "<td>Party of the candidate and notes</td></tr>" for y in range(1824, 1900, 4))
    page = ("<html><body><table><tr><td id='Pg'><h1>Plurality and Majority</h1>"
            + "".join(f"<p>{p}</p>" for p in paras)
            + "<div>" + " | ".join(f"<a href='/r{i}'>Related link number {i}</a>" for i in range(12))
            + f"</div><div><table class='sgmltable'>{rows}</table></div></td></tr></table></body></html>")
    root = html_mod.parse(page)
    body = root.find("body")
    best = html_mod._density_choice(body)
    assert best.tag == "table"
    parts = fallback.prose_siblings(best, body)
    text = "".join("".join(p.itertext()) for p in parts)
    assert all(p in text for p in paras) and "Year 1824" in text
    assert "Related link number" not in text
    ex = extract(page.encode(), "http://www.example.com/a.html", "text/html")
    assert ex.metadata["container"] == "density+siblings" and paras[0] in ex.text


def test_a_disclaimer_beside_the_article_is_not_a_prose_sibling():
    """One prose sibling (a disclaimer, a copyright notice) is not enough to join."""
    body = etree.fromstring(
        "<html><body><div><div id='a'><p>" + "Article text of some length here. " * 20
        + "</p></div><p>特别声明：以上内容为自媒体平台用户上传并发布，本平台仅提供信息存储服务。"
        "Notice: the content above is uploaded by a user, the platform only stores it.</p>"
        "</div></body></html>", etree.HTMLParser()).find("body")
    best = body.find(".//div[@id='a']")
    assert fallback.prose_siblings(best, body) is None


def test_a_one_line_page_is_not_called_empty():
    """readability's `ol` test page: one list item, no <title>. Its one line is read as the
    title; the error must not claim the document is empty (it was: 'document is empty')."""
    from archive.extract import extract

    page = ("<html><body><ol><li><p>AI hasn’t meaningfully changed anything in cybersecurity so far."
            "</p></li></ol></body></html>").encode("utf-8")
    ex = extract(page, "http://example.com/ol", "text/html")
    assert "cybersecurity" in ex.text
    assert ex.extract_error and "empty" not in ex.extract_error
    empty = extract(b"<html><body></body></html>", "http://example.com/e", "text/html")
    assert empty.extract_error == "no text: the HTML document is empty"


def test_an_open_named_anchor_does_not_turn_the_page_into_link_text():
    """redlist.org: ``<a name="introduction"><h2>…`` never closed, so libxml2 nests the rest
    of the page inside the anchor; every link-density rule read the prose as link text and
    the density choice kept a small table of codes (R 0.07 on the whole page)."""
    ex = _extract("cleaneval_670_open_named_anchor.html",
                  "http://www.redlist.org/info/organization.html")
    assert ex.extract_error is None
    assert "Before 2000 the IUCN Red List was produced in book format." in ex.text
    assert "a set of minimum documentation requirements that were introduced in 2000" in ex.text


def test_a_page_laid_out_in_a_table_renders_as_paragraphs():
    """The same page's body is one cell of a layout table (header, body, footer rows). Read
    as a data table, the whole report became one `` | `` line."""
    ex = _extract("cleaneval_670_open_named_anchor.html",
                  "http://www.redlist.org/info/organization.html")
    lines = ex.text.splitlines()
    assert "Introduction" in lines
    assert any(ln.startswith("Before 2000 the IUCN Red List") for ln in lines)
    assert not any(" | " in ln for ln in lines)


def test_a_stray_html_end_tag_before_the_body_loses_nothing():
    """leogao.dev (a Hexo blog): ``</head></html><body>…``. libxml2 2.14 stops reading at the
    ``</html>``, so the page was its title alone ("no text besides the title")."""
    ex = _extract("htmltotext_blog_stray_html_end.html",
                  "https://leogao.dev/2020/05/29/GPT-3-A-Brief-Summary/")
    assert ex.extract_error is None
    assert "is hard to overstate; it’s an entire order of magnitude larger" in ex.text
    assert "The following table summarizes some of the largest autoregressive" in ex.text


def test_only_an_early_html_end_tag_is_dropped():
    assert html_mod.without_early_html_end("<p>a</p></html>\n") == "<p>a</p></html>\n"
    assert html_mod.without_early_html_end("<head></head></HTML ><body>b") == "<head></head><body>b"
    assert html_mod.without_early_html_end(b"</html><p>c</p></html>") == b"<p>c</p>"


def test_a_redirect_stub_says_where_its_text_is():
    """feedsportal.com's interstitial ("1 Secs", then a script sends the reader to the story
    on news.com.au): six characters of text and no reason. It must say it is a redirect page,
    and where to."""
    ex = _extract("dragnet_R237_redirect_stub.html",
                  "http://da.feedsportal.com/c/34564/f/632404/s/2543d40e/index.html")
    assert ex.extract_error == (
        "a redirect page: no text of its own, it sends the reader to http://www.news.com.au/"
        "business/worklife/melbourne-cup-day-check-yourself-before-you-wreck-yourself/"
        "story-e6frfm9r-1226511327171?from=public_rss")


def test_a_meta_refresh_stub_and_a_short_page_with_a_menu():
    stub = ('<html><head><meta http-equiv="Refresh" content="0;URL=/zwgk/nb/2021.html">'
            '<title>跳转</title></head><body><p>页面跳转中，请稍候……</p></body></html>')
    ex = extract(stub.encode("utf-8"), "http://www.a.gov.cn/nb.html", "text/html")
    assert ex.extract_error == ("a redirect page: no text of its own, it sends the reader "
                                "to http://www.a.gov.cn/zwgk/nb/2021.html")
    # a short page whose menu items navigate by onclick is no redirect page
    menu = ('<html><body><ul><li onclick="location.href=\'/col/1.html\'">政务公开</li></ul>'
            '<p>暂无内容</p></body></html>')
    ex = extract(menu.encode("utf-8"), "http://www.a.gov.cn/x.html", "text/html")
    assert not (ex.extract_error or "").startswith("a redirect page")


def test_a_conditional_mobile_redirect_is_no_redirect_page():
    """caijing.com.cn: a short news item whose script sends phones to the mobile site
    (``if(browser()){ window.location.href=… }``) is an article, not a redirect page."""
    page = ("<html><head><title>5月LPR按兵不动</title><script>function browser(){return false;}"
            "if(browser()){ window.location.href=\"//m.caijing.com.cn/api/show?contentid=1\"; }"
            "</script></head><body><h1>5月LPR按兵不动</h1><p>北京商报讯 5月20日，中国人民银行授权"
            "全国银行间同业拆借中心公布，贷款市场报价利率均与上月持平。</p></body></html>")
    ex = extract(page.encode("utf-8"), "https://economy.caijing.com.cn/1.html", "text/html")
    assert ex.extract_error is None
    assert "贷款市场报价利率均与上月持平" in ex.text


def test_reader_comments_below_an_article_are_not_its_text():
    """home-ec101.com (WordPress): the density choice is the post's wrapper, which also holds
    ``<div id="comments">`` with its ``ol.commentlist``; the comments outweighed the post five
    to one. The post is the text; its comments are not (a gov page's 网友评论 neither)."""
    ex = _extract("dragnet_R52_comments.html",
                  "http://www.home-ec101.com/lets-make-soup-this-fall-and-winter/")
    assert "Cooler weather has finally arrived, yes, even in my little corner" in ex.text
    assert "Are you adventurous enough to experiment with the Mustgo Soup concept?" in ex.text
    assert "I’d sweat the onions, chop the broccoli" not in ex.text
    assert "Yes! having a series on Mustgo sounds like a Mustdo!!" not in ex.text
    assert ex.extract_error is None  # the comments are not counted as prose it missed


def test_a_page_of_comments_only_keeps_them():
    """Without an article beside them (under 300 characters outside), comments are the
    page's text: they stay (a thread's posts, fallback.py)."""
    posts = "".join(f"<li class='comment' id='comment-{i}'><p>{'第{}楼：这份年报的表格很清楚，数据齐全。'.format(i) * 4}</p></li>"
                    for i in range(6))
    page = f"<html><body><div id='main'><h1>留言</h1><ol class='commentlist'>{posts}</ol></div></body></html>"
    ex = extract(page.encode("utf-8"), "http://www.a.gov.cn/ly.html", "text/html")
    assert "第5楼：这份年报的表格很清楚" in ex.text
    assert "第0楼：这份年报的表格很清楚" in ex.text


def test_a_page_of_links_only_is_not_called_empty():
    """thenationaldebate.com's blog front page as captured: banner links, a blogroll and a
    "Recent Comments" list, no post. Nothing is kept, and the reason must not be "document is
    empty": the page shows text, all of it links and lists."""
    ex = _extract("cleaneval_750_links_only.html", "http://www.thenationaldebate.com/blog/")
    assert ex.text == ""
    assert ex.extract_error.startswith("main text not found: the page shows ")
    assert "all of them links, lists or page furniture" in ex.extract_error


def test_an_error_page_served_with_200_says_so():
    """A soft 404 (archive.reports.soft404) has text, but none of a document: the extraction
    itself says why (baike.baidu.com's "抱歉，您所访问的页面不存在" gave text and no reason)."""
    ex = extract((FIXTURES / "soft404" / "trs_404.html").read_bytes(),
                 "http://www.a.gov.cn/zwgk/xxgknb/t20200101_1.html", "text/html")
    assert ex.extract_error and ex.extract_error.startswith("soft 404: ")


def test_a_later_display_declaration_shows_what_an_earlier_one_hid():
    """scmp.com's article body continues in sections whose class rule reads
    ``position:relative;display:none;display:block``: a browser shows them (the later
    declaration wins), so they are text. Taken as hidden, the article stopped after its first
    three paragraphs (R 0.11)."""
    ex = _extract("scmp_display_cascade.html",
                  "https://www.scmp.com/native/business/topics/hi-tech-luxury-e-commerce-platform/"
                  "article/3260907/alibaba-online-luxury-shopping")
    assert "Each spring, luxury watch collectors flock to Geneva" in ex.text  # section 1
    assert "Digitised experiences such as this are not limited to special events" in ex.text
    assert "1. Rapidly growing portfolio of high-end brands" in ex.text


def test_the_css_cascade_decides_what_a_class_hides():
    from archive.extract.furniture import hidden_selectors
    classes, ids = hidden_selectors(
        ".shown{display:none;display:block}"
        ".later{display:none} .later{display:flex}"
        ".hidden{display:block} div.hidden{display:none}"
        ".kept{display:none !important} .kept{display:block}"
        "#gone{visibility:visible;visibility:hidden} .zero{font-size:0}"
        ".OLD{DISPLAY:NONE} .OLD{DISPLAY:BLOCK} .old2{Display:None}")
    assert classes == {"hidden", "kept", "zero", "old2"}
    assert ids == {"gone"}


def test_cells_written_without_rows_are_read():
    """socialistreviewindex.org.uk lays its article out as ``<table><td>…</td><td>…</td>``
    with no ``<tr>``: libxml2 leaves the cells loose under the table, where the renderer
    looked only for rows, so the whole article was lost (R 0.38). A browser gives the cells a
    row; so does the renderer, as layout (a hand-made page, not a data table)."""
    ex = _extract("cleaneval_146_rowless_table.html",
                  "http://pubs.socialistreviewindex.org.uk/sr279/rose.htm")
    assert "it is tempting to make an exception for Edward Said" in ex.text
    assert "Selected bibliography" in ex.text
    assert "Power, Politics and Culture (2001)" in ex.text
    assert not ex.tables and " | " not in ex.text


def test_a_discussion_keeps_its_replies():
    """A forum thread (agreper: ``div.comment`` replies under the first post) keeps every reply
    when the page says it is a discussion (here its URL, ``/thread/1/``); the same markup as a
    blog post drops them as readers' comments (the article is its text)."""
    page = "agreper_thread.html"
    thread = _extract(page, "https://forum.agreper.com/thread/1/")
    assert "Agreper is a minimal forum board" in thread.text
    assert "I wonder which hosting you're using" in thread.text
    assert "Great! I want run my own Agreper-based forum" in thread.text
    blog = _extract(page, "https://example.org/2023/05/agreper.html")
    assert "Agreper is a minimal forum board" in blog.text
    assert "I wonder which hosting you're using" not in blog.text


def test_what_tells_a_discussion_page():
    assert fallback.is_discussion(None, "https://forums.debian.net/viewtopic.php?t=158836")
    assert fallback.is_discussion(None, "https://stackoverflow.com/questions/1077347/hello")
    assert fallback.is_discussion(None, "https://theultimatetone.com/thread-214.html")
    assert fallback.is_discussion(None, "https://bbs.example.cn/forum.php?mod=viewthread")
    assert fallback.is_discussion('<div itemtype="https://schema.org/DiscussionForumPosting">',
                                  "https://example.com/x/123")
    assert fallback.is_discussion('{"@type":"QAPage"}', "https://example.com/x")
    # report and news URLs are not: a news site's /topics/ is a tag page, not a thread
    for url in ("http://www.hubei.gov.cn/zfxxgk/t20230101_4434.shtml",
                "https://www.gov.cn/zhengce/content/2023-01/01/content_5734.htm",
                "https://www.scmp.com/news/topics/luxury/article/3260907/x",
                "https://example.com/threadsafe-queues.html"):
        assert not fallback.is_discussion("<html></html>", url), url


def test_the_page_marked_article_beats_a_longer_block_outside_it():
    """theatermania.com: a short news item in the page's one ``<article>``, its paragraphs
    heavy with links, beside a longer legal disclaimer in the footer. The density choice took
    the disclaimer (R 0.43); the one element the page marks as its article wins over a block
    outside it."""
    ex = _extract("dragnet_R390_article_beside_disclaimer.html", "http://www.theatermania.com/")
    assert "Calling all fans of Les Miserables" in ex.text
    assert "singing Fantine's heart-wrenching ballad" in ex.text
    assert "shall not be deemed to endorse" not in ex.text
    # several <article>s are a list of teasers: no element is marked as the article
    root = etree.fromstring("<body><article><p>a</p></article><article><p>b</p></article></body>")
    assert html_mod._marked_article(root) is None


def test_a_cookie_consent_dialog_is_not_the_text():
    """nbcnews.com as a browser captured it: the article (2,000 characters) and OneTrust's
    consent dialog (``#onetrust-consent-sdk``, 10,000 characters of cookie notice). The
    dialog's legal prose outweighed the article in the density choice, so the text was mostly
    cookie notice (P 0.40); a consent dialog is dropped whatever its length."""
    ex = _extract("nbcnews_consent_dialog.html",
                  "https://www.nbcnews.com/news/sports/caitlin-clarks-mantra-takes-wnba-dont-lose-fun-rcna152993")
    assert "Caitlin Clark" in ex.text
    assert "cookie" not in ex.text.lower()
    from archive.extract.furniture import CONSENT_TOKEN_RE
    for name in ("onetrust-consent-sdk", "cookie-notice", "cc-window cc-banner", "gdpr-banner",
                 "consent-container"):
        assert CONSENT_TOKEN_RE.search(name), name
    for name in ("dialog-off-canvas-main-canvas", "cookbook", "consent-form-article"):
        assert not CONSENT_TOKEN_RE.search(name), name


def test_a_title_whose_end_tag_was_cut_does_not_swallow_the_page():
    """computerworld.com.au as captured: ``<title>…antitrust cases</titavaScript" src=…>``, the
    title's end tag cut into the next tag's. A title's text runs to ``</title>``, so the whole
    page was title and the extraction said "no text besides the title" (4 of set 5's
    page-signal pages). The title is closed before the first tag inside it."""
    ex = _extract("pagesignal_unclosed_title.html", "http://www.computerworld.com.au/")
    assert ex.title == "Microsoft faces two new European antitrust cases"
    assert "The second investigation is looking into Microsoft's tactic of bundling" in ex.text
    assert not ex.extract_error
    # untouched when the title is closed, and the same repair for bytes
    ok = "<html><head><title>a &lt;b&gt; title</title></head><body><p>x</p></body></html>"
    assert html_mod.with_title_closed(ok) is ok
    assert html_mod.with_title_closed(b"<title>t<script>x</script>") == b"<title>t</title><script>x</script>"


def test_discovery_reads_links_after_an_unclosed_title():
    from crawler.discovery import parse_html
    page = ('<html><head><title>Portal<script src="a.js"></script></head><body>'
            '<a href="/zfxxgk/ndbg/">政府信息公开年报</a></body></html>')
    root = parse_html(page, "http://www.example.gov.cn/")
    assert [a.get("href") for a in root.iter("a")] == ["/zfxxgk/ndbg/"]


def test_content_straight_inside_a_table_is_read():
    """eweightlosstips.com puts its sales letter's paragraphs and its testimonial boxes (whole
    tables) straight inside a layout ``<table>``, in no cell. A browser moves such content out,
    before the table; the renderer read those children as wrappers of rows and lost all of
    them but the first lines (R 0.03)."""
    ex = _extract("cleaneval_414_content_in_table.html",
                  "http://www.eweightlosstips.com/weightlossltr.htm")
    assert "committed,disciplined diet and yoga regimen" in ex.text
    assert "Dozens of letters like these poured in" in ex.text
    assert "I have just started following your recommendations" in ex.text  # a table in a table
    assert "The information that was presented was very helpful" in ex.text


def test_a_blog_post_marked_entry_content_beats_a_sidebar_list():
    """wilwheaton.typepad.com: a short post (its second paragraph one link) in the hAtom
    ``entry-content`` blog platforms write, beside a sidebar of books with review counts that
    the thread rule took for posts (R 0.35). The page marks one ``entry-content``: it wins."""
    ex = _extract("dragnet_T168_entry_content.html",
                  "http://wilwheaton.typepad.com/wwdnbackup/2012/08/new-tabletop-say-anything.html")
    assert "Casual party games are a great infection vector" in ex.text
    assert "These games are easy to learn, play very quickly" in ex.text
    assert "ratings:" not in ex.text and "Dancing Barefoot" not in ex.text


def test_a_later_style_block_shows_what_an_earlier_one_hid(monkeypatch):
    """The Independent (2007): ``<style>.article {visibility: hidden;}</style>`` before the
    article and ``<style>.article {visibility: visible;}</style>`` after it. The cascade runs
    over all of a page's style blocks in order; read block by block, the article was hidden and
    the whole page came out as its headline list (R 0.04). The fallback is off here: on this
    cut-down page trafilatura (which reads no CSS) would find the article anyway."""
    monkeypatch.setattr(fallback, "ENABLED", False)
    ex = _extract("pagesignal_hidden_until_shown.html", "http://www.independent.co.uk/")
    assert "They'd only recently met, and it was, at the time of their death" in ex.text
    assert len(ex.text) > 10000


def test_a_longer_fragment_of_a_links_page_is_replaced():
    """A MediaWiki page of reading lists (wiki.postgresql.org, set 9's tuning split): the
    density choice kept its 441-character intro; the lists of linked articles with their
    authors, the page's content, were taken for headline lists. Longer than MIN_CHARS, the
    fragment still yields to trafilatura's text, which holds it (recall 0.27 -> 0.95)."""
    html = (UNSEEN / "modern_links_page.html").read_bytes()
    ex = extract(html, "https://wiki.postgresql.org/wiki/Performance_Optimization", "text/html")
    assert ex.metadata.get("container") == "density+trafilatura"
    assert "Tuning Your PostgreSQL Server by Greg Smith" in ex.text
    assert "Performance courses are available from a number of companies" in ex.text


def test_a_menu_dump_does_not_replace_a_short_poem():
    """A poem page (www.zgshige.com, magic-html): its 300 characters are the page's text.
    trafilatura, finding no main text, returns the whole page, nine times as long and one
    menu word per line; that is no better text (precision 0.48 -> 0.05 when it was taken)."""
    html = (UNSEEN / "zgshige_menu_dump.html").read_bytes()
    ex = extract(html, "https://www.zgshige.com/c/2020-01-12/11803576.shtml", "text/html")
    assert ex.metadata.get("container") != "density+trafilatura"
    assert "深夜看书须尽欢" in ex.text and "每日好诗" not in ex.text


def test_prose_share_counts_long_lines():
    assert fallback._prose_share(["首页", "诗人", "诗歌", "x" * 30]) == 30 / 36
    assert fallback._prose_share([]) == 0.0
