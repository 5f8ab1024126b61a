"""Main text of a page whose layout no rule of html.py knows (#17 point 4).

html.py finds a report's body by Hanweb markers, known platform containers, and
else by a text-density choice. On pages of layouts it was never written against, the density
choice sometimes lands on a fragment (a caption, a byline: a few dozen characters) while the
page holds far more main text. Then trafilatura (a general-purpose main-content extractor,
already a dependency) is asked as well, and its text is taken when ours is a fragment of it,
or added to ours when they differ.

Measured on public pages of unseen layouts (bench/extract/unseen.py, ``--set webmainbench``):
the rule and its two numbers were chosen on the "tune" half only; its wider band (``WIDE_*``,
session 11) on the tuning splits of sets 8 and 9, checked on every other set. It runs
trafilatura only when the density choice gave fewer than ``WIDE_CHARS`` characters, so pages with a known
container or a real body (every report page of the gov set) never pay for it; and never on a
page whose body links the report's file or holds its scans (html.py: the text comes
from the attachment or from OCR, and trafilatura would return the page's chrome).

Forum threads and comment pages (second round, tuned on all 82 old pages; the held-out
figures come from a new set, bench/README.md): the density choice keeps one block, so a
thread came out as its longest post. Three rules, all on the density path only:

- ``sibling_posts``: the choice is one post of several (it, or a wrapper up to ``MAX_UP``
  levels above it, has siblings of the same tag/class/id with numbers masked that carry
  prose): every such sibling is kept (``metadata["container"] = "density+posts"``);
- ``post_list``: the choice fell outside the thread (a long copyright footer outweighs a
  thread of short replies): the largest group of post-named sibling blocks with prose wins
  when its prose exceeds the choice's (half of it when the choice sits in a chrome block);
- ``is_thread_post``: html.py drops blocks named as chrome (``comment``, ``footer``…); a
  comment that is one of several sibling posts, or a chrome-named part of one, stays.

Third round (tuned on set 2 and the old set; bench/README.md):

- ``prose_siblings``: an article split around a table or a links box came out as the one
  block that won the density choice; its sibling paragraphs join it
  (``metadata["container"] = "density+siblings"``);
- ``shortfall``: a density text under SHORT_CHECK characters that keeps less than a tenth of
  the prose the page shows outside links is not the page's text: the extraction says so (``extract_error`` "main text not
  found…") instead of passing for a full result or blaming missing OCR.

Fourth round (session 13, tuned on the tuning splits of sets 8, 9 and 10): ``without_extra_tail``
ends a density choice of non-CJK text where trafilatura's text of the page ends (TAIL_MAX).
"""
from __future__ import annotations

import functools
import itertools
import re
from collections import Counter

from . import furniture
from .page_metadata import within

ENABLED = True     # the bench switches it off to measure the extractor alone
MIN_CHARS = 200    # a density choice shorter than this may be a fragment
RATIO = 2.0        # ... and is one when trafilatura finds at least this many times more
# A longer choice, up to WIDE_CHARS, may be a fragment too (one section of a page built of
# sections, the intro of a links page): it is one when trafilatura, asked without comments,
# finds WIDE_RATIO to WIDE_MAX times more text that holds ours. Without comments and with the
# cap: on older news pages a short article is all there is, and trafilatura's more is a
# comment thread (dragnet: 25 of 26 such replacements were worse with comments and no cap).
# The cap was 10 until a slideshow article (25 times its first slide) and three pages of sets
# 2, 3 and 6 (R 0.2 -> 0.6-0.7) showed trafilatura without comments needs a wider one.
WIDE_CHARS = 1500
WIDE_RATIO = 3.0
WIDE_MAX = 30.0
# ... and when most of its text stands in lines of WIDE_LINE characters or more: where it
# finds no main text, trafilatura returns the whole page, menus and all, one word per line
# (a Discuz forum, a poetry site: 80 % of their lines were six characters or fewer)
WIDE_LINE = 25
WIDE_PROSE = 0.5
COVERED = 0.8      # share of our text found in trafilatura's: ours is a fragment of it
_WS_RE = re.compile(r"\s+")

