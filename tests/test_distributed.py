"""Distributed jobs: crawler processes share one job through Redis (the machine's, or a private one this
test restarts) and one PostgreSQL. Every article is stored exactly once, and the processes store what one
process alone stores, also when one of them is killed (SIGKILL) at any point or Redis restarts empty; a
job cut short says so by its exit status and finishes when run again."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
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
LEASE = 4  # seconds without a heartbeat before a worker's leases go back to the queue


@pytest.fixture
def site() -> dict:
    return build_site([SPIDER], NOW, per_site=PER_SITE)  # fresh: its pages count their hits


EXPECTED = {s.url for s in stories_for(SPIDER, NOW, PER_SITE)}


def command(server: ReplayServer, database: str, tmp: Path, name: str, **extra: str) -> list[str]:
    settings = {
        "NEWS_REPLAY_URL": server.url,
        "AUTOTHROTTLE_ENABLED": "False",
        "DATABASE_URL": database,
        "NEWS_JEKYLL_SITE": str(tmp / f"site-{name}"),
        "NEWS_LOCK_DIR": str(tmp / f"locks-{name}"),
        "NEWS_STATS_FILE": str(tmp / f"{name}.json"),
        # Slow enough that every process finds work left, and that a kill lands mid-job.
        "DOWNLOAD_DELAY": "0.15",
        **extra,
    }
    return crawl_command("aitimes", settings)


def worker(server: ReplayServer, database: str, tmp: Path, name: str, redis_url: str, job: str, **extra: str):
    log = (tmp / f"{name}.log").open("w")  # a file: an unread pipe stalls the crawler writing to it
    return subprocess.Popen(
        command(
            server,
            database,
            tmp,
            name,
            NEWS_REDIS_URL=redis_url,
            NEWS_JOB=job,
            **{"NEWS_LEASE_SECONDS": str(LEASE), **extra},
        ),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stored(database: str) -> list[str]:
    engine = create_engine(database)
    with engine.connect() as connection:
        urls = [row[0] for row in connection.execute(text("SELECT canonical_url FROM articles"))]
    engine.dispose()
    return urls


def stats(tmp: Path, name: str) -> dict:
    return json.loads((tmp / f"{name}.json").read_text())


def articles_fetched(server: ReplayServer) -> int:
    return sum(server.hits(url) for url in EXPECTED)


def holds_leases(client: redis.Redis, job: str, pid: int) -> bool:
    """Whether the worker process `pid` (its id: host, pid, a random part) holds a lease of `job`."""
    return any(client.hlen(k) for k in client.scan_iter(f"aitimes:{job}:leases:*-{pid}-*"))


def wait_until(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def finish(processes: list[subprocess.Popen], tmp: Path, names: list[str]) -> list[int]:
    codes = [p.wait(timeout=300) for p in processes]
    for name, code in zip(names, codes, strict=True):
        assert code in (0, -signal.SIGKILL), (tmp / f"{name}.log").read_text()[-3000:]
    return codes


def test_two_processes_store_each_article_once(
    site, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    job = f"test-{uuid.uuid4().hex[:8]}"
    with ReplayServer(site) as server:
        both = [worker(server, postgres_url, tmp_path, name, redis_url, job) for name in ("a", "b")]
        assert finish(both, tmp_path, ["a", "b"]) == [0, 0]
        alone_db = f"sqlite:///{tmp_path / 'alone.sqlite3'}"
        alone = subprocess.run(
            command(server, alone_db, tmp_path, "alone"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert alone.returncode == 0, alone.stderr[-1500:]
    urls = stored(postgres_url)
    assert len(urls) == len(set(urls)) == PER_SITE
    assert set(urls) == EXPECTED == set(stored(alone_db))
    scraped = [stats(tmp_path, n).get("item_scraped_count", 0) for n in ("a", "b")]
    assert sum(scraped) == PER_SITE  # no article was fetched and processed twice
    assert min(scraped) > 0, scraped  # both took work from the shared queue
    assert all(stats(tmp_path, n)["finish_reason"] == "finished" for n in ("a", "b"))
    # The last one to close judged the job: every article link found has its outcome.
    verdicts = [stats(tmp_path, n).get("news/job/verdict") for n in ("a", "b")]
    [verdict] = [v for v in verdicts if v]
    assert verdict["pending"] == verdict["lost"] == 0
    assert verdict["stored"] == PER_SITE and verdict["discovered"] == PER_SITE, verdict


@pytest.mark.parametrize(
    ("workers", "kill_at"),
    [(2, 0), (2, PER_SITE // 2), (2, PER_SITE - 4), (3, PER_SITE // 3)],
    ids=["during-discovery", "mid-articles", "at-the-end", "three-processes"],
)
def test_a_killed_worker_loses_nothing(
    site, tmp_path: Path, postgres_url: str, redis_url: str, workers: int, kill_at: int
) -> None:
    """SIGKILL one worker once `kill_at` article pages were served (at 0: once the first listing was and it
    holds a lease): the others take back what it had leased, unfinished batch included, and store every article once."""
    job = f"test-{uuid.uuid4().hex[:8]}"
    names = [f"w{n}" for n in range(workers)]
    listing = next(u for u in site if "articleList" in u or u.endswith(".xml"))
    client = redis.Redis.from_url(redis_url)
    with ReplayServer(site) as server:
        processes = [worker(server, postgres_url, tmp_path, names[0], redis_url, job)]
        processes += [worker(server, postgres_url, tmp_path, n, redis_url, job) for n in names[1:]]
        if kill_at:
            wait_until(lambda: articles_fetched(server) >= kill_at)
        else:
            # killed once it holds a lease: which worker leases the first requests is a race
            wait_until(lambda: server.hits(listing) >= 1 and holds_leases(client, job, processes[0].pid))
        processes[0].send_signal(signal.SIGKILL)
        codes = finish(processes, tmp_path, names)
    assert codes == [-signal.SIGKILL] + [0] * (workers - 1)
    urls = stored(postgres_url)
    assert len(urls) == len(set(urls)) and set(urls) == EXPECTED
    [verdict] = [v for n in names[1:] if (v := stats(tmp_path, n).get("news/job/verdict"))]
    assert verdict["pending"] == verdict["lost"] == 0, verdict
    assert verdict["recovered"] > 0, verdict  # the killed worker held leases, which the others took back
    assert not client.exists(f"aitimes:{job}:requests")  # nothing left queued
    assert not [k for k in client.scan_iter(f"aitimes:{job}:leases:*") if client.hlen(k)]


def test_a_job_cut_short_fails_and_its_rerun_finishes_it(
    site, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    """A time limit stops the only worker with work queued and leased: its run exits non-zero naming the
    job check, the work goes back to the queue, and the same NEWS_JOB run again stores the rest."""
    job = f"test-{uuid.uuid4().hex[:8]}"
    with ReplayServer(site) as server:
        first = worker(server, postgres_url, tmp_path, "first", redis_url, job, CLOSESPIDER_TIMEOUT="4")
        first.wait(timeout=300)
        log = (tmp_path / "first.log").read_text()
        assert first.returncode == 3, log[-3000:]
        assert "MONITOR FAILED site=aitimes check=job pending=" in log
        assert "the same NEWS_JOB run again finishes it" in log
        part = stored(postgres_url)
        assert 0 < len(part) < PER_SITE
        again = worker(server, postgres_url, tmp_path, "again", redis_url, job)
        assert again.wait(timeout=300) == 0, (tmp_path / "again.log").read_text()[-3000:]
    urls = stored(postgres_url)
    assert len(urls) == len(set(urls)) and set(urls) == EXPECTED
    verdict = stats(tmp_path, "again")["news/job/verdict"]
    assert verdict["pending"] == verdict["lost"] == 0 and verdict["discovered"] == PER_SITE, verdict
    assert verdict["stored"] + verdict["skipped"] >= PER_SITE


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[tuple[str, callable]]:
    """A Redis of this test's own, which keeps nothing on disk, and a way to restart it empty."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    args += ["--dir", str(tmp_path)]
    servers = [subprocess.Popen(args, stdout=subprocess.DEVNULL)]
    url = f"redis://127.0.0.1:{port}/0"
    wait_until(lambda: _pings(url), timeout=10)

    def restart() -> None:
        servers[-1].send_signal(signal.SIGKILL)
        servers[-1].wait()
        time.sleep(1)
        servers.append(subprocess.Popen(args, stdout=subprocess.DEVNULL))
        wait_until(lambda: _pings(url), timeout=10)

    yield url, restart
    servers[-1].kill()
    servers[-1].wait()


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url).ping())
    except redis.ConnectionError:
        return False


