"""A fast server for the benchmark farm: asyncio protocol, cached responses, TCP_NODELAY.

Same behaviour as farm/server.py (origin server for every farm host and forward proxy:
absolute-URI requests are routed by their host, origin-form ones by Host; unknown hosts get
502; keep-alive; chunked framing where the site asks for it; gzip when accepted), but it
answers from a cache of fully framed responses, so the farm costs a few microseconds a request
instead of BaseHTTPRequestHandler's per-request parsing. It runs in its own process (fork), so
the benchmark's client or crawler never shares a GIL with it.

    srv = FastFarmServer(farm); port = srv.start(); ...; srv.stop()
"""
from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import signal
import socket
import time
from email.utils import formatdate
from urllib.parse import urlsplit

from farm.server import REASONS

CACHE_BUDGET = 1 << 30  # bytes of framed responses kept; beyond it responses are rendered per request
_BAD_GATEWAY = b"<html><body><h1>502 Bad Gateway</h1><p>Could not resolve host</p></body></html>"


def _frame(status: int, headers: list[tuple[str, str]], data: bytes, method: str) -> tuple[bytes, bytes]:
    """(head without Date and final CRLF, body as framed on the wire)."""
    chunked = any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers)
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, '')}"]
    lines += [f"{k}: {v}" for k, v in headers]
    if not chunked:
        lines.append(f"Content-Length: {len(data)}")
    lines.append("Connection: keep-alive")
    head = ("\r\n".join(lines) + "\r\n").encode("latin-1")
    if method == "HEAD" or status in (204, 304):
        return head, b""
    if chunked:
        out, pos, step = [], 0, 1000
        while pos < len(data):
            piece = data[pos:pos + step]
            out.append(b"%x\r\n%s\r\n" % (len(piece), piece))
            pos += len(piece)
            step = 4096 if step == 1000 else 1000
        out.append(b"0\r\n\r\n")
        return head, b"".join(out)
    return head, data


class _Protocol(asyncio.Protocol):
    def __init__(self, farm, cache: dict, date: list, cache_bytes: list):
        self.farm, self.cache, self.date, self.cache_bytes = farm, cache, date, cache_bytes
        self.buf = b""

    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1")
            lines = head.split("\r\n")
            try:
                method, target, version = lines[0].split(" ", 2)
            except ValueError:
                self.transport.close()
                return
            headers = []
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers.append((k.strip(), v.strip()))
            hmap = {k.lower(): v for k, v in headers}
            length = int(hmap.get("content-length") or 0)
            if len(self.buf) < end + 4 + length:
                return
            body = self.buf[end + 4:end + 4 + length]
            self.buf = self.buf[end + 4 + length:]
            self._answer(method, target, version, headers, hmap, body)
            conn = hmap.get("connection", "").lower()
            if conn == "close" or (version == "HTTP/1.0" and conn != "keep-alive"):
                self.transport.close()
                return

    def _answer(self, method, target, version, headers, hmap, body) -> None:
        if target[:7].lower() == "http://":
            parts = urlsplit(target)
            host = (parts.hostname or "").lower().rstrip(".")
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        else:
            host = (urlsplit("//" + hmap.get("host", "")).hostname or "").lower().rstrip(".")
            path = target
        gz = "gzip" in hmap.get("accept-encoding", "").lower()
        key = (method, host, path, gz)
        framed = self.cache.get(key)
        if framed is None:
            site = self.farm.sites.get(host)
            if site is None:
                status, hdrs, data = 502, [("Content-Type", "text/html")], _BAD_GATEWAY
                dynamic = False
            else:
                dynamic = method not in ("GET", "HEAD") or any(path.startswith(p) for p, _ in site.handlers)
                status, hdrs, data = site.handle(method, path, headers, body)
            framed = _frame(status, hdrs, data, method)
            size = len(framed[0]) + len(framed[1])
            if not dynamic and self.cache_bytes[0] + size <= CACHE_BUDGET:
                self.cache[key] = framed
                self.cache_bytes[0] += size
        now = int(time.time())
        if self.date[0] != now:
            self.date[0], self.date[1] = now, f"Date: {formatdate(now, usegmt=True)}\r\n\r\n".encode()
        self.transport.write(framed[0] + self.date[1] + framed[1])


def _serve(farm, sock: socket.socket, ready) -> None:
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    loop = asyncio.new_event_loop()
    cache: dict = {}
    date = [0, b""]
    cache_bytes = [0]
    server = loop.run_until_complete(loop.create_server(lambda: _Protocol(farm, cache, date, cache_bytes), sock=sock,
                                                        backlog=1024))
    ready.set()
    loop.run_until_complete(server.serve_forever())


class FastFarmServer:
    """Serve a farm on 127.0.0.1 from a forked process (see the module docstring)."""

    def __init__(self, farm, port: int = 0, host: str = "127.0.0.1"):
        self.farm, self.host, self.port = farm, host, port
        self._proc = None

    @property
    def proxy_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> int:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(1024)
        self.port = sock.getsockname()[1]
        ctx = mp.get_context("fork")
        ready = ctx.Event()
        self._proc = ctx.Process(target=_serve, args=(self.farm, sock, ready), daemon=True, name="fastfarm")
        self._proc.start()
        sock.close()
        if not ready.wait(30):
            raise RuntimeError("farm server did not start")
        return self.port

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.join(10)
            self._proc = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
