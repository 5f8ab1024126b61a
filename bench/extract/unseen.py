"""Pages of layouts the extractor was never written against (#17 point 4): each labelled page
(bench/extract/labelled.py: the sets, their sources and their halves) scored for our extraction
without and with the fallback and for bare trafilatura.

    .venv/bin/python -m bench.extract --set webmainbench --path FILE [--lang zh|all] [--half SET]

Each page is scored with the project's char-level P/R/F1 (metrics.py; markdown markup of the
gold removed first) for: ours without the fallback (``archive.extract.fallback.ENABLED = False``),
ours with it, and bare trafilatura; the summary gives per set the means, the pages with recall
below 0.8, and the reasons stated for near-empty pages.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from .labelled import Page, _is_chinese, load
from .metrics import char_prf


def _extraction(page: Page, fallback: bool):
    from archive.extract import extract
    from archive.extract import fallback as fb

    old = fb.ENABLED
    fb.ENABLED = fallback
    try:
        return extract(page.html, page.url, "text/html")
    finally:
        fb.ENABLED = old


def _ours(page: Page, fallback: bool) -> str:
    return _extraction(page, fallback).text


def _reason(ex) -> str | None:
    """The first words of an extraction's stated reason (``extract_error``), or None."""
    err = ex.extract_error or ""
    return " ".join(err.split()[:6]) or None


def _trafilatura(page: Page) -> str:
    import trafilatura
    return trafilatura.extract(page.html, include_tables=True) or ""


def run(pages: list[Page]) -> list[dict]:
    rows = []
    for page in pages:
        row = {"name": page.name, "url": page.url, "half": page.half, "source": page.source,
               "cjk": _is_chinese(page.gold), "kind": page.kind}
        got = {}

        def with_fallback(pg: Page) -> str:
            got["ex"] = _extraction(pg, True)
            return got["ex"].text

        for who, fn in (("ours", lambda pg: _ours(pg, False)),
                        ("fallback", with_fallback),
                        ("trafilatura", _trafilatura)):
            t0 = time.process_time()
            text = fn(page)
            s = char_prf(text, page.gold)
            row[who] = {"p": s.precision, "r": s.recall, "f1": s.f1,
                        "s": time.process_time() - t0}
        # the reason the extraction states (issue 17: a near-empty text must say why)
        row["error"] = _reason(got["ex"])
        row["ocr_claim"] = bool(got["ex"].needs_ocr) or (row["error"] or "").startswith("OCR")
        rows.append(row)
    return rows


# set 8's and set 9's page types whose main content is one article-like text (the others: forum threads,
# product, service, listing and collection pages)
_ARTICLE_KINDS = ("article", "blog", "documentation")


def summary(rows: list[dict]) -> dict:
    out = {}
    groups = {
        "ninth": lambda r: r["half"] == "ninth",
        "ninth-article": lambda r: r["half"] == "ninth" and r.get("kind") in _ARTICLE_KINDS,
        "ninth-tune": lambda r: r["half"] == "ninth-tune",
        "eighth": lambda r: r["half"] == "eighth",
        "eighth-article": lambda r: r["half"] == "eighth" and r.get("kind") in _ARTICLE_KINDS,
        "eighth-tune": lambda r: r["half"] == "eighth-tune",
        "seventh": lambda r: r["half"] == "seventh",
        "sixth": lambda r: r["half"] == "sixth",
        "fifth": lambda r: r["half"] == "fifth",
        "fifth-cjk": lambda r: r["half"] == "fifth" and r.get("cjk"),
        "late": lambda r: r["half"] == "late",
        "late-cjk": lambda r: r["half"] == "late" and r.get("cjk"),
        "fresh": lambda r: r["half"] == "fresh",
        "fresh-cjk": lambda r: r["half"] == "fresh" and r.get("cjk"),
        "new": lambda r: r["half"] == "new",
        "new-cjk": lambda r: r["half"] == "new" and r.get("cjk"),
        "old": lambda r: r["half"] in ("tune", "held-out"),
        "tune": lambda r: r["half"] == "tune",
        "held-out": lambda r: r["half"] == "held-out",
    }
    for half, keep in groups.items():
        rs = [r for r in rows if keep(r)]
        if not rs:
            continue
        g: dict = {"pages": len(rs)}
        for who in ("ours", "fallback", "trafilatura"):
            g[who] = {
                "p": sum(r[who]["p"] for r in rs) / len(rs),
                "r": sum(r[who]["r"] for r in rs) / len(rs),
                "f1": sum(r[who]["f1"] for r in rs) / len(rs),
                "min_r": min(r[who]["r"] for r in rs),
                "below_0.8": sum(1 for r in rs if r[who]["r"] < 0.8),
                "ms_per_page": 1000 * sum(r[who]["s"] for r in rs) / len(rs),
            }
        g["reasons"] = reasons(rs)
        out[half] = g
    return out


