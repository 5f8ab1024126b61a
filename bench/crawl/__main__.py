"""Crawl benchmark: CPU per archived page, pages/s, RSS; Scrapy floor and wget as references.

    .venv/bin/python -m bench.crawl [--portals 200] [--runs 3] [--kinds full,floor,wget]
                                    [--workers 1,2] [--profile] [--out bench/results/crawl-X.json]

Generates a farm (bench/crawl/farm.py: ~106 pages a portal) served on loopback by
bench/crawl/server.py (cached responses, TCP_NODELAY, its own process; its ceiling is
measured first with a plain concurrent client), then runs, alternating, `--runs` rounds of:

  full   `scrapy crawl reports` with BENCH_SETTINGS (politeness off), the real pipeline:
         WARC middleware, extraction, indexing;
  floor  the same spider with `-s WARC_ENABLED=False -s ITEM_PIPELINES={}` (checked: no WARC
         file and no reports.db written);
  wget   `wget --mirror --warc-file` over the same portals through the same proxy (no JS, so
         it finds fewer pages; it is the per-response reference).

and, with `--workers 1,2`, the distributed mode (settings/distributed.py, a private
redis-server) with 1 and 2 workers. Every crawl is a child process; its CPU is the
user+sys of os.wait4 (children it reaped, e.g. an extraction pool, included), its peak RSS
the VmHWM of the process plus its descendants' (polled; not ru_maxrss, which Linux carries
over from the parent across fork+exec); RSS every 1,000 responses comes from bench/crawl/rss.py. Results are printed
and written as JSON (default bench/results/crawl-<UTC time>.json).

Length: the measurement loop (alternating kinds, child CPU and RSS) and the report it prints
are one procedure; the farm and the server it crawls are in farm.py and server.py.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.crawl.ceiling import measure
from bench.crawl.farm import bench_farm, page_count
from bench.crawl.server import FastFarmServer
from tests.crawling import ROOT, crawl_command, crawl_env

# Politeness off, for a farm on loopback only (never for real portals: settings/default.py
# stays polite). robots.txt stays obeyed as by default, so its fetch and parsing are counted.
BENCH_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "RANDOMIZE_DOWNLOAD_DELAY": "False",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "128",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
    "LOGSTATS_INTERVAL": "30",
    "EXTENSIONS": json.dumps({"bench.crawl.rss.RssLog": 0}),
    "BENCH_RSS_EVERY": "1000",
}
FLOOR_SETTINGS = {"WARC_ENABLED": "False", "ITEM_PIPELINES": "{}"}
# Variants of the full pipeline, to compare where extraction runs (crawler/pipelines.py).
KIND_SETTINGS = {"floor": FLOOR_SETTINGS,
                 "full-inline": {"NIANBAO_EXTRACT_PROCESSES": "0"},
                 "full-pool1": {"NIANBAO_EXTRACT_PROCESSES": "1"},
                 "full-pool2": {"NIANBAO_EXTRACT_PROCESSES": "2"},
                 # allocations of the crawl process by source line (bench/crawl/rss.py); slow
                 "full-tracemalloc": {"BENCH_TRACEMALLOC": "1"}}
RSS_MARKS = (5000, 10000, 20000)


# ----------------------------------------------------------------------------- one process
def _status_kb(pid: int, field: str = "VmHWM:") -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _hwm_kb(pid: int) -> int:
    return _status_kb(pid, "VmHWM:")


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    kids = [int(c) for c in f.read().split()]
                out += kids
                todo += kids
        except OSError:
            pass
    return out


class _PeakRss(threading.Thread):
    """Peak RSS of a child and its descendants, from /proc/PID/status VmHWM polled every 0.2 s.

    (ru_maxrss from wait4 is no good here: Linux keeps a process's maxrss across fork+exec, so
    every child would report at least the RSS this benchmark process had when it started it.)
    VmHWM is each process's own high-water mark; the last poll before exit misses at most
    the last 0.2 s of growth. ``main_kb`` is the crawl process, ``children_kb`` the sum of the
    highest marks of its descendants (the extraction pool and its resource tracker) — of every
    descendant ever seen, so short-lived ones that never ran together (a replaced worker,
    antiword, tesseract) add up. ``live_kb`` is what was resident at once: the largest sum of
    VmRSS over the crawl process and its live descendants at one poll."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.main_kb, self.kids, self.stop = pid, 0, {}, threading.Event()
        self.live_kb = 0
        self.start()

    def run(self) -> None:
        while not self.stop.is_set():
            self.main_kb = max(self.main_kb, _hwm_kb(self.pid))
            live = _status_kb(self.pid, "VmRSS:")
            for k in _descendants(self.pid):
                self.kids[k] = max(self.kids.get(k, 0), _hwm_kb(k))
                live += _status_kb(k, "VmRSS:")
            self.live_kb = max(self.live_kb, live)
            self.stop.wait(0.2)

    @property
    def children_kb(self) -> int:
        return sum(self.kids.values())


