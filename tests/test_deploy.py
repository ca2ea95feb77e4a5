"""Scrapyd deployment: the egg `scrapyd-deploy --build-egg` makes from a clean copy of the project holds
everything a run needs, and a crawl runs from it the way Scrapyd runs one (the egg on sys.path,
SCRAPY_SETTINGS_MODULE from its entry point) into a fresh database."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.replay import ReplayServer
from crawler.replaysite import build_site

ROOT = Path(__file__).parents[1]
# What Scrapyd's runner does with an egg: put it first on sys.path, take the settings module from the
# egg's entry point (SCRAPY_SETTINGS_MODULE), and hand the command line to Scrapy.
RUNNER = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); import crawler; "
    "print(crawler.__file__, file=sys.stderr, flush=True); "
    "from scrapy.cmdline import execute; execute()"
)


def test_scrapyd_egg_has_the_settings_entry_point_and_the_migrations(tmp_path: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    copy = tmp_path / "project"
    for name in files:
        if name.startswith("tests/fixtures/"):
            continue
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, copy / name)
    deploy = Path(sys.executable).with_name("scrapyd-deploy")
    egg = tmp_path / "crawler.egg"
    done = subprocess.run(
        [str(deploy), "--build-egg", str(egg)], cwd=copy, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert_egg_contents(egg)
    assert_a_crawl_runs_from(egg, tmp_path)


def assert_a_crawl_runs_from(egg: Path, tmp_path: Path) -> None:
    spider = SpiderLoader.from_settings(get_project_settings()).load("aitimes")
    work = tmp_path / "scrapyd-job"  # Scrapyd runs jobs in a folder of its own: no project files there
    work.mkdir()
    database = tmp_path / "fresh.sqlite3"
    with ReplayServer(build_site([spider], datetime.now(UTC))) as server:
        settings = {
            "NEWS_REPLAY_URL": server.url,
            "AUTOTHROTTLE_ENABLED": "False",
            "DATABASE_URL": f"sqlite:///{database}",
            "NEWS_JEKYLL_SITE": str(tmp_path / "site"),
            "NEWS_LOCK_DIR": str(tmp_path / "locks"),
            "NEWS_STATS_FILE": str(tmp_path / "stats.json"),
        }
        command = [sys.executable, "-c", RUNNER, str(egg), "crawl", "aitimes"]
        for key, value in settings.items():
            command += ["-s", f"{key}={value}"]
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert done.stderr.splitlines()[0].startswith(str(egg))  # the code came from the egg
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (6,)
        assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] >= "0004"
    assert json.loads((tmp_path / "stats.json").read_text())["news/db/new"] == 6


def assert_egg_contents(egg: Path) -> None:
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]\nsettings = crawler.settings" in entry_points
    assert {
        "crawler/settings.py",
        "crawler/spiders/naver_it.py",
        "pipelines/dedup.py",
        "exports/sql.py",
        "exports/alembic.ini",
        "exports/migrations/env.py",
        "exports/migrations/versions/0001_initial_schema.py",
        "exports/migrations/versions/0002_article_signatures.py",
    } <= names
