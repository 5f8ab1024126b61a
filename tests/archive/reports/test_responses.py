"""archive/reports/responses.py: what a response becomes, decided once for the spider and
for reindex."""
from __future__ import annotations

import pytest

from archive.reports.responses import EXTRACT_KINDS, becomes_item, pipeline_item

PAGE = "http://www.a.gov.cn/zwgk/202009/t20200927_7115112.html"
PAGER = '<script>createPageHTML(3, 0, "t20200927_7115112", "html");</script>'


@pytest.mark.parametrize("kind", EXTRACT_KINDS)
def test_a_2xx_response_of_an_extracted_kind_is_an_item(kind):
    assert becomes_item(kind, "response", 200)
    assert becomes_item(kind, "response", 203)


@pytest.mark.parametrize("kind, record_type, status", [
    ("list", "response", 200), ("home", "response", 200), ("column", "response", 200),
    (None, "response", 200), ("robots", "response", 200),
    ("report", "response", 404), ("report", "response", 301), ("report", "response", 500),
    ("report", "revisit", 404), ("report", "request", 200), ("report", "metadata", 200),
])
def test_other_responses_are_not(kind, record_type, status):
    assert not becomes_item(kind, record_type, status)


def test_a_revisit_is_an_item_when_the_archived_copy_was_handed_on():
    assert becomes_item("report", "revisit", 304)  # server-not-modified: the archived 200
    assert becomes_item("attachment", "revisit", 200)  # identical payload


def test_the_item_keeps_the_context_but_its_url_and_the_capture_gets_url_and_status():
    ctx = {"portal": "a", "kind": "attachment", "url": "http://list/", "anchor": "附件"}
    start = pipeline_item(ctx, {"record_id": "<urn:uuid:1>"}, PAGE, 304)
    assert start.context == {"portal": "a", "kind": "attachment", "anchor": "附件"}
    assert start.capture == {"record_id": "<urn:uuid:1>", "url": PAGE, "status": 200}  # 304: the archived 200
    assert start.continuations == []
    assert ctx["url"] == "http://list/"  # the caller's context is not changed


def test_a_report_page_with_its_own_pager_is_joined_with_its_continuations():
    start = pipeline_item({"kind": "report"}, {}, PAGE, 200, PAGER)
    assert start.continuations == ["http://www.a.gov.cn/zwgk/202009/t20200927_7115112_1.html",
                                   "http://www.a.gov.cn/zwgk/202009/t20200927_7115112_2.html"]
    assert start.context["parts"] == 3


def test_only_a_report_page_and_only_its_own_pager_count():
    assert pipeline_item({"kind": "attachment"}, {}, PAGE, 200, PAGER).continuations == []
    assert pipeline_item({"kind": "report"}, {}, PAGE, 200, None).continuations == []
    lists_pager = '<script>createPageHTML(5, 0, "index", "html");</script>'
    start = pipeline_item({"kind": "report"}, {}, PAGE, 200, lists_pager)
    assert start.continuations == [] and "parts" not in start.context
