"""Fetchers: the edges that bring a document's raw bytes in (HTTP, browser, robots.txt)."""
