"""`scrapy reextract`: today's page layer and pipelines over archived responses, fetching nothing."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from crawler.archive import responses
from crawler.checks import SettingError, check_database, check_settings, usage_error
from crawler.cli import QuietCommand
from crawler.commands import aligned
from crawler.commands.crawl import EXIT_MONITOR_FAILED
from crawler.monitor import FAILED_STAT
from crawler.spiders.base import NewsSpider, parse_bound
from crawler.urls import url_key
from exports.models import ArticleRow, AuthorRow, ImageRow
from exports.sql import DEFAULT_DATABASE_URL, engine_for, published_in

logger = logging.getLogger(__name__)

# The fields a re-extraction may find where the first reading found nothing.
FIELDS = ("headline", "subtitle", "date_published", "section", "description", "tags", "authors", "main_image")
# By spider: (WARC file, offset, the URL the record must hold).
Records = dict[str, list[tuple[str, int, str]]]


class Command(QuietCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--since DATE] [--until DATE] [--source SPIDER] [--warc PATH ...]"

    def short_desc(self) -> str:
        return "Read archived responses again with today's extraction; update the database and the posts"

    def long_desc(self) -> str:
        return (
            "Runs today's page layer and pipelines over the responses a crawl archived (NEWS_WARC_DIR): "
            "by default those of the stored articles (published in [--since, --until], of --source), or "
            "every response in the WARC files given with --warc (pages once dropped included). Updated "
            "articles keep their previous version, as on a re-crawl; the Jekyll posts follow. Nothing is "
            "fetched. Prints what changed: articles updated, fields newly found or lost, drops resolved."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--since", help="articles published from this date (YYYY-MM-DD, Seoul)")
        parser.add_argument("--until", help="articles published up to this date (inclusive)")
        parser.add_argument("--source", help="one spider's articles")
        parser.add_argument("--warc", nargs="+", metavar="PATH", help="read these WARC files, all of them")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None and self.settings is not None
        loader = self.crawler_process.spider_loader
        try:
            since = parse_bound("since", opts.since)
            until = parse_bound("until", opts.until, end=True)
            if opts.source and opts.source not in loader.list():
                raise SettingError(
                    f"--source {opts.source}: no such spider; the spiders: {', '.join(loader.list())}"
                )
            check_settings(self.settings)
            database = self.settings.get("DATABASE_URL") or DEFAULT_DATABASE_URL
            check_database(database)
        except (SettingError, ValueError) as error:
            usage_error(str(error))
        engine = engine_for(database)
        spiders = {
            name: cls
            for name in loader.list()
            if issubclass(cls := loader.load(name), NewsSpider) and cls.own_site and name != "naver_search"
        }
        unmatched: Counter[str] = Counter()
        if opts.warc:
            missing = [p for p in opts.warc if not Path(p).is_file()]
            if missing:
                usage_error(f"--warc {missing[0]}: no such file")
            folder = Path(self.settings.get("NEWS_WARC_DIR") or ".").resolve()
            records = records_in(list(map(Path, opts.warc)), spiders, opts.source, unmatched, engine, folder)
        else:
            records = stored_records(engine, since, until, opts.source, unmatched)
        before = snapshot(engine)
        crawlers = []
        for name in sorted(set(records) - set(loader.list())):
            unmatched["no_such_spider"] += len(records.pop(name))
            logger.error("Articles of %r not re-read: no spider of that name now", name)
        for name, rereads in sorted(records.items()):
            crawler = self.crawler_process.create_crawler(name)
            crawlers.append(crawler)
            self.crawler_process.crawl(crawler, rereads=rereads, since=opts.since, until=opts.until)
        if crawlers:
            self.crawler_process.start()
        started = [c for c in crawlers if c.spider is not None]
        failed_to_start = len(crawlers) - len(started)
        crawlers = started
        after = snapshot(engine)
        report = changes(before, after, crawlers, sum(map(len, records.values())), unmatched)
        sys.stderr.write(table(crawlers) + "\n")
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        if (
            self.crawler_process.bootstrap_failed
            or failed_to_start
            or any(c.stats.get_value("finish_reason") != "finished" for c in crawlers)
        ):
            self.exitcode = 1
        elif (
            any(
                c.stats.get_value(FAILED_STAT) or c.stats.get_value("news/reextract/unreadable")
                for c in crawlers
            )
            or unmatched["unreadable_files"]
            or unmatched["no_such_spider"]
        ):
            self.exitcode = EXIT_MONITOR_FAILED


def stored_records(
    engine: Engine,
    since: datetime | None,
    until: datetime | None,
    source: str | None,
    unmatched: Counter[str],
) -> Records:
    """(WARC file, offset) of each stored article's response, by the spider that stored it. An article
    read from a remote file (a CC-NEWS URL) is counted in `unmatched`: fetching it is no re-extraction."""
    query = published_in(
        select(ArticleRow.source, ArticleRow.url, ArticleRow.warc_file, ArticleRow.warc_offset).where(
            ArticleRow.warc_file.is_not(None)
        ),
        since,
        until,
        source,
    )
    found: Records = defaultdict(list)
    with engine.connect() as connection:
        for row in connection.execute(query.order_by(ArticleRow.warc_file, ArticleRow.warc_offset)):
            if row.warc_file.startswith(("http://", "https://")):
                unmatched["remote_archive"] += 1
            else:
                found[row.source].append((row.warc_file, row.warc_offset, row.url))
    return dict(found)


def records_in(
    paths: list[Path],
    spiders: dict[str, Any],
    source: str | None,
    unmatched: Counter[str],
    engine: Engine,
    folder: Path,
) -> Records:
    """Every 200 response in these WARC files that is an article of one of the spiders (of `source`), by
    spider, oldest first (the newest fetch of an article is read last, and stays); what is not is counted
    in `unmatched` by why, and so is a fetch older than the stored article's (it would undo it). A file
    under NEWS_WARC_DIR is named as the crawl named it."""
    patterns = [(name, re.compile(p)) for name, cls in spiders.items() for p in cls.article_patterns]
    candidates: list[tuple[str, str, int, str, datetime]] = []
    for path in paths:
        problems: list[str] = []
        resolved = path.resolve()
        name = str(resolved.relative_to(folder)) if resolved.is_relative_to(folder) else str(resolved)
        for response in responses(path, problems):
            if response.status != 200:
                unmatched["not_200"] += 1
                continue
            owner = next((n for n, pattern in patterns if pattern.search(response.url)), None)
            if owner is None:
                unmatched["not_an_article_url"] += 1
            elif source and owner != source:
                unmatched["other_source"] += 1
            else:
                candidates.append((owner, name, response.offset, response.url, response.fetched_at))
        if problems:
            unmatched["unreadable_files"] += 1
            for problem in problems:
                logger.error("WARC file read up to a fault: %s", problem)
    stored: dict[str, datetime] = {}
    keys = list({url_key(c[3]) for c in candidates})
    with engine.connect() as connection:
        for start in range(0, len(keys), 500):
            query = select(ArticleRow.url_key, ArticleRow.fetched_at).where(
                ArticleRow.url_key.in_(keys[start : start + 500])
            )
            stored.update(
                {row.url_key: row.fetched_at for row in connection.execute(query) if row.fetched_at}
            )
    found: Records = defaultdict(list)
    for owner, name, offset, url, fetched_at in sorted(candidates, key=lambda c: c[4]):
        newest = stored.get(url_key(url))
        if newest is not None and fetched_at < newest:
            unmatched["older_than_stored"] += 1
        else:
            found[owner].append((name, offset, url))
    return dict(found)


def snapshot(engine: Engine) -> dict[str, tuple[int, frozenset[str]]]:
    """Each stored article's version and the fields it has, by URL key."""
    authors = select(func.count()).where(AuthorRow.article_id == ArticleRow.id).scalar_subquery()
    main = (
        select(func.count()).where(ImageRow.article_id == ArticleRow.id, ImageRow.is_main).scalar_subquery()
    )
    query = select(
        ArticleRow.url_key,
        ArticleRow.version,
        *(getattr(ArticleRow, f) for f in FIELDS if f not in {"authors", "main_image"}),
        authors.label("authors"),
        main.label("main_image"),
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    except SQLAlchemyError:
        return {}  # a database no crawl has written yet: nothing stored before
    return {row.url_key: (row.version, frozenset(f for f in FIELDS if getattr(row, f))) for row in rows}


def changes(
    before: dict[str, tuple[int, frozenset[str]]],
    after: dict[str, tuple[int, frozenset[str]]],
    crawlers: list[Any],
    records: int,
    unmatched: Counter[str],
) -> dict[str, Any]:
    found: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    updated = 0
    for key, (version, fields) in after.items():
        if key in before and version > before[key][0]:
            updated += 1
            found.update(fields - before[key][1])
            lost.update(before[key][1] - fields)
    dropped: Counter[str] = Counter()
    for crawler in crawlers:
        for name, count in crawler.stats.get_stats().items():
            if name.startswith("news/dropped/"):
                dropped[name.rsplit("/", 1)[1]] += count
    return {
        "records": records,
        "read": sum(c.stats.get_value("news/reextract/records", 0) for c in crawlers),
        "unreadable": sum(c.stats.get_value("news/reextract/unreadable", 0) for c in crawlers),
        "articles": sum(c.stats.get_value("item_scraped_count", 0) for c in crawlers),
        "updated": updated,
        "unchanged": sum(c.stats.get_value("news/db/unchanged", 0) for c in crawlers),
        # Pages no earlier reading kept (dropped then), stored now.
        "drops_resolved": len(after.keys() - before.keys()),
        "fields_found": dict(found),
        "fields_lost": dict(lost),
        "dropped": dict(dropped),
        "not_read": dict(+unmatched),
    }


def table(crawlers: list[Any]) -> str:
    rows = [("spider", "records", "articles", "updated", "unchanged", "new", "dropped", "checks")]
    for crawler in crawlers:
        stats = crawler.stats.get_stats()
        dropped = sum(v for k, v in stats.items() if k.startswith("news/dropped/"))
        rows.append(
            (
                crawler.spider.name if crawler.spider else "?",
                str(stats.get("news/reextract/records", 0)),
                str(stats.get("item_scraped_count", 0)),
                str(stats.get("news/db/updated", 0)),
                str(stats.get("news/db/unchanged", 0)),
                str(stats.get("news/db/new", 0)),
                str(dropped),
                "FAILED" if stats.get(FAILED_STAT) else "ok",
            )
        )
    return aligned(rows, {0, 7})
