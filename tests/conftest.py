"""Shared fixtures: sample portal farms served on loopback, and one crawl of each."""
from __future__ import annotations

import pytest

from tests.crawling import run_crawl

# Tests that start real processes: whole modules of them (scrapy crawls, chromium, redis-server,
# pywb) and any test using a session crawl. `make test` runs them; `make test-unit`
# (pytest -m 'not slow') leaves them out. Mark other slow tests with @pytest.mark.slow.
SLOW_MODULES = {
    "test_browser",      # chromium + datasette server
    "test_crawl",        # scrapy crawl processes
    "test_distributed",  # redis-server + two crawl processes
    "test_faults",       # crawls against hostile portals, full disks
    "test_platforms",    # a crawl of the platforms farm
    "test_refresh",      # successive crawl runs
    "test_replay",       # pywb
    "test_warc_crash",   # crawls killed with SIGKILL
}
SLOW_FIXTURES = {"crawled", "platforms_crawled"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES or SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


def _served(kind: str, **kw):
    """Build a farm, serve it on 127.0.0.1 (a forward proxy for real host names), yield it."""
    from farm import build_farm
    from farm.server import FarmServer

    built = build_farm(kind, **kw)
    server = FarmServer(built)
    built.proxy_port = server.start()
    built.server = server
    yield built
    server.stop()


def _crawled(farm, tmp_path_factory, name: str):
    """One real `scrapy crawl reports` of `farm`: (archive dir, finished process)."""
    work = tmp_path_factory.mktemp(name)
    portals = work / "portals.csv"
    farm.write_portals_csv(portals)
    proc = run_crawl(portals, work / "archive", farm.proxy_port)
    if proc.returncode != 0:
        print(proc.stderr[-5000:])
    return work / "archive", proc


@pytest.fixture(scope="session")
def farm():
    """The small sample portal farm (TRS, Hanweb, legacy GBK with PDF/DOCX-only reports)."""
    yield from _served("small")


@pytest.fixture(scope="session")
def crawled(farm, tmp_path_factory):
    """One real crawl of the small farm: (archive dir, finished process)."""
    return _crawled(farm, tmp_path_factory, "crawl")


@pytest.fixture(scope="session")
def platforms_farm():
    """One sample portal per platform kind (TRS, Hanweb, jpaas, UCAP, legacy, other-host
    信息公开 platforms, departments/townships, blocked and dead portals), served on loopback."""
    yield from _served("platforms", seed=1)


@pytest.fixture(scope="session")
def platforms_crawled(platforms_farm, tmp_path_factory):
    """One real crawl of the platforms farm: (archive dir, finished process)."""
    return _crawled(platforms_farm, tmp_path_factory, "platforms")
