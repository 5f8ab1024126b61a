"""archive/warc/ against real files: everything written is read back with warcio (library and
its command line) and the digests are recomputed here with hashlib, independently of the writer."""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc import (
    HttpExchange,
    WarcWriter,
    iter_exchanges,
    iter_records,
    recover,
)
from tests.crawling import warcio_cli
from tests.paths import ROOT

NAME_RE = re.compile(r"^nianbao-\d{17}-\d{5}-[A-Za-z0-9._]+(-w\d+)?\.warc\.gz$")
WHEN = datetime(2024, 3, 30, 8, 15, 42, tzinfo=timezone.utc)


def b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def page(url="http://www.xiangyang.gov.cn/zwgk/ndbg/2023.html?id=7&lang=zh", **kw) -> HttpExchange:
    body = "<html><head><title>襄阳市2023年政府信息公开工作年度报告</title></head><body>正文</body></html>".encode()
    defaults = dict(
        method="GET",
        url=url,
        request_headers=[("User-Agent", "nianbao-test"), ("Accept-Encoding", "gzip, deflate")],
        request_body=b"",
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        payload=body,
        ip_address="10.1.2.3",
        fetched_at=WHEN,
    )
    defaults.update(kw)
    return HttpExchange(**defaults)


def warcio_records(path):
    """[(rec_type, rec_headers, http_headers, raw payload, content_stream payload, offset, length)]"""
    out = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        for rec in it:
            raw = rec.raw_stream.read()
            out.append([rec.rec_type, rec.rec_headers, rec.http_headers, raw, None])
            it.read_to_end(rec)
            out[-1] += [it.get_record_offset(), it.get_record_length()]
    return out


def block_of(path, offset):
    """Decompress the one gzip member at `offset` and split the WARC block out by hand."""
    with open(path, "rb") as f:
        f.seek(offset)
        d = zlib.decompressobj(31)
        data = d.decompress(f.read())
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
    assert rest[length:] == b"\r\n\r\n", "record must end with CRLFCRLF"
    return head.decode(), rest[:length]


def only_file(d) -> Path:
    files = sorted(Path(d).glob("*.warc.gz"))
    assert len(files) == 1, files
    return files[0]


def test_exchange_records_read_back_with_warcio(tmp_path):
    w = WarcWriter(tmp_path, info={"operator": "nianbao tests <ops@example.org>", "description": "unit test"})
    cap = w.write_exchange(page(), {"portal": "襄阳市", "kind": "report", "depth": 3})
    w.close()
    path = only_file(tmp_path)
    assert NAME_RE.match(path.name), path.name
    assert cap.warc_filename == path.name
    recs = warcio_records(path)
    assert [r[0] for r in recs] == ["warcinfo", "response", "request", "metadata"]
    assert all(r[1].protocol == "WARC/1.1" for r in recs)

    info = recs[0][3].decode()
    assert "format: WARC File Format 1.1" in info
    assert re.search(r"software: nianbao/\S+ warcio/\S+", info)
    assert "operator: nianbao tests <ops@example.org>" in info
    assert "robots: obey" in info
    assert recs[0][1].get_header("WARC-Filename") == path.name

    resp, req, meta = recs[1], recs[2], recs[3]
    assert resp[1].get_header("WARC-Target-URI") == page().url
    assert resp[1].get_header("WARC-IP-Address") == "10.1.2.3"
    assert resp[1].get_header("WARC-Date") == "2024-03-30T08:15:42Z"
    assert resp[2].statusline == "200 OK"
    # Request/response linked both ways.
    assert req[1].get_header("WARC-Concurrent-To") == resp[1].get_header("WARC-Record-ID")
    assert resp[1].get_header("WARC-Concurrent-To") == req[1].get_header("WARC-Record-ID")
    # Request line holds the path WITH the query; Host added as the client sent it.
    assert req[2].protocol == "GET" and req[2].statusline.startswith("/zwgk/ndbg/2023.html?id=7&lang=zh ")
    assert req[2].get_header("Host") == "www.xiangyang.gov.cn"
    assert req[2].get_header("User-Agent") == "nianbao-test"
    # Metadata: JSON crawl context, concurrent to the response, under a urn: target of its own.
    assert meta[1].get_header("Content-Type") == "application/json"
    assert meta[1].get_header("WARC-Concurrent-To") == resp[1].get_header("WARC-Record-ID")
    assert meta[1].get_header("WARC-Target-URI") == "urn:nianbao:context:" + page().url  # not the page: replay tools must not serve it
    assert json.loads(meta[3]) == {"portal": "襄阳市", "kind": "report", "depth": 3}

    # The Capture points at the response record: offset/length as warcio measures them.
    assert (cap.warc_offset, cap.warc_length) == (resp[5], resp[6])
    assert cap.record_id == resp[1].get_header("WARC-Record-ID")
    assert cap.fetched_at == "2024-03-30T08:15:42Z"


