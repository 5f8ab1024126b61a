"""Word-processor attachments → text: DOCX (OOXML) read directly, legacy DOC and WPS through
Debian's converters (antiword, falling back to catdoc).

DOCX: paragraphs and tables in document order; a table row is one line ``a | b | c`` on a
grid where ``gridSpan`` (colspan) leaves empty strings after the text and ``vMerge``
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

__all__ = ["extract_docx", "extract_doc", "docx_main_part"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{%s}" % W
_WS_RE = re.compile(r"\s+")
_TIMEOUT = 60


def docx_main_part(zf: zipfile.ZipFile) -> str | None:
    """Name of the main document part (word/document.xml unless [Content_Types] says else)."""
    names = set(zf.namelist())
    try:
        ct = etree.fromstring(zf.read("[Content_Types].xml"))
        for o in ct:
            ctype = o.get("ContentType") or ""
            if "wordprocessingml.document.main" in ctype or "word.document.macroEnabled.main" \
                    in ctype or "wordprocessingml.template.main" in ctype:
                name = (o.get("PartName") or "").lstrip("/")
                if name in names:
                    return name
    except (KeyError, etree.XMLSyntaxError):
        pass
    return "word/document.xml" if "word/document.xml" in names else None


def extract_docx(body: bytes) -> dict:
    try:
        zf = zipfile.ZipFile(io.BytesIO(body))
        part = docx_main_part(zf)
        if part is None:
            raise ValueError("no word/document.xml")
        root = etree.fromstring(zf.read(part), etree.XMLParser(huge_tree=True, recover=True))
    except (zipfile.BadZipFile, ValueError, KeyError, etree.XMLSyntaxError) as exc:
        return {"text": "", "title": None, "tables": [],
                "metadata": {"error": f"unreadable DOCX: {exc}"[:300]}}
    body_el = root.find(_W + "body")
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    if body_el is not None:
        _blocks(body_el, lines, tables)
    title = _core_title(zf) or (lines[0][:200] if lines else None)
    return {"text": "\n".join(lines), "title": title, "tables": tables, "metadata": {}}


def _blocks(parent, lines: list[str], tables: list) -> None:
    for child in parent:
        tag = child.tag
        if tag == _W + "p":
            text = _para_text(child)
            if text:
                lines.append(text)
        elif tag == _W + "tbl":
            grid = _table_grid(child)
            if grid:
                tables.append(grid)
                lines.extend(" | ".join(row) for row in grid)
        elif tag in (_W + "sdt", _W + "customXml", _W + "ins", _W + "smartTag"):
            inner = child.find(_W + "sdtContent") if tag == _W + "sdt" else child
            if inner is not None:
                _blocks(inner, lines, tables)


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


def _table_grid(tbl) -> list[list[str]]:
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
                text = _cell_text(tc)
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


def _cell_text(tc) -> str:
    lines: list[str] = []
    tables: list = []
    _blocks(tc, lines, tables)
    return _norm(" ".join(lines))


def _core_title(zf: zipfile.ZipFile) -> str | None:
    try:
        core = etree.fromstring(zf.read("docProps/core.xml"))
    except (KeyError, etree.XMLSyntaxError):
        return None
    for el in core.iter("{http://purl.org/dc/elements/1.1/}title"):
        t = _WS_RE.sub(" ", el.text or "").strip()
        if t and not re.match(r"^(文档\d*|Document\d*|Untitled|无标题)$", t, re.I):
            return t
    return None


# --- legacy binary Word / WPS -----------------------------------------------------------
def extract_doc(body: bytes, kind: str = "doc") -> dict:
    """DOC or WPS via antiword (UTF-8 output, tables as |cell|cell| rows), else catdoc."""
    errors: list[str] = []
    antiword = shutil.which("antiword")
    catdoc = shutil.which("catdoc")
    if not antiword and not catdoc:
        return {"text": "", "title": None, "tables": [], "metadata": {
            "error": f"cannot convert {kind.upper()}: neither antiword nor catdoc is installed "
                     "(apt-get install antiword catdoc)"}}
    with tempfile.NamedTemporaryFile(suffix="." + kind, delete=False) as fh:
        fh.write(body)
        path = fh.name
    try:
        if antiword:
            out = _run([antiword, "-m", "UTF-8.txt", "-w", "0", path], errors, "antiword")
            if out is not None and out.strip():
                text, tables = _antiword_text(out)
                if text:
                    return _doc_result(text, tables, "antiword", errors)
        if catdoc:
            out = _run([catdoc, "-d", "utf-8", "-w", path], errors, "catdoc")
            if out is not None and out.strip():
                text, tables = _catdoc_text(out)
                if text:
                    return _doc_result(text, tables, "catdoc", errors)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return {"text": "", "title": None, "tables": [], "metadata": {
        "error": f"cannot convert {kind.upper()}: " + ("; ".join(errors) or "no text found")}}


def _doc_result(text: str, tables: list, converter: str, errors: list[str]) -> dict:
    meta: dict = {"converter": converter}
    if errors:
        meta["converter_warnings"] = "; ".join(errors)[:300]
    first = next((ln for ln in text.splitlines() if ln.strip()), None)
    return {"text": text, "title": first[:200] if first else None, "tables": tables,
            "metadata": meta}


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
