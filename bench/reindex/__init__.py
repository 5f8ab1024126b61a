"""bench/reindex: records per second of `python -m archive reindex`, 1 process vs all cores."""
