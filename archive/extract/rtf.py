"""RTF documents → text: what Word's and WPS's "save as RTF" leaves behind, often still named
``.doc`` on government sites (issue 17).

The conversion is ``striprtf`` (PyPI, maintained): it honours ``\\ansicpg936`` and the font
charsets (``\\fcharset134`` = GBK) when decoding ``\\'xx`` escapes, decodes ``\\uN?`` escapes,
drops the font/colour/style tables and pictures, and writes ``\\cell`` as ``|`` and ``\\row`` as
a line break. Chosen over Debian's ``unrtf --text`` after comparing both on the farm's RTF
reports (bench/README, "RTF converters"): unrtf writes ``\\'xx`` bytes of a GBK document as
``?``/Latin-1 and its table output has no cell separators.

On top of it, tables get the project's text contract (docs/design.md): a row is one line of
cells joined by `` | `` on a grid; a horizontally merged cell (``\\clmgf``/``\\clmrg``) keeps its
text in the first column with empty strings after it, a vertically merged one
(``\\clvmgf``/``\\clvmrg``) repeats its text in every row it spans. striprtf does not read the
row definitions, so they are read here (``_row_merges``) and applied to its rows in order.
"""
from __future__ import annotations

import re

from .result import Extraction, document

__all__ = ["extract_rtf", "rtf_source"]

_ROW_END_RE = re.compile(rb"\\row(?![a-z])")
_TROWD_RE = re.compile(rb"\\trowd(?![a-z])")
_CELLDEF_RE = re.compile(rb"\\(clvmgf|clvmrg|clmgf|clmrg|cellx)(-?\d+)?(?![a-z])")
_CELL_RE = re.compile(rb"\\cell(?![a-z])")
_ANSICPG_RE = re.compile(rb"\\ansicpg(\d+)")


def rtf_source(body: bytes) -> str:
    """The RTF as a str for striprtf: RTF is 7-bit (non-ASCII is escaped), so latin-1 keeps
    every byte; a UTF-16 file (rare, from some converters) is decoded as such first."""
    from .sniff import utf16_text_encoding

    enc = utf16_text_encoding(body)
    if enc:
        return body.decode(enc, errors="replace").lstrip("\ufeff")
    return body.decode("latin-1")


def _row_merges(src: bytes) -> list[list[str]]:
    """For each ``\\row`` in order, the merge flag of each cell ('' | 'vmrg' | 'mrg' | 'first'),
    from the last ``\\trowd`` definition before it."""
    rows: list[list[str]] = []
    start = 0
    for m in _ROW_END_RE.finditer(src):
        seg = src[start:m.start()]
        start = m.end()
        if not _CELL_RE.search(seg):
            continue
        defs = list(_TROWD_RE.finditer(seg))
        flags: list[str] = []
        if defs:
            pending = ""
            for d in _CELLDEF_RE.finditer(seg, defs[-1].end()):
                word = d.group(1).decode()
                if word == "cellx":
                    flags.append(pending)
                    pending = ""
                elif word in ("clvmrg", "clmrg"):
                    pending = word[2:]
        rows.append(flags)
    return rows


def extract_rtf(body: bytes) -> Extraction:
    """Text, title, tables of an RTF document (``content_type`` 'rtf')."""
    from striprtf.striprtf import rtf_to_text

    from .html_text import normalise_inline

    src = rtf_source(body)
    raw = src.encode("latin-1", errors="replace")
    encoding = "cp936" if _ANSICPG_RE.search(raw[:4096]) is None else "cp1252"
    # striprtf switches to the document's \ansicpg itself; the default only matters for RTF
    # without one, which on these sites is GBK more often than Latin-1.
    text = rtf_to_text(src, encoding=encoding, errors="replace")
    merges = _row_merges(raw)
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    table: list[list[str]] = []
    row_no = 0

    def close() -> None:
        if table:
            width = max(len(r) for r in table)
            grid = [r + [""] * (width - len(r)) for r in table]
            tables.append(grid)
            lines.extend(" | ".join(r) for r in grid)
            table.clear()

    for raw_line in text.splitlines():
        line = raw_line.rstrip()
        if line.endswith("|"):  # a table row: "a|b|c|" (striprtf's \cell and \row)
            cells = [normalise_inline(c) for c in line[:-1].split("|")]
            flags = merges[row_no] if row_no < len(merges) else []
            row_no += 1
            for k, flag in enumerate(flags[:len(cells)]):
                if flag == "vmrg" and table and k < len(table[-1]):
                    cells[k] = table[-1][k]  # rowspan: the text repeated in every row
                elif flag == "mrg":
                    cells[k] = ""  # colspan: text in its first column, empty after it
            table.append(cells)
            continue
        close()
        s = normalise_inline(line)
        if s:
            lines.append(s)
    close()
    first = lines[0] if lines else None
    meta: dict = {"converter": "striprtf"}
    if not lines:
        meta["error"] = "RTF has no text (striprtf found none)"
    return document("rtf", "\n".join(lines), first[:200] if first else None, tables, meta)
