from collections.abc import Iterator
from typing import Any

import scrapy

from crawler.spiders.base import NewsSpider


class GenericSpider(NewsSpider):
    """Any site, from the command line: `-a feed=URL`, `-a sitemap=URL` or `-a url=ARTICLE_URL`
    (several comma-separated). Articles go through the generic page layer."""

    name = "generic"
    verified = "every real page of tests/fixtures through the generic page layer"

    def __init__(self, *args: Any, feed: str = "", sitemap: str = "", url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feed_urls = [u.strip() for u in feed.split(",") if u.strip()]
        self.sitemap_urls = [u.strip() for u in sitemap.split(",") if u.strip()]
        self.article_urls = [u.strip() for u in url.split(",") if u.strip()]
        if not (self.feed_urls or self.sitemap_urls or self.article_urls):
            raise ValueError("generic needs -a feed=URL, -a sitemap=URL or -a url=ARTICLE_URL")

    def start_requests_from_declarations(self) -> Iterator[scrapy.Request]:
        for feed in self.feed_urls:
            yield scrapy.Request(feed, callback=self.parse_feed, meta={"news_discovery": "feed"})
        for sitemap in self.sitemap_urls:
            yield scrapy.Request(sitemap, callback=self.parse_sitemap, meta={"news_discovery": "sitemap"})
        for url in self.article_urls:
            yield scrapy.Request(
                url,
                callback=self.parse_article,
                meta={"news_article": True, "news_skip_stored": not self.refresh},
            )
