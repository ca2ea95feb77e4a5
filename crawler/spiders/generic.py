from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy

from crawler.spiders.base import NewsSpider


class GenericSpider(NewsSpider):
    """Any site, from the command line: `-a feed=URL`, `-a sitemap=URL` or `-a url=ARTICLE_URL`
    (several comma-separated). Articles go through the generic page layer."""

    name = "generic"
    own_site = False
    arguments = (*NewsSpider.arguments, "feed", "sitemap", "url")
    verified = "every real page of tests/fixtures through the generic page layer"

    def __init__(self, *args: Any, feed: str = "", sitemap: str = "", url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feed_urls = [u.strip() for u in feed.split(",") if u.strip()]
        self.sitemap_urls = [u.strip() for u in sitemap.split(",") if u.strip()]
        self.article_urls = [u.strip() for u in url.split(",") if u.strip()]
        if not (self.feed_urls or self.sitemap_urls or self.article_urls) and self.rereads is None:
            raise ValueError("generic needs -a feed=URL, -a sitemap=URL or -a url=ARTICLE_URL")
        for name, urls in (
            ("feed", self.feed_urls),
            ("sitemap", self.sitemap_urls),
            ("url", self.article_urls),
        ):
            for url in urls:
                parts = urlsplit(url)
                if parts.scheme not in {"http", "https", "file"} or not (
                    parts.netloc or parts.scheme == "file"
                ):
                    raise ValueError(
                        f"-a {name}={url!r}: not a URL; give http(s)://… (or file:///…), several with commas"
                    )

    def start_requests_from_declarations(self) -> Iterator[scrapy.Request]:
        yield from map(self.feed_request, self.feed_urls)
        yield from map(self.sitemap_request, self.sitemap_urls)
        self.crawler.stats.inc_value("news/discovery/articles", len(self.article_urls))
        yield from map(self.article_request, self.article_urls)
