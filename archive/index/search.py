"""Chinese full-text search over ``reports.db``: segmentation, MATCH strings, snippets.

Why not FTS5 ``trigram``: a trigram index cannot match a 2-character word such as 复议
or 公开 (the commonest kind of Chinese query), and ``unicode61`` alone treats a whole run
of Han characters as one token, so 行政复议 would only match the run it is part of.

What we do instead (decided for nianbao, see docs/design.md):

* At index time ``segment(text)`` rewrites the text as space-separated tokens for an FTS5
  table using the plain ``unicode61`` tokenizer:

  - a run of CJK characters becomes its overlapping bigrams, followed by its last
    character on its own: ``行政复议`` → ``行政 政复 复议 议``. The trailing unigram is
    there so that a 1-character query can still find a character that only ever ends a
    run (prefix query ``议*``);
  - a run of letters/digits stays one word (``2019``, ``ipv6``); everything else
    (punctuation, `` | `` of table rows, spaces) separates runs.

  The text is NFKC-normalised first, so full-width digits and letters (２０１９, ＩＰＶ６)
  index like their ASCII forms.

* Long words get a second segmentation: ``segment4(text)`` holds the overlapping 4-grams
  of every CJK run (``行政复议`` → ``行政复议``; ``政府信息公开`` → ``政府信息 府信息公
  信息公开``), in the columns ``title4``/``text4``. A 4-character query is then one token
  with a short posting list instead of a phrase of three very common bigrams, which is what
  keeps it fast on 100,000 reports (bench/search).

* At query time ``fts_query(q)`` segments each whitespace-separated word of the query the
  same way and turns it into an FTS5 phrase, so the tokens must be adjacent, in order:
  ``复议`` → ``{title text} : "复议"`` (one bigram), ``依申请`` → ``{title text} : "依申 申请"``,
  ``行政复议`` → ``{title4 text4} : "行政复议"`` (one 4-gram),
  ``2019 复议`` → ``{title text} : "2019" AND {title text} : "复议"``. A word that ends in a
  lone CJK character becomes a prefix phrase (``议`` → ``"议"*``, ``2019年`` →
  ``"2019 年"*``), because in the index that character is usually the first half of a
  bigram. Words are ANDed; a bare ``OR`` between words is kept as the FTS5 operator, a
  leading ``-`` excludes a word, "double quotes" keep words together. Every token is
  double-quoted, so no user input is ever parsed as FTS5 syntax.

  Both are exact substring search within a run of Chinese text: measured on the seed
  reports (``python -m bench.search.compare``) recall and precision are 1.0 for 2-, 3- and
  4-character queries, where jieba word segmentation finds 14–53% of arbitrary 2–4
  character strings (and 98–100% of the words jieba itself cuts) and segments text 12×
  slower.

* ``nianbao_snippet(text, query)`` (a Python function, also registered as an SQL function)
  cuts a snippet out of the *original* text around the matched terms and marks them with
  ``[`` ``]`` (or HTML ``<mark>`` via ``snippet_html``); FTS5's own ``snippet()`` would show
  the segmented bigram text, and the FTS table is contentless anyway.

Searching from Python::

    from archive.index.search import search
    for hit in search("data/reports.db", "行政复议", limit=20):
        print(hit["title"], hit["snippet"])

Searching from the shell (``sqlite-utils`` registers the imported functions)::

    sqlite-utils query data/reports.db "
      with top as (
        select rowid, bm25(reports_fts, 5.0, 1.0, 5.0, 1.0) as score
        from reports_fts where reports_fts match nianbao_fts_query(:q)
        order by score limit 20)
      select r.id, r.portal, r.year, r.title,
             nianbao_snippet(r.text, :q) as snippet
      from top join reports r on r.rowid = top.rowid
      order by top.score" -p q '行政复议' \\
      --functions 'from archive.index.search import nianbao_fts_query, nianbao_snippet'

Rank in the subquery and snippet outside it: otherwise SQLite computes a snippet for
every match before sorting. (``SEARCH_SQL`` below is that statement plus the ranking cap
of ``search()``; with the project not installed, prefix the command with
``PYTHONPATH=<checkout>``.)
"""

from __future__ import annotations

import html
import re
import sqlite3
import unicodedata
from pathlib import Path
from typing import Iterable

# Bump when segment() changes: archive.index rebuilds reports_fts when the stored value
# differs, because the FTS table is contentless and its deletes replay segment().
SEGMENTER_VERSION = "bigram+4gram-1"

