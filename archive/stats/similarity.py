"""Near-copies (内容雷同): how much of a report's prose another report repeats.

Each report's prose (title, table rows, digits, whitespace and punctuation removed: a copy with
this year's numbers is still a copy) is cut into 5-character shingles, hashed with CRC-32
(deterministic across processes, unlike ``hash()``) and summarised by one-permutation MinHash:
the hash space is cut into K = 64 bins by the low 6 bits and each bin keeps its smallest hash.
Two signatures estimate the Jaccard similarity of the shingle sets as the share of bins (non-empty
in either) holding the same value (Li, Owen & Zhang 2012).

Cost is bounded. A signature is one pass over the text (~1 ms per report), stored with the
report. Candidate pairs come from LSH banding: 16 bands of 4 bins; two reports of one year are
compared only when a whole band agrees (probability ≈ 1 at Jaccard 0.8, ≈ 0.12 at 0.3), and a
band bucket compares a newcomer with its first ``MAX_BUCKET`` members only (a family of identical
reports would otherwise be quadratic): at most 16 × MAX_BUCKET comparisons per report. At most
``TOP`` other-body pairs per report are stored, the most similar first. The same publisher's
previous-year report(s) are always compared.
"""
from __future__ import annotations

import re
import struct
import zlib
from collections import defaultdict
from typing import Iterable

K = 64
SHINGLE = 5
BANDS, ROWS = 16, 4
MAX_BUCKET = 50
TOP = 10
THRESHOLD = 0.3  # other-body pairs stored from this estimated similarity on
EMPTY = 0xFFFFFFFF
_DROP = re.compile(r"[\s\d０-９.,，。、:：;；()（）%％\-—]+")


def prose(text: str) -> str:
    """The report's prose for comparison: no title line, no table rows, no digits/whitespace/
    punctuation."""
    lines = (text or "").splitlines()[1:]
    return _DROP.sub("", "".join(ln for ln in lines if "|" not in ln))


def sketch(text: str, k: int = K) -> bytes:
    """One-permutation MinHash signature of the 5-character shingles of ``prose(text)``:
    ``k`` packed uint32s, EMPTY for a bin no shingle fell into (empty bytes for no prose)."""
    p = prose(text)
    if len(p) < SHINGLE:
        return b""
    sig = [EMPTY] * k
    for i in range(len(p) - SHINGLE + 1):
        h = zlib.crc32(p[i:i + SHINGLE].encode("utf-8"))
        b = h % k
        if h < sig[b]:
            sig[b] = h
    return struct.pack(f"<{k}I", *sig)


def _values(sk: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(sk) // 4}I", sk)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two reports' shingle sets from their signatures."""
    if not a or not b or len(a) != len(b):
        return 0.0
    va, vb = _values(a), _values(b)
    used = [(x, y) for x, y in zip(va, vb) if x != EMPTY or y != EMPTY]
    return sum(1 for x, y in used if x == y) / len(used) if used else 0.0


def similar_pairs(rows: Iterable[tuple[str, str | None, int | None, bytes]]) -> list[dict]:
    """report_similarity rows from (report id, publisher, year, signature) of every report:
    same year & other publisher with similarity ≥ THRESHOLD (both directions, the TOP best per
    report), and every report against its publisher's previous-year report(s), whatever the score."""
    rows = [r for r in rows if r[3]]
    by_year: dict[int | None, list] = defaultdict(list)
    by_pub_year: dict[tuple, list] = defaultdict(list)
    for r in rows:
        by_year[r[2]].append(r)
        if r[1]:
            by_pub_year[(r[1], r[2])].append(r)
    best: dict[str, dict[str, float]] = defaultdict(dict)
    for year, group in by_year.items():
        if year is None:
            continue
        buckets: dict[tuple, list[int]] = defaultdict(list)
        for i, (rid, pub, _, sk) in enumerate(group):
            v = _values(sk)
            seen: set[int] = set()
            for band in range(BANDS):
                key = (band, v[band * ROWS:(band + 1) * ROWS])
                if all(x == EMPTY for x in key[1]):
                    continue
                members = buckets[key]
                for j in members:
                    if j in seen or (pub and group[j][1] == pub):
                        continue
                    seen.add(j)
                    s = similarity(sk, group[j][3])
                    if s >= THRESHOLD:
                        best[rid][group[j][0]] = best[group[j][0]][rid] = round(s, 3)
                if len(members) < MAX_BUCKET:
                    members.append(i)
    out: list[dict] = []
    for rid, others in best.items():
        for other, s in sorted(others.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]:
            out.append(dict(report_id=rid, other_id=other, relation="same_year_other_body", similarity=s))
    for (pub, year), group in by_pub_year.items():
        if year is None:
            continue
        for rid, _, _, sk in group:
            for other in by_pub_year.get((pub, year - 1), ()):
                out.append(dict(report_id=rid, other_id=other[0], relation="same_body_previous_year",
                                similarity=round(similarity(sk, other[3]), 3)))
    out.sort(key=lambda d: (d["report_id"], d["relation"], d["other_id"]))
    return out
