"""The report rules shared by the crawl and ``archive reindex``: titles (classify.py), URL
identity (urls.py), what a response becomes (responses.py), report rows (rows.py), error
pages served with 200 (soft404.py) and feeding them to the index (ingest.py).

Public names are importable from here; they load on first use, because rows.py and
ingest.py import archive.index, which itself imports archive.reports.urls.
"""
from __future__ import annotations

import importlib

_NAMES = {
    "ReportTitle": "classify", "classify_title": "classify", "normalize_title": "classify",
    "canonical_url": "urls", "identity_url": "urls", "date_from_url": "urls", "is_ip_literal": "urls",
    "EXTRACT_KINDS": "responses", "ItemStart": "responses", "article_pages": "responses",
    "becomes_item": "responses", "pager": "responses", "pipeline_item": "responses",
    "build_report": "rows", "merge_attachment": "rows", "ReportAssembler": "rows",
    "body_chars": "rows", "is_stub": "rows", "pick_title": "rows",
    "Ingest": "ingest", "is_soft_404": "soft404",
}
__all__ = sorted(_NAMES)


def __getattr__(name: str):
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'archive.reports' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
