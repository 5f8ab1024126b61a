"""The bench commands on bad flags, as a user runs them (subprocess): one line, exit 2, before any
farm is built or any results file is written."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.paths import ROOT


def bench(*args, timeout=120):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=timeout)


def refused(r) -> str:
    assert r.returncode == 2, r.stdout[-2000:] + r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    return r.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("args,message", [
    # ran a full crawl and reported it as kind "bogus", exit 0
    (["--kinds", "full,bogus"], "python -m bench.crawl: error: --kinds: unknown kind 'bogus' (one of full, wget, "
                                "floor, full-inline, full-pool1, full-pool2, full-tracemalloc)"),
    # measured nothing, printed empty medians and wrote a results file, exit 0
    (["--runs", "0"], "python -m bench.crawl: error: --runs must be at least 1"),
    (["--workers", "two"], "python -m bench.crawl: error: --workers: expected whole numbers such as 1,2"),
    (["--kinds", ","], "python -m bench.crawl: error: nothing to run: give --kinds or --workers"),
])
def test_bench_crawl_bad_flags(tmp_path, args, message):
    out = tmp_path / "crawl.json"
    r = bench("bench.crawl", "--portals", 2, "--ceiling-seconds", 1, "--out", out, *args)
    assert refused(r) == message
    assert not out.exists()


def test_bench_discovery_unknown_farm_kind():
    # was a ValueError traceback from farm.build_farm
    r = bench("bench.discovery", "--kind", "bogus")
    assert refused(r).startswith("python -m bench.discovery: error: argument --kind: invalid choice: 'bogus'")


def test_bench_discovery_quick_run_does_not_overwrite_the_default_figures():
    # `python -m bench.discovery --portals 5` wrote discovery-bench.json over the committed
    # figures of the default 30-portal farm
    from bench.discovery.__main__ import results_name

    assert results_name("bench", None, 1, None, 0, 41) == "discovery-bench.json"
    assert results_name("small", None, 1, None, 0, 5) == "discovery-small.json"
    assert results_name("random", 300, 1, "heldout", 400, 300) == "discovery-random-heldout-300-from400.json"
    assert results_name("bench", 5, 1, None, 0, 16) == "discovery-bench-5.json"
    assert results_name("bench", None, 7, None, 0, 41) == "discovery-bench-seed7.json"


@pytest.mark.parametrize("args,message", [
    # tracebacks: farm.build_farm's ValueError, dict() of "NOEQUALS", ArchiveError, FileExistsError
    (["bench.faults", "--kind", "bogus"], "python -m bench.faults: error: argument --kind: invalid choice: 'bogus'"),
    (["bench.refresh", "--kind", "bogus"], "python -m bench.refresh: error: argument --kind: invalid choice: 'bogus'"),
    (["bench.refresh", "-s", "NOEQUALS"], "python -m bench.refresh: error: -s NOEQUALS: expected NAME=VALUE"),
    (["bench.reindex", "--captures", "0"], "python -m bench.reindex: error: --captures must be at least 1"),
    # accepted: "jobs=0 ... speed-up with 0 processes"
    (["bench.reindex", "--jobs", "0"], "python -m bench.reindex: error: --jobs must be at least 1"),
    (["bench.reindex", "--keep", "/etc/passwd"], "python -m bench.reindex: error: --keep /etc/passwd is not a directory"),
    # ran a crawl in which every target faulted twice over, exit 0
    (["bench.faults", "--rate", "2"], "python -m bench.faults: error: --rate must be a fraction from 0 to 1"),
    # an unknown engine ran as tesseract (archive.extract.ocr falls back) under its name
    (["bench.ocr", "--engines", "bogus"], "python -m bench.ocr: error: argument --engines: invalid choice: 'bogus'"),
])
def test_bench_bad_flags(args, message):
    assert refused(bench(*args)).startswith(message)
