"""datasette plugin for the nianbao archive (loaded with ``--plugins-dir archive/index/datasette_plugins``).

What it adds to plain datasette, and how:

* **Chinese search in datasette's own search box.** datasette 0.65 turns ``?_search=`` on a
  table into ``rowid in (select rowid from <fts> where <fts> match escape_fts(:search))``
  (datasette/filters.py). On every connection to a database that has ``reports_fts`` this
  plugin re-registers the SQL function ``escape_fts`` as
  ``archive.index.search.nianbao_fts_query``, so 复议, 行政复议 or ``2019 复议`` typed into the box
  become the bigram/4-gram MATCH expression the index understands. (``trylast`` so it runs
  after datasette's own registration; other databases keep datasette's function.)
* **Ranked hits with snippets.** datasette's table view cannot order by relevance (its ORDER
  BY only takes columns), so on ``/<db>/reports?_search=…`` ``extra_template_vars`` runs
  the ranked query of archive/index/search.py (bm25, same facet-style ``column=value`` filters)
  and archive/index/templates/_table.html shows those hits, with snippets, above the usual
  filterable, facetable table; the table's ``text`` column shows a snippet around the
  match instead of the whole report. The ``search`` canned query gives the same ranking as
  JSON/CSV.
* **Reports that read like reports.** The row page of a report
  (archive/index/templates/row.html) shows the metadata, the text with its line breaks, headings
  and ``a | b | c`` table rows as real tables, its earlier versions, and links to the
  archived capture.
* **Links to the archived capture.** ``/-/nianbao/capture/<warc file>/<offset>`` serves the
  archived response body from the WARC file (found under ``<dir of the .db>/warc/``, or
  the plugin setting ``warc_dir`` / env ``NIANBAO_WARC_DIR``), sandboxed by a CSP header so
  archived scripts cannot run on datasette's origin. When a replay server is configured
  (plugin setting ``replay_url`` or env ``NIANBAO_REPLAY_URL``, e.g. a pywb collection
  ``http://localhost:8080/nianbao/`` or a template with ``{timestamp}``, ``{url}``,
  ``{warc_filename}``, ``{warc_offset}``), a replay link is shown as well.

SQL functions registered on every connection: ``nianbao_fts_query(q)``,
``nianbao_segment(text)``, ``nianbao_snippet(text, q)``, ``nianbao_snippet_html(text, q)``.

Hostile input (issue 15): a Python SQL function cannot be interrupted by datasette's
``sql_time_limit_ms`` (SQLite's progress handler runs between VM steps, not inside a
function call), so each function's input is bounded instead (``MAX_TEXT_CHARS`` of text,
``MAX_QUERY_CHARS`` of query: well under 1 s a call); a query calling them on many rows is
still stopped by the time limit between calls. The capture view reads at most
``MAX_CAPTURE_BYTES`` of an archived payload and inflates its Content-Encoding to at most as
much (a 3 KB gzip record can hold 1 GB). Stored URLs become links only when they are
http(s) (``javascript:`` stays text). Serving beyond localhost: README, "Serving the archive
beyond localhost" (``make serve-public``).

Length: datasette loads a plugin directory's modules one by one, and these hooks share the
per-request state (the search query, the report being shown); coverage views live in coverage.py.
"""

from __future__ import annotations

import contextvars
import html
import json
import os
import re
import sys
import urllib.parse
from pathlib import Path

import markupsafe
from datasette import hookimpl
from datasette.utils.asgi import Response

try:
    from archive.index import search
except ImportError:  # datasette started from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from archive.index import search
from archive.reports.responses import MAX_RESPONSE_BYTES

MAX_TEXT_CHARS = 1_000_000  # a 300-page report's text is ~600,000 characters
MAX_QUERY_CHARS = 256
MAX_CAPTURE_BYTES = MAX_RESPONSE_BYTES  # the crawl's DOWNLOAD_MAXSIZE: no archived body is larger
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
REPORT_TABLES = ("reports", "report_versions")
_HEX16 = re.compile(r"^[0-9a-f]{16}$")
_WARC_NAME = re.compile(r"^[\w.\-]+\.warc(\.gz)?(\.open)?$")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")

