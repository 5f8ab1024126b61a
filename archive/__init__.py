"""nianbao's archive side: WARC records, text extraction, the SQLite index.

Nothing here depends on Scrapy: the crawl and `python -m archive reindex` share these functions.
"""
import os

# Numbers the extraction reads from the environment (archive/extract: budget.py, pdf.py, ocr.py)
# per document, in the crawl's pool and in reindex's workers: a bad one made every document an
# extract_error (or was silently replaced by the default) instead of being refused up front.
ENV_NUMBERS = {"NIANBAO_EXTRACT_TIMEOUT": float, "NIANBAO_EXTRACT_MEMORY_MB": int,
               "NIANBAO_PDF_MAX_PAGES": int, "NIANBAO_OCR_MAX_PAGES": int}


def env_problem(environ=os.environ) -> str | None:
    """`NAME=value: expected …` for the first of ENV_NUMBERS that is set but not a number, or None."""
    for name, kind in ENV_NUMBERS.items():
        raw = environ.get(name, "").strip()
        if not raw:
            continue
        try:
            kind(raw)
        except ValueError:
            return f"{name}={raw}: expected {'a whole number' if kind is int else 'a number'}"
    return None
