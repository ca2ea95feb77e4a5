"""The end of every run: a summary, and checks that catch a site whose markup changed.

`RunMonitor` counts which fields each stored article has, and when the spider closes it writes a summary
(articles new, updated, duplicate, near-duplicate, dropped by reason; pages fetched and failed by status;
field coverage; duration; finish reason) to the log and to the stats, which the database keeps in
`runs`. Then Spidermon runs `RunChecks`: the run against the spider's earlier runs of the same kind
(scheduled or backfill) in that table. A failed check is logged as one line naming the site, what failed
and the numbers (`MONITOR FAILED site=… check=… …`), and makes `scrapy crawl` exit with status 3.
Spidermon's own actions (mail, Slack, Sentry: its `monitoring` extra) can be added to `RunChecks`.
"""

from __future__ import annotations

import json
import logging
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from itemadapter import ItemAdapter
from scrapy import signals
from spidermon import Monitor, MonitorSuite
from spidermon.contrib.scrapy.extensions import Spidermon as SpidermonExtension
from spidermon.contrib.scrapy.runners import SpiderMonitorResult, SpiderMonitorRunner
from spidermon.core.actions import Action
from sqlalchemy import select

from crawler import settings as defaults
from crawler.items import article_adapter

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
# Ctrl-C or SIGTERM: stopped on purpose, resumable; not a failure, and not a measure of the site.
STOPPED = "shutdown"
HISTORY = 5
FAILED_STAT = "news/monitor/failed"
Summary = dict[str, Any]


@dataclass(frozen=True)
class Limits:
    """Where a check fails, from the NEWS_MONITOR_* settings: a spider sets its own in custom_settings,
    an operator with -s."""

    extracted: float = defaults.NEWS_MONITOR_EXTRACTED  # share of article pages that must give an article
    item_ratio: float = defaults.NEWS_MONITOR_ITEM_RATIO  # share of the usual (median) article-link count
    coverage_drop: float = (
        defaults.NEWS_MONITOR_COVERAGE_DROP
    )  # points a field may fall under its usual share
    coverage: Mapping[str, float] = field(default_factory=dict)  # fixed floors, history or not
    error_rate: float = (
        defaults.NEWS_MONITOR_ERROR_RATE
    )  # share of requests ending in a 5xx or download error

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        coverage = {name: float(v) for name, v in settings.getdict("NEWS_MONITOR_COVERAGE").items()}
        unknown = set(coverage) - set(FIELDS)
        if unknown:
            raise ValueError(f"NEWS_MONITOR_COVERAGE: no such field {sorted(unknown)}; the fields: {FIELDS}")
        return cls(
            extracted=settings.getfloat("NEWS_MONITOR_EXTRACTED", cls.extracted),
            item_ratio=settings.getfloat("NEWS_MONITOR_ITEM_RATIO", cls.item_ratio),
            coverage_drop=settings.getfloat("NEWS_MONITOR_COVERAGE_DROP", cls.coverage_drop),
            coverage=coverage,
            error_rate=settings.getfloat("NEWS_MONITOR_ERROR_RATE", cls.error_rate),
        )


def coverage_counts(article: ItemAdapter) -> list[str]:
    present = [name for name in FIELDS if name != "authors" and article.get(name)]
    if any(a["name"] for a in article.get("authors") or []):
        present.append("authors")
    return present


