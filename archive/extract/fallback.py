"""Main text of a page whose layout no rule of html.py knows (#17 point 4).

html.py finds a report's body by Hanweb markers, known platform containers, and
else by a text-density choice. On pages of layouts it was never written against, the density
choice sometimes lands on a fragment (a caption, a byline: a few dozen characters) while the
page holds far more main text. Then trafilatura (a general-purpose main-content extractor,
already a dependency) is asked as well, and its text is taken when ours is a fragment of it,
or added to ours when they differ.

Measured on public pages of unseen layouts (bench/extract/unseen.py, ``--set webmainbench``):
the rule and its two numbers were chosen on the "tune" half only. It runs trafilatura only
when the density choice gave fewer than ``MIN_CHARS`` characters, so pages with a known
container or a real body (every report page of the gov set) never pay for it; and never on a
page whose body links the report's file or holds its scans (html.py: the text comes
from the attachment or from OCR, and trafilatura would return the page's chrome).
"""
from __future__ import annotations

import re
from collections import Counter

from . import furniture

ENABLED = True     # the bench switches it off to measure the extractor alone
MIN_CHARS = 200    # a density choice shorter than this may be a fragment
RATIO = 2.0        # ... and is one when trafilatura finds at least this many times more
_WS_RE = re.compile(r"\s+")

__all__ = ["ENABLED", "needed", "main_lines"]


def _chars(text: str) -> str:
    return _WS_RE.sub("", text)


def needed(container: str | None, lines: list[str]) -> bool:
    """Should the fallback be asked: no known container, and a short text?"""
    return ENABLED and container == "density" and len(_chars("".join(lines))) < MIN_CHARS


def _covered(part: str, whole: str) -> float:
    """Share of ``part``'s characters (as a multiset) found in ``whole``."""
    p, w = Counter(_chars(part)), Counter(_chars(whole))
    n = sum(p.values())
    return sum((p & w).values()) / n if n else 1.0


def main_lines(html: str, lines: list[str]) -> list[str] | None:
    """Better lines for a page whose density choice gave ``lines`` (see ``needed``), or None
    to keep them: trafilatura's text when ours is a fragment of it, ours followed by its
    lines we lack when the two differ; None when it finds no more than ours."""
    try:
        import trafilatura
        theirs = trafilatura.extract(html, include_tables=True) or ""
    except Exception:  # noqa: BLE001 - a fallback must never cost the page its own text
        return None
    ours = "\n".join(lines)
    if len(_chars(theirs)) < RATIO * max(len(_chars(ours)), 1):
        return None
    # what our own rules call portal chrome (breadcrumbs, info bars, print/close) stays out
    their_lines = [ln.strip() for ln in theirs.splitlines()
                   if ln.strip() and not furniture.is_chrome_line(ln)]
    if _covered(ours, theirs) >= 0.8:
        return their_lines
    have = {_chars(ln) for ln in lines}
    return list(lines) + [ln for ln in their_lines if _chars(ln) not in have]
