"""One check every request passes: no fetches of internal addresses (SSRF guard).

A portal page, a redirect or an attachment link can point at ``http://127.1/``,
``http://2130706433/``, ``http://[::ffff:10.0.0.1]/`` or a name that resolves to
169.254.169.254. This downloader middleware runs before every download (Scrapy sends
redirects and retries back through the chain, so they are checked too) and refuses a request
whose host is, or resolves to, a loopback, private, link-local, shared, reserved or multicast
address (archive.reports.urls.host_ip reads every IP spelling). Networks can be allowed
explicitly with ``NIANBAO_ALLOW_PRIVATE_NETWORKS`` (e.g. ``["10.8.0.0/16"]`` for an intranet
mirror).

Through a forward proxy (``http_proxy``, as the test farm is reached) the proxy resolves
names, so a name that does not resolve here is left to it; a literal address, or a name that
resolves here to an internal address, is refused all the same. The proxy's own address is the
operator's choice and is not checked. Limit: the crawler's own resolver may get another answer
than the check did (DNS rebinding); behind a proxy, the proxy's resolver decides.

A name is resolved once, however many requests for it arrive meanwhile, on the guard's own
threads: a lookup can take seconds (a resolver that drops a query answers after its 5 s
timeout; ~3% of lookups here), and one lookup per waiting request on the reactor's shared pool
of 10 threads stalled every other new host behind it (session 5: pages/s 136 → 104).
"""
from __future__ import annotations

import ipaddress
import logging
import socket

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import threads
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from archive.reports.urls import host_ip, is_internal_address

logger = logging.getLogger(__name__)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVER_THREADS = 16  # names resolved at once (slow lookups must not queue the others)


class InternalAddressError(IgnoreRequest):
    """A request to an internal address, refused before it was sent."""


def parse_networks(values) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """NIANBAO_ALLOW_PRIVATE_NETWORKS as networks; a bad entry raises ValueError naming it."""
    if isinstance(values, str):
        values = [v for v in values.replace(",", " ").split() if v]
    out = []
    for v in values or ():
        try:
            out.append(ipaddress.ip_network(str(v).strip(), strict=False))
        except ValueError:
            raise ValueError(f"NIANBAO_ALLOW_PRIVATE_NETWORKS: {v!r} is not a network (e.g. 10.8.0.0/16)") from None
    return out


def refusal(addresses: list[Address], allowed) -> str | None:
    """Why a host with these addresses must not be fetched, or None."""
    for ip in addresses:
        if is_internal_address(ip) and not any(ip in net for net in allowed if net.version == ip.version):
            kind = ("loopback" if ip.is_loopback else "link-local" if ip.is_link_local
                    else "private" if ip.is_private else "multicast" if ip.is_multicast else "reserved")
            return f"{kind} address {ip}"
    return None


def literal_refusal(host: str, allowed=()) -> str | None:
    """The reason for a host that is an internal address literally (or ``localhost``), or None."""
    h = (host or "").lower().rstrip(".")
    if h == "localhost" or h.endswith(".localhost"):
        return "loopback name localhost"
    ip = host_ip(h)
    return refusal([ip], allowed) if ip is not None else None


def _resolve(host: str) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    out = []
    for info in infos:
        ip = host_ip(info[4][0])
        if ip is not None:
            out.append(ip)
    return out


class NetGuardMiddleware:
    """Downloader middleware refusing requests to internal addresses (see the module docstring).

    The verdict for a host is computed once (its literal check, then its resolution off the
    reactor thread) and kept for the crawl: every later request to it costs a dictionary look-up.
    """

    def __init__(self, crawler, allowed):
        self.crawler = crawler
        self.allowed = allowed
        self._resolved: dict[str, list[Address]] = {}
        self._verdicts: dict[str, str | None] = {}  # host -> why it is refused, or None
        self._lookups: dict[str, list[Deferred]] = {}  # host being resolved -> requests waiting for it
        self._threads = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, parse_networks(crawler.settings.getlist("NIANBAO_ALLOW_PRIVATE_NETWORKS")))

    def check(self, host: str) -> str | None:
        """Why a request to ``host`` must not be sent, or None (resolves names; blocking)."""
        why = literal_refusal(host, self.allowed)
        if why is None and host_ip(host) is None:
            if host not in self._resolved:
                self._resolved[host] = _resolve(host)
            why = refusal(self._resolved[host], self.allowed)
            if why:
                why = f"{host} resolves to a {why}"
        return why

    def process_request(self, request, spider=None):
        host = urlparse_cached(request).hostname or ""
        try:
            why = self._verdicts[host]
        except KeyError:
            why = literal_refusal(host, self.allowed)
            if why is None and host_ip(host) is None and host not in self._resolved:
                # a name seen for the first time: resolved off the reactor thread (a slow
                # resolver must not stall the crawl); Scrapy awaits the coroutine
                return self._check_new_name(request, host)
            why = self._verdicts[host] = why or self.check(host)
        if why is not None:
            self._refuse(request, why)
        return None

    async def _check_new_name(self, request, host: str) -> None:
        why = await maybe_deferred_to_future(self._lookup(host))
        if why is not None:
            self._refuse(request, why)

    def _lookup(self, host: str) -> Deferred:
        """The verdict for a name not seen yet: one lookup per host, whoever waits for it."""
        waiter: Deferred = Deferred()
        if host in self._lookups:
            self._lookups[host].append(waiter)
            return waiter
        self._lookups[host] = [waiter]
        from twisted.internet import reactor

        lookup = threads.deferToThreadPool(reactor, self._thread_pool(), self.check, host)
        lookup.addBoth(self._looked_up, host)
        return waiter

    def _looked_up(self, result, host: str) -> None:
        if not isinstance(result, Failure):
            self._verdicts[host] = result
        for waiter in self._lookups.pop(host, []):
            if isinstance(result, Failure):
                waiter.errback(result)
            else:
                waiter.callback(result)

    def _thread_pool(self):
        """The guard's own resolver threads, stopped with the reactor."""
        if self._threads is None:
            from twisted.internet import reactor
            from twisted.python.threadpool import ThreadPool

            self._threads = ThreadPool(0, RESOLVER_THREADS, name="nianbao-netguard")
            self._threads.start()
            reactor.addSystemEventTrigger("during", "shutdown", self._threads.stop)
        return self._threads

    def _refuse(self, request, why: str) -> None:
        stats = self.crawler.stats if self.crawler is not None else None
        if stats is not None:
            stats.inc_value("nianbao/internal_address_refused")
        logger.warning("refused %s: %s (allow a network with NIANBAO_ALLOW_PRIVATE_NETWORKS)", request.url, why)
        raise InternalAddressError(f"internal address refused: {why}")
