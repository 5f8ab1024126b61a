"""Word-processor attachments → text: DOCX (OOXML) read directly, legacy DOC and WPS through
Debian's converters (antiword, falling back to catdoc).

DOCX: paragraphs and tables in document order, with the labels of Word's automatic
numbering (一、/（一）/1. from numbering.xml, which are not in the text runs) put back; a
table row is one line ``a | b | c`` on a grid where ``gridSpan`` (colspan) leaves empty strings after the text and ``vMerge``
(rowspan) repeats the text in every merged row, the same contract as HTML tables. The XML is
read with lxml straight from the zip (python-docx reads the same XML, but refuses files whose
main part has a macro or template content type, which WPS Office writes).

DOC/WPS: a missing converter is reported in ``metadata["error"]``, never raised.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile

from lxml import etree

from .result import Extraction, document
from .zipparts import Parts

__all__ = ["extract_docx", "extract_doc", "docx_main_part"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{%s}" % W
_WS_RE = re.compile(r"\s+")
_TIMEOUT = 60


def docx_main_part(parts: Parts) -> str | None:
    """Name of the main document part (word/document.xml unless [Content_Types] says else)."""
    try:
        ct = parts.xml("[Content_Types].xml")
        for o in ct:
            ctype = o.get("ContentType") or ""
            if "wordprocessingml.document.main" in ctype or "word.document.macroEnabled.main" \
                    in ctype or "wordprocessingml.template.main" in ctype:
                name = (o.get("PartName") or "").lstrip("/")
                if name in parts:
                    return name
    except (KeyError, ValueError, etree.XMLSyntaxError):
        pass
    return "word/document.xml" if "word/document.xml" in parts else None


def extract_docx(body: bytes) -> Extraction:
    """Text (numbering labels put back, tables as ``a | b`` rows), title and tables of a DOCX."""
    try:
        parts = Parts(zipfile.ZipFile(io.BytesIO(body)))  # size caps: see zipparts
        part = docx_main_part(parts)
        if part is None:
            raise ValueError("no word/document.xml")
        root = parts.xml(part)
    except (zipfile.BadZipFile, ValueError, KeyError, etree.XMLSyntaxError) as exc:
        what = "zip bomb refused" if "decompressed" in str(exc) else "unreadable DOCX"
        return document("docx", metadata={"error": f"{what}: {exc}"[:300]})
    body_el = root.find(_W + "body")
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    numbering = _Numbering(parts)
    if body_el is not None:
        _blocks(body_el, lines, tables, numbering)
    title = _core_title(parts) or (lines[0][:200] if lines else None)
    return document("docx", "\n".join(lines), title, tables)


def _blocks(parent, lines: list[str], tables: list, numbering=None) -> None:
    for child in parent:
        tag = child.tag
        if tag == _W + "p":
            text = _para_text(child)
            label = numbering.label(child) if numbering is not None else ""
            if label and text:
                text = _norm(label + " " + text)
            if text:
                lines.append(text)
        elif tag == _W + "tbl":
            grid = _table_grid(child, numbering)
            if grid:
                tables.append(grid)
                lines.extend(" | ".join(row) for row in grid)
        elif tag in (_W + "sdt", _W + "customXml", _W + "ins", _W + "smartTag"):
            inner = child.find(_W + "sdtContent") if tag == _W + "sdt" else child
            if inner is not None:
                _blocks(inner, lines, tables, numbering)


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _para_text(p) -> str:
    parts: list[str] = []
    if p.find(".//" + _MC_FALLBACK) is not None:  # text boxes: Choice and Fallback repeat it
        p = etree.fromstring(etree.tostring(p))
        for fb in list(p.iter(_MC_FALLBACK)):
            fb.getparent().remove(fb)
    for el in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen",
                     _W + "sym", _W + "delText", _W + "instrText"):
        tag = el.tag
        if tag == _W + "t":
            parts.append(el.text or "")
        elif tag in (_W + "tab",):
            parts.append(" ")
        elif tag in (_W + "br", _W + "cr"):
            parts.append(" ")
        elif tag == _W + "noBreakHyphen":
            parts.append("-")
        elif tag == _W + "sym":
            ch = el.get(_W + "char")
            if ch:
                try:
                    parts.append(chr(int(ch, 16)))
                except ValueError:
                    pass
        # delText (deleted revisions) and instrText (field codes) are not shown: skipped
    return _norm("".join(parts))


def _norm(s: str) -> str:
    from .html_text import normalise_inline
    return normalise_inline(s)


def _int_attr(el, name: str, default: int = 1) -> int:
    if el is None:
        return default
    try:
        return max(0, int(el.get(_W + name) or default))
    except ValueError:
        return default


def _table_grid(tbl, numbering=None) -> list[list[str]]:
    grid: list[list[str]] = []
    for tr in tbl.iter(_W + "tr"):
        if tr.getparent() is None or _nearest_table(tr) is not tbl:
            continue
        row: list[str] = []
        trpr = tr.find(_W + "trPr")
        before = _int_attr(trpr.find(_W + "gridBefore") if trpr is not None else None, "val", 0)
        row.extend([""] * before)
        for tc in _row_cells(tr):
            tcpr = tc.find(_W + "tcPr")
            span = 1
            vmerge = None
            if tcpr is not None:
                span = max(1, _int_attr(tcpr.find(_W + "gridSpan"), "val", 1))
                vm = tcpr.find(_W + "vMerge")
                if vm is not None:
                    vmerge = vm.get(_W + "val") or "continue"
            col = len(row)
            if vmerge == "continue" and grid and col < len(grid[-1]):
                text = grid[-1][col]
            else:
                text = _cell_text(tc, numbering)
            row.append(text)
            row.extend([""] * (span - 1))
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    grid = [r + [""] * (width - len(r)) for r in grid]
    return [r for r in grid if any(c for c in r)]


def _row_cells(tr):
    for child in tr:
        if child.tag == _W + "tc":
            yield child
        elif child.tag in (_W + "sdt", _W + "customXml"):
            inner = child.find(_W + "sdtContent") if child.tag == _W + "sdt" else child
            if inner is not None:
                yield from (c for c in inner if c.tag == _W + "tc")


def _nearest_table(el):
    el = el.getparent()
    while el is not None and el.tag != _W + "tbl":
        el = el.getparent()
    return el


def _cell_text(tc, numbering=None) -> str:
    lines: list[str] = []
    tables: list = []
    _blocks(tc, lines, tables, numbering)
    return _norm(" ".join(lines))


# --- automatic numbering (一、 / （一） / 1. written by Word, not in the text runs) --------
_ZH_DIGITS = "零一二三四五六七八九"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"


def _zh(n: int) -> str:
    if n < 10:
        return _ZH_DIGITS[n]
    if n < 20:
        return "十" + (_ZH_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        return _ZH_DIGITS[n // 10] + "十" + (_ZH_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for v, sym in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                   (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= v:
            out += sym
            n -= v
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
               "taiwaneseCounting", "taiwaneseCountingThousand", "ideographLegalTraditional"):
        return _zh(n)
    if fmt in ("ideographDigital", "taiwaneseDigital"):
        return "".join(_ZH_DIGITS[int(d)] for d in str(n))
    if fmt in ("ideographTraditional",):
        return _TIANGAN[(n - 1) % 10]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        s = _roman(n)
        return s.upper() if fmt == "upperRoman" else s
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class _Numbering:
    """Word's list numbering (numbering.xml, styles.xml): the label a paragraph shows."""

    def __init__(self, parts: Parts):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId → ilvl → (fmt, text, start)
        self.style_num: dict[str, tuple[str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        try:  # without it (or too large, or broken) paragraphs just lose their labels
            numbering = parts.xml("word/numbering.xml")
        except (KeyError, ValueError, etree.XMLSyntaxError):
            numbering = None
        if numbering is not None:
            abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
            for an in numbering.iter(_W + "abstractNum"):
                lv = {}
                for lvl in an.iter(_W + "lvl"):
                    ilvl = _int_attr(lvl, "ilvl", 0)
                    fmt = lvl.find(_W + "numFmt")
                    text = lvl.find(_W + "lvlText")
                    start = lvl.find(_W + "start")
                    lv[ilvl] = (fmt.get(_W + "val") if fmt is not None else "decimal",
                                text.get(_W + "val") if text is not None else "",
                                _int_attr(start, "val", 1) if start is not None else 1)
                abstract[an.get(_W + "abstractNumId")] = lv
            for num in numbering.iter(_W + "num"):
                ref = num.find(_W + "abstractNumId")
                lv = dict(abstract.get(ref.get(_W + "val") if ref is not None else "", {}))
                for ov in num.iter(_W + "lvlOverride"):
                    ilvl = _int_attr(ov, "ilvl", 0)
                    so = ov.find(_W + "startOverride")
                    if so is not None and ilvl in lv:
                        fmt, text, _ = lv[ilvl]
                        lv[ilvl] = (fmt, text, _int_attr(so, "val", 1))
                self.levels[num.get(_W + "numId")] = lv
        try:
            styles = parts.xml("word/styles.xml")
        except (KeyError, ValueError, etree.XMLSyntaxError):
            styles = None
        if styles is not None and self.levels:
            based: dict[str, str] = {}
            direct: dict[str, tuple[str, int]] = {}
            for st in styles.iter(_W + "style"):
                sid = st.get(_W + "styleId")
                b = st.find(_W + "basedOn")
                if b is not None:
                    based[sid] = b.get(_W + "val")
                npr = st.find(f"{_W}pPr/{_W}numPr")
                if npr is not None:
                    nid = npr.find(_W + "numId")
                    if nid is not None:
                        direct[sid] = (nid.get(_W + "val"), _int_attr(npr.find(_W + "ilvl"), "val", 0)
                                       if npr.find(_W + "ilvl") is not None else 0)
            for sid in set(direct) | set(based):
                cur, seen = sid, set()
                while cur and cur not in direct and cur not in seen:
                    seen.add(cur)
                    cur = based.get(cur)
                if cur in direct:
                    self.style_num[sid] = direct[cur]

    def label(self, p) -> str:
        if not self.levels:
            return ""
        ppr = p.find(_W + "pPr")
        num_id, ilvl = None, 0
        if ppr is not None:
            npr = ppr.find(_W + "numPr")
            if npr is not None:
                nid = npr.find(_W + "numId")
                if nid is not None:
                    num_id = nid.get(_W + "val")
                il = npr.find(_W + "ilvl")
                ilvl = _int_attr(il, "val", 0) if il is not None else 0
            if num_id is None:
                ps = ppr.find(_W + "pStyle")
                if ps is not None and ps.get(_W + "val") in self.style_num:
                    num_id, ilvl = self.style_num[ps.get(_W + "val")]
        if not num_id or num_id == "0" or num_id not in self.levels:
            return ""
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(num_id, [0] * 9)
        while len(counts) <= ilvl:
            counts.append(0)
        fmt, text, start = levels[ilvl]
        counts[ilvl] = counts[ilvl] + 1 if counts[ilvl] else start
        for deeper in range(ilvl + 1, len(counts)):
            counts[deeper] = 0

        def repl(m) -> str:
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            n = counts[k] or levels[k][2]
            return _format_number(n, levels[k][0])

        if fmt == "bullet":
            return ""
        return re.sub(r"%(\d)", repl, text or "")


def _core_title(parts: Parts) -> str | None:
    try:
        core = parts.xml("docProps/core.xml")
    except (KeyError, ValueError, etree.XMLSyntaxError):
        return None
    for el in core.iter("{http://purl.org/dc/elements/1.1/}title"):
        t = _WS_RE.sub(" ", el.text or "").strip()
        if t and not re.match(r"^(文档\d*|Document\d*|Untitled|无标题)$", t, re.I):
            return t
    return None


# --- legacy binary Word / WPS -----------------------------------------------------------
def extract_doc(body: bytes, kind: str = "doc") -> Extraction:
    """DOC or WPS via antiword (UTF-8 output, tables as |cell|cell| rows), else catdoc."""
    errors: list[str] = []
    antiword = shutil.which("antiword")
    catdoc = shutil.which("catdoc")
    if not antiword and not catdoc:
        return document(kind, metadata={
            "error": f"cannot convert {kind.upper()}: neither antiword nor catdoc is installed "
                     "(apt-get install antiword catdoc)"})
    with tempfile.NamedTemporaryFile(suffix="." + kind, delete=False) as fh:
        fh.write(body)
        path = fh.name
    try:
        if antiword:
            out = _run([antiword, "-m", "UTF-8.txt", "-w", "0", path], errors, "antiword")
            if out is not None and out.strip():
                text, tables = _antiword_text(out)
                if text:
                    return _doc_result(kind, text, tables, "antiword", errors)
        if catdoc:
            out = _run([catdoc, "-d", "utf-8", "-w", path], errors, "catdoc")
            if out is not None and out.strip():
                text, tables = _catdoc_text(out)
                if text:
                    return _doc_result(kind, text, tables, "catdoc", errors)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return document(kind, metadata={
        "error": f"cannot convert {kind.upper()}: " + ("; ".join(errors) or "no text found")})


def _doc_result(kind: str, text: str, tables: list, converter: str,
                errors: list[str]) -> Extraction:
    meta: dict = {"converter": converter}
    if errors:
        meta["converter_warnings"] = "; ".join(errors)[:300]
    first = next((ln for ln in text.splitlines() if ln.strip()), None)
    return document(kind, text, first[:200] if first else None, tables, meta)


def _run(cmd: list[str], errors: list[str], name: str) -> str | None:
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        errors.append(f"{name}: {exc}")
        return None
    if proc.returncode != 0:
        errors.append(f"{name} exit {proc.returncode}: "
                      f"{proc.stderr.decode('utf-8', 'replace').strip()[:200]}")
        return None
    return proc.stdout.decode("utf-8", "replace")


def _antiword_text(out: str) -> tuple[str, list]:
    """antiword prints table rows as ``|cell|cell|``; turn them into ``cell | cell``."""
    return _with_tables(out, lambda raw: (
        [c for c in raw.strip()[1:-1].split("|")]
        if len(raw.strip()) >= 2 and raw.strip().startswith("|") and raw.strip().endswith("|")
        else None))


def _catdoc_text(out: str) -> tuple[str, list]:
    """catdoc separates table cells with tabs (one row per line)."""
    return _with_tables(out.replace("\x0c", "\n"),
                        lambda raw: raw.split("\t") if "\t" in raw.strip("\t") else None)


def _with_tables(out: str, cells_of) -> tuple[str, list]:
    """Lines of converter output; runs of table rows become grids (rows padded to one
    width) and ``a | b | c`` lines."""
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    table: list[list[str]] = []

    def close() -> None:
        if table:
            grid = _square(table)
            tables.append(grid)
            lines.extend(" | ".join(r) for r in grid)
            table.clear()

    for raw in out.splitlines():
        cells = cells_of(raw)
        if cells is not None:
            table.append([_norm(c) for c in cells])
            continue
        close()
        s = _norm(raw)
        if s:
            lines.append(s)
    close()
    return "\n".join(lines), tables


def _square(table: list[list[str]]) -> list[list[str]]:
    width = max(len(r) for r in table)
    return [list(r) + [""] * (width - len(r)) for r in table]