def summarize(stats: dict[str, Any]) -> Summary:
    """The run summary, from the crawl's stats."""
    articles = stats.get("item_scraped_count", 0)
    by_status = {
        k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("downloader/response_status_count/")
    }
    dropped = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("news/dropped/")}
    # A request not sent on purpose (stored already, robots.txt) or an answer refused for its size is no
    # failure of the site.
    exceptions = sum(
        v
        for k, v in stats.items()
        if k.startswith("downloader/exception_type_count/")
        and not k.endswith((".IgnoreRequest", ".AlreadyStored", ".DownloadCancelledError"))
    )
    received = stats.get("news/db/received")
    return {
        "articles": articles,
        "discovered": stats.get("news/discovery/articles", 0),
        "skipped_stored": stats.get("news/skipped/stored", 0),
        "article_failed": {
            k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("news/article_failed/")
        },
        # Requests a JOBDIR or a shared queue had seen already: a resumed job's start finds nothing new.
        "seen_before": stats.get("dupefilter/filtered", 0) + stats.get("news/ccnews/files_read_before", 0),
        # A process of a distributed job that took no request from the shared queue: the others took
        # all there was (each WARC file of a CC-NEWS backfill goes to one process).
        "idle_worker": "news/job/id" in stats and not stats.get("scheduler/dequeued/redis"),
        "bounded": bool(stats.get("news/bounded")),
        # What the database was handed and what it wrote (None where the run has no database).
        "to_store": received,
        "stored": None
        if received is None
        else sum(stats.get(f"news/db/{kind}", 0) for kind in ("new", "updated", "unchanged", "merged")),
        "not_stored": stats.get("news/db/failed", 0),
        "new": stats.get("news/db/new", 0),
        "updated": stats.get("news/db/updated", 0),
        "unchanged": stats.get("news/db/unchanged", 0),
        "duplicate": stats.get("news/dedup/same_body", 0),
        "near_duplicate": stats.get("news/dedup/near_duplicate", 0),
        "dropped": dropped,
        "refused": {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("news/refused/")},
        "pages": stats.get("downloader/response_count", 0),
        "failed": {s: n for s, n in by_status.items() if not s.startswith(("2", "3"))}
        | ({"exceptions": exceptions} if exceptions else {}),
        "coverage": {
            f: round(stats.get(f"news/coverage/{f}", 0) / articles, 3) if articles else None for f in FIELDS
        }
        # Where the dates came from, as shares: a site whose dates move to htmldate or the URL changed.
        | {
            "date_source": {
                k.rsplit("/", 1)[1]: round(v / articles, 3)
                for k, v in stats.items()
                if k.startswith("news/date_source/") and articles
            }
        },
        # Archived responses and WARC files that could not be read (scrapy reextract, the ccnews backfill).
        "unreadable": stats.get("news/reextract/unreadable", 0) + stats.get("news/files_unreadable", 0),
        "robots_forbidden": stats.get("robotstxt/forbidden", 0),
        # What robots.txt refused, by kind (article, feed, sitemap, listing, other), and the first refusal.
        "robots": {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("news/robots/forbidden/")}
        | ({"refused": stats["news/robots/refused"]} if "news/robots/refused" in stats else {}),
        # A distributed job's verdict, made by its last worker (crawler.distributed).
        "job": stats.get("news/job/verdict"),
        "seconds": round(stats.get("elapsed_time_seconds", 0), 1),
        "finish_reason": stats.get("finish_reason"),
    }


def finish_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    if summary["finish_reason"] in GOOD_ENDINGS or summary["finish_reason"] == STOPPED:
        return []
    return [f"MONITOR FAILED site={site} check=finish_reason got={summary['finish_reason']}"]


def extraction_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    articles = summary["articles"]
    attempted = articles + sum(n for reason, n in summary["dropped"].items() if reason in EXTRACTION_DROPS)
    if attempted >= 5 and articles / attempted < limits.extracted:
        return [
            f"MONITOR FAILED site={site} check=extraction articles={articles} of {attempted} pages "
            f"dropped={summary['dropped']}"
        ]
    return []


def discovery_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    """No article link found at all (stored ones included): robots.txt, a dead or empty feed, or article
    patterns that no longer match. Judged from the first run: it needs no history. A resumed job whose
    queue held only articles found no link and needed none."""
    article_pages = (
        summary["articles"] + sum(summary["dropped"].values()) + sum(summary["article_failed"].values())
    )
    if (
        summary["discovered"]
        or article_pages
        or summary["seen_before"]
        or summary.get("idle_worker")
        or summary["finish_reason"] == STOPPED
    ):
        return []
    return [
        f"MONITOR FAILED site={site} check=discovery found no article link: "
        f"robots.txt forbade {summary['robots_forbidden']} requests, pages={summary['pages']} "
        f"failed={summary['failed']}"
    ]


