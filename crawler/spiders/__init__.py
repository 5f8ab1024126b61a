"""Spiders. `reports` is the one generic spider; platform knowledge lives in crawler/platforms."""
