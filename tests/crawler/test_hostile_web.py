"""Issue 15 point 5: datasette's side under hostile rows and records, through datasette's
in-process client on a real reports.db (archive.index) and a real WARC (archive.warc):
a gzip bomb in an archived payload is not inflated into the response, the SQL functions
bound their input, the public settings shut arbitrary SQL and downloads, and a stored
`javascript:` URL never becomes a link."""
from __future__ import annotations

import asyncio
import json
import re
import time
import zlib
from datetime import datetime, timezone

import pytest

from archive.index import Index
from tests.paths import ROOT

pytest.importorskip("datasette.app")

REPO = ROOT
METADATA = REPO / "archive" / "index" / "datasette.json"
PUBLIC = REPO / "archive" / "index" / "datasette_public.json"
PLUGINS = REPO / "archive" / "index" / "datasette_plugins"
EVIL = "javascript:alert(document.cookie)"
TITLE = "某县2019年政府信息公开工作年度报告"


def _bomb(mb: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"A" * (1 << 20)
    return b"".join(c.compress(chunk) for _ in range(mb)) + c.flush()


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    from archive.warc import HttpExchange, WarcWriter

    root = tmp_path_factory.mktemp("hostile-web")
    writer = WarcWriter(str(root / "warc"))
    ix = Index(root / "reports.db")
    caps = {}
    for name, payload, coding in (("bomb", _bomb(200), "gzip"),
                                  ("good", zlib.compress(b"<p>ok</p>")[2:-4], "deflate")):
        ex = HttpExchange(method="GET", url=f"http://www.example.gov.cn/{name}.html",
                          request_headers=[("Host", "www.example.gov.cn")], request_body=b"",
                          status=200, reason="OK",
                          response_headers=[("Content-Type", "text/html"), ("Content-Encoding", coding)],
                          payload=payload, fetched_at=datetime(2024, 2, 1, tzinfo=timezone.utc))
        caps[name] = writer.write_exchange(ex, {"portal": "某县", "kind": "report"})
    writer.close()
    cap = caps["good"]
    ix.upsert_report({"page_url": EVIL, "url": EVIL + "//x", "portal": "某县", "title": TITLE,
                      "year": 2019, "text": TITLE + "\n政府信息公开", "tables": [], "content_type": "html",
                      "warc_filename": cap.warc_filename, "warc_offset": cap.warc_offset,
                      "warc_length": cap.warc_length, "payload_digest": cap.payload_digest,
                      "fetched_at": cap.fetched_at})
    ix.close()
    return root, caps


def _client(root, settings=None):
    from datasette.app import Datasette

    ds = Datasette([str(root / "reports.db")], metadata=json.loads(METADATA.read_text("utf-8")),
                   plugins_dir=str(PLUGINS), settings=settings)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(ds.invoke_startup())
    return ds, loop


@pytest.fixture(scope="module")
def get(archive_dir):
    ds, loop = _client(archive_dir[0])
    yield lambda path: loop.run_until_complete(ds.client.get(path))
    loop.close()


def test_capture_of_a_gzip_bomb_is_not_inflated(get, archive_dir):
    # the bomb holds 200 MB; the view inflates at most 40 MB (the crawl's DOWNLOAD_MAXSIZE)
    cap = archive_dir[1]["bomb"]
    r = get(f"/-/nianbao/capture/{cap.warc_filename}/{cap.warc_offset}")
    assert r.status_code == 413, r.status_code
    assert len(r.content) < 10_000 and "inflates past" in r.text
    good = archive_dir[1]["good"]
    r = get(f"/-/nianbao/capture/{good.warc_filename}/{good.warc_offset}")
    assert r.status_code == 200 and r.content == b"<p>ok</p>"


def test_sql_functions_bound_their_input(get):
    from urllib.parse import quote

    # 8 million characters built inside SQLite: segmented whole it took seconds and
    # returned ~30 MB; bounded, at most MAX_TEXT_CHARS (1,000,000) are read
    big = "replace(hex(zeroblob(4000000)), '00', '政府')"
    sql = (f"select length(nianbao_segment({big})) as seg,"
           f" length(nianbao_fts_query(substr({big}, 1, 100000))) as q")
    t0 = time.process_time()
    r = get(f"/reports.json?sql={quote(sql)}&_shape=array")
    cpu = time.process_time() - t0
    assert r.status_code == 200, r.text[:500]
    row = r.json()[0]
    assert row["seg"] <= 4 * 1_000_000, row
    assert row["q"] <= 4 * 256 * 3, row
    assert cpu < 5, cpu


def test_stored_javascript_url_is_not_a_link(get):
    page = get("/reports/reports").text + get(
        "/reports/reports/" + __import__("archive.index", fromlist=["report_id"]).report_id(EVIL)).text
    assert "javascript:alert" in page  # shown, as text
    assert not re.search(r'href="\s*javascript:', page, re.I), re.findall(r'href="javascript[^"]*"', page)


def test_public_settings_close_sql_and_downloads(archive_dir):
    settings = json.loads(PUBLIC.read_text("utf-8"))
    ds, loop = _client(archive_dir[0], settings)
    try:
        get = lambda p: loop.run_until_complete(ds.client.get(p))  # noqa: E731
        assert get("/reports.json?sql=select+1").status_code == 403
        assert get("/reports.db").status_code in (403, 404)
        r = get("/reports/reports.json?_shape=array")
        assert r.status_code == 200 and r.json()[0]["title"] == TITLE  # browsing still works
        assert get("/reports/reports.csv?_stream=on").status_code in (200, 400)
    finally:
        loop.close()
