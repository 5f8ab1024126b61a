"""No fetches of internal addresses (#15 point 2): every IP spelling, names that resolve to
internal ranges, redirects and attachment links, portals.csv rows; a setting allows a network.

The crawl tests run the real spider through the farm's proxy, as every crawl test does.
"""
from __future__ import annotations

import ipaddress
import subprocess
import sys

import pytest

from archive.reports.urls import canonical_url, host_ip
from crawler.netguard import literal_refusal, parse_networks, refusal
from tests.crawling import ROOT, crawl_env, run_crawl

LOOPBACK_SPELLINGS = ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0x7F.0.0.1", "0177.0.0.1",
                      "017700000001", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "localhost", "a.localhost"]
INTERNAL = ["10.1", "0xa.0.0.8", "169.254.169.254", "2852039166", "172.16.5.4", "192.168.0.1", "100.64.0.1",
            "0.0.0.0", "0", "224.0.0.1", "[fe80::1]", "[fc00::1]", "[::]", "[2002:7f00:1::]"]


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS + INTERNAL)
def test_every_spelling_of_an_internal_address_is_refused(host):
    assert literal_refusal(host) is not None
    assert canonical_url(f"http://{host}/xxgk/") is None


@pytest.mark.parametrize("host", ["8.8.8.8", "www.hubei.gov.cn", "cafe.be", "1.2.3.4.5", "[2001:db9::1]"])
def test_public_hosts_and_names_pass_the_literal_check(host):
    assert literal_refusal(host) is None


def test_allowed_networks():
    allowed = parse_networks(["10.8.0.0/16"])
    assert refusal([host_ip("10.8.1.2")], allowed) is None
    assert refusal([host_ip("10.9.1.2")], allowed) == "private address 10.9.1.2"
    assert refusal([ipaddress.ip_address("127.0.0.1")], parse_networks("127.0.0.0/8")) is None
    with pytest.raises(ValueError, match="'ten' is not a network"):
        parse_networks(["ten"])


def test_names_that_resolve_to_internal_addresses_are_refused():
    """Real resolution: this machine's own name resolves to a loopback address (/etc/hosts)."""
    import socket

    from crawler.netguard import NetGuardMiddleware, _resolve

    name = socket.gethostname()
    addresses = _resolve(name)
    if not addresses or all(a.is_global for a in addresses):
        pytest.skip(f"{name} does not resolve to an internal address on this machine")
    guard = NetGuardMiddleware(None, [])
    assert guard.check(name).startswith(f"{name} resolves to a ")
    assert guard.check("2130706433") == "loopback address 127.0.0.1"   # requests made from index rows too
    assert NetGuardMiddleware(None, parse_networks("0.0.0.0/0 ::/0")).check(name) is None
    assert guard.check("www.hubei.gov.cn") is None                       # does not resolve here: the proxy's


def test_the_middleware_refuses_every_request_to_a_host_not_only_the_first():
    """Verdicts are kept per host: the second request to a refused host is refused from the
    cache, a name is resolved once (off the reactor: the first request awaits a coroutine)."""
    import asyncio
    import socket

    from scrapy import Request

    from crawler.netguard import InternalAddressError, NetGuardMiddleware, _resolve

    guard = NetGuardMiddleware(None, [])
    for url in ("http://127.1/a", "http://127.1/b", "http://localhost/", "http://[::ffff:10.0.0.1]/x"):
        with pytest.raises(InternalAddressError):
            guard.process_request(Request(url))
    assert guard.process_request(Request("http://8.8.8.8/")) is None
    assert guard._verdicts["127.1"] == "loopback address 127.0.0.1"
    first = guard.process_request(Request("http://www.hubei.gov.cn/"))   # a name: resolved off-thread
    assert asyncio.iscoroutine(first)
    first.close()
    name = socket.gethostname()
    if any(not a.is_global for a in _resolve(name)):
        guard._resolved[name] = _resolve(name)   # as the first request's thread left it
        for _ in range(2):
            with pytest.raises(InternalAddressError, match="resolves to a"):
                guard.process_request(Request(f"http://{name}/"))


