"""Two crawler processes share one run through scrapy-redis (the machine's Redis) and one PostgreSQL:
every article is stored exactly once, and the two store what one process alone stores."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from sqlalchemy import create_engine, text

from crawler.replay import ReplayServer
from crawler.replaysite import build_site, stories_for
from tests.crawling import crawl_command

ROOT = Path(__file__).parents[1]
SPIDER = SpiderLoader.from_settings(get_project_settings()).load("aitimes")
NOW = datetime.now(UTC)
PER_SITE = 60


def command(server: ReplayServer, database: str, tmp: Path, name: str, **extra: str) -> list[str]:
    settings = {
        "NEWS_REPLAY_URL": server.url,
        "AUTOTHROTTLE_ENABLED": "False",
        "DATABASE_URL": database,
        "NEWS_JEKYLL_SITE": str(tmp / f"site-{name}"),
        "NEWS_LOCK_DIR": str(tmp / f"locks-{name}"),
        "NEWS_STATS_FILE": str(tmp / f"{name}.json"),
        # Slow enough that the second process, which waits for the engine's 5 s heartbeat, finds work left.
        "DOWNLOAD_DELAY": "0.15",
        **extra,
    }
    return crawl_command("aitimes", settings)


def stored(database: str) -> list[str]:
    engine = create_engine(database)
    with engine.connect() as connection:
        urls = [row[0] for row in connection.execute(text("SELECT canonical_url FROM articles"))]
    engine.dispose()
    return urls


def test_two_processes_store_each_article_once(tmp_path: Path, postgres_url: str, redis_url: str) -> None:
    site = build_site([SPIDER], NOW, per_site=PER_SITE)
    expected = {s.url for s in stories_for(SPIDER, NOW, PER_SITE)}
    job = f"test-{uuid.uuid4().hex[:8]}"
    with ReplayServer(site) as server:
        both = [
            subprocess.Popen(
                command(
                    server,
                    postgres_url,
                    tmp_path,
                    name,
                    NEWS_REDIS_URL=redis_url,
                    NEWS_JOB=job,
                    NEWS_IDLE_GRACE_SECONDS="2",
                ),
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("a", "b")
        ]
        logs = [process.communicate(timeout=300) for process in both]
        alone_db = f"sqlite:///{tmp_path / 'alone.sqlite3'}"
        alone = subprocess.run(
            command(server, alone_db, tmp_path, "alone"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert [p.returncode for p in both] == [0, 0], [log[1][-1500:] for log in logs]
    assert alone.returncode == 0, alone.stderr[-1500:]
    urls = stored(postgres_url)
    assert len(urls) == len(set(urls)) == PER_SITE
    assert set(urls) == expected == set(stored(alone_db))
    scraped = [
        json.loads((tmp_path / f"{n}.json").read_text()).get("item_scraped_count", 0) for n in ("a", "b")
    ]
    assert sum(scraped) == PER_SITE  # no article was fetched and processed twice
    assert min(scraped) > 0, scraped  # both took work from the shared queue
    assert all(
        json.loads((tmp_path / f"{n}.json").read_text())["finish_reason"] == "finished" for n in ("a", "b")
    )


def test_a_redis_url_without_a_job_is_refused(tmp_path: Path, redis_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "aitimes", "-s", f"NEWS_REDIS_URL={redis_url}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stderr == (
        f"error: -s NEWS_REDIS_URL='{redis_url}' needs -s NEWS_JOB=… (one id for every process of the run)\n"
    )
