"""`make demo`: serve the sample portals on loopback, crawl them, print what was archived."""
from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from tests.crawling import ROOT, crawl_command, crawl_env


def main(argv: list[str] | None = None) -> int:
    import subprocess

    from farm import KINDS, build_farm
    from farm.server import FarmServer

    parser = argparse.ArgumentParser(prog="python -m farm demo",
                                     description="Crawl the bundled sample portals into an archive directory.")
    parser.add_argument("--archive-dir", default="demo-data", help="where WARCs and reports.db go (default: demo-data)")
    parser.add_argument("--kind", default="small", choices=KINDS, help="which farm to serve (default: small)")
    args = parser.parse_args(argv)
    archive = Path(args.archive_dir).resolve()
    if archive.exists() and not archive.is_dir():
        parser.error(f"--archive-dir {args.archive_dir} is a file, not a directory")
    try:
        archive.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"--archive-dir {args.archive_dir}: {exc.strerror}")
    farm = build_farm(args.kind)
    portals = archive / "portals.csv"
    farm.write_portals_csv(portals)
    with FarmServer(farm) as server:
        port = server.port if hasattr(server, "port") else server.start()
        print(f"nianbao demo: {len(farm.portals)} sample portals served through http_proxy=http://127.0.0.1:{port}")
        print("nianbao demo: scrapy crawl reports -a portals=%s -s ARCHIVE_DIR=%s" % (portals, archive))
        # Warnings only: the summary below says what happened.
        proc = subprocess.run(crawl_command(portals, archive, {"LOG_LEVEL": "WARNING"}), cwd=ROOT, env=crawl_env(port))
    db = archive / "reports.db"
    warcs = sorted((archive / "warc").glob("*.warc.gz"))
    if not db.exists():
        print("nianbao demo: the crawl wrote no database", file=sys.stderr)
        return 1
    con = sqlite3.connect(db)
    n_reports = con.execute("select count(*) from reports").fetchone()[0]
    per_portal = con.execute("select name, status, reports, pages, reason from portals order by name").fetchall()
    print()
    print("portals crawled:   %d (%d with reports, %d without)" % (
        len(per_portal), sum(1 for p in per_portal if p[1] == "ok"), sum(1 for p in per_portal if p[1] != "ok")))
    for name, status, reports, pages, reason in per_portal:
        why = f"  ({reason[:100]})" if reason else ""  # an ok portal may carry a note (page cap, reports without text)
        print(f"  {name:<12} {status:<16} {reports:>3} reports  {pages:>4} pages{why}")
    print(f"reports found:     {n_reports} (expected {len(farm.truth)})")
    print_document_errors(con)
    print(f"WARC files:        {len(warcs)} in {archive / 'warc'}")
    print(f"database:          {db}")
    print()
    print("browse it:  .venv/bin/datasette %s -m archive/index/datasette.json --plugins-dir archive/index/datasette_plugins" % db)
    print("      or:   make serve ARCHIVE_DIR=%s" % args.archive_dir)
    return proc.returncode


def print_document_errors(con: sqlite3.Connection, limit: int = 20) -> None:
    """Reports whose document gave no or partial text, and why (issue 17); OCR'd reports."""
    ocr = con.execute("select count(*), avg(ocr_confidence) from reports where text_source in ('ocr', 'text+ocr')").fetchone()
    if ocr[0]:
        print(f"reports OCR'd:     {ocr[0]} (mean confidence {ocr[1]:.2f})")
    rows = con.execute("select url, extract_error from reports where extract_error is not null "
                       "order by url").fetchall()
    print(f"documents without (full) text: {len(rows)}")
    for url, error in rows[:limit]:
        print(f"  {url}\n      {error}")
    if len(rows) > limit:
        print(f"  … {len(rows) - limit} more: select url, extract_error from reports where extract_error is not null")

