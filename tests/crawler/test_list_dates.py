"""A report linked first without a date (a "latest" box, an undated list) and then by a list
that dates it: the duplicate filter drops the second request, so the date it carries used to be
lost (``published`` empty; bench.discovery's held-out batch 10351-10399 had 5 such documents).
While the first request waits, it takes the date; its context is archived with the capture, so
reindex reads the same ``published``. Real spider, real Scrapy requests and responses."""
from __future__ import annotations

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.signals import capture_stored, list_dated
from crawler.spiders.reports import ReportsSpider

HOME = "http://www.example-county.gov.cn/"
DOC = HOME + "picture/0/913f65bbea0c6ab0.doc"


def _spider(tmp_path):
    portals = tmp_path / "portals.csv"
    portals.write_text(f"name,url\n长河阳县,{HOME}\n", encoding="utf-8")
    crawler = get_crawler(ReportsSpider, settings_dict={"ARCHIVE_DIR": str(tmp_path / "archive")})
    return ReportsSpider.from_crawler(crawler, portals=str(portals))


def _list(url: str, items: str, meta: dict) -> HtmlResponse:
    body = (f"<html><head><meta charset='utf-8'><title>列表</title></head><body><ul>{items}</ul>"
            "</body></html>").encode()
    return HtmlResponse(url, body=body, encoding="utf-8", request=Request(url, meta=meta))


def _ctx(kind: str, url: str) -> dict:
    return {"portal": "长河阳县", "kind": kind, "depth": 1, "referer": HOME, "url": url}


def test_a_dated_list_dates_the_pending_undated_request(tmp_path):
    spider = _spider(tmp_path)
    latest = _list(HOME + "latest.html",
                   f"<li><a href='{DOC}'>长河阳县财政局2023年度政府信息公开工作报告</a></li>",
                   {"nianbao": _ctx("list", HOME + "latest.html")})
    first = [r for r in spider.parse_page(latest) if isinstance(r, Request) and r.url == DOC]
    assert len(first) == 1 and not first[0].meta["nianbao"].get("list_date")

    dated = _list(HOME + "ndbg/index.html",
                  f"<li><a href='{DOC}'>长河阳县财政局2023年度政府信息公开工作报告</a>"
                  "<span>2024-01-18</span></li>", {"nianbao": _ctx("list", HOME + "ndbg/index.html")})
    again = [r for r in spider.parse_page(dated) if isinstance(r, Request) and r.url == DOC]
    assert again == []  # one request per report
    assert first[0].meta["nianbao"]["list_date"] == "2024-01-18"
    assert spider.crawler.stats.get_value("nianbao/list_date_late") == 1


def test_a_fetched_report_takes_no_date_later(tmp_path):
    """Once its capture is archived, the context is what was archived: a later date is not
    written into it (the crawl and reindex would disagree)."""
    spider = _spider(tmp_path)
    latest = _list(HOME + "latest.html", f"<li><a href='{DOC}'>2023年度政府信息公开工作报告</a></li>",
                   {"nianbao": _ctx("list", HOME + "latest.html")})
    req = next(r for r in spider.parse_page(latest) if isinstance(r, Request) and r.url == DOC)
    fetched = HtmlResponse(DOC, body=b"x", request=req)
    list(spider.parse_attachment(fetched))
    dated = _list(HOME + "ndbg/index.html",
                  f"<li><a href='{DOC}'>2023年度政府信息公开工作报告</a><span>2024-01-18</span></li>",
                  {"nianbao": _ctx("list", HOME + "ndbg/index.html")})
    list(spider.parse_page(dated))
    assert not req.meta["nianbao"].get("list_date")
    assert not spider.crawler.stats.get_value("nianbao/list_date_late")


def _sent_apart(spider) -> list[dict]:
    got: list[dict] = []

    def receive(record):
        got.append(record)

    spider.crawler.signals.connect(receive, signal=list_dated, weak=False)
    return got


def test_a_date_for_a_fetched_report_is_sent_apart(tmp_path):
    """...instead, the spider sends it apart (`list_dated`: its own WARC record and the
    index's row), once, naming the report by the page URL its row has."""
    spider = _spider(tmp_path)
    sent = _sent_apart(spider)
    latest = _list(HOME + "latest.html", f"<li><a href='{DOC}'>2023年度政府信息公开工作报告</a></li>",
                   {"nianbao": _ctx("list", HOME + "latest.html")})
    req = next(r for r in spider.parse_page(latest) if isinstance(r, Request) and r.url == DOC)
    list(spider.parse_attachment(HtmlResponse(DOC, body=b"x", request=req)))
    for n in (1, 2):  # a second dated list (a pager's next page) sends nothing more
        dated = _list(HOME + f"ndbg/index_{n}.html",
                      f"<li><a href='{DOC}'>2023年度政府信息公开工作报告</a><span>2024-01-1{n}</span></li>",
                      {"nianbao": _ctx("list", HOME + f"ndbg/index_{n}.html")})
        list(spider.parse_page(dated))
    assert sent == [{"url": DOC, "list_date": "2024-01-11", "list_url": HOME + "ndbg/index_1.html",
                     "portal": "长河阳县"}]
    assert spider.crawler.stats.get_value("nianbao/list_date_after_capture") == 1


def test_a_request_is_captured_when_its_context_is_archived_not_when_its_callback_runs(tmp_path):
    """The archiving middleware writes the context when the response arrives; the callback may
    run later (the scraper's queue). A date found in between must not change the context the
    crawl uses but reindex never reads: it is sent apart too."""
    spider = _spider(tmp_path)
    sent = _sent_apart(spider)
    latest = _list(HOME + "latest.html", f"<li><a href='{DOC}'>2023年度政府信息公开工作报告</a></li>",
                   {"nianbao": _ctx("list", HOME + "latest.html")})
    req = next(r for r in spider.parse_page(latest) if isinstance(r, Request) and r.url == DOC)
    spider.crawler.signals.send_catch_log(capture_stored, capture={"url": DOC, "status": 200},
                                          context=req.meta["nianbao"], request=req)
    dated = _list(HOME + "ndbg/index.html",
                  f"<li><a href='{DOC}'>2023年度政府信息公开工作报告</a><span>2024-01-18</span></li>",
                  {"nianbao": _ctx("list", HOME + "ndbg/index.html")})
    list(spider.parse_page(dated))
    assert not req.meta["nianbao"].get("list_date")
    assert [r["list_date"] for r in sent] == ["2024-01-18"]
