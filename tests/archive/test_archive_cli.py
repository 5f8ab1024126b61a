"""`python -m archive verify|cdxj|pack|reindex|recover`, run as the user runs them (subprocess),
on real WARC files written by archive.warc.WarcWriter."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.warc import HttpExchange, WarcWriter, iter_members
from tests.paths import ROOT

VENV_BIN = Path(sys.executable).parent
WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


def run(*args, cwd=ROOT, **environ):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **environ)
    env.pop("NIANBAO_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "archive", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def no_traceback(r):
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr


def report_html(year: int, portal="襄阳市") -> bytes:
    title = f"{portal}{year}年政府信息公开工作年度报告"
    paras = "".join(f"<p>第{i}段：{portal}人民政府办公室按照《中华人民共和国政府信息公开条例》要求，编制本年度报告。</p>" for i in range(12))
    return (f"<html><head><title>{title}</title></head><body><div class='article'><h1>{title}</h1>{paras}"
            f"<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>{year % 7}</td></tr></table>"
            f"</div></body></html>").encode("utf-8")


def write_archive(d: Path, n_reports=3, max_size=1_000_000_000) -> list:
    """A small archive: a home page, a gzip list page, a POST list call, report pages."""
    caps = []
    with WarcWriter(d, max_size=max_size, info={"operator": "tests"}) as w:
        home = b"<html><body><a href='/zwgk/'>\xe4\xbf\xa1\xe6\x81\xaf\xe5\x85\xac\xe5\xbc\x80</a></body></html>"
        caps.append(w.write_exchange(HttpExchange("GET", "http://www.xiangyang.gov.cn/", [], b"", 200, "OK",
                                                  [("Content-Type", "text/html")], home, fetched_at=WHEN),
                                     {"portal": "襄阳市", "kind": "home", "depth": 0}))
        lst = gzip.compress(b"<ul><li><a href='/ndbg/1.html'>report</a></li></ul>" * 30)
        caps.append(w.write_exchange(HttpExchange("GET", "http://www.xiangyang.gov.cn/zwgk/ndbg/index.html", [], b"", 200,
                                                  "OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                                         ("Transfer-Encoding", "chunked")], lst, fetched_at=WHEN),
                                     {"portal": "襄阳市", "kind": "list", "depth": 2}))
        caps.append(w.write_exchange(HttpExchange("POST", "http://www.suizhou.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45",
                                                  [("Content-Type", "application/x-www-form-urlencoded")], b"col=1&webid=3&columnid=77",
                                                  200, "OK", [("Content-Type", "text/xml")], b"<datastore/>", fetched_at=WHEN),
                                     {"portal": "随州市", "kind": "list", "depth": 2}))
        for i in range(n_reports):
            year = 2015 + i
            caps.append(w.write_exchange(
                HttpExchange("GET", f"http://www.xiangyang.gov.cn/zwgk/ndbg/{year}.html", [], b"", 200, "OK",
                             [("Content-Type", "text/html; charset=utf-8")], report_html(year), fetched_at=WHEN),
                {"portal": "襄阳市", "kind": "report", "anchor": f"襄阳市{year}年政府信息公开工作年度报告",
                 "referer": "http://www.xiangyang.gov.cn/zwgk/ndbg/index.html", "list_date": f"{year + 1}-03-30", "depth": 3}))
    return caps


@pytest.fixture
def archive_dir(tmp_path):
    d = tmp_path / "warc"
    caps = write_archive(d)
    return d, caps


# ------------------------------------------------------------------ verify


def test_verify_ok(archive_dir):
    d, _ = archive_dir
    r = run("verify", d)
    assert r.returncode == 0, r.stdout + r.stderr
    # warcinfo + 6 x (response, request, metadata); digests: every block, plus the payloads of
    # the 6 responses and of the one POST request.
    assert "verified 1 WARC file(s), 19 records (6 metadata, 6 request, 6 response, 1 warcinfo), " \
           "26 digests recomputed: all OK" in r.stdout, r.stdout


def test_verify_detects_flipped_byte(archive_dir):
    d, caps = archive_dir
    path = d / caps[3].warc_filename
    data = bytearray(path.read_bytes())
    data[caps[3].warc_offset + caps[3].warc_length // 2] ^= 0x01
    path.write_bytes(bytes(data))
    r = run("verify", d)
    no_traceback(r)
    assert r.returncode == 1
    assert f"FAIL {path}" in r.stdout
    assert f"@{caps[3].warc_offset}" in r.stdout  # the damaged record is named
    assert "1 fault(s) in 1 file(s)" in r.stdout


def test_verify_detects_digest_mismatch_in_valid_gzip(archive_dir):
    """A record altered and re-compressed (so gzip is happy): only the digests can tell."""
    d, caps = archive_dir
    path = d / caps[4].warc_filename
    data = path.read_bytes()
    off, length = caps[4].warc_offset, caps[4].warc_length
    record = zlib.decompress(data[off:off + length], 31)
    altered = record.replace("第3段".encode(), "第9段".encode())
    assert altered != record and len(altered) == len(record)
    path.write_bytes(data[:off] + gzip.compress(altered) + data[off + length:])
    r = run("verify", d)
    assert r.returncode == 1
    assert "WARC-Block-Digest mismatch" in r.stdout and "WARC-Payload-Digest mismatch" in r.stdout


def test_verify_bad_inputs_one_line_no_traceback(tmp_path, archive_dir):
    d, _ = archive_dir
    r = run("verify", tmp_path / "missing")
    no_traceback(r)
    assert r.returncode == 1 and r.stderr.strip() == f"archive: error: {tmp_path / 'missing'}: no such file or directory"

    empty = tmp_path / "empty"
    empty.mkdir()
    r = run("verify", empty)
    assert r.returncode == 1 and "no WARC files" in r.stderr and len(r.stderr.strip().splitlines()) == 1

    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not a WARC file at all\n" * 10)
    r = run("verify", junk)
    no_traceback(r)
    assert r.returncode == 1 and "FAIL" in r.stdout

    unreadable = tmp_path / "locked.warc.gz"
    unreadable.write_bytes((d / os.listdir(d)[0]).read_bytes())
    unreadable.chmod(0)
    try:
        r = run("verify", unreadable)
        no_traceback(r)
        if os.geteuid() != 0:  # root reads anything
            assert r.returncode == 1 and "cannot read" in r.stdout
    finally:
        unreadable.chmod(0o644)


def test_verify_notes_open_files(tmp_path):
    w = WarcWriter(tmp_path)
    w.write_exchange(HttpExchange("GET", "http://www.qz.gov.cn/", [], b"", 200, "OK", [], b"x"))
    r = run("verify", tmp_path)
    assert r.returncode == 1 and "no WARC files" in r.stderr or "not closed" in r.stdout
    w.close()
    r = run("verify", tmp_path)
    assert r.returncode == 0 and "not closed" not in r.stdout


# ------------------------------------------------------------------ cdxj


def test_cdxj_index_per_warc(tmp_path):
    d = tmp_path / "warc"
    caps = write_archive(d, n_reports=12, max_size=6_000)
    files = sorted(p.name for p in d.glob("*.warc.gz"))
    assert len(files) > 1
    r = run("cdxj", d)
    assert r.returncode == 0, r.stderr
    entries = []
    for name in files:
        idx = d / (name + ".cdxj")
        lines = idx.read_text(encoding="utf-8").splitlines()
        assert lines == sorted(lines)
        for line in lines:
            key, ts, js = line.split(" ", 2)
            entries.append((key, ts, json.loads(js)))
    by_offset = {(e[2]["filename"], int(e[2]["offset"])): e for e in entries}
    # Every response is indexed where the writer says it is; metadata records are not indexed.
    assert len(entries) == len(caps)
    for c in caps:
        key, ts, js = by_offset[(c.warc_filename, c.warc_offset)]
        assert int(js["length"]) == c.warc_length and js["digest"] == c.payload_digest and ts == "20240506070809"
    post = [e for e in entries if e[2].get("method") == "POST"]
    assert len(post) == 1 and "__wb_method=post" in post[0][0] and post[0][2]["requestBody"] == "col=1&webid=3&columnid=77"
    r2 = run("cdxj", d)
    assert r2.returncode == 0 and r2.stdout.count("up to date") == len(files)


def test_cdxj_damaged_warc_fails_and_says_where(tmp_path):
    """A WARC cut short (a crash, a copy that stopped) or with a flipped byte: cdxj-indexer
    stops silently at the cut, or raises with binary garbage; cdxj names the damage as verify
    does, says what it kept, and exits 1 — also on the next run."""
    d = tmp_path / "warc"
    caps = write_archive(d, n_reports=6)
    path = d / caps[0].warc_filename
    data = path.read_bytes()
    cut = caps[5].warc_offset + caps[5].warc_length // 2  # inside the 6th response's member
    path.write_bytes(data[:cut])
    r = run("cdxj", d)
    no_traceback(r)
    assert r.returncode == 1, r.stdout
    assert f"FAIL {path} @{caps[5].warc_offset}: incomplete gzip member at end of file" in r.stdout, r.stdout
    kept = (d / (path.name + ".cdxj")).read_text(encoding="utf-8").splitlines()
    assert len(kept) == 5  # the responses before the cut
    assert f"partial index {path}.cdxj (5 lines" in r.stdout, r.stdout
    assert "indexed 0 of 1 WARC file(s); 1 failed" in r.stdout
    r2 = run("cdxj", d)  # the partial index is not "up to date"
    assert r2.returncode == 1 and "incomplete gzip member" in r2.stdout, r2.stdout

    flipped = bytearray(data)
    flipped[caps[3].warc_offset + caps[3].warc_length // 2] ^= 0x01
    path.write_bytes(bytes(flipped))
    r = run("cdxj", d, "--force")
    no_traceback(r)
    assert r.returncode == 1
    line = next(li for li in r.stdout.splitlines() if li.startswith("FAIL"))
    assert line.startswith(f"FAIL {path} @{caps[3].warc_offset}: corrupt gzip member"), r.stdout
    assert line.isprintable() and len(line) < 400, line  # not the indexer's dump of the bytes


# ------------------------------------------------------------------ pack


def test_pack_wacz_datapackage_digests(archive_dir, tmp_path):
    d, caps = archive_dir
    out = tmp_path / "out" / "reports.wacz"
    (tmp_path / "out").mkdir()
    r = run("pack", d, "-o", out, "--title", "测试")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not Path(str(out) + ".tmp").exists()
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert {"datapackage.json", "datapackage-digest.json", "pages/pages.jsonl", "indexes/index.cdx.gz",
                "indexes/index.idx"} <= names
        assert {f"archive/{c.warc_filename}" for c in caps} <= names
        dp_bytes = z.read("datapackage.json")
        dp = json.loads(dp_bytes)
        assert dp["title"] == "测试" and dp["wacz_version"] == "1.1.1"
        listed = {res["path"] for res in dp["resources"]}
        assert listed == names - {"datapackage.json", "datapackage-digest.json"}
        for res in dp["resources"]:
            body = z.read(res["path"])
            assert res["bytes"] == len(body)
            assert res["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
        digest = json.loads(z.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(dp_bytes).hexdigest()
        # The WARC inside is byte-identical to the one on disk.
        w = caps[0].warc_filename
        assert z.read(f"archive/{w}") == (d / w).read_bytes()
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").decode().splitlines()]
        assert pages[0]["format"] == "json-pages-1.0"
        urls = {p["url"] for p in pages[1:]}
        assert "http://www.xiangyang.gov.cn/" in urls and "http://www.xiangyang.gov.cn/zwgk/ndbg/2015.html" in urls
        assert "http://www.xiangyang.gov.cn/zwgk/ndbg/index.html" not in urls  # list pages are not "pages"
        cdx = gzip.decompress(z.read("indexes/index.cdx.gz")).decode().splitlines()
        assert not any('"mime": "application/json"' in line for line in cdx)  # context records not replayable
    v = subprocess.run([str(VENV_BIN / "wacz"), "validate", "-f", str(out)], capture_output=True, text=True)
    assert v.returncode == 0 and "Validation succeeded" in v.stdout, v.stdout + v.stderr


def test_pack_errors(tmp_path):
    r = run("pack", tmp_path / "nowhere", "-o", tmp_path / "x.wacz")
    no_traceback(r)
    assert r.returncode == 1 and "no such file or directory" in r.stderr
    r = run("pack", tmp_path)
    assert r.returncode == 2 and "-o" in r.stderr  # argparse: required option


# ------------------------------------------------------------------ reindex


def test_reindex_skips_corrupt_record_and_continues(tmp_path):
    d = tmp_path / "warc"
    caps = write_archive(d, n_reports=4)
    path = d / caps[5].warc_filename
    data = bytearray(path.read_bytes())
    data[caps[5].warc_offset + 40] ^= 0xFF
    path.write_bytes(bytes(data))
    db = tmp_path / "reports.db"
    r = run("reindex", "--warc", d, "--db", db, "--jobs", "2")
    no_traceback(r)
    assert r.returncode == 1
    assert f"skipped bad record {caps[5].warc_filename} @{caps[5].warc_offset}" in r.stdout
    assert "reindexed 6 captures" in r.stdout  # 7 written, the damaged one skipped
    con = sqlite3.connect(db)
    urls = {u for (u,) in con.execute("SELECT url FROM captures")}
    assert len(urls) == 6 and "http://www.xiangyang.gov.cn/zwgk/ndbg/2017.html" not in urls


@pytest.mark.parametrize("variable,value,expected", [
    ("NIANBAO_EXTRACT_TIMEOUT", "abc", "a number"),
    ("NIANBAO_EXTRACT_MEMORY_MB", "1GB", "a whole number"),
    # read per document: every PDF was an "unreadable PDF: ValueError" row, and exit 0
    ("NIANBAO_PDF_MAX_PAGES", "abc", "a whole number"),
    # was silently read as 30
    ("NIANBAO_OCR_MAX_PAGES", "ten", "a whole number"),
])
def test_reindex_bad_number_in_environment(tmp_path, archive_dir, variable, value, expected):
    d, _ = archive_dir
    db = tmp_path / "reports.db"
    r = run("reindex", "--warc", d, "--db", db, **{variable: value})
    no_traceback(r)
    assert r.returncode == 2 and r.stderr.strip() == f"archive: error: {variable}={value}: expected {expected}", r.stderr
    assert not db.exists()


def test_reindex_bad_inputs(tmp_path):
    r = run("reindex", "--warc", tmp_path / "nope", "--db", tmp_path / "r.db")
    no_traceback(r)
    assert r.returncode == 1 and r.stderr.startswith("archive: error:") and "no such file" in r.stderr
    r = run("reindex", "--warc", tmp_path, "--db", tmp_path / "missing-dir" / "r.db")
    assert r.returncode == 1 and "does not exist" in r.stderr
    r = run("reindex", "--warc", tmp_path, "--db", tmp_path / "r.db", "--jobs", "0")
    assert r.returncode == 2 and "--jobs" in r.stderr
    r = run("reindex", "--warc", tmp_path, "--db", tmp_path / "r.db")
    assert r.returncode == 1 and "no WARC files" in r.stderr
    assert not (tmp_path / "r.db").exists()


def test_recover_command(tmp_path):
    w = WarcWriter(tmp_path)
    w.write_exchange(HttpExchange("GET", "http://www.jiahe.gov.cn/", [], b"", 200, "OK", [], os.urandom(5000)))
    w.write_exchange(HttpExchange("GET", "http://www.jiahe.gov.cn/2", [], b"", 200, "OK", [], os.urandom(5000)))
    path = Path(w.current_path)
    # Simulate the crash: drop the writer's lock without closing, then cut the last record.
    os.close(w._fd)
    w._fd = None
    members = list(iter_members(open(path, "rb")))
    with open(path, "r+b") as f:
        f.truncate(members[-2].offset + 10)
    r = run("recover", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "kept 3 whole records" in r.stdout  # warcinfo, response, request and "1 unfinished WARC file(s) handled" in r.stdout
    r = run("verify", tmp_path)
    assert r.returncode == 0, r.stdout


def test_help_and_usage():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("verify", "cdxj", "pack", "reindex", "recover"):
        assert cmd in r.stdout
    r = run()
    assert r.returncode == 2 and "usage:" in r.stderr
    r = run("reindex", "--help")
    assert "--jobs" in r.stdout and "--warc" in r.stdout


def test_reindex_gzip_bomb_bounded_and_skipped(tmp_path):
    """A gzip bomb archived as a report page: HttpCompression dropped it in the crawl
    (DOWNLOAD_MAXSIZE), reindex drops it too, without inflating it into memory."""
    d = tmp_path / "warc"
    write_archive(d, n_reports=2)
    bomb = gzip.compress(b"<p>" + b"\0" * 80_000_000, compresslevel=9)
    with WarcWriter(d) as w:
        w.write_exchange(HttpExchange("GET", "http://www.qz.gov.cn/bomb.html", [], b"", 200, "OK",
                                      [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], bomb, fetched_at=WHEN),
                         {"portal": "衢州市", "kind": "report", "anchor": "衢州市2020年政府信息公开工作年度报告"})
    db = tmp_path / "reports.db"
    # (That decoding stops at DOWNLOAD_MAXSIZE rather than inflating everything is tested in
    # tests/archive/warc/test_warc.py::test_gzip_bomb_is_bounded.)
    r = run("reindex", "--warc", d, "--db", db, "--jobs", "1")
    no_traceback(r)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "not indexed http://www.qz.gov.cn/bomb.html: ignored as in the crawl" in r.stdout
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM captures WHERE url LIKE '%bomb%'").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM reports WHERE url LIKE '%bomb%'").fetchone()[0] == 0


# ------------------------------------------------------------------ --db, -o and DIR that are something else


def not_ours(tmp_path) -> dict:
    """Files a user may give by mistake: a directory, someone else's database, not a database."""
    (tmp_path / "adir").mkdir()
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    (tmp_path / "notes.txt").write_text("garbage\n" * 200)
    return {"dir": tmp_path / "adir", "other": other, "text": tmp_path / "notes.txt"}


