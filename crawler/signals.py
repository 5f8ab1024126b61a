"""Signals nianbao's Scrapy components send each other."""

# Sent by the archiving middleware after each response is written to WARC.
# Arguments: capture (dict: url, method, status, content_type, warc_filename, warc_offset,
# warc_length, payload_digest, fetched_at, record_type), context (the crawl context dict).
capture_stored = object()
