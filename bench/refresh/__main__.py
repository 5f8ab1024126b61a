"""bench/refresh: what a cron re-crawl costs, unchanged and after changes.

    .venv/bin/python -m bench.refresh [--kind bench] [--portals 30] [--changes 3]

Crawls a farm into one archive: run 1; run 2 with nothing changed (the next day's cron run);
run 3 after adding, editing and removing reports on several portals (the day after); run 4 once
report pages are due for their re-check (NIANBAO_RECHECK_DAYS=0 stands for "a week later").
Prints responses, WARC bytes written and wall time of each run as ratios to run 1, then checks
the index against the farm's truth: after run 3 every added report present and every removed
one marked; after run 4 every edited one updated with its history. Targets (issue 6): run 2
writes <= 5% of run 1's WARC bytes in <= 30% of its time. Writes
bench/results/refresh-<kind>[-<portals>].json (with --changes, --seed or -s: those in the name,
results_name) and prints the path.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from archive.reports.urls import identity_url
from bench import results_file
from tests.crawling import connect_index, report_rows, run_crawl, squash

CHANGES, SEED = 3, 1


def results_name(kind: str, portals: int | None, changes: int, seed: int, settings: dict[str, str]) -> str:
    """refresh-<kind>[-<portals>][-changes<n>][-seed<n>][-<NAME>=<value>...].json: `--seed 5` wrote
    refresh-bench.json over the committed figures of seed 1."""
    return results_file.results_name(f"refresh-{kind}", ("", portals, None), ("changes", changes, CHANGES),
                                     ("seed", seed, SEED),
                                     *((f"{k}=", v.replace("/", "_"), None) for k, v in settings.items()))


def warc_bytes(archive: Path) -> int:
    return sum(p.stat().st_size for p in (archive / "warc").glob("*.warc.gz"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.refresh", description=__doc__.split("\n\n")[0])
    from farm import KINDS

    ap.add_argument("--kind", default="bench", choices=KINDS)
    ap.add_argument("--portals", type=int, default=None)
    ap.add_argument("--changes", type=int, default=CHANGES, help="portals with an added, an edited and a removed report")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                    help="extra crawl setting, e.g. -s WARC_REVISIT_REQUESTS=False")
    args = ap.parse_args(argv)
    for item in args.set:
        if "=" not in item:
            ap.error(f"-s {item}: expected NAME=VALUE")
    extra = dict(item.split("=", 1) for item in args.set)
    from farm import build_farm
    from farm.server import FarmServer

    kw = {"seed": args.seed} if args.kind != "small" else {}
    if args.portals:
        kw["n_portals"] = args.portals
    farm = build_farm(args.kind, **kw)
    work = Path(tempfile.mkdtemp(prefix="nianbao-refresh-"))
    archive = work / "archive"
    portals_csv = work / "portals.csv"
    farm.write_portals_csv(portals_csv)
    runs = []
    with FarmServer(farm, record=False) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])

        def crawl(label, **settings):
            before = warc_bytes(archive) if archive.exists() else 0
            t = time.monotonic()
            proc = run_crawl(portals_csv, archive, port, {"LOG_LEVEL": "WARNING", **extra, **settings}, timeout=3600)
            wall = time.monotonic() - t
            stats = json.loads((archive / "last-run.json").read_text(encoding="utf-8"))
            runs.append({"run": label, "exit": proc.returncode, "wall_s": round(wall, 2),
                         "responses": stats["responses"], "warc_bytes": warc_bytes(archive) - before})
            if proc.returncode:
                print(proc.stderr[-2000:], file=sys.stderr)

        crawl("1 first")
        crawl("2 unchanged")
        rng = random.Random(args.seed)
        editable = [t for t in farm.truth if t.content_type == "html" and t.url == t.page_url and t.kind == "government"]
        by_portal = {}
        for t in editable:
            by_portal.setdefault(t.portal, []).append(t)
        mutable = getattr(farm, "columns", {})  # portals whose columns the farm can change
        chosen = rng.sample(sorted(p for p, ts in by_portal.items() if len(ts) >= 2 and mutable.get(p)), args.changes)
        added, edited, removed = [], [], []
        for portal in chosen:
            a, b = rng.sample(by_portal[portal], 2)
            added.append(farm.add_report(portal))
            edited.append(farm.edit_report(a.page_url))
            removed.append(farm.remove_report(b.page_url))
        crawl("3 changed")
        after3 = report_rows(archive)
        crawl("4 week later", NIANBAO_RECHECK_DAYS="0")
    rows = report_rows(archive)
    con = connect_index(archive)
    duplicates = con.execute("select count(*) - count(distinct page_url) from reports").fetchone()[0]
    con.close()
    edited_ok = lambda rs: sum(squash(rs[identity_url(t.page_url)]["text"]) == squash(t.text)  # noqa: E731
                               and rs[identity_url(t.page_url)]["version"] >= 2 for t in edited)
    checks = {
        "added present (run 3)": sum(identity_url(t.page_url) in after3 for t in added),
        "removed marked (run 3)": sum(after3.get(identity_url(t.page_url)) is not None
                                      and after3[identity_url(t.page_url)]["removed_at"] is not None for t in removed),
        "edited updated (run 3)": edited_ok(after3),
        "edited updated (run 4)": edited_ok(rows),
        "truth present": sum(identity_url(t.page_url) in rows for t in farm.truth),
        "duplicates": duplicates,
    }
    first = runs[0]
    print(f"farm {args.kind}: {len(farm.portals)} portals, {len(farm.truth)} reports after changes")
    print(f"{'run':<14}{'responses':>10}{'WARC bytes':>14}{'wall s':>9}{'bytes ratio':>13}{'time ratio':>12}")
    for r in runs:
        r["bytes_ratio"] = round(r["warc_bytes"] / first["warc_bytes"], 4)
        r["time_ratio"] = round(r["wall_s"] / first["wall_s"], 4)
        r["responses_ratio"] = round(r["responses"] / max(first["responses"], 1), 4)
        print(f"{r['run']:<14}{r['responses']:>10}{r['warc_bytes']:>14}{r['wall_s']:>9}{r['bytes_ratio']:>13}{r['time_ratio']:>12}")
    print(f"after run 3: added present {checks['added present (run 3)']}/{len(added)}, removed marked "
          f"{checks['removed marked (run 3)']}/{len(removed)}, edited updated {checks['edited updated (run 3)']}/"
          f"{len(edited)} (report pages not due yet)")
    print(f"after run 4: edited updated with history {checks['edited updated (run 4)']}/{len(edited)}, "
          f"truth present {checks['truth present']}/{len(farm.truth)}, duplicate rows {checks['duplicates']}")
    two = runs[1]
    print(f"targets: unchanged run writes {two['bytes_ratio']:.1%} of run 1's bytes (<= 5%) "
          f"in {two['time_ratio']:.1%} of its time (<= 30%)")
    results_file.write_results(results_file.RESULTS / results_name(args.kind, args.portals, args.changes, args.seed, extra),
                               json.dumps({"portals": len(farm.portals), "runs": runs, "checks": checks,
                                           "settings": extra}, indent=1))
    ok = (checks["added present (run 3)"] == len(added) and checks["edited updated (run 4)"] == len(edited)
          and checks["removed marked (run 3)"] == len(removed) and checks["duplicates"] == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
