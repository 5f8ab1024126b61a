"""The farm server's own ceiling: a plain concurrent HTTP client, no Scrapy.

``measure(port, urls, connections, seconds)`` runs ``processes`` client processes, each with
``connections // processes`` threads holding one keep-alive connection each, sending
proxy-form GETs (``GET http://host/path``, as Scrapy and wget send through ``http_proxy``)
over ``urls`` round-robin, and returns requests/s over the window.
"""
from __future__ import annotations

import http.client
import multiprocessing as mp
import threading
import time


def _client(port: int, urls: list[str], threads: int, seconds: float, offset: int, q) -> None:
    done = [0] * threads
    errors = [0] * threads
    stop = time.monotonic() + seconds

    def run(t: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = offset + t * 7919
        while time.monotonic() < stop:
            url = urls[i % len(urls)]
            i += 1
            try:
                conn.request("GET", url, headers={"Accept-Encoding": "gzip, deflate"})
                resp = conn.getresponse()
                resp.read()
                done[t] += 1
            except (OSError, http.client.HTTPException):
                errors[t] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    ts = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    q.put((sum(done), sum(errors)))


def measure(port: int, urls: list[str], connections: int = 32, seconds: float = 5.0,
            processes: int = 2) -> dict:
    """Requests per second the server on ``port`` answers to ``connections`` keep-alive clients."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    per = max(1, connections // processes)
    procs = [ctx.Process(target=_client, args=(port, urls, per, seconds, k * 104729, q)) for k in range(processes)]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.monotonic() - t0
    done = sum(r[0] for r in results)
    return {"requests": done, "errors": sum(r[1] for r in results), "seconds": seconds,
            "requests_per_s": round(done / seconds, 1), "connections": per * processes,
            "client_processes": processes, "wall_incl_startup": round(wall, 2)}
