"""The store the crawl asks "have I seen this article?": what makes scheduled runs incremental.

The database of the exports is the real store; `MemoryStore` serves until then, and in tests. One store
per crawler, shared by the spider (to stop paging), the incremental middleware (to skip requests) and
the store pipeline (to record what was kept).
"""

from __future__ import annotations

import weakref
from typing import Any, Protocol

from scrapy.utils.misc import build_from_crawler, load_object

from crawler.items import adapt
from crawler.urls import url_key


class ArticleStore(Protocol):
    def seen(self, url: str) -> bool:
        """Whether an article at this URL (as fetched or canonical) is stored."""

    def remember(self, item: Any) -> None:
        """Record a stored article under its URL and canonical URL."""

    def same_body(self, content_hash: str) -> str | None:
        """The canonical URL of a stored article with this body, if any."""

    def add_alias(self, url: str, canonical_url: str, reason: str = "same_body") -> None:
        """Record `url` as another address of the stored article at `canonical_url`, and why."""

    def file_finished(self, name: str) -> bool:
        """Whether a backfill read this WARC file (a path or URL) to its end."""

    def finish_file(self, name: str) -> None:
        """Record a WARC file read to its end, once the articles read from it are stored."""


class MemoryStore:
    """Seen URLs and bodies in memory: incremental within one process, forgotten when it ends."""

    def __init__(self) -> None:
        self._urls: set[str] = set()
        self._bodies: dict[str, str] = {}
        self._files: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> MemoryStore:
        return cls()

    def seen(self, url: str) -> bool:
        return url_key(url) in self._urls

    def remember(self, item: Any) -> None:
        article = adapt(item)
        self._urls.update(url_key(u) for u in (article["url"], article["canonical_url"]) if u)
        if article["content_hash"]:
            self._bodies.setdefault(article["content_hash"], article["canonical_url"])

    def same_body(self, content_hash: str) -> str | None:
        return self._bodies.get(content_hash)

    def add_alias(self, url: str, canonical_url: str, reason: str = "same_body") -> None:
        self._urls.add(url_key(url))

    def file_finished(self, name: str) -> bool:
        return name in self._files

    def finish_file(self, name: str) -> None:
        self._files.add(name)


_STORES: weakref.WeakKeyDictionary[Any, ArticleStore] = weakref.WeakKeyDictionary()


def store_for(crawler: Any) -> ArticleStore:
    """The crawler's store, built once from the NEWS_STORE setting."""
    if crawler not in _STORES:
        _STORES[crawler] = build_from_crawler(
            load_object(crawler.settings.get("NEWS_STORE") or MemoryStore), crawler
        )
    return _STORES[crawler]