def test_digests_recomputed_independently(tmp_path):
    gz = gzip.compress("<p>机关 | 数量</p>".encode() * 50)
    w = WarcWriter(tmp_path)
    cap = w.write_exchange(
        page(response_headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")], payload=gz), {"kind": "report"}
    )
    w.close()
    path = only_file(tmp_path)
    with open(path, "rb") as f:
        data = f.read()
    # Walk every member by hand and check both digests of every record.
    pos, checked = 0, 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        rec = d.decompress(data[pos:])
        size = len(data) - pos - len(d.unused_data)
        head, _, rest = rec.partition(b"\r\n\r\n")
        hdrs = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
        block = rest[: int(hdrs["Content-Length"])]
        assert hdrs["WARC-Block-Digest"] == b32(block)
        if hdrs["WARC-Type"] == "response":
            payload = block.partition(b"\r\n\r\n")[2]
            assert payload == gz  # content encoding kept: the bytes the server sent
            assert hdrs["WARC-Payload-Digest"] == b32(gz) == cap.payload_digest
        checked += 1
        pos += size
    assert checked == 4


def test_warcio_cli_check_and_index_accept_files(tmp_path):
    w = WarcWriter(tmp_path)
    w.write_exchange(page(), {"kind": "report"})
    w.write_exchange(page(url="http://www.tieling.gov.cn/robots.txt", payload=b"User-agent: *\n", response_headers=[("Content-Type", "text/plain")]))
    w.close()
    path = only_file(tmp_path)
    check = warcio_cli("check", "-v", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout
    index = warcio_cli("index", "-f", "warc-type,warc-target-uri,http:status", path)
    assert index.returncode == 0, index.stderr
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert [r["warc-type"] for r in rows] == ["warcinfo", "response", "request", "metadata", "response", "request"]
    assert rows[4]["warc-target-uri"] == "http://www.tieling.gov.cn/robots.txt"


def test_repeated_headers_kept_in_order(tmp_path):
    headers = [
        ("Content-Type", "text/html"),
        ("Set-Cookie", "JSESSIONID=abc; Path=/"),
        ("Server", "TRS"),
        ("Set-Cookie", "route=42; HttpOnly"),
        ("Set-Cookie", "_gscu=1"),
    ]
    w = WarcWriter(tmp_path)
    w.write_exchange(page(response_headers=headers))
    w.close()
    resp = warcio_records(only_file(tmp_path))[1]
    assert resp[2].headers == headers
    (ex,) = iter_exchanges(tmp_path)
    assert ex.headers == headers


def test_post_body_in_request_record(tmp_path):
    form = "col=1&webid=27&path=/&columnid=1234&appid=1&permissiontype=0".encode()
    ex = page(
        url="http://www.suizhou.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15",
        method="POST",
        request_headers=[("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", str(len(form)))],
        request_body=form,
        payload=b"<datastore><nextgroup></nextgroup></datastore>",
    )
    w = WarcWriter(tmp_path)
    w.write_exchange(ex, {"kind": "list"})
    w.close()
    req = warcio_records(only_file(tmp_path))[2]
    assert req[0] == "request"
    assert req[2].protocol == "POST"
    assert req[2].statusline.split(" ")[0] == "/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    assert req[3] == form
    assert req[1].get_header("WARC-Payload-Digest") == b32(form)
    (got,) = iter_exchanges(tmp_path)
    assert got.method == "POST" and got.request.body == form


def test_gzip_payload_kept_encoded(tmp_path):
    html = "<html><body>襄阳市人民政府办公室 2023年</body></html>".encode() * 20
    gz = gzip.compress(html)
    w = WarcWriter(tmp_path)
    cap = w.write_exchange(page(response_headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                                  ("Content-Length", str(len(gz)))], payload=gz))
    w.close()
    _, block = block_of(only_file(tmp_path), cap.warc_offset)
    assert block.endswith(gz)
    (ex,) = iter_exchanges(tmp_path)
    assert ex.payload == gz and ex.header("Content-Encoding") == "gzip"
    assert ex.decoded_body() == html
    # warcio's own decoding agrees.
    with open(only_file(tmp_path), "rb") as f:
        for rec in ArchiveIterator(f):
            if rec.rec_type == "response":
                assert rec.content_stream().read() == html


def test_chunked_response_header_renamed(tmp_path):
    body = b"0123456789" * 1000  # de-chunked by the HTTP client
    hdrs = [("Content-Type", "application/pdf"), ("Transfer-Encoding", "chunked")]
    w = WarcWriter(tmp_path)
    cap = w.write_exchange(page(url="http://www.qz.gov.cn/a.pdf", response_headers=hdrs, payload=body))
    w.close()
    head, block = block_of(only_file(tmp_path), cap.warc_offset)
    http_head, _, payload = block.partition(b"\r\n\r\n")
    assert payload == body
    assert b"\r\nTransfer-Encoding:" not in http_head
    assert b"\r\nX-Archive-Orig-Transfer-Encoding: chunked" in http_head
    assert b"Content-Length" not in http_head  # none on the wire, none invented
    # warcio would de-chunk a "Transfer-Encoding: chunked" payload; with the rename it gives the bytes as is.
    with open(only_file(tmp_path), "rb") as f:
        for rec in ArchiveIterator(f):
            if rec.rec_type == "response":
                assert rec.content_stream().read() == body
    # A Content-Length sent next to chunked (meaningless on the wire) is renamed too when wrong.
    w = WarcWriter(tmp_path / "b")
    cap = w.write_exchange(page(response_headers=[("Transfer-Encoding", "chunked"), ("Content-Length", "5")], payload=body))
    w.close()
    _, block = block_of(only_file(tmp_path / "b"), cap.warc_offset)
    assert block.partition(b"\r\n\r\n")[0].endswith(b"\r\nX-Archive-Orig-Content-Length: 5")


def test_non_ascii_header_bytes_round_trip(tmp_path):
    # Scrapy header bytes decoded latin-1: a GBK filename must come back as the same bytes.
    raw = 'attachment; filename="年报.pdf"'.encode("gbk")
    w = WarcWriter(tmp_path)
    w.write_exchange(page(response_headers=[("Content-Disposition", raw.decode("latin-1"))]))
    w.close()
    (ex,) = iter_exchanges(tmp_path)
    assert ex.header("Content-Disposition").encode("latin-1") == raw


def test_open_name_while_writing_and_rename_on_close(tmp_path):
    w = WarcWriter(tmp_path, worker_id="w1")
    assert list(tmp_path.iterdir()) == []  # lazy: nothing until the first write
    cap = w.write_exchange(page())
    names = [p.name for p in tmp_path.iterdir()]
    assert names == [cap.warc_filename + ".open"]
    assert cap.warc_filename.endswith("-w1.warc.gz") and NAME_RE.match(cap.warc_filename)
    assert recover(tmp_path) == [f"{cap.warc_filename}.open: in use by a running writer; left alone"]
    w.close()
    assert [p.name for p in tmp_path.iterdir()] == [cap.warc_filename]


def test_rotation_at_max_size(tmp_path):
    max_size = 20_000
    w = WarcWriter(tmp_path, max_size=max_size)
    caps = []
    for i in range(40):
        payload = os.urandom(1500)  # incompressible, so sizes are predictable
        caps.append(w.write_exchange(page(url=f"http://www.jiahe.gov.cn/p/{i}.html", payload=payload), {"kind": "list", "i": i}))
    files = w.close()
    assert len(files) >= 3
    assert not list(tmp_path.glob("*.open"))
    assert [os.path.basename(f) for f in files] == sorted(p.name for p in tmp_path.glob("*.warc.gz"))
    serials = [int(os.path.basename(f).split("-")[2]) for f in files]
    assert serials == list(range(len(files)))
    for f in files:
        assert os.path.getsize(f) <= max_size
        recs = warcio_records(f)
        assert recs[0][0] == "warcinfo"
        # An exchange's records never straddle two files.
        assert [r[0] for r in recs[1:]] == ["response", "request", "metadata"] * ((len(recs) - 1) // 3)
    got = list(iter_exchanges(tmp_path))
    assert [g.context["i"] for g in got] == list(range(40))
    assert [g.capture.warc_filename for g in got] == [c.warc_filename for c in caps]
    assert [g.warc_offset for g in got] == [c.warc_offset for c in caps]


def test_revisit_records(tmp_path):
    w = WarcWriter(tmp_path)
    orig = w.write_exchange(page(response_headers=[("ETag", '"v1"')]))
    later = datetime(2024, 4, 6, tzinfo=timezone.utc)
    nm = w.write_revisit(
        page(status=304, reason="Not Modified", response_headers=[("ETag", '"v1"')], payload=b"", fetched_at=later,
             request_headers=[("If-None-Match", '"v1"')]),
        orig, profile="server-not-modified", metadata={"kind": "report"},
    )
    same = w.write_revisit(page(fetched_at=later), orig, profile="identical-payload-digest")
    with pytest.raises(ValueError):
        w.write_revisit(page(payload=b"changed"), orig, profile="identical-payload-digest")
    with pytest.raises(ValueError):
        w.write_revisit(page(), orig, profile="bogus")
    w.close()
    recs = [r for r in warcio_records(only_file(tmp_path)) if r[0] == "revisit"]
    assert len(recs) == 2
    for r, prof in zip(recs, ["server-not-modified", "identical-payload-digest"]):
        h = r[1]
        assert h.get_header("WARC-Profile") == f"http://netpreserve.org/warc/1.1/revisit/{prof}"
        assert h.get_header("WARC-Refers-To-Target-URI") == page().url
        assert h.get_header("WARC-Refers-To-Date") == "2024-03-30T08:15:42Z"
        assert h.get_header("WARC-Refers-To") == orig.record_id
        assert h.get_header("WARC-Payload-Digest") == orig.payload_digest
        assert r[3] == b""  # headers only, no second copy of the payload
    assert recs[0][2].statusline == "304 Not Modified"
    ex = [e for e in iter_exchanges(tmp_path)]
    assert [e.record_type for e in ex] == ["response", "revisit", "revisit"]
    assert ex[1].refers_to["profile"] == "server-not-modified" and ex[1].context == {"kind": "report"}
    assert ex[1].request.headers[-1] == ("If-None-Match", '"v1"')
    assert nm.record_type == same.record_type == "revisit"
    check = warcio_cli("check", str(only_file(tmp_path)))
    assert check.returncode == 0, check.stdout


def test_iter_exchanges_fields(tmp_path):
    w = WarcWriter(tmp_path)
    cap = w.write_exchange(page(), {"kind": "report", "portal": "铁岭市"})
    w.write_exchange(page(url="http://www.tieling.gov.cn/", status=404, reason="Not Found", payload=b"nope"), None)
    w.close()
    a, b = iter_exchanges(tmp_path)
    assert (a.url, a.method, a.status, a.reason, a.record_type) == (page().url, "GET", 200, "OK", "response")
    assert a.payload == page().payload and a.decoded_body() == page().payload
    assert a.context == {"kind": "report", "portal": "铁岭市"}
    assert a.capture == cap
    assert a.fetched_at == "2024-03-30T08:15:42Z" and a.ip_address == "10.1.2.3"
    assert a.payload_digest == b32(page().payload)
    assert a.request.target == "/zwgk/ndbg/2023.html?id=7&lang=zh"
    assert (b.status, b.context, b.payload) == (404, None, b"nope")


def test_corrupt_member_skipped_and_reported(tmp_path):
    w = WarcWriter(tmp_path)
    caps = [w.write_exchange(page(url=f"http://www.qz.gov.cn/{i}.html", payload=os.urandom(3000)), {"i": i}) for i in range(3)]
    w.close()
    path = only_file(tmp_path)
    data = bytearray(path.read_bytes())
    data[caps[1].warc_offset + caps[1].warc_length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    errors = []
    got = list(iter_exchanges(tmp_path, on_error=lambda p, off, msg: errors.append((off, msg))))
    assert [g.context["i"] for g in got] == [0, 2]
    assert errors and errors[0][0] == caps[1].warc_offset


def _crash_writer(directory: Path, n: int) -> None:
    """Write n exchanges in a child process and SIGKILL it before close(): a real crash."""
    code = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from archive.warc import WarcWriter, HttpExchange
        w = WarcWriter({str(directory)!r})
        for i in range({n}):
            w.write_exchange(HttpExchange("GET", f"http://www.qz.gov.cn/{{i}}.html", [], b"", 200, "OK",
                                          [("Content-Type", "text/html")], os.urandom(2000)), {{"i": i}})
        print(w.current_path, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == -signal.SIGKILL, r.stderr
    return Path(r.stdout.strip())


def test_recover_after_crash_with_truncated_record(tmp_path):
    open_path = _crash_writer(tmp_path, 5)
    assert open_path.name.endswith(".warc.gz.open") and open_path.exists()
    # A second crash mid-write: cut the file inside the last response record.
    members = [(m.offset, m.length) for m in _members(open_path)]
    last_resp_off, last_resp_len = members[-3]  # response, request, metadata per exchange
    cut = last_resp_off + last_resp_len // 2
    with open(open_path, "r+b") as f:
        f.truncate(cut)
    report = recover(tmp_path)
    final = open_path.with_name(open_path.name[: -len(".open")])
    assert len(report) == 1 and report[0].startswith(final.name) and "cut" in report[0]
    assert final.exists() and not open_path.exists()
    assert final.stat().st_size == last_resp_off  # cut exactly at the last whole record
    check = warcio_cli("check", str(final))
    assert check.returncode == 0, check.stdout
    assert [e.context["i"] for e in iter_exchanges(tmp_path)] == [0, 1, 2, 3]
    assert recover(tmp_path) == []  # idempotent


def test_recover_whole_file_and_empty_file(tmp_path):
    _crash_writer(tmp_path, 2)
    report = recover(tmp_path)
    assert "all 7 records whole" in report[0]
    # A crash during the warcinfo leaves nothing worth keeping.
    husk = tmp_path / "nianbao-20240101000000000-00000-x.warc.gz.open"
    husk.write_bytes(gzip.compress(b"WARC/1.1\r\nWARC-Type: warcinfo\r\nContent-Length: 100\r\n\r\nshort")[:30])
    report = recover(tmp_path)
    assert report == ["nianbao-20240101000000000-00000-x.warc.gz: no archived exchange survived; removed (30 bytes)"]
    assert not husk.exists()
    assert len(list(iter_exchanges(tmp_path))) == 2


def _members(path):
    from archive.warc import iter_members

    with open(path, "rb") as f:
        return list(iter_members(f))


def _enospc_child(directory: Path, mode: str) -> subprocess.CompletedProcess:
    code = textwrap.dedent(f"""
        import os, resource, sys
        sys.path.insert(0, {str(ROOT)!r})
        from archive.warc import WarcWriter, HttpExchange, ArchiveFullError
        if {mode!r} == "rlimit":
            # The limit is per file, so it must sit below the rotation size to be reached.
            resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))
            max_size = 1_000_000
        else:
            max_size = 60_000  # several files fit on the 200 KiB disk before it fills
        w = WarcWriter({str(directory)!r}, max_size=max_size)
        n = 0
        try:
            while n < 2000:
                w.write_exchange(HttpExchange("GET", f"http://www.qz.gov.cn/{{n}}.html", [], b"", 200, "OK",
                                              [("Content-Type", "text/html")], os.urandom(7000)), {{"i": n}})
                n += 1
        except ArchiveFullError as e:
            print("FULL", n, e, flush=True)
            sys.exit(3)
        print("never full", n)
    """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


@pytest.fixture
def small_disk(tmp_path):
    """A 200 KiB tmpfs when we may mount one; otherwise None (RLIMIT_FSIZE fallback)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        yield None
        return
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.parametrize("mode", ["tmpfs", "rlimit"])
def test_disk_full_raises_and_leaves_valid_files(tmp_path, small_disk, mode):
    if mode == "tmpfs":
        if small_disk is None:
            pytest.skip("cannot mount a tmpfs here; the rlimit case covers the same path")
        directory = small_disk / "warc"
    else:
        directory = tmp_path / "warc"
    r = _enospc_child(directory, mode)
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert r.stdout.startswith("FULL") and "archive disk full" in r.stdout
    assert "Traceback" not in r.stderr
    n_written = int(r.stdout.split()[1])
    assert n_written > 5
    assert not list(directory.glob("*.open"))  # the file being written was closed under its final name
    for f in sorted(directory.glob("*.warc.gz")):
        check = warcio_cli("check", str(f))
        assert check.returncode == 0, (f, check.stdout)
    got = [e.context["i"] for e in iter_exchanges(directory)]
    assert got == list(range(n_written))  # every exchange acknowledged before the error is there


def test_records_of_plain_uncompressed_warc(tmp_path):
    # Foreign, uncompressed WARCs are read through warcio.
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    p = tmp_path / "foreign.warc"
    with open(p, "wb") as f:
        ww = WARCWriter(f, gzip=False, warc_version="1.1")
        http_headers = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.0")
        ww.write_record(ww.create_warc_record("http://example.gov.cn/", "response", payload=io.BytesIO(b"hi"),
                                              length=2, http_headers=http_headers))
    (ex,) = iter_exchanges(p)
    assert ex.payload == b"hi" and ex.status == 200
    assert [r.rec_type for r in iter_records(str(p))] == ["response"]


# ------------------------------------------------------------------ decoding as the crawl decodes


def _scrapy_decode(payload: bytes, encoding: str, max_size: int = 0) -> bytes:
    """What Scrapy's HttpCompressionMiddleware hands the spider (its own code, run here)."""
    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware

    body, _ = HttpCompressionMiddleware._handle_encoding(HttpCompressionMiddleware, payload, [encoding.encode()], max_size)
    return body


@pytest.mark.parametrize("name,payload,encoding", [
    ("gzip", gzip.compress("年度报告".encode() * 500), "gzip"),
    ("x-gzip", gzip.compress(b"abc" * 99), "x-gzip"),
    ("truncated gzip keeps what decoded", gzip.compress(os.urandom(200_000))[:-5000], "gzip"),
    ("two gzip members", gzip.compress(b"one ") + gzip.compress(b"two"), "gzip"),
    ("zlib deflate", zlib.compress(b"deflated" * 50), "deflate"),
    ("raw deflate (IIS)", zlib.compress(b"raw deflate" * 50)[2:-4], "deflate"),
    ("unknown coding kept", gzip.compress(b"x"), "gzip, sdch"),
    ("identity", b"plain", "identity"),
    ("gzip then identity: Scrapy stops at identity", gzip.compress(b"x"), "gzip, identity"),
])
def test_decoded_body_equals_scrapy(name, payload, encoding):
    from archive.warc import decode_content

    assert decode_content(payload, encoding) == _scrapy_decode(payload, encoding), name


def test_gzip_bomb_is_bounded():
    from archive.warc import ContentTooLarge, decode_content

    bomb = gzip.compress(b"\0" * 60_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    with pytest.raises(ContentTooLarge):
        decode_content(bomb, "gzip", max_size=40 * 1024 * 1024)


def test_read_response_reads_one_record_at_its_capture(tmp_path):
    from archive.warc import read_response

    w = WarcWriter(tmp_path)
    first = w.write_exchange(page(), metadata={"kind": "report"})
    second = w.write_exchange(page(url="http://www.xiangyang.gov.cn/b.html", payload=b"<p>b</p>",
                                   response_headers=[("Content-Type", "text/html")]))
    w.close()
    path = str(only_file(tmp_path))
    for cap, url, payload in ((first, page().url, page().payload), (second, "http://www.xiangyang.gov.cn/b.html", b"<p>b</p>")):
        ex = read_response(path, cap.warc_offset, cap.warc_length)
        assert (ex.url, ex.record_id, ex.payload, ex.status) == (url, cap.record_id, payload, 200)
    # Bytes that are not one whole response record: None, never a wrong record.
    assert read_response(path, first.warc_offset, first.warc_length - 5) is None
    assert read_response(path, first.warc_offset + 1, first.warc_length) is None
    assert read_response(path, 0, first.warc_offset) is None  # the warcinfo record


def test_a_list_date_record_stands_alone_and_reads_back(tmp_path):
    """`write_list_date`: a JSON metadata record about no exchange (no WARC-Concurrent-To),
    valid for warcio, handed to `on_summary` by the reader of the range it starts in."""
    from archive.warc import LISTDATE_URI_PREFIX, exchanges_in_file

    record = {"url": "http://www.xiangyang.gov.cn/zwgk/content_1.html", "list_date": "2018-04-01",
              "list_url": "http://www.xiangyang.gov.cn/zwgk/ndbg/", "portal": "襄阳市"}
    with WarcWriter(tmp_path) as w:
        w.write_exchange(page(), metadata={"kind": "report"})
        w.write_list_date(record)
    path = only_file(tmp_path)
    last = warcio_records(path)[-1]
    assert last[0] == "metadata" and last[1].get_header("WARC-Concurrent-To") is None
    assert last[1].get_header("WARC-Target-URI") == LISTDATE_URI_PREFIX + record["url"]
    assert json.loads(last[3]) == record
    assert warcio_cli("check", path).returncode == 0
    got = []
    list(exchanges_in_file(str(path), on_summary=lambda uri, data: got.append((uri, data))))
    assert got == [(LISTDATE_URI_PREFIX + record["url"], record)]
    got.clear()  # a range that ends before the record does not report it
    list(exchanges_in_file(str(path), start=0, end=last[5], on_summary=lambda uri, data: got.append(uri)))
    assert got == []
