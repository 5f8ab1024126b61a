"""The benchmark farm: farm's ``large`` farm (≥ 200 portals, ~100+ pages each).

``build_farm("large", n_portals=N)`` is the sample portal farm's own large mode: the small
farm, one portal per platform kind (TRS with departments and townships, Hanweb, jpaas JSON,
UCAP, legacy GBK with PDF/DOC/DOCX/WPS, WAF/403/dead portals) and generated portals up to N,
with pages rendered on demand.
"""
from __future__ import annotations

from farm import Farm, build_farm


def bench_farm(n_portals: int = 200, seed: int = 0) -> Farm:
    """The large farm with ``n_portals`` portals (deterministic)."""
    return build_farm("large", n_portals=n_portals, seed=seed)


def page_count(farm: Farm) -> int:
    """Static resources of the farm (dynamic list APIs such as Hanweb's POST pager not counted)."""
    return sum(len(s.resources) for s in farm.sites.values())
