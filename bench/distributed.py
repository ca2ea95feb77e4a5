"""Distributed throughput: articles per minute of one crawler process and of two sharing a run through
scrapy-redis, on the same replay site, in the same invocation.

    .venv/bin/python -m bench.distributed [--pages 2000] [--repeat 3] [--json]

The site is bench/crawl.py's (real captures with varied content). Both setups use the machine's Redis and
a fresh PostgreSQL database each, with the project's pipelines. The replay server runs in this process,
on the same two cores as the crawlers. A rate counts from launch (start-up included) to the last article
fetched; the idle grace a finished process waits out before it closes is reported beside it, not counted.
Each setup runs --repeat times, alternating, and the medians are compared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.crawl import build
from crawler.replay import ReplayServer

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"

SPIDER = """
import sys
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from crawler.spiders.base import NewsSpider

class BenchSpider(NewsSpider):
    name = "bench"
    listings = ("https://bench.example.com/list?page={page}",)
    article_patterns = (r"yna\\.co\\.kr/view/|news\\.naver\\.com/mnews/|hankookilbo\\.com/News/|mk\\.co\\.kr/news/",)

settings = get_project_settings()
settings.setdict({"NEWS_REPLAY_URL": sys.argv[1], "DATABASE_URL": sys.argv[2], "NEWS_JEKYLL_SITE": sys.argv[3],
                  "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                  "LOG_LEVEL": "WARNING", "NEWS_MAX_PAGES": 10_000, "NEWS_REQUIRE_DATE": False, "CLOSESPIDER_TIMEOUT": 0,
                  "NEWS_REDIS_URL": sys.argv[4], "NEWS_JOB": sys.argv[5], "NEWS_LEASE_SECONDS": 10,
                  "NEWS_NEARDUP_REDIS_PREFIX": "bench:" + sys.argv[5]},
                 priority="cmdline")
process = CrawlerProcess(settings)
process.crawl(BenchSpider)
process.start()
"""


def fresh_database() -> str:
    name = f"news_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop(database: str) -> None:
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {database.rsplit('/', 1)[1]} WITH (FORCE)"))
    admin.dispose()


def stored(database: str) -> tuple[int, datetime]:
    engine = create_engine(database)
    with engine.connect() as connection:
        count, last = connection.execute(text("SELECT count(*), max(fetched_at) FROM articles")).one()
    engine.dispose()
    return int(count), last.replace(tzinfo=UTC) if last.tzinfo is None else last


def run(server: ReplayServer, processes: int) -> tuple[int, float, float]:
    """Articles stored, seconds from launch to the last article fetched, and seconds until every
    process has exited (which adds the idle grace and Scrapy's heartbeat)."""
    database = fresh_database()
    job = uuid.uuid4().hex[:10]
    try:
        with tempfile.TemporaryDirectory() as folder:
            launched = datetime.now(UTC)
            start = time.perf_counter()
            # Logs to files: an unread pipe fills up and stalls the crawler writing to it.
            logs = [Path(folder, f"crawl{n}.log") for n in range(processes)]
            children = [
                subprocess.Popen(
                    [sys.executable, "-c", SPIDER, server.url, database, f"{folder}/site{n}", REDIS, job],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=log.open("w"),
                )
                for n, log in enumerate(logs)
            ]
            for child, log in zip(children, logs, strict=True):
                if child.wait(timeout=3600) != 0:
                    raise RuntimeError(f"a crawler failed:\n{log.read_text()[-3000:]}")
            until_exit = time.perf_counter() - start
        count, last = stored(database)
        return count, (last - launched).total_seconds(), until_exit
    finally:
        drop(database)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of one then two processes; medians")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    print(f"replay site of {args.pages} articles; Redis queue and dupefilter, PostgreSQL")
    rates: dict[int, list[float]] = {1: [], 2: []}
    with ReplayServer(build(args.pages)) as server:
        # Alternating rounds: a slow spell on the machine hits both setups, not one.
        for round_ in range(1, args.repeat + 1):
            for n in (1, 2):
                count, seconds, until_exit = run(server, n)
                rates[n].append(count / seconds * 60)
                print(
                    f"round {round_}, {n} process{'es' if n > 1 else ''}: {count} articles in {seconds:.1f}s "
                    f"from launch to the last fetch (all exited after {until_exit:.1f}s): "
                    f"{rates[n][-1]:,.0f} articles/min"
                )
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    print(f"median: 1 process {one:,.0f} articles/min, 2 processes {two:,.0f} articles/min")
    print(f"two processes: {two / one:.2f}x one (target: at least 1.6x)")
    if args.json:
        print(json.dumps({"one_per_min": one, "two_per_min": two, "speedup": two / one}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
