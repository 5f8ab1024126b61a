"""OCR engines on scanned reports with known text (issue 17): char-F1, table numbers kept,
CPU seconds per page.

The farm's reports (farm/disguised.py) are drawn as 150-dpi page scans with a CJK font,
put into an image-only PDF, and extracted by ``archive.extract.extract`` exactly as a crawl
would (pdftoppm renders the pages, the engine reads them), once per engine:

    .venv/bin/python -m bench.ocr [--engines tesseract rapidocr] [--reports 3]
                                  [--docs pdf mixed ofd]

``--docs``: which documents each report becomes — ``pdf`` a scanned (image-only) PDF, ``mixed``
a PDF of text pages with the table's page scanned (disguised.mixed_pdf_bytes: only that page is
OCR'd; F1 is of the OCR'd part against its gold, and the text pages are checked exact), ``ofd``
a scanned OFD (disguised.scanned_ofd_bytes: page images in Res/). Default: ``pdf`` only (the
engine comparison); CPU s per page is per OCR'd page (a mixed PDF's text pages included in it).

CPU time is this process's plus its children's (tesseract and pdftoppm are subprocesses);
wall time is printed beside it but the machine is shared. rapidocr needs
``pip install rapidocr-onnxruntime`` (the ``ocr-rapid`` extra); a missing engine is reported.
Writes bench/results/ocr.json (the defaults) or ocr-docs.json (bench/README's documents run,
``--engines tesseract --reports 5 --docs pdf mixed ofd``); any other flags are in the name
(results_name), ``--out`` names the file; the path is printed.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import time
from pathlib import Path

from archive.extract import extract
from bench import results_file
from bench.extract.metrics import char_prf
from farm import disguised
from farm.corpus import seed_report, variant

ENGINES, REPORTS, DOCS = ["tesseract", "rapidocr"], 3, ["pdf"]
# the committed runs' flags (engines, reports, docs): the engine comparison and the documents run
COMMITTED = {"ocr": (ENGINES, REPORTS, DOCS), "ocr-docs": (["tesseract"], 5, ["pdf", "mixed", "ofd"])}


def results_name(engines: list[str], reports: int, docs: list[str]) -> str:
    """ocr.json / ocr-docs.json for the committed runs, with each flag that differs from that run's
    in the name (ocr-reports1.json): `--reports 1` wrote ocr.json over the 3-report figures."""
    stem = "ocr" if docs == ["pdf"] else "ocr-docs"
    want = COMMITTED[stem]
    return results_file.results_name(stem, ("", "+".join(engines), "+".join(want[0])),
                                      ("reports", reports, want[1]), ("", "+".join(docs), "+".join(want[2])))


def cpu() -> float:
    """CPU seconds of this process and its reaped children."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


VARIANTS = (("tieling-2017", 2014), ("quzhou-2016", 2013), ("xiangyang-2017", 2012))  # (seed, year)
MAX_REPORTS = 2 + len(VARIANTS)


def scanned_reports(n: int):
    """Scans with tables: the farm's scanned reports plus variants of other seeds."""
    out = [disguised.disguised_reports()["scanpdf"], disguised.disguised_reports()["scanpage"]]
    for slug, year in VARIANTS:
        out.append(disguised._short(variant(seed_report(slug), year=year), 10, 12))
    return out[:n]


def numbers_kept(text: str, gold: str) -> tuple[int, int]:
    """Numeric table cells of the gold text found in the OCR text."""
    nums = [c for ln in gold.splitlines() if " | " in ln for c in ln.split(" | ") if c.strip().isdigit()]
    return sum(1 for c in nums if c in text), len(nums)


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def document(kind: str, r) -> tuple | None:
    """(body, url, the report as drawn, its OCR'd part's gold, (head, tail) text-page gold)."""
    if kind == "ofd":
        return disguised.scanned_ofd_bytes(r), "http://bench.invalid/scan.ofd", r, r.gold_text(), None
    if kind == "mixed":
        m = disguised._mixed(r)
        if not m.has_tables:
            return None  # the scanned page is the table's: no table, no mixed PDF
        head, scan, tail = disguised.mixed_parts(m)
        return (disguised.mixed_pdf_bytes(m), "http://bench.invalid/mixed.pdf", m,
                "\n".join(scan.body_lines()), (head.gold_text(), "\n".join(tail.body_lines())))
    return disguised.scanned_pdf_bytes(r), "http://bench.invalid/scan.pdf", r, r.gold_text(), None


