"""OFD attachments (GB/T 33190-2016, China's fixed-layout documents) → text in reading order,
ruled tables as ``a | b | c`` lines, image-only (scanned) pages OCR'd from their images.

An OFD is a zip. ``OFD.xml`` at its root holds one ``DocBody`` per document: ``DocInfo``
(Title, Author, dates…) and ``DocRoot`` (``Doc_0/Document.xml``), which lists the pages in
order (``Pages/Page`` ``BaseLoc``: relative to Document.xml's folder, or absolute from the zip
root). A page's ``Content/Layer`` (objects may sit in nested ``PageBlock``\\ s) holds:

- ``TextObject``: ``Boundary="x y w h"`` (mm), ``Size``, optional ``CTM``; its ``TextCode``\\ s
  are Unicode runs: ``X``/``Y`` the first glyph's baseline origin in the object's space,
  ``DeltaX``/``DeltaY`` the advances to the next glyphs (``g N v``: v repeated N times). The
  text needs no font, so fonts (PublicRes/DocumentRes) are not read.
- ``PathObject``: strokes; its straight horizontal and vertical segments are table rulings.
- ``ImageObject``: a page with images and no text is a scan: its images (``ResourceID`` →
  ``MultiMedia`` in DocumentRes/PublicRes/PageRes → ``MediaFile`` under the Res file's
  ``BaseLoc``) are OCR'd in its place (ocr.with_scans; ``text_source`` 'ocr', or 'text+ocr'
  beside text pages); OCR off or failing leaves ``needs_ocr`` and the reason.

Glyphs are placed on the page (Boundary origin + CTM), grouped into lines by baseline (within
a fraction of the font size), split at wide gaps, and the page is then laid out by layout.py
exactly as a PDF page is (ruled tables on a grid, borderless rows, wrapped lines joined, the
footer's page number dropped), and the pages are read together (tables and paragraphs a page
break cuts joined: layout.document_lines). Template pages (``CommonData/TemplatePage``, referenced by a
page's ``Template``) hold what repeats on every page — running headers, footers, rules — and
are not read, like annotations (``Annotations.xml``) and signatures/seals.

Elements are matched by local name: producers write the ``ofd:`` prefix, no prefix, a prefix
they never declared, or no namespace. Hostile input is bounded (archive/extract/zipparts.py): each
zip part is read to at most MAX_PART_BYTES decompressed (a zip bomb costs no more memory than
that), all parts together to MAX_TOTAL_BYTES; at most MAX_PAGES pages and MAX_GLYPHS
characters are laid out; XML is parsed without entity expansion, network access or lxml's
huge-tree mode. Problems (missing parts, bad XML, caps reached) are reported in
``metadata["error"]``; nothing raises.
"""
from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
from typing import NamedTuple

from lxml import etree

from .layout import Glyph, PageLayout, TextLine, add_ruling, page_layout
from .ocr import OcrResult, apply_scans, ocr_page_images, unavailable, with_scans
from .result import Extraction, document
from .zipparts import PartError, Parts, xml_parser

__all__ = ["extract_ofd", "MAX_PART_BYTES", "MAX_TOTAL_BYTES", "MAX_PAGES", "MAX_GLYPHS"]

MAX_PART_BYTES = 16 * 1024 * 1024    # one XML part, decompressed: a dense table page is < 2 MB
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # every part read, together: a zip of many small bombs
MAX_PAGES = 2000
MAX_GLYPHS = 2_000_000               # characters in the document ("g 1000000 3.5" is 14 bytes)
MAX_PAGE_GLYPHS = 100_000
MAX_PAGE_RULINGS = 4_000             # table detection is quadratic in rulings

_MM = 72 / 25.4      # OFD measures in millimetres; layout.py's thresholds are in points
_ASCENT = 0.88       # a glyph's box above its baseline, × font size (pdfminer's for CJK fonts)
_DESCENT = 0.12
_LINE_TOL = 0.3      # baselines closer than this × font size are one line
_SPLIT_GAP = 2.0     # a wider gap (× font size) ends a line piece (pdfminer's char_margin)
_SPACE_GAP = 0.3     # between two TextCodes, a wider gap (× font size) is a word space
_NUM_RE = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)
_WS_RE = re.compile(r"\s+")
# Converters leave file names and "文档1" as Title: not a title (extract_pdf's rule, + .ofd/.wps)
_JUNK_TITLE_RE = re.compile(r"Microsoft|\.(?:docx?|wps|pdf|ofd)$|^文档\d*$|^Untitled|^无标题", re.I)
_PATH_ARITY = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}  # AbbreviatedData ops


