"""bench/faults: a crawl through transient faults loses nothing; permanent ones are visible.

    .venv/bin/python -m bench.faults [--kind bench] [--rate 0.08] [--seed 1]

Serves a farm whose fault mode makes a fraction of request targets fail once (500, 502, 503
with Retry-After, a stalled connection, a reset, a truncated body) plus the hostile portal,
crawls it, and prints pages attempted, faults injected, retried, recovered and lost, and how
each permanent failure shows in `portals`/`captures`. Target (issue 8): 0 reports lost to
transient faults. Writes bench/results/faults-<kind>.json (with --rate or --seed: both in the
name, results_name) and prints the path.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from archive.reports.urls import identity_url
from bench import results_file
from tests.crawling import run_crawl

RATE, SEED = 0.08, 1


def results_name(kind: str, rate: float, seed: int) -> str:
    """faults-<kind>[-rate<r>][-seed<n>].json: `--rate 0.5` wrote faults-bench.json over the
    figures of the committed 0.08 run."""
    return results_file.results_name(f"faults-{kind}", ("rate", rate, RATE), ("seed", seed, SEED))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n\n")[0])
    from farm import KINDS

    ap.add_argument("--kind", default="bench", choices=KINDS)
    ap.add_argument("--rate", type=float, default=RATE, help=f"fraction of targets that fault (default {RATE})")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    if not 0 <= args.rate <= 1:
        ap.error("--rate must be a fraction from 0 to 1")
    from farm import build_farm
    from farm.faults import FaultPlan
    from farm.server import FarmServer

    plan = FaultPlan(rate=args.rate, seed=args.seed, stall=4.0)
    farm = build_farm(args.kind, faults=plan, **({"seed": args.seed} if args.kind != "small" else {}))
    work = Path(tempfile.mkdtemp(prefix="nianbao-faults-"))
    farm.write_portals_csv(work / "portals.csv")
    with FarmServer(farm, record=False) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])
        t = time.monotonic()
        proc = run_crawl(work / "portals.csv", work / "archive", port,
                         {"LOG_LEVEL": "INFO", "DOWNLOAD_TIMEOUT": "2", "RETRY_TIMES": "4"}, timeout=3600)
        wall = time.monotonic() - t
    (work / "crawl.log").write_text(proc.stderr, encoding="utf-8")
    con = sqlite3.connect(work / "archive" / "reports.db")
    con.row_factory = sqlite3.Row
    faulted = {(e.method, e.url) for e in plan.log}
    # Recovered: the target got its real answer in the end (a 200, or the 404 it truly is),
    # not a transient status or a connection error.
    answered = {r[0] for r in con.execute(
        "select url from captures where status is not null and status not in (500, 502, 503, 504, 408, 429)")}
    recovered = sum(1 for _, url in faulted if url in answered)
    rows = {identity_url(r["page_url"]) for r in con.execute("select page_url from reports")}
    lost = [t.page_url for t in farm.truth if identity_url(t.page_url) not in rows]
    attempted = con.execute("select count(*) from captures").fetchone()[0]
    retries = sum(int(line.split(":")[-1].strip(" ,")) for line in proc.stderr.splitlines()
                  if "'retry/count'" in line)
    visible = []
    for url, why in farm.expected_failures:
        # a soft 404 answers 200: its reason is the capture's extract_error ("soft 404: …")
        cap = con.execute("select status, coalesce(error, extract_error) from captures where url = ? "
                          "order by id desc limit 1", (url,)).fetchone()
        visible.append((url, why, tuple(cap) if cap else None))
    portals = [tuple(r) for r in con.execute("select name, status, reason from portals where status != 'ok'")]
    result = {
        "kind": args.kind, "rate": args.rate, "wall_s": round(wall, 1), "exit": proc.returncode,
        "attempted": attempted, "faults_injected": len(plan.log), "fault_kinds": dict(Counter(e.kind for e in plan.log)),
        "faulted_targets": len(faulted), "retried": retries, "recovered": recovered,
        "reports_truth": len(farm.truth), "reports_lost": len(lost), "lost": lost,
        "permanent_failures": visible, "portals_not_ok": portals,
    }
    print(f"farm {args.kind}, fault rate {args.rate}: crawl {wall:.1f} s, exit {proc.returncode}")
    print(f"pages attempted {attempted}, faults injected {len(plan.log)} {result['fault_kinds']}")
    print(f"retried {retries}, faulted targets {len(faulted)}, recovered {recovered}, "
          f"reports lost {len(lost)}/{len(farm.truth)}")
    print("permanent failures:")
    for url, why, cap in visible:
        shown = "captures: status %s, %s" % cap if cap else "not reached (no 年报 link leads there; tests/crawler/test_faults.py crawls it as a portal)"
        print(f"  {why:<14} {url}  ->  {shown}")
    for name, status, reason in portals:
        print(f"  portal {name}: {status} ({reason})")
    results_file.write_results(results_file.RESULTS / results_name(args.kind, args.rate, args.seed),
                               json.dumps(result, ensure_ascii=False, indent=1))
    return 0 if not lost else 1


if __name__ == "__main__":
    sys.exit(main())
