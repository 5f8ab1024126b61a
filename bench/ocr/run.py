"""OCR engines on scanned reports with known text (issue 17): char-F1, table numbers kept,
CPU seconds per page.

The farm's reports (farm/disguised.py) are drawn as 150-dpi page scans with a CJK font,
put into an image-only PDF, and extracted by ``archive.extract.extract`` exactly as a crawl
would (pdftoppm renders the pages, the engine reads them), once per engine:

    .venv/bin/python -m bench.ocr [--engines tesseract rapidocr] [--reports 3]

CPU time is this process's plus its children's (tesseract and pdftoppm are subprocesses);
wall time is printed beside it but the machine is shared. rapidocr needs
``pip install rapidocr-onnxruntime`` (the ``ocr-rapid`` extra); a missing engine is reported.
Writes bench/results/ocr.json.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

from archive.extract import extract
from bench.extract.metrics import char_prf
from farm import disguised
from farm.corpus import seed_report, variant

RESULTS = Path(__file__).resolve().parent.parent / "results" / "ocr.json"


def cpu() -> float:
    """CPU seconds of this process and its reaped children."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def scanned_reports(n: int):
    """Scans with tables: the farm's scanned reports plus variants of other seeds."""
    out = [disguised.disguised_reports()["scanpdf"], disguised.disguised_reports()["scanpage"]]
    for slug, year in (("tieling-2017", 2014), ("quzhou-2016", 2013), ("xiangyang-2017", 2012)):
        out.append(disguised._short(variant(seed_report(slug), year=year), 10, 12))
    return out[:n]


def numbers_kept(text: str, gold: str) -> tuple[int, int]:
    """Numeric table cells of the gold text found in the OCR text."""
    nums = [c for ln in gold.splitlines() if " | " in ln for c in ln.split(" | ") if c.strip().isdigit()]
    return sum(1 for c in nums if c in text), len(nums)


def run_engine(engine: str, reports) -> dict:
    os.environ["NIANBAO_OCR_ENGINE"] = engine
    rows = []
    pages = 0
    c0, w0 = cpu(), time.perf_counter()
    for r in reports:
        body = disguised.scanned_pdf_bytes(r)
        c1 = cpu()
        ex = extract(body, "http://bench.invalid/scan.pdf", "application/pdf")
        if ex.text_source != "ocr":
            return {"engine": engine, "error": ex.extract_error}
        n = ex.metadata.get("ocr_pages", 0)
        pages += n
        kept, total = numbers_kept(ex.text, r.gold_text())
        rows.append({"report": r.slug, "pages": n, "f1": round(char_prf(ex.text, r.gold_text()).f1, 4),
                     "numbers_kept": [kept, total], "confidence": ex.ocr_confidence,
                     "cpu_s_per_page": round((cpu() - c1) / max(n, 1), 2)})
    cpu_s, wall = cpu() - c0, time.perf_counter() - w0
    return {"engine": engine, "reports": rows, "pages": pages,
            "mean_f1": round(sum(x["f1"] for x in rows) / len(rows), 4),
            "numbers_kept": [sum(x["numbers_kept"][0] for x in rows), sum(x["numbers_kept"][1] for x in rows)],
            "cpu_s_per_page": round(cpu_s / max(pages, 1), 2), "wall_s_per_page": round(wall / max(pages, 1), 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.split("\n\n")[0])
    ap.add_argument("--engines", nargs="+", default=["tesseract", "rapidocr"])
    ap.add_argument("--reports", type=int, default=3)
    args = ap.parse_args(argv)
    reports = scanned_reports(args.reports)
    results = []
    for engine in args.engines:
        res = run_engine(engine, reports)
        results.append(res)
        if "error" in res:
            print(f"{engine:<10} not run: {res['error']}")
            continue
        k, t = res["numbers_kept"]
        print(f"{engine:<10} {res['pages']} pages  char-F1 {res['mean_f1']:.4f}  table numbers {k}/{t}  "
              f"{res['cpu_s_per_page']:.2f} CPU s/page  ({res['wall_s_per_page']:.2f} wall s/page, shared machine)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
