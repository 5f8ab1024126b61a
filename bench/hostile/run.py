"""`python -m bench.hostile`: hostile documents through the crawl's extraction pool.

Each input is generated (bench/hostile/inputs.py) here and extracted in a fresh worker of
archive.extract.budget.BudgetPool with the budget stated in the table (the bench's own, 20 s
and 1,024 MB, so that a killed worker costs 20 s rather than the crawl's 60). Per input: the
worker's CPU time and peak RSS (ru_maxrss, which includes the input itself), the wall time
seen by the caller, and the outcome (text characters, the error or note the document gets).
After each hostile input the same pool extracts a good report page, which must come out as
it does inline: no hostile document may cost a good one.

    .venv/bin/python -m bench.hostile [--json FILE] [--quick]

Writes bench/results/hostile.json (--quick: hostile-quick.json) and prints the path.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from bench import results_file

from . import inputs

TIMEOUT = 20.0
MEMORY_MB = 1024
URL = "http://www.example.gov.cn/xxgk/2019/"


def _cases(quick: bool):
    """(name, maker, args, url, env): what is fed to the pool."""
    k = 10 if quick else 1
    return [
        ("PDF, 3,000 scattered glyphs", inputs.scattered_glyphs_pdf, (3000,), URL + "a.pdf", {}),
        ("PDF, 20,000 scattered glyphs", inputs.scattered_glyphs_pdf, (20000 // k,), URL + "b.pdf", {}),
        ("PDF Flate bomb, 1 GB inflated", inputs.flate_bomb_pdf, (1024 // k,), URL + "c.pdf", {}),
        ("PDF, 100,000 pages (cap 2,000)", inputs.many_pages_pdf, (100_000 // k,), URL + "d.pdf", {}),
        ("PDF, 100,000 pages, page cap lifted", inputs.many_pages_pdf, (100_000 // k,), URL + "e.pdf",
         {"NIANBAO_PDF_MAX_PAGES": "1000000"}),
        ("gzip payload, 3 GB inflated", inputs.gzip_bomb, (3072 // k,), URL + "f.html", {}),
        ("HTML, 400 unclosed <font> paragraphs", inputs.deep_font_html, (400,), URL + "g.html", {}),
        ("HTML, 20,000 unclosed <font> paragraphs", inputs.deep_font_html, (20000 // k,), URL + "h.html", {}),
        ("HTML, NUL byte in the first KB", inputs.nul_html, (), URL + "i.html", {}),
        ("HTML, GBK page with UTF-8 paragraphs", _mixed, (), URL + "j.html", {}),
    ]


def _mixed() -> bytes:
    return inputs.mixed_encoding_html()[0]


def _good() -> bytes:
    """A good report page as the farm serves it (farm/pages.py)."""
    from farm.corpus import seed_reports
    from farm.pages import render_report
    page = render_report("legacy_gbk", seed_reports()[0])
    return page.encode("utf-8") if isinstance(page, str) else page


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM: ru_maxrss would include the parent's RSS
    at fork, which Linux carries across exec)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(body: bytes, url: str, env: dict) -> dict:
    """In the worker: extract the input; CPU seconds, peak RSS, outcome."""
    os.environ.update(env)
    from archive.extract import extract

    t0 = time.process_time()
    ex = extract(body, url)
    cpu = time.process_time() - t0
    notes = {k: v for k, v in ex.metadata.items() if k in ("error", "repaired", "nul_bytes_removed",
                                                           "mixed_encoding", "pages")}
    return {"input_bytes": len(body), "cpu_s": round(cpu, 3),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "content_type": ex.content_type, "text_chars": len(ex.text), "notes": notes}


def _extract_text(body: bytes, url: str) -> str:
    from archive.extract import extract
    return extract(body, url).text


def run(quick: bool) -> list[dict]:
    from archive.extract import extract
    from archive.extract.budget import BudgetExceeded, BudgetPool

    good = _good()
    good_text = extract(good, URL + "good.html").text
    rows = []
    for name, maker, args, url, env in _cases(quick):
        body = maker(*args)
        pool = BudgetPool(1, TIMEOUT, MEMORY_MB)  # a fresh worker: its peak RSS is this input's
        try:
            t0 = time.monotonic()
            fut = pool.submit(measure, body, url, env)
            try:
                row = fut.result()
                outcome = "extracted"
            except BudgetExceeded as e:
                row = {"notes": {"error": str(e)}}
                outcome = "worker killed"
            row["wall_s"] = round(time.monotonic() - t0, 2)
            after = pool.submit(_extract_text, good, URL + "good.html").result()
            row["good_report_after"] = "same text" if after == good_text else "DIFFERENT"
        finally:
            pool.shutdown()
        row.update(input=name, outcome=outcome,
                   bounded=row["wall_s"] <= TIMEOUT + 5 and row.get("peak_rss_mb", 0) <= MEMORY_MB)
        rows.append(row)
        print(f"{name:42} {row['wall_s']:7.2f} s {row.get('cpu_s', '-')!s:>7} cpu "
              f"{row.get('peak_rss_mb', '-')!s:>7} MB  {outcome}: {row.get('text_chars', 0)} chars "
              f"{json.dumps(row['notes'], ensure_ascii=False)[:110]}  good: {row['good_report_after']}",
              flush=True)
    return rows


def results_name(quick: bool) -> str:
    """hostile[-quick].json: --quick's inputs are 10x smaller; it wrote hostile.json over the
    committed full-size figures."""
    return results_file.results_name("hostile", ("quick", quick, False))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="results file (default bench/results/hostile.json, "
                                              "with --quick hostile-quick.json)")
    ap.add_argument("--quick", action="store_true", help="inputs 10x smaller (development)")
    a = ap.parse_args(argv)
    out_path = a.json or results_file.RESULTS / results_name(a.quick)
    print(f"budget: {TIMEOUT:g} s wall and {MEMORY_MB} MB address space per document")
    rows = run(a.quick)
    ok = all(r["bounded"] and r["good_report_after"] == "same text" for r in rows)
    out = {"budget": {"timeout_s": TIMEOUT, "memory_mb": MEMORY_MB}, "quick": a.quick,
           "machine": f"{platform.machine()} {os.cpu_count()} cores (shared)",
           "date": time.strftime("%Y-%m-%d"), "all_bounded_and_good_kept": ok, "rows": rows}
    results_file.write_results(out_path, json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    print("all bounded, good report kept" if ok else "SOME INPUT NOT BOUNDED OR A GOOD REPORT CHANGED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
