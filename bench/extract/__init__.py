"""Extraction benchmark: archive.extract vs bare trafilatura on labelled pages.

    .venv/bin/python -m bench.extract            # table on stdout
    .venv/bin/python bench/extract/run.py --json out.json --repeat 5

See run.py for the metric (character-level precision/recall/F1 on a multiset of characters
after NFKC, whitespace and "|" separators removed) and cases.py for the labelled pages.
"""