def _wait(proc: subprocess.Popen) -> tuple[int, object]:
    """Reap ``proc`` with wait4: (exit status, rusage incl. the children it reaped), with its
    peak RSS (see _PeakRss) set as ``ru.peak`` = (main kB, descendants kB)."""
    poller = _PeakRss(proc.pid)
    # wait for the exit without reaping, so that /proc/PID stays readable until the end
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    poller.stop.set()
    poller.join()
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, _Usage(ru, poller.main_kb, poller.children_kb, poller.live_kb, len(poller.kids))


class _Usage:
    def __init__(self, ru, main_kb: int, children_kb: int, live_kb: int = 0, descendants: int = 0):
        self.ru_utime, self.ru_stime, self.ru_maxrss = ru.ru_utime, ru.ru_stime, ru.ru_maxrss
        self.main_kb, self.children_kb = main_kb, children_kb
        self.live_kb, self.descendants = live_kb, descendants


def _rss_marks(path: Path) -> dict:
    rows = [json.loads(l) for l in path.read_text().splitlines() if l.strip()] if path.exists() else []
    out = {}
    for mark in RSS_MARKS:
        hit = next((r for r in rows if r["responses"] >= mark), None)
        if hit:
            out[str(mark)] = round((hit["rss_kb"] + hit["children_rss_kb"]) / 1024, 1)
    if rows:
        out["end"] = round((rows[-1]["rss_kb"] + rows[-1]["children_rss_kb"]) / 1024, 1)
    return out


