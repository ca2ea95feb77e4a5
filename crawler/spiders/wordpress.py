"""WordPress news sites: the feed (`/feed/`) and the home page's paging (`/page/N/`), and Yoast's JSON-LD
`@graph`, which the generic page layer reads. The sitemaps are not used: no evidence says where these
sites keep theirs (SITES-2026 §7, §11)."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy

from crawler.spiders.base import NewsSpider


class WordPressSpider(NewsSpider):
    """Declare `base_url`, `post_pattern` (the permalink shape) and `feed_path` if not `/feed/`."""

    base_url: ClassVar[str] = ""
    post_pattern: ClassVar[str] = ""
    feed_path: ClassVar[str] = "/feed/"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.base_url:
            return
        base = cls.base_url.rstrip("/")
        cls.allowed_domains = [(urlsplit(base).hostname or "").removeprefix("www.")]
        cls.feeds = (f"{base}{cls.feed_path}",)
        cls.listings = (f"{base}/page/{{page}}/",)
        cls.article_patterns = (cls.post_pattern,)

    def listing_request(self, template: str, page: int, *args: Any, **kwargs: Any) -> scrapy.Request:
        request = super().listing_request(template, page, *args, **kwargs)
        # The first page is the home page: `/page/1/` only redirects there.
        return request.replace(url=f"{self.base_url.rstrip('/')}/") if page == 1 else request
