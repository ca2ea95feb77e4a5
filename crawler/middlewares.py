"""Downloader middlewares: skip articles already stored (incremental runs); retry with backoff; refuse
oversized answers and image downloads aimed at the machine's own network, and count both."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cached_property
from typing import Any, cast
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares import redirect
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

from crawler.store import ArticleStore, store_for

logger = logging.getLogger(__name__)


class AlreadyStored(IgnoreRequest):
    """An article request not sent because the store has the article: a skip, not a failure."""


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
            raise AlreadyStored(f"already stored: {request.url}")


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


class SizeLimitMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, with refusals counted: an answer over DOWNLOAD_MAXSIZE as sent
    (`news/refused/too_large`, Scrapy cancels it) or once decompressed, a decompression bomb
    (`news/refused/decompressed_too_large`, Scrapy ignores it). Scrapy logs both, counts neither."""

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as refused:
            if isinstance(refused.__cause__, ValueError) and self.stats:  # _DecompressionMaxSizeExceeded
                self.stats.inc_value("news/refused/decompressed_too_large")
            raise

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        if isinstance(exception, DownloadCancelledError) and self.stats:
            self.stats.inc_value("news/refused/too_large")


def private_address(host: str) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified: the crawler's own network."""
    address = _address(host)
    return address is not None and (not address.is_global or address.is_multicast)


GIVEN = "news_given_url"  # request.meta: the URL the operator or the spider's code gave, trusted as it is


