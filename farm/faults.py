"""Fault mode of the farm (issue 8): transient faults that recover on retry, permanent failures
and hostile content.

``build_farm(kind, faults=FaultPlan(rate=0.05))``:

- transient faults on a deterministic fraction ``rate`` of the request targets (by hash of
  seed, method and URL): ``500``, ``502``, ``503`` (with ``Retry-After``), ``timeout`` (the
  server stalls ``stall`` seconds and closes without answering), ``reset`` (TCP RST before any
  byte), ``truncate`` (full Content-Length announced, half the body sent, then close). Each
  faulted target fails ``failures`` times, then answers normally: a crawl that retries loses
  nothing. The server applies them (see :meth:`FaultPlan.decide`) and logs every fault in
  ``FaultPlan.log``.
- with ``hostile=True`` a hostile portal (:class:`HostilePortal`) is added: its reports are
  normal (its home page has a stray ``</html>`` before the body), but its pages also link
  404/410 reports, a report answering 200 with an error page (a soft 404), a redirect loop, an off-scope redirect, a
  gzip bomb, a 50 MB page, binary served as text/html, malformed HTML, a wrong charset
  declaration, endless pages and ``javascript:``/``data:``/``file:``/``mailto:`` links and
  private/loopback IP literals. ``Farm.expected_failures`` lists the URLs that must end as
  visible failures and ``Farm.forbidden_hosts`` the hosts a crawl must never contact.
"""
from __future__ import annotations

import functools
import hashlib
import struct
import threading
import zlib
from dataclasses import dataclass, field

from .corpus import seed_report, variant
from .pages import ListItem, render_soft_404
from .sites import Built, Site, TrsPortal

TRANSIENT = ("500", "502", "503", "timeout", "reset", "truncate")


@dataclass
class FaultEvent:
    """One fault the server produced."""

    method: str
    url: str
    kind: str
    attempt: int


@dataclass
class FaultPlan:
    """Which requests fail and how (see the module docstring). Deterministic in ``seed``."""

    rate: float = 0.05
    seed: int = 0
    kinds: tuple[str, ...] = TRANSIENT
    failures: int = 1          # failing attempts per faulted target before it recovers
    retry_after: int = 1       # seconds, on 503 answers
    stall: float = 5.0         # seconds a "timeout" holds the connection before closing it
    robots: bool = False       # robots.txt may fault too
    hostile: bool = True       # add the hostile portal
    bomb_mb: int = 2048        # decompressed size of the gzip bomb
    big_mb: int = 50           # size of the huge page
    log: list[FaultEvent] = field(default_factory=list, repr=False)
    _attempts: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def kind_for(self, method: str, url: str) -> str | None:
        """The transient fault planned for a target (whatever the attempt), or None."""
        if not self.robots and url.endswith("/robots.txt"):
            return None
        h = hashlib.sha1(f"{self.seed}|{method}|{url}".encode()).digest()
        if int.from_bytes(h[:4], "big") / 2**32 >= self.rate:
            return None
        return self.kinds[int.from_bytes(h[4:8], "big") % len(self.kinds)]

    def decide(self, method: str, url: str) -> str | None:
        """Called by the server for each request: the fault to produce now, or None (the
        target's first ``failures`` attempts fail, later ones succeed)."""
        kind = self.kind_for(method, url)
        if kind is None:
            return None
        with self._lock:
            n = self._attempts[(method, url)] = self._attempts.get((method, url), 0) + 1
            if n > self.failures:
                return None
            self.log.append(FaultEvent(method, url, kind, n))
        return kind

    def faulted(self, urls, method: str = "GET") -> dict[str, str]:
        """Which of ``urls`` are planned to fault, with the fault kind."""
        return {u: k for u in urls if (k := self.kind_for(method, u))}

    def stats(self) -> dict[str, int]:
        """Faults produced so far, by kind, plus distinct targets hit."""
        with self._lock:
            out: dict[str, int] = {}
            for e in self.log:
                out[e.kind] = out.get(e.kind, 0) + 1
            out["targets"] = len({(e.method, e.url) for e in self.log})
            return out