def test_a_new_name_is_resolved_once_for_every_request_waiting_for_it(monkeypatch):
    """Eight requests to a host not resolved yet make one lookup (on the guard's threads), and
    all eight get its verdict: one lookup each filled the reactor's 10 threads with lookups of
    one slow name (a resolver that times out after 5 s) and stalled every other new host.
    The thread pool is replaced by a Deferred fired by hand: the test has no running reactor."""
    import asyncio
    import socket

    from scrapy import Request
    from twisted.internet.defer import Deferred

    from crawler import netguard
    from crawler.netguard import InternalAddressError, NetGuardMiddleware

    lookups = []

    def one_lookup(reactor, pool, fn, host):
        lookups.append((fn, host))
        return Deferred()
    monkeypatch.setattr(netguard.threads, "deferToThreadPool", one_lookup)
    guard = NetGuardMiddleware(None, [])
    guard._thread_pool = lambda: None
    name = socket.gethostname()   # resolves to a loopback address on this machine (/etc/hosts)
    if all(a.is_global for a in netguard._resolve(name)):
        pytest.skip(f"{name} does not resolve to an internal address on this machine")
    waiting = [guard.process_request(Request(f"http://{name}/p{i}")) for i in range(8)]
    assert all(asyncio.iscoroutine(w) for w in waiting)

    async def wait_all():
        tasks = [asyncio.ensure_future(w) for w in waiting]
        await asyncio.sleep(0)
        assert len(lookups) == 1
        fn, host = lookups[0]
        guard._looked_up(fn(host), host)   # the lookup's thread, run here
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(wait_all())
    assert len(results) == 8 and all(isinstance(r, InternalAddressError) for r in results)
    with pytest.raises(InternalAddressError):   # later requests: the kept verdict, no lookup
        guard.process_request(Request(f"http://{name}/later"))
    assert len(lookups) == 1


@pytest.mark.parametrize("url,why", [("http://127.1/", "loopback address 127.0.0.1"),
                                     ("http://2130706433/zwgk/", "loopback address 127.0.0.1"),
                                     ("http://[::ffff:10.0.0.1]/", "private address 10.0.0.1")])
def test_portals_csv_rows_at_internal_hosts_are_clear_errors(tmp_path, url, why):
    csv = tmp_path / "portals.csv"
    csv.write_text(f"name,url\n甲县,http://www.jia.gov.cn/\n乙县,{url}\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"portals={csv}",
                        "-s", f"ARCHIVE_DIR={tmp_path / 'a'}"], cwd=ROOT, env=crawl_env(None),
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert f"portals.csv line 3: {url} is a {why}" in r.stderr
    assert not (tmp_path / "a" / "warc").exists()


def _guard_farm():
    """A portal whose report page links attachments at internal hosts and redirects to one;
    the farm's server records every request it receives."""
    from farm import build_farm

    farm = build_farm("small")
    site = farm.sites["www.xiangyang.gov.cn"]
    links = "".join(f'<a href="http://{h}/nb.pdf">{i}年报附件.pdf</a>' for i, h in
                    enumerate(["2130706433", "0x7f000001", "127.1", "[::ffff:127.0.0.1]", "localhost"]))
    site.add("/guard/index.html", f"<html><body><h1>政府信息公开年报</h1>{links}"
                                  f'<a href="/guard/go">2019年政府信息公开工作年度报告</a></body></html>'.encode())
    site.route("/guard/go", lambda m, t, h, b: (302, [("Location", "http://2130706433/admin")], b""))
    home = site.resources["/"]
    home.body = home.data().replace(b"</body>", b'<a href="/guard/index.html">\xe6\x94\xbf\xe5\xba\x9c\xe4\xbf\xa1\xe6\x81\xaf\xe5\x85\xac\xe5\xbc\x80\xe5\xb9\xb4\xe6\x8a\xa5</a></body>')
    return farm


def test_a_crawl_never_sends_a_request_to_an_internal_address(tmp_path):
    from farm.server import FarmServer

    farm = _guard_farm()
    portals = tmp_path / "portals.csv"
    portals.write_text("name,url\n襄阳市,http://www.xiangyang.gov.cn/\n", encoding="utf-8")
    with FarmServer(farm) as srv:
        r = run_crawl(portals, tmp_path / "a", srv.port)
        sent = [s.url for s in srv.sent]
    assert r.returncode == 0, r.stderr[-2000:]
    assert "http://www.xiangyang.gov.cn/guard/index.html" in sent      # the page was walked
    bad = [u for u in sent if literal_refusal(u.split("/")[2].rsplit(":", 1)[0] if "[" not in u else u.split("/")[2])]
    assert bad == []
    assert "http://www.xiangyang.gov.cn/guard/go" in sent              # the redirect was followed up to the guard
