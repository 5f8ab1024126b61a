"""Re-index throughput: captures per second with 1 process and with all cores.

    .venv/bin/python -m bench.reindex [--captures 5000] [--jobs N] [--keep DIR]

The archive is made of real crawl traffic: the sample farm (farm) is crawled once with
the real `scrapy crawl reports`, and its exchanges - robots.txt, home, column and list pages,
the Hanweb POST calls, report pages, PDF and DOCX attachments, 404s - are written again with
`WarcWriter` under distinct host names (c1.www.xiangyang.gov.cn, ...) until the archive holds
at least `--captures` responses. Every copy is a distinct report to the index, so the run
does the full work: extraction, report rows, FTS. Then `archive.reindex.reindex` runs on it
with --jobs 1 and with all cores, each into a fresh database, and the figures are printed.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def crawl_farm(work: Path) -> Path:
    from farm import build_farm
    from farm.server import FarmServer
    from tests.crawling import run_crawl

    farm = build_farm("small")
    with FarmServer(farm, record=False) as srv:
        farm.write_portals_csv(work / "portals.csv")
        proc = run_crawl(work / "portals.csv", work / "crawl", srv.port)
    if proc.returncode != 0:
        sys.exit(f"bench.reindex: the farm crawl failed:\n{proc.stderr[-3000:]}")
    return work / "crawl" / "warc"


def _relabel(url: str, k: int) -> str:
    return url.replace("://", f"://c{k}.", 1) if url and "://" in url else url


def build_archive(source: Path, dest: Path, captures: int, max_size: int) -> tuple[int, int]:
    """Replicate the crawl's exchanges under new host names until `captures` responses."""
    from archive.warc import HttpExchange, WarcWriter, iter_exchanges

    originals = [ex for ex in iter_exchanges(source) if ex.record_type == "response"]
    if not originals:
        sys.exit("bench.reindex: the crawl archived nothing")
    n = 0
    k = 0
    with WarcWriter(dest, prefix="bench", max_size=max_size, info={"description": "bench.reindex"}) as w:
        while n < captures:
            k += 1
            for ex in originals:
                ctx = dict(ex.context or {})
                for key in ("page_url", "referer"):
                    if ctx.get(key):
                        ctx[key] = _relabel(ctx[key], k)
                req = ex.request
                w.write_exchange(HttpExchange(
                    method=ex.method, url=_relabel(ex.url, k),
                    request_headers=[(h, _relabel(v, k) if h.lower() in ("host", "referer") else v)
                                     for h, v in (req.headers if req else [])],
                    request_body=req.body if req else b"", status=ex.status, reason=ex.reason,
                    response_headers=ex.headers, payload=ex.payload, ip_address=ex.ip_address,
                ), ctx)
                n += 1
    return n, len(originals)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.reindex", description=__doc__.split("\n\n")[0])
    ap.add_argument("--captures", type=int, default=5000, help="minimum responses in the archive (default 5000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count(), help="processes for the parallel run (default: all cores)")
    ap.add_argument("--max-size", type=int, default=100_000_000, help="WARC rotation size (default 100 MB)")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary directory)")
    args = ap.parse_args(argv)
    if args.captures < 1:
        ap.error("--captures must be at least 1")
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    if args.keep and os.path.exists(args.keep) and not os.path.isdir(args.keep):
        ap.error(f"--keep {args.keep} is not a directory")

    from archive.reindex import reindex

    ctx = tempfile.TemporaryDirectory(prefix="bench-reindex-") if not args.keep else None
    work = Path(args.keep or ctx.name)
    work.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        source = crawl_farm(work)
        warc = work / "warc"
        n, per_copy = build_archive(source, warc, args.captures, args.max_size)
        size = sum(p.stat().st_size for p in warc.glob("*.warc.gz"))
        print(f"archive: {n} captures ({per_copy} distinct exchanges from a farm crawl, replicated), "
              f"{len(list(warc.glob('*.warc.gz')))} WARC file(s), {size / 1e6:.1f} MB; built in {time.perf_counter() - t:.1f}s")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before the runs")
        results = {}
        for jobs in sorted({1, args.jobs}):
            db = work / f"reports-{jobs}.db"
            stats = reindex(warc, db, jobs=jobs)
            results[jobs] = stats
            print(f"jobs={jobs}: {stats.exchanges} captures in {stats.seconds:.1f}s = {stats.rate:.0f} captures/s; "
                  f"{stats.extracted} documents extracted ({stats.extracted / stats.seconds:.0f}/s), "
                  f"{stats.reports} report rows, {len(stats.record_errors)} bad records, {stats.extract_errors} extraction failures")
        if len(results) > 1:
            one, many = results[1], results[args.jobs]
            print(f"speed-up with {args.jobs} processes: {many.rate / one.rate:.2f}x")
    finally:
        if ctx is not None:
            ctx.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
