"""bench/discovery: recall, precision and metadata accuracy of `scrapy crawl reports` on a farm.

    .venv/bin/python -m bench.discovery                   # the bench farm (>= 20 portals, all platforms)
    .venv/bin/python -m bench.discovery --kind small      # the test suite's small farm

Builds the farm, serves it on loopback, runs the real crawl through the proxy, and compares
`reports` with the farm's truth (report identity = the page URL, folded by
archive.reports.urls.identity_url). Prints one line per portal and the totals; writes
bench/results/discovery.json.
"""
from __future__ import annotations

import argparse
import inspect
import json
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from archive.reports.urls import identity_url
from tests.crawling import run_crawl

RESULTS = Path(__file__).resolve().parent.parent / "results"


def build(kind: str, portals: int | None, seed: int):
    from farm import build_farm

    kw = {}
    params = inspect.signature(build_farm).parameters
    if portals is not None and ("n_portals" in params or any(p.kind == p.VAR_KEYWORD for p in params.values())):
        kw["n_portals"] = portals
    if kind != "small":
        kw["seed"] = seed
    return build_farm(kind, **kw)


def score(farm, db_path: Path) -> dict:
    """Recall/precision/metadata accuracy of the index against the farm's truth."""
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    rows = {identity_url(r["page_url"]): dict(r) for r in con.execute("select * from reports")}
    truth = {identity_url(t.page_url): t for t in farm.truth}
    hits = set(rows) & set(truth)
    per_portal = defaultdict(lambda: {"truth": 0, "found": 0, "hits": 0, "missed": [], "extra": []})
    for key, t in truth.items():
        p = per_portal[t.portal]
        p["truth"] += 1
        if key in rows:
            p["hits"] += 1
        else:
            p["missed"].append(t.page_url)
    for key, r in rows.items():
        p = per_portal[r["portal"]]
        p["found"] += 1
        if key not in truth:
            p["extra"].append(f'{r["title"]} <{r["page_url"]}>')
    meta = {"year": 0, "published": 0, "publisher": 0}
    wrong = defaultdict(list)
    for key in hits:
        r, t = rows[key], truth[key]
        for field in meta:
            if r[field] == getattr(t, field):
                meta[field] += 1
            else:
                wrong[field].append((t.page_url, r[field], getattr(t, field)))
    n = len(hits) or 1
    portals = con.execute("select name, status, reason from portals").fetchall()
    return {
        "truth": len(truth), "found": len(rows), "hits": len(hits),
        "recall": len(hits) / (len(truth) or 1), "precision": len(hits) / (len(rows) or 1),
        "year_accuracy": meta["year"] / n, "published_accuracy": meta["published"] / n,
        "publisher_accuracy": meta["publisher"] / n,
        "per_portal": dict(per_portal), "wrong_metadata": {k: v[:20] for k, v in wrong.items()},
        "portal_status": {name: [status, reason] for name, status, reason in portals},
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.discovery", description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", default="bench", help="farm kind (default: bench)")
    ap.add_argument("--portals", type=int, default=None, help="number of portals for generated farms")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="keep the archive in this directory")
    args = ap.parse_args(argv)
    from farm.server import FarmServer

    farm = build(args.kind, args.portals, args.seed)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="nianbao-discovery-"))
    work.mkdir(parents=True, exist_ok=True)
    portals_csv = work / "portals.csv"
    farm.write_portals_csv(portals_csv)
    with FarmServer(farm) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])
        started = time.monotonic()
        proc = run_crawl(portals_csv, work / "archive", port, {"LOG_LEVEL": "WARNING"}, timeout=3600)
        wall = time.monotonic() - started
    (work / "crawl.log").write_text(proc.stderr, encoding="utf-8")
    if not (work / "archive" / "reports.db").exists():
        print(proc.stderr[-3000:], file=sys.stderr)
        return 1
    result = score(farm, work / "archive" / "reports.db")
    result.update(kind=args.kind, portals=len(farm.portals), wall_seconds=round(wall, 1), exit_status=proc.returncode)
    print(f"{'portal':<16}{'truth':>6}{'found':>6}{'hits':>6}  status")
    for name, p in sorted(result["per_portal"].items()):
        status = " ".join(x or "" for x in result["portal_status"].get(name, ["?", ""]))
        print(f"{name:<16}{p['truth']:>6}{p['found']:>6}{p['hits']:>6}  {status}")
        for url in p["missed"]:
            print(f"    missed {url}")
        for extra in p["extra"]:
            print(f"    extra  {extra}")
    print()
    print(f"farm {args.kind}: {result['portals']} portals, {result['truth']} reports in truth; crawl {wall:.1f} s, exit {proc.returncode}")
    print(f"recall    {result['recall']:.4f}  ({result['hits']}/{result['truth']})")
    print(f"precision {result['precision']:.4f}  ({result['hits']}/{result['found']})")
    print(f"year exact {result['year_accuracy']:.4f}   published exact {result['published_accuracy']:.4f}   "
          f"publisher exact {result['publisher_accuracy']:.4f}")
    for field, bad in result["wrong_metadata"].items():
        for url, got, want in bad[:5]:
            print(f"    {field}: {url}: got {got!r}, want {want!r}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"discovery-{args.kind}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