# The ASGI scope of the request being served: render_cell() in datasette 0.65 is not
# given the request, but it runs inside the request's task, so a context variable set by
# our ASGI wrapper tells it which page (table or row) and which search it is rendering.
_SCOPE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("nianbao_scope", default=None)


# ---------------------------------------------------------------- request context helpers

def _args() -> dict[str, str]:
    scope = _SCOPE.get()
    if not scope:
        return {}
    qs = scope.get("query_string", b"").decode("utf-8", "replace")
    return {k: v[0] for k, v in urllib.parse.parse_qs(qs).items()}


def _is_row_page(datasette, database: str | None, table: str | None) -> bool:
    """True on a row page (<table path>/<pk>), False on the table page and queries."""
    scope = _SCOPE.get()
    if not scope or not table or not database:
        return False
    table_path = urllib.parse.unquote(datasette.urls.table(database, table))
    return scope.get("path", "").startswith(table_path.rstrip("/") + "/")


# ---------------------------------------------------------------- rendering helpers

def format_report_html(text: str | None) -> str:
    """A report's text as HTML: one block per line (so line breaks survive), headings
    (一、 （一）) as <h3>, and runs of ``a | b | c`` lines as a <table> with one row per
    line and the cells as written (empty cells kept, so columns line up)."""
    if not text:
        return ""
    out: list[str] = ['<div class="nianbao-text">']
    table: list[list[str]] = []

    def flush():
        if table:
            out.append('<table class="nianbao-report-table">')
            for cells in table:
                out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            out.append("</table>")
            table.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        if " | " in line or line.endswith(" |"):
            cells = line.split(" | ")
            if cells[-1].endswith(" |"):
                cells[-1] = cells[-1][:-2]
            table.append(cells)
            continue
        flush()
        if not line.strip():
            out.append('<p class="nianbao-blank"></p>')
        elif _HEADING.match(line.strip()) and len(line) < 60:
            out.append(f"<h3>{html.escape(line)}</h3>")
        else:
            out.append(f"<p>{html.escape(line)}</p>")
    flush()
    out.append("</div>")
    return "\n".join(out)


def safe_snippet_html(value: str) -> markupsafe.Markup:
    """Render a nianbao_snippet_html() value: only <mark> tags may pass, everything else
    must already be escaped text; anything else is shown escaped (so a hand-written SQL
    query cannot inject HTML through a column named snippet_html)."""
    pieces = re.split(r"(</?mark>)", value)
    if any(("<" in p or ">" in p) for p in pieces if p not in ("<mark>", "</mark>")):
        return markupsafe.Markup(html.escape(value))
    return markupsafe.Markup(value)


def _timestamp14(iso: str | None) -> str:
    return re.sub(r"\D", "", iso or "")[:14]


def replay_url(datasette, url: str | None, fetched_at: str | None,
               warc_filename: str | None, warc_offset) -> str | None:
    base = (datasette.plugin_config("nianbao") or {}).get("replay_url") or os.environ.get(
        "NIANBAO_REPLAY_URL"
    )
    if not base or not url:
        return None
    values = {"timestamp": _timestamp14(fetched_at), "url": url,
              "warc_filename": warc_filename or "", "warc_offset": warc_offset or 0}
    if "{" in base:
        return base.format(**values)
    return f"{base.rstrip('/')}/{values['timestamp']}/{url}"


def capture_path(datasette, warc_filename: str, warc_offset) -> str:
    return datasette.urls.path(
        f"/-/nianbao/capture/{urllib.parse.quote(warc_filename)}/{int(warc_offset)}"
    )


def capture_links(datasette, row) -> str:
    """HTML: 'file @ offset' linking to the archived body, plus a replay link."""
    keys = row.keys()
    fname = row["warc_filename"] if "warc_filename" in keys else None
    if not fname:
        return ""
    offset = row["warc_offset"] if "warc_offset" in keys else None
    parts = []
    if offset is not None:
        parts.append(
            f'<a class="nianbao-capture" href="{html.escape(capture_path(datasette, fname, offset))}">'
            f"{html.escape(fname)} @ {int(offset)}</a>"
        )
    else:
        parts.append(html.escape(fname))
    replay = replay_url(
        datasette,
        row["url"] if "url" in keys else None,
        row["fetched_at"] if "fetched_at" in keys else None,
        fname,
        offset,
    )
    if replay:
        parts.append(f'<a class="nianbao-replay" href="{html.escape(replay)}">replay</a>')
    return " · ".join(parts)