def extract_ofd(body: bytes) -> Extraction:
    """Text, title, tables, needs_ocr and metadata (pages, error) of an OFD file
    (``content_type`` 'ofd'), as ``extract_pdf`` gives a PDF's. Never raises on bad input."""
    try:
        pkg = _Package(zipfile.ZipFile(io.BytesIO(body)))
    except Exception as exc:  # noqa: BLE001 - BadZipFile, but a damaged zip raises anything
        return _result([], [], None, False, {"error": f"unreadable OFD: {exc}"[:300]})
    root = pkg.xml("OFD.xml")
    if root is None:
        return _result([], [], None, False, {"error": ("unreadable OFD: " + pkg.error())[:300]})
    layouts: list[PageLayout] = []
    title = None
    pages = read = scanned = chars = 0
    glyphs_left = MAX_GLYPHS
    paths: list[tuple[str, _Media]] = []
    for doc_body in _kids(root, "DocBody"):
        title = title or _doc_title(_kid(doc_body, "DocInfo"))
        doc_path = _loc("", _text(_kid(doc_body, "DocRoot")))
        doc = pkg.xml(doc_path) if doc_path else None
        if doc is None:
            pkg.errors.append("DocBody without a readable DocRoot")
            continue
        media = _Media(pkg, doc, posixpath.dirname(doc_path))
        paths.extend((p, media) for p in _page_paths(doc, posixpath.dirname(doc_path), pkg))
    scans: list[list[str]] = []  # per page read: the zip paths of a scanned page's images
    for page_path, media in paths:
        if pages >= MAX_PAGES or glyphs_left <= 0:
            pkg.errors.append(f"stopped after {pages} pages ({MAX_PAGES} pages or "
                              f"{MAX_GLYPHS} characters at most)")
            break
        pages += 1
        page = pkg.xml(page_path)
        if page is None:
            continue
        try:
            placed, hsegs, vsegs, images = _page_objects(page, min(glyphs_left, MAX_PAGE_GLYPHS))
            glyphs_left -= len(placed)
            if len(hsegs) + len(vsegs) > MAX_PAGE_RULINGS:
                pkg.errors.append(f"{page_path}: too many rulings; tables not rebuilt")
                hsegs, vsegs = [], []
            layout = page_layout(_lines(placed), hsegs, vsegs)
        except Exception as exc:  # noqa: BLE001 - one odd page must not cost the others
            pkg.errors.append(f"{page_path}: {type(exc).__name__}: {exc}")
            continue
        read += 1
        n = layout.chars()
        chars += n
        scanned += bool(images and not n)
        scans.append(media.images(page, page_path, images) if images and not n else [])
        layouts.append(layout)
    meta: dict = {"pages": pages}
    # scanned pages are OCR'd in their place (ocr.with_scans; none: pages read together, tables
    # and paragraphs going on across page breaks, as layout.document_lines does)
    scan_pages = [i for i, images in enumerate(scans) if images]
    got = with_scans(layouts, scan_pages, lambda idx: _ocr_pages(pkg, [scans[i] for i in idx]), "ofd")
    lines, tables = got.lines, got.tables
    if pkg.errors:
        meta["error"] = pkg.error()[:300]
    # no text at all on readable pages: scanned (images not found or not read), or text drawn
    # as outlines
    needs_ocr = scanned > len(scan_pages) or (read > 0 and chars == 0 and not pkg.errors
                                              and not scan_pages)
    title = title or (lines[0][:200] if lines else None)
    return apply_scans(_result(lines, tables, title, needs_ocr, meta), got)


def _ocr_pages(pkg: _Package, pages: list[list[str]]) -> OcrResult:
    """OCR of scanned pages given as the zip paths of their images (read under the caps)."""
    why = unavailable()
    if why:  # not even read from the zip
        return OcrResult(error=why)
    data: list[list[bytes]] = []
    for paths in pages:
        images = []
        for path in paths:
            try:
                images.append(pkg.parts.read(pkg.names[path.lower()]))
            except (PartError, KeyError) as exc:
                pkg.errors.append(f"{path}: {exc}")
        data.append(images)
    return ocr_page_images(data)