@functools.lru_cache(maxsize=4)
def gzip_bomb(mb: int) -> bytes:
    """A gzip member that inflates to ``mb`` MiB of zeros (about 1/1000 of that compressed).
    Built from one full-flushed deflate block repeated, so it takes a second, not a minute."""
    chunk = b"\0" * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(mb):
        crc = zlib.crc32(chunk, crc)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + first + block * (mb - 1) + end
            + struct.pack("<II", crc, (mb << 20) & 0xFFFFFFFF))


def big_page(mb: int) -> bytes:
    """A syntactically fine HTML page of ``mb`` MiB."""
    row = "<p>" + "政务公开信息" * 40 + "</p>\n"
    unit = row.encode("utf-8")
    n = (mb << 20) // len(unit) + 1
    return b"<html><head><meta charset='utf-8'><title>\xe5\xa4\xa7</title></head><body>" + unit * n + b"</body></html>"


PRIVATE_LINKS = ["http://192.168.1.1/admin/", "http://10.0.0.8/xxgk/", "http://127.0.0.1:8080/",
                 "http://[::1]/", "http://169.254.169.254/latest/meta-data/", "http://172.16.5.4/nianbao.html",
                 "http://localhost/zwgk/"]
BAD_SCHEME_LINKS = ["javascript:void(0)", "javascript:openWin('/zwgk/xxgknb/')",
                    "data:text/html;base64,PGgxPuaUv+WQjOS/oeaBr+WFrOW8gOW5tOaKpTwvaDE+",
                    "file:///etc/passwd", "file://C:/windows/win.ini", "mailto:xxgk@heishui.gov.cn",
                    "tel:0837-6522001", "ftp://ftp.heishui.gov.cn/nianbao/"]
OFFSITE = "http://www.offsite-example.com/landing.html"


