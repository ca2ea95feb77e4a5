"""The end of every run: a summary, and checks that catch a site whose markup changed.

`RunMonitor` counts which fields each stored article has, and when the spider closes it writes a summary
(articles new, updated, duplicate, near-duplicate, dropped by reason; pages fetched and failed by status;
field coverage; duration; finish reason) to the log and to the stats, which the database keeps in
`runs`. Then it checks the run against the spider's earlier runs of the same kind (scheduled or
backfill) in that table. A failed check is logged as one line naming the site, what failed and the
numbers (`MONITOR FAILED site=… check=… …`), and makes `scrapy crawl` exit with status 3.
"""

from __future__ import annotations

import json
import logging
import statistics
from typing import Any

from scrapy import signals
from sqlalchemy import select

from crawler.items import Article

logger = logging.getLogger(__name__)

FIELDS = ("headline", "body_text", "date_published", "authors", "main_image")
# Fields every stored article has; the others are compared with the site's usual rate.
ALWAYS = ("headline", "body_text")
EXTRACTION_DROPS = (
    "not_an_article",
    "no_body",
    "body_too_short",
    "no_date",
    "no_headline",
    "extraction_error",
    "unparseable",
)
GOOD_ENDINGS = {"finished", "closespider_timeout", "closespider_itemcount", "closespider_pagecount"}
HISTORY = 5
FAILED_STAT = "news/monitor/failed"


def coverage_counts(item: Article) -> list[str]:
    present = [field for field in FIELDS if field not in {"authors"} and getattr(item, field)]
    if any(a["name"] for a in item.authors):
        present.append("authors")
    return present


def summarize(stats: dict[str, Any]) -> dict[str, Any]:
    """The run summary, from the crawl's stats."""
    articles = stats.get("item_scraped_count", 0)
    by_status = {
        k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("downloader/response_status_count/")
    }
    dropped = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("news/dropped/")}
    return {
        "articles": articles,
        "new": stats.get("news/db/new", 0),
        "updated": stats.get("news/db/updated", 0),
        "unchanged": stats.get("news/db/unchanged", 0),
        "duplicate": stats.get("news/dedup/same_body", 0),
        "near_duplicate": stats.get("news/dedup/near_duplicate", 0),
        "dropped": dropped,
        "pages": stats.get("downloader/response_count", 0),
        "failed": {s: n for s, n in by_status.items() if not s.startswith(("2", "3"))}
        | (
            {"exceptions": stats["downloader/exception_count"]}
            if stats.get("downloader/exception_count")
            else {}
        ),
        "coverage": {
            f: round(stats.get(f"news/coverage/{f}", 0) / articles, 3) if articles else None for f in FIELDS
        },
        "seconds": round(stats.get("elapsed_time_seconds", 0), 1),
        "finish_reason": stats.get("finish_reason"),
    }


def check(site: str, summary: dict[str, Any], history: list[dict[str, Any]]) -> list[str]:
    """What is wrong with this run, one message per failed check (empty: all is well)."""
    failures = []
    if summary["finish_reason"] not in GOOD_ENDINGS:
        failures.append(f"MONITOR FAILED site={site} check=finish_reason got={summary['finish_reason']}")
    articles = summary["articles"]
    attempted = articles + sum(n for reason, n in summary["dropped"].items() if reason in EXTRACTION_DROPS)
    if attempted >= 5 and articles / attempted < 0.5:
        failures.append(
            f"MONITOR FAILED site={site} check=extraction articles={articles} of {attempted} pages "
            f"dropped={summary['dropped']}"
        )
    counts = [h["articles"] for h in history]
    if len(counts) >= 3 and statistics.median(counts) >= 5 and articles < 0.2 * statistics.median(counts):
        failures.append(
            f"MONITOR FAILED site={site} check=item_count articles={articles} "
            f"usual={statistics.median(counts):g} (median of the last {len(counts)} runs)"
        )
    if articles >= 5:
        for field in FIELDS:
            share = summary["coverage"][field]
            usual = [
                h["coverage"][field]
                for h in history
                if h.get("articles", 0) >= 5 and h["coverage"].get(field) is not None
            ]
            if field in ALWAYS and share < 1.0:
                failures.append(
                    f"MONITOR FAILED site={site} check=coverage field={field} got={share:.0%} expected=100%"
                )
            elif field not in ALWAYS and len(usual) >= 3 and share < statistics.median(usual) - 0.25:
                failures.append(
                    f"MONITOR FAILED site={site} check=coverage field={field} got={share:.0%} "
                    f"usual={statistics.median(usual):.0%}"
                )
    pages = summary["pages"] + summary["failed"].get("exceptions", 0)
    failed = sum(n for s, n in summary["failed"].items() if s.startswith("5") or s == "exceptions")
    if pages >= 10 and failed / pages > 0.3:
        failures.append(f"MONITOR FAILED site={site} check=errors failed={failed} of {pages} requests")
    return failures


class RunMonitor:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunMonitor:
        monitor = cls(crawler)
        crawler.signals.connect(monitor.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(monitor.spider_closed, signal=signals.spider_closed)
        return monitor

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Article):
            for field in coverage_counts(item):
                self.stats.inc_value(f"news/coverage/{field}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        from crawler.spiders.base import NewsSpider

        if not isinstance(spider, NewsSpider):
            return  # `scrapy capture` and other tools crawl no news
        kind = "backfill" if getattr(spider, "since", None) or getattr(spider, "until", None) else "scheduled"
        self.stats.set_value("news/run_kind", kind)
        summary = summarize({**self.stats.get_stats(), "finish_reason": reason})
        self.stats.set_value("news/summary", summary)
        logger.info("Run summary %s (%s): %s", spider.name, kind, json.dumps(summary, ensure_ascii=False))
        failures = check(spider.name, summary, self.history(spider.name, kind))
        for failure in failures:
            logger.error(failure)
        if failures:
            self.stats.set_value(FAILED_STAT, failures)

    def history(self, spider: str, kind: str) -> list[dict[str, Any]]:
        """Articles and field coverage of this spider's last runs of the same kind, from `runs` (none
        without a database)."""
        from crawler.store import store_for
        from exports.sql import RUNS

        engine = getattr(store_for(self.crawler), "engine", None)
        if engine is None:
            return []
        with engine.connect() as connection:
            rows = connection.execute(
                select(RUNS.c.articles, RUNS.c.coverage)
                .where(
                    RUNS.c.spider == spider,
                    RUNS.c.kind == kind,
                    RUNS.c.finished_at.is_not(None),
                    RUNS.c.articles.is_not(None),
                )
                .order_by(RUNS.c.id.desc())
                .limit(HISTORY)
            )
            return [{"articles": row.articles, "coverage": row.coverage or {}} for row in rows]
