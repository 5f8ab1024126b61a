"""Bigram vs jieba segmentation for the FTS index: ``python -m bench.search.compare``.

Documents: every prose/table line of the seed reports (a few hundred). Queries: the issue's
examples plus random 2-, 3- and 4-character substrings of Han text in the seeds — what a
researcher types is usually a term copied from a report. The truth for a query is the set
of documents whose (NFKC, lower-cased) text contains it; each scheme is scored by recall
and precision of its FTS5 MATCH against that truth, plus index tokens and segmentation
speed.

* bigram: archive.index.search.segment / fts_query (what nianbao uses);
* jieba: ``jieba.cut_for_search`` at index time (words plus their sub-words), query words
  cut with ``jieba.cut`` and searched as a phrase of those words.
"""

from __future__ import annotations

import logging
import random
import re
import sqlite3
import time

from archive.index import search
from bench.search.corpus import seed_paragraphs

_HAN = re.compile(r"[\u4e00-\u9fff]+")
NAMED = ["复议", "依申请", "行政复议", "政府信息公开", "公开", "申请", "信息公开年报"]


def _fts(docs: list[str], segment) -> tuple[sqlite3.Connection, float, int]:
    conn = sqlite3.connect(":memory:")
    conn.execute("create virtual table f using fts5(text, tokenize='unicode61')")
    t = time.perf_counter()
    segmented = [segment(d) for d in docs]
    took = time.perf_counter() - t
    conn.executemany("insert into f(rowid, text) values (?, ?)", enumerate(segmented))
    tokens = sum(len(s.split()) for s in segmented)
    return conn, took, tokens


def _quote(tokens: list[str]) -> str:
    return '"' + " ".join(tokens) + '"' if tokens else '""'


def main() -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    docs = seed_paragraphs()
    norm = [search._normalise(d) for d in docs]
    rng = random.Random(1)
    kind = dict.fromkeys(NAMED, "named")
    runs = [r for d in norm for r in _HAN.findall(d) if len(r) >= 4]
    # words as jieba itself cuts them (fair to jieba) ...
    words = sorted({w for d in norm for w in jieba.cut(d) if _HAN.fullmatch(w) and 2 <= len(w) <= 4})
    for length in (2, 3, 4):
        pool = [w for w in words if len(w) == length]
        for w in rng.sample(pool, min(60, len(pool))):
            kind.setdefault(w, "word")
    # ... and any substring, as copied from a report (fair to nobody in particular)
    for length in (2, 3, 4):
        for _ in range(60):
            run = rng.choice(runs)
            i = rng.randrange(len(run) - length + 1)
            kind.setdefault(run[i : i + length], "substring")
    queries = list(kind)

    def jieba_segment(text: str) -> str:
        return " ".join(t for t in jieba.cut_for_search(search._normalise(text)) if t.strip())

    def jieba_query(q: str) -> str:
        return _quote([t for t in jieba.cut(search._normalise(q)) if t.strip()])

    schemes = {
        "bigram": (search.segment, search.fts_query),
        "jieba": (jieba_segment, jieba_query),
    }
    print(f"{len(docs)} documents, {len(queries)} queries (named + random 2/3/4-char)")
    for name, (seg, to_query) in schemes.items():
        conn, took, tokens = _fts(docs, seg)
        by_len: dict[tuple[str, int], list] = {}
        zero = []
        for q in queries:
            truth = {i for i, d in enumerate(norm) if q in d}
            got = {r[0] for r in conn.execute("select rowid from f where f match ?", (to_query(q),))}
            recall = len(got & truth) / len(truth) if truth else 1.0
            # precision only where something was returned (else it is undefined)
            precision = len(got & truth) / len(got) if got else None
            by_len.setdefault((kind[q], min(len(q), 5)), []).append((recall, precision))
            if truth and not got:
                zero.append(q)
        chars = sum(len(d) for d in docs)
        print(f"{name}: {tokens} index tokens, segmentation {chars / took / 1e6:.2f} M chars/s")
        for length, scores in sorted(by_len.items()):
            r = sum(s[0] for s in scores) / len(scores)
            ps = [s[1] for s in scores if s[1] is not None]
            p = sum(ps) / len(ps) if ps else float("nan")
            k, n = length
            print(f"  {k:>9} {n}{'+' if n == 5 else ''}-char queries: recall {r:.3f}  "
                  f"precision {p:.3f}  ({len(scores)})")
        print(f"  queries finding nothing although present: {len(zero)} {zero[:8]}")


if __name__ == "__main__":
    main()
