"""nianbao's crawler: Scrapy spider, discovery of 年报 columns, platform handlers."""
