"""Signals nianbao's Scrapy components send each other."""

# Sent by the archiving middleware after each response is written to WARC.
# Arguments: capture (dict: url, method, status, content_type, warc_filename, warc_offset,
# warc_length, payload_digest, fetched_at, record_type), context (the crawl context dict, as
# archived), request (the Scrapy request: its meta holds the redirect_urls that led to it).
capture_stored = object()

# Sent by the spider when a list dates a report (or a file a list links) that was captured
# earlier in the run without a list date: the archiving middleware writes it to WARC
# (`WarcWriter.write_list_date`), the pipeline gives it to the index (`Ingest.list_date`).
# Arguments: record (dict: url = the report's page URL, list_date, list_url, portal).
list_dated = object()
