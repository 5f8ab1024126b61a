"""nianbao's archive side: WARC records, text extraction, the SQLite index.

Nothing here depends on Scrapy: the crawl and `python -m archive reindex` share these functions.
"""
import os

# Numbers the extraction reads from the environment (archive/extract: budget.py, pdf.py, ocr.py)
# per document, in the crawl's pool and in reindex's workers: a bad one made every document an
# extract_error (or was silently replaced by the default) instead of being refused up front.
ENV_NUMBERS = {"NIANBAO_EXTRACT_TIMEOUT": float, "NIANBAO_EXTRACT_MEMORY_MB": int,
               "NIANBAO_PDF_MAX_PAGES": int, "NIANBAO_OCR_MAX_PAGES": int}


def env_number(name: str, default, environ=os.environ):
    """ENV_NUMBERS[name] from the environment, ``default`` when unset or empty. A value that is
    not one, or not above 0, raises ValueError("NAME=value: expected …"): the one parser of
    these variables, so the extraction that reads them and env_problem's check up front cannot
    disagree."""
    kind = ENV_NUMBERS[name]
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    expected = f"expected {'a whole number' if kind is int else 'a number'}"
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name}={raw}: {expected}") from None
    if value <= 0:  # no page, no second, no memory: every document would fail
        raise ValueError(f"{name}={raw}: {expected} above 0")
    return value


def env_problem(environ=os.environ) -> str | None:
    """`NAME=value: expected …` for the first of ENV_NUMBERS that is set but not a number above
    0, or None."""
    for name in ENV_NUMBERS:
        try:
            env_number(name, None, environ)
        except ValueError as e:
            return str(e)
    return None
