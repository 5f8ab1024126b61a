"""Print the statistics and checks of report texts: ``python -m archive.stats FILE… [--json]``.

Each FILE is a report's text (table rows as ``a | b | c`` lines, or a flattened 统计表); its
tables are read the way the index reads ``Extraction.text`` when ``Extraction.tables`` is empty.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from archive.stats import parse_tables, run_checks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m archive.stats", description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--year", type=int, help="covered year (only breaks template ties)")
    ap.add_argument("--json", action="store_true", help="rows and checks as JSON lines")
    a = ap.parse_args(argv)
    for f in a.files:  # all checked first: one line, not a traceback half-way through the output
        if not f.is_file():
            ap.error(f"{f}: {'a directory, not a text file' if f.is_dir() else 'no such file'}")
    for f in a.files:
        parsed = parse_tables([], f.read_text(encoding="utf-8", errors="replace"), a.year)
        checks = run_checks(parsed)
        if a.json:
            for s in parsed.stats:
                print(json.dumps(s.as_row(f.name, parsed.template), ensure_ascii=False))
            for c in checks:
                print(json.dumps(dict(report=f.name, **c), ensure_ascii=False))
            continue
        status = {}
        for c in checks:
            status[c["status"]] = status.get(c["status"], 0) + 1
        print(f"{f.name}: template {parsed.template}, read from {parsed.source}, "
              f"{len(parsed.stats)} numbers ({sum(s.value is None for s in parsed.stats)} blank); "
              f"checks {status}")
        for c in checks:
            if c["status"] != "pass":
                print(f"  {c['status']}: {c['check']} {c['column']}: {c['message']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
