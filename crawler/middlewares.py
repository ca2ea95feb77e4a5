"""Downloader middlewares: skip articles already stored (incremental runs); retry with backoff."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from crawler.store import ArticleStore, store_for

logger = logging.getLogger(__name__)


class IncrementalMiddleware:
    """Article requests marked `news_skip_stored` are not sent when the store has their URL.

    Spiders mark them unless run with `-a refresh=1`, which re-fetches stored articles to notice updates.
    The store is opened at the first marked request, so crawls of other things never touch it.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._store: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> IncrementalMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("news_skip_stored"):
            return
        if self._store is None:
            self._store = store_for(self.crawler)
        if self._store.seen(request.url):
            self.stats.inc_value("news/skipped/stored")
            raise IgnoreRequest(f"already stored: {request.url}")


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, but waiting before each: the server's `Retry-After` (seconds or an HTTP date)
    when it sends one with a 429 or 503, else NEWS_RETRY_BACKOFF_BASE doubled per attempt, capped at
    NEWS_RETRY_BACKOFF_MAX. Scrapy's own middleware retries at once, which a throttling server punishes."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("NEWS_RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("NEWS_RETRY_BACKOFF_MAX")

    # Coroutines on purpose, unlike the parent's methods: waiting must not block the reactor.
    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(request, retry_after(response))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:  # type: ignore[override]
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(request, None)
        return retry

    async def _wait(self, request: Request, server_says: float | None) -> None:
        attempt = request.meta.get("retry_times", 0)
        delay = min(self.cap, server_says if server_says is not None else self.base * 2**attempt)
        self.crawler.stats.inc_value("news/retry/waited_seconds", delay)
        logger.debug("Waiting %.1fs before retrying %s", delay, request.url)
        await asyncio.sleep(delay)


def retry_after(response: Response) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent or bad."""
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