def article_page_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    """Article links that gave no page (4xx, refused by robots.txt, download errors after retries): every
    one of them, or more than half of many."""
    failed = sum(summary["article_failed"].values())
    if not failed or summary["finish_reason"] == STOPPED:
        return []
    came = summary["articles"] + summary["skipped_stored"] + sum(summary["dropped"].values())
    if came and (failed + came < 5 or failed / (failed + came) <= limits.extracted):
        return []
    return [
        f"MONITOR FAILED site={site} check=article_pages failed={summary['article_failed']} of "
        f"{failed + came} article links, articles={summary['articles']}"
    ]


def item_count_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    """Article links found against the usual: a scheduled run finds the stored ones too, so a quiet
    hour with nothing new is no alarm, while a listing that lost its links is."""
    if summary["bounded"] or summary["finish_reason"] == STOPPED:
        return []
    floor = item_count_floor(history, limits)
    if floor is None or summary["discovered"] >= floor:
        return []
    return [
        f"MONITOR FAILED site={site} check=item_count discovered={summary['discovered']} "
        f"usual={statistics.median(h['discovered'] for h in history):g} (median of the last {len(history)} runs)"
    ]


def item_count_floor(history: list[Summary], limits: Limits) -> float | None:
    """The fewest article links a run may find, or None where there is too little history to judge by."""
    counts = [h["discovered"] for h in history]
    if len(counts) < 3 or statistics.median(counts) < 5:
        return None
    return limits.item_ratio * statistics.median(counts)


def coverage_floor(name: str, history: list[Summary], limits: Limits) -> tuple[float, str] | None:
    """The least share of articles with this field: a fixed floor ("expected"), or the usual share less
    the allowed drop ("usual", with at least 3 runs of history); None where nothing is judged."""
    floor = 1.0 if name in ALWAYS else limits.coverage.get(name)
    if floor is not None:
        return floor, "expected"
    usual = [
        h["coverage"][name] for h in history if h["articles"] >= 5 and h["coverage"].get(name) is not None
    ]
    if len(usual) < 3:
        return None
    return statistics.median(usual) - limits.coverage_drop, "usual"


def storage_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    """Every article the pipelines passed on is in the database."""
    if summary["to_store"] is None:
        return []
    if summary["not_stored"] == 0 and summary["stored"] == summary["articles"]:
        return []
    return [
        f"MONITOR FAILED site={site} check=storage articles={summary['articles']} "
        f"stored={summary['stored']} not_stored={summary['not_stored']}"
    ]


def archive_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    """Every archived response or WARC file asked for was read."""
    if not summary.get("unreadable"):
        return []
    return [
        f"MONITOR FAILED site={site} check=archive unreadable={summary['unreadable']} (the log names each)"
    ]


def coverage_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    if summary["articles"] < 5:
        return []
    failures = []
    for name in FIELDS:
        share = summary["coverage"][name]
        judged = coverage_floor(name, history, limits)
        if judged is None or share >= judged[0]:
            continue
        floor, kind = judged
        shown = floor if kind == "expected" else floor + limits.coverage_drop
        failures.append(
            f"MONITOR FAILED site={site} check=coverage field={name} got={share:.0%} {kind}={shown:.0%}"
        )
    return failures


def robots_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    """robots.txt refused discovery documents or articles: the site does not let crawlers in there, with or
    without history. (Images and other requests it refuses are only counted.)"""
    robots = summary.get("robots") or {}
    refused = {kind: n for kind, n in robots.items() if kind not in {"refused", "other"}}
    if not refused:
        return []
    first = robots.get("refused", {})
    return [
        f"MONITOR FAILED site={site} check=robots forbidden={sum(refused.values())} "
        f"({', '.join(f'{kind}={n}' for kind, n in sorted(refused.items()))}) "
        f"rule={first.get('rule') or 'unknown'!r} robots={first.get('robots')} first={first.get('url')}"
    ]


