"""Statistics tables on the farm: do the numbers land with the right keys and values?

    .venv/bin/python -m bench.stats [--per-template N] [--seed S] [--out bench/results/stats.json]

For every template version (2021, 2019, pre-2019 统计表) N farm reports with random numbers that
satisfy the templates' arithmetic, plus one 2021 report with a deliberate error
(farm/stats_reports.py), each rendered as every document type the farm serves (HTML in
four skins, DOCX, OFD, PDF with ` | ` rows), read back with archive.extract.extract and parsed
with archive.stats. A number counts as landed when report_stats holds its (table, row key,
column key) with the same value (null for a blank cell). Checks: the erroneous report must get
at least one 'fail', no other report any. Prints a table per template × document type; CPU time
is process time (the machine is shared).
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict

from archive.extract import extract
from archive.stats import parse_tables, run_checks
from archive.stats.similarity import sketch
from farm.stats_reports import DOC_TYPES, corpus, render


def measure(per_template: int, seed: int) -> dict:
    """Run every report × document type; returns the figures (see the module docstring)."""
    parse_cpu = [0.0, 0]  # archive.stats alone (parse + checks + sketch), renderings
    cells = defaultdict(lambda: {"numbers": 0, "landed": 0, "reports": 0, "cpu_s": 0.0})
    misses: list[dict] = []
    flags = {"erroneous_flagged": 0, "erroneous": 0, "correct_flagged": 0, "correct": 0}
    wall = time.perf_counter()
    cpu0 = time.process_time()
    for sr in corpus(per_template, seed):
        for dt in DOC_TYPES:
            body, url, ctype = render(sr, dt)
            t1 = time.process_time()
            ex = extract(body, url, ctype)
            tp = time.process_time()
            parsed = parse_tables(ex.tables, ex.text, sr.report.year)
            checks = run_checks(parsed)
            sketch(ex.text)
            t2 = time.process_time()
            parse_cpu[0] += t2 - tp
            parse_cpu[1] += 1
            got = {(s.table, s.row_key, s.col_key): s.value for s in parsed.stats}
            c = cells[(sr.template, dt)]
            c["reports"] += 1
            c["numbers"] += len(sr.truth)
            c["cpu_s"] += t2 - t1  # extraction + parsing + checks; rendering excluded
            for k, v in sr.truth.items():
                if k in got and got[k] == v:
                    c["landed"] += 1
                elif len(misses) < 20:
                    misses.append({"report": sr.report.slug, "doc": dt, "key": list(k), "want": v,
                                   "got": got.get(k, "missing")})
            failed = any(ch["status"] == "fail" for ch in checks)
            if sr.erroneous:
                flags["erroneous"] += 1
                flags["erroneous_flagged"] += failed
            else:
                flags["correct"] += 1
                flags["correct_flagged"] += failed
    total_n = sum(c["numbers"] for c in cells.values())
    total_l = sum(c["landed"] for c in cells.values())
    return {
        "per_template": per_template, "seed": seed,
        "cells": {f"{t}|{d}": v for (t, d), v in cells.items()},
        "numbers": total_n, "landed": total_l, "landed_pct": 100.0 * total_l / max(1, total_n),
        "checks": flags, "misses": misses,
        "stats_ms_per_report": 1000 * parse_cpu[0] / max(1, parse_cpu[1]),
        "cpu_s": time.process_time() - cpu0, "wall_s": time.perf_counter() - wall,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__.split("\n")[0])
    ap.add_argument("--per-template", type=int, default=5, help="reports per template version")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="write the figures as JSON here")
    a = ap.parse_args(argv)
    r = measure(a.per_template, a.seed)
    print(f"{'template':8} {'document':16} {'reports':>7} {'numbers':>8} {'landed':>7} {'%':>7} {'ms/report':>9}")
    for key, c in sorted(r["cells"].items()):
        t, d = key.split("|")
        print(f"{t:8} {d:16} {c['reports']:7d} {c['numbers']:8d} {c['landed']:7d} "
              f"{100.0 * c['landed'] / max(1, c['numbers']):7.2f} {1000 * c['cpu_s'] / c['reports']:9.1f}")
    f = r["checks"]
    print(f"all: {r['landed']}/{r['numbers']} numbers landed ({r['landed_pct']:.2f}%); "
          f"erroneous report flagged {f['erroneous_flagged']}/{f['erroneous']} renderings; "
          f"correct reports flagged {f['correct_flagged']}/{f['correct']}; "
          f"CPU {r['cpu_s']:.1f} s, wall {r['wall_s']:.1f} s (shared machine); archive.stats alone "
          f"(parse + checks + sketch) {r['stats_ms_per_report']:.1f} ms CPU/report")
    for m in r["misses"][:10]:
        print("miss:", m)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as fh:
            json.dump(r, fh, ensure_ascii=False, indent=1)
    ok = r["landed_pct"] >= 99.0 and f["erroneous_flagged"] == f["erroneous"] and not f["correct_flagged"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