_DIGITS_RE = re.compile(r"\d+")
MAX_UP = 8         # levels above the density choice searched for sibling posts
MIN_POST = 10      # characters of non-link text that make a sibling a post

# class/id words of a comment or reply block: portal chrome on an article page, but the
# posts themselves on a thread page
_COMMENT_TOKEN_RE = re.compile(r"(?:^|[\s_-])(?:comment|comments|pinglun)(?:$|[\s_-])", re.I)

# class/id words of a post of a thread (Discuz ``post_123``, ``reply``, ``floor``, 楼层)
_POST_TOKEN_RE = re.compile(r"(?:^|[\s_-])(?:post|posts|reply|replies|comment|comments|floor|"
                            r"louceng|postmessage)(?:$|[\s_#-])", re.I)

__all__ = ["ENABLED", "is_discussion", "needed", "needed_shortfall", "shortfall", "main_lines", "sibling_posts", "is_thread_post", "post_list", "prose_siblings"]


# A page that says it is a discussion: schema.org types forum and Q&A software emit, or a
# URL path named like a thread. Its replies are its content, not comments under an article.
_DISCUSSION_MARKUP = ("DiscussionForumPosting", "QAPage", "schema.org/Question")
_DISCUSSION_URL_RE = re.compile(
    r"^[a-z][a-z0-9+.-]*://(?:(?:forums?|bbs|community)\.[^/]+|[^/]+/(?:[^?#]*/)?"
    r"(?:threads?|topic|forums?|discussions?|questions?|viewtopic|showthread|bbs)"
    r"(?:[/._=?#-]|$))", re.I)


def is_discussion(source: str | None, url: str | None) -> bool:
    """Does the page present itself as a forum thread or a Q&A page (schema.org
    ``DiscussionForumPosting``/``QAPage``/``Question`` in its markup, or a URL such as
    ``/thread/1/``, ``/topic/123-…``, ``/questions/…``, ``viewtopic.php``, ``forum.host``)?
    Its replies are then kept as content (html.py drops readers' comments under an article)."""
    if url and _DISCUSSION_URL_RE.match(url):
        return True
    return bool(source) and any(m in source for m in _DISCUSSION_MARKUP)


def _chars(text: str) -> str:
    return _WS_RE.sub("", text)


def needed(container: str | None, lines: list[str]) -> bool:
    """Should the fallback be asked: no known container, and a short text (under
    WIDE_CHARS characters)?"""
    return (ENABLED and container in ("density", "density+posts", "density+siblings")
            and len(_chars("".join(lines))) < WIDE_CHARS)


SHORT_VISIBLE = 1000  # characters of prose a page must show for a short text to be a shortfall
SHORT_SHARE = 0.1     # ... and the text kept is a shortfall below this share of it
# texts checked: not only tiny ones (a 1,301-character text of a page showing 19,488 characters
# of prose is a fragment too); the cap keeps the second parse off long texts, which no page's
# prose can be ten times as long as in practice (gov reports: the report is the prose)
SHORT_CHECK = 5000


def needed_shortfall(lines: list[str]) -> bool:
    """Is the text kept short enough (fewer than SHORT_CHECK characters) to be checked
    against the page's visible prose (``shortfall``)?"""
    return len(_chars("".join(lines))) < SHORT_CHECK


def shortfall(lines: list[str], visible: int) -> str | None:
    """Why ``lines`` are not the page's main text, or None: the layout was not recognised and
    both the density choice and trafilatura kept a fragment (or nothing) of a page that shows
    ``visible`` characters of prose outside links. An empty or tiny text must not pass for a
    full one (issue 17: failures are data)."""
    kept = len(_chars("".join(lines)))
    if visible < SHORT_VISIBLE or kept >= SHORT_SHARE * visible:
        return None
    return (f"main text not found: the page shows {visible} characters of text outside links, "
            f"the extraction kept {kept} (layout not recognised)")


def _covered(part: str, whole: str) -> float:
    """Share of ``part``'s characters (as a multiset) found in ``whole``."""
    p, w = Counter(_chars(part)), Counter(_chars(whole))
    n = sum(p.values())
    return sum((p & w).values()) / n if n else 1.0


