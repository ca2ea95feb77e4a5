"""A backfill kept in a JOBDIR, stopped with SIGINT or killed with SIGKILL halfway and resumed, ends with
exactly the articles an uninterrupted backfill stores: none lost, none stored twice."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from crawler.replay import ReplayServer
from crawler.replaysite import build_site
from tests.crawling import crawl_command

ROOT = Path(__file__).parents[1]
SPIDER = SpiderLoader.from_settings(get_project_settings()).load("aitimes")
NOW = datetime.now(UTC)
# Enough requests that Scrapy's buffered requests.seen reaches the disk before the kill (8 KiB, ~370).
PER_SITE = 450
STOP_AT = 100  # stored articles (of about 200: the other pages repeat a body and become aliases)
SINCE = (NOW - timedelta(days=100)).date().isoformat()


def command(server: ReplayServer, tmp: Path, name: str, **extra: str) -> list[str]:
    settings = {
        "NEWS_REPLAY_URL": server.url,
        "AUTOTHROTTLE_ENABLED": "False",
        "DATABASE_URL": f"sqlite:///{tmp / f'{name}.sqlite3'}",
        "NEWS_JEKYLL_SITE": str(tmp / f"site-{name}"),
        "NEWS_LOCK_DIR": str(tmp / "locks"),
        "NEWS_DB_BATCH": "4",
        "CONCURRENT_REQUESTS": "2",
        "DOWNLOAD_DELAY": "0",
        **extra,
    }
    return crawl_command("aitimes", settings, [f"since={SINCE}", "max_pages=200"])


def rows(database: Path, query: str) -> list[tuple]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(query))]
    except OperationalError:
        return []  # not created yet
    finally:
        engine.dispose()


def known(database: Path) -> set[str]:
    """Every article URL the database accounts for: stored, or an alias of a stored copy of its body
    (which copy is stored first depends on the order pages arrive in)."""
    return {
        url
        for (url,) in rows(database, "SELECT canonical_url FROM articles UNION SELECT url FROM url_aliases")
    }


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def stats(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_backfill_resumes_to_the_same_articles(tmp_path: Path, sig: signal.Signals) -> None:
    with ReplayServer(build_site([SPIDER], NOW, per_site=PER_SITE)) as server:
        whole = run(command(server, tmp_path, "whole", NEWS_STATS_FILE=str(tmp_path / "whole.json")))
        assert whole.returncode == 0, whole.stderr[-2000:]
        expected = known(tmp_path / "whole.sqlite3")
        assert len(expected) >= PER_SITE

        jobdir = tmp_path / "job"
        first_log = tmp_path / "first.log"
        first = subprocess.Popen(
            command(
                server, tmp_path, "resumed", JOBDIR=str(jobdir), NEWS_STATS_FILE=str(tmp_path / "1.json")
            ),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=first_log.open("wb"),  # a file, not a pipe: a pipe nobody reads would stall the crawl
        )
        deadline = time.monotonic() + 120
        while len(rows(tmp_path / "resumed.sqlite3", "SELECT id FROM articles")) < STOP_AT:
            assert first.poll() is None and time.monotonic() < deadline, (
                "the backfill ended before it was stopped"
            )
            time.sleep(0.05)
        first.send_signal(sig)
        first.wait(timeout=120)
        stored_at_stop = known(tmp_path / "resumed.sqlite3")
        assert len(stored_at_stop) < len(expected)

        second = run(
            command(server, tmp_path, "resumed", JOBDIR=str(jobdir), NEWS_STATS_FILE=str(tmp_path / "2.json"))
        )
    assert second.returncode == 0, second.stderr[-3000:]
    assert known(tmp_path / "resumed.sqlite3") == expected
    urls = rows(tmp_path / "resumed.sqlite3", "SELECT canonical_url FROM articles")
    assert len(urls) == len(set(urls)) == len(rows(tmp_path / "whole.sqlite3", "SELECT id FROM articles"))
    assert rows(tmp_path / "resumed.sqlite3", "SELECT DISTINCT version FROM articles") == [(1,)]
    resumed = stats(tmp_path / "2.json")
    assert resumed.get("news/skipped/stored", 0) >= len(stored_at_stop) or sig == signal.SIGINT
    if sig == signal.SIGINT:
        # A clean stop saves the queue: the resumed run picks it up and fetches only what is left.
        assert "shutdown" in stats(tmp_path / "1.json")["finish_reason"]
        # A deliberate stop is no failure, and says how to go on.
        stopped = first_log.read_text(encoding="utf-8")
        assert first.returncode == 0 and "MONITOR FAILED" not in stopped
        assert f"the same command resumes it from JOBDIR {jobdir}" in stopped
        extracted = stats(tmp_path / "1.json")["news/articles_extracted"] + resumed["news/articles_extracted"]
        assert extracted == len(expected)
        assert "news/jobdir/recovered_after_kill" not in resumed
    else:
        assert not (tmp_path / "1.json").exists()
        assert resumed["news/jobdir/recovered_after_kill"] == 1
        assert "did not close (killed?)" in second.stderr
