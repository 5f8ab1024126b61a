"""archive/reports/urls.py: one document, one URL; which links are attachments."""
from __future__ import annotations

import pytest

from archive.reports.urls import (
    canonical_url,
    date_from_url,
    identity_url,
    is_attachment_href,
    is_document_url,
    is_ip_literal,
)


@pytest.mark.parametrize("url, expected", [
    ("http://www.a.gov.cn/x/t20200101_1.html#top", "http://www.a.gov.cn/x/t20200101_1.html"),
    ("http://WWW.A.gov.cn:80/x/", "http://www.a.gov.cn/x/"),
    ("https://www.a.gov.cn:443/x/", "https://www.a.gov.cn:443/x/"),   # only http's default port goes
    ("http://www.a.gov.cn", "http://www.a.gov.cn/"),
    ("http://www.a.gov.cn/x?id=3&utm_source=wx&from=timeline", "http://www.a.gov.cn/x?id=3"),
    ("http://www.a.gov.cn/x?spm=1.2", "http://www.a.gov.cn/x"),
    ("http://www.a.gov.cn/x.jsp;jsessionid=ABC123?id=3", "http://www.a.gov.cn/x.jsp?id=3"),
    ("http://www.a.gov.cn/x.jsp?sid=9&id=3", "http://www.a.gov.cn/x.jsp?id=3"),
])
def test_canonical_url_drops_what_does_not_name_the_document(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url", [
    "mailto:xxgk@a.gov.cn", "javascript:void(0)", "ftp://a.gov.cn/x.pdf", "http:///nohost",
    "http://192.168.1.10/x.html", "http://127.0.0.1/x", "http://[::1]/x", "http://10.0.0.1/",
    "http://www.a.gov.cn/images/banner.JPG", "http://www.a.gov.cn/js/app.js", "http://www.a.gov.cn/f.zip",
])
def test_canonical_url_refuses_what_the_crawler_must_not_follow(url):
    assert canonical_url(url) is None


def test_a_public_ip_literal_is_followed():
    assert canonical_url("http://202.96.1.1/x.html") == "http://202.96.1.1/x.html"
    assert is_ip_literal("202.96.1.1") and is_ip_literal("[2001:db8::1]")
    assert not is_ip_literal("www.a.gov.cn")


def test_identity_url_makes_copies_of_one_report_one_key():
    same = ["http://www.a.gov.cn/xxgk/index.html", "https://www.a.gov.cn/xxgk/",
            "http://www.a.gov.cn/xxgk/index.shtml?utm_source=x", "http://www.a.gov.cn/xxgk/index.jsp#a"]
    assert {identity_url(u) for u in same} == {"//www.a.gov.cn/xxgk/"}
    assert identity_url("http://www.a.gov.cn/x?id=3") == "//www.a.gov.cn/x?id=3"
    assert identity_url("http://www.a.gov.cn/x?id=3") != identity_url("http://www.a.gov.cn/x?id=4")
    assert identity_url("http://www.a.gov.cn/a/b.html") != identity_url("http://www.b.gov.cn/a/b.html")


def test_identity_url_keeps_what_canonical_url_refuses():
    """A static asset has no canonical URL but still needs a key (a capture of it)."""
    assert identity_url("http://www.a.gov.cn/img/a.png") == "//www.a.gov.cn/img/a.png"


@pytest.mark.parametrize("url, expected", [
    ("http://www.a.gov.cn/zwgk/201703/t20170310_123.html", "2017-03-10"),
    ("http://www.a.gov.cn/x/t20201231_9_1.shtml", "2020-12-31"),
    ("http://www.a.gov.cn/x/art_1_2.html", None),
    ("http://www.a.gov.cn/x/t18001231_9.html", None),  # not a year of this century or the last
])
def test_date_from_url_reads_the_trs_article_date(url, expected):
    assert date_from_url(url) == expected


@pytest.mark.parametrize("url, expected", [
    ("http://www.a.gov.cn/x/P020200301.pdf", True),
    ("http://www.a.gov.cn/x/report.DOCX", True),
    ("http://www.a.gov.cn/x/a.wps", True),
    ("http://www.a.gov.cn/x/a.ofd", True),
    ("http://www.a.gov.cn/x/a.et", True),
    ("http://www.a.gov.cn/x/a.pdf?download=1", True),
    ("http://www.a.gov.cn/x/t20200101_1.html", False),
    ("http://www.a.gov.cn/download.jsp?file=a.pdf", False),  # the path decides, not the query
    ("http://www.a.gov.cn/x/a.pdfx", False),
])
def test_is_document_url_reads_the_path_suffix(url, expected):
    assert is_document_url(url) is expected


@pytest.mark.parametrize("href, text, expected", [
    ("/x/a.pdf", "", True),
    ("/download.jsp?file=a.pdf&id=1", "", True),   # download scripts name the file in the query
    ("/download.jsp?id=1", "2019年度报告.docx", True),  # or only the anchor text does
    ("/download.jsp?id=1", "2019年度报告", False),
    ("/x/t20200101_1.html", "", False),
    ("/x/a.pdfx", "", False),
])
def test_is_attachment_href_reads_href_and_anchor_text(href, text, expected):
    assert is_attachment_href(href, text) is expected


def test_every_document_url_is_an_attachment_href():
    """The spider's rule is the narrower one: what it fetches as an attachment, extraction
    also sets apart as one."""
    for url in ["http://a.gov.cn/a.pdf", "http://a.gov.cn/b.doc", "http://a.gov.cn/c.xlsx",
                "http://a.gov.cn/d.ofd", "http://a.gov.cn/e.et", "http://a.gov.cn/f.wps"]:
        assert is_document_url(url) and is_attachment_href(url)
