"""Spreadsheet attachments (the 统计表 annex of many reports) → table rows.

XLSX is read straight from its zip with lxml (shared strings, inline strings, merged cells:
a merged block keeps its text in its first column, the other columns of the block stay
empty, and the text repeats in every row the block covers — the HTML/DOCX grid contract).
Legacy XLS (and WPS's ET, the same compound-file format) is read with xlrd (merged cells
resolved the same way), else through ``xls2csv`` from Debian's catdoc package. Each sheet becomes one table: its name on a line, then one
``a | b | c`` line per non-empty row.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import tempfile
import zipfile

from lxml import etree

from .result import Extraction, document
from .zipparts import Parts

__all__ = ["extract_xlsx", "extract_xls"]

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL_RE = re.compile(r"^([A-Z]+)(\d+)$")
_WS_RE = re.compile(r"\s+")


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _ref(ref: str) -> tuple[int, int] | None:
    m = _CELL_RE.match(ref or "")
    return (int(m.group(2)) - 1, _col(m.group(1))) if m else None


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(_NS + "t"))


def _norm(s: str) -> str:
    from .html_text import normalise_inline
    return normalise_inline(s)


def extract_xlsx(body: bytes) -> Extraction:
    """Every sheet of an XLSX as a table (merged cells resolved), ``content_type`` 'other'."""
    try:
        parts = Parts(zipfile.ZipFile(io.BytesIO(body)))  # size caps: see zipparts
        shared: list[str] = []
        if "xl/sharedStrings.xml" in parts:
            sst = parts.xml("xl/sharedStrings.xml")
            shared = [_text(si) for si in sst.iter(_NS + "si")]
        wb = parts.xml("xl/workbook.xml")
        rels = {}
        if "xl/_rels/workbook.xml.rels" in parts:
            for r in parts.xml("xl/_rels/workbook.xml.rels"):
                target = r.get("Target") or ""
                target = target.lstrip("/")
                rels[r.get("Id")] = target if target.startswith("xl/") else "xl/" + target
        sheets = []
        for i, sh in enumerate(wb.iter(_NS + "sheet"), 1):
            path = rels.get(sh.get(_REL + "id"), f"xl/worksheets/sheet{i}.xml")
            if path in parts:
                sheets.append((sh.get("name") or f"Sheet{i}", path))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        return document("other", metadata={"error": f"unreadable XLSX: {exc}"[:300]})
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    errors: list[str] = []
    for name, path in sheets:
        try:
            grid = _sheet_grid(parts.xml(path), shared)
        except (ValueError, etree.XMLSyntaxError) as exc:  # one bad sheet: keep the others
            errors.append(str(exc))
            continue
        if not grid:
            continue
        tables.append(grid)
        if len(sheets) > 1:
            lines.append(name)
        lines.extend(" | ".join(r) for r in grid)
    meta = {"format": "xlsx"}
    if errors:
        meta["error"] = "; ".join(errors)[:300]
    return document("other", "\n".join(lines), _title(tables), tables, meta)


def _title(tables: list) -> str | None:
    """The first non-empty cell: a 统计表's caption row."""
    for grid in tables:
        for row in grid:
            for cell in row:
                if cell:
                    return cell[:200]
    return None


def _sheet_grid(ws, shared: list[str]) -> list[list[str]]:
    cells: dict[tuple[int, int], str] = {}
    for c in ws.iter(_NS + "c"):
        pos = _ref(c.get("r"))
        if pos is None:
            continue
        t = c.get("t")
        if t == "inlineStr":
            value = _text(c)
        else:
            v = c.find(_NS + "v")
            value = v.text if v is not None and v.text else ""
            if t == "s" and value.strip().isdigit():
                idx = int(value)
                value = shared[idx] if idx < len(shared) else ""
        value = _norm(value)
        if value:
            cells[pos] = value
    if not cells:
        return []
    n_rows = max(r for r, _ in cells) + 1
    n_cols = max(c for _, c in cells) + 1
    for mc in ws.iter(_NS + "mergeCell"):
        a, _, b = (mc.get("ref") or "").partition(":")
        p, q = _ref(a), _ref(b)
        if p and q:
            n_rows, n_cols = max(n_rows, q[0] + 1), max(n_cols, q[1] + 1)
    if n_rows * n_cols > 2_000_000:
        return []
    grid = [[""] * n_cols for _ in range(n_rows)]
    for (r, c), v in cells.items():
        grid[r][c] = v
    for mc in ws.iter(_NS + "mergeCell"):
        a, _, b = (mc.get("ref") or "").partition(":")
        p, q = _ref(a), _ref(b)
        if not p or not q:
            continue
        text = grid[p[0]][p[1]]
        for r in range(p[0], q[0] + 1):
            for c in range(p[1], q[1] + 1):
                grid[r][c] = text if c == p[1] else ""
    grid = [row for row in grid if any(row)]
    keep = [c for c in range(n_cols) if any(row[c] for row in grid)]
    if keep and keep[-1] < n_cols - 1:  # trailing empty columns only (no column shifts)
        grid = [row[: keep[-1] + 1] for row in grid]
    return grid


