"""A store seeded from a setting, so a test can start a crawl with articles already stored."""

from __future__ import annotations

from typing import Any

from crawler.items import Article
from crawler.store import MemoryStore


class SeededStore(MemoryStore):
    """MemoryStore that starts with the URLs of NEWS_SEEN_URLS (comma-separated)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeededStore:
        store = cls()
        for url in crawler.settings.getlist("NEWS_SEEN_URLS"):
            store.remember(
                Article(url=url, canonical_url=url, source="seed", source_name=None, headline="seed")
            )
        return store
