"""nianbao test suite (a package so tests.farm and tests.crawling import by name)."""