def job_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    """A distributed job whose last worker leaves work queued or leased, or article links with no outcome."""
    job = summary.get("job")
    if not job or not (job["pending"] or job["lost"]) or summary["finish_reason"] == STOPPED:
        return []  # stopped on purpose: the log says the same command resumes it
    missing = f" (e.g. {', '.join(job['waiting'])})" if job.get("waiting") else ""
    return [
        f"MONITOR FAILED site={site} check=job pending={job['pending']} lost={job['lost']}{missing} "
        f"discovered={job['discovered']} stored={job['stored']} dropped={job['dropped']} "
        f"skipped={job['skipped']} failed={job['failed']}: the same NEWS_JOB run again finishes it"
    ]


def error_failures(site: str, summary: Summary, history: list[Summary], limits: Limits) -> list[str]:
    pages = summary["pages"] + summary["failed"].get("exceptions", 0)
    failed = sum(n for s, n in summary["failed"].items() if s.startswith("5") or s == "exceptions")
    if pages >= 10 and failed / pages > limits.error_rate:
        return [f"MONITOR FAILED site={site} check=errors failed={failed} of {pages} requests"]
    return []


# What only a run that fetches can fail: `scrapy reextract` reads the archive instead.
FETCH_CHECKS = frozenset(
    {
        discovery_failures,
        article_page_failures,
        item_count_failures,
        error_failures,
        robots_failures,
        job_failures,
    }
)


class SiteChecks(Monitor):
    """A finished run against the spider's usual: each failure is one `MONITOR FAILED` line."""

    def setUp(self) -> None:
        if "news/summary" not in self.data.stats:
            self.skipTest("no run summary: not a news spider")
        self.site = self.data.spider.name
        self.summary = self.data.stats["news/summary"]
        self.history = history(self.data.crawler, self.site, self.data.stats["news/run_kind"])
        self.limits = Limits.from_settings(self.data.crawler.settings)

    def judge(self, check: Callable[[str, Summary, list[Summary], Limits], list[str]]) -> None:
        if self.data.stats["news/run_kind"] == "reextract" and check in FETCH_CHECKS:
            self.skipTest("scrapy reextract fetches nothing")
        failures = check(self.site, self.summary, self.history, self.limits)
        if failures:
            self.fail("\n".join(failures))

    def test_finish_reason(self) -> None:
        self.judge(finish_failures)

    def test_extraction(self) -> None:
        self.judge(extraction_failures)

    def test_discovery(self) -> None:
        self.judge(discovery_failures)

    def test_article_pages(self) -> None:
        self.judge(article_page_failures)

    def test_item_count(self) -> None:
        self.judge(item_count_failures)

    def test_storage(self) -> None:
        self.judge(storage_failures)

    def test_coverage(self) -> None:
        self.judge(coverage_failures)

    def test_archive(self) -> None:
        self.judge(archive_failures)

    def test_error_rate(self) -> None:
        self.judge(error_failures)

    def test_job(self) -> None:
        self.judge(job_failures)

    def test_robots(self) -> None:
        self.judge(robots_failures)


class FailRun(Action):
    """Logs each failed check on its own line and marks the run failed, for `scrapy crawl`'s exit code."""

    def run_action(self) -> None:
        failures = [
            line for result in self.result.monitors_failed_results for line in str(result.reason).splitlines()
        ]
        for failure in failures:
            logger.error(failure)
        self.data.crawler.stats.set_value(FAILED_STAT, failures)


class RunChecks(MonitorSuite):
    monitors: ClassVar[list[type[Monitor]]] = [SiteChecks]
    monitors_failed_actions: ClassVar[list[type[Action]]] = [FailRun]


