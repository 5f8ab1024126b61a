"""Near-copies (内容雷同): how much of a report's prose another report repeats.

Each report's prose (table rows, digits and whitespace removed: a copy with this year's numbers
is still a copy) is cut into 5-character shingles; a bottom-k sketch keeps the k = 64 smallest
CRC-32 values of them (deterministic across processes, unlike ``hash()``). Two sketches estimate
the Jaccard similarity of the shingle sets: among the k smallest values of their union, the share
present in both (Broder 1997).

Cost is bounded: a sketch is O(text length) once per stored text (the index keeps it); pairs are
compared only (a) within one year across publishers when they share at least ``MIN_SHARED`` sketch
values, found through an inverted index whose posting lists are capped at ``MAX_POSTING`` reports
(boilerplate shingles every report has would otherwise make it quadratic), and (b) with the same
publisher's report of the previous year. So at most 64 × MAX_POSTING candidates per report.
"""
from __future__ import annotations

import heapq
import re
import struct
import zlib
from collections import Counter, defaultdict
from typing import Iterable

K = 64
SHINGLE = 5
MIN_SHARED = 6  # sketch values two reports must share to be compared (≈ Jaccard ≥ 0.1)
MAX_POSTING = 200
THRESHOLD = 0.3  # cross-body pairs stored from this estimated similarity on
_DROP = re.compile(r"[\s\d０-９.,，。、:：;；()（）%％\-—]+")


def prose(text: str) -> str:
    """The report's prose for comparison: no title line, no table rows, no digits/whitespace/
    punctuation."""
    lines = (text or "").splitlines()[1:]
    return _DROP.sub("", "".join(ln for ln in lines if "|" not in ln))


def sketch(text: str, k: int = K) -> bytes:
    """Bottom-k sketch of the 5-character shingles of ``prose(text)`` (packed uint32s, sorted)."""
    p = prose(text)
    hashes = {zlib.crc32(p[i:i + SHINGLE].encode("utf-8")) for i in range(max(0, len(p) - SHINGLE + 1))}
    return struct.pack(f"<{min(k, len(hashes))}I", *sorted(heapq.nsmallest(k, hashes)))


def _values(sk: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(sk) // 4}I", sk))


def similarity(a: bytes, b: bytes, k: int = K) -> float:
    """Estimated Jaccard similarity of two reports' shingle sets from their sketches."""
    va, vb = set(_values(a)), set(_values(b))
    if not va or not vb:
        return 0.0
    union_k = heapq.nsmallest(k, va | vb)
    return sum(1 for v in union_k if v in va and v in vb) / len(union_k)


def similar_pairs(rows: Iterable[tuple[str, str | None, int | None, bytes]]) -> list[dict]:
    """report_similarity rows from (report id, publisher, year, sketch) of every report:
    same year & other publisher with similarity ≥ THRESHOLD (both directions), and every
    report against its publisher's previous-year report(s), whatever the score."""
    rows = [r for r in rows if r[3]]
    by_year: dict[int | None, list] = defaultdict(list)
    by_pub_year: dict[tuple, list] = defaultdict(list)
    for r in rows:
        by_year[r[2]].append(r)
        if r[1]:
            by_pub_year[(r[1], r[2])].append(r)
    out: list[dict] = []
    for year, group in by_year.items():
        if year is None:
            continue
        postings: dict[int, list[int]] = defaultdict(list)
        for i, (_, _, _, sk) in enumerate(group):
            for v in _values(sk):
                if len(postings[v]) < MAX_POSTING:
                    postings[v].append(i)
        for i, (rid, pub, _, sk) in enumerate(group):
            shared = Counter(j for v in _values(sk) for j in postings.get(v, ()) if j != i)
            for j, n in shared.items():
                other = group[j]
                if n < MIN_SHARED or (pub and other[1] == pub):
                    continue
                s = similarity(sk, other[3])
                if s >= THRESHOLD:
                    out.append(dict(report_id=rid, other_id=other[0], relation="same_year_other_body",
                                    similarity=round(s, 3)))
    for (pub, year), group in by_pub_year.items():
        if year is None:
            continue
        for rid, _, _, sk in group:
            for other in by_pub_year.get((pub, year - 1), ()):
                out.append(dict(report_id=rid, other_id=other[0], relation="same_body_previous_year",
                                similarity=round(similarity(sk, other[3]), 3)))
    out.sort(key=lambda d: (d["report_id"], d["relation"], d["other_id"]))
    return out