def ocr_part(text: str, texts: tuple[str, str] | None) -> tuple[str, bool]:
    """The OCR'd part of an extraction and whether its text pages came out exactly (a mixed
    PDF: text pages before and after, compared without whitespace)."""
    if texts is None:
        return text, True
    t, head, tail = _squash(text), _squash(texts[0]), _squash(texts[1])
    exact = t.startswith(head) and t.endswith(tail) and len(t) >= len(head) + len(tail)
    return (t[len(head):len(t) - len(tail)] if exact else text), exact


def run_engine(engine: str, reports, kinds=("pdf",)) -> dict:
    os.environ["NIANBAO_OCR_ENGINE"] = engine
    rows = []
    pages = 0
    c0, w0 = cpu(), time.perf_counter()
    for kind in kinds:
        for r in reports:
            doc = document(kind, r)
            if doc is None:
                continue
            body, url, drawn, gold, texts = doc
            c1 = cpu()
            ex = extract(body, url, None)
            if ex.text_source not in ("ocr", "text+ocr"):
                return {"engine": engine, "error": f"{kind}: {ex.extract_error}"}
            n = ex.metadata.get("ocr_pages", 0)
            pages += n
            part, exact = ocr_part(ex.text, texts)
            kept, total = numbers_kept(part, gold)
            rows.append({"doc": kind, "report": drawn.slug, "pages": n, "of_pages": ex.metadata.get("pages"),
                         "f1": round(char_prf(part, gold).f1, 4), "text_pages_exact": exact,
                         "text_source": ex.text_source, "numbers_kept": [kept, total],
                         "confidence": ex.ocr_confidence, "cpu_s_per_page": round((cpu() - c1) / max(n, 1), 2)})
    cpu_s, wall = cpu() - c0, time.perf_counter() - w0
    return {"engine": engine, "docs": list(kinds), "reports": rows, "pages": pages,
            "mean_f1": round(sum(x["f1"] for x in rows) / len(rows), 4),
            "numbers_kept": [sum(x["numbers_kept"][0] for x in rows), sum(x["numbers_kept"][1] for x in rows)],
            "cpu_s_per_page": round(cpu_s / max(pages, 1), 2), "wall_s_per_page": round(wall / max(pages, 1), 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.split("\n\n")[0])
    # choices: archive.extract.ocr runs tesseract for any name it does not know
    ap.add_argument("--engines", nargs="+", choices=("tesseract", "rapidocr"), default=ENGINES)
    ap.add_argument("--reports", type=int, default=REPORTS)
    ap.add_argument("--docs", nargs="+", choices=("pdf", "mixed", "ofd"), default=DOCS,
                    help="scanned PDF, mixed PDF (text pages + a scanned page), scanned OFD")
    ap.add_argument("--out", type=Path, help="results JSON (default bench/results/ocr.json, ocr-docs.json "
                                             "for the documents run, other flags in the name)")
    args = ap.parse_args(argv)
    if not 1 <= args.reports <= MAX_REPORTS:
        # 0 was a ZeroDivisionError after the run; more than there are ran 5 under the larger number's name
        ap.error(f"--reports must be 1 to {MAX_REPORTS} (the scanned reports with tables)")
    out = args.out or results_file.RESULTS / results_name(args.engines, args.reports, args.docs)
    reports = scanned_reports(args.reports)
    results = []
    for engine in args.engines:
        res = run_engine(engine, reports, args.docs)
        results.append(res)
        if "error" in res:
            print(f"{engine:<10} not run: {res['error']}")
            continue
        k, t = res["numbers_kept"]
        print(f"{engine:<10} {res['pages']} pages  char-F1 {res['mean_f1']:.4f}  table numbers {k}/{t}  "
              f"{res['cpu_s_per_page']:.2f} CPU s/page  ({res['wall_s_per_page']:.2f} wall s/page, shared machine)")
        for kind in args.docs:
            rows = [x for x in res["reports"] if x["doc"] == kind]
            n = sum(x["pages"] for x in rows)
            print(f"  {kind:<6} {len(rows)} documents, {n} pages OCR'd of {sum(x['of_pages'] or 0 for x in rows)}: "
                  f"char-F1 of the OCR'd part {sum(x['f1'] for x in rows) / len(rows):.4f} "
                  f"(min {min(x['f1'] for x in rows):.4f}), text pages exact "
                  f"{sum(x['text_pages_exact'] for x in rows)}/{len(rows)}, "
                  f"{sum(x['cpu_s_per_page'] * x['pages'] for x in rows) / max(n, 1):.2f} CPU s/page")
    results_file.write_results(out, json.dumps(results, ensure_ascii=False, indent=2))
    return 0
