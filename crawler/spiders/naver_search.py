import functools
import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.spiderloader import get_spider_loader
from twisted.python.failure import Failure

from crawler.items import RawArticle
from crawler.spiders.base import DISCOVERY_PRIORITY, NewsSpider
from crawler.spiders.discovery import Entry, feed_date

logger = logging.getLogger(__name__)

API = "https://openapi.naver.com/v1/search/news.json"
PAGE = 100  # `display` is at most 100
LAST_START = 1000  # `start` is at most 1000: the last page starts there, 1,099 results in (SITES-2026 A6)
NAVER_LINK = "news_naver_link"  # request.meta: the result's link to Naver's copy of the article


def credentials(settings: Any) -> tuple[str | None, str | None]:
    """The Open API client, from the settings or else the environment (never from code, never logged)."""
    return (
        settings.get("NEWS_NAVER_CLIENT_ID") or os.environ.get("NEWS_NAVER_CLIENT_ID"),
        settings.get("NEWS_NAVER_CLIENT_SECRET") or os.environ.get("NEWS_NAVER_CLIENT_SECRET"),
    )


class NaverSearchSpider(NewsSpider):
    """Naver's news index, the sanctioned way: the Open API news search (SITES-2026 A6, after Naver's own
    guide: `GET /v1/search/news.json?query=&display=&start=&sort=date`, client id and secret in headers),
    newest first, paged by `start` within the API's limits (display ≤ 100, start ≤ 1000), for each query
    of `-a queries=a,b` or NEWS_NAVER_QUERIES. A result's `originallink` is the outlet's own page, fetched
    (its robots.txt obeyed) and read by the page layer like any article; the `link` to Naver's copy is
    kept as an alias of the article and never fetched (Naver's article hosts refuse crawlers: A7). An
    article of an outlet that has a spider here is filed under that spider (`source`), as if it had found it.

    Credentials: NEWS_NAVER_CLIENT_ID and NEWS_NAVER_CLIENT_SECRET, as settings or environment variables.
    Missing, the run does not start (exit 2); refused by the API, it stops at the first answer, failed."""

    name = "naver_search"
    facts = "SITES-2026 A6: the Open API news search (Naver's guide, high); A7: publishers' pages only"
    default_category = "IT"
    arguments = (*NewsSpider.arguments, "queries")
    # Results lead to any outlet: no allowed_domains.

    def __init__(self, *args: Any, queries: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queries = [q.strip() for q in (queries or "").split(",") if q.strip()]

    @classmethod
    def check_arguments(cls, given: dict[str, str]) -> None:
        super().check_arguments(given)
        if "queries" in given and not given["queries"].replace(",", "").strip():
            raise ValueError(f"-a queries={given['queries']!r}: give search words, several with commas")

    @classmethod
    def check_settings(cls, settings: Any) -> None:
        if not all(credentials(settings)):
            raise ValueError(
                "naver_search needs a Naver Open API client: set NEWS_NAVER_CLIENT_ID and "
                "NEWS_NAVER_CLIENT_SECRET (-s or the environment; https://developers.naver.com/apps, 검색 API)"
            )

    async def start(self) -> AsyncIterator[scrapy.Request | RawArticle]:
        if self.rereads is not None:
            async for reread in super().start():
                yield reread
            return
        for query in self.queries or self.crawler.settings.getlist("NEWS_NAVER_QUERIES"):
            yield self.search_request(query, 1)

    def search_request(self, query: str, start: int) -> scrapy.Request:
        client_id, secret = credentials(self.crawler.settings)
        return scrapy.Request(
            f"{API}?{urlencode({'query': query, 'display': PAGE, 'start': start, 'sort': 'date'})}",
            headers={"X-Naver-Client-Id": client_id or "", "X-Naver-Client-Secret": secret or ""},
            callback=self.parse_search,
            errback=self.search_failed,
            cb_kwargs={"query": query, "start": start},
            # The API's own errors are read here, not retried blindly: a spent quota must not be asked again.
            meta={
                "news_discovery": "api",
                "handle_httpstatus_list": [400, 401, 403, 404, 429, 500],
                "dont_retry": True,
            },
            priority=DISCOVERY_PRIORITY,
            dont_filter=True,
        )

    def parse_search(self, response: Response, query: str, start: int) -> Iterator[scrapy.Request]:
        data = json.loads(response.text)
        if response.status != 200:
            code, message = data.get("errorCode"), data.get("errorMessage")
            logger.error("Naver Open API answered %d for %r: %s %s", response.status, query, code, message)
            self.crawler.stats.inc_value(f"news/api/error/{code or response.status}")
            if response.status in (401, 403):
                raise CloseSpider("api_credentials_refused")
            if code == "010":
                raise CloseSpider("api_quota_spent")  # the daily quota: nothing to do before it resets
            tries = response.meta.get("news_api_tries", 0)
            if (code == "012" or response.status >= 500) and tries < 3:
                # The per-second limit, or a server error: asked again a moment later (Scrapy's delay).
                yield response.request.replace(meta={**response.request.meta, "news_api_tries": tries + 1})
            return
        items = data.get("items", [])
        self.crawler.stats.inc_value("news/discovery/api_results", len(items))
        # Only the outlet's own page is fetched: a result without one (Naver's copy alone) is counted.
        without = [i for i in items if not i.get("originallink")]
        if without:
            self.crawler.stats.inc_value("news/discovery/api_without_originallink", len(without))
        links = {i["originallink"]: i.get("link") for i in items if i.get("originallink")}
        entries = [Entry(url, feed_date(i.get("pubDate"))) for i in items if (url := i.get("originallink"))]
        for request in self.follow(entries):
            request.meta[NAVER_LINK] = links.get(request.url)
            yield request
        dated = [e.published for e in entries if e.published]
        past_since = self.since is not None and bool(dated) and min(dated) < self.since
        following = min(start + PAGE, LAST_START)
        if len(items) < PAGE or past_since or following > int(data.get("total", 0)):
            return
        if start >= LAST_START:
            logger.info(
                "Naver Open API: %r ends at %d results, the API's limit; narrow it for more",
                query,
                start + PAGE - 1,
            )
            return
        yield self.search_request(query, following)

    def parse_article(self, response: Response) -> Iterator[RawArticle]:
        outlet = self.outlet_spider(response.url)
        for raw in super().parse_article(response):
            if outlet is not None:
                # An outlet with a spider of its own: its articles are filed under it, whoever found them.
                raw.source, raw.source_name = outlet.name, outlet.source_name or raw.source_name
            link = response.meta.get(NAVER_LINK)
            if link:
                self.store.add_alias(link, raw.canonical_url or response.url, "naver")
            yield raw

    @functools.cached_property
    def outlets(self) -> dict[str, type[NewsSpider]]:
        loader = get_spider_loader(self.crawler.settings)
        found: dict[str, type[NewsSpider]] = {}
        for name in loader.list():
            spider = loader.load(name)
            if issubclass(spider, NewsSpider) and spider.source_name:
                found.update(dict.fromkeys(getattr(spider, "allowed_domains", None) or [], spider))
        return found

    def outlet_spider(self, url: str) -> type[NewsSpider] | None:
        host = urlsplit(url).hostname or ""
        return next((s for d, s in self.outlets.items() if host == d or host.endswith(f".{d}")), None)

    def search_failed(self, failure: Failure) -> None:
        logger.error("Naver Open API request failed: %s", failure.value)
        self.crawler.stats.inc_value(f"news/api/error/{type(failure.value).__name__}")
