"""crawler/resilience.py ReportMetaRefreshMiddleware, on real Scrapy requests and responses: a
report page whose meta refresh counts down to the home page (an error page) is kept; every
other meta refresh is followed as Scrapy does. The crawl itself: test_faults.py
`test_a_soft_404_link_is_no_report` (the hostile portal's error page has such a refresh)."""
from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.resilience import ReportMetaRefreshMiddleware, is_home_page

PAGE = "http://www.heishui.gov.cn/zwgk/xxgknb/201703/t20170315_200404.html"


def answer(kind: str, target: str) -> Request | HtmlResponse:
    mw = ReportMetaRefreshMiddleware.from_crawler(get_crawler(settings_dict={"METAREFRESH_MAXDELAY": 100}))
    request = Request(PAGE, meta={"nianbao": {"kind": kind, "portal": "黑水县"}})
    body = (f'<html><head><meta http-equiv="refresh" content="3;url={target}"><title>页面不存在</title></head>'
            '<body><p>对不起，您访问的页面不存在或已被删除！</p></body></html>').encode()
    return mw.process_response(request, HtmlResponse(PAGE, body=body, encoding="utf-8", request=request))


@pytest.mark.parametrize("kind", ["report", "attachment", "continuation"])
@pytest.mark.parametrize("target", ["/", "http://www.heishui.gov.cn/", "/index.html", "../../../index.shtml"])
def test_a_report_page_counting_down_to_the_home_page_is_kept(kind, target):
    assert isinstance(answer(kind, target), HtmlResponse)


@pytest.mark.parametrize("kind,target", [("list", "/"), ("column", "/index.html"),
                                         ("report", "/zwgk/xxgknb/202001/t20200129_1.html"),
                                         ("report", "/index.html?id=3")])
def test_other_meta_refreshes_are_followed(kind, target):
    followed = answer(kind, target)
    assert isinstance(followed, Request) and followed.meta["redirect_urls"] == [PAGE]


def test_home_pages():
    assert is_home_page("http://a.gov.cn") and is_home_page("http://a.gov.cn/INDEX.HTM")
    assert not is_home_page("http://a.gov.cn/zwgk/") and not is_home_page("http://a.gov.cn/?page=2")
