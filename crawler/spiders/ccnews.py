import gzip
import io
import logging
import re
import urllib.request
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import scrapy
from scrapy.http import Response
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.defer import deferred_to_future
from scrapy.utils.project import get_project_settings
from twisted.internet import threads

from crawler.archive import ArchivedResponse, stream_responses
from crawler.items import RawArticle
from crawler.middlewares import GIVEN
from crawler.spiders.base import SHARED_START, NewsSpider

logger = logging.getLogger(__name__)

# Common Crawl's public data host, which the paths of an index file (`warc.paths.gz`) are relative to.
BASE = "https://data.commoncrawl.org/"
# `CC-NEWS-20240101001510-00000.warc.gz`: when the file's crawl began.
_FILE_TIME_RE = re.compile(r"CC-NEWS-(\d{14})-\d+\.warc(?:\.gz)?$")
# Records read per trip to the reading thread: few enough to keep the crawl's thread free.
_BATCH = 64


class CcnewsSpider(NewsSpider):
    """A backfill from Common Crawl News (CC-NEWS: monthly WARC files of news pages since 2016-08), read
    as streams, never whole: `-a warc=PATH_OR_URL` (several with commas) or `-a paths=warc.paths.gz` (the
    dataset's index of a month, a file or a URL; its paths are under `-a base=`, data.commoncrawl.org by
    default). Only the responses of our spiders' hosts are read (`-a hosts=` narrows them), dated within
    `-a since/until`; each goes through the page layer under the spider of its host, as if that spider had
    fetched it, with the record's URL and fetch time. One request per WARC file, so several processes
    share a month through the distributed queue (`-s NEWS_REDIS_URL`); a file read to its end is
    recorded in the run's store and skipped when the backfill runs again."""

    name = "ccnews"
    own_site = False
    # One response is a whole WARC file of articles: Scrapy's default lets their main images download
    # side by side (the project's CONCURRENT_ITEMS is set for pages of one article).
    custom_settings = {"CONCURRENT_ITEMS": 100}
    arguments = (*NewsSpider.arguments, "warc", "paths", "hosts", "base")
    sites: list[type[NewsSpider]]  # the spiders whose articles the files are searched for
    facts = "Common Crawl's CC-NEWS WARC files (commoncrawl.org/blog/news-dataset-available), read as streams"
    verified = "tests/test_ccnews.py: WARC files built from the real captures of tests/fixtures"

    def __init__(
        self, *args: Any, warc: str = "", paths: str = "", hosts: str = "", base: str = BASE, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.warcs = [w.strip() for w in warc.split(",") if w.strip()]
        self.paths = paths.strip()
        self.base = base if base.endswith("/") else f"{base}/"
        if not (self.warcs or self.paths):
            raise ValueError(
                "ccnews needs -a warc=PATH_OR_URL (several with commas) or -a paths=warc.paths.gz"
            )
        self.hosts = {h.strip().lower().removeprefix("www.") for h in hosts.split(",") if h.strip()}

    @classmethod
    def check_arguments(cls, given: dict[str, str]) -> None:
        super().check_arguments(given)
        cls._domains(get_project_settings(), given.get("hosts", ""))

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "CcnewsSpider":
        spider: CcnewsSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        spider.sites = _site_spiders(crawler.settings)
        spider.hosts = cls._domains(crawler.settings, ",".join(spider.hosts))
        return spider

    @staticmethod
    def _domains(settings: Any, hosts: str) -> set[str]:
        """The hosts to read: those asked for, each one some spider crawls; all of them by default."""
        ours = {
            d.lower().removeprefix("www.") for site in _site_spiders(settings) for d in site.allowed_domains
        }
        asked = {h.strip().lower().removeprefix("www.") for h in hosts.split(",") if h.strip()}
        if asked - ours:
            raise ValueError(
                f"-a hosts={','.join(sorted(asked - ours))}: no spider crawls it; ours: {', '.join(sorted(ours))}"
            )
        return asked or ours

    async def start(self) -> AsyncIterator[scrapy.Request | RawArticle]:
        if self.rereads is not None:
            async for reread in super().start():
                yield reread
            return
        sources = list(self.warcs)
        if self.paths:
            try:
                listed = await deferred_to_future(threads.deferToThread(_read_index, self.paths))
            except (
                OSError,
                ValueError,
                EOFError,
                zlib.error,
            ) as error:  # urllib's are OSErrors; gzip's EOFError
                self.crawler.stats.inc_value("news/files_unreadable")
                logger.error("CC-NEWS index not read: %s: %s", self.paths, error)
                listed = []
            sources += [urljoin(self.base, line) for line in listed]
        for source in sources:
            local = not source.startswith(("http://", "https://"))
            yield self.file_request(str(Path(source).resolve()) if local else source)

    def file_request(self, source: str) -> scrapy.Request:
        # A data: URL: nothing to download, a key for the queue and its duplicate filter; the file is
        # streamed by the callback.
        url = f"data:text/plain,{quote(source, safe='')}"
        return scrapy.Request(
            url, callback=self.parse_file, meta={GIVEN: url, "news_discovery": "warc", SHARED_START: True}
        )

    @property
    def backfill(self) -> bool:
        return True  # whatever its window: a run over the past, judged against other backfills

    def ledger_name(self, source: str) -> str:
        """How a file read to its end is recorded: with the hosts and the window it was read for, so a
        backfill of other hosts or a wider window reads it again."""
        since = self.since.isoformat() if self.since else ""
        until = self.until.isoformat() if self.until else ""
        return f"{source} hosts={','.join(sorted(self.hosts))} since={since} until={until}"

    async def parse_file(self, response: Response) -> AsyncIterator[RawArticle]:
        source = unquote(response.url.split(",", 1)[1])
        ledger = self.ledger_name(source)
        stats = self.crawler.stats
        if self.store.file_finished(ledger):
            stats.inc_value("news/ccnews/files_read_before")
            return
        problems: list[str] = []  # faults that ended the file's reading
        damaged: list[str] = []  # records skipped, the reading gone on after them
        tally = [0]  # the file's response records
        try:
            records = await deferred_to_future(
                threads.deferToThread(self._records, source, problems, damaged, tally)
            )
        except (OSError, ValueError) as error:  # urllib's HTTP and URL errors are OSErrors
            stats.inc_value("news/files_unreadable")
            logger.error("CC-NEWS file not read: %s: %s", source, error)
            return
        stopped = False
        while not stopped:
            batch = await deferred_to_future(threads.deferToThread(_take, records, _BATCH))
            if not batch:
                break
            for archived in batch:
                raw = self._article(archived, source)
                if raw is not None:
                    yield raw
            # Stopped (Ctrl-C, a time or item limit): the file is left unfinished, to be read again.
            stopped = not self.crawler.crawling
        if stopped:
            return
        stats.inc_value("news/ccnews/files")
        if not tally[0] and not problems:
            stats.inc_value("news/files_unreadable")
            logger.error("CC-NEWS file not read: %s holds no WARC response record", source)
            return
        for record in damaged:
            stats.inc_value("news/ccnews/bad_records")
            logger.warning("CC-NEWS record damaged: %s", record)
        for problem in problems:
            stats.inc_value("news/ccnews/bad_files")
            logger.warning("CC-NEWS file read up to a fault: %s", problem)
        # A run limited on purpose (max_items) has not read all the file holds; a record damaged in a
        # download may come whole in the next one, a local file's will not.
        downloaded = source.startswith(("http://", "https://"))
        if not problems and not self.bounded and not (damaged and downloaded):
            self.store.finish_file(ledger)

    def _records(
        self, source: str, problems: list[str], damaged: list[str], tally: list[int]
    ) -> Iterator[ArchivedResponse]:
        stream = _open(source)
        return _closing(
            stream,
            stream_responses(stream, problems, lambda url: self._wanted(url, tally), damaged),
            problems,
        )

    def _wanted(self, url: str, tally: list[int]) -> bool:
        tally[0] += 1
        self.crawler.stats.inc_value("news/ccnews/records")
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.").removeprefix("m.")
        wanted = any(host == h or host.endswith(f".{h}") for h in self.hosts)
        if not wanted:
            self.crawler.stats.inc_value("news/ccnews/other_hosts")
        return wanted

    def _article(self, archived: ArchivedResponse, source: str) -> RawArticle | None:
        stats = self.crawler.stats
        site = next(
            (s for s in self.sites if any(re.search(p, archived.url) for p in s.article_patterns)), None
        )
        if site is None:
            stats.inc_value("news/discovery/not_article_url")
            return None
        stats.inc_value("news/discovery/articles")
        if archived.status != 200:
            stats.inc_value(f"news/article_failed/{archived.status}")
            return None
        if self.since and archived.fetched_at < self.since:
            stats.inc_value("news/skipped/outside_window")  # fetched before `since`: published before it too
            return None
        if self.store.seen(archived.url):
            stats.inc_value("news/skipped/stored")
            return None
        raw, _ = self.read_article(
            archived.url,
            archived.body,
            archived.headers,
            archived.fetched_at,
            (source, archived.offset),
            site,
        )
        return raw


def _site_spiders(settings: Any) -> list[type[NewsSpider]]:
    loader = SpiderLoader.from_settings(settings)
    return [
        site
        for site in map(loader.load, loader.list())
        if issubclass(site, NewsSpider) and site.own_site and site.article_patterns
    ]


# A line of an index: a path or URL of one (W)ARC file, as CC-NEWS's `warc.paths.gz` lists them.
_WARC_PATH_RE = re.compile(r"^\S+\.(?:warc|arc)(?:\.gz)?$", re.IGNORECASE)


def _read_index(paths: str) -> list[str]:
    """The WARC paths of a CC-NEWS index file (`warc.paths.gz`, gzipped or not, a file or a URL), read a
    line at a time: a WARC file given in its place is refused at its first line, not read whole."""
    lines = []
    with _open(paths) as raw:
        stream = io.BufferedReader(raw)  # type: ignore[arg-type]  # any stream with read(): a file or a download
        text = gzip.GzipFile(fileobj=stream) if stream.peek(2)[:2] == b"\x1f\x8b" else stream
        for number, line in enumerate(text, 1):
            if line.startswith((b"WARC/", b"filedesc:")):
                raise ValueError("a WARC file given as its index (-a warc= reads it)")
            try:
                path = line.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise ValueError(f"line {number} is no text: is this an index?") from None
            if path and not _WARC_PATH_RE.match(path):
                raise ValueError(f"line {number} is no WARC file's path ({path[:80]!r}): is this an index?")
            if path:
                lines.append(path)
    return lines


def _open(source: str) -> IO[bytes]:
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(
            source, headers={"User-Agent": "korean-tech-news crawler (CC-NEWS backfill)"}
        )
        return urllib.request.urlopen(request, timeout=120)  # http(s) only, checked above
    return Path(source).open("rb")


def _closing(
    stream: IO[bytes], records: Iterator[ArchivedResponse], problems: list[str]
) -> Iterator[ArchivedResponse]:
    """The records, the stream closed after them; a download that ended short of its Content-Length is
    a problem of the file (cut on a record's boundary, it reads as a whole file: urllib says nothing)."""
    with stream:
        yield from records
        missing = getattr(stream, "length", None)  # what an HTTP response still owes
        if missing:
            problems.append(
                f"{getattr(stream, 'url', 'download')}: ended {missing:,} bytes short of its length"
            )


def _take(records: Iterator[ArchivedResponse], count: int) -> list[ArchivedResponse]:
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) == count:
            break
    return batch
