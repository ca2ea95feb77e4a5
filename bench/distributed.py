"""Distributed throughput: articles per minute of one crawler process and of two sharing a run through
scrapy-redis, on the same replay site, in the same invocation.

    .venv/bin/python -m bench.distributed [--pages 2000] [--json]

The site is bench/crawl.py's (real captures with varied content). Both setups use the machine's Redis and
a fresh PostgreSQL database each, with the project's pipelines. The replay server runs in this process,
on the same two cores as the crawlers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
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
                  "NEWS_REDIS_URL": sys.argv[4], "NEWS_JOB": sys.argv[5], "NEWS_IDLE_GRACE_SECONDS": 1,
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


def stored(database: str) -> int:
    engine = create_engine(database)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM articles")).scalar_one()
    engine.dispose()
    return int(count)


def run(server: ReplayServer, processes: int) -> tuple[int, float]:
    database = fresh_database()
    job = uuid.uuid4().hex[:10]
    try:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            children = [
                subprocess.Popen(
                    [sys.executable, "-c", SPIDER, server.url, database, f"{folder}/site{n}", REDIS, job],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
                for n in range(processes)
            ]
            for child in children:
                child.wait(timeout=3600)
            seconds = time.perf_counter() - start
        return stored(database), seconds
    finally:
        drop(database)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    with ReplayServer(build(args.pages)) as server:
        one = run(server, 1)
        two = run(server, 2)
    rates = {n: count / seconds * 60 for n, (count, seconds) in ((1, one), (2, two))}
    print(f"replay site of {args.pages} articles; Redis queue and dupefilter, PostgreSQL")
    for n, (count, seconds) in ((1, one), (2, two)):
        print(
            f"{n} process{'es' if n > 1 else ''}: {count} articles in {seconds:.1f}s (with start-up): "
            f"{rates[n]:,.0f} articles/min"
        )
    print(f"two processes: {rates[2] / rates[1]:.2f}x one (target: at least 1.6x)")
    if args.json:
        print(json.dumps({"one_per_min": rates[1], "two_per_min": rates[2], "speedup": rates[2] / rates[1]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
