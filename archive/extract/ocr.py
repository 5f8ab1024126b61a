"""OCR of scanned documents: image-only PDFs, the scanned pages of mixed PDFs, the page images
of scanned OFDs and of reports published as ``<img>`` scans (issue 17).

Engine: Debian's ``tesseract-ocr`` with ``tesseract-ocr-chi-sim`` (simplified Chinese model),
pages of a PDF rendered by poppler's ``pdftoppm`` (``poppler-utils``). Measured against
``rapidocr-onnxruntime`` (PyPI, PP-OCR models in the wheel) on a farm report rendered at
150 dpi (bench/README, "OCR"): tesseract char-F1 0.986 at 1.9 CPU s/page, rapidocr 0.993 at
9.9 CPU s/page, both single-threaded. Both pass the 0.95 target; tesseract is kept as the
default for its cost (five times cheaper on a 2-core machine that crawls while it extracts).
rapidocr stays selectable (``NIANBAO_OCR_ENGINE=rapidocr``, ``pip install rapidocr-onnxruntime``).

Settings (environment, read per call so a worker process sees the crawl's):

- ``NIANBAO_OCR`` = ``on`` (default) | ``off``: off leaves scans as ``needs_ocr`` with the
  error "OCR off (NIANBAO_OCR=off)".
- ``NIANBAO_OCR_MAX_PAGES`` (default 30): pages OCR'd per document; a longer scan gets the
  first pages and an error saying how many were left out. In a mixed document (text pages and
  scanned pages) only the scanned pages count.
- ``NIANBAO_OCR_ENGINE`` = ``tesseract`` (default) | ``rapidocr``.

Time: each page OCR'd adds ``PAGE_SECONDS`` to the document's extraction budget
(``budget.allow_more_time``), so a scan of ``NIANBAO_OCR_MAX_PAGES`` pages at ~2 CPU s a page
is not killed by the 60 s per-document budget meant for stuck parsers.

Every function here is pure with respect to the index (bytes in, text out); failures are
returned as ``OcrResult.error`` strings, never raised, so the extraction pool records them.

A document with text pages and scanned pages (``with_scans``): the text pages are laid out as
usual (layout.py), each scanned page's OCR lines take its place in page order, and the result
says which (``text_source`` 'text+ocr'; 'ocr' when no page had text of its own).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from archive import env_number

from .layout import PageLayout, document_lines
from .result import Extraction

__all__ = ["OcrResult", "ocr_enabled", "max_pages", "engine_name", "unavailable",
           "ocr_image", "ocr_pdf", "ocr_page_images", "with_scans", "apply_scans", "Scans",
           "is_image", "DPI"]

DPI = 150          # rendering resolution of PDF pages (what the measurements used)
_TIMEOUT = 120     # seconds per page and engine call
PAGE_SECONDS = 20.0  # budget added per page OCR'd: ~10x the measured 1.6-2.6 CPU s a page
_MIN_CONF = 30.0   # tesseract word confidence (0..100) below which a word is dropped
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass
class OcrResult:
    """Text of the OCR'd pages (one line per recognised line, ``a | b`` where a wide gap
    separates words of a line: table cells), mean word confidence (0..1), pages done."""

    text: str = ""
    confidence: float | None = None
    engine: str = ""
    pages: int = 0
    error: str | None = None
    confidences: list[float] = field(default_factory=list, repr=False)
    page_texts: list[str] = field(default_factory=list, repr=False)  # per page OCR'd, in order


def ocr_enabled() -> bool:
    """NIANBAO_OCR is not 'off'/'0'/'no'/'false'."""
    return os.environ.get("NIANBAO_OCR", "on").strip().lower() not in ("off", "0", "no", "false")


def max_pages() -> int:
    """NIANBAO_OCR_MAX_PAGES (default 30; at least 1); ValueError naming the variable and its
    value for one that is not a number (it was silently 30)."""
    return max(1, env_number("NIANBAO_OCR_MAX_PAGES", 30))


def engine_name() -> str:
    """NIANBAO_OCR_ENGINE: 'tesseract' (default) or 'rapidocr'."""
    name = os.environ.get("NIANBAO_OCR_ENGINE", "tesseract").strip().lower()
    return name if name in ("tesseract", "rapidocr") else "tesseract"


def unavailable(pdf: bool = False) -> str | None:
    """Why OCR cannot run here (an actionable message), or None."""
    if not ocr_enabled():
        return "OCR off (NIANBAO_OCR=off)"
    if pdf and not shutil.which("pdftoppm"):
        return "OCR unavailable: pdftoppm not installed (apt-get install poppler-utils)"
    if engine_name() == "rapidocr":
        try:
            import rapidocr_onnxruntime  # noqa: F401
        except ImportError as exc:
            return f"OCR unavailable: {exc} (pip install rapidocr-onnxruntime)"
        return None
    if not shutil.which("tesseract"):
        return "OCR unavailable: tesseract not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    langs = _tesseract_langs()
    if "chi_sim" not in langs:
        return "OCR unavailable: tesseract has no chi_sim model (apt-get install tesseract-ocr-chi-sim)"
    return None


_LANGS: set[str] | None = None


def _tesseract_langs() -> set[str]:
    global _LANGS
    if _LANGS is None:
        try:
            out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, timeout=30,
                                 check=False).stdout.decode("utf-8", "replace")
            _LANGS = {ln.strip() for ln in out.splitlines()[1:] if ln.strip()}
        except (OSError, subprocess.TimeoutExpired):
            _LANGS = set()
    return _LANGS


_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM",
                b"II*\x00", b"MM\x00*")


def is_image(body: bytes) -> bool:
    """JPEG, PNG, GIF, BMP or TIFF by its signature."""
    return body.startswith(_IMAGE_MAGIC) or (body[:4] == b"RIFF" and body[8:12] == b"WEBP")


def _join_words(words: list[tuple[int, int, int, str]]) -> str:
    """Words (left, width, height, text) of one line → text: no space between CJK words
    (tesseract splits Chinese into single-character words), one space between Latin words,
    `` | `` across a gap wider than two character heights (a table's next cell)."""
    out = ""
    prev_right = None
    for left, width, height, word in sorted(words):
        if prev_right is not None:
            gap = left - prev_right
            if gap > 2.0 * max(height, 1):
                out += " | "
            elif not (_CJK.search(out[-1:]) or _CJK.search(word[:1])):
                out += " "
        out += word
        prev_right = left + width
    return out


def _tesseract(path: str) -> tuple[list[str], list[float]]:
    """Lines and word confidences (0..1) of one image, from tesseract's TSV output."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # the extraction pool is the parallelism
    proc = subprocess.run(["tesseract", path, "-", "-l", "chi_sim", "--psm", "6", "tsv"],
                          capture_output=True, timeout=_TIMEOUT, check=False, env=env)
    if proc.returncode != 0:
        err = " ".join(proc.stderr.decode("utf-8", "replace").split())  # one line for the row
        raise RuntimeError(f"tesseract exit {proc.returncode}: {err[:200]}")
    lines: dict[tuple, list] = {}
    confs: list[float] = []
    for row in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        try:
            conf = float(f[10])
        except ValueError:
            continue
        if conf < _MIN_CONF:  # noise, stamps, photos: tesseract's guesses below this are junk
            continue
        key = (int(f[2]), int(f[3]), int(f[4]))  # block, paragraph, line
        lines.setdefault(key, []).append((int(f[6]), int(f[8]), int(f[9]), f[11].strip()))
        confs.append(conf / 100)
    return [_join_words(words) for _, words in sorted(lines.items())], confs


_RAPID = None


def _rapidocr(path: str) -> tuple[list[str], list[float]]:
    global _RAPID
    if _RAPID is None:
        from rapidocr_onnxruntime import RapidOCR
        _RAPID = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    res, _ = _RAPID(path)
    return [r[1] for r in res or []], [float(r[2]) for r in res or []]


def _ocr_files(pages: list[list[str]], result: OcrResult) -> OcrResult:
    """OCR the image files of each page (a page may be several images: tiles of a scan)."""
    from .budget import allow_more_time
    from .html_text import normalise_inline

    run = _rapidocr if engine_name() == "rapidocr" else _tesseract
    result.engine = engine_name()
    lines: list[str] = []
    for paths in pages:
        allow_more_time(PAGE_SECONDS)  # OCR is slow by nature; the page cap bounds it
        page: list[str] = []
        try:
            for p in paths:
                image_lines, confs = run(p)
                page.extend(s for s in (normalise_inline(x) for x in image_lines) if s)
                result.confidences.extend(confs)
        except Exception as exc:  # noqa: BLE001 - an engine failure is data, not a crash
            result.error = f"OCR failed: {type(exc).__name__}: {exc}"[:300]
            break
        lines.extend(page)
        result.page_texts.append("\n".join(page))
        result.pages += 1
    result.text = "\n".join(lines)
    if result.confidences:
        result.confidence = round(sum(result.confidences) / len(result.confidences), 4)
    if not result.text and result.error is None:
        result.error = f"OCR found no text ({result.engine}, {result.pages} pages)"
    return result


def ocr_image(body: bytes) -> OcrResult:
    """Text of one page image (a scan published as ``<img>``)."""
    why = unavailable()
    if why:
        return OcrResult(error=why)
    with tempfile.TemporaryDirectory(prefix="nianbao-ocr-") as tmp:
        path = os.path.join(tmp, "page")
        Path(path).write_bytes(body)
        return _ocr_files([[path]], OcrResult())


def ocr_page_images(pages: list[list[bytes]]) -> OcrResult:
    """Text of scanned pages given as their images (an OFD's scanned pages: one or more
    images each), at most ``NIANBAO_OCR_MAX_PAGES`` pages; ``page_texts`` per page OCR'd."""
    why = unavailable()
    if why:
        return OcrResult(error=why)
    cap = max_pages()
    with tempfile.TemporaryDirectory(prefix="nianbao-ocr-") as tmp:
        paths = []
        for k, images in enumerate(pages[:cap]):
            paths.append([])
            for j, data in enumerate(images):
                path = os.path.join(tmp, f"p{k}-{j}")
                Path(path).write_bytes(data)
                paths[-1].append(path)
        result = _ocr_files(paths, OcrResult())
    if result.error is None and len(pages) > result.pages:
        result.error = (f"OCR partial: {result.pages} of {len(pages)} scanned pages "
                        f"(NIANBAO_OCR_MAX_PAGES={cap})")
    return result


def ocr_pdf(body: bytes, n_pages: int | None = None, only: list[int] | None = None) -> OcrResult:
    """Text of a scanned PDF: its first ``NIANBAO_OCR_MAX_PAGES`` pages OCR'd, each page from
    its own scan image where it is one (``_page_image``), else rendered at ``DPI`` (grey).
    ``n_pages``: the PDF's page count if known (says how many were left). ``only``: these
    pages (1-based, in order; a mixed PDF's scanned pages), at most ``NIANBAO_OCR_MAX_PAGES``
    of them; ``page_texts`` holds one text per page OCR'd."""
    why = unavailable(pdf=True)
    if why:
        return OcrResult(error=why)
    with tempfile.TemporaryDirectory(prefix="nianbao-ocr-") as tmp:
        src = os.path.join(tmp, "in.pdf")
        Path(src).write_bytes(body)
        if only is None:
            total = n_pages or _page_count(src)
            if not total:
                return OcrResult(error="OCR failed: pdfinfo found no page count")
            pages = list(range(1, total + 1))
        else:
            pages = list(only)
        cap = max_pages()
        files: list[list[str]] = []
        for n in pages[:cap]:
            path, err = _page_image(src, n, os.path.join(tmp, f"s{n}"))
            if path is None:
                return OcrResult(error=err)
            files.append([path])
        result = _ocr_files(files, OcrResult())
    if result.error is None and len(pages) > result.pages:
        what = "scanned pages" if only is not None else "pages"
        result.error = (f"OCR partial: {result.pages} of {len(pages)} {what} "
                        f"(NIANBAO_OCR_MAX_PAGES={cap})")
    return result


def _page_count(src: str) -> int:
    try:
        out = subprocess.run(["pdfinfo", src], capture_output=True, timeout=_TIMEOUT, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return 0
    m = re.search(rb"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else 0


def _page_image(src: str, n: int, out: str) -> tuple[str | None, str | None]:
    """The image file to OCR for page ``n``: the page's own scan when the page is one image
    (pdfimages: the scanner's pixels; re-rendering them with pdftoppm lost 5 of 8 table
    digits on a farm scan), else the page rendered at ``DPI``. (path, None) or (None, why)."""
    try:
        listing = subprocess.run(["pdfimages", "-list", "-f", str(n), "-l", str(n), src],
                                 capture_output=True, timeout=_TIMEOUT, check=False).stdout.decode("ascii", "replace")
        rows = [r.split() for r in listing.splitlines()[2:] if r.strip()]
        images = [r for r in rows if len(r) > 13 and r[2] == "image"]
        info = subprocess.run(["pdfinfo", "-f", str(n), "-l", str(n), src], capture_output=True,
                              timeout=_TIMEOUT, check=False).stdout
        rot = re.search(rb"rot:\s+(\d+)", info)
        rotated = rot is None or rot.group(1) != b"0"  # pdfimages would not turn the scan
        if len(images) == 1 and len(rows) == 1 and not rotated and 100 <= float(images[0][12]) <= 600:
            subprocess.run(["pdfimages", "-png", "-f", str(n), "-l", str(n), src, out],
                           capture_output=True, timeout=_TIMEOUT, check=False)
            extracted = sorted(Path(out).parent.glob(Path(out).name + "-*.png"))
            if len(extracted) == 1:
                return str(extracted[0]), None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        pass  # render it instead
    try:
        proc = subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile",
                               "-f", str(n), "-l", str(n), src, out],
                              capture_output=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"OCR failed: pdftoppm: {exc}"[:300]
    if not os.path.exists(out + ".png"):
        err = proc.stderr.decode("utf-8", "replace").strip()[:200]
        return None, f"OCR failed: pdftoppm rendered no page {n} ({err or 'exit %d' % proc.returncode})"
    return out + ".png", None


@dataclass
class Scans:
    """A document read with its scanned pages OCR'd in place (``with_scans``)."""

    lines: list[str]
    tables: list[list[list[str]]]
    ocr: OcrResult | None = None  # None: no scanned page
    text_pages: int = 0           # pages with text of their own that gave lines
    error: str | None = None      # why some scanned pages have no text (off, failed, cap)
    needs_ocr: bool = False       # scanned pages left unread (OCR off, unavailable, failed)


def with_scans(layouts: list[PageLayout], scanned: list[int],
               ocr: Callable[[list[int]], OcrResult], kind: str) -> Scans:
    """Lines and tables of a document whose pages ``scanned`` (0-based, ascending) are
    images: the other pages laid out together as usual (layout.document_lines, in runs
    between scanned pages), each scanned page's OCR text in its place, in page order.
    ``ocr(page_indexes)`` reads the scanned pages (at most NIANBAO_OCR_MAX_PAGES of them:
    the rest are said in ``error``). Without scanned pages: exactly document_lines."""
    if not scanned:
        lines, tables = document_lines(layouts)
        return Scans(lines, tables)
    res = ocr(scanned)
    texts = dict(zip(scanned, res.page_texts))
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    run: list[PageLayout] = []
    text_pages = 0

    def flush() -> None:
        nonlocal text_pages
        if run:
            more, more_tables = document_lines(run)
            lines.extend(more)
            tables.extend(more_tables)
            text_pages += sum(1 for p in run if p.chars())
            run.clear()

    todo = set(scanned)
    for i, layout in enumerate(layouts):
        if i in todo:
            flush()
            lines.extend(ln for ln in texts.get(i, "").splitlines() if ln)
        else:
            run.append(layout)
    flush()
    pages = ", ".join(str(i + 1) for i in scanned[:10]) + (" …" if len(scanned) > 10 else "")
    where = f"{len(scanned)} of {len(layouts)} {kind.upper()} pages are scanned images (pages {pages})"
    error = res.error  # "OCR partial: k of n scanned pages (NIANBAO_OCR_MAX_PAGES=k)" says it all
    # scanned pages left unread: OCR off, unavailable, failed, or it found nothing at all
    unread = not res.text or (error or "").startswith("OCR failed")
    if unread:
        error = f"{error or 'OCR found no text'}: {where}"
    return Scans(lines, tables, res, text_pages, error[:300] if error else None, unread)


def apply_scans(ex: Extraction, scans: Scans) -> Extraction:
    """Put what ``with_scans`` found into a document's Extraction (pdf.py, ofd.py): the
    OCR engine, mean confidence and pages, ``text_source`` 'text+ocr' (or 'ocr' when no page
    had text of its own), the scanned pages left unread as ``needs_ocr`` and the reason as
    its error (after any error of the document's own)."""
    res = scans.ocr
    if res is None:
        return ex
    if res.text:
        ex.text_source = "text+ocr" if scans.text_pages else "ocr"
        ex.ocr_engine = res.engine
        ex.ocr_confidence = res.confidence
        ex.metadata["ocr_pages"] = res.pages
    ex.needs_ocr = ex.needs_ocr or scans.needs_ocr
    if scans.error:
        old = ex.metadata.get("error")
        ex.metadata["error"] = (f"{old}; {scans.error}" if old else scans.error)[:300]
    return ex
