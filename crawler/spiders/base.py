"""NewsSpider: everything a news site's spider needs, from declarations alone.

A site spider declares where the site lists its articles (feeds, sitemaps, listing URL templates) and
what an article URL looks like; this base navigates: it follows feeds, sitemap indexes and listing pages
page by page, keeps to `-a since=… -a until=…`, stops paging where a page holds nothing new (incremental
runs) or nothing recent enough (backfills), and hands every article response to the page layer. It never
puts a response in an item, and cleans no text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from warcio.exceptions import ArchiveLoadFailed

from crawler.archive import FETCHED_AT, RECORD, read_record
from crawler.items import RawArticle
from crawler.korean.dates import KST, parse_raw_dates
from crawler.middlewares import GIVEN, AlreadyStored
from crawler.pages import ArticlePage, PageError, extract
from crawler.pages.generic import MAX_BODY_CHARS
from crawler.spiders.discovery import Entry, listing_entries, parse_feed, parse_sitemap
from crawler.store import ArticleStore, store_for
from crawler.urls import url_key

logger = logging.getLogger(__name__)

BOUND_FORMS = "YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DD HH:MM (Asia/Seoul unless an offset is given)"
_BOUND_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# request.meta: a start request only one process of a distributed job may take (a WARC file to read),
# where other start pages are fetched by every process.
SHARED_START = "news_shared_start"
# Feeds, sitemaps and listings go before articles, keeping the queue fed: Scrapy's LIFO queue already
# did so for the next page yielded last, scrapy-redis's shared queue needs the priority.
DISCOVERY_PRIORITY = 10
# request.meta: what became of an article request ("stored", "dropped", "skipped" or "failed"), which a
# distributed job tallies (crawler.distributed).
OUTCOME = "news_outcome"
# request.meta: a listing walked past pages of stored articles, when a distributed job lost its queue.
REDISCOVER = "news_rediscover"


def parse_bound(name: str, value: str | None, *, end: bool = False) -> datetime | None:
    """A `since`/`until` argument as an aware datetime; a date alone means its first (or, for an end,
    its last) moment in Seoul. Anything else is refused with the argument's name and the accepted forms."""
    if value is None or value == "":
        return None
    value = value.strip()
    if not _BOUND_RE.match(value):
        raise ValueError(f"-a {name}={value!r} is not a date: use {BOUND_FORMS}")
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end else time.min, tzinfo=KST)
        parsed = datetime.fromisoformat(value.replace(" ", "T").replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"-a {name}={value!r} is not a valid date ({exc}): use {BOUND_FORMS}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=KST)


class NewsSpider(scrapy.Spider):
    """Base of every site spider. Declare, don't code:

    - `feeds`: RSS/Atom URLs; `sitemaps`: sitemap or sitemap-index URLs (gzip welcome);
    - `listings`: listing URL templates with `{page}`, and `{date}` (YYYYMMDD) for day-by-day listings;
    - `article_patterns`: regexes an article URL matches (links elsewhere on listings are ignored);
    - `source_name`: the outlet (None where each page names its own, as on Naver);
    - `categories`: the site's section names mapped to our taxonomy, `default_category` for the rest;
    - `sitemap_follow`: regexes of the child sitemaps worth following in an index (default: all);
    - `page_class`: a page override for every article of the site (default: chosen by URL).
    """

    source_name: ClassVar[str | None] = None
    feeds: ClassVar[tuple[str, ...]] = ()
    sitemaps: ClassVar[tuple[str, ...]] = ()
    listings: ClassVar[tuple[str, ...]] = ()
    article_patterns: ClassVar[tuple[str, ...]] = ()
    categories: ClassVar[dict[str, str]] = {}
    default_category: ClassVar[str | None] = None
    sitemap_follow: ClassVar[tuple[str, ...]] = ()
    page_class: ClassVar[type[ArticlePage] | None] = None
    # A spider of one site (its model in crawler/replaysite.py, its facts in SITES-2026); `generic` and
    # `ccnews` read whatever they are given.
    own_site: ClassVar[bool] = True
    first_page: ClassVar[int] = 1
    # The facts the spider follows (../shared/SITES-2026.md: section, date, confidence), and what
    # `scrapy verify` last showed on the live site: both shown in the README's table of spiders.
    facts: ClassVar[str] = ""
    verified: ClassVar[str] = "not yet verified live"
    # The least share of a few articles with each field for `scrapy verify` to call the spider working.
    verify_floors: ClassVar[dict[str, float]] = {"headline": 1.0, "body_text": 1.0, "date_published": 0.9}
    # The -a arguments the spider takes (Scrapyd's own start with "_").
    arguments: ClassVar[tuple[str, ...]] = ("since", "until", "max_pages", "max_items", "refresh")

    @property
    def store(self) -> ArticleStore:
        """The crawl's store, opened when paging first asks it (a run that fails to start opens none)."""
        return store_for(self.crawler)

    def __init__(
        self,
        *args: Any,
        since: str | None = None,
        until: str | None = None,
        max_pages: str | int | None = None,
        max_items: str | int | None = None,
        refresh: str | None = None,
        rereads: list[tuple[str, int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Archived responses to read again instead of crawling (`scrapy reextract`), not an -a argument.
        self.rereads = rereads
        self.since = parse_bound("since", since)
        self.until = parse_bound("until", until, end=True)
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"-a since={since} is after -a until={until}")
        self.max_pages = _positive("max_pages", max_pages)
        self.max_items = _positive("max_items", max_items)
        # Limited on purpose: the run's article count says nothing about the site's usual count.
        self.bounded = self.max_pages is not None or self.max_items is not None or rereads is not None
        if refresh is not None and str(refresh).lower() not in _TRUE | _FALSE:
            raise ValueError(f"-a refresh={refresh!r}: use 1 or 0 (true or false)")
        self.refresh = str(refresh).lower() in _TRUE if refresh is not None else False
        self._patterns = [re.compile(p) for p in self.article_patterns]

    @classmethod
    def check_settings(cls, settings: Any) -> None:
        """Refuses, in one line, settings the spider cannot run with (ValueError); most need none."""

    @classmethod
    def check_arguments(cls, given: dict[str, str]) -> None:
        """Refuses, in one line, an argument the spider does not take or cannot read (ValueError)."""
        for name, value in given.items():
            if name not in cls.arguments and not name.startswith("_"):
                raise ValueError(
                    f"-a {name}={value!r}: {cls.name} takes no such argument; it takes {', '.join(cls.arguments)}"
                )
        cls(**given)  # type: ignore[arg-type]  # every -a argument is a string; the spider reads it

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        # A backfill runs for hours and pages down to `since`: a scheduled run's bounds would cut it
        # short. Limits the operator gave (-s, priority cmdline) still hold.
        timeout_given = crawler.settings.getpriority("CLOSESPIDER_TIMEOUT") > SETTINGS_PRIORITIES["project"]
        if spider.backfill and not timeout_given:
            crawler.settings.set("CLOSESPIDER_TIMEOUT", 0, priority="spider")
        bound = "NEWS_BACKFILL_MAX_PAGES" if spider.backfill else "NEWS_MAX_PAGES"
        spider.max_pages = spider.max_pages or crawler.settings.getint(bound)
        if spider.max_items:
            # Settings are still open here: reuse Scrapy's own item limit.
            crawler.settings.set("CLOSESPIDER_ITEMCOUNT", spider.max_items, priority="spider")
        spider.refresh = spider.refresh or crawler.settings.getbool("NEWS_REFRESH")
        return spider

    @property
    def backfill(self) -> bool:
        """A run over a date window (since/until), as against a scheduled run for what is new."""
        return self.since is not None or self.until is not None

    # -- discovery -----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request | RawArticle]:
        if self.rereads is not None:
            for raw in self.reread():
                yield raw
            return
        for request in self.given_requests():
            yield request

    def reread(self) -> Iterator[RawArticle]:
        """`scrapy reextract`: the articles of archived responses, `rereads` as (WARC file, offset, the
        URL the record must hold), read again by today's page layer; nothing is fetched. A record that
        cannot be read, or holds another page than the article's, is counted."""
        assert self.rereads is not None
        folder = Path(self.settings.get("NEWS_WARC_DIR") or ".")
        for name, offset, url in self.rereads:
            try:
                archived = read_record(folder / name, offset)
                if url_key(archived.url) != url_key(url):
                    # a pointer gone wrong (a file replaced, rows copied): never another page's text
                    raise ValueError(f"it holds {archived.url}, not {url}")
            except (OSError, ValueError, ArchiveLoadFailed) as error:
                self.crawler.stats.inc_value("news/reextract/unreadable")
                logger.error("Archived response %s:%d not read: %s", name, offset, error)
                continue
            self.crawler.stats.inc_value("news/reextract/records")
            raw, _ = self.read_article(
                archived.url, archived.body, archived.headers, archived.fetched_at, (name, offset)
            )
            if raw is not None:
                yield raw

    def given_requests(self) -> Iterator[scrapy.Request]:
        for request in self.start_requests_from_declarations():
            request.meta[GIVEN] = request.url  # trusted where it points, even at an intranet host
            yield request

    def rediscover_requests(self) -> Iterator[scrapy.Request]:
        """The start requests again, for a distributed job whose shared queue was lost: its listings are
        walked past stored articles, since the lost pages below them may hold unstored ones."""
        for request in self.given_requests():
            request.meta[REDISCOVER] = True
            yield request

    def start_requests_from_declarations(self) -> Iterator[scrapy.Request]:
        yield from map(self.feed_request, self.feeds)
        yield from map(self.sitemap_request, self.sitemaps)
        for template in self.listings:
            for day in self.listing_days(template):
                yield self.listing_request(template, self.first_page, day)

    def feed_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_feed, meta={"news_discovery": "feed"}, priority=DISCOVERY_PRIORITY
        )

    def sitemap_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_sitemap, meta={"news_discovery": "sitemap"}, priority=DISCOVERY_PRIORITY
        )

    def article_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={"news_article": True, "news_skip_stored": not self.refresh},
        )

    def article_failed(self, failure: Failure) -> None:
        """An article request that gave no page, counted by why (`news/article_failed/<reason>`), which the
        run's checks judge; a skip of a stored article is no failure."""
        error = failure.value
        request = getattr(failure, "request", None)
        if request is not None:
            request.meta[OUTCOME] = "skipped" if isinstance(error, AlreadyStored) else "failed"
        if isinstance(error, AlreadyStored):
            return
        url = request.url if request is not None else "?"
        if isinstance(error, HttpError):
            reason = f"http_{error.response.status}"
            logger.info("Article page %s answered %d", url, error.response.status)
        elif isinstance(error, IgnoreRequest):
            reason = "refused"  # robots.txt, offsite, too large: logged where refused
        else:
            reason = type(error).__name__
            logger.error("Article page %s could not be fetched: %s", url, error)
        self.crawler.stats.inc_value(f"news/article_failed/{reason}")

    def listing_days(self, template: str) -> list[date | None]:
        """Newest first: every day from `until` (default today) back to `since` (default today) for
        day listings; a single None for plain ones."""
        if "{date}" not in template:
            return [None]
        today = datetime.now(KST).date()
        last = min(self.until.astimezone(KST).date(), today) if self.until else today
        first = self.since.astimezone(KST).date() if self.since else last
        return [last - timedelta(days=n) for n in range((last - first).days + 1)]

    def listing_request(
        self, template: str, page: int, day: date | None, previous: tuple[str, ...] = (), walk: bool = False
    ) -> scrapy.Request:
        url = template.format(page=page, date=day.strftime("%Y%m%d") if day else "")
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            cb_kwargs={"template": template, "page": page, "day": day, "previous": previous},
            meta={"news_discovery": "listing"} | ({REDISCOVER: True} if walk else {}),
            priority=DISCOVERY_PRIORITY,
        )

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        entries = parse_feed(response.body, response.url)
        self.crawler.stats.inc_value("news/discovery/feed_entries", len(entries))
        yield from self.follow(entries)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        sitemap = parse_sitemap(response.body, response.url)
        for child in sitemap.sitemaps:
            if self.sitemap_follow and not any(re.search(p, child.url) for p in self.sitemap_follow):
                continue
            if self.since and child.published and child.published < self.since:
                self.crawler.stats.inc_value("news/discovery/sitemaps_skipped_lastmod")
                continue
            yield self.sitemap_request(child.url)
        self.crawler.stats.inc_value("news/discovery/sitemap_entries", len(sitemap.entries))
        yield from self.follow(sitemap.entries)

    def parse_listing(
        self, response: Response, template: str, page: int, day: date | None, previous: tuple[str, ...]
    ) -> Iterator[scrapy.Request]:
        entries = listing_entries(response.text, response.url, self._patterns)
        self.crawler.stats.inc_value("news/discovery/listing_pages")
        urls = tuple(e.url for e in entries)
        yield from self.follow(entries)
        walk = bool(response.meta.get(REDISCOVER))
        reason = self.stop_paging(entries, page, urls == previous, walk)
        if reason:
            self.crawler.stats.inc_value(f"news/discovery/listing_stop/{reason}")
            logger.debug("Listing %s stops after page %d: %s", template, page, reason)
            if reason == "max_pages" and self.backfill:
                logger.warning(
                    "Backfill: listing %s stopped at page %d (max_pages) before reaching since; "
                    "-a max_pages=N goes further",
                    response.url,
                    page,
                )
            return
        yield self.listing_request(template, page + 1, day, urls, walk)

    def stop_paging(self, entries: list[Entry], page: int, repeated: bool, walk: bool = False) -> str | None:
        """Why not to ask for the next listing page, or None to go on."""
        if not entries:
            return "empty"
        if repeated:
            return "repeated"  # past the last page, many sites serve the last one again
        if self.max_pages and page - self.first_page + 1 >= self.max_pages:
            return "max_pages"
        dated = [e.published for e in entries if e.published]
        if self.since and dated and max(dated) < self.since:
            return "older_than_since"
        # A backfill pages down to `since`: stored articles on one page (from cron runs, or a run that
        # was interrupted) say nothing about the pages below it.
        if not (self.refresh or self.since or walk) and all(self.store.seen(e.url) for e in entries):
            return "all_stored"
        return None

    def follow(self, entries: Iterable[Entry]) -> Iterator[scrapy.Request]:
        """Requests for the articles among `entries` that are inside the date window."""
        for entry in entries:
            if self._patterns and not any(p.search(entry.url) for p in self._patterns):
                self.crawler.stats.inc_value("news/discovery/not_article_url")
                continue
            # Every article link found counts, stored or outside the window: a run that finds none fails.
            self.crawler.stats.inc_value("news/discovery/articles")
            if entry.published and not self.in_window(entry.published):
                self.crawler.stats.inc_value("news/skipped/outside_window")
                continue
            yield self.article_request(entry.url)

    def in_window(self, moment: datetime) -> bool:
        return not (self.since and moment < self.since) and not (self.until and moment > self.until)

    # -- articles ------------------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[RawArticle]:
        """The page layer's raw fields for one article response; a page without one is counted and logged."""
        fetched_at = response.meta.get(FETCHED_AT) or datetime.now(UTC)
        raw, outcome = self.read_article(
            response.url, response.body, response.headers, fetched_at, response.meta.get(RECORD)
        )
        if outcome:
            response.meta[OUTCOME] = outcome
        if raw is not None:
            yield raw

    def read_article(
        self,
        url: str,
        body: bytes,
        headers: Any,
        fetched_at: datetime,
        record: tuple[str, int] | None = None,
        site: type[NewsSpider] | None = None,
    ) -> tuple[RawArticle | None, str | None]:
        """(raw fields, None) of an article page fetched now or read from an archive at `record`, or
        (None, why not): a page without an article is counted and logged. The article is filed under
        `site`'s spider (its name, outlet and categories), this one's by default."""
        site = site or type(self)
        try:
            raw = extract(url, body, headers, fetched_at, site.page_class)
        except PageError as error:
            self.crawler.stats.inc_value(f"news/dropped/{error.reason}")
            logger.warning("No article at %s: %s", url, error)
            return None, "dropped"
        if self.since or self.until:
            published, _ = parse_raw_dates(raw.date_published_raw, raw.date_modified_raw, fetched_at)
            if published and not self.in_window(published):
                self.crawler.stats.inc_value("news/skipped/outside_window")
                return None, "skipped"
        raw.warc_file, raw.warc_offset = record or (None, None)
        if raw.cut:
            self.crawler.stats.inc_value("news/pages/cut")
            logger.info("Body of %s cut to its first %d characters", url, MAX_BODY_CHARS)
        raw.source = site.name
        raw.source_name = site.source_name or raw.source_name
        category = site.categories.get(raw.section or "", site.default_category)
        if category:
            raw.categories = [category]
        self.crawler.stats.inc_value("news/articles_extracted")
        return raw, None


def _positive(name: str, value: str | int | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"-a {name}={value!r} must be a whole number") from None
    if number <= 0:
        raise ValueError(f"-a {name}={value!r} must be positive")
    return number
