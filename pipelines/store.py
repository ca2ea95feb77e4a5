"""Record each article that passed the pipelines in the crawl's store, so later requests skip it."""

from __future__ import annotations

from typing import Any

from crawler.items import article_adapter
from crawler.store import ArticleStore, store_for


class StorePipeline:
    def __init__(self, store: ArticleStore, stats: Any) -> None:
        self.store = store
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(store_for(crawler), crawler.stats)

    def process_item(self, item: Any) -> Any:
        if article_adapter(item) is not None:
            self.store.remember(item)
            self.stats.inc_value("news/stored")
        return item
