"""The labelled public sets of pages for bench/extract/unseen.py (#17 point 4): where each is
read from (fetched, never committed), how its gold text is read, and which set each page belongs to
(fixed by a hash of its name, before any result was seen).

    .venv/bin/python -m bench.extract --set webmainbench --path FILE [--lang zh|all]

``FILE`` is either

- a WebMainBench jsonl (opendatalab/WebMainBench, e.g. ``results/dataset_with_results.jsonl``
  or ``data/WebMainBench_dataset_sample2.jsonl``: one page a line, ``html`` and the
  markdown ``groundtruth_content``), or
- a magic-html benchmark ``base.json`` (opendatalab/magic-html ``benchmark/data/{article,
  forum}/base.json``: ``{id: {url, content}}``, the page in ``htmls/<id>.html`` beside it).

or one of the **new set** (frozen 2026-12-04, bench/README.md; never tuned on):

- a mozilla/readability ``test/test-pages`` directory (one folder a page: ``source.html`` and
  the accepted ``expected.html``, whose text is the gold), or
- a CleanEval final-set directory (``input/<n>.html`` and ``GoldStandard/<n>.txt``, as
  mirrored by j-szulc/html-cleaning-dataset-merged ``cleaneval-final``); only the pages with
  ``sha1("cleaneval-final/<n>") % 4 == 0`` (a fixed quarter, to keep the run short).

and the **fresh set** (set 3, frozen 2026-12-04 23:40 UTC, before session 6 tuned anything on
the new set; the held-out figures from then on):

- GoldStandard/input directories as mirrored by j-szulc/html-cleaning-dataset-merged (46e01a0):
  ``cleaneval-final`` pages with ``sha1("cleaneval-final/<n>") % 4 == 1``, ``dragnet_data``
  pages with ``sha1("dragnet/<n>") % 8 == 0``, every page of ``cleaneval-dev`` and
  ``CleanPortalEval-master``;
- leogao2/htmltotext-benchmark (feab599) ``benchmarkdata``: every page (de, en, hr, zh).

and the **late set** (set 4, frozen 2026-12-05 02:30 UTC, before session 7 tuned anything on
set 3; the held-out figures from then on):

- j-szulc/html-cleaning-dataset-merged (46e01a0): ``cleaneval-final`` pages with
  ``sha1("cleaneval-final/<n>") % 4 == 2`` and ``dragnet_data`` pages with
  ``sha1("dragnet/<n>") % 8 == 1``;
- opendatalab/magic-html ``benchmark/data/{article,forum}/base.json``: the pages whose gold
  is *not* Chinese (the old set's ``--lang zh`` filter always left them out, so no run has
  scored them before).

and the **fifth set** (set 5, frozen 2026-12-05 07:40 UTC, before session 8 tuned anything on
set 4; the held-out figures from then on):

- j-szulc/html-cleaning-dataset-merged (46e01a0): ``cleaneval-final`` pages with
  ``sha1("cleaneval-final/<n>") % 4 == 3``, ``dragnet_data`` pages with
  ``sha1("dragnet/<n>") % 8 == 2`` and ``page-signal-master`` (geodrome/page-signal's copy of
  the L3S-GN1 Google News set, never run before) pages with ``sha1("page-signal/<id>") % 2 ==
  0``. Its gold is the annotated page: the text of the ``x-nc-sel1`` (headline), ``x-nc-sel2``
  (full text) and ``x-nc-sel3`` (supplemental) spans, the selection the web-content-extraction
  benchmark (chatnoir-eu) scores L3S-GN1 with; related links (4) and comments (5) are not
  main content.

and the **sixth set** (set 6, frozen 2026-12-05 08:12 UTC, before session 8 tuned anything on
set 5; the held-out figures from then on): ``dragnet_data`` pages with
``sha1("dragnet/<n>") % 8`` in (3, 4) and the other half of ``page-signal-master``.

and the **seventh set** (set 7, frozen 2026-12-05 08:37 UTC, before session 8 tuned anything on
set 6): ``dragnet_data`` pages with ``sha1("dragnet/<n>") % 8`` in (5, 6, 7), the last of it.

and the **eighth set** (set 8, frozen 2026-12-05 10:00 UTC, before session 9 tuned anything):
tiptopjaw/web-content-extraction-benchmark (977613a), 1,000 pages of the modern web captured in
2025-26 (articles, forum threads, documentation, product, service and listing pages), gold
written by a language model and checked by hand: a directory holding ``release/html/<id>.html.gz``
and ``benchmark/ground-truth/<id>.json`` (the gold is ``ground_truth.main_content``, the
article body without its title, as that benchmark defines it). ``sha1("tiptopjaw/<id>") % 2 ==
0`` is held out (``eighth``); the other half (``eighth-tune``) is tuning material.

and the **ninth set** (set 9, frozen 2026-12-05 12:45 UTC, before session 10 tuned anything):
Murrough-Foley/web-content-extraction-benchmark (WCXB v1.0, c039d5e, CC-BY-4.0), the same
author's later release: ``{dev,test}/html/<id>.html.gz`` with ``{dev,test}/ground-truth/<id>.json``.
Its ``test`` split (511 pages, none of them a set-8 URL) is held out (``ninth``), less the 18
pages whose host also has a page in set 8 (``_WCXB_SET8_HOSTS``). Its ``dev`` split shares 927
URLs with set 8; it is tuning material (``ninth-tune``), and when set 8's directory is given
too (first), the pages of the same URL are read once, as set 8's.

Several ``--path`` may be given; pages are deduplicated by URL. ``--lang zh`` (default) keeps
the Chinese pages (CJK characters ≥ 30 % of the gold's non-space characters) of the old
sources; the new set is taken whole, every language (so it was frozen).

Each page is scored with the project's char-level P/R/F1 (metrics.py; markdown markup of the
gold removed first) for: ours without the fallback (``archive.extract.fallback.ENABLED = False``),
ours with it, and bare trafilatura. The pages are split in two halves by a hash of their URL
(fixed, independent of any result): ``tune`` and ``held-out``. Both were looked at while
choosing the fallback rule (the second round tuned on all 82), so both count as tuning now;
the ``new`` pages (readability, CleanEval) were the held-out figures of session 5 and are
tuned on from session 6; the ``fresh`` pages are the held-out figures now.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WS_RE = re.compile(r"\s+")


@dataclass
class Page:
    name: str
    url: str
    html: bytes
    gold: str
    source: str
    half: str  # tune | held-out (the old set) | new (set 2) | fresh (set 3) | late (set 4) |
    # fifth (set 5) | sixth (set 6): all tuned on by now | seventh (set 7) | eighth (set 8,
    # held out) | eighth-tune (set 8's tuning half) | ninth (set 9, held out) | ninth-tune
    kind: str = ""  # the page type a set gives (set 8: article, forum, product...)


def markdown_text(md: str) -> str:
    """The text of a markdown gold: fences, heading/list/quote markers, emphasis, inline code
    ticks, link and image syntax removed (the metric compares characters)."""
    out = []
    for line in md.splitlines():
        if line.strip().startswith("```"):
            continue
        line = re.sub(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)", "", line)
        line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
        line = re.sub(r"(\*\*|__|`)", "", line)
        if re.fullmatch(r"\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*", line):
            continue  # a markdown table's rule row
        out.append(line)
    return "\n".join(out)


def _half(url: str) -> str:
    return "tune" if int(hashlib.sha1(url.encode()).hexdigest(), 16) % 2 == 0 else "held-out"


def _is_chinese(gold: str) -> bool:
    chars = _WS_RE.sub("", gold)
    return bool(chars) and len(_CJK_RE.findall(chars)) >= 0.3 * len(chars)


_CLEANEVAL_TAG_RE = re.compile(r"^\s*<(?:p|h|l)>", re.M)
_TEXT_ID_RE = re.compile(rb'<text id="([^"]*)"')


def _html_text(html: str) -> str:
    """The text of an HTML fragment (readability's ``expected.html``), one line a block."""
    import lxml.html
    root = lxml.html.fromstring(html or "<div></div>")
    for el in root.iter("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                        "pre", "blockquote", "table", "section", "figure"):
        el.tail = "\n" + (el.tail or "")
    return root.text_content()


def _readability_pages(path: Path) -> list[Page]:
    pages = []
    for d in sorted(path.iterdir()):
        src, exp = d / "source.html", d / "expected.html"
        if not (src.is_file() and exp.is_file()):
            continue
        gold = _html_text(exp.read_text(encoding="utf-8"))
        if _WS_RE.sub("", gold):
            pages.append(Page(f"readability/{d.name}", f"readability/{d.name}",
                              src.read_bytes(), gold, "readability", "new"))
    return pages


def _sha(key: str, mod: int) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % mod


def _gold_dir_half(dataset: str, n: str) -> str | None:
    """Which set a page of a GoldStandard/input directory belongs to, by its name alone (fixed
    before any result was seen): ``new`` (set 2, frozen 21:03, tuned on from session 6),
    ``fresh`` (set 3, frozen 2026-12-04 23:40 UTC before session 6 tuned anything), ``late``
    (set 4, frozen 2026-12-05 02:30 UTC before session 7 tuned anything), ``fifth`` (set 5,
    frozen 2026-12-05 07:40 UTC before session 8 tuned anything), ``sixth`` (set 6, frozen
    2026-12-05 08:12 UTC before session 8 tuned on set 5), ``seventh`` (set 7, frozen
    2026-12-05 08:37 UTC before session 8 tuned on set 6) or None (left out, kept for a later
    set or to keep the run short)."""
    if dataset == "cleaneval-final":
        k = _sha(f"cleaneval-final/{n}", 4)
        return {0: "new", 1: "fresh", 2: "late", 3: "fifth"}.get(k)
    if dataset == "dragnet_data":
        return {0: "fresh", 1: "late", 2: "fifth", 3: "sixth", 4: "sixth", 5: "seventh",
                6: "seventh", 7: "seventh"}.get(_sha(f"dragnet/{n}", 8))
    if dataset == "page-signal-master":
        return "fifth" if _sha(f"page-signal/{n}", 2) == 0 else "sixth"
    if dataset in ("cleaneval-dev", "CleanPortalEval-master"):
        return "fresh"
    return None


# dragnet: the article above it, its comments below. Mostly ``!@#$%^&*()  COMMENTS``, but 15
# of the 416 marks are typed otherwise (``!@ $%^&*()``, ``@#$%^&**()``, ``!#@$%^&*``…), and
# one (248) reads ``!@#$%^&*()  CORRECTED`` above its comments
_COMMENTS_MARK_RE = re.compile(r"[!@#$%^&*()][!@#$%^&*() ]{3,}\s*(?:COMMENTS|CORRECTED)")


def _gold_text(raw: bytes) -> str:
    """A gold file's text: UTF-16 when it starts with that byte-order mark (5 dragnet files;
    read as UTF-8 they scored every page against mojibake), else UTF-8, its BOM dropped.
    Dragnet's gold holds the article, then its reader comments below ``_COMMENTS_MARK_RE``; the
    article alone is the main content (dragnet's own "content" task; comments are its
    separate "content + comments" task), so the comments are cut."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = raw.decode("utf-16", errors="replace")
    else:
        text = raw.decode("utf-8-sig", errors="replace")
    return _COMMENTS_MARK_RE.split(text, 1)[0]


_GOLD_SPAN_CLASSES = {"x-nc-sel1", "x-nc-sel2", "x-nc-sel3"}


def _annotated_gold(raw: bytes) -> str:
    """The gold of an L3S-GN1-style annotated page: the text of its headline (``x-nc-sel1``),
    full-text (``x-nc-sel2``) and supplemental (``x-nc-sel3``) spans, outermost ones only, one
    line each (the metric ignores whitespace)."""
    import lxml.html
    root = lxml.html.fromstring(raw)
    out = []
    for span in root.iter("span"):
        if span.get("class") not in _GOLD_SPAN_CLASSES:
            continue
        if any(a.tag == "span" and a.get("class") in _GOLD_SPAN_CLASSES
               for a in span.iterancestors()):
            continue
        out.append(span.text_content())
    return "\n".join(out)


def _cleaneval_pages(path: Path) -> list[Page]:
    pages = []
    dataset = path.resolve().name
    for gold_file in sorted((path / "GoldStandard").glob("*.txt")):
        n = gold_file.stem
        src = path / "input" / f"{n}.html"
        half = _gold_dir_half(dataset, n)
        if not src.is_file() or half is None:
            continue
        if dataset == "page-signal-master":
            gold = _annotated_gold(gold_file.read_bytes()).splitlines()
        else:
            gold = _gold_text(gold_file.read_bytes()).splitlines()
        if gold and gold[0].startswith("URL:"):
            gold = gold[1:]  # CleanEval's header, not page text
        gold_text = _CLEANEVAL_TAG_RE.sub("", "\n".join(gold))
        body = src.read_bytes()
        m = _TEXT_ID_RE.search(body[:2000])
        short = {"cleaneval-final": "cleaneval", "CleanPortalEval-master": "cleanportal",
                 "dragnet_data": "dragnet", "page-signal-master": "pagesignal"}.get(dataset, dataset)
        url = m.group(1).decode("utf-8", "replace") if m and m.group(1) else f"{short}/{n}"
        if _WS_RE.sub("", gold_text):
            pages.append(Page(f"{short}/{n}", url, body, gold_text, dataset, half))
    return pages


def _htmltotext_pages(path: Path) -> list[Page]:
    """leogao2/htmltotext-benchmark ``benchmarkdata/<lang>/{html,text}/<name>``: every page
    (set 3, ``fresh``)."""
    pages = []
    for src in sorted(path.glob("*/html/*.html")):
        lang = src.parent.parent.name
        gold_file = src.parent.parent / "text" / f"{src.stem}.txt"
        if not gold_file.is_file():
            continue
        gold = gold_file.read_text(encoding="utf-8", errors="replace")
        if _WS_RE.sub("", gold):
            name = f"htmltotext/{lang}/{src.stem}"
            pages.append(Page(name, name, src.read_bytes(), gold, "htmltotext", "fresh"))
    return pages


def _modern_pages(gt_dir: Path, html_dir: Path, source: str, half_of) -> list[Page]:
    """Pages of set 8's and set 9's benchmark format: ``<html_dir>/<id>.html.gz`` beside
    ``<gt_dir>/<id>.json`` (the gold is ``ground_truth.main_content``; the page type is
    ``_internal.page_type.primary``). ``half_of(id)`` is the page's half, None to leave it out."""
    import gzip
    pages = []
    for gt in sorted(gt_dir.glob("*.json")):
        src = html_dir / f"{gt.stem}.html.gz"
        half = half_of(gt.stem)
        if half is None or not src.is_file():
            continue
        rec = json.loads(gt.read_text(encoding="utf-8"))
        gold = (rec.get("ground_truth") or {}).get("main_content") or ""
        if not _WS_RE.sub("", gold):
            continue
        kind = ((rec.get("_internal") or {}).get("page_type") or {}).get("primary") or ""
        name = f"{source}/{gt.stem}"
        pages.append(Page(name, rec.get("url") or name, gzip.decompress(src.read_bytes()), gold,
                          source, half, kind))
    return pages


def _tiptopjaw_pages(path: Path) -> list[Page]:
    """tiptopjaw/web-content-extraction-benchmark: ``release/html/<id>.html.gz`` with
    ``benchmark/ground-truth/<id>.json`` (set 8; held out by ``sha1("tiptopjaw/<id>") % 2``)."""
    return _modern_pages(path / "benchmark" / "ground-truth", path / "release" / "html", "tiptopjaw",
                         lambda n: "eighth" if _sha(f"tiptopjaw/{n}", 2) == 0 else "eighth-tune")


# WCXB test pages whose host has a page in set 8 (tiptopjaw): left out of the held-out split,
# since set 8's tuning half may have taught the extractor that site's template
_WCXB_SET8_HOSTS = frozenset(
    "4011 4219 4352 4370 4974 4975 5171 5183 5218 5350 5372 5390 5411 5415 5426 5430 5436 5689"
    .split())


def _wcxb_pages(path: Path) -> list[Page]:
    """Murrough-Foley/web-content-extraction-benchmark (WCXB): ``test`` held out (set 9),
    ``dev`` tuning material."""
    return (_modern_pages(path / "test" / "ground-truth", path / "test" / "html", "wcxb",
                          lambda n: None if n in _WCXB_SET8_HOSTS else "ninth")
            + _modern_pages(path / "dev" / "ground-truth", path / "dev" / "html", "wcxb",
                            lambda n: "ninth-tune"))


def load(paths: list[str], lang: str = "zh") -> list[Page]:
    """The labelled pages in ``paths`` (see the module docstring)."""
    pages: dict[str, Page] = {}
    new: list[Page] = []
    for p in paths:
        path = Path(p)
        if path.is_dir() and (path / "benchmark" / "ground-truth").is_dir():
            new += _tiptopjaw_pages(path)
        elif path.is_dir() and (path / "test" / "ground-truth").is_dir():
            new += _wcxb_pages(path)
        elif path.is_dir() and (path / "GoldStandard").is_dir():
            new += _cleaneval_pages(path)
        elif path.is_dir() and any(path.glob("*/html/*.html")):
            new += _htmltotext_pages(path)
        elif path.is_dir():
            new += _readability_pages(path)
        elif path.suffix == ".jsonl":
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                rec = json.loads(line)
                html, gold = rec.get("html"), rec.get("groundtruth_content")
                if not html or not gold:
                    continue
                url = rec.get("url") or f"{path.name}:{n}"
                pages.setdefault(url, Page(f"wmb/{url.split('/')[2] if '//' in url else n}",
                                           url, html.encode("utf-8"), markdown_text(gold),
                                           path.name, _half(url)))
        elif path.suffix == ".json":
            base = json.loads(path.read_text(encoding="utf-8"))
            kind = path.parent.name
            for key, rec in base.items():
                page = path.parent / "htmls" / f"{key}.html"
                if not page.exists() or not rec.get("content"):
                    continue
                url = rec.get("url") or key
                host = url.split("/")[2] if "//" in url else key[:12]
                # the non-Chinese pages were never scored before set 4 was frozen
                half = _half(url) if _is_chinese(rec["content"]) else "late"
                pages.setdefault(url, Page(f"magic-{kind}/{host}", url, page.read_bytes(),
                                           rec["content"], f"magic-html/{kind}", half))
        else:
            raise SystemExit(f"{p}: not a WebMainBench .jsonl, a magic-html base.json, a "
                             "readability test-pages directory nor a CleanEval directory")
    out = list(pages.values())
    if lang == "zh":
        out = [pg for pg in out if _is_chinese(pg.gold)]
    seen = {pg.url for pg in out}
    out += [pg for pg in new if pg.url not in seen and not seen.add(pg.url)]
    order = {"ninth": -7, "ninth-tune": -6, "eighth": -5, "eighth-tune": -4, "seventh": -3, "sixth": -2, "fifth": -1, "late": 0, "fresh": 1, "new": 2, "held-out": 3, "tune": 4}
    return sorted(out, key=lambda pg: (order[pg.half], pg.url))