@pytest.mark.parametrize("lease", ["4", "30"])
def test_redis_restarted_empty_mid_job(
    site, tmp_path: Path, postgres_url: str, private_redis, lease: str
) -> None:
    """Redis killed and started again empty halfway: the workers wait it out, notice the job's state is
    gone (before they would take its empty queue for the end, whatever their heartbeat's pace), discover
    again from the start pages, and store every article once."""
    url, restart = private_redis
    job = f"test-{uuid.uuid4().hex[:8]}"
    with ReplayServer(site) as server:
        both = [
            worker(server, postgres_url, tmp_path, name, url, job, NEWS_LEASE_SECONDS=lease)
            for name in ("a", "b")
        ]
        wait_until(lambda: articles_fetched(server) >= PER_SITE // 3)
        restart()
        assert finish(both, tmp_path, ["a", "b"]) == [0, 0]
    urls = stored(postgres_url)
    assert len(urls) == len(set(urls)) and set(urls) == EXPECTED
    assert sum(stats(tmp_path, n).get("news/job/state_lost", 0) for n in ("a", "b")) >= 1
    logs = "".join((tmp_path / f"{n}.log").read_text() for n in ("a", "b"))
    assert "Redis lost the state of job" in logs


def test_articles_the_database_refuses_stay_in_the_job_until_stored(
    site, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    """The database refuses three of the articles (a trigger, as a constraint or an outage would): the
    run fails its storage and job checks, those three go back to the job's queue instead of being
    counted done, and once the database takes them the same NEWS_JOB run again stores them."""
    refused = sorted(EXPECTED)[:3]
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.url = ANY(:urls) THEN "
                "RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql".replace(
                    ":urls", "ARRAY[" + ",".join(f"'{u}'" for u in refused) + "]"
                )
            )
        )
    job = f"test-{uuid.uuid4().hex[:8]}"
    with ReplayServer(site) as server:
        first = worker(server, postgres_url, tmp_path, "first", redis_url, job, NEWS_DB_BATCH="5")
        # The trigger goes on once the crawl has made its tables.
        wait_until(
            lambda: (
                (tmp_path / "first.log").exists() and "Spider opened" in (tmp_path / "first.log").read_text()
            )
        )
        with engine.begin() as connection:
            connection.execute(
                text("CREATE TRIGGER refuse BEFORE INSERT ON articles FOR EACH ROW EXECUTE FUNCTION refuse()")
            )
        first.wait(timeout=300)
        log = (tmp_path / "first.log").read_text()
        assert first.returncode == 3, log[-3000:]
        assert "check=storage" in log and "MONITOR FAILED site=aitimes check=job pending=" in log
        assert set(stored(postgres_url)) == EXPECTED - set(refused)
        with engine.begin() as connection:
            connection.execute(text("DROP TRIGGER refuse ON articles"))
        again = worker(server, postgres_url, tmp_path, "again", redis_url, job)
        assert again.wait(timeout=300) == 0, (tmp_path / "again.log").read_text()[-3000:]
    engine.dispose()
    assert sorted(stored(postgres_url)) == sorted(EXPECTED)
    verdict = stats(tmp_path, "again")["news/job/verdict"]
    assert verdict["pending"] == verdict["lost"] == 0 and verdict["stored"] == PER_SITE, verdict


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