class PublicAddressMiddleware:
    """No request whose URL came from a page (article links, images, robots.txt of their hosts, redirects)
    is sent to the machine's own network, whether the URL names an address or a host that resolves to one
    (`news/refused/private_address`; a host that does not resolve is refused too). The URLs a spider
    starts from, given by its code or the operator (`-a url=…` may name an intranet page), are trusted,
    with their hosts (robots.txt, a redirect to https or a trailing slash); so is the replay server, and
    every request of a tool that crawls no news (`scrapy shell URL`, on a live page or a saved file)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.replay = bool(crawler.settings.get("NEWS_REPLAY_URL"))
        # Hosts of the URLs given: their robots.txt and their own redirects are the operator's too.
        self.trusted: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> PublicAddressMiddleware:
        return cls(crawler)

    @cached_property
    def guarded(self) -> bool:
        """A news spider's crawl: its URLs come from pages."""
        from crawler.spiders.base import NewsSpider  # the spiders' base imports this module

        return isinstance(self.crawler.spider, NewsSpider)

    async def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.meta.get(GIVEN) == request.url:
            self.trusted.add(host)
        if self.replay or host in self.trusted or not self.guarded:
            return
        address = host
        if _address(host) is None:
            from twisted.internet import reactor

            try:
                address = await maybe_deferred_to_future(cast(Any, reactor).resolve(host))
            except Exception:
                # Unresolvable here, it might resolve at a proxy, inside its network: refused.
                self.stats.inc_value("news/refused/unresolvable")
                raise IgnoreRequest(f"refused: {request.url}: its host does not resolve") from None
        if private_address(address):
            self.stats.inc_value("news/refused/private_address")
            raise IgnoreRequest(f"refused: {request.url} is on a private or local address ({address})")


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a URL's host is written as, or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class RobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, and a record of what it refused: how many discovery documents and
    articles (`news/robots/forbidden/<kind>`), the first one, and the rule that refused it, which the
    run's `robots` check names. A refusal is never silent."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.texts: dict[str, str] = {}

    async def robot_parser(self, request: Request) -> Any:
        # Scrapy 2.19 awaits one Deferred per waiting request, and a Deferred hands its result to the
        # first awaiter only (asFuture's callback returns None to the next): requests that queued behind
        # the robots.txt download were let through unchecked. The parser is kept by host: ask there.
        parser = await super().robot_parser(request)
        return parser if parser is not None else self._parsers.get(urlparse_cached(request).netloc)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        # The text as served, to name the refusing rule; Protego decides, and exposes no rule.
        self.texts[netloc] = response.text if isinstance(response, TextResponse) else ""
        await super()._parse_robots(response, netloc, request)

    def process_request_2(self, rp: Any, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            kind = (
                "article" if request.meta.get("news_article") else request.meta.get("news_discovery", "other")
            )
            self._stats.inc_value(f"news/robots/forbidden/{kind}")
            # The first refused feed, list or article is the one the run's check names; a refused photo
            # or other page is only counted.
            if kind != "other" and not self._stats.get_value("news/robots/refused"):
                parts = urlsplit(request.url)
                agent = self._robotstxt_useragent or request.headers.get(
                    b"User-Agent", self._default_useragent
                )
                rule = refusing_rule(self.texts.get(parts.netloc, ""), parts.path or "/", str(agent))
                self._stats.set_value(
                    "news/robots/refused",
                    {
                        "url": request.url,
                        "robots": f"{parts.scheme}://{parts.netloc}/robots.txt",
                        "rule": rule,
                    },
                )
                logger.warning(
                    "robots.txt of %s refuses %s (%s): the site does not let crawlers in there",
                    parts.netloc,
                    request.url,
                    rule or "a rule of its own",
                )
            raise


def refusing_rule(robots: str, path: str, agent: str) -> str | None:
    """The `Disallow:` line that refuses `path` to `agent`, for the log and the check: the longest match
    in the group of the agent, else of `*`."""
    groups: list[tuple[list[str], list[str]]] = []
    in_rules = False
    for raw in robots.splitlines():
        field, _, value = raw.split("#", 1)[0].partition(":")
        field, value = field.strip().lower(), value.strip()
        if field == "user-agent":
            if not groups or in_rules:  # consecutive User-agent lines share one group
                groups.append(([], []))
                in_rules = False
            groups[-1][0].append(value.lower())
        elif field and groups:
            in_rules = True
            if field == "disallow" and value:
                groups[-1][1].append(value)
    name = agent.lower()
    chosen = next((rules for names, rules in groups if any(n != "*" and n in name for n in names)), None)
    if chosen is None:
        chosen = next((rules for names, rules in groups if "*" in names), [])
    matching = [rule for rule in chosen if _matches(rule, path)]
    return f"Disallow: {max(matching, key=len)}" if matching else None


def _matches(rule: str, path: str) -> bool:
    pattern = re.escape(rule).replace(r"\*", ".*")
    pattern = pattern[:-2] + "$" if pattern.endswith(r"\$") else pattern
    return re.match(pattern, path) is not None


# Scrapy reads a refresh in a page's first 4,096 characters: the head holds them in any encoding of at
# most 4 bytes a character (after a BOM); a stateful one (ISO-2022) may need more, and is checked.
_REFRESH_CHARS = 4096
_REFRESH_HEAD = _REFRESH_CHARS * 4 + 4


class MetaRefreshMiddleware(redirect.MetaRefreshMiddleware):
    """Scrapy's, shown only the head of a page's body. For the 4,096 characters it reads, Scrapy
    decodes the whole body (`response.text`): a second decode of every article, which the page layer
    decodes from its bytes (a fifth of a millisecond for a 230 KB page). A refresh to an address no
    request can have (`javascript:`, a broken host) keeps the page: Scrapy raised, and the page was lost."""

    # Scrapy 2.19 passes no spider: its own signature keeps the argument only to warn of it.
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        shown = response
        if isinstance(response, HtmlResponse) and len(response.body) > _REFRESH_HEAD:
            # the page's own encoding, found as Scrapy finds it (the whole body is decoded only when it
            # declares none: Scrapy keeps that text for the page)
            head = response.replace(body=response.body[:_REFRESH_HEAD], encoding=response.encoding)
            if len(head.text) > _REFRESH_CHARS + 8:  # past a character cut at the end
                shown = head
        try:
            answer = super().process_response(request, shown)
        except ValueError as error:
            logger.info("Meta refresh of %s not followed: %s", response.url, error)
            return response
        return response if answer is shown else answer
