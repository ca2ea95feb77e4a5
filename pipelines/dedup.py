"""Duplicates, at three levels, persistent across runs and processes through the crawl's store.

1. The same canonical URL (crawler.urls folds tracking tags, host variants and Naver's forms): the
   article goes on to the database, which updates it if it changed and leaves it alone otherwise; the
   incremental middleware usually stops such a request before it is even sent.
2. The same body under another URL: recorded as an alias of the stored article, and dropped.
3. The same story lightly edited (wire copy republished, press release): found by MinHash LSH
   (pipelines.neardup), kept, and linked by `duplicate_of` to the first-seen article of its cluster.
   The index lives in the process, rebuilt from the stored signatures at start and brought up to
   date with what other crawls sharing the database saved every NEWS_DEDUP_REFRESH_SECONDS (10), or,
   for a distributed crawl, in Redis (NEWS_NEARDUP_REDIS_URL). Two crawls that store the same story
   within those seconds cannot see each other's copy: the refresh that brings the other copy in finds
   it, logs both URLs and counts it (`news/dedup/concurrent_missed`).

Every decision is counted (`news/dedup/<level>`), and each near-duplicate logged with both URLs.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from twisted.internet import task

from crawler.items import article_adapter
from crawler.store import ArticleStore, store_for
from crawler.urls import url_key
from pipelines.neardup import NearDuplicateIndex, RedisNearDuplicateIndex, Signature, signature

logger = logging.getLogger(__name__)

# Signatures are read again this far back: on PostgreSQL and MariaDB a row may commit after a later id.
OVERLAP = 500


class DedupPipeline:
    def __init__(
        self,
        store: ArticleStore,
        stats: Any,
        index: NearDuplicateIndex | RedisNearDuplicateIndex | None = None,
        refresh_seconds: float = 10,
    ) -> None:
        self.store = store
        self.stats = stats
        self.index = index if index is not None else NearDuplicateIndex()
        self.refresh_seconds = refresh_seconds
        self.last_signature = 0  # the id of the last stored signature read into the index
        self.indexed_as: dict[str, str] = {}  # URL key → the URL the index knows the document by
        self.ticker = task.LoopingCall(self.tick)

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        redis_url = crawler.settings.get("NEWS_NEARDUP_REDIS_URL")
        if redis_url:
            from crawler.distributed import redis_client  # only a distributed crawl needs redis

            settings = crawler.settings
            index = RedisNearDuplicateIndex(
                redis_client(redis_url),
                settings.get("NEWS_NEARDUP_REDIS_PREFIX"),
                settings.getfloat("NEWS_NEARDUP_REDIS_DAYS"),
            )
            return cls(store_for(crawler), crawler.stats, index)
        return cls(
            store_for(crawler),
            crawler.stats,
            refresh_seconds=crawler.settings.getfloat("NEWS_DEDUP_REFRESH_SECONDS", 10),
        )

    def open_spider(self) -> None:
        """Rebuild the near-duplicate index from the stored signatures: no body is read again (a Redis
        index is shared and lasting: nothing to rebuild)."""
        if isinstance(self.index, RedisNearDuplicateIndex):
            self.index.open()
        self.refresh(initial=True)
        self.stats.set_value("news/dedup/index_loaded", len(self.index))
        if self.refresh_seconds > 0:
            self.ticker.start(self.refresh_seconds, now=False)

    def tick(self) -> None:
        """Learn what other crawls stored. A failure (the database busy or gone) is counted and logged;
        the next tick tries again."""
        try:
            self.refresh()
        except Exception:
            self.stats.inc_value("news/dedup/refresh_failed")
            logger.warning("Near-duplicate index: sharing with the database failed; retrying", exc_info=True)

    def refresh(self, initial: bool = False) -> None:
        """Read the signatures stored since the last look (at start, all of them) into the index. One
        that another crawl judged first of its story while this index holds the same story is a
        near-duplicate neither crawl could see: logged with both URLs, and counted."""
        load = getattr(self.store, "signatures", None)
        if load is None or isinstance(self.index, RedisNearDuplicateIndex):
            return
        for row_id, url, data, duplicate_of in load(after=max(0, self.last_signature - OVERLAP)):
            self.last_signature = max(self.last_signature, row_id)
            self.indexed_as.setdefault(url_key(url), url)
            if url in self.index:
                continue  # this process's own, saved earlier
            sig = Signature.from_bytes(data)
            if not initial and duplicate_of is None:
                matches = self.index.matches(sig, exclude=url)
                if matches:
                    self.stats.inc_value("news/dedup/concurrent_missed")
                    logger.warning(
                        "Near-duplicate stored as unique by two crawls at the same time: %s and %s",
                        self.index.first_seen(matches[0].key),
                        url,
                    )
            self.index.add(url, sig, duplicate_of)

    def process_item(self, item: Any) -> Any:
        article = article_adapter(item)
        if article is None:
            return item
        url, canonical = article["url"], article["canonical_url"]
        if self.store.seen(canonical) or (url_key(url) != url_key(canonical) and self.store.seen(url)):
            # Stored already (a refresh, or a second copy in this run): the database updates it in
            # place, and it keeps the near-duplicate link it was given.
            self.stats.inc_value("news/dedup/same_url")
            self.near_duplicate(article, known=True)
            return item
        original = self.store.same_body(article["content_hash"]) if article["content_hash"] else None
        if original and url_key(original) != url_key(canonical):
            self.store.add_alias(canonical, original)
            self.stats.inc_value("news/dedup/same_body")
            raise DropItem(f"same_body: {canonical} has the body of {original}")
        self.near_duplicate(article)
        return item

    def near_duplicate(self, article: ItemAdapter, known: bool = False) -> None:
        sig = signature(article["body_text"])
        if sig is None:
            return
        # The index knows documents by the URL they were first seen at; another form of the same link
        # (http, `www.`, a trailing slash) is the same article, never a copy of itself.
        own = url_key(article["canonical_url"])
        indexed = self.indexed_as.get(own, article["canonical_url"])
        matches = [m for m in self.index.matches(sig, exclude=indexed) if url_key(m.key) != own]
        if indexed in self.index:
            # Judged before: its cluster says what it copies (nothing, if it is the cluster's first).
            root = self.index.first_seen(indexed)
            if url_key(root) != own:
                same = [m for m in matches if self.index.first_seen(m.key) == root]
                article["duplicate_of"] = root
                article["duplicate_score"] = round(max(same[0].full, same[0].lead), 3) if same else None
            # Judged by a distributed worker that died before storing it: its signature is not in the
            # database yet (the writer skips one it has).
            self._stage(article, sig)
            return
        if matches:
            best = matches[0]
            article["duplicate_of"] = self.index.first_seen(best.key)
            article["duplicate_score"] = round(max(best.full, best.lead), 3)
            if not known:
                self.stats.inc_value("news/dedup/near_duplicate")
            logger.info(
                "Near-duplicate: %s copies %s (similarity %.2f body, %.2f lead)",
                article["canonical_url"],
                article["duplicate_of"],
                best.full,
                best.lead,
            )
        elif not known:
            self.stats.inc_value("news/dedup/unique")
        self.index.add(article["canonical_url"], sig, best.key if matches else None)
        self.indexed_as[own] = article["canonical_url"]
        self._stage(article, sig)

    def _stage(self, article: ItemAdapter, sig: Signature) -> None:
        # Stored with the article, in the same transaction (exports.sql): an article dropped after this
        # point, or refused by the database, leaves no signature for other crawls to link to.
        stage = getattr(self.store, "stage_signature", None)
        if stage is not None:
            stage(article["canonical_url"], sig.to_bytes(), article["duplicate_of"])

    def close_spider(self) -> None:
        if self.ticker.running:
            self.ticker.stop()
        self.refresh()  # a last look for what a crawl running beside this one stored meanwhile
