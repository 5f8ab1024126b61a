"""Project commands (settings: COMMANDS_MODULE). `crawl` replaces Scrapy's own."""