def _result(lines: list[str], tables: list, title: str | None, needs_ocr: bool,
            meta: dict) -> Extraction:
    return document("ofd", "\n".join(lines), title, tables, meta, needs_ocr)


# --- the zip ---------------------------------------------------------------------------------
class _Package:
    """The zip's parts, found case-insensitively, read under the size caps (zipparts) and
    parsed; problems collected in ``errors``."""

    def __init__(self, zf: zipfile.ZipFile):
        self.parts = Parts(zf, MAX_PART_BYTES, MAX_TOTAL_BYTES)
        self.names: dict[str, str] = {}
        for name in zf.namelist():
            self.names.setdefault(name.lstrip("/").lower(), name)
        self.errors: list[str] = []

    def has(self, path: str) -> bool:
        return path.lower() in self.names

    def xml(self, path: str):
        """The root element of the part at ``path`` (from the zip root), or None with the
        reason in ``errors``; a damaged part gives what parses before the damage."""
        name = self.names.get(path.lower())
        if name is None:
            self.errors.append(f"{path}: missing")
            return None
        try:
            data = self.parts.read(name)
        except PartError as exc:
            self.errors.append(str(exc))
            return None
        return _parse(data, path, self.errors)

    def error(self) -> str:
        more = len(self.errors) - 3
        return "; ".join(self.errors[:3]) + (f" (+{more} more)" if more > 0 else "")


def _parse(data: bytes, where: str, errors: list[str]):
    parser = xml_parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        errors.append(f"{where}: bad XML: {exc}")
        return None
    # an undeclared ofd: prefix is a namespace error only: the elements are all there
    bad = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR
           and e.domain != etree.ErrorDomains.NAMESPACE]
    if bad:
        errors.append(f"{where}: bad XML: {bad[0].message} (line {bad[0].line})")
    if root is None:
        errors.append(f"{where}: no XML")
    return root


def _loc(base: str, loc: str) -> str:
    """A ST_Loc reference as a zip path: absolute from the root when it starts with "/",
    else relative to the folder ``base``; "" when there is none."""
    loc = loc.strip().replace("\\", "/")
    if not loc:
        return ""
    path = loc if loc.startswith("/") else posixpath.join(base, loc)
    return posixpath.normpath(path).lstrip("/")


def _page_paths(doc, base: str, pkg: _Package) -> list[str]:
    """Content.xml paths of a Document.xml's pages, in page order."""
    out = []
    for pages in _kids(doc, "Pages"):
        for page in pages.iter():
            if _local(page) != "Page":
                continue
            loc = _attr(page, "BaseLoc") or ""
            path = _loc(base, loc)
            if path and not pkg.has(path) and pkg.has(_loc("", loc)):
                path = _loc("", loc)  # some producers write it from the zip root
            if path:
                out.append(path)
    return out


class _Media:
    """The image files of a document's resources (``MultiMedia`` in DocumentRes/PublicRes,
    or a page's PageRes): ResourceID → zip path (a Res file's ``BaseLoc`` folder, relative to
    the Res file, then ``MediaFile``)."""

    def __init__(self, pkg: _Package, doc, base: str):
        self.pkg = pkg
        self.files: dict[str, str] = {}
        self._add(_kid(doc, "CommonData"), ("DocumentRes", "PublicRes"), base)

    def _add(self, holder, names: tuple[str, ...], base: str) -> None:
        for name in names:
            for ref in _kids(holder, name):
                path = _loc(base, _text(ref))
                if not path or not self.pkg.has(path):
                    continue
                res = self.pkg.xml(path)
                if res is None:
                    continue
                folder = _loc(posixpath.dirname(path), _attr(res, "BaseLoc") or "")
                for el in res.iter():
                    if _local(el) == "MultiMedia" and (_attr(el, "Type") or "Image").lower() == "image":
                        loc = _text(_kid(el, "MediaFile"))
                        rid = (_attr(el, "ID") or "").strip()
                        if loc and rid:
                            target = _loc(folder, loc)
                            if not self.pkg.has(target) and self.pkg.has(_loc("", loc)):
                                target = _loc("", loc)
                            self.files.setdefault(rid, target)

    def images(self, page, page_path: str, ids: list[str]) -> list[str]:
        """Zip paths of the images a page shows (its own PageRes first), those that exist."""
        self._add(page, ("PageRes",), posixpath.dirname(page_path))
        out = []
        for rid in ids:
            path = self.files.get(rid)
            if path and self.pkg.has(path) and path not in out:
                out.append(path)
            elif rid:
                self.pkg.errors.append(f"{page_path}: image {rid} not found in the resources")
        return out


