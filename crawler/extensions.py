"""Extensions: the run's stats as a JSON file, for schedulers and tests that read a run's outcome; the
progress of long runs."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

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


class Progress:
    """Long runs (backfills run for hours) say where they are every NEWS_PROGRESS_SECONDS: articles,
    pages, the oldest publication date reached and the rate; one line redrawn in place on a terminal,
    a log line otherwise."""

    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.oldest: datetime | None = None
        self.started = time.monotonic()
        self.task: LoopingCall | None = None
        self.terminal = sys.stderr.isatty()

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
        self.task.start(self.interval, now=False)

    def line(self, name: str) -> str:
        stats = self.crawler.stats
        articles = stats.get_value("item_scraped_count", 0)
        minutes = max((time.monotonic() - self.started) / 60, 1e-9)
        reached = f", reached {self.oldest.astimezone(KST):%Y-%m-%d}" if self.oldest else ""
        return (
            f"{name}: {articles} articles, {stats.get_value('downloader/response_count', 0)} pages{reached}, "
            f"{articles / minutes:.0f} articles/min"
        )

    def report(self, name: str) -> None:
        if self.terminal:
            sys.stderr.write(f"\r{self.line(name)}\x1b[K")
            sys.stderr.flush()
        else:
            logger.info("Progress %s", self.line(name))

    def spider_closed(self, spider: Any) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.terminal:
            sys.stderr.write("\n")