# ---------------------------------------------------------------- hooks

def _bounded_text(value):
    return value[:MAX_TEXT_CHARS] if isinstance(value, str) else value


def _bounded_query(value):
    return value[:MAX_QUERY_CHARS] if isinstance(value, str) else value


def register_bounded_functions(conn) -> None:
    """The SQL functions of archive.index.search with their input bounded (see above)."""
    conn.create_function("nianbao_fts_query", 1,
                         lambda q: search.nianbao_fts_query(_bounded_query(q)), deterministic=True)
    conn.create_function("nianbao_segment", 1,
                         lambda t: search.segment(_bounded_text(t)), deterministic=True)
    conn.create_function("nianbao_snippet", 2,
                         lambda t, q: search.nianbao_snippet(_bounded_text(t), _bounded_query(q)),
                         deterministic=True)
    conn.create_function("nianbao_snippet_html", 2,
                         lambda t, q: search.nianbao_snippet_html(_bounded_text(t), _bounded_query(q)),
                         deterministic=True)


def is_http_url(value) -> bool:
    """Only http(s) URLs may become links: a stored ``javascript:`` URL stays text."""
    return isinstance(value, str) and urllib.parse.urlsplit(value.strip()).scheme.lower() in ("http", "https")


@hookimpl(trylast=True)
def prepare_connection(conn, database, datasette):
    register_bounded_functions(conn)
    try:
        has_fts = conn.execute(
            "select 1 from sqlite_master where name = 'reports_fts'"
        ).fetchone()
    except Exception:  # e.g. a database file that is not SQLite: leave it to datasette
        has_fts = None
    if has_fts:
        # datasette's ?_search= calls escape_fts(:search): make it speak bigrams
        conn.create_function("escape_fts", 1, lambda q: search.nianbao_fts_query(_bounded_query(q)),
                             deterministic=True)


@hookimpl
def startup(datasette):
    # Facet suggestions run a query per column of the page (27 for reports), each with its
    # own time limit: 3+ s per page on 100,000 reports, for suggestions the metadata already
    # makes (the facets are configured). Same as `--setting suggest_facets off`.
    if hasattr(datasette, "_settings") and "suggest_facets" in datasette._settings:
        datasette._settings["suggest_facets"] = False


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_scope(scope, receive, send):
            token = _SCOPE.set(scope if scope.get("type") == "http" else None)
            try:
                await app(scope, receive, send)
            finally:
                _SCOPE.reset(token)

        return with_scope

    return wrap


@hookimpl
def prepare_jinja2_environment(env, datasette):
    # Our templates first: `make serve` passes no --template-dir, and plugins loaded from
    # --plugins-dir get no templates directory of their own.
    from jinja2 import ChoiceLoader, FileSystemLoader

    env.loader = ChoiceLoader([FileSystemLoader(str(TEMPLATES_DIR)), env.loader])
    env.tests["nianbao_http_url"] = is_http_url


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table in REPORT_TABLES and column == "text" and isinstance(value, str):
        if _is_row_page(datasette, database, table):
            return markupsafe.Markup(format_report_html(value))
        q = _args().get("_search")
        if q:
            return markupsafe.Markup(search.nianbao_snippet_html(value, q))
        short = value[:160]
        return short + ("…" if len(value) > 160 else "")
    if table in REPORT_TABLES and column == "tables" and isinstance(value, str):
        try:
            n = len(json.loads(value))
        except ValueError:
            return None
        return f"{n} table{'s' if n != 1 else ''}" if not _is_row_page(datasette, database, table) else None
    if column == "warc_filename" and value and table in (*REPORT_TABLES, "captures"):
        return markupsafe.Markup(capture_links(datasette, row))
    if column == "snippet_html" and isinstance(value, str):
        return safe_snippet_html(value)
    if column == "report_id" and isinstance(value, str) and _HEX16.match(value) and table is None:
        href = datasette.urls.row(database, "reports", value)
        return markupsafe.Markup(f'<a href="{html.escape(href)}">{html.escape(value)}</a>')
    return None