def _prose_share(lines: list[str]) -> float:
    """Share of the characters of ``lines`` that stand in lines of WIDE_LINE or more."""
    sizes = [len(_chars(ln)) for ln in lines]
    total = sum(sizes)
    return sum(n for n in sizes if n >= WIDE_LINE) / total if total else 0.0


def main_lines(html: str, lines: list[str]) -> list[str] | None:
    """Better lines for a page whose density choice gave ``lines`` (see ``needed``), or None
    to keep them. Under MIN_CHARS: trafilatura's text when ours is a fragment of it, ours
    followed by its lines we lack when the two differ; None when it finds no more than ours.
    From MIN_CHARS to WIDE_CHARS: its text (comments left out) only when ours is a fragment
    of it, it is WIDE_RATIO to WIDE_MAX times as long, and most of it is prose lines."""
    ours = "\n".join(lines)
    n = max(len(_chars(ours)), 1)
    wide = n >= MIN_CHARS
    theirs = _trafilatura(html, comments=not wide)
    m = len(_chars(theirs))
    if m < (WIDE_RATIO if wide else RATIO) * n or (wide and m > WIDE_MAX * n):
        return None
    # what our own rules call portal chrome (breadcrumbs, info bars, print/close) stays out
    their_lines = [ln.strip() for ln in theirs.splitlines()
                   if ln.strip() and not furniture.is_chrome_line(ln)]
    if wide and _prose_share(their_lines) < WIDE_PROSE:
        return None
    if _covered(ours, theirs) >= COVERED:
        return their_lines
    if wide:
        return None
    have = {_chars(ln) for ln in lines}
    return list(lines) + [ln for ln in their_lines if _chars(ln) not in have]


# The tail agreement (session 13, chosen on the tuning splits of sets 8, 9 and 10, checked on
# sets 2-7 and the Chinese set). A density choice often runs on past the article into what
# follows it in the same block: an author box, a newsletter form, a cookie notice, "more to
# explore". trafilatura stops there. Where its text ends earlier than ours, our lines after the
# last one it also kept are dropped when they hold at most TAIL_MAX of our text and its text is
# at least TAIL_MIN_THEIRS of ours (else it chose another block and says nothing of our end).
# Cutting head lines too, or more than TAIL_MAX, gained precision but put more pages below
# recall 0.8 (golds keep a closing call to action or a testimonial that trafilatura drops).
TAIL_MAX = 0.15
TAIL_MIN_THEIRS = 0.3
TAIL_LINE = 10          # letters and digits a line needs to be looked up in trafilatura's text
# Not on Chinese (or Japanese, Korean) text: on the Chinese set it changed 26 of 315 pages for
# no gain (3 better, 2 worse), and on a government report it could only cost the closing lines
# (the issuing body, the date) that trafilatura often leaves out.
TAIL_CJK = 0.5          # share of the letters in the text's first TAIL_PROBE characters
TAIL_PROBE = 2000
_CJK_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def _alnum(text: str) -> str:
    # letters and digits only: trafilatura renders tables, lists and stray control characters
    # differently from us, and a line must still be found in its text
    return "".join(ch for ch in text if ch.isalnum())


def tail_needed(container: str | None, lines: list[str]) -> bool:
    """Should trafilatura be asked where the text ends (``without_extra_tail``): a density
    choice (not trafilatura's own text) that is not mostly CJK?"""
    if not ENABLED or container not in ("density", "density+posts", "density+siblings"):
        return False
    probe = "".join(lines)[:TAIL_PROBE]
    letters = sum(1 for ch in probe if ch.isalpha())
    return bool(letters) and len(_CJK_RE.findall(probe)) <= TAIL_CJK * letters


