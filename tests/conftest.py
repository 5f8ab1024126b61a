"""Shared fixtures: the sample portal farm on loopback and one crawl of it."""
from __future__ import annotations

import pytest

from tests.crawling import run_crawl


@pytest.fixture(scope="session")
def farm():
    """The small sample portal farm, served on 127.0.0.1 (a forward proxy for real host names)."""
    from tests.farm import build_farm
    from tests.farm.server import FarmServer

    built = build_farm("small")
    server = FarmServer(built)
    port = server.start()
    built.proxy_port = port
    yield built
    server.stop()


@pytest.fixture(scope="session")
def crawled(farm, tmp_path_factory):
    """One real `scrapy crawl reports` of the farm: (archive dir, finished process)."""
    work = tmp_path_factory.mktemp("crawl")
    portals = work / "portals.csv"
    farm.write_portals_csv(portals)
    archive = work / "archive"
    proc = run_crawl(portals, archive, farm.proxy_port)
    if proc.returncode != 0:
        print(proc.stderr[-5000:])
    return archive, proc


@pytest.fixture(scope="session")
def platforms_farm():
    """One sample portal per platform kind (TRS, Hanweb, jpaas, UCAP, legacy, other-host
    信息公开 platforms, departments/townships, blocked and dead portals), served on loopback."""
    from tests.farm import build_farm
    from tests.farm.server import FarmServer

    built = build_farm("platforms", seed=1)
    server = FarmServer(built)
    built.proxy_port = server.start()
    built.server = server
    yield built
    server.stop()


@pytest.fixture(scope="session")
def platforms_crawled(platforms_farm, tmp_path_factory):
    """One real crawl of the platforms farm: (archive dir, finished process)."""
    work = tmp_path_factory.mktemp("platforms")
    portals = work / "portals.csv"
    platforms_farm.write_portals_csv(portals)
    proc = run_crawl(portals, work / "archive", platforms_farm.proxy_port)
    return work / "archive", proc