def _equality_filters(request, columns) -> tuple[str, dict]:
    """``?column=value`` arguments (what facet links add) as SQL for the ranked block."""
    clauses, params = [], {}
    for i, key in enumerate(request.args.keys()):
        value = request.args.get(key)
        col = key[:-7] if key.endswith("__exact") else key
        if col in columns and not key.startswith("_"):
            clauses.append(f"r.[{col}] = :f{i}")
            params[f"f{i}"] = value
    return " and ".join(clauses), params


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    if table not in REPORT_TABLES or database is None:
        return {}

    async def inner():
        db = datasette.get_database(database)
        if view_name == "table" and table == "reports" and request.args.get("_search"):
            if not await db.execute_fn(
                lambda conn: conn.execute(
                    "select 1 from sqlite_master where name = 'reports_fts'").fetchone()
            ):
                return {}
            q = request.args["_search"]
            if not search.fts_query(q):
                return {"nianbao_hits": [], "nianbao_query": q}
            cols = set(await db.table_columns("reports"))
            where, params = _equality_filters(request, cols)
            sql = ranked_sql(extra_where=where)
            params.update({"q": q, "limit": 20, "offset": search.RANK_CANDIDATES - 1})
            rows = (await db.execute(sql, params)).rows
            hits = []
            for r in rows:
                hits.append({
                    "id": r["id"], "title": r["title"], "portal": r["portal"],
                    "year": r["year"], "published": r["published"],
                    "removed_at": r["removed_at"],
                    "href": datasette.urls.row(database, "reports", r["id"]),
                    "snippet": markupsafe.Markup(r["snippet_html"]),
                    "capture": markupsafe.Markup(capture_links(datasette, r)),
                })
            return {"nianbao_hits": hits, "nianbao_query": q}
        if view_name == "row":
            pks = request.url_vars.get("pks")
            if not pks:
                return {}
            if table == "reports":
                res = await db.execute("select * from reports where id = ?", [pks])
            else:
                res = await db.execute(
                    "select v.*, r.portal, r.year, r.page_url from report_versions v "
                    "left join reports r on r.id = v.report_id where v.id = ?", [pks])
            row = res.first()
            if row is None:
                return {}
            report = {k: row[k] for k in row.keys()}
            report["text_html"] = markupsafe.Markup(format_report_html(row["text"]))
            report["capture"] = markupsafe.Markup(capture_links(datasette, row))
            report["table"] = table
            versions = []
            if table == "reports":
                for v in (await db.execute(
                    "select id, version, fetched_at, replaced_at, payload_digest, "
                    "warc_filename, warc_offset, url from report_versions "
                    "where report_id = ? order by version desc", [row["id"]])).rows:
                    versions.append({
                        "version": v["version"], "fetched_at": v["fetched_at"],
                        "replaced_at": v["replaced_at"],
                        "href": datasette.urls.row(database, "report_versions", str(v["id"])),
                        "capture": markupsafe.Markup(capture_links(datasette, v)),
                    })
            else:
                report["report_href"] = datasette.urls.row(database, "reports", row["report_id"])
            return {"nianbao_report": report, "nianbao_versions": versions}
        return {}

    return inner


def ranked_sql(extra_where: str = "") -> str:
    """The ranked search with HTML snippets, the RANK_CANDIDATES cutoff inline, and
    optional extra conditions on reports ``r`` (applied before ranking's LIMIT).
    Snippets are made in the outer query, for the top rows only."""
    join = "join reports r on r.rowid = reports_fts.rowid" if extra_where else ""
    return f"""
with top as (
  select reports_fts.rowid as rid, {search._BM25} as score
  from reports_fts {join}
  where reports_fts match nianbao_fts_query(:q)
    and reports_fts.rowid >= coalesce((select rowid from reports_fts
                           where reports_fts match nianbao_fts_query(:q)
                           order by rowid desc limit 1 offset :offset), 0)
    {"and " + extra_where if extra_where else ""}
  order by score
  limit :limit
)
select r.*, nianbao_snippet_html(r.text, :q) as snippet_html, top.score
from top join reports r on r.rowid = top.rid
order by top.score
"""