NEAR_EMPTY = 0.1  # recall below which a page's text is "near-empty"


def reasons(rs: list[dict]) -> dict:
    """Counts of stated reasons (with the fallback on): pages claiming OCR, pages with any
    ``extract_error``, and the near-empty pages (recall < NEAR_EMPTY) with a reason / an OCR
    claim among them."""
    near = [r for r in rs if r["fallback"]["r"] < NEAR_EMPTY]
    return {"ocr_claims": sum(1 for r in rs if r.get("ocr_claim")),
            "errors": sum(1 for r in rs if r.get("error")),
            "near_empty": len(near),
            "near_empty_with_error": sum(1 for r in near if r.get("error")),
            "near_empty_ocr": sum(1 for r in near if r.get("ocr_claim"))}


def table(rows: list[dict], summ: dict) -> str:
    head = (f"{'page':34} {'half':8} | {'ours P':>6} {'R':>6} {'F1':>6} | {'+fb P':>6} {'R':>6} "
            f"{'F1':>6} | {'traf P':>6} {'R':>6} {'F1':>6}")
    lines = [head, "-" * len(head)]
    for r in rows:
        cells = " | ".join(f"{r[w]['p']:6.3f} {r[w]['r']:6.3f} {r[w]['f1']:6.3f}"
                           for w in ("ours", "fallback", "trafilatura"))
        lines.append(f"{r['name'][:34]:34} {r['half']:8} | {cells}")
    lines.append("-" * len(head))
    for half, g in summ.items():
        cells = " | ".join(f"{g[w]['p']:6.3f} {g[w]['r']:6.3f} {g[w]['f1']:6.3f}"
                           for w in ("ours", "fallback", "trafilatura"))
        lines.append(f"{'MEAN ' + half + ' (' + str(g['pages']) + ' pages)':34} {half[:8]:8} | {cells}")
        lines.append(
            f"{'  recall<0.8 / min R / ms/page':34} {half[:8]:8} | "
            + " | ".join(f"{g[w]['below_0.8']:>4} {g[w]['min_r']:6.3f} {g[w]['ms_per_page']:6.1f}"
                         for w in ("ours", "fallback", "trafilatura")))
        rs = g["reasons"]
        lines.append(f"{'  reasons (with fallback)':34} {half[:8]:8} | {rs['ocr_claims']} claim OCR, "
                     f"{rs['errors']} with extract_error; recall < {NEAR_EMPTY}: {rs['near_empty']} "
                     f"pages, {rs['near_empty_with_error']} with extract_error, "
                     f"{rs['near_empty_ocr']} of them OCR")
    return "\n".join(lines)


def main(args) -> int:
    pages = load(args.path, args.lang)
    if args.half:
        keep = {"old": ("tune", "held-out"), "new": ("new",), "fresh": ("fresh",),
                "late": ("late",), "fifth": ("fifth",), "sixth": ("sixth",),
                "seventh": ("seventh",), "eighth": ("eighth",),
                "eighth-tune": ("eighth-tune",), "ninth": ("ninth",),
                "ninth-tune": ("ninth-tune",)}[args.half]
        pages = [pg for pg in pages if pg.half in keep]
    if not pages:
        print("no labelled pages in " + ", ".join(args.path))
        return 2
    rows = run(pages)
    summ = summary(rows)
    print(table(rows, summ))
    for name in ("ninth", "eighth", "seventh", "late", "fresh", "new"):
        held = summ.get(name)
        if held:
            fb, tr = held["fallback"], held["trafilatura"]
            ok = fb["below_0.8"] == 0 and fb["f1"] + 1e-9 >= tr["f1"]
            print(f"{name} set targets (no page with recall < 0.8, mean F1 >= trafilatura's): "
                  f"{'met' if ok else 'MISSED'} ({fb['below_0.8']} pages below 0.8, F1 "
                  f"{fb['f1']:.4f} vs {tr['f1']:.4f})")
    if args.json:
        Path(args.json).write_text(json.dumps({"pages": rows, "summary": summ},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0
