"""Optional pytest fixtures for the farm. Use from tests/conftest.py with
``pytest_plugins = ["farm.fixtures"]`` (the lead owns conftest.py).

- ``served_farm(kind="small", **build_kw) -> (farm, server)``: a factory fixture that builds a
  farm (``n_portals``, ``seed``, ``faults`` …), serves it, writes nothing, and stops every
  server it started at the end of the test. ``server.proxy_url`` is the ``http_proxy`` value.
"""
from __future__ import annotations

import pytest

from . import build_farm
from .server import FarmServer


@pytest.fixture
def served_farm():
    servers: list[FarmServer] = []

    def make(kind: str = "small", **build_kw):
        farm = build_farm(kind, **build_kw)
        server = FarmServer(farm)
        server.start()
        servers.append(server)
        farm.proxy_port = server.port  # what tests/crawling.py's run_crawl takes
        return farm, server

    yield make
    for s in servers:
        s.stop()