def test_walk_db_that_is_not_an_index(tmp_path):
    # were "OperationalError: no such table: portals" and "OperationalError: disk I/O error"
    bad = not_ours(tmp_path)
    for key, message in [("dir", "is a directory (give --db"), ("other", "not a nianbao index (no portals table)"),
                         ("text", "not a nianbao index (file is not a database)")]:
        r = run("walk", "襄阳市", "--db", bad[key])
        no_traceback(r)
        assert r.returncode == 1 and r.stderr.startswith(f"archive: error: {bad[key]}") and message in r.stderr
        assert "OperationalError" not in r.stderr


def test_reindex_refuses_to_replace_what_is_not_an_index(tmp_path):
    # --db a directory was "<dir>.reindex-tmp: Is a directory"; someone's database or a
    # text file was silently replaced by the new index
    d = tmp_path / "warc"
    write_archive(d, n_reports=1)
    bad = not_ours(tmp_path)
    before = {k: p.read_bytes() for k, p in bad.items() if p.is_file()}
    for key, message in [("dir", "is a directory; give a file such as"), ("other", "is not a nianbao index (tables t)"),
                         ("text", "is not a nianbao index (file is not a database)")]:
        r = run("reindex", "--warc", d, "--db", bad[key])
        no_traceback(r)
        assert r.returncode == 1 and r.stderr.startswith(f"archive: error: --db {bad[key]} ") and message in r.stderr
    assert {k: p.read_bytes() for k, p in bad.items() if p.is_file()} == before
    r = run("reindex", "--warc", d, "--db", tmp_path / "reports.db")
    assert r.returncode == 0, r.stderr
    r = run("reindex", "--warc", d, "--db", tmp_path / "reports.db")  # an index is replaced
    assert r.returncode == 0, r.stderr


