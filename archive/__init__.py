"""nianbao's archive side: WARC records, text extraction, the SQLite index.

Nothing here depends on Scrapy: the crawl and `python -m archive reindex` share these functions.
"""