class _LoggerResult(SpiderMonitorResult):
    def log(self, msg: str, level: int = logging.DEBUG) -> None:
        # Spidermon 1.27 logs through Spider.log(), which Scrapy 2.19 deprecates.
        self.spider.logger.log(level, "[Spidermon] %s", msg)


class _LoggerRunner(SpiderMonitorRunner):
    def create_result(self) -> SpiderMonitorResult:
        return _LoggerResult(self.spider)


class Spidermon(SpidermonExtension):
    """Spidermon's extension (SPIDERMON_* settings), its reports logged through the spider's logger."""

    def _run_suites(self, spider: Any, suites: list[Any]) -> None:
        data = self._generate_data_for_spider(spider)
        for suite in suites:
            _LoggerRunner(spider=spider).run(suite, **data)


def measures_the_site(runs: Any) -> list[Any]:
    """Which rows of `runs` count as history: finished, not stopped, found something, not bounded."""
    return [
        runs.c.finished_at.is_not(None),
        runs.c.finish_reason != STOPPED,
        runs.c.articles.is_not(None),
        runs.c.discovered > 0,
        runs.c.bounded.is_not(True),
    ]


def history(crawler: Any, spider: str, kind: str) -> list[Summary]:
    """Article links found, articles and field coverage of this spider's last full runs of the same kind,
    from `runs` (none without a database): runs bounded on purpose, stopped, or that found nothing are
    no measure of the site."""
    from crawler.store import store_for
    from exports.sql import RUNS

    engine = getattr(store_for(crawler), "engine", None)
    if engine is None:
        return []
    with engine.connect() as connection:
        rows = connection.execute(
            select(RUNS.c.articles, RUNS.c.discovered, RUNS.c.coverage)
            .where(RUNS.c.spider == spider, RUNS.c.kind == kind, *measures_the_site(RUNS))
            .order_by(RUNS.c.id.desc())
            .limit(HISTORY)
        )
        return [
            {"articles": row.articles, "discovered": row.discovered, "coverage": row.coverage or {}}
            for row in rows
        ]


class RunMonitor:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        Limits.from_settings(crawler.settings)  # a wrong NEWS_MONITOR_* stops the run now, not at its end

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunMonitor:
        monitor = cls(crawler)
        crawler.signals.connect(monitor.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(monitor.spider_closed, signal=signals.spider_closed)
        return monitor

    def item_scraped(self, item: Any) -> None:
        article = article_adapter(item)
        if article is not None:
            for name in coverage_counts(article):
                self.stats.inc_value(f"news/coverage/{name}")
            if article.get("date_source"):
                self.stats.inc_value(f"news/date_source/{article['date_source']}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        from crawler.spiders.base import NewsSpider

        if not isinstance(spider, NewsSpider):
            return  # `scrapy capture` and other tools crawl no news
        kind = "reextract" if spider.rereads is not None else "backfill" if spider.backfill else "scheduled"
        self.stats.set_value("news/run_kind", kind)
        # max_items, max_pages, or a JOBDIR (stopped and resumed by design): partial counts on purpose.
        self.stats.set_value("news/bounded", spider.bounded or bool(self.crawler.settings.get("JOBDIR")))
        summary = summarize({**self.stats.get_stats(), "finish_reason": reason})
        self.stats.set_value("news/summary", summary)
        logger.info("Run summary %s (%s): %s", spider.name, kind, json.dumps(summary, ensure_ascii=False))
        if reason == STOPPED:
            jobdir, job = self.crawler.settings.get("JOBDIR"), self.crawler.settings.get("NEWS_JOB")
            where = (
                f" from JOBDIR {jobdir}"
                if jobdir
                else f" with the same -s NEWS_JOB={job}"
                if job
                else " (what is stored already is skipped)"
            )
            logger.warning("%s was stopped before the end; the same command resumes it%s", spider.name, where)