# --- XML by local name ----------------------------------------------------------------------
def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rpartition("}")[2].rpartition(":")[2]


def _kids(el, name: str) -> list:
    return [c for c in el if _local(c) == name] if el is not None else []


def _kid(el, name: str):
    kids = _kids(el, name)
    return kids[0] if kids else None


def _text(el) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _attr(el, name: str) -> str | None:
    value = el.get(name)
    if value is None:
        for key, val in el.attrib.items():
            if key.rpartition("}")[2].rpartition(":")[2] == name:
                return val
    return value


def _floats(s: str | None) -> list[float]:
    """The numbers in an attribute; absurd ones (beyond 10 km, 1e999) are left out."""
    return [v for v in map(float, _NUM_RE.findall(s or "")) if abs(v) <= 1e7]


def _float(s: str | None, default: float) -> float:
    nums = _floats(s)
    return nums[0] if nums else default


def _doc_title(info) -> str | None:
    title = _WS_RE.sub(" ", _text(_kid(info, "Title"))).strip()
    if not title or _JUNK_TITLE_RE.search(title):
        return None
    return title[:200]


# --- one page --------------------------------------------------------------------------------
class _Placed(NamedTuple):
    """A glyph on the page (points, y up) with what grouping it into lines needs."""

    base: float    # baseline y
    em: float      # font size
    code: int      # which TextCode it comes from (a word space is only inferred between two)
    seq: int       # order in the file (ties)
    glyph: Glyph


def _page_objects(page, room: int) -> tuple[list[_Placed], list, list, list[str]]:
    """Glyphs (at most ``room``), rulings and the images (ResourceIDs) of a page's Content."""
    placed: list[_Placed] = []
    hsegs: list = []
    vsegs: list = []
    images: list[str] = []
    for content in _kids(page, "Content"):
        for el in content.iter():
            name = _local(el)
            if name == "TextObject" and len(placed) < room:
                _text_object(el, placed, room)
            elif name == "PathObject" and len(hsegs) + len(vsegs) <= MAX_PAGE_RULINGS:
                _path_object(el, hsegs, vsegs)
            elif name == "ImageObject":
                images.append((_attr(el, "ResourceID") or "").strip())
    return placed, hsegs, vsegs, images


def _frame(obj) -> tuple[float, float, list[float]]:
    """Where a graphic object's own space sits: its Boundary origin and CTM (a b c d e f)."""
    box = _floats(_attr(obj, "Boundary"))
    ctm = _floats(_attr(obj, "CTM"))
    if len(ctm) != 6:
        ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    return (box[0], box[1], ctm) if len(box) >= 2 else (0.0, 0.0, ctm)


def _to_page(frame: tuple, x: float, y: float) -> tuple[float, float]:
    """A point of an object's space on the page: points, y growing upwards (layout.py's)."""
    ox, oy, (a, b, c, d, e, f) = frame
    return (ox + a * x + c * y + e) * _MM, -(oy + b * x + d * y + f) * _MM


def _deltas(spec: str | None, n: int) -> list[float]:
    """The first ``n`` advances of a DeltaX/DeltaY list (``g N v``: v repeated N times)."""
    out: list[float] = []
    tokens = (spec or "").split()
    i = 0
    while i < len(tokens) and len(out) < n:
        if tokens[i] == "g" and i + 2 < len(tokens):
            out.extend([_float(tokens[i + 2], 0)] * _repeat(tokens[i + 1], n - len(out)))
            i += 3
        else:
            out.append(_float(tokens[i], 0))
            i += 1
    return out


def _repeat(token: str, most: int) -> int:
    """The N of "g N v", at most ``most`` (a repeat of 10^5000 costs nothing either)."""
    if not (token.isascii() and token.isdigit()):
        return 0
    return min(int(token), most) if len(token) <= 12 else most


