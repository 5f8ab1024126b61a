"""The bench commands on bad flags, as a user runs them (subprocess): one line, exit 2, before any
farm is built or any results file is written."""
from __future__ import annotations

import json
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


def test_bench_quick_runs_do_not_overwrite_the_committed_figures():
    # each wrote its committed file: bench.faults --rate 0.5 faults-bench.json, bench.refresh
    # --seed 5 refresh-bench.json, bench.hostile --quick hostile.json (10x smaller inputs),
    # bench.ocr --reports 1 ocr.json
    from bench.faults.__main__ import results_name as faults
    from bench.hostile.run import results_name as hostile
    from bench.ocr.run import results_name as ocr
    from bench.refresh.__main__ import results_name as refresh

    assert faults("bench", 0.08, 1) == "faults-bench.json"
    assert faults("bench", 0.5, 1) == "faults-bench-rate0.5.json"
    assert faults("small", 0.08, 3) == "faults-small-seed3.json"
    assert refresh("bench", None, 3, 1, {}) == "refresh-bench.json"
    assert refresh("bench", 90, 3, 1, {}) == "refresh-bench-90.json"
    assert refresh("bench", None, 3, 5, {}) == "refresh-bench-seed5.json"
    assert (refresh("bench", 90, 1, 1, {"WARC_REVISIT_REQUESTS": "True"})
            == "refresh-bench-90-changes1-WARC_REVISIT_REQUESTS=True.json")
    assert hostile(False) == "hostile.json"
    assert hostile(True) == "hostile-quick.json"
    assert ocr(["tesseract", "rapidocr"], 3, ["pdf"]) == "ocr.json"
    assert ocr(["tesseract"], 5, ["pdf", "mixed", "ofd"]) == "ocr-docs.json"
    assert ocr(["tesseract", "rapidocr"], 1, ["pdf"]) == "ocr-reports1.json"
    assert ocr(["tesseract"], 1, ["ofd"]) == "ocr-docs-reports1-ofd.json"


def test_bench_ocr_quick_run_writes_its_own_file_and_says_so():
    # a real run, the smallest there is (one report, tesseract: ~3 s)
    results = ROOT / "bench" / "results"
    committed = (results / "ocr.json").read_bytes()
    out = results / "ocr-tesseract-reports1.json"
    before = out.read_bytes() if out.exists() else None
    try:
        r = bench("bench.ocr", "--engines", "tesseract", "--reports", 1)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        assert r.stdout.strip().splitlines()[-1] == f"results: {out}"
        assert json.loads(out.read_text(encoding="utf-8"))[0]["engine"] == "tesseract"
        assert (results / "ocr.json").read_bytes() == committed
    finally:  # leave bench/results as it was
        if before is None:
            out.unlink(missing_ok=True)
        else:
            out.write_bytes(before)


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
    # a ZeroDivisionError after the run
    (["bench.ocr", "--reports", "0"], "python -m bench.ocr: error: --reports must be 1 to 5"),
    # an IndexError and an AssertionError after the index was built
    (["bench.search", "-n", "3", "--rounds", "0"], "python -m bench.search: error: --rounds must be at least 1"),
    (["bench.search", "-n", "3", "--limit", "0"], "python -m bench.search: error: --limit must be at least 1"),
])
def test_bench_bad_flags(args, message):
    assert refused(bench(*args)).startswith(message)


def test_bench_search_empty_index_is_refused(tmp_path):
    # built an empty index, timed 40 searches that found nothing and said "target p95 < 100 ms: ok"
    db = tmp_path / "x.db"
    r = bench("bench.search", "-n", 0, "--db", db)
    assert refused(r) == "python -m bench.search: error: -n must be at least 1: an empty index measures nothing"
    assert not db.exists()


def test_bench_search_small_index_says_the_target_is_at_100000(tmp_path):
    r = bench("bench.search", "-n", 3, "--rounds", 1, "--db", tmp_path / "x.db")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    verdicts = [line.split("target ", 1)[1] for line in r.stdout.splitlines() if "target p95" in line]
    assert verdicts == ["p95 < 100 ms: ok (on 3 reports; the target is at 100,000)"] * 2
