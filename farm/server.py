"""The farm's HTTP server: an origin server for every farm host that is also a forward proxy.

Scrapy with ``http_proxy=http://127.0.0.1:PORT`` sends absolute-URI requests
(``GET http://www.xiangyang.gov.cn/path HTTP/1.1``); plain origin-form requests are routed by
their Host header. Unknown hosts get 502, as from a proxy that cannot resolve the name.

HTTP/1.1 keep-alive, TCP_NODELAY, one thread per connection. Every response is recorded in
:attr:`FarmServer.sent` (:class:`SentResponse`: the entity body exactly as sent, i.e. gzip
kept, chunk framing removed) so tests can compare what the archive stored byte for byte.
"""
from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class SentResponse:
    """One answered request."""

    method: str
    url: str                      # absolute http://host/path?query
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    headers: list[tuple[str, str]]
    body: bytes | None            # entity body as sent (Content-Encoding applied, no chunking);
                                  # None once the server's record budget is spent
    chunked: bool
    proxy_form: bool              # the request line held an absolute URI
    at: float = field(default_factory=time.time)
    sha1: str = ""                # hex digest of the entity body as sent (always kept)
    length: int = 0


REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 410: "Gone",
           412: "Precondition Failed", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout", 521: "Web Server Is Down"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "farm"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # small responses must not wait for Nagle/delayed-ACK (40 ms per request otherwise)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet by default
        if self.server.farm_server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)

    def _serve(self) -> None:
        fs: FarmServer = self.server.farm_server  # type: ignore[attr-defined]
        target = self.path
        proxy_form = target.lower().startswith("http://") or target.lower().startswith("https://")
        if proxy_form:
            parts = urllib.parse.urlsplit(target)
            host = parts.hostname or ""
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
        else:
            host = urllib.parse.urlsplit("//" + (self.headers.get("Host") or "")).hostname or ""
            path = target
        host = host.lower().rstrip(".")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req_headers = list(self.headers.items())
        site = fs.farm.sites.get(host)
        plan = getattr(fs.farm, "faults", None)
        if plan is not None and site is not None:
            kind = plan.decide(self.command, f"http://{host}{path}")
            if kind is not None:
                self._fault(kind, plan, site, path, req_headers, body)
                return
        if site is None:
            status, headers, data = 502, [("Content-Type", "text/html")], (
                f"<html><body><h1>502 Bad Gateway</h1><p>Could not resolve host {host}</p></body></html>").encode()
        else:
            status, headers, data = site.handle(self.command, path, req_headers, body)
        chunked = any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers)
        # recorded before sending, so a client that has read the answer finds it recorded
        fs._record(SentResponse(self.command, f"http://{host}{path}", req_headers, body, status, headers,
                                data if self.command != "HEAD" else b"", chunked, proxy_form))
        self.send_response_only(status, REASONS.get(status, ""))
        self.send_header("Date", formatdate(usegmt=True))
        for k, v in headers:
            self.send_header(k, v)
        if not chunked:
            self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "keep-alive" if not self.close_connection else "close")
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            if chunked:
                # uneven chunk sizes, as real servers flush them
                pos, step = 0, 1000
                while pos < len(data):
                    piece = data[pos:pos + step]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    pos += len(piece)
                    step = 4096 if step == 1000 else 1000
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(data)
        self.wfile.flush()

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = _serve

    def _fault(self, kind: str, plan, site, path: str, req_headers, body: bytes) -> None:
        """Produce a transient fault (farm/faults.py)."""
        if kind in ("500", "502", "503"):
            status = int(kind)
            data = f"<html><body><h1>{status} {REASONS[status]}</h1></body></html>".encode()
            self.send_response_only(status, REASONS[status])
            self.send_header("Date", formatdate(usegmt=True))
            self.send_header("Content-Type", "text/html")
            if status == 503:
                self.send_header("Retry-After", str(plan.retry_after))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            return
        self.close_connection = True
        if kind == "timeout":
            time.sleep(plan.stall)  # longer than the crawler's download timeout: no answer
            return
        if kind == "reset":
            # SO_LINGER 0: closing sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        # truncate: announce the whole body, send half of it, close
        status, headers, data = site.handle(self.command, path, req_headers, body)
        headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        self.send_response_only(status, REASONS.get(status, ""))
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:  # the socket was reset on purpose
            pass

    def do_CONNECT(self) -> None:
        # The farm is http-only; a CONNECT tunnel is refused like a proxy without TLS support.
        self.send_response_only(501, "Not Implemented")
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class FarmServer:
    """Serve a :class:`farm.Farm` on 127.0.0.1.

    >>> with FarmServer(build_farm()) as srv:
    ...     proxy = f"http://127.0.0.1:{srv.port}"
    """

    def __init__(self, farm, port: int = 0, host: str = "127.0.0.1", record: bool = True,
                 verbose: bool = False, max_record_bytes: int = 256 << 20):
        self.farm = farm
        self.host = host
        self.port = port
        self.record = record
        self.verbose = verbose
        self.sent: list[SentResponse] = []
        # Bodies are kept until this many bytes are recorded (a large bench serves gigabytes);
        # after that only the digest and length are.
        self.max_record_bytes = max_record_bytes
        self._recorded_bytes = 0
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def _record(self, r: SentResponse) -> None:
        if self.record:
            data = r.body or b""
            r.sha1, r.length = hashlib.sha1(data).hexdigest(), len(data)
            with self._lock:
                if self._recorded_bytes + len(data) > self.max_record_bytes:
                    r.body = None
                else:
                    self._recorded_bytes += len(data)
                self.sent.append(r)

    @property
    def proxy_url(self) -> str:
        """The value for ``http_proxy``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> int:
        """Start serving in a background thread; returns the port."""
        self._httpd = _Server((self.host, self.port), _Handler)
        self._httpd.farm_server = self  # type: ignore[attr-defined]
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"farm-{self.port}", daemon=True)
        self._thread.start()
        return self.port

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def sent_for(self, url: str) -> list[SentResponse]:
        """Responses sent for ``url`` (absolute, as the farm saw it)."""
        with self._lock:
            return [r for r in self.sent if r.url == url]

    def __enter__(self) -> "FarmServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