def _start_crawl(portals: Path, archive: Path, port: int, extra: dict, env_extra: dict | None = None,
                 log: Path | None = None) -> subprocess.Popen:
    settings = {**BENCH_SETTINGS, "BENCH_RSS_FILE": str(archive.parent / (archive.name + "-rss.jsonl")), **extra}
    env = crawl_env(port)
    env.update(env_extra or {})
    log = log or archive.parent / (archive.name + ".log")
    with open(log, "w") as out:
        return subprocess.Popen(crawl_command(portals, archive, settings), cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


def _summary(archive: Path) -> dict:
    try:
        return json.loads((archive / "last-run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _result(kind: str, run: int, responses: int, wall: float, ru_list: list, rc: int, **extra) -> dict:
    cpu = sum(ru.ru_utime + ru.ru_stime for ru in ru_list)
    return {
        "kind": kind, "run": run, "returncode": rc, "responses": responses, "wall_s": round(wall, 2),
        "pages_per_s": round(responses / wall, 1) if wall else None,
        "cpu_s": round(cpu, 2), "user_s": round(sum(ru.ru_utime for ru in ru_list), 2),
        "sys_s": round(sum(ru.ru_stime for ru in ru_list), 2),
        "cpu_ms_per_response": round(1000 * cpu / responses, 3) if responses else None,
        # one process: its own peak + its descendants' peaks; several workers: the largest one
        "peak_rss_mb": round(max(ru.main_kb + ru.children_kb for ru in ru_list) / 1024, 1),
        "peak_rss_main_mb": round(max(ru.main_kb for ru in ru_list) / 1024, 1),
        "peak_rss_children_mb": round(max(ru.children_kb for ru in ru_list) / 1024, 1),
        # resident at once (crawl + live descendants, polled): the peak the machine needs
        "peak_rss_live_mb": round(max(ru.live_kb for ru in ru_list) / 1024, 1),
        "descendants": max(ru.descendants for ru in ru_list), **extra,
    }


def _db_rows(db: Path) -> dict:
    if not db.exists():
        return {}
    import sqlite3
    con = sqlite3.connect(db)
    try:
        names = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("captures", "reports", "crawl_runs") if t in names}
    finally:
        con.close()


def run_scrapy(kind: str, run: int, portals: Path, work: Path, port: int) -> dict:
    archive = work / f"{kind}-{run}"
    extra = KIND_SETTINGS.get(kind, {})
    t0 = time.monotonic()
    proc = _start_crawl(portals, archive, port, extra)
    rc, ru = _wait(proc)
    wall = time.monotonic() - t0
    s = _summary(archive)
    warcs = list((archive / "warc").glob("*.warc.gz")) if (archive / "warc").exists() else []
    db = archive / "reports.db"
    rows = _db_rows(db)
    res = _result(kind, run, s.get("responses", 0), wall, [ru], rc,
                  reports=s.get("reports"), finish_reason=s.get("finish_reason"),
                  rss_mb_at=_rss_marks(archive.parent / (archive.name + "-rss.jsonl")),
                  warc_files=len(warcs), warc_mb=round(sum(p.stat().st_size for p in warcs) / 2**20, 1),
                  db_rows=rows)
    # The crawl command creates an empty reports.db before crawling (it checks the schema), so
    # the floor is checked by what it holds: no WARC file, no capture, report or run row.
    if kind == "floor" and (warcs or any(rows.values())):
        raise SystemExit(f"bench.crawl: the floor run wrote WARC files or index rows ({archive}: {rows}): "
                         "WARC_ENABLED=False / ITEM_PIPELINES={} did not turn them off")
    if rc != 0:
        print(f"  ! {kind} run {run} exited {rc}; log: {archive}.log", file=sys.stderr)
    return res


def run_wget(run: int, farm, work: Path, port: int) -> dict:
    wget = shutil.which("wget")
    if wget is None:
        return {"kind": "wget", "run": run, "skipped": "wget not installed (apt-get install wget)"}
    out = work / f"wget-{run}"
    out.mkdir()
    urls = out / "urls.txt"
    urls.write_text("".join(p.url + "\n" for p in farm.portals))
    argv = [wget, "--mirror", "--no-verbose", "-P", str(out / "mirror"), f"--warc-file={out / 'crawl'}",
            "--warc-cdx", "-e", "use_proxy=on", "-e", f"http_proxy=127.0.0.1:{port}",
            # wget has no page cap: keep it out of the farm's two crawler traps (endless calendar,
            # session-id URLs), which nianbao bounds with NIANBAO_MAX_PAGES_PER_PORTAL
            "--reject-regex", r"jsessionid=|/bsrl/",
            "-o", str(out / "wget.log"), "-i", str(urls)]
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rc, ru = _wait(proc)
    wall = time.monotonic() - t0
    cdx = out / "crawl.cdx"
    responses = max(0, len(cdx.read_text(errors="replace").splitlines()) - 1) if cdx.exists() else 0
    warc = out / "crawl.warc.gz"
    # wget exits 8 when some fetch got an error status (the farm's 404s for missing links)
    return _result("wget", run, responses, wall, [ru], rc,
                   warc_mb=round(warc.stat().st_size / 2**20, 1) if warc.exists() else 0)


# ----------------------------------------------------------------------------- distributed
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(work: Path) -> tuple[subprocess.Popen, str] | None:
    exe = shutil.which("redis-server")
    if exe is None:
        return None
    port = _free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("redis-server did not start")


def run_distributed(workers: int, run: int, portals: Path, work: Path, port: int, redis_url: str) -> dict:
    crawl_id = f"bench-{workers}w-{run}-{time.time_ns()}"
    procs, t0, t0_epoch = [], time.monotonic(), time.time()
    extensions = json.dumps({"bench.crawl.rss.RssLog": 0, "settings.distributed.IdleClose": 500})
    for w in range(workers):
        archive = work / f"dist{workers}-{run}-w{w}"
        env = {"SCRAPY_SETTINGS_MODULE": "settings.distributed", "NIANBAO_REDIS_URL": redis_url,
               "NIANBAO_CRAWL_ID": crawl_id, "NIANBAO_WORKER_ID": f"w{w}", "NIANBAO_IDLE_TIMEOUT": "10"}
        procs.append((archive, _start_crawl(portals, archive, port, {"EXTENSIONS": extensions}, env)))
    results: list = [None] * workers
    done_at: list = [0.0] * workers

    def reap(i, p):
        results[i] = _wait(p)
        done_at[i] = time.monotonic()
    threads = [threading.Thread(target=reap, args=(i, p)) for i, (_, p) in enumerate(procs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = max(done_at) - t0
    responses = sum(_summary(a).get("responses", 0) for a, _ in procs)
    rcs = [r[0] for r in results]
    last = []
    for a, _ in procs:
        rss = a.parent / (a.name + "-rss.jsonl")
        rows = [json.loads(l) for l in rss.read_text().splitlines() if l.strip()] if rss.exists() else []
        if rows and rows[-1].get("last_response_t"):
            last.append(rows[-1]["last_response_t"])
    crawl_s = (max(last) - t0_epoch) if last else None
    return _result(f"distributed-{workers}w", run, responses, wall, [r[1] for r in results], max(rcs),
                   worker_responses=[_summary(a).get("responses", 0) for a, _ in procs],
                   worker_returncodes=rcs, idle_timeout_s=10,
                   to_last_response_s=round(crawl_s, 2) if crawl_s else None,
                   pages_per_s_to_last_response=round(responses / crawl_s, 1) if crawl_s else None,
                   note="wall_s includes the 10 s idle timeout after the frontier empties; "
                        "pages_per_s_to_last_response does not")


# ----------------------------------------------------------------------------- profile
def profile_full(portals: Path, work: Path, port: int, raw: Path, rate: int = 200) -> dict:
    """One full crawl under py-spy (sampling, subprocesses included): top functions by own and
    total time."""
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(pyspy).exists():
        return {"skipped": "py-spy not installed (.venv/bin/pip install -e '.[bench]')"}
    archive = work / "profile"
    settings = {**BENCH_SETTINGS, "BENCH_RSS_FILE": str(work / "profile-rss.jsonl")}
    argv = [pyspy, "record", "--format", "raw", "--rate", str(rate), "--function", "--subprocesses", "--nonblocking",
            "-o", str(raw), "--"] + crawl_command(portals, archive, settings)
    with open(work / "profile.log", "w") as log:
        subprocess.run(argv, cwd=ROOT, env=crawl_env(port), stdout=log, stderr=subprocess.STDOUT)
    responses = _summary(archive).get("responses", 0)
    return summarise_profile(raw, responses=responses, rate=rate)


def summarise_profile(raw: Path, top: int = 25, responses: int = 0, rate: int = 200) -> dict:
    """Own time and inclusive time per function from py-spy's raw (collapsed stack) output
    (all processes: the crawl and its extraction pool), as % of samples and, with
    ``responses``, as CPU ms per response (one sample = 1/rate s of a running thread)."""
    own, incl, total = {}, {}, 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        try:
            n = int(count)
        except ValueError:
            continue
        frames = [f for f in stack.split(";") if f]
        if frames and frames[0].startswith("process "):
            frames = frames[1:]
        if not frames:
            continue
        total += n
        leaf = frames[-1]
        own[leaf] = own.get(leaf, 0) + n
        for f in set(frames):
            incl[f] = incl.get(f, 0) + n

    def pct(d):
        return [{"function": f, "pct": round(100 * c / total, 1),
                 **({"ms_per_response": round(1000 * c / rate / responses, 3)} if responses else {})}
                for f, c in sorted(d.items(), key=lambda kv: -kv[1])[:top]]
    return {"samples": total, "rate_hz": rate, "responses": responses,
            "own": pct(own), "inclusive": pct(incl), "raw": str(raw)}


# ----------------------------------------------------------------------------- main
def _median(rows: list[dict], key: str):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return round(statistics.median(vals), 3) if vals else None


def summarise(results: list[dict]) -> dict:
    out = {}
    for kind in dict.fromkeys(r["kind"] for r in results if "skipped" not in r):
        rows = [r for r in results if r["kind"] == kind and "skipped" not in r]
        out[kind] = {k: _median(rows, k) for k in
                     ("responses", "wall_s", "pages_per_s", "cpu_ms_per_response", "peak_rss_mb",
                      "peak_rss_live_mb", "pages_per_s_to_last_response")}
        out[kind] = {k: v for k, v in out[kind].items() if v is not None}
        out[kind]["runs"] = len(rows)
        marks = {}
        for m in (*map(str, RSS_MARKS), "end"):
            vals = [r["rss_mb_at"][m] for r in rows if m in r.get("rss_mb_at", {})]
            if vals:
                marks[m] = round(statistics.median(vals), 1)
        if marks:
            out[kind]["rss_mb_at"] = marks
    floor = out.get("floor", {}).get("cpu_ms_per_response")
    for kind in [k for k in out if k.startswith("full")]:
        if floor and out[kind]["cpu_ms_per_response"]:
            out[kind]["cpu_over_floor_pct"] = round(100 * (out[kind]["cpu_ms_per_response"] / floor - 1), 1)
    return out


def _line(r: dict) -> str:
    if "skipped" in r:
        return f"{r['kind']:<15} run {r['run']}: skipped ({r['skipped']})"
    marks = " ".join(f"{k}:{v}" for k, v in (r.get("rss_mb_at") or {}).items())
    return (f"{r['kind']:<15} run {r['run']}: {r['responses']:>6} responses {r['wall_s']:>7.1f} s "
            f"{r['pages_per_s']:>7.1f} pages/s {r['cpu_ms_per_response']:>6.2f} ms CPU/resp "
            f"peak RSS {r['peak_rss_mb']:>6.1f} MB"
            + (f" (live {r['peak_rss_live_mb']:.1f}, {r['descendants']} descendants)" if r.get("peak_rss_live_mb") else "")
            + (f"  RSS MB at {marks}" if marks else "")
            + (f"  ({r['pages_per_s_to_last_response']} pages/s to the last response)"
               if r.get("pages_per_s_to_last_response") else "")
            + ("" if r.get("returncode") in (0, None) else f"  exit {r['returncode']}"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.crawl", description=__doc__.split("\n")[0])
    ap.add_argument("--portals", type=int, default=750,
                    help="portals in the farm (750: about 39,000 responses for the focused crawler)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kinds", default="full,floor,wget",
                    help="comma list of full,floor,wget (also full-inline, full-pool1, full-pool2, full-tracemalloc)")
    ap.add_argument("--workers", default="", help="distributed runs, e.g. 1,2 (needs redis-server)")
    ap.add_argument("--profile", action="store_true", help="one more full crawl under py-spy")
    ap.add_argument("--ceiling-seconds", type=float, default=5.0)
    ap.add_argument("--out", default=None, help="JSON results (default bench/results/crawl-<time>.json)")
    ap.add_argument("--keep", action="store_true", help="keep the crawl directories")
    args = ap.parse_args(argv)
    # checked before the farm is built: an unknown kind ran as a full crawl under its name,
    # and --runs 0 measured nothing but still wrote a results file
    known = ["full", "wget", *KIND_SETTINGS]
    kinds = [k for k in args.kinds.split(",") if k]
    for k in kinds:
        if k not in known:
            ap.error(f"--kinds: unknown kind {k!r} (one of {', '.join(known)})")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    try:
        workers = [int(w) for w in args.workers.split(",") if w]
    except ValueError:
        ap.error("--workers: expected whole numbers such as 1,2")
    if not kinds and not workers:
        ap.error("nothing to run: give --kinds or --workers")

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_path = Path(args.out) if args.out else ROOT / "bench" / "results" / f"crawl-{stamp}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)

    t0 = time.monotonic()
    farm = bench_farm(args.portals)
    build_s = time.monotonic() - t0
    pages = page_count(farm)
    print(f"farm: {len(farm.portals)} portals, {pages} static pages (+ Hanweb POST list pages), "
          f"{len(farm.truth)} reports; built in {build_s:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    server = FastFarmServer(farm)
    port = server.start()
    redis = None
    report = {"started": stamp, "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                            "loadavg_at_start": os.getloadavg()},
              "farm": {"portals": len(farm.portals), "static_pages": pages, "reports": len(farm.truth),
                       "build_s": round(build_s, 1)},
              "settings": BENCH_SETTINGS, "floor_settings": FLOOR_SETTINGS, "results": []}
    try:
        urls = [f"http://{h}{p}" for h, s in farm.sites.items() for p in s.resources]
        measure(port, urls[:2000], connections=16, seconds=1)  # warm the response cache
        ceiling = measure(port, urls, connections=32, seconds=args.ceiling_seconds)
        report["server"] = {"kind": "bench/crawl/server.py (asyncio, cached responses, TCP_NODELAY, own process)",
                            "ceiling": ceiling}
        print(f"farm server ceiling: {ceiling['requests_per_s']:.0f} requests/s "
              f"({ceiling['connections']} keep-alive connections from {ceiling['client_processes']} "
              f"client processes, {ceiling['errors']} errors)")
        portals = work / "portals.csv"
        farm.write_portals_csv(portals)
        if workers:
            started = start_redis(work)
            if started is None:
                print("distributed runs skipped: redis-server not installed (apt-get install redis-server)")
                workers = []
            else:
                redis = started[0]
        for run in range(1, args.runs + 1):
            order = kinds if run % 2 else list(reversed(kinds))
            for kind in order:
                if kind == "wget":
                    r = run_wget(run, farm, work, port)
                else:
                    r = run_scrapy(kind, run, portals, work, port)
                report["results"].append(r)
                print(_line(r), flush=True)
            for w in workers:
                r = run_distributed(w, run, portals, work, port, started[1])
                report["results"].append(r)
                print(_line(r), flush=True)
            if not args.keep:
                for p in work.iterdir():
                    if p.is_dir() and p.name.endswith(f"-{run}") or p.name.startswith("dist") and f"-{run}-" in p.name:
                        shutil.rmtree(p, ignore_errors=True)
        if args.profile:
            report["profile"] = profile_full(portals, work, port, out_path.with_suffix(".profile.txt"))
            if "skipped" in report["profile"]:
                print(f"profile skipped: {report['profile']['skipped']}")
            else:
                print("profile (py-spy, crawl + extraction pool), own CPU ms per response:")
            for row in report["profile"].get("own", [])[:15]:
                print(f"  {row.get('ms_per_response', '?'):>7} ms  {row['pct']:>5}%  {row['function']}")
        report["summary"] = summarise(report["results"])
        print("\nmedians:")
        for kind, m in report["summary"].items():
            print(f"  {kind}: {m}")
    finally:
        server.stop()
        if redis is not None:
            redis.terminate()
            redis.wait(10)
        report["finished"] = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        out_path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"results: {out_path}")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"crawl directories kept in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
