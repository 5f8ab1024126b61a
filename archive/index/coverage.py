"""Coverage against the universe of divisions: the `divisions` table and its views.

An index whose portals or reports carry a division code holds the bundled GB/T 2260
divisions (archive/registry/divisions.csv, loaded with the first such row), so coverage is
counted against all 31 provincial-level, 333 prefecture-level and 2,845
county-level governments, not against the portals someone thought of listing:

- ``division_coverage``: per province and level, how many divisions there are, how many have
  a known portal (a `portals` row with their code), a reachable one (its status is not
  dead/blocked (or the former unreachable)), and any report;
- ``division_year_coverage``: per province, level and report year, how many divisions have a
  report for that year;
- ``divisions_missing``: each division without any report, and why (no known portal, portal
  dead, or no report found), and each division whose only reports hold no report text (cover
  pages whose file could not be archived, scans OCR could not read): those are not covered.

``with_reports`` counts any report row; ``with_report_text`` only rows that hold the report's
text (`HAS_TEXT`): a division found but not archived must not look covered.

A report counts for the division its publisher is the government of (`publisher_code`); a
report whose publisher names no division (a department, a file without metadata) counts for
its portal's division (`division_code`).
"""
from __future__ import annotations

import sqlite3

from archive.registry.divisions import COLUMNS, load_divisions

UNREACHABLE = "('dead', 'unreachable', 'blocked')"
# The division a report counts for (see the module docstring).
REPORT_DIVISION = "coalesce(r.publisher_code, r.division_code)"
# How a row's extract_error says its text is not the report's whole text (archive.reports.rows
# writes them; the index decides coverage and versions by them): a cover whose attachment was
# not archived, a split report with pages missing.
COVER_ONLY_MARK = "cover page only"
PARTIAL_MARK = "partial:"
# A report row that holds the report's text: not a cover whose file was never archived
# (archive.reports.rows.COVER_ONLY), not a scan left without text (needs_ocr).
HAS_TEXT = ("(coalesce(r.text, '') <> '' AND coalesce(r.needs_ocr, 0) = 0 "
            f"AND coalesce(r.extract_error, '') NOT LIKE '{COVER_ONLY_MARK}%')")
_OF_DIVISION = "(r.publisher_code = d.code OR (r.publisher_code IS NULL AND r.division_code = d.code))"

VIEWS = {
    "division_coverage": f"""
SELECT p.name AS province, d.province_code, d.level, count(*) AS divisions,
  sum(EXISTS (SELECT 1 FROM portals po WHERE po.code = d.code)) AS with_portal,
  sum(EXISTS (SELECT 1 FROM portals po WHERE po.code = d.code AND po.status NOT IN {UNREACHABLE})) AS reachable,
  sum(EXISTS (SELECT 1 FROM reports r WHERE r.removed_at IS NULL AND {_OF_DIVISION})) AS with_reports,
  sum(EXISTS (SELECT 1 FROM reports r WHERE r.removed_at IS NULL AND {_OF_DIVISION} AND {HAS_TEXT}))
    AS with_report_text
FROM divisions d JOIN divisions p ON p.code = d.province_code
GROUP BY d.province_code, d.level""",
    "division_year_coverage": f"""
SELECT p.name AS province, d.province_code, d.level, r.year, count(DISTINCT d.code) AS with_report,
  (SELECT count(*) FROM divisions x WHERE x.province_code = d.province_code AND x.level = d.level) AS divisions
FROM reports r JOIN divisions d ON d.code = {REPORT_DIVISION}
JOIN divisions p ON p.code = d.province_code
WHERE r.removed_at IS NULL AND r.year IS NOT NULL
GROUP BY d.province_code, d.level, r.year""",
    "divisions_missing": f"""
SELECT d.code, d.name, d.level, d.type, p.name AS province, d.parent_code,
  (SELECT po.url FROM portals po WHERE po.code = d.code ORDER BY po.status = 'ok' DESC LIMIT 1) AS portal_url,
  CASE
    WHEN EXISTS (SELECT 1 FROM reports r WHERE r.removed_at IS NULL AND {_OF_DIVISION})
      THEN 'reports without text only (see reports.extract_error)'
    WHEN NOT EXISTS (SELECT 1 FROM portals po WHERE po.code = d.code) THEN 'no known portal'
    WHEN NOT EXISTS (SELECT 1 FROM portals po WHERE po.code = d.code AND po.status NOT IN {UNREACHABLE})
      THEN 'portal ' || (SELECT po.status FROM portals po WHERE po.code = d.code LIMIT 1)
    ELSE 'no report found' END AS missing
FROM divisions d JOIN divisions p ON p.code = d.province_code
WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.removed_at IS NULL AND {_OF_DIVISION} AND {HAS_TEXT})""",
}


def install(conn: sqlite3.Connection) -> None:
    """Create the divisions table (empty until `fill_divisions`) and the coverage views. Runs
    inside the index's schema transaction on every open."""
    conn.execute("CREATE TABLE IF NOT EXISTS divisions (code TEXT PRIMARY KEY, name TEXT, level TEXT, "
                 "type TEXT, parent_code TEXT, province_code TEXT)")
    conn.execute("CREATE INDEX IF NOT EXISTS idx_divisions_province_level ON divisions(province_code, level)")
    for name, sql in VIEWS.items():
        ensure_view(conn, name, f"CREATE VIEW {name} AS {sql}")


def ensure_view(conn: sqlite3.Connection, name: str, create_sql: str) -> None:
    """(Re)create a view only when its definition changed: opening an index writes nothing
    when nothing changed (a nearly full disk must still open it)."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", (name,)).fetchone()
    if row is not None and row[0].strip() == create_sql.strip():
        return
    conn.execute(f"DROP VIEW IF EXISTS {name}")
    conn.execute(create_sql)


def fill_divisions(conn: sqlite3.Connection) -> bool:
    """Load the bundled divisions (about 250 KB with its index) unless the table already holds
    them. Called when the first portal or report with a division code is written: an archive
    of portals without codes has no use for them. Returns whether rows were written."""
    divisions = load_divisions()
    have = conn.execute("SELECT count(*), max(code), min(code) FROM divisions").fetchone()
    want = (len(divisions), max(d.code for d in divisions), min(d.code for d in divisions))
    if tuple(have) == want:
        return False
    conn.execute("DELETE FROM divisions")
    conn.executemany(f"INSERT INTO divisions ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                     [tuple(getattr(d, c) for c in COLUMNS) for d in divisions])
    return True
