"""Near-copies (内容雷同) in report_similarity: a report copied by another body the same year is
found, unrelated reports are not, and each report is compared with its body's previous year."""
from __future__ import annotations

import sqlite3

from archive.extract import extract
from archive.index import Index
from archive.reports.ingest import Ingest
from archive.stats.similarity import similarity, sketch
from farm import pages
from farm.corpus import seed_report, variant


def test_sketch_estimates_jaccard():
    a = seed_report("suizhou-2020")
    copy = variant(a, government="广水市", publisher="广水市人民政府办公室")
    other = seed_report("jiahe-2017")
    assert similarity(sketch(a.gold_text()), sketch(copy.gold_text())) > 0.8
    assert similarity(sketch(a.gold_text()), sketch(other.gold_text())) < 0.1
    # digits do not matter: the same prose with other numbers is still a copy
    renum = a.gold_text().replace("1", "7")
    assert similarity(sketch(a.gold_text()), sketch(renum)) > 0.95


def test_index_records_near_copies(tmp_path):
    a = seed_report("suizhou-2020")
    reports = [a,
               variant(a, government="广水市", slug="guangshui-2020", publisher="广水市人民政府办公室"),
               variant(a, year=2019, slug="suizhou-2019"),
               variant(seed_report("jiahe-2017"), year=2020, slug="jiahe-2020")]
    index = Index(tmp_path / "reports.db")
    ingest = Ingest(index)
    for i, r in enumerate(reports):
        url = f"http://www.example{i}.gov.cn/{r.slug}.html"
        ex = extract(pages.render_report("trs", r), url, "text/html; charset=utf-8")
        ingest.document({"portal": r.government, "kind": "report", "anchor": r.title},
                        {"url": url, "warc_filename": "x.warc.gz", "warc_offset": i, "warc_length": 1,
                         "record_id": f"<urn:uuid:{i}>", "payload_digest": f"sha1:{i}",
                         "fetched_at": "2026-01-01T00:00:00Z", "status": 200}, ex)
    ingest.finish()
    index.close()
    con = sqlite3.connect(tmp_path / "reports.db")
    title = dict(con.execute("SELECT id, title FROM reports"))
    pairs = {(title[a_], title[b_], rel): s for a_, b_, rel, s in con.execute(
        "SELECT report_id, other_id, relation, similarity FROM report_similarity")}
    cross = {(x, y) for x, y, rel in pairs if rel == "same_year_other_body"}
    assert cross == {(reports[0].title, reports[1].title), (reports[1].title, reports[0].title)}
    assert pairs[(reports[0].title, reports[1].title, "same_year_other_body")] > 0.8
    prev = [(x, y, s) for (x, y, rel), s in pairs.items() if rel == "same_body_previous_year"]
    assert [(x, y) for x, y, _ in prev] == [(reports[0].title, reports[2].title)]
    assert prev[0][2] > 0.8
