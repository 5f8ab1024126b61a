"""Statistics tables of the reports as data (issue #18).

``report_statistics(report_id, tables, text, year)`` is the one pure function the ingest path
(crawl and reindex alike) calls: it returns the ``report_stats`` and ``report_checks`` rows of
one report. Parsing lives in :mod:`archive.stats.parse`, the label keys in
:mod:`archive.stats.labels`, the templates' arithmetic in :mod:`archive.stats.checks`.
"""
from __future__ import annotations

from archive.stats.checks import check_rows, run_checks, stats_rows
from archive.stats.parse import ParsedTables, Stat, parse_tables, parse_value

__all__ = ["report_statistics", "parse_tables", "parse_value", "run_checks", "ParsedTables",
           "Stat"]


def report_statistics(report_id: str, tables, text: str = "",
                      year: int | None = None) -> tuple[list[dict], list[dict]]:
    """(report_stats rows, report_checks rows) of one report."""
    parsed = parse_tables(tables, text, year)
    return stats_rows(report_id, parsed), check_rows(report_id, run_checks(parsed))