def extract_xls(body: bytes) -> Extraction:
    """Legacy XLS / ET: xlrd (merged cells resolved), else catdoc's xls2csv."""
    try:
        import xlrd
    except ImportError:
        return _xls2csv(body)
    try:
        book = xlrd.open_workbook(file_contents=body, formatting_info=True,
                                  on_demand=True, logfile=io.StringIO())
    except Exception:  # noqa: BLE001 - xlrd raises many kinds; formatting_info fails on some
        try:
            book = xlrd.open_workbook(file_contents=body, on_demand=True,
                                      logfile=io.StringIO())
        except Exception as exc:  # noqa: BLE001
            out = _xls2csv(body)
            out.metadata.setdefault("xlrd_error", f"{type(exc).__name__}: {exc}"[:200])
            return out
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    names = book.sheet_names()
    for idx, name in enumerate(names):
        sh = book.sheet_by_index(idx)
        grid = [[_norm(_xls_value(sh.cell(r, c), book)) for c in range(sh.ncols)]
                for r in range(sh.nrows)]
        for r0, r1, c0, c1 in getattr(sh, "merged_cells", []) or []:
            if r0 >= len(grid) or c0 >= sh.ncols:
                continue
            text = grid[r0][c0]
            for r in range(r0, min(r1, len(grid))):
                for c in range(c0, min(c1, sh.ncols)):
                    grid[r][c] = text if c == c0 else ""
        grid = [row for row in grid if any(row)]
        if not grid:
            continue
        width = max((max((i for i, v in enumerate(row) if v), default=0) for row in grid)) + 1
        grid = [row[:width] for row in grid]
        tables.append(grid)
        if len(names) > 1:
            lines.append(name)
        lines.extend(" | ".join(r) for r in grid)
    return document("other", "\n".join(lines), _title(tables), tables, {"format": "xls"})


def _xls_value(cell, book) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_NUMBER:
        v = cell.value
        return str(int(v)) if float(v).is_integer() else repr(v)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            y, m, d, hh, mm, ss = xlrd.xldate_as_tuple(cell.value, book.datemode)
            return f"{y:04d}-{m:02d}-{d:02d}"
        except Exception:  # noqa: BLE001
            return str(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    return str(cell.value)


def _xls2csv(body: bytes) -> Extraction:
    """catdoc's xls2csv (garbles CJK shared strings of some writers: last resort)."""
    tool = shutil.which("xls2csv")
    if not tool:
        return document("other", metadata={
            "format": "xls", "error": "cannot convert XLS: xls2csv is not installed "
                                      "(apt-get install catdoc)"})
    with tempfile.NamedTemporaryFile(suffix=".xls") as fh:
        fh.write(body)
        fh.flush()
        try:
            proc = subprocess.run([tool, "-d", "utf-8", "-q", "0", fh.name],
                                  capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return document("other", metadata={"format": "xls", "error": f"xls2csv: {exc}"[:300]})
    if proc.returncode != 0:
        return document("other", metadata={
            "format": "xls", "error": "xls2csv exit %d: %s" % (
                proc.returncode, proc.stderr.decode("utf-8", "replace").strip()[:200])})
    out = proc.stdout.decode("utf-8", "replace")
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    for sheet in out.split("\x0c"):
        rows = [[_norm(c) for c in row] for row in csv.reader(io.StringIO(sheet, newline=""))]
        rows = [r for r in rows if any(r)]
        if not rows:
            continue
        width = max(len(r) for r in rows)
        grid = [r + [""] * (width - len(r)) for r in rows]
        tables.append(grid)
        lines.extend(" | ".join(r) for r in grid)
    return document("other", "\n".join(lines), _title(tables), tables, {"format": "xls"})
