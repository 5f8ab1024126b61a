"""The numbers extraction reads from the environment, read by a library call: one that is not a
number is a ValueError naming the variable and its value, the same line `scrapy crawl` and
`python -m archive reindex` refuse up front (archive.env_problem)."""
from __future__ import annotations

import pytest

from archive import env_problem
from archive.extract import ocr, pdf
from archive.extract.budget import budget_from_env

CASES = [
    # ValueError: could not convert string to float: '1m'
    ("NIANBAO_EXTRACT_TIMEOUT", "1m", "a number", lambda: budget_from_env()[0]),
    # ValueError: invalid literal for int() with base 10: '1GB'
    ("NIANBAO_EXTRACT_MEMORY_MB", "1GB", "a whole number", lambda: budget_from_env()[1]),
    ("NIANBAO_PDF_MAX_PAGES", "abc", "a whole number", pdf.max_pages),
    # was silently 30
    ("NIANBAO_OCR_MAX_PAGES", "ten", "a whole number", ocr.max_pages),
]


@pytest.mark.parametrize("variable,value,expected,read", CASES)
def test_bad_number_is_a_value_error_naming_it(monkeypatch, variable, value, expected, read):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError) as e:
        read()
    assert str(e.value) == f"{variable}={value}: expected {expected}" == env_problem()



@pytest.mark.parametrize("variable", ["NIANBAO_EXTRACT_TIMEOUT", "NIANBAO_PDF_MAX_PAGES", "NIANBAO_OCR_MAX_PAGES"])
def test_zero_is_refused_too(monkeypatch, variable):
    # NIANBAO_PDF_MAX_PAGES=0 passed the check, then every PDF said "more than 0 pages"
    monkeypatch.setenv(variable, "0")
    assert env_problem() == f"{variable}=0: expected {'a number' if 'TIMEOUT' in variable else 'a whole number'} above 0"


def test_a_bad_page_cap_is_not_blamed_on_the_pdf(monkeypatch):
    """A library call to extract() with a bad cap raised inside the PDF reader, and the
    catch-all made it the document's fault: "unreadable PDF: ValueError: …"."""
    from tests.paths import FIXTURES
    monkeypatch.setenv("NIANBAO_PDF_MAX_PAGES", "abc")
    with pytest.raises(ValueError, match="NIANBAO_PDF_MAX_PAGES=abc"):
        pdf.extract_pdf((FIXTURES / "extract" / "report.pdf").read_bytes())
