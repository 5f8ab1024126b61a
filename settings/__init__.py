"""Scrapy settings for nianbao (scrapy.cfg points at settings.default)."""