# Han (incl. extension A, compatibility, extension B+), 々 and 〇 (used in dates such as
# 二〇一九年), kana and hangul: scripts written without spaces, so they are cut into bigrams.
_CJK_CHARS = (
    "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\U00020000-\U0003134f"
)
# group 1: a CJK run; group 2: a run of other letters/digits (word characters except "_"
# and CJK).
_RUN_RE = re.compile(f"([{_CJK_CHARS}]+)|([^\\W_{_CJK_CHARS}]+)")
_CJK_RE = re.compile(f"[{_CJK_CHARS}]")

# The FTS5 table: bigram columns (every query) and 4-gram columns (CJK query words of 4+
# characters). Contentless: nothing reads the segmented text back.
FTS_COLUMNS = ("title", "text", "title4", "text4")
FTS_CREATE_SQL = (
    "CREATE VIRTUAL TABLE reports_fts USING fts5("
    + ", ".join(FTS_COLUMNS)
    + ", content='', tokenize='unicode61 remove_diacritics 2')"
)
# title weighs more than body text in the ranking (one weight per FTS column)
BM25_WEIGHTS = (5.0, 1.0, 5.0, 1.0)
_BM25 = "bm25(reports_fts, {})".format(", ".join(str(w) for w in BM25_WEIGHTS))
# Ranking costs about 1 µs per matching report (bm25 in FTS5), so a query matching most
# of a 100,000-report archive (政府, 信息公开) would take 100+ ms to rank exactly. Above this
# many matches, bm25 ranks the RANK_CANDIDATES most recently indexed matches (highest
# rowids) only: such a word is in most reports and tells them apart poorly anyway.
RANK_CANDIDATES = 20_000


def _normalise(text: str) -> str:
    # NFKC: full-width ２０１９ → 2019, compatibility ideographs → unified ones; lower():
    # unicode61 folds case itself, but the snippet matcher needs the same folding.
    return unicodedata.normalize("NFKC", text).lower()


def _runs(text: str) -> list[tuple[str, bool]]:
    """(run, is_cjk) pairs of the normalised text, in order."""
    return [
        (m.group(1), True) if m.group(1) else (m.group(2), False)
        for m in _RUN_RE.finditer(_normalise(text))
    ]


def _run_tokens(run: str, is_cjk: bool) -> list[str]:
    if not is_cjk or len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def segment(text: str | None) -> str:
    """Text → the space-separated token string stored in ``reports_fts``.

    >>> segment("2019年行政复议")
    '2019 年行 行政 政复 复议 议'
    """
    return _segment_both(text)[0]


def segment4(text: str | None) -> str:
    """Text → overlapping 4-grams of its CJK runs (runs shorter than 4 give nothing).

    Why a second segmentation: a 4-character query such as 行政复议 or 信息公开 as a phrase
    of bigrams makes FTS5 merge the position lists of three very common bigrams in every
    report (信息 occurs dozens of times per report): 100+ ms on 100,000 reports. As a
    4-gram it is one token with a short posting list.

    >>> segment4("政府信息公开，复议")
    '政府信息 府信息公 信息公开'
    """
    return _segment_both(text)[1]


def fts_values(title: str | None, text: str | None) -> tuple[str, str, str, str]:
    """The values of FTS_COLUMNS for a report (what Index writes into reports_fts)."""
    title2, title4 = _segment_both(title)
    text2, text4 = _segment_both(text)
    return title2, text2, title4, text4


def _segment_both(text: str | None) -> tuple[str, str]:
    """(segment(text), segment4(text)) with one normalisation and one scan of the text."""
    if not text:
        return "", ""
    two: list[str] = []
    four: list[str] = []
    for m in _RUN_RE.finditer(_normalise(text)):
        run = m.group(1)
        if run is None:
            two.append(m.group(2))
        elif len(run) == 1:
            two.append(run)
        else:
            two.extend(run[i : i + 2] for i in range(len(run) - 1))
            two.append(run[-1])
            if len(run) >= 4:
                four.extend(run[i : i + 4] for i in range(len(run) - 3))
    return " ".join(two), " ".join(four)


_BIGRAM_COLS = "{title text}"
_FOURGRAM_COLS = "{title4 text4}"


