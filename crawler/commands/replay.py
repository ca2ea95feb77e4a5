"""`scrapy replay [SPIDER ...]`: crawl the bundled replay site offline, end to end, into local output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.checks import SettingError, check_settings, usage_error
from crawler.commands import aligned
from crawler.commands.crawl import EXIT_MONITOR_FAILED
from crawler.commands.export import export_rows
from crawler.monitor import FAILED_STAT
from crawler.replay import ReplayServer
from crawler.replaysite import MODELS, replay_settings, replay_site
from crawler.spiders.base import NewsSpider
from exports.jekyll import seed_site
from exports.sql import engine_for, read_articles

# Naver's robots.txt refuses `naver_it` (naver_search is the way in); `generic` and `ccnews` read what
# they are given, no site of their own.
NOT_BY_DEFAULT = ("naver_it",)


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[SPIDER ...] [--output DIR]"

    def short_desc(self) -> str:
        return "Crawl the bundled replay site (real captures + synthetic discovery pages) with no network"

    def long_desc(self) -> str:
        return (
            "Starts the replay server on 127.0.0.1 with every spider's site (the real captured pages where "
            "we have them, synthetic feeds, sitemaps and listings otherwise), runs the spiders through the "
            "real engine and pipelines, and writes what they keep under --output: the SQLite database "
            "news.sqlite3, the Jekyll posts in site/_posts, and articles.jsonl (every stored article, "
            "exported from the database after the crawl). All spiders by default but `generic` and "
            "`naver_it`, whose site's robots.txt refuses every crawler (`scrapy replay naver_it` shows its "
            "robots check failing, as on the live site). "
            "A second run stores nothing new: the database remembers what it has."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--output", default="output", help="folder for the results (default: output)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # The whole log to a file under the output folder (unless --logfile or -s LOG_FILE says where):
        # the terminal gets the table of what each spider did, and where everything is.
        if not self.settings.get("LOG_FILE"):
            Path(opts.output).mkdir(parents=True, exist_ok=True)
            self.settings.set("LOG_FILE", str(Path(opts.output) / "replay.log"), priority="cmdline")
            self.settings.set("LOG_LEVEL", "INFO", priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None and self.settings is not None
        loader = self.crawler_process.spider_loader
        names = args or [
            n for n in loader.list() if n not in NOT_BY_DEFAULT and getattr(loader.load(n), "own_site", False)
        ]
        unknown = sorted(set(names) - set(loader.list()))
        if unknown:
            raise UsageError(f"no such spider: {', '.join(unknown)}")
        modelless = sorted(set(names) - set(MODELS))
        if modelless:
            usage_error(
                f"{', '.join(modelless)}: no site of its own to replay (scrapy crawl generic -a url=… reads any)"
            )
        try:
            check_settings(self.settings)
        except SettingError as error:
            usage_error(str(error))
        for name in ("DATABASE_URL", "NEWS_JEKYLL_SITE", "NEWS_WARC_DIR"):
            # Its outputs are under --output; Scrapy would put a -s value back over them, half the run's
            # results elsewhere than the summary says (an empty NEWS_WARC_DIR, no archive, is taken).
            given = (self.settings.getpriority(name) or 0) >= SETTINGS_PRIORITIES["cmdline"]
            if given and (name != "NEWS_WARC_DIR" or self.settings.get(name)):
                usage_error(f"-s {name}: replay writes everything under --output (now {opts.output!r})")
        output = Path(opts.output)
        output.mkdir(parents=True, exist_ok=True)
        feed, database, site_dir = output / "articles.jsonl", output / "news.sqlite3", output / "site"
        seed_site(site_dir)  # the starter site, so that the posts build as they are
        spiders = [cls for cls in map(loader.load, names) if issubclass(cls, NewsSpider)]
        site = replay_site(spiders)
        with ReplayServer(site) as server:
            crawlers = []
            for name in names:
                crawler = self.crawler_process.create_crawler(name)
                own = replay_settings(server.url) | {
                    "DATABASE_URL": f"sqlite:///{database.resolve()}",
                    "NEWS_JEKYLL_SITE": str(site_dir),
                    "NEWS_WARC_DIR": str(output / "warc") if self.settings.get("NEWS_WARC_DIR") else "",
                }
                crawler.settings.setdict(own, priority="cmdline")
                crawlers.append(crawler)
                self.crawler_process.crawl(crawler)
            self.crawler_process.start()
        # Every stored article, from the database: a run that stored nothing new leaves it as it was.
        partial = feed.with_suffix(".jsonl.partial")
        with partial.open("wb") as out:
            total = export_rows("jsonl", read_articles(engine_for(f"sqlite:///{database.resolve()}")), out)
        partial.replace(feed)
        counts = {
            c.spider.name if c.spider else "?": c.stats.get_value("item_scraped_count", 0) for c in crawlers
        }
        failed = [c for c in crawlers if c.stats.get_value("finish_reason") != "finished"]
        where = {
            "feed": str(feed.resolve()),
            "database": str(database.resolve()),
            "site": str(site_dir.resolve()),
        }
        sys.stderr.write(table(crawlers) + "\n")
        # Per spider, what it brought (two spiders may bring one article); in all, what the database holds.
        sys.stdout.write(
            json.dumps({"articles": counts, "stored": total, **where}, ensure_ascii=False) + "\n"
        )
        new = sum(c.stats.get_value("news/db/new", 0) for c in crawlers)
        sys.stderr.write(
            f"{total} articles stored ({new} new in this run) from {len(counts)} spiders: {feed} (JSON lines), {database} (SQLite), "
            f"{site_dir / '_posts'} (Jekyll posts; preview: jekyll serve --source {site_dir}); "
            f"the log: {self.settings.get('LOG_FILE')}\n"
        )
        if failed:
            self.exitcode = 1
        elif any(c.stats.get_value(FAILED_STAT) for c in crawlers):
            self.exitcode = EXIT_MONITOR_FAILED


COLUMNS = ("spider", "new", "updated", "duplicates", "dropped", "pages failed", "checks", "seconds")


def table(crawlers: list[Any]) -> str:
    """One row per spider from its run summary (crawler.monitor): what it stored, what it dropped and
    why, what failed, whether its checks passed."""
    rows = [COLUMNS]
    for crawler in crawlers:
        summary = crawler.stats.get_value("news/summary") or {}
        dropped = ", ".join(f"{n} {reason}" for reason, n in sorted(summary.get("dropped", {}).items()))
        failed = sum(summary.get("failed", {}).values())
        checks = "FAILED" if crawler.stats.get_value(FAILED_STAT) else "ok"
        rows.append(
            (
                crawler.spider.name if crawler.spider else "?",
                str(summary.get("new", 0)),
                str(summary.get("updated", 0)),
                str(summary.get("duplicate", 0) + summary.get("near_duplicate", 0)),
                dropped or "0",
                str(failed),
                checks,
                f"{summary.get('seconds', 0):.1f}",
            )
        )
    return aligned(rows, left={0, 4})
