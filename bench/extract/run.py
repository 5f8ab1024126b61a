"""Run the extraction benchmark: ours (archive.extract) vs bare trafilatura, side by side.

    .venv/bin/python -m bench.extract [--repeat N] [--group gov|news] [--json FILE] [--check]
    .venv/bin/python -m bench.extract --set webmainbench --path FILE|DIR [--path ...] [--lang zh|all]
        [--half old|new|fresh|late|fifth|sixth|seventh|eighth|eighth-tune|ninth|ninth-tune]   (pages of unseen layouts; bench/extract/unseen.py)
    .venv/bin/python -m bench.extract --set snippets --path DIR [--half tenth|tenth-tune]
        (trafilatura's evaluation pages scored by its snippets; bench/extract/snippets.py)

Per page: character-level precision / recall / F1 against the gold text (bench/extract/
metrics.py: multiset of characters after NFKC, whitespace and "|" removed), the share of
gold table rows recovered as one line each, and the CPU time per page (best of N runs;
``--wall`` for wall-clock time). Per group: means, the lowest
recall, pages per second and the time ratio ours / trafilatura.

trafilatura is called the bare way: ``trafilatura.extract(body_bytes, include_tables=True)``
(it decodes the bytes itself).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/extract/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "bench.extract"

from .cases import Case, all_cases  # noqa: E402
from .metrics import char_prf, rows_recovered  # noqa: E402

TARGETS = {"gov_mean_f1": 0.99, "gov_min_recall": 0.995, "time_ratio": 1.5}


def _extraction(case: Case):
    from archive.extract import extract
    return extract(case.body, case.url, case.content_type)


def _ours(case: Case) -> str:
    return _extraction(case).text


def _trafilatura(case: Case) -> str:
    import trafilatura
    return trafilatura.extract(case.body, include_tables=True) or ""


CLOCK = time.process_time  # CPU time: other processes on a shared machine disturb it less


def _timed(fn, case: Case, repeat: int) -> tuple[str, float]:
    best = float("inf")
    out = ""
    for _ in range(repeat):
        t0 = CLOCK()
        out = fn(case)
        best = min(best, CLOCK() - t0)
    return out, best


def run(cases: list[Case], repeat: int) -> list[dict]:
    rows = []
    for case in cases:
        ours, t_ours = _timed(_ours, case, repeat)
        traf, t_traf = _timed(_trafilatura, case, repeat)
        so, st = char_prf(ours, case.gold), char_prf(traf, case.gold)
        ro, n_rows = rows_recovered(ours, case.gold_rows)
        rt, _ = rows_recovered(traf, case.gold_rows)
        ex = _extraction(case)  # untimed: the reason it states (issue 17)
        rows.append({
            "name": case.name, "group": case.group,
            "ours": {"p": so.precision, "r": so.recall, "f1": so.f1, "rows": ro, "s": t_ours},
            "trafilatura": {"p": st.precision, "r": st.recall, "f1": st.f1, "rows": rt,
                            "s": t_traf},
            "gold_rows": n_rows,
            "needs_ocr": bool(ex.needs_ocr), "error": ex.extract_error,
        })
    return rows


def summarise(rows: list[dict]) -> dict:
    out = {}
    for group in sorted({r["group"] for r in rows}):
        rs = [r for r in rows if r["group"] == group]
        g = {}
        for who in ("ours", "trafilatura"):
            n = len(rs)
            t = sum(r[who]["s"] for r in rs)
            g[who] = {
                "p": sum(r[who]["p"] for r in rs) / n,
                "r": sum(r[who]["r"] for r in rs) / n,
                "f1": sum(r[who]["f1"] for r in rs) / n,
                "min_r": min(r[who]["r"] for r in rs),
                "rows": sum(r[who]["rows"] for r in rs),
                "pages_per_s": n / t if t else float("inf"),
                "seconds": t,
            }
        g["gold_rows"] = sum(r["gold_rows"] for r in rs)
        g["needs_ocr"] = sum(1 for r in rs if r["needs_ocr"])
        g["errors"] = sum(1 for r in rs if r["error"])
        g["pages"] = len(rs)
        g["time_ratio"] = g["ours"]["seconds"] / g["trafilatura"]["seconds"]
        out[group] = g
    all_o = sum(r["ours"]["s"] for r in rows)
    all_t = sum(r["trafilatura"]["s"] for r in rows)
    out["all"] = {"time_ratio": all_o / all_t if all_t else 0.0, "pages": len(rows),
                  "ours_pages_per_s": len(rows) / all_o if all_o else 0.0,
                  "trafilatura_pages_per_s": len(rows) / all_t if all_t else 0.0}
    return out


def table(rows: list[dict], summary: dict) -> str:
    head = (f"{'page':38} {'grp':4} | {'ours P':>6} {'R':>6} {'F1':>6} {'rows':>7} {'ms':>6} |"
            f" {'traf P':>6} {'R':>6} {'F1':>6} {'rows':>7} {'ms':>6}")
    lines = [head, "-" * len(head)]
    for r in rows:
        o, t = r["ours"], r["trafilatura"]
        n = r["gold_rows"]
        lines.append(
            f"{r['name'][:38]:38} {r['group']:4} | {o['p']:6.4f} {o['r']:6.4f} {o['f1']:6.4f} "
            f"{o['rows']:>3}/{n:<3} {o['s'] * 1000:6.1f} | {t['p']:6.4f} {t['r']:6.4f} "
            f"{t['f1']:6.4f} {t['rows']:>3}/{n:<3} {t['s'] * 1000:6.1f}")
    lines.append("-" * len(head))
    for group, g in summary.items():
        if group == "all":
            continue
        o, t = g["ours"], g["trafilatura"]
        lines.append(
            f"{'MEAN ' + group + ' (' + str(g['pages']) + ' pages)':38} {group:4} | "
            f"{o['p']:6.4f} {o['r']:6.4f} {o['f1']:6.4f} {o['rows']:>3}/{g['gold_rows']:<3} "
            f"{'':6} | {t['p']:6.4f} {t['r']:6.4f} {t['f1']:6.4f} "
            f"{t['rows']:>3}/{g['gold_rows']:<3}")
        lines.append(
            f"{'  min recall / pages per s / ratio':38} {group:4} | {o['min_r']:6.4f} "
            f"{o['pages_per_s']:8.1f} p/s  vs  {t['min_r']:6.4f} {t['pages_per_s']:8.1f} p/s"
            f"   time ours/traf = {g['time_ratio']:.2f}")
        lines.append(f"{'  reasons stated':38} {group:4} | {g['needs_ocr']} needs_ocr, "
                     f"{g['errors']} with extract_error")
    a = summary["all"]
    lines.append(f"all {a['pages']} pages: ours {a['ours_pages_per_s']:.1f} pages/s, trafilatura "
                  f"{a['trafilatura_pages_per_s']:.1f} pages/s, time ratio {a['time_ratio']:.2f}")
    return "\n".join(lines)


def check(summary: dict) -> list[str]:
    misses = []
    gov = summary.get("gov")
    if gov:
        if gov["ours"]["f1"] < TARGETS["gov_mean_f1"]:
            misses.append(f"gov mean F1 {gov['ours']['f1']:.4f} < {TARGETS['gov_mean_f1']}")
        if gov["ours"]["min_r"] < TARGETS["gov_min_recall"]:
            misses.append(f"gov min recall {gov['ours']['min_r']:.4f} < "
                          f"{TARGETS['gov_min_recall']}")
        if gov["ours"]["rows"] < gov["gold_rows"]:
            misses.append(f"gov table rows {gov['ours']['rows']}/{gov['gold_rows']}")
    news = summary.get("news")
    if news and news["ours"]["f1"] + 1e-9 < news["trafilatura"]["f1"]:
        misses.append(f"news mean F1 {news['ours']['f1']:.4f} < trafilatura "
                      f"{news['trafilatura']['f1']:.4f}")
    if summary["all"]["time_ratio"] > TARGETS["time_ratio"]:
        misses.append(f"time ratio {summary['all']['time_ratio']:.2f} > {TARGETS['time_ratio']}")
    return misses


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.extract", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="timing runs per page (best kept)")
    ap.add_argument("--group", choices=("gov", "news"), help="only this group")
    ap.add_argument("--json", help="also write per-page results and summary to this file")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--wall", action="store_true", help="wall-clock instead of CPU time")
    ap.add_argument("--set", choices=("labelled", "webmainbench", "snippets"), default="labelled",
                    help="webmainbench: fetched public pages of unseen layouts (unseen.py); "
                         "snippets: trafilatura's evaluation pages (snippets.py)")
    ap.add_argument("--path", action="append", default=[],
                    help="with --set webmainbench: a WebMainBench .jsonl, magic-html base.json, readability "
                         "test-pages dir or CleanEval dir (unseen.py)")
    ap.add_argument("--lang", choices=("zh", "all"), default="zh",
                    help="with --set webmainbench: Chinese pages only (default) or all")
    ap.add_argument("--half", choices=("old", "new", "fresh", "late", "fifth", "sixth", "seventh", "eighth", "eighth-tune",
                                       "ninth", "ninth-tune", "tenth", "tenth-tune"),
                    help="with --set webmainbench: only the old, new, fresh, late, fifth, sixth or seventh "
                         "pages (tuned on), set 8's tuning half (eighth-tune) or its held-out half "
                         "(eighth), set 9's tuning split (ninth-tune) or its held-out split (ninth); "
                         "with --set snippets: set 10's tuning half (tenth-tune) or held-out half (tenth)")
    args = ap.parse_args(argv)
    if args.set == "snippets":
        from . import snippets
        if not args.path:
            ap.error("--set snippets needs --path DIR")
        return snippets.main(args)
    if args.set == "webmainbench":
        from . import unseen
        if not args.path:
            ap.error("--set webmainbench needs --path FILE")
        return unseen.main(args)
    if args.wall:
        global CLOCK
        CLOCK = time.perf_counter
    cases = all_cases()
    if args.group:
        cases = [c for c in cases if c.group == args.group]
    if not cases:
        print("no labelled pages found", file=sys.stderr)
        return 2
    rows = run(cases, max(1, args.repeat))
    summary = summarise(rows)
    print(table(rows, summary))
    misses = check(summary)
    print("targets: " + ("all met" if not misses else "MISSED: " + "; ".join(misses)))
    if args.json:
        Path(args.json).write_text(json.dumps({"pages": rows, "summary": summary},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if (args.check and misses) else 0


if __name__ == "__main__":
    raise SystemExit(main())