def _word_phrases(word: str) -> list[str]:
    """One query word → FTS5 phrases (with column filters) that must all match."""
    runs = _runs(word)  # for a quoted phrase: its runs in order, spaces dropped
    if len(runs) == 1 and runs[0][1] and len(runs[0][0]) >= 4:
        # a pure CJK word of 4+ characters: 4-grams (one token for 4 characters)
        run = runs[0][0]
        grams = [run[i : i + 4] for i in range(len(run) - 3)]
        return ['%s : "%s"' % (_FOURGRAM_COLS, " ".join(grams))]
    phrases: list[str] = []
    tokens: list[str] = []
    for i, (run, is_cjk) in enumerate(runs):
        last = i == len(runs) - 1
        if is_cjk and len(run) == 1 and last:
            tokens.append(run)
            phrases.append('%s : "%s"*' % (_BIGRAM_COLS, " ".join(tokens)))
            tokens = []
            continue
        toks = _run_tokens(run, is_cjk)
        if is_cjk and last and len(run) > 1:
            # the text may continue with more CJK after the query: its next token is a
            # bigram, not our trailing unigram, so leave the unigram out.
            toks = toks[:-1]
        tokens.extend(toks)
    if tokens:
        phrases.append('%s : "%s"' % (_BIGRAM_COLS, " ".join(tokens)))
    return phrases


_QUERY_WORD_RE = re.compile(r'"([^"]*)"|(\S+)')


def fts_query(user_query: str | None) -> str:
    """A user's search words → an FTS5 MATCH expression over ``segment()``-ed text.

    Returns ``""`` when the query holds nothing searchable (only punctuation); callers
    must not run MATCH with an empty string (FTS5 raises a syntax error on it).

    >>> fts_query("复议")
    '"复议"'
    >>> fts_query("行政复议")
    '"行政 政复 复议"'
    >>> fts_query("2019 复议")
    '"2019" AND "复议"'
    """
    if not user_query:
        return ""
    parts: list[str] = []
    pending_op = "AND"
    for m in _QUERY_WORD_RE.finditer(user_query):
        quoted, word = m.group(1), m.group(2)
        if word == "OR" and parts:
            pending_op = "OR"
            continue
        negate = False
        if word is not None and word.startswith("-") and len(word) > 1 and parts:
            negate, word = True, word[1:]
        # a quoted "phrase with spaces" is segmented as a whole, like the text it should
        # match (words in that order, separated as typed)
        phrases = _word_phrases(quoted if quoted is not None else word)
        if not phrases:
            continue
        expr = phrases[0] if len(phrases) == 1 else "(" + " AND ".join(phrases) + ")"
        if parts:
            parts.append("NOT" if negate else pending_op)
        parts.append(expr)
        pending_op = "AND"
    return " ".join(parts)


def nianbao_fts_query(user_query: str | None) -> str:
    """SQL-function form of ``fts_query``: never returns "" (that is an FTS5 syntax
    error); a query with nothing searchable becomes a phrase that matches nothing."""
    return fts_query(user_query) or '""'  # the empty phrase: valid, matches no row


# ---------------------------------------------------------------------------- snippets

def query_terms(user_query: str | None) -> list[str]:
    """The normalised strings to highlight for a query: each word's CJK/alnum runs
    (the searchable parts), longest first so that 行政复议 is marked before 复议."""
    if not user_query:
        return []
    terms: set[str] = set()
    for m in _QUERY_WORD_RE.finditer(user_query):
        word = m.group(1) if m.group(1) is not None else m.group(2)
        if word in ("OR",) or not word:
            continue
        if word.startswith("-"):
            continue  # excluded words are not in the hit
        for run, _ in _runs(word):
            terms.add(run)
    return sorted(terms, key=len, reverse=True)


_BREAKS = re.compile(r"[ \t\u3000]*(?:\r?\n[ \t\u3000]*)+")


