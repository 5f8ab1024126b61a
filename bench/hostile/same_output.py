"""Extraction output of a fixed corpus, as one JSON file, to show a change leaves normal
documents byte-identical: the labelled pages of bench/extract, the HTML/PDF/DOCX/OFD fixtures
under tests/ and farm/, the farm's seed reports rendered as PDF (layout and plain) and DOCX.

    .venv/bin/python -m bench.hostile.same_output OUT.json   # run before and after; cmp them
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def corpus():
    """(name, body, url, content_type) of every document compared."""
    from bench.extract.cases import all_cases
    for c in all_cases():
        yield f"bench/{c.name}", c.body, c.url, c.content_type
    for top in ("tests", "farm"):
        for p in sorted((ROOT / top).rglob("*")):
            if p.is_file() and p.suffix.lower() in (".html", ".htm", ".shtml", ".pdf", ".docx", ".ofd", ".doc"):
                yield str(p.relative_to(ROOT)), p.read_bytes(), f"http://www.example.gov.cn/{p.name}", None
    from farm.corpus import seed_reports
    from farm.docs import report_docx, report_pdf
    from farm.pdfdoc import report_pdf_layout
    for r in seed_reports():
        yield f"seed/{r.slug}.pdf", report_pdf(r), f"http://www.example.gov.cn/{r.slug}.pdf", None
        yield f"seed/{r.slug}-layout.pdf", report_pdf_layout(r), f"http://www.example.gov.cn/{r.slug}.pdf", None
        yield f"seed/{r.slug}.docx", report_docx(r), f"http://www.example.gov.cn/{r.slug}.docx", None


def main(argv=None) -> int:
    from archive.extract import extract
    out = {}
    for name, body, url, ct in corpus():
        ex = extract(body, url, ct)
        blob = json.dumps([ex.text, ex.title, ex.tables, ex.metadata, ex.content_type, ex.needs_ocr,
                           ex.replacement_chars, ex.encoding], ensure_ascii=False, sort_keys=True)
        out[name] = hashlib.sha256(blob.encode()).hexdigest()
    Path((argv or sys.argv[1:])[0]).write_text(json.dumps(out, indent=0, sort_keys=True))
    print(f"{len(out)} documents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