def without_extra_tail(html: str, lines: list[str]) -> list[str]:
    """``lines`` without the lines at their end that trafilatura, asked about the same page,
    leaves out (see TAIL_MAX); ``lines`` themselves when it does not agree enough to judge."""
    theirs = _alnum(_trafilatura(html, comments=True))
    ours = [_alnum(ln) for ln in lines]
    total = sum(len(k) for k in ours)
    if not theirs or len(theirs) < TAIL_MIN_THEIRS * total:
        return lines
    last = max((i for i, k in enumerate(ours) if len(k) >= TAIL_LINE and k in theirs),
               default=None)
    if last is None or last == len(lines) - 1:
        return lines
    cut = sum(len(k) for k in ours[last + 1:])
    return lines[:last + 1] if cut <= TAIL_MAX * total else lines


@functools.lru_cache(maxsize=1)
def _trafilatura(html: str, comments: bool) -> str:
    """trafilatura's text of ``html`` ('' when it finds none or fails: a second opinion must
    never cost the page its own text); the last page's is kept, as both rules may ask."""
    try:
        import trafilatura
        return trafilatura.extract(html, include_tables=True, include_comments=comments) or ""
    except Exception:  # noqa: BLE001
        return ""


SIBLING_UP = 2          # levels above the density choice searched for prose siblings
SIBLING_MIN = 80        # characters a sibling block needs to count as prose
SIBLING_LINKS = 0.25    # ... with at most this share of them in links
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
SIBLING_TAGS = ("p", "blockquote", "pre")  # paragraphs, not boxes (a teaser box is a div)
SIBLING_COUNT = 2       # prose siblings needed (one could be a disclaimer)


def _prose_block(el) -> bool:
    """A sibling block of article prose: at least SIBLING_MIN characters, few of them links."""
    if not isinstance(el.tag, str) or el.tag not in SIBLING_TAGS:
        return False
    raw = "".join(el.itertext())
    text = len(_chars(raw))
    if text < SIBLING_MIN:
        return False
    links = sum(len(_chars("".join(a.itertext()))) for a in el.iter("a"))
    return links <= SIBLING_LINKS * text and not furniture.is_chrome_line(_WS_RE.sub(" ", raw))


def prose_siblings(best, body) -> list | None:
    """The density choice ``best`` with the prose blocks beside it, in document order, or None
    when there are none.

    The choice is the single block of most prose net of links; an article split around a
    table, a figure or a links box (its paragraphs siblings of the block that won, their
    parent penalised for the links) came out as that one block. Up to SIBLING_UP levels
    up (not past ``body``), sibling blocks of prose (``_prose_block``) join it, and the
    headings beside them once one has."""
    if not ENABLED:
        return None
    parts, el, added = [best], best, 0
    for _ in range(SIBLING_UP):
        parent = el.getparent()
        if el is body or parent is None:
            break
        kids = [c for c in parent if isinstance(c.tag, str)]
        prose = {id(c) for c in kids if c is not el and _prose_block(c)}
        if prose:
            added += len(prose)
            new: list = []
            for c in kids:
                if c is el:
                    new.extend(parts)
                elif id(c) in prose or c.tag in _HEADINGS:
                    new.append(c)
            parts = new
        el = parent
    return parts if added >= SIBLING_COUNT else None


def _signature(el) -> tuple | None:
    """What makes two elements the same kind of block: tag, class tokens and id with their
    numbers masked (``post_53876`` and ``post_53885`` are alike); None for an element with
    neither class nor id (too common to say anything)."""
    if not isinstance(el.tag, str):
        return None
    cls = " ".join(sorted(_DIGITS_RE.sub("#", t) for t in (el.get("class") or "").split()))
    ident = _DIGITS_RE.sub("#", el.get("id") or "")
    if not cls and not ident:
        return None
    return el.tag, cls, ident


def _prose(el) -> int:
    """Characters of ``el``'s text outside links."""
    text = len(_chars("".join(el.itertext())))
    return text - sum(len(_chars("".join(a.itertext()))) for a in el.iter("a"))


def _is_post(el) -> bool:
    """Does a block hold prose of its own: at least MIN_POST characters outside links, and
    no more link text than that (a sidebar or a list of headlines is mostly links)?"""
    text = len(_chars("".join(el.itertext())))
    links = sum(len(_chars("".join(a.itertext()))) for a in el.iter("a"))
    prose = text - links
    return prose >= MIN_POST and links <= prose


