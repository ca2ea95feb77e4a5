"""Duplicates, at three levels, persistent across runs and processes through the crawl's store.

1. The same canonical URL (crawler.urls folds tracking tags, host variants and Naver's forms): the
   article goes on to the database, which updates it if it changed and leaves it alone otherwise; the
   incremental middleware usually stops such a request before it is even sent.
2. The same body under another URL: recorded as an alias of the stored article, and dropped.
3. The same story lightly edited (wire copy republished, press release): found by MinHash LSH
   (pipelines.neardup), kept, and linked by `duplicate_of` to the first-seen article of its cluster.
   The index lives in the process, rebuilt from the stored signatures at start, or, for several
   crawler processes, in Redis (NEWS_NEARDUP_REDIS_URL).

Every decision is counted (`news/dedup/<level>`), and each near-duplicate logged with both URLs.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import Article
from crawler.store import ArticleStore, store_for
from crawler.urls import url_key
from pipelines.neardup import NearDuplicateIndex, RedisNearDuplicateIndex, Signature, signature

logger = logging.getLogger(__name__)

SAVE_EVERY = 200


class DedupPipeline:
    def __init__(
        self,
        store: ArticleStore,
        stats: Any,
        index: NearDuplicateIndex | RedisNearDuplicateIndex | None = None,
    ) -> None:
        self.store = store
        self.stats = stats
        self.index = index if index is not None else NearDuplicateIndex()
        self.unsaved: list[tuple[str, bytes, str | None]] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        redis_url = crawler.settings.get("NEWS_NEARDUP_REDIS_URL")
        if redis_url:
            import redis  # only a distributed crawl needs it

            prefix = crawler.settings.get("NEWS_NEARDUP_REDIS_PREFIX") or "news:neardup"
            index = RedisNearDuplicateIndex(redis.Redis.from_url(redis_url), prefix)
            return cls(store_for(crawler), crawler.stats, index)
        return cls(store_for(crawler), crawler.stats)

    def open_spider(self) -> None:
        """Rebuild the near-duplicate index from the stored signatures: no body is read again (a Redis
        index is shared and lasting: nothing to rebuild)."""
        load = getattr(self.store, "signatures", None)
        if load is None or isinstance(self.index, RedisNearDuplicateIndex):
            return
        for url, data, duplicate_of in load():
            self.index.add(url, Signature.from_bytes(data), duplicate_of)
        self.stats.set_value("news/dedup/index_loaded", len(self.index))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if self.store.seen(item.canonical_url) or (
            url_key(item.url) != url_key(item.canonical_url) and self.store.seen(item.url)
        ):
            self.stats.inc_value("news/dedup/same_url")
            return item
        original = self.store.same_body(item.content_hash) if item.content_hash else None
        if original and original != item.canonical_url:
            self.store.add_alias(item.canonical_url, original)
            self.stats.inc_value("news/dedup/same_body")
            raise DropItem(f"same_body: {item.canonical_url} has the body of {original}")
        self.near_duplicate(item)
        return item

    def near_duplicate(self, article: Article) -> None:
        sig = signature(article.body_text)
        if sig is None:
            return
        matches = self.index.matches(sig, exclude=article.canonical_url)
        if matches:
            best = matches[0]
            article.duplicate_of = self.index.first_seen(best.key)
            article.duplicate_score = round(max(best.full, best.lead), 3)
            self.stats.inc_value("news/dedup/near_duplicate")
            logger.info(
                "Near-duplicate: %s copies %s (similarity %.2f body, %.2f lead)",
                article.canonical_url,
                article.duplicate_of,
                best.full,
                best.lead,
            )
        else:
            self.stats.inc_value("news/dedup/unique")
        self.index.add(article.canonical_url, sig, best.key if matches else None)
        self.unsaved.append((article.canonical_url, sig.to_bytes(), article.duplicate_of))
        if len(self.unsaved) >= SAVE_EVERY:
            self.save()

    def save(self) -> None:
        saver = getattr(self.store, "save_signatures", None)
        if saver is not None and self.unsaved:
            saver(self.unsaved)
        self.unsaved = []

    def close_spider(self) -> None:
        self.save()
        # Pipelines close in reverse order: the SQL writer has flushed its last batch by now.
        writer = getattr(self.store, "write_aliases", None)
        if writer is not None:
            writer()
