"""datasette page ``/-/nianbao/coverage``: divisions with reports, as a province × year grid.

One row per province, one column per report year; each cell is "n / N" (divisions of the
chosen level with a report for that year / divisions of that level in the province) on a
background that darkens with the share, and links to the province's missing divisions.
``?level=province|prefecture|county`` (default county), ``?db=`` the database (default the
first one with a ``divisions`` table). The numbers are the ``division_year_coverage`` view's.
"""
from __future__ import annotations

import html
import urllib.parse

from datasette import hookimpl
from datasette.utils.asgi import Response

LEVELS = ("province", "prefecture", "county")


def _database(datasette, wanted: str | None):
    for name, db in datasette.databases.items():
        if (wanted is None or name == wanted) and not name.startswith("_"):
            return name, db
    return None, None


def grid_html(db_name: str, level: str, totals: list, cells: list, years: list[int]) -> str:
    """The page: a table of provinces × years (pure, for testing without a server)."""
    by = {(c["province_code"], c["year"]): c["with_report"] for c in cells}
    head = "".join(f"<th>{y}</th>" for y in years)
    rows = []
    for t in totals:
        tds = []
        for y in years:
            n = by.get((t["province_code"], y), 0)
            share = n / t["divisions"] if t["divisions"] else 0
            tds.append(f'<td style="background: rgba(20, 110, 60, {0.08 + 0.8 * share:.2f})" '
                       f'title="{n} of {t["divisions"]} {level} divisions have a {y} report">{n} / {t["divisions"]}</td>')
        missing = (f'/{urllib.parse.quote(db_name)}/divisions_missing?province={urllib.parse.quote(t["province"])}'
                   f'&level={level}')
        rows.append(f'<tr><th><a href="{html.escape(missing)}">{html.escape(t["province"])}</a></th>{"".join(tds)}</tr>')
    all_divisions = sum(t["divisions"] for t in totals)
    sums = "".join(f"<td><b>{sum(n for (pc, yy), n in by.items() if yy == y)} / {all_divisions}</b></td>" for y in years)
    rows.append(f'<tr class="total"><th>all provinces</th>{sums}</tr>')
    links = " · ".join(f'<a href="?level={lv}">{lv}</a>' for lv in LEVELS)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Coverage by division: {level}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}} th{{background:#f4f4f4}}</style></head>
<body><h1>Divisions with a report, by year ({html.escape(level)})</h1>
<p>Level: {links}. Each cell: divisions of this level with a report for that year / all divisions of this
level in the province (GB/T 2260). A province name lists its divisions without any report.</p>
<table class="coverage-grid"><thead><tr><th>province</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>
</body></html>"""


async def coverage_view(datasette, request):
    level = request.args.get("level", "county")
    if level not in LEVELS:
        return Response.text(f"level must be one of {', '.join(LEVELS)}", status=400)
    name, db = _database(datasette, request.args.get("db"))
    if db is None or "divisions" not in await db.table_names():
        return Response.text("no database with a divisions table", status=404)
    totals = (await db.execute(
        "SELECT d.province_code, p.name AS province, count(*) AS divisions FROM divisions d "
        "JOIN divisions p ON p.code = d.province_code WHERE d.level = ? GROUP BY d.province_code "
        "ORDER BY d.province_code", [level])).rows
    cells = (await db.execute("SELECT province_code, year, with_report FROM division_year_coverage "
                              "WHERE level = ?", [level])).rows
    if not totals:
        return Response.html("<!DOCTYPE html><html><body><h1>No divisions in this archive</h1><p>No portal or "
                             "report here carries a division code. Crawl a portals.csv with a <code>code</code> "
                             "column (<code>scrapy crawl portals</code> writes one) to count coverage against "
                             "the GB/T 2260 divisions.</p></body></html>")
    years = sorted({c["year"] for c in cells})
    return Response.html(grid_html(name, level, [dict(t) for t in totals], [dict(c) for c in cells], years))


@hookimpl
def register_routes(datasette):
    return [(r"^/-/nianbao/coverage$", coverage_view)]