def _repeated(el, levels: int = 3) -> bool:
    """Is ``el`` (or its wrapper, up to ``levels`` levels up) one of several sibling blocks of
    one signature that all carry prose?"""
    for _ in range(levels):
        sig, parent = _signature(el), el.getparent()
        if parent is None:
            return False
        if sig is not None and any(c is not el and _signature(c) == sig and _is_post(c)
                                   for c in parent):
            return True
        el = parent
    return False


def is_thread_post(el, tokens: str) -> bool:
    """Should html.py keep ``el``, a block whose class/id words ``tokens`` name it chrome,
    because it is (part of) one post of a thread? True when it carries prose and either it
    is named a comment and is one of several sibling posts (``_repeated``), or it sits
    inside such a comment (a post's "footer" that holds its reply text)."""
    if not ENABLED or not _is_post(el):
        return False
    if _COMMENT_TOKEN_RE.search(tokens):
        return _repeated(el)
    for anc in itertools.islice(el.iterancestors(), 4):
        words = " ".join(filter(None, (anc.get("class"), anc.get("id"))))
        if words and _COMMENT_TOKEN_RE.search(furniture.decamel(words)) and _repeated(anc):
            return True
    return False


def sibling_posts(best, body) -> list | None:
    """The posts of a thread when the density choice ``best`` is one of them, else None.

    A forum thread or a comment list repeats one block per post; the density choice keeps
    the longest post only. Walking up from ``best`` (at most MAX_UP levels, not past
    ``body``), the first ancestor-or-self whose parent holds other blocks of its signature
    (``_signature``) that carry prose (``_is_post``) is one post of several: the answer is
    it and those siblings, in document order (other children of the parent, such as ads
    or a reply box, stay out)."""
    if not ENABLED:
        return None
    el = best
    for _ in range(MAX_UP):
        parent = el.getparent()
        if el is body or parent is None:
            return None
        sig = _signature(el)
        if sig is not None:
            posts = [c for c in parent if c is not el and _signature(c) == sig and _is_post(c)]
            if posts:
                return [c for c in parent if c is el or c in posts]
        el = parent
    return None


def post_list(body, best) -> list | None:
    """The posts of a thread whose density choice ``best`` fell outside them (a long
    copyright footer outweighs a thread of short replies), else None: the largest group of
    ≥ 2 siblings of one signature named as posts (``_POST_TOKEN_RE`` on class or id) that all
    carry prose, when their prose together exceeds ``best``'s (half of it when ``best`` sits
    in a block named as chrome). Posts in a block named as chrome are not looked for unless
    ``best`` sits in one too."""
    if not ENABLED:
        return None
    best_group, best_prose = None, _prose(best)
    best_in_chrome = _in_chrome(best, body)
    if best_in_chrome:  # a footer kept for its length: posts need not outweigh it
        best_prose //= 2
    for parent in body.iter():
        if not isinstance(parent.tag, str) or len(parent) < 2:
            continue
        kinds: dict = {}
        for c in parent:
            sig = _signature(c)
            if sig is not None and _POST_TOKEN_RE.search(furniture.decamel(f"{sig[1]} {sig[2]}")):
                kinds.setdefault(sig, []).append(c)
        for group in kinds.values():
            if len(group) < 2 or any(within(best, g) for g in group):
                continue
            posts = [g for g in group if _is_post(g)]
            if len(posts) < 2:
                continue
            prose = sum(_prose(g) for g in posts)
            # a footer's testimonials (WordPress posts of another type) are no thread; asked
            # last, of the few groups that qualify, not of every element of the page
            if prose > best_prose and (best_in_chrome or not _in_chrome(parent, body)):
                best_group, best_prose = posts, prose
    return best_group


def _in_chrome(el, body) -> bool:
    """Is ``el`` or an ancestor below ``body`` named as portal chrome (footer, copyright…)?"""
    while el is not None and el is not body:
        tokens = " ".join(filter(None, (el.get("class"), el.get("id"))))
        if tokens and (furniture.CHROME_TOKEN_RE.search(tokens)
                       or furniture.CHROME_TOKEN_RE.search(furniture.decamel(tokens))):
            return True
        el = el.getparent()
    return False


