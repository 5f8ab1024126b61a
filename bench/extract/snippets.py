"""Set 10: trafilatura's own evaluation pages, scored by its snippets (#17 point 4).

    .venv/bin/python -m bench.extract --set snippets --path DIR [--half tenth|tenth-tune] [--json OUT]

``DIR`` holds markusmobius/content-extractor-benchmark (466fdbe, Apache-2.0; fetched, never
committed): ``data.go`` (the ``comparisonData`` list, go-trafilatura's copy of trafilatura's
``tests/evaldata.py``) and ``files/`` (983 pages of 2019-2022, mostly German and English, a few
Chinese, Japanese, Polish...). The gold is not a text but snippets: for each page, strings the
main text must contain (``with``) and strings it must not (``without``: menus, footers, dates,
share buttons). The score is trafilatura's own (tests/comparison.py): a ``with`` found is a true
positive, missing a false negative; a ``without`` found is a false positive, absent a true
negative. Texts and snippets are compared with whitespace runs made one space.

**Trafilatura was developed against these very pages**, so the comparison favours it; our
extractor has never run on them. ``sha1("trafeval/<file>") % 2 == 0`` is held out (``tenth``),
the rest is tuning material (``tenth-tune``). The split was committed before any page was run.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from .labelled import _sha
from .unseen import _reason, _trafilatura

_WS_RE = re.compile(r"\s+")
# Go tokens: a double-quoted or raw string, a // comment, an identifier, one punctuation mark
_TOKEN_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|//[^\n]*|[A-Za-z_][A-Za-z0-9_]*|\S')


@dataclass
class SnippetPage:
    name: str
    url: str
    html: bytes
    with_: list[str]
    without: list[str]
    half: str  # tenth (held out) | tenth-tune


def _go_string(tok: str) -> str:
    if tok.startswith("`"):
        return tok[1:-1]
    try:
        return json.loads(tok)
    except ValueError:  # a Go-only escape (\x.., \', \a): decode what JSON cannot
        return tok[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")


def parse_go_entries(src: str) -> list[dict]:
    """The composite literals of ``comparisonData`` in data.go as dicts of str / list[str]."""
    start = src.index("comparisonData")
    toks = [t for t in _TOKEN_RE.findall(src[start:]) if not t.startswith("//")]
    entries: list[dict] = []
    depth = 0
    i = 0
    cur: dict | None = None
    while i < len(toks):
        t = toks[i]
        if t == "{":
            depth += 1
            if depth == 2:
                cur = {}
        elif t == "}":
            if depth == 2 and cur is not None:
                entries.append(cur)
                cur = None
            depth -= 1
            if depth == 0 and entries:
                break
        elif depth == 2 and cur is not None and i + 1 < len(toks) and toks[i + 1] == ":":
            key = t
            j = i + 2
            if toks[j].startswith(('"', "`")):
                cur[key] = _go_string(toks[j])
                i = j
            elif toks[j] == "[":  # []string{ "a", "b" }
                k = toks.index("{", j)
                vals = []
                k += 1
                while toks[k] != "}":
                    if toks[k].startswith(('"', "`")):
                        vals.append(_go_string(toks[k]))
                    k += 1
                cur[key] = vals
                i = k
        i += 1
    return entries


def _half(file: str) -> str:
    return "tenth" if _sha(f"trafeval/{file}", 2) == 0 else "tenth-tune"


def load(path: str) -> list[SnippetPage]:
    """The pages of a content-extractor-benchmark checkout with at least one ``with`` snippet."""
    root = Path(path)
    data = root / "data.go"
    if not data.is_file() or not (root / "files").is_dir():
        raise SystemExit(f"{path}: no data.go and files/ (markusmobius/content-extractor-benchmark)")
    pages = []
    for e in parse_go_entries(data.read_text(encoding="utf-8")):
        f = root / "files" / e.get("File", "")
        with_ = [s for s in e.get("With", []) if s.strip()]
        if not e.get("File") or not f.is_file() or not with_:
            continue
        pages.append(SnippetPage(e["File"], e.get("URL") or e["File"], f.read_bytes(), with_,
                                 [s for s in e.get("Without", []) if s.strip()], _half(e["File"])))
    return pages


def _norm(s: str) -> str:
    return _WS_RE.sub(" ", s).strip()


def score(text: str, page: SnippetPage) -> dict:
    """tp/fn over the ``with`` snippets, fp/tn over the ``without`` ones."""
    t = _norm(text or "")
    tp = sum(1 for s in page.with_ if _norm(s) in t)
    fp = sum(1 for s in page.without if _norm(s) in t)
    return {"tp": tp, "fn": len(page.with_) - tp, "fp": fp, "tn": len(page.without) - fp,
            "chars": len(t)}


def run(pages: list[SnippetPage]) -> list[dict]:
    from archive.extract import extract

    rows = []
    for page in pages:
        row = {"name": page.name, "url": page.url, "half": page.half}
        t0 = time.process_time()
        ex = extract(page.html, page.url, "text/html")
        row["ours"] = score(ex.text, page) | {"s": time.process_time() - t0}
        row["error"] = _reason(ex)
        t0 = time.process_time()
        row["trafilatura"] = score(_trafilatura(page), page) | {"s": time.process_time() - t0}
        rows.append(row)
    return rows


def summary(rows: list[dict]) -> dict:
    """Per half and extractor: trafilatura's precision / recall / accuracy / F1 over all
    snippets, the pages missing a ``with`` snippet and the pages missing all of them."""
    out = {}
    for half in ("tenth", "tenth-tune"):
        rs = [r for r in rows if r["half"] == half]
        if not rs:
            continue
        g: dict = {"pages": len(rs)}
        for who in ("ours", "trafilatura"):
            tp, fn, fp, tn = (sum(r[who][k] for r in rs) for k in ("tp", "fn", "fp", "tn"))
            p = tp / (tp + fp) if tp + fp else 0.0
            rec = tp / (tp + fn) if tp + fn else 0.0
            g[who] = {"tp": tp, "fn": fn, "fp": fp, "tn": tn, "precision": p, "recall": rec,
                      "accuracy": (tp + tn) / (tp + tn + fp + fn),
                      "f1": 2 * p * rec / (p + rec) if p + rec else 0.0,
                      "pages_missing_with": sum(1 for r in rs if r[who]["fn"]),
                      "pages_missing_all": sum(1 for r in rs if r[who]["tp"] == 0),
                      "ms_per_page": 1000 * sum(r[who]["s"] for r in rs) / len(rs)}
        g["missing_all_with_reason"] = sum(1 for r in rs if r["ours"]["tp"] == 0 and r["error"])
        out[half] = g
    return out


def table(rows: list[dict], summ: dict) -> str:
    lines = [f"{'page':44} {'half':10} | ours tp/fn fp/tn | traf tp/fn fp/tn"]
    for r in rows:
        o, t = r["ours"], r["trafilatura"]
        lines.append(f"{r['name'][:44]:44} {r['half']:10} | {o['tp']:2}/{o['fn']:<2} {o['fp']:2}/{o['tn']:<2}"
                     f"     | {t['tp']:2}/{t['fn']:<2} {t['fp']:2}/{t['tn']:<2}")
    for half, g in summ.items():
        lines.append(f"== {half}: {g['pages']} pages")
        for who in ("ours", "trafilatura"):
            s = g[who]
            lines.append(f"  {who:11} P {s['precision']:.4f} R {s['recall']:.4f} "
                         f"acc {s['accuracy']:.4f} F1 {s['f1']:.4f} | pages missing a 'with' "
                         f"snippet {s['pages_missing_with']}, missing all {s['pages_missing_all']}"
                         f" | {s['ms_per_page']:.1f} ms/page")
        lines.append(f"  ours, pages missing all 'with' snippets that state a reason: "
                     f"{g['missing_all_with_reason']}")
    return "\n".join(lines)


def main(args) -> int:
    if len(args.path) != 1:
        raise SystemExit("--set snippets takes one --path (a content-extractor-benchmark checkout)")
    pages = load(args.path[0])
    if args.half:
        if args.half not in ("tenth", "tenth-tune"):
            raise SystemExit("--set snippets: --half is tenth (held out) or tenth-tune")
        pages = [pg for pg in pages if pg.half == args.half]
    if not pages:
        print(f"no labelled pages in {args.path[0]}")
        return 2
    rows = run(pages)
    summ = summary(rows)
    print(table(rows, summ))
    if args.json:
        Path(args.json).write_text(json.dumps({"pages": rows, "summary": summ},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0
