"""`scrapy crawl`, for scheduled runs: one run of a spider at a time, and a non-zero exit when the run's
checks fail (crawler.monitor), so cron mail or any scheduler raises the alarm."""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.spiderloader import get_spider_loader

from crawler.checks import SettingError, check_database, check_settings, check_writable, usage_error
from crawler.monitor import FAILED_STAT
from crawler.spiders.base import NewsSpider
from exports.sql import DEFAULT_DATABASE_URL

EXIT_USAGE = 2
EXIT_LOCKED = 2
EXIT_MONITOR_FAILED = 3


class Command(ScrapyCrawl):
    def long_desc(self) -> str:
        return (
            "Run a spider. Exits 2 without crawling if another run of the same spider holds its lock "
            "(NEWS_LOCK_DIR), and 3 when the run's checks fail (see crawler/monitor.py)."
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            usage_error("give one spider: scrapy crawl SPIDER [-a NAME=VALUE ...] [-s NAME=VALUE ...]")
        # Before Scrapy starts logging: a refused run prints its one line and nothing else.
        try:
            self.check(args[0], opts.spargs)
        except ValueError as exc:
            usage_error(str(exc))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None and self.settings is not None
        if self.settings.get("NEWS_REDIS_URL"):
            # A distributed run is several processes of one spider on purpose.
            self._crawl(args[0], opts)
            return
        lock_path = Path(self.settings.get("NEWS_LOCK_DIR") or "output/locks") / f"{args[0]}.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "another process"
                sys.stderr.write(
                    f"error: another run of {args[0]} is in progress ({holder}, lock {lock_path}); "
                    "this one did not start\n"
                )
                self.exitcode = EXIT_LOCKED
                return
            lock.seek(0)
            lock.truncate()
            lock.write(f"pid {os.getpid()}")
            lock.flush()
            self._crawl(args[0], opts)

    def check(self, name: str, arguments: dict[str, str]) -> None:
        """The spider, its arguments and the settings, before anything starts (SettingError, ValueError)."""
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        if name not in loader.list():
            raise SettingError(f"no spider named {name!r}; the spiders: {', '.join(sorted(loader.list()))}")
        spidercls = loader.load(name)
        if issubclass(spidercls, NewsSpider):
            spidercls.check_arguments(arguments)
            spidercls.check_settings(self.settings)
        check_settings(self.settings)
        check_database(self.settings.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
        check_writable(self.settings.get("NEWS_LOCK_DIR") or "output/locks", "-s NEWS_LOCK_DIR")
        check_writable(self.settings.get("NEWS_JEKYLL_SITE") or "output/site", "-s NEWS_JEKYLL_SITE")
        if self.settings.get("NEWS_WARC_DIR"):
            check_writable(self.settings.get("NEWS_WARC_DIR"), "-s NEWS_WARC_DIR")
        if self.settings.get("JOBDIR"):
            check_writable(self.settings.get("JOBDIR"), "-s JOBDIR")

    def _crawl(self, spider: str, opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        crawler = self._create_crawler(spider)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats.get_value(FAILED_STAT):
            self.exitcode = EXIT_MONITOR_FAILED