class HostilePortal(TrsPortal):
    """A TRS portal (黑水县) whose real reports sit among hostile and broken pages."""

    def __init__(self, plan: FaultPlan, name: str = "黑水县", host: str = "www.heishui.gov.cn"):
        base = seed_report("suizhou-2020")
        reports = [variant(base, government=name, year=y, province="四川省", slug=f"heishui-{y}",
                           index_no=f"11513228/{y + 1}-0000{y - 2018}") for y in (2019, 2020)]
        super().__init__(name, host, "四川省", "county", reports, n_lookalikes=4, per_page=5)
        self.plan = plan
        self.expected_failures: list[tuple[str, str]] = []

    def build(self) -> Built:
        built = super().build()
        site: Site = self.site(self.host)
        h = f"http://{self.host}"
        col = self.columns[0]
        # report-looking entries that are gone: 404 (no resource) and 410
        missing = ListItem(f"{self.name}2017年政府信息公开工作年度报告", "/zwgk/xxgknb/201803/t20180315_404404.html", "2018-03-15")
        gone = ListItem(f"{self.name}2018年政府信息公开工作年度报告", "/zwgk/xxgknb/201903/t20190315_410410.html", "2019-03-15")
        site.add(gone.href, b"<html><body><h1>410 Gone</h1></body></html>", status=410)
        # and one whose page answers 200 with an error page ("soft 404", as most portals do)
        # that counts down to the home page with a meta refresh
        soft = ListItem(f"{self.name}2016年政府信息公开工作年度报告", "/zwgk/xxgknb/201703/t20170315_200404.html", "2017-03-15")
        site.add(soft.href, render_soft_404(self.chrome(), meta_refresh=True))
        from .sites import LookAlike
        for item in (missing, gone, soft):
            col.entries.append((item, LookAlike(item.title, item.date, ())))
        col.sort()
        col.publish()
        self.expected_failures += [(h + missing.href, "404"), (h + gone.href, "410"), (h + soft.href, "soft 404")]
        # hostile pages, linked from a 专题 page on the home page
        site.add("/hostile/malformed.html", (
            "<html><head><title>专题<title></head><body><div><table><tr><td>政务公开<td><a href='/zwgk/'>信息公开"
            "<p>未闭合 <b><i>标签</b></i></div></div></div><script>var a = '<a href=\"/x\">';</scr"
            "<a href=/zwgk/ >首页</a>\x00\x01<!-- 未结束的注释").encode("utf-8"))
        site.add("/hostile/wrong-charset.html",
                 "<html><head><meta charset='utf-8'><title>政府信息公开</title></head><body><p>本页声明UTF-8，实际是GBK编码。</p>"
                 "<a href='/zwgk/'>政府信息公开</a></body></html>".encode("gbk"), "text/html; charset=utf-8")
        site.add("/hostile/binary.html", hashlib.sha256(b"x").digest() * 4096 + bytes(range(256)) * 64, "text/html")
        site.add("/hostile/bomb.html", lambda: gzip_bomb(self.plan.bomb_mb), "text/html", force_gzip=True)
        site.add("/hostile/big.html", lambda: big_page(self.plan.big_mb), "text/html; charset=utf-8")
        links = "".join(f'<li><a href="{u}">链接{i}</a></li>' for i, u in enumerate(BAD_SCHEME_LINKS + PRIVATE_LINKS))
        site.add("/hostile/links.html", f"<html><head><meta charset='utf-8'><title>友情链接</title></head><body><ul>{links}"
                                        f"<li><a href='{OFFSITE}'>外部网站</a></li></ul>"
                                        f"<iframe src='http://10.1.1.1/'></iframe><img src='http://192.168.0.2/a.png'>"
                                        "</body></html>".encode())

        def redirect(method, target, headers, body):
            path = target.split("?", 1)[0]
            if path == "/hostile/loop-a":
                return 302, [("Location", f"{h}/hostile/loop-b"), ("Content-Type", "text/html")], b""
            if path == "/hostile/loop-b":
                return 302, [("Location", "/hostile/loop-a"), ("Content-Type", "text/html")], b""
            if path == "/hostile/offsite":
                return 302, [("Location", OFFSITE), ("Content-Type", "text/html")], b""
            if path == "/hostile/to-private":
                return 302, [("Location", PRIVATE_LINKS[0]), ("Content-Type", "text/html")], b""
            return None

        def endless(method, target, headers, body):
            try:
                n = int(target.rsplit("/", 1)[1].split(".")[0])
            except ValueError:
                return None
            page = (f"<html><head><meta charset='utf-8'><title>第{n}页</title></head><body><p>第{n}页</p>"
                    f"<a href='/hostile/endless/{n + 1}.html'>下一页</a></body></html>")
            return 200, [("Content-Type", "text/html; charset=utf-8")], page.encode()

        site.route("/hostile/loop-", redirect)
        site.route("/hostile/offsite", redirect)
        site.route("/hostile/to-private", redirect)
        site.route("/hostile/endless/", endless)
        hostile = [("畸形页面", "/hostile/malformed.html"), ("编码错误", "/hostile/wrong-charset.html"),
                   ("二进制", "/hostile/binary.html"), ("压缩炸弹", "/hostile/bomb.html"),
                   ("超大页面", "/hostile/big.html"), ("友情链接", "/hostile/links.html"),
                   ("循环跳转", "/hostile/loop-a"), ("外部跳转", "/hostile/offsite"),
                   ("内网跳转", "/hostile/to-private"), ("无尽页面", "/hostile/endless/1.html")]
        from .pages import render_link_page
        home = render_link_page("trs", self.chrome(), self.name + "人民政府",
                                [("政务公开", [("政府信息公开", "/zwgk/")]), ("专题专栏", hostile)])
        # a stray </html> before the body (an included header's own, as on www.gov.cn): libxml2
        # stops reading there, so a crawler that does not read past it finds no link at all
        home = home.replace("<body", "</html>\n<body", 1) if isinstance(home, str) else \
            home.replace(b"<body", b"</html>\n<body", 1)
        site.add("/", home)
        site.add("/index.html", home)
        self.expected_failures += [
            (h + "/hostile/loop-a", "redirect loop"), (h + "/hostile/bomb.html", "size limit"),
            (h + "/hostile/big.html", "size limit"),
        ]
        return built


def forbidden_hosts() -> set[str]:
    """Hosts a crawl of a faulty farm must never contact (private/loopback literals, the
    off-scope redirect target)."""
    import urllib.parse

    return {urllib.parse.urlsplit(u).hostname for u in PRIVATE_LINKS + [OFFSITE]}