def _advance(ch: str) -> float:
    """Estimated advance of a glyph in ems, where no DeltaX says it (no font metrics here)."""
    return 0.5 if ord(ch) < 0x2e80 else 1.0


def _text_object(obj, placed: list[_Placed], room: int) -> None:
    frame = _frame(obj)
    a, b, c, d = frame[2][:4]
    size = _float(_attr(obj, "Size"), 3.5)
    em = size * _MM * (math.sqrt(abs(a * d - b * c)) or 1.0)  # on the page, in points
    x = y = 0.0
    for code in _kids(obj, "TextCode"):
        text = "".join(code.itertext())
        x, y = _float(_attr(code, "X"), x), _float(_attr(code, "Y"), y)  # absent: the last
        dx = _deltas(_attr(code, "DeltaX"), len(text) - 1)
        dy = _deltas(_attr(code, "DeltaY"), len(text) - 1)
        runs = list(text)
        if sum(map(abs, dy)) > sum(map(abs, dx)):
            runs, dx, dy = [text], [], []  # vertical text: kept as one run at its start
        code_no = len(placed)
        gx, gy = x, y
        for i, run in enumerate(runs):
            if len(placed) >= room:
                return
            width = size * (_advance(run) if len(run) == 1 else 1.0)
            (x0, base), (x1, _) = _to_page(frame, gx, gy), _to_page(frame, gx + width, gy)
            x0, x1 = min(x0, x1), max(x0, x1)
            placed.append(_Placed(base, em, code_no, len(placed),
                                  Glyph(x0, base - _DESCENT * em, x1, base + _ASCENT * em, run)))
            gx += dx[i] if i < len(dx) else width
            gy += dy[i] if i < len(dy) else 0.0


def _path_object(obj, hsegs: list, vsegs: list) -> None:
    """File the straight horizontal/vertical segments of a path as rulings."""
    if (_attr(obj, "Stroke") or "").lower() == "false" and \
            (_attr(obj, "Fill") or "").lower() != "true":
        return  # draws nothing
    frame = _frame(obj)
    data = _kid(obj, "AbbreviatedData")
    tokens = (data.text or "").split() if data is not None else []
    start = cur = None
    i = 0
    while i < len(tokens):
        op = tokens[i]
        arity = _PATH_ARITY.get(op)
        if arity is None:
            i += 1
            continue
        nums = _floats(" ".join(tokens[i + 1:i + 1 + arity]))
        i += 1 + arity
        if len(nums) < arity:
            continue
        point = _to_page(frame, nums[-2], nums[-1]) if arity else start
        if op == "L" or op == "C":
            if cur is not None and point is not None:
                (x0, y0), (x1, y1) = cur, point
                add_ruling(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), False,
                           hsegs, vsegs)
        elif op in ("S", "M"):
            start = point
        cur = point  # curves (Q, B, A) only move the pen


def _lines(placed: list[_Placed]) -> list[TextLine]:
    """Glyphs grouped into lines by baseline, left to right; a line is split at a wide gap
    (layout.py tells cells of a borderless table from words of one phrase), and a space is
    put where two TextCodes leave a word-wide gap (a glyph of a code carries no spaces)."""
    placed = sorted(placed, key=lambda p: (-p.base, p.glyph.x0, p.seq))
    groups: list[list[_Placed]] = []
    for p in placed:  # against the group's first (highest) baseline: no drifting chains
        if groups and groups[-1][0].base - p.base <= _LINE_TOL * max(p.em, groups[-1][0].em):
            groups[-1].append(p)
        else:
            groups.append([p])
    lines: list[TextLine] = []
    for group in groups:
        group.sort(key=lambda p: (p.glyph.x0, p.seq))
        items: list = []
        prev = None
        for p in group:
            if prev is not None:
                gap, em = p.glyph.x0 - prev.glyph.x1, max(p.em, prev.em)
                if gap > _SPLIT_GAP * em:
                    lines.append(_text_line(items))
                    items = []
                elif p.code != prev.code and gap > _SPACE_GAP * em:
                    items.append(" ")
            items.append(p.glyph)
            prev = p
        lines.append(_text_line(items))
    return lines


def _text_line(items: list) -> TextLine:
    return TextLine(max(g.y1 for g in items if not isinstance(g, str)), items)
