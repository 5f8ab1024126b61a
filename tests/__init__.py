"""nianbao test suite (a package so farm and tests.crawling import by name)."""
