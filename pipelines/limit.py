"""`-a max_items=N` keeps exactly N articles.

Scrapy's CLOSESPIDER_ITEMCOUNT (which the spider sets to N) starts closing at the Nth article, but the
responses already in flight still reach the pipelines; those are dropped here, before anything is
written, and counted as `news/dropped/max_items`."""

from __future__ import annotations

from typing import Any

from crawler.items import article_adapter
from pipelines.validate import ValidationError


class MaxItemsPipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.kept = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> MaxItemsPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        limit = getattr(self.crawler.spider, "max_items", None)
        article = article_adapter(item)
        if not limit or article is None:
            return item
        if self.kept >= limit:
            self.crawler.stats.inc_value("news/dropped/max_items")
            raise ValidationError("max_items", f"{article['url']}: {limit} articles kept already")
        self.kept += 1
        return item
