"""Replay through pywb, byte for byte against what the sample portals served.

The farm (farm) records every response it sends (`FarmServer.sent`: the entity body
exactly as sent, gzip kept, chunk framing removed). A real `scrapy crawl reports` archives the
farm; `python -m archive pack` makes a WACZ; pywb's own `wb-manager add --unpack-wacz` loads it
into a collection and `wayback` serves it on loopback. Every archived 200 response - robots.txt,
home, column and list pages, report pages, PDF/DOCX attachments, gzip-encoded and chunked ones
included - is fetched back in identity mode (`<ts>id_/<url>`) and compared with the bytes the
farm sent.

pywb 2.10 is installed in the project venv (.venv) and imports there; if a future pywb pin
conflicts with the project's dependencies, point NIANBAO_PYWB_BIN at the bin/ directory of a
separate venv (`python -m venv .venv-pywb && .venv-pywb/bin/pip install pywb`).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from archive.warc import iter_exchanges
from tests.crawling import free_port
from tests.paths import ROOT


def pywb_bin() -> Path | None:
    # The venv `make test` builds for pywb first: a pywb that found its way into the project's
    # own venv runs against scrapy-redis's newer redis and does not start.
    for d in (os.environ.get("NIANBAO_PYWB_BIN"), str(ROOT / ".venv-pywb" / "bin"), str(Path(sys.executable).parent)):
        if d and (Path(d) / "wayback").exists() and (Path(d) / "wb-manager").exists():
            return Path(d)
    return None


@pytest.fixture(scope="module")
def crawl_with_sent(tmp_path_factory):
    """Our own farm server (the session `farm` fixture does not expose what it sent)."""
    from farm import build_farm
    from farm.server import FarmServer
    from tests.crawling import run_crawl

    work = tmp_path_factory.mktemp("replay")
    farm = build_farm("small")
    with FarmServer(farm) as srv:
        farm.write_portals_csv(work / "portals.csv")
        proc = run_crawl(work / "portals.csv", work / "archive", srv.port)
        sent = list(srv.sent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return work, work / "archive" / "warc", sent


@pytest.fixture(scope="module")
def wayback(crawl_with_sent):
    bindir = pywb_bin()
    if bindir is None:
        pytest.skip("pywb is not installed (pip install pywb, or set NIANBAO_PYWB_BIN)")
    work, warc, _ = crawl_with_sent
    wacz = work / "archive.wacz"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "archive", "pack", str(warc), "-o", str(wacz)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    site = work / "pywb"
    site.mkdir()
    for argv in (["wb-manager", "init", "nianbao"], ["wb-manager", "add", "--unpack-wacz", "nianbao", str(wacz)],
                 ["wb-manager", "init", "raw"]):
        r = subprocess.run([str(bindir / argv[0]), *argv[1:]], cwd=site, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
    # A second collection: the WARC files as they are, indexed by `python -m archive cdxj`
    # (not by wb-manager, whose indexer would also index the JSON crawl-context records).
    for f in warc.glob("*.warc.gz"):
        shutil.copy(f, site / "collections" / "raw" / "archive" / f.name)
    r = subprocess.run([sys.executable, "-m", "archive", "cdxj", str(site / "collections" / "raw" / "archive"),
                        "-o", str(site / "collections" / "raw" / "indexes")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    port = free_port()
    log = open(site / "wayback.log", "wb")
    proc = subprocess.Popen([str(bindir / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=site,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/nianbao"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        deadline = time.time() + 60
        while True:
            try:
                opener.open(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.time() > deadline:
                    raise AssertionError("wayback did not start: " + (site / "wayback.log").read_text()[-2000:]) from None
                time.sleep(0.3)
        yield base, opener
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # our own process group only
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_pywb_replays_bytes_the_farm_sent(crawl_with_sent, wayback):
    _, warc, sent = crawl_with_sent
    base, opener = wayback
    sent_by_url: dict[str, list] = {}
    for s in sent:
        if s.method == "GET" and s.status == 200:
            sent_by_url.setdefault(s.url, []).append(s)
    compared, kinds, gzipped, chunked = 0, set(), 0, 0
    for ex in iter_exchanges(warc):
        if ex.record_type != "response" or ex.method != "GET" or ex.status != 200:
            continue
        candidates = sent_by_url.get(ex.url)
        assert candidates, f"archived {ex.url} that the farm never sent"
        # The farm sent this URL with these exact bytes (payload digest equality picks the one).
        match = [s for s in candidates if s.body == ex.payload]
        assert match, f"archived payload of {ex.url} differs from every body the farm sent"
        ts = ex.fetched_at.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
        # A browser's Accept-Encoding: without it pywb decodes gzip for the client.
        req = urllib.request.Request(f"{base}/{ts}id_/{ex.url}", headers={"Accept-Encoding": "gzip, deflate"})
        with opener.open(req, timeout=30) as resp:
            assert resp.status == 200
            body = resp.read()  # urllib removes chunk framing, never content-encoding
            enc = resp.headers.get("Content-Encoding")
        assert body == match[0].body, f"pywb replayed {ex.url} differently ({len(body)} vs {len(match[0].body)} bytes)"
        if any(k.lower() == "content-encoding" and v == "gzip" for k, v in match[0].headers):
            gzipped += 1
            assert enc == "gzip"
        chunked += match[0].chunked
        kinds.add((ex.context or {}).get("kind"))
        compared += 1
    assert {"report", "attachment", "home", "list"} <= kinds, kinds
    assert gzipped >= 1, "no gzip-encoded response was compared"
    assert chunked >= 1, "no chunked response was compared"
    assert compared >= 30


def test_pywb_post_replay(crawl_with_sent, wayback):
    """The Hanweb `dataproxy.jsp` POST list calls replay too (POST body in the index key)."""
    _, warc, sent = crawl_with_sent
    base, opener = wayback
    posts = [ex for ex in iter_exchanges(warc) if ex.method == "POST" and ex.status == 200]
    assert posts, "the farm crawl made no POST call"
    for ex in posts:
        ts = ex.fetched_at.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
        req = urllib.request.Request(f"{base}/{ts}id_/{ex.url}", data=ex.request.body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        with opener.open(req, timeout=30) as resp:
            assert resp.read() == ex.payload


def test_pywb_replays_raw_warcs_with_our_cdxj(crawl_with_sent, wayback):
    """pywb on the WARC files themselves with the per-WARC CDXJ from `python -m archive cdxj`."""
    _, warc, sent = crawl_with_sent
    base, opener = wayback
    base = base.rsplit("/", 1)[0] + "/raw"
    n = 0
    for ex in iter_exchanges(warc):
        if ex.record_type != "response" or ex.status != 200 or (ex.context or {}).get("kind") not in ("report", "attachment"):
            continue
        ts = ex.fetched_at.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
        req = urllib.request.Request(f"{base}/{ts}id_/{ex.url}", headers={"Accept-Encoding": "gzip, deflate"})
        with opener.open(req, timeout=30) as resp:
            assert resp.read() == ex.payload, ex.url
            assert resp.headers.get("Content-Type") == ex.header("Content-Type")
        n += 1
    assert n >= 10
