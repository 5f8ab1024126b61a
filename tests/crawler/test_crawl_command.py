"""`scrapy crawl` on bad command-line input: one `nianbao: error:` line, exit 2, nothing written.

Each case is refused before the crawl starts, so no farm is needed (and the module is quick)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.crawling import ROOT, crawl_env, run_crawl


@pytest.fixture
def portals(tmp_path):
    path = tmp_path / "portals.csv"
    path.write_text("name,url\n衢州市,http://www.qz.gov.cn/\n", encoding="utf-8")
    return path


def refused(proc, archive) -> str:
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert not archive.exists()
    return proc.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("setting,value,expected", [
    ("NIANBAO_RECHECK_DAYS", "abc", "a number"),
    ("WARC_MAX_SIZE", "1GB", "a whole number"),
    ("WARC_REVISIT_REQUESTS", "maybe", "True or False"),
])
def test_bad_setting_value_is_bad_input(tmp_path, portals, setting, value, expected):
    archive = tmp_path / "archive"
    proc = run_crawl(portals, archive, None, {setting: value}, timeout=120)
    assert refused(proc, archive) == f"nianbao: error: -s {setting}={value}: expected {expected}"


@pytest.mark.parametrize("module,variable,value,expected", [
    ("settings.default", "NIANBAO_EXTRACT_TIMEOUT", "abc", "a number"),
    ("settings.default", "NIANBAO_EXTRACT_MEMORY_MB", "1GB", "a whole number"),
    ("settings.distributed", "NIANBAO_IDLE_TIMEOUT", "30s", "a number"),
    ("settings.distributed", "NIANBAO_REDIS_TTL", "7d", "a whole number"),
    # read by the extraction per document: every PDF report got an extract_error
    ("settings.default", "NIANBAO_PDF_MAX_PAGES", "abc", "a whole number"),
    ("settings.default", "NIANBAO_OCR_MAX_PAGES", "ten", "a whole number"),
])
def test_bad_number_in_environment_is_bad_input(tmp_path, portals, module, variable, value, expected):
    # the settings modules parsed these at import: a ValueError traceback before any check
    archive = tmp_path / "archive"
    argv = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"portals={portals}",
            "-s", f"ARCHIVE_DIR={archive}"]
    env = dict(crawl_env(None), SCRAPY_SETTINGS_MODULE=module, NIANBAO_WORKER_ID="a")
    env[variable] = value
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert refused(proc, archive) == f"nianbao: error: {variable}={value}: expected {expected}"


def test_misspelt_spider_argument_is_bad_input(tmp_path, portals):
    # `-a portal=` (singular) used to crawl the bundled portals.csv instead of the user's file
    archive = tmp_path / "archive"
    argv = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"portal={portals}",
            "-s", f"ARCHIVE_DIR={archive}"]
    proc = subprocess.run(argv, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=120)
    line = refused(proc, archive)
    assert line.startswith("nianbao: error: unknown argument -a portal=") and "-a portals" in line


def test_empty_portals_argument_is_bad_input(tmp_path):
    # `-a portals=$UNSET` used to crawl the bundled list too
    archive = tmp_path / "archive"
    proc = run_crawl("", archive, None, timeout=120)
    assert refused(proc, archive) == "nianbao: error: -a portals= is empty"


def test_unknown_spider_is_bad_input(tmp_path):
    archive = tmp_path / "archive"
    argv = [sys.executable, "-m", "scrapy", "crawl", "report", "-s", f"ARCHIVE_DIR={archive}"]
    proc = subprocess.run(argv, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=120)
    assert refused(proc, archive).startswith("nianbao: error: no spider 'report'")


@pytest.mark.parametrize("args,message", [
    (["-a", "only=999999"], "nianbao: error: -a only=999999: no provincial portal with code 999999"),
    (["-a", "max_pages=abc"], "nianbao: error: -a max_pages=abc: expected a whole number of pages, at least 1"),
])
def test_portals_crawl_bad_arguments(tmp_path, args, message):
    # only=999999 used to walk nothing and end "ok" with an empty portals-found.csv
    archive = tmp_path / "archive"
    argv = [sys.executable, "-m", "scrapy", "crawl", "portals", *args, "-a", f"out={tmp_path / 'found.csv'}",
            "-s", f"ARCHIVE_DIR={archive}"]
    proc = subprocess.run(argv, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=120)
    assert refused(proc, archive).startswith(message)
    assert not (tmp_path / "found.csv").exists()


@pytest.mark.slow
def test_a_run_that_finds_no_report_is_not_ok(tmp_path, farm):
    # every portal walked, none with a report: last-run.json said "status": "ok"
    portals = tmp_path / "portals.csv"
    portals.write_text("name,url\n衢州市,http://www.qz.gov.cn/robots.txt\n", encoding="utf-8")
    archive = tmp_path / "archive"
    proc = run_crawl(portals, archive, farm.proxy_port, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((archive / "last-run.json").read_text(encoding="utf-8"))
    assert summary["reports"] == 0 and summary["portals"][0]["status"] == "no_reports"
    assert summary["status"] == "no_reports"
    assert "nianbao: the run found no reports in 1 portal(s)" in proc.stderr


def test_empty_archive_dir_is_bad_input(tmp_path, portals):
    # `-s ARCHIVE_DIR=$UNSET` archived into the current directory
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = dict(crawl_env(None), SCRAPY_SETTINGS_MODULE="settings.default")
    argv = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"portals={portals}", "-s", "ARCHIVE_DIR=",
            "-s", "RETRY_TIMES=0"]
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines()[-1] == "nianbao: error: -s ARCHIVE_DIR= is empty"
    assert list(cwd.iterdir()) == []