# ---------------------------------------------------------------- archived captures

def _warc_dirs(datasette) -> list[Path]:
    dirs = []
    configured = (datasette.plugin_config("nianbao") or {}).get("warc_dir") or os.environ.get(
        "NIANBAO_WARC_DIR"
    )
    if configured:
        dirs.append(Path(configured))
    for db in datasette.databases.values():
        if getattr(db, "path", None):
            dirs.append(Path(db.path).resolve().parent / "warc")
    return dirs


class CaptureTooLarge(ValueError):
    """An archived payload larger than MAX_CAPTURE_BYTES, or inflating past it."""


def read_capture(path: Path, offset: int, max_bytes: int = MAX_CAPTURE_BYTES):
    """(record type, warc headers, http status, http headers, body) of the record at offset.
    The body is the payload with its Content-Encoding removed, at most `max_bytes` read and
    inflated (CaptureTooLarge past it)."""
    from warcio.archiveiterator import ArchiveIterator

    from archive.warc.content import ContentTooLarge, decode_content

    with open(path, "rb") as f:
        f.seek(offset)
        for record in ArchiveIterator(f):
            headers = list(record.rec_headers.headers)
            http = record.http_headers
            status = http.get_statuscode() if http else None
            http_headers = list(http.headers) if http else []
            # raw_stream: warcio's content_stream() would inflate Content-Encoding unbounded
            raw = record.raw_stream.read(max_bytes + 1)
            if len(raw) > max_bytes:
                raise CaptureTooLarge(f"archived payload larger than {max_bytes >> 20} MB")
            coding = http.get_header("Content-Encoding") if http else None
            try:
                body = decode_content(raw, coding, max_size=max_bytes)
            except ContentTooLarge as e:
                raise CaptureTooLarge(f"archived payload inflates past {max_bytes >> 20} MB") from e
            return record.rec_type, headers, status, http_headers, body
    return None


async def capture_view(datasette, request):
    name = urllib.parse.unquote(request.url_vars["filename"])
    offset = int(request.url_vars["offset"])
    if not _WARC_NAME.match(name):
        return Response.text("bad WARC file name", status=400)
    for d in _warc_dirs(datasette):
        for candidate in (d / name, d / (name + ".open")):
            if candidate.is_file():
                break
        else:
            continue
        break
    else:
        return Response.text(
            f"{name} not found (looked in {', '.join(map(str, _warc_dirs(datasette)))}; "
            "set the nianbao plugin setting warc_dir or NIANBAO_WARC_DIR)", status=404)
    try:
        got = read_capture(candidate, offset)
    except CaptureTooLarge as e:
        return Response.text(f"{name} @ {offset}: {e}; not served", status=413)
    except Exception as e:  # a bad offset lands mid-record: say so, do not 500
        return Response.text(f"no WARC record at {name} @ {offset}: {e}", status=404)
    if got is None:
        return Response.text(f"no WARC record at {name} @ {offset}", status=404)
    rec_type, warc_headers, status, http_headers, body = got
    wh = dict(warc_headers)
    if request.args.get("headers") or rec_type not in ("response", "resource"):
        lines = [f"{k}: {v}" for k, v in warc_headers]
        if status:
            lines += ["", f"HTTP {status}"] + [f"{k}: {v}" for k, v in http_headers]
        return Response.text("\n".join(lines) + "\n")
    ctype = dict((k.lower(), v) for k, v in http_headers).get("content-type") or "application/octet-stream"
    return Response(
        body,
        status=200,
        content_type=ctype,
        headers={
            # archived pages must not run scripts or read cookies on datasette's origin
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
            "X-Robots-Tag": "noindex",
            "X-Archive-Target-URI": urllib.parse.quote(wh.get("WARC-Target-URI", ""), safe=":/?&=%#"),
            "X-Archive-Date": wh.get("WARC-Date", ""),
        },
    )


@hookimpl
def register_routes(datasette):
    return [(r"^/-/nianbao/capture/(?P<filename>[^/]+)/(?P<offset>\d+)$", capture_view)]
