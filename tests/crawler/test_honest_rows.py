"""No silent success for reports whose text never arrived (issue 17's rule, for covers): a report
page that is only a cover for its attachment, where the attachment is disallowed by robots.txt,
is indexed (the page is public and is the report's announcement) but says that its text is not
the report's. Random tuning portal 24 (farm/random_portals.py) hides 5 such files."""
from __future__ import annotations

import pytest

from archive.reports.rows import COVER_ONLY
from tests.crawling import connect_index, run_crawl

pytestmark = pytest.mark.slow


def test_a_cover_whose_attachment_robots_forbids_says_so(tmp_path):
    from farm import build_farm
    from farm.server import FarmServer

    farm = build_farm("random", n_portals=1, seed=24)
    hidden = {url: why for rows in farm.hidden.values() for url, why in rows if "its file" in why}
    assert len(hidden) >= 3, "the seed no longer hides files behind robots.txt: pick another"
    farm.write_portals_csv(tmp_path / "portals.csv")
    with FarmServer(farm) as srv:
        port = int(srv.proxy_url.rsplit(":", 1)[1])
        proc = run_crawl(tmp_path / "portals.csv", tmp_path / "archive", port, timeout=600)
        asked = {r.url for r in srv.sent}
    assert proc.returncode == 0, proc.stderr[-2000:]
    con = connect_index(tmp_path / "archive")
    rows = {r[0]: r[1:] for r in con.execute("select page_url, url, extract_error, text from reports")}
    covers = [u for u in hidden if u in rows]
    assert covers, "the crawl indexed none of the hidden reports' pages"
    for page_url in covers:
        url, error, text = rows[page_url]
        assert url == page_url  # no attachment joined it
        assert error == COVER_ONLY, (page_url, error)
    files = {why.split()[2] for why in hidden.values()}
    assert files and not files & asked, "a robots-disallowed file was fetched"
    # every other report row with a short text says why too
    silent = con.execute("select page_url from reports where length(text) < 200 and extract_error is null "
                         "and not needs_ocr").fetchall()
    assert silent == []
    # the portal's row counts them where a user looks first (portals.reason), with its status
    textless = con.execute("select count(*) from reports where extract_error like 'cover page only%' "
                           "or needs_ocr or trim(coalesce(text, '')) = ''").fetchone()[0]
    total = con.execute("select count(*) from reports").fetchone()[0]
    status, reason = con.execute("select status, reason from portals").fetchone()
    assert status == "ok" and f"{textless} of {total} reports hold no report text" in (reason or ""), reason
    # and says why those files are missing: robots.txt, not a failed fetch (the run summary
    # lists each; the generator hides report pages behind robots.txt too)
    import json

    run = json.loads((tmp_path / "archive" / "last-run.json").read_text(encoding="utf-8"))
    refused = {d["url"] for d in run["unfetched_documents"]["documents"] if d["error"] == "Forbidden by robots.txt"}
    assert files <= refused
    assert f"{len(refused)} report files not fetched: robots.txt disallows them" in reason, reason
    assert "could not be fetched" not in reason, reason
    assert "could not be fetched" not in proc.stderr