def _find_spans(text: str, terms: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Spans (start, end) of the terms in text; matching is done on NFKC+lower text so
    that ２０１９ in the report matches 2019 in the query. NFKC can change lengths (rarely
    in these texts: ㈠ → (一)), so when it does we fall back to searching the original."""
    norm = _normalise(text)
    hay = norm if len(norm) == len(text) else text.lower()
    if not terms:
        return hay, []
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    return hay, [(m.start(), m.end()) for m in pattern.finditer(hay)]


def _best_window(spans: list[tuple[int, int]], text_len: int, width: int) -> int:
    """Start of the width-long window holding the most distinct-position matches."""
    if not spans:
        return 0
    best_start, best_count = spans[0][0], 0
    j = 0
    for i, (s, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= s + width:
            j += 1
        if j - i > best_count:
            best_count, best_start = j - i, s
    # centre the first match a little instead of starting on it
    return max(0, min(best_start - width // 4, max(0, text_len - width)))


def snippet(
    text: str | None,
    user_query: str | None,
    width: int = 120,
    start_mark: str = "[",
    end_mark: str = "]",
    ellipsis: str = "…",
    escape=None,
) -> str:
    """A ``width``-character extract of the original ``text`` around the query's matches,
    each match wrapped in ``start_mark``/``end_mark``. Line breaks become " ⏎ " so the
    snippet stays on one line. ``escape`` (e.g. ``html.escape``) is applied to the text
    pieces, never to the marks."""
    if not text:
        return ""
    esc = escape or (lambda s: s)
    hay, spans = _find_spans(text, query_terms(user_query))
    start = _best_window(spans, len(text), width)
    end = min(len(text), start + width)
    out = [ellipsis if start > 0 else ""]
    pos = start
    for s, e in spans:
        if e <= start or s < pos:
            continue
        if s >= end:
            break
        out.append(esc(text[pos:s]))
        out.append(start_mark + esc(text[s:e]) + end_mark)
        pos = e
    if pos < end:
        out.append(esc(text[pos:end]))
        pos = end
    if pos < len(text):
        out.append(ellipsis)
    # one ⏎ per run of line breaks (blank lines are common in extracted text)
    return _BREAKS.sub(" ⏎ ", "".join(out))


def nianbao_snippet(text: str | None, user_query: str | None) -> str:
    """SQL function: plain-text snippet with matches in [brackets]."""
    return snippet(text, user_query)


def nianbao_snippet_html(text: str | None, user_query: str | None) -> str:
    """SQL function: HTML-escaped snippet with matches in <mark>…</mark>."""
    return snippet(text, user_query, start_mark="<mark>", end_mark="</mark>", escape=html.escape)


# ------------------------------------------------------------------------------ search

# Rank inside the subquery and join/snippet only the top rows: a select list with the
# join and nianbao_snippet() in the ranked query itself would be evaluated for every
# match before the sort (thousands of snippets for 复议), not for the 20 shown.
# :cutoff is 0 (rank every match) or the rowid from which matches are ranked (see
# RANK_CANDIDATES); FTS5 applies the rowid bound inside its scan.
SEARCH_SQL = """
with hits as (
  select rowid, {bm25} as score
  from reports_fts
  where reports_fts match nianbao_fts_query(:q) and rowid >= :cutoff
  order by score
  limit :limit
)
select r.id, r.portal, r.province, r.level, r.year, r.published, r.title, r.page_url,
       r.url, r.warc_filename, r.warc_offset, r.removed_at,
       nianbao_snippet(r.text, :q) as snippet,
       hits.score
from hits join reports r on r.rowid = hits.rowid
order by hits.score
""".format(bm25=_BM25)

# The rowid of the RANK_CANDIDATES-th newest match (None: fewer matches, rank them all).
CUTOFF_SQL = """
select rowid from reports_fts where reports_fts match nianbao_fts_query(:q)
order by rowid desc limit 1 offset :offset
"""


def register_functions(conn: sqlite3.Connection) -> None:
    """Register nianbao_fts_query, nianbao_segment, nianbao_snippet(_html) on conn."""
    conn.create_function("nianbao_fts_query", 1, nianbao_fts_query, deterministic=True)
    conn.create_function("nianbao_segment", 1, segment, deterministic=True)
    conn.create_function("nianbao_snippet", 2, nianbao_snippet, deterministic=True)
    conn.create_function("nianbao_snippet_html", 2, nianbao_snippet_html, deterministic=True)


def search(
    db: str | Path | sqlite3.Connection,
    query: str,
    limit: int = 20,
    rank_candidates: int | None = RANK_CANDIDATES,
) -> list[dict]:
    """Ranked hits (best first) for ``query``: dicts with id, portal, province, level,
    year, published, title, page_url, url, warc_filename, warc_offset, removed_at,
    ``snippet`` (original text, matches in [brackets]) and ``score`` (bm25, lower is
    better). An empty or unsearchable query returns [].

    When more than ``rank_candidates`` reports match, only the most recently indexed
    ``rank_candidates`` of them are ranked (see RANK_CANDIDATES); ``None`` ranks all."""
    if not fts_query(query):
        return []
    own = not isinstance(db, sqlite3.Connection)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True) if own else db
    try:
        register_functions(conn)
        cutoff = 0
        if rank_candidates:
            row = conn.execute(CUTOFF_SQL, {"q": query, "offset": rank_candidates - 1}).fetchone()
            cutoff = row[0] if row else 0
        cur = conn.execute(SEARCH_SQL, {"q": query, "limit": limit, "cutoff": cutoff})
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]
    finally:
        if own:
            conn.close()


def iter_segmented(rows: Iterable[tuple[int, str | None, str | None]]):
    """(rowid, title, text) → (rowid, *fts_values(title, text)), for bulk loads."""
    for rowid, title, text in rows:
        yield (rowid, *fts_values(title, text))
