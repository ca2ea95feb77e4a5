"""WordPress news sites: the `/feed/` RSS, the Yoast (`/sitemap_index.xml`) or core (`/wp-sitemap.xml`)
sitemap index of posts, and Yoast's JSON-LD `@graph`, which the generic page layer reads."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

from crawler.spiders.base import NewsSpider


class WordPressSpider(NewsSpider):
    """Declare `base_url`, `post_pattern` (the permalink shape) and `sitemap_index` if not Yoast's."""

    base_url: ClassVar[str] = ""
    post_pattern: ClassVar[str] = ""
    sitemap_index: ClassVar[str] = "/sitemap_index.xml"
    sitemap_follow = (r"post-sitemap", r"wp-sitemap-posts-post")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.base_url:
            return
        base = cls.base_url.rstrip("/")
        cls.allowed_domains = [(urlsplit(base).hostname or "").removeprefix("www.")]
        cls.feeds = (f"{base}/feed/",)
        cls.sitemaps = (f"{base}{cls.sitemap_index}",)
        cls.article_patterns = (cls.post_pattern,)
