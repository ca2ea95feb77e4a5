"""Extensions: the run's stats as a JSON file, for schedulers and tests that read a run's outcome; the
progress of long runs; the pace of Python's garbage collector during a crawl."""

from __future__ import annotations

import gc
import json
import logging
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from crawler.korean.dates import KST

logger = logging.getLogger(__name__)


class StatsFile:
    """Writes the crawl's final stats to NEWS_STATS_FILE (JSON; datetimes in ISO 8601) when it closes."""

    def __init__(self, crawler: Any, path: str) -> None:
        self.crawler = crawler
        self.path = Path(path)

    @classmethod
    def from_crawler(cls, crawler: Any) -> StatsFile:
        path = crawler.settings.get("NEWS_STATS_FILE")
        if not path:
            raise NotConfigured
        extension = cls(crawler, path)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            json.dumps(stats, default=_jsonable, ensure_ascii=False, indent=1), encoding="utf-8"
        )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


class Board:
    """The live lines of this process's crawls on a terminal, one per spider, redrawn in place (`scrapy
    replay` runs all spiders in one process). Only where the log goes elsewhere: a log line in between
    would be drawn over."""

    lines: ClassVar[dict[str, str]] = {}
    drawn = 0

    @classmethod
    def show(cls, name: str, line: str) -> None:
        cls.lines[name] = line
        up = f"\x1b[{cls.drawn}F" if cls.drawn else ""
        sys.stderr.write(up + "".join(f"{text}\x1b[K\n" for text in cls.lines.values()))
        sys.stderr.flush()
        cls.drawn = len(cls.lines)


class Progress:
    """Long runs (backfills run for hours) say where they are: articles, pages, the oldest publication
    date reached and the rate. On a terminal, a line per spider redrawn every second (in place of the log
    when the log goes to a file, as in `scrapy replay`; else one line redrawn under it); in a log, a line
    every NEWS_PROGRESS_SECONDS."""

    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.oldest: datetime | None = None
        self.started = time.monotonic()
        self.task: LoopingCall | None = None
        self.terminal = sys.stderr.isatty()
        self.board = self.terminal and bool(crawler.settings.get("LOG_FILE"))
        self.interval = 1.0 if self.terminal else interval

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        interval = crawler.settings.getfloat("NEWS_PROGRESS_SECONDS", 60)
        if interval <= 0:
            raise NotConfigured
        progress = cls(crawler, interval)
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(progress.item_scraped, signal=signals.item_scraped)
        return progress

    def item_scraped(self, item: Any) -> None:
        published = getattr(item, "date_published", None)
        if published is not None and (self.oldest is None or published < self.oldest):
            self.oldest = published

    def spider_opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        self.task = LoopingCall(self.report, spider.name)
        self.task.start(self.interval, now=self.board)

    def line(self, name: str, state: str = "") -> str:
        stats = self.crawler.stats
        articles = stats.get_value("item_scraped_count", 0)
        minutes = max((time.monotonic() - self.started) / 60, 1e-9)
        reached = f", reached {self.oldest.astimezone(KST):%Y-%m-%d}" if self.oldest else ""
        return (
            f"{name}: {state}{articles} articles, {stats.get_value('downloader/response_count', 0)} pages{reached}, "
            f"{articles / minutes:.0f} articles/min"
        )

    def report(self, name: str, state: str = "") -> None:
        if self.board:
            Board.show(name, self.line(name, state))
        elif self.terminal:
            sys.stderr.write(f"\r{self.line(name, state)}\x1b[K")
            sys.stderr.flush()
        else:
            logger.info("Progress %s", self.line(name))

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.terminal:
            self.report(spider.name, "done, " if reason == "finished" else f"{reason}, ")
            if not self.board:
                sys.stderr.write("\n")


class CollectorPace:
    """A crawl makes millions of short-lived objects (element proxies, strings, items). At Python's
    default pace, a collection every 700 new objects, the cyclic collector took a sixth of a crawl's time
    (bench.crawl: 2.6 s of 15 s); while crawlers run, it waits for NEWS_GC_THRESHOLD new objects
    (0: Python's pace), and Python's pace is back when the last one stops."""

    running: ClassVar[int] = 0  # crawlers of this process whose engines run
    saved: ClassVar[tuple[int, ...]] = ()

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler: Any) -> CollectorPace:
        threshold = crawler.settings.getint("NEWS_GC_THRESHOLD")
        if threshold <= 0:
            raise NotConfigured
        pace = cls(threshold)
        crawler.signals.connect(pace.engine_started, signal=signals.engine_started)
        crawler.signals.connect(pace.engine_stopped, signal=signals.engine_stopped)
        return pace

    def engine_started(self) -> None:
        if CollectorPace.running == 0:
            CollectorPace.saved = gc.get_threshold()
        CollectorPace.running += 1
        gc.set_threshold(max(self.threshold, gc.get_threshold()[0]), *CollectorPace.saved[1:])

    def engine_stopped(self) -> None:
        CollectorPace.running -= 1
        if CollectorPace.running == 0:
            gc.set_threshold(*CollectorPace.saved)
