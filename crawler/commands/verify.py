"""`scrapy verify [SPIDER ...] [--replay] [--save DIR] [--articles N]`: each spider against its site, politely:
robots.txt, its discovery documents, a few of the articles they lead to, one row per spider."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.http import Response

from crawler.checks import SettingError, check_writable, usage_error
from crawler.commands import aligned
from crawler.commands.capture import save_fixture
from crawler.commands.crawl import EXIT_MONITOR_FAILED
from crawler.monitor import FIELDS
from crawler.offline import article_from_page
from crawler.replay import ReplayServer
from crawler.replaysite import MODELS, replay_settings, replay_site
from pipelines.validate import options_from_settings

COLUMNS = (
    "spider",
    "robots",
    "discovery",
    "links",
    "articles",
    "title",
    "date",
    "author",
    "body",
    "image",
    "verdict",
)
SHOWN = {
    "headline": "title",
    "date_published": "date",
    "authors": "author",
    "body_text": "body",
    "main_image": "image",
}


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "INFO"}

    def syntax(self) -> str:
        return "[SPIDER ...] [--replay] [--save DIR] [--articles N]"

    def short_desc(self) -> str:
        return "Check each spider on its live site: robots.txt, discovery, a few articles, field coverage"

    def long_desc(self) -> str:
        return (
            "Crawls, politely, each spider's robots.txt, its discovery documents (the first page of each "
            "list) and the first --articles (5) articles they lead to, into a scratch database, and prints "
            "one row per spider: what robots.txt says, discovery documents fetched of those asked, article "
            "links found, articles extracted, and the share of them with a title, date, author, body and "
            "image. Exits 3 when a spider got no article or a share is under the spider's floor "
            "(`verify_floors`). --save DIR keeps every page fetched as a fixture (as `scrapy capture` does), "
            "each article beside its draft expected Article (NAME.article.draft.json) to review. --replay "
            "runs against the bundled site models instead of the web. All spiders but `generic` and "
            "`naver_it` (refused by Naver's robots.txt) by default."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--replay", action="store_true", help="against the bundled site models, offline")
        parser.add_argument("--save", help="keep every fetched page as a fixture under DIR")
        parser.add_argument("--articles", default="5", help="articles fetched per spider (default: 5)")
        parser.add_argument(
            "--log", help="the crawls' log file (default: a file in a scratch folder, printed)"
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if not opts.articles.isdigit() or int(opts.articles) < 1:
            usage_error(f"--articles={opts.articles!r}: expected a whole number above 0")
        if opts.save:
            try:
                check_writable(opts.save, "--save")
            except SettingError as exc:
                usage_error(str(exc))
        self.scratch = Path(tempfile.mkdtemp(prefix="news-verify-"))
        self.settings.set("LOG_FILE", opts.log or str(self.scratch / "verify.log"), priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None and self.settings is not None
        loader = self.crawler_process.spider_loader
        names = args or [
            n for n in loader.list() if n != "naver_it" and getattr(loader.load(n), "own_site", False)
        ]
        unknown = sorted(set(names) - set(loader.list()))
        if unknown:
            usage_error(
                f"no spider named {', '.join(unknown)}; the spiders: {', '.join(sorted(loader.list()))}"
            )
        if opts.replay and set(names) - set(MODELS):
            usage_error(
                f"{', '.join(sorted(set(names) - set(MODELS)))}: no site model to verify against offline"
            )
        spiders = [loader.load(n) for n in names]
        self.watches: dict[str, Watch] = {}
        server = ReplayServer(replay_site(spiders)).start() if opts.replay else None
        try:
            crawlers = [self.crawl(spider, opts, server) for spider in spiders]
            self.crawler_process.start()
        finally:
            if server is not None:
                server.stop()
        rows = [row(crawler, self.watches[crawler.spidercls.name]) for crawler in crawlers]
        sys.stdout.write(table(rows) + "\n")
        sys.stderr.write(f"the log: {self.settings.get('LOG_FILE')}\n")
        unsaved = [page for watch in self.watches.values() for page in watch.unsaved]
        if unsaved:
            sys.stderr.write(f"error: {len(unsaved)} pages not saved under {opts.save}, e.g. {unsaved[0]}\n")
            self.exitcode = 1
        elif opts.save:
            sys.stderr.write(f"pages saved under {opts.save}: review each NAME.article.draft.json\n")
        if any(r[-1] != "ok" for r in rows):
            self.exitcode = EXIT_MONITOR_FAILED  # as a crawl whose checks failed

    def crawl(self, spider: Any, opts: argparse.Namespace, server: ReplayServer | None) -> Any:
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(spider.name)
        scratch = self.scratch / spider.name
        own: dict[str, Any] = {
            "DATABASE_URL": f"sqlite:///{scratch / 'news.sqlite3'}",
            "NEWS_JEKYLL_SITE": str(scratch / "site"),
            "NEWS_LOCK_DIR": str(scratch / "locks"),
            "NEWS_STATS_FILE": None,
        }
        if server is not None:
            own |= replay_settings(server.url)
        crawler.settings.setdict(own, priority="cmdline")
        watch = Watch(crawler, Path(opts.save) if opts.save else None)
        crawler.signals.connect(watch.response_received, signal=signals.response_received)
        crawler.signals.connect(watch.request_scheduled, signal=signals.request_scheduled)
        self.watches[spider.name] = watch
        self.crawler_process.crawl(crawler, max_pages="1", max_items=opts.articles)
        return crawler


class Watch:
    """Counts the discovery documents asked and fetched, and saves pages as fixtures where asked to."""

    def __init__(self, crawler: Any, save: Path | None) -> None:
        self.crawler = crawler
        self.save = save
        self.asked = 0
        self.fetched = 0
        self.failed = 0
        self.unsaved: list[str] = []

    def request_scheduled(self, request: Any) -> None:
        if request.meta.get("news_discovery") and not {"redirect_urls", "retry_times"} & set(request.meta):
            self.asked += 1  # a redirect or a retry is the same document asked again

    def response_received(self, response: Response, request: Any) -> None:
        discovery, article = request.meta.get("news_discovery"), request.meta.get("news_article")
        if discovery and response.status == 200:
            self.fetched += 1
        elif discovery and response.status >= 400:
            self.failed += 1
        if self.save is None or response.status != 200 or not (discovery or article):
            return
        try:
            self.keep(response, bool(article))
        except OSError as error:
            self.unsaved.append(f"{response.url}: {error.strerror or error}")

    def keep(self, response: Response, article: bool) -> None:
        assert self.save is not None
        page = save_fixture(response, self.save, "scrapy verify")
        if article:
            outcome = article_from_page(
                response.url,
                response.body,
                {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()},
                datetime.now(UTC),
                options_from_settings(self.crawler.settings),
                self.crawler.spider.name,
            )
            draft = page.with_name(page.name.replace(".html", ".article.draft.json"))
            draft.write_text(
                json.dumps(outcome.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )


def row(crawler: Any, watch: Watch) -> tuple[str, ...]:
    stats = crawler.stats.get_stats()
    spider = crawler.spidercls
    refused = stats.get("news/robots/refused")
    articles = stats.get("item_scraped_count", 0)
    shares = {f: stats.get(f"news/coverage/{f}", 0) / articles if articles else 0.0 for f in FIELDS}
    floors = getattr(spider, "verify_floors", {})
    under = [f"{SHOWN[f]} {shares[f]:.0%} < {floor:.0%}" for f, floor in floors.items() if shares[f] < floor]
    robots = "refused" if refused else "allowed"
    answered = [k.rsplit("/", 1)[1] for k in stats if k.startswith("robotstxt/response_status_count/")]
    if not refused and answered and "200" not in answered:
        robots = f"none ({', '.join(sorted(answered))})"  # no robots.txt: everything allowed
    if refused:
        verdict = f"refused by robots.txt ({refused.get('rule') or refused.get('robots')})"
    elif watch.failed:
        verdict = f"discovery: {watch.failed} of {watch.asked} documents failed"
    elif not articles:
        dropped = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("news/dropped/")}
        why = ", ".join(f"{reason} {n}" for reason, n in sorted(dropped.items()))
        verdict = f"no article (dropped: {why})" if why else "no article"
    else:
        verdict = "; ".join(under) or "ok"
    return (
        spider.name,
        robots,
        f"{watch.fetched}/{watch.asked}",
        str(stats.get("news/discovery/articles", 0)),
        str(articles),
        *(f"{shares[f]:.0%}" if articles else "–" for f in SHOWN),
        verdict,
    )


def table(rows: list[tuple[str, ...]]) -> str:
    return aligned([COLUMNS, *rows], left={0, 1, len(COLUMNS) - 1})
