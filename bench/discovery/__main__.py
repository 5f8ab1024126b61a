"""bench/discovery: recall, precision and metadata accuracy of `scrapy crawl reports` on a farm.

    .venv/bin/python -m bench.discovery                   # the bench farm (>= 20 portals, all platforms)
    .venv/bin/python -m bench.discovery --kind small      # the test suite's small farm
    .venv/bin/python -m bench.discovery --kind random --portals 30 --seed-set tuning
    .venv/bin/python -m bench.discovery --kind random --portals 300 --seed-set heldout   # once per change

`--kind random` builds random portals (farm/random_portals.py) from the first N seeds
of a fixed set: `tuning` (TUNING_SEEDS 0-199: tune discovery on these) or `heldout`
(HELDOUT_SEEDS 10000-10999: report recall on these, never tune on them). It also prints
requests per report found, the worst portals with the path their reports needed, portals
with reports that ended `ok` with 0 found, and each portal's status against the expected one.

Builds the farm, serves it on loopback, runs the real crawl through the proxy, and compares
`reports` with the farm's truth (report identity = the page URL, folded by
archive.reports.urls.identity_url). Prints one line per portal and the totals; writes
bench/results/discovery-<kind>.json (results_name: with --portals or --seed in the name).
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from archive.reports.urls import identity_url
from bench import results_file
from tests.crawling import run_crawl


def build(kind: str, portals: int | None, seed: int, seed_set: str | None = None, skip: int = 0):
    from farm import build_farm

    if kind == "random":
        from farm.random_portals import SEED_SETS

        # --skip K: seeds start+K … (the held-out set's names collide from its 252nd seed on,
        # and a farm cannot hold two portals of one name: batches of collision-free seeds)
        start = SEED_SETS[seed_set or "tuning"].start + skip
        return build_farm("random", n_portals=portals or 30, seed=start)

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
    # Report pages the random farm keeps out of its truth because their file is disallowed by
    # robots.txt: the crawl indexes the public page but must say its text is not the report's
    # (extract_error). Counted apart, and precision given both ways.
    hidden = {identity_url(u) for pairs in (getattr(farm, "hidden", None) or {}).values() for u, _ in pairs}
    extra = [k for k in rows if k not in truth]
    flagged = [k for k in extra if k in hidden and rows[k].get("extract_error")]
    unflagged_hidden = [rows[k]["page_url"] for k in extra if k in hidden and not rows[k].get("extract_error")]
    return {
        "truth": len(truth), "found": len(rows), "hits": len(hits),
        "recall": len(hits) / (len(truth) or 1), "precision": len(hits) / (len(rows) or 1),
        "extra_hidden_flagged": len(flagged), "extra_hidden_unflagged": unflagged_hidden[:20],
        "precision_flagged_apart": len(hits) / ((len(rows) - len(flagged)) or 1),
        "year_accuracy": meta["year"] / n, "published_accuracy": meta["published"] / n,
        "publisher_accuracy": meta["publisher"] / n,
        "per_portal": dict(per_portal), "wrong_metadata": {k: v[:20] for k, v in wrong.items()},
        "portal_status": {name: [status, reason] for name, status, reason in portals},
    }


def random_summary(farm, result: dict, requests: list, seed_set: str) -> dict:
    """What the random farm adds: per-portal recall with the path its reports needed, the
    worst portals, silent failures (reports expected, status ok, 0 found), status vs expected,
    requests per portal."""
    import urllib.parse

    host_portal = {}
    for p in farm.portals:
        host_portal[urllib.parse.urlsplit(p.url).hostname] = p.name
    per_host = defaultdict(int)
    for _, url, _ in requests:
        per_host[urllib.parse.urlsplit(url).hostname] += 1
    linked_from = defaultdict(set)   # report page -> the list pages that link it
    for src, links in farm.graph.items():
        for link in links:
            if link.role == "item":
                linked_from[link.target.replace("?from=list", "")].add(src)
    portals = []
    for p in farm.portals:
        pp = result["per_portal"].get(p.name, {"truth": 0, "found": 0, "hits": 0, "missed": [], "extra": []})
        meta = farm.meta[p.name]
        got = result["portal_status"].get(p.name, ["(no row)", ""])
        want = farm.status[p.name]
        missed_lists = sorted({src for m in pp["missed"] for src in linked_from.get(m, ())
                               if src in farm.paths[p.name]})
        portals.append({
            "portal": p.name, "seed": meta["seed"], "truth": pp["truth"], "found": pp["found"], "hits": pp["hits"],
            "recall": pp["hits"] / pp["truth"] if pp["truth"] else None,
            "status": got[0], "reason": got[1], "expected_status": want[0],
            "requests_main_host": per_host.get(urllib.parse.urlsplit(p.url).hostname, 0),
            "scheme": meta["scheme"], "xxgk": meta["xxgk"], "depth": meta["depth"], "chain": meta["chain"],
            "styles": meta["styles"], "pagers": meta["pagers"],
            "paths": {lst: [f"{a or '(no text)'} [{s}] {u}" for a, u, s in chain]
                      for lst, chain in farm.paths[p.name].items()},
            "missed": pp["missed"][:10], "extra": pp["extra"][:10], "missed_lists": missed_lists[:5],
        })
    with_truth = [x for x in portals if x["truth"]]
    worst = sorted(with_truth, key=lambda x: (x["recall"], -x["truth"]))[:5]
    silent = [x["portal"] for x in with_truth if x["status"] == "ok" and x["found"] == 0]
    mismatch = [(x["portal"], x["status"], x["expected_status"]) for x in portals if x["status"] != x["expected_status"]]
    # A portal without reports may honestly end `no_reports` (nothing left worth walking) or
    # `budget_exhausted` (walk stopped with candidates left): both say "nothing here". Wrong is
    # `ok` without reports, not `ok` with reports found, or a blocked/dead portal called otherwise.
    wrong = [(x["portal"], x["status"], x["expected_status"]) for x in portals
             if (x["expected_status"] == "ok" and x["found"] and x["status"] != "ok")
             or (not x["hits"] and x["status"] == "ok")
             or (x["expected_status"] in ("blocked", "dead") and x["status"] != x["expected_status"])]
    empty_ended = Counter(x["status"] for x in portals if not x["truth"] and x["expected_status"] == "no_reports")
    buckets = defaultdict(int)
    for x in with_truth:
        r = x["recall"]
        buckets["1.0" if r == 1 else "0" if r == 0 else "(0,0.5)" if r < 0.5 else "[0.5,1)"] += 1
    return {"seed_set": seed_set, "seeds": [min(farm.seeds), max(farm.seeds)], "random_portals": portals,
            "worst": [x["portal"] for x in worst], "silent_ok_zero": silent, "status_mismatch": mismatch,
            "status_wrong": wrong, "no_report_portals_ended": dict(empty_ended),
            "recall_distribution": dict(buckets), "portals_with_reports": len(with_truth)}


def print_random_summary(result: dict) -> None:
    by_name = {x["portal"]: x for x in result["random_portals"]}
    print(f"seed set {result['seed_set']} seeds {result['seeds'][0]}..{result['seeds'][1]}; "
          f"portals with reports {result['portals_with_reports']}; per-portal recall {result['recall_distribution']}")
    print(f"portals with reports ended ok with 0 found: {len(result['silent_ok_zero'])} {result['silent_ok_zero'][:10]}")
    print(f"status differs from the generator's: {len(result['status_mismatch'])}; of which wrong "
          f"(ok without reports, reports found but not ok, blocked/dead missed): {len(result['status_wrong'])}")
    for name, got, want in result["status_wrong"][:10]:
        print(f"    {name}: {got} (expected {want})")
    print(f"portals without reports ended: {result['no_report_portals_ended']}")
    print("worst portals:")
    for name in result["worst"]:
        x = by_name[name]
        print(f"  {name} seed {x['seed']}: {x['hits']}/{x['truth']} found, status {x['status']} {(x['reason'] or '')[:80]!r}; "
              f"{x['scheme']} xxgk={x['xxgk']} depth {x['depth']} {x['chain']} pagers {x['pagers']}")
        lists = x["missed_lists"] or list(x["paths"])
        for lst in lists[:2]:
            print(f"      needed: {' -> '.join(x['paths'].get(lst, ['?']))} -> {lst}")


def results_name(kind: str, portals: int | None, seed: int, seed_set: str | None, skip: int,
                 farm_portals: int) -> str:
    """discovery-<kind>[-<portals>][-seed<seed>].json; random farms: discovery-random-<set>-<farm
    portals>[-from<skip>].json. A quick run (`--portals 5`) or another seed is a different farm:
    it wrote discovery-bench.json over the figure of the default 30-portal bench farm."""
    if kind == "random":
        return results_file.results_name(f"discovery-random-{seed_set}-{farm_portals}", ("from", skip, 0))
    # the small farm takes no seed
    return results_file.results_name(f"discovery-{kind}", ("", portals, None),
                                     ("seed", seed if kind != "small" else 1, 1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.discovery", description=__doc__.split("\n\n")[0])
    from farm import KINDS

    ap.add_argument("--kind", default="bench", choices=KINDS, help="farm kind (default: bench)")
    ap.add_argument("--portals", type=int, default=None, help="number of portals for generated farms. random: this many; "
                         "bench: the small and platforms farms' 19 portals plus generated ones "
                         "up to this many in all (default 30), so 19 or fewer give the same 19")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip", type=int, default=0, help="--kind random only: skip the set's first K seeds")
    ap.add_argument("--seed-set", choices=["tuning", "heldout"], default=None,
                    help="--kind random only: which fixed seed set (default tuning)")
    ap.add_argument("--keep", help="keep the archive in this directory")
    args = ap.parse_args(argv)
    if args.seed_set and args.kind != "random":
        ap.error("--seed-set goes with --kind random")
    from farm.server import FarmServer

    t_build = time.process_time()
    farm = build(args.kind, args.portals, args.seed, args.seed_set, args.skip)
    build_cpu = time.process_time() - t_build
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="nianbao-discovery-"))
    work.mkdir(parents=True, exist_ok=True)
    portals_csv = work / "portals.csv"
    farm.write_portals_csv(portals_csv)
    with FarmServer(farm, max_record_bytes=0) as server:
        port = int(server.proxy_url.rsplit(":", 1)[1])
        started = time.monotonic()
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = run_crawl(portals_csv, work / "archive", port, {"LOG_LEVEL": os.environ.get("NIANBAO_BENCH_LOG_LEVEL", "WARNING")}, timeout=3600 * 3)
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.monotonic() - started
        requests = [(r.method, r.url, r.status) for r in server.sent]
    (work / "crawl.log").write_text(proc.stderr, encoding="utf-8")
    if not (work / "archive" / "reports.db").exists():
        print(proc.stderr[-3000:], file=sys.stderr)
        return 1
    result = score(farm, work / "archive" / "reports.db")
    crawl_cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    result.update(kind=args.kind, portals=len(farm.portals), wall_seconds=round(wall, 1), exit_status=proc.returncode,
                  crawl_cpu_seconds=round(crawl_cpu, 1), farm_build_cpu_seconds=round(build_cpu, 1),
                  requests=len(requests), requests_per_report_found=round(len(requests) / (result["hits"] or 1), 2))
    if args.kind == "random":
        result.update(random_summary(farm, result, requests, args.seed_set or "tuning"))
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
    if result.get("extra_hidden_flagged") or result.get("extra_hidden_unflagged"):
        print(f"  of the extra rows, {result['extra_hidden_flagged']} are report pages whose file robots.txt "
              f"disallows, indexed with extract_error; precision with those apart "
              f"{result['precision_flagged_apart']:.4f}; unflagged such rows: {len(result['extra_hidden_unflagged'])}")
    print(f"year exact {result['year_accuracy']:.4f}   published exact {result['published_accuracy']:.4f}   "
          f"publisher exact {result['publisher_accuracy']:.4f}")
    for field, bad in result["wrong_metadata"].items():
        for url, got, want in bad[:5]:
            print(f"    {field}: {url}: got {got!r}, want {want!r}")
    print(f"requests  {result['requests']} ({result['requests_per_report_found']} per report found); "
          f"crawl CPU {crawl_cpu:.1f} s (user+sys of the crawl process), farm build CPU {build_cpu:.1f} s")
    if args.kind == "random":
        print_random_summary(result)
    name = results_name(args.kind, args.portals, args.seed, result.get("seed_set"), args.skip, result["portals"])
    results_file.write_results(results_file.RESULTS / name, json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
