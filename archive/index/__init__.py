"""The SQLite index reports.db: schema and writer (`Index`, writer.py), the read-only lookups a
refresh crawl makes (queries.py), Chinese full-text search (search.py), and what datasette
serves (datasette.json, datasette_plugins/, templates/)."""
from .queries import last_checked, latest_responses, live_reports, post_responses  # noqa: F401
from .writer import REPORT_COLUMNS, SCHEMA_VERSION, Index, IndexSchemaError, report_id  # noqa: F401
