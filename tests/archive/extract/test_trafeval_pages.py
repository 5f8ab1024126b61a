"""Real pages of trafilatura's evaluation set (set 10 of bench/README.md, its tuning half:
markusmobius/content-extractor-benchmark ``files/``, pages of 2019-2022) where our text held
a page's furniture or was not the page at all, cut down in
tests/fixtures/extract/unseen/trafeval_*.html (origins in tests/fixtures/extract/README.md).
Each test fails with its rule taken out.
"""
from __future__ import annotations

from archive.extract import extract, fallback, furniture
from archive.extract import html as html_mod
from tests.paths import FIXTURES

UNSEEN = FIXTURES / "extract" / "unseen"


def _extract(name: str, url: str = "https://example.com/post"):
    return extract((UNSEEN / name).read_bytes(), url, "text/html")


def test_jetpack_like_buttons_and_related_heading_are_chrome():
    """A WordPress.com post ends with Jetpack's like button ("Gefällt mir: Liken Lade …",
    ``div.sharedaddy.sd-like``) and the heading of a related-posts box a script fills in
    (``div#jp-relatedposts`` > "Ähnliche Beiträge"): neither is the post's text."""
    ex = _extract("trafeval_jetpack_related_likes.html",
                  "https://zahlenzauberin.wordpress.com/2019/10/23/ferien/")
    assert "Ähnliche Beiträge" not in ex.text
    assert "Liken" not in ex.text and "Gefällt mir" not in ex.text
    assert len(ex.text) > 500


def test_the_eu_cookie_law_widget_is_not_the_post():
    """A two-line WordPress.com post beside Jetpack's EU cookie-law widget
    (``div.widget_eu_cookie_law_widget``): the widget's notice is longer than the post, and
    the density choice took it for the page's text."""
    ex = _extract("trafeval_eu_cookie_widget.html", "https://gnaur.wordpress.com/2013/06/14/")
    assert "Ich weiß ich bin betrunken" in ex.text
    assert "Datenschutz & Cookies" not in ex.text


def test_related_teaser_cards_with_excerpts_are_dropped():
    """``div#related_posts``: six teaser cards, each a linked title, a date and a
    two-line excerpt. Too much prose per link for the unnamed teaser rule; named as related
    content and under half of the text, they go."""
    ex = _extract("trafeval_related_teasers.html", "https://novalanalove.com/ear-candy/")
    assert "Ear Candy" in ex.text
    assert "Jetzt heißt es schnell sein" not in ex.text


def test_a_prose_section_named_related_is_kept():
    """Consumer Reports names a section of the article's own prose
    ``div#more-on-car-repair-maintenance-related-articles``: no teaser cards in it, so it
    stays (set 9's tuning split, wcxb/4184; R 0.99 -> 0.81 when any "related" block went)."""
    ex = _extract("modern_related_named_prose.html",
                  "https://www.consumerreports.org/cars/car-repair-maintenance/"
                  "your-car-maintenance-checklist-a6808357212/")
    assert "More expensive oils and fluids" in ex.text
    assert "All prices are based on CR survey data" in ex.text


def test_related_names():
    assert furniture.RELATED_TOKEN_RE.search("related_posts")
    assert furniture.RELATED_TOKEN_RE.search(furniture.decamel("news-related news-related-files"))
    assert not furniture.RELATED_TOKEN_RE.search("unrelated relatedness")


def test_a_bot_check_says_it_is_not_the_page():
    """Google's Project Shield answered the capture with its "You will be connected to … in
    just a moment" page: 87 characters that passed for a short article, with no reason."""
    ex = _extract("trafeval_project_shield.html",
                  "https://www.thelocal.se/20200428/meet-the-swede-who-tattooed-a-state-epidemiologists-face-on-his-arm")
    assert ex.extract_error and ex.extract_error.startswith("not the page's text")
    assert "in just a moment" in ex.extract_error


def test_a_script_app_shell_says_it_is_not_the_page():
    """A React application's page as served: an empty ``div#root`` and "You need to enable
    JavaScript to run this app." The article is loaded by the script."""
    ex = _extract("trafeval_js_app_shell.html",
                  "https://www.wevolver.com/article/following-the-autonomous-vehicle-hype")
    assert ex.extract_error and "enable JavaScript" in ex.extract_error


def test_interstitial_asks_only_short_texts():
    assert html_mod.interstitial(["请开启JavaScript后访问本站"]) == "请开启JavaScript后访问本站"
    assert html_mod.interstitial(["Checking your browser before accessing example.gov"])
    long = ["Our guide explains why you should enable JavaScript in your browser. " * 6]
    assert html_mod.interstitial(long) is None
    assert html_mod.interstitial(["关于2023年度政府信息公开工作年度报告"]) is None