def test_pack_names_the_file_that_is_not_a_warc_and_an_output_directory(tmp_path, archive_dir):
    # was "ArchiveLoadFailed: Unknown archive format, first line: ['hello']": which file?
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "x.warc.gz").write_text("hello\n")
    r = run("pack", junk, "-o", tmp_path / "x.wacz")
    no_traceback(r)
    assert r.returncode == 1 and r.stderr.startswith(f"archive: error: {junk / 'x.warc.gz'}: not a WARC file")
    # was "<dir>.tmp: Is a directory"
    out = tmp_path / "out"
    out.mkdir()
    r = run("pack", archive_dir[0], "-o", out)
    assert r.returncode == 1 and f"-o {out} is a directory" in r.stderr
    assert not list(tmp_path.glob("*.tmp"))


def test_recover_given_a_file(tmp_path):
    # was "0 unfinished WARC file(s) handled" and exit 0, having looked at nothing
    f = tmp_path / "x.warc.gz.open"
    f.write_bytes(b"")
    r = run("recover", f)
    no_traceback(r)
    assert r.returncode == 2 and "is not a directory: give the WARC directory" in r.stderr


def test_reindex_leaves_the_index_of_a_running_crawl_alone(tmp_path):
    # was: reindex moved a new reports.db over the one a running crawl had open; the crawl went
    # on writing to the unlinked file and exited 0, its captures, reports, portals and run
    # row missing from the index (seen: 248 of 263 captures, no portal row)
    from archive.runlock import RunLock

    d = tmp_path / "warc"
    write_archive(d, n_reports=1)
    db = tmp_path / "reports.db"
    assert run("reindex", "--warc", d, "--db", db).returncode == 0
    before = (db.stat().st_ino, db.read_bytes())
    with RunLock(tmp_path):  # as `scrapy crawl reports -s ARCHIVE_DIR=tmp_path` holds it
        r = run("reindex", "--warc", d, "--db", db)
    no_traceback(r)
    assert r.returncode == 75, r.stderr
    assert r.stderr.startswith(f"archive: error: a crawl or reindex (pid {os.getpid()}) is writing the index in "
                               f"{tmp_path}"), r.stderr
    assert (db.stat().st_ino, db.read_bytes()) == before
    assert run("reindex", "--warc", d, "--db", db).returncode == 0  # the lock is the crawl's only while it runs
