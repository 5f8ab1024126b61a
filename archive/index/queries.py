"""Read-only lookups in reports.db: what a refresh crawl asks before it starts.

The crawl reads these at start while its pipeline holds the writer connection, so they use
their own read-only connection (WAL lets readers and the one writer work side by side).
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

_LATEST_RESPONSES_SQL = """
    SELECT url, record_id, payload_digest, fetched_at, warc_filename, warc_offset, warc_length,
           etag, last_modified, portal, kind
    FROM captures
    WHERE status = 200 AND record_type = 'response' AND coalesce(method, 'GET') = 'GET'
    ORDER BY fetched_at, id"""
# POST answers (list APIs) have no validators to ask with; one identical to an earlier answer
# from the same URL is archived as an identical-payload-digest revisit of it.
_POST_RESPONSES_SQL = """
    SELECT url, record_id, payload_digest, fetched_at, warc_filename, warc_offset, warc_length
    FROM captures
    WHERE status = 200 AND record_type = 'response' AND method = 'POST' AND payload_digest IS NOT NULL
    ORDER BY fetched_at, id"""
_LIVE_REPORTS_SQL = ("SELECT id, portal, page_url, url, title, published, published_source, listed_on FROM reports "
                     "WHERE removed_at IS NULL")
# When each URL last got an answer that says something about it (not a 5xx or 429, which
# may pass): a refresh leaves pages checked recently alone (crawler.refresh.RecheckPlan).
_LAST_CHECKED_SQL = """
    SELECT url, max(fetched_at) AS checked FROM captures
    WHERE coalesce(method, 'GET') = 'GET' AND status IS NOT NULL AND status < 500 AND status != 429
    GROUP BY url"""


_LAST_RUN_SQL = "SELECT id, started_at, finished_at, finish_reason FROM crawl_runs ORDER BY id DESC LIMIT 1"


def _read(db_path: str | Path, sql: str) -> list[dict]:
    if not Path(db_path).exists():
        return []
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True, timeout=30)
    try:
        cur = conn.execute(sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur]
    except sqlite3.OperationalError:  # no such table yet: nothing archived before
        return []
    finally:
        conn.close()


def latest_responses(db_path: str | Path) -> dict[str, dict]:
    """url → the newest full `response` capture with status 200 (GET): what a refresh crawl
    re-requests conditionally and refers its revisit records to."""
    return {row["url"]: row for row in _read(db_path, _LATEST_RESPONSES_SQL)}


def post_responses(db_path: str | Path) -> dict[tuple[str, str], dict]:
    """(URL, payload digest) → the earliest full capture of a POST answer with that payload."""
    out: dict[tuple[str, str], dict] = {}
    for row in _read(db_path, _POST_RESPONSES_SQL):
        out.setdefault((row["url"], row["payload_digest"]), row)
    return out


def live_reports(db_path: str | Path) -> list[dict]:
    """Reports not marked removed: id, portal, page_url, url, title, published,
    published_source, listed_on."""
    sql = _LIVE_REPORTS_SQL
    rows = _read(db_path, sql)
    for column in ("published_source", "listed_on"):  # an index from before them (added when the crawl opens it)
        if rows:
            break
        sql = sql.replace(column, f"NULL AS {column}", 1)
        rows = _read(db_path, sql)
    return rows


def last_checked(db_path: str | Path) -> dict[str, str]:
    """URL → ISO time of its last capture with a definite answer (2xx-4xx, not 429)."""
    return {row["url"]: row["checked"] for row in _read(db_path, _LAST_CHECKED_SQL)}


def last_run(db_path: str | Path) -> dict | None:
    """The newest `crawl_runs` row (id, started_at, finished_at, finish_reason), None when no
    run is recorded."""
    rows = _read(db_path, _LAST_RUN_SQL)
    return rows[0] if rows else None


def portal_walk(db_path: str | Path, portal: str) -> dict | None:
    """How the crawl walked a portal: its row in ``portals`` and, for each report list found,
    the path from the home page (``list_paths``) and how many reports it listed. None when
    the index has no such portal."""
    con = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        row = con.execute("SELECT * FROM portals WHERE name = ?", (portal,)).fetchone()
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        lists = []
        if "list_paths" in tables:
            for r in con.execute(
                    "SELECT l.list_url, l.path, (SELECT count(*) FROM reports r WHERE r.portal = l.portal "
                    "AND r.listed_on = l.list_url) AS reports FROM list_paths l WHERE l.portal = ? "
                    "ORDER BY l.steps, l.list_url", (portal,)):
                lists.append({"list_url": r["list_url"], "path": json.loads(r["path"]), "reports": r["reports"]})
    finally:
        con.close()
    if row is None and not lists:
        return None
    return {"portal": dict(row) if row is not None else {"name": portal}, "lists": lists}


def format_walk(walk: dict) -> str:
    """The walk as text: the portal's status and reason, then home → anchor → … → list."""
    p = walk["portal"]
    out = [f"{p['name']}  {p.get('url') or ''}  status {p.get('status') or '?'}"
           f"  ({p.get('reports') or 0} reports, {p.get('pages') or 0} pages)"]
    if p.get("reason"):
        out.append(f"  reason: {p['reason']}")
    if not walk["lists"]:
        out.append("  no report list found")
    for lst in walk["lists"]:
        out.append(f"  list {lst['list_url']}  ({lst['reports']} reports)")
        out.append(f"    home {p.get('url') or ''}")
        for anchor, url in lst["path"]:
            out.append(f"    -> {anchor or '(no text)'}  {url}")
    return "\n".join(out)