def test_a_related_heading_that_ends_the_text_goes():
    """An article ends with the heading of a related-topics box whose links a script fills
    in ("Verwandte Themenbereiche" and nothing after it): no article ends with such a line."""
    ex = _extract("trafeval_trailing_heading.html", "https://www.fluessiggas.de/dimethylether/")
    assert ex.text.rstrip().endswith("in die Klimaneutralität von morgen.")
    assert "Verwandte Themenbereiche" not in ex.text


def test_german_related_teaser_cards_go():
    """"Top Themen der Redaktion" over three teaser cards (image, title, two-line lead),
    inside the news item's block: the related-content heading rule, now in German too."""
    ex = _extract("trafeval_german_related_cards.html", "https://www.oetv.at/news/taucher")
    assert "Maximilian Taucher" in ex.text
    assert "Top Themen der Redaktion" not in ex.text
    assert "feierte indes in der vergangen" not in ex.text


def test_trailing_headings_only_at_the_end():
    from archive.extract.html_text import Line
    lines = [Line("Mehr zum Thema"), Line("Der Text des Artikels, ein ganzer Satz."),
             Line("Lesen Sie auch:"), Line("Related posts")]
    assert [ln.text for ln in html_mod._without_trailing_headings(lines)] == [
        "Mehr zum Thema", "Der Text des Artikels, ein ganzer Satz."]


def test_a_slideshow_article_yields_to_trafilatura():
    """A listicle shown one slide at a time: the density choice holds the intro (788
    characters), trafilatura, asked without comments, the 20 slides too, 25 times as much.
    The fallback band's cap (fallback.WIDE_MAX) was 10 and kept the intro."""
    ex = _extract("trafeval_slideshow_items.html",
                  "https://ext.theperspective.com/items-we-never-knew-we-wanted/")
    assert "The dawn of the internet brought about a lot of changes" in ex.text
    assert "to turn any laundry day into a blast" in ex.text
    assert "This item is perfect for those of" in ex.text


def test_a_contact_call_after_the_article_is_cut():
    """The article ends; in the same block follow "Fragen zu diesem Artikel" and a contact
    line. trafilatura's text ends with the article's last sentence: our lines after it go
    (fallback.without_extra_tail; spdfraktion.de, set 10's tuning half)."""
    ex = _extract("trafeval_contact_tail.html",
                  "https://www.spdfraktion.de/themen/vizepraesidentin-oezoguz")
    assert ex.text.rstrip().endswith("am Kabinettstisch Platz.")
    assert "Bei Fragen und Anregungen" not in ex.text
    assert "Aydan Özoğuz" in ex.text


def test_a_tag_cloud_and_a_donation_call_after_the_article_are_cut():
    """A film project's history page: after the text, a tag cloud ("Archiv", "Dokument",
    "Klavier", …) and "Unterstütze das Projekt:"."""
    ex = _extract("trafeval_tag_cloud_tail.html",
                  "https://www.klaenge-des-verschweigens.de/geschichte/")
    assert ex.text.rstrip().endswith("imaginären Befreiung.")
    assert "Unterstütze das Projekt" not in ex.text and "Klopfgeist" not in ex.text


def test_a_tail_longer_than_tail_max_is_kept(monkeypatch):
    """The cut is bounded: the tag cloud and call above are ~7 % of the page's text; with
    TAIL_MAX at 5 % trafilatura's shorter text is not enough to drop them."""
    monkeypatch.setattr(fallback, "TAIL_MAX", 0.05)
    ex = _extract("trafeval_tag_cloud_tail.html",
                  "https://www.klaenge-des-verschweigens.de/geschichte/")
    assert "Unterstütze das Projekt" in ex.text


def test_tail_agreement_is_not_asked_of_chinese_text():
    """Chinese text (a government report's, above all) is not trimmed after trafilatura: no
    gain on the Chinese set, and a report page would pay for a second extraction."""
    report = ["本年度我市认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息1,234条。",
              "顺东市人民政府办公室", "2023年1月20日"]
    assert not fallback.tail_needed("density", report)
    assert fallback.tail_needed("density", ["The article's own text, in English, with a tail."])
    # a known container's text, or trafilatura's own, is never trimmed
    assert not fallback.tail_needed("trs", ["The article's own text, in English."])
    assert not fallback.tail_needed("density+trafilatura", ["The article's own text."])
