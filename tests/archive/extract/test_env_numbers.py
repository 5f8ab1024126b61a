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

