"""A bad argument or setting is one line naming it, its value and what is accepted, and exit status 2,
with no traceback: run as an operator runs the commands, each in its own process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DATES = "use YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DD HH:MM (Asia/Seoul unless an offset is given)"


def scrapy(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # The test's own -s come after this default, and win.
        [sys.executable, "-m", "scrapy", *args[:2], "-s", f"NEWS_LOCK_DIR={tmp_path / 'locks'}", *args[2:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["-a", "since=garbage"], f"error: -a since='garbage' is not a date: {DATES}"),
        (
            ["-a", "until=2024-13-45"],
            f"error: -a until='2024-13-45' is not a valid date (month must be in 1..12): {DATES}",
        ),
        (["-a", "max_pages=abc"], "error: -a max_pages='abc' must be a whole number"),
        (["-a", "max_items=0"], "error: -a max_items='0' must be positive"),
        (
            ["-a", "colour=red"],
            "error: -a colour='red': yna takes no such argument; it takes since, until, max_pages, max_items, refresh",
        ),
        (["-s", "NEWS_DB_BATCH=abc"], "error: -s NEWS_DB_BATCH='abc': expected a whole number"),
        (
            ["-s", "NEWS_MONITOR_EXTRACTED=2"],
            "error: -s NEWS_MONITOR_EXTRACTED='2': expected a share between 0 and 1",
        ),
        (["-s", "NEWS_JEKYLL_BODY=summary"], "error: -s NEWS_JEKYLL_BODY='summary': use 'full' or 'excerpt'"),
        (
            ["-s", 'NEWS_MONITOR_COVERAGE={"author": 0.9}'],
            "error: -s NEWS_MONITOR_COVERAGE='{\"author\": 0.9}': NEWS_MONITOR_COVERAGE: no such field ['author']; "
            "the fields: ('headline', 'body_text', 'date_published', 'authors', 'main_image')",
        ),
        (["-a", "refresh=maybe"], "error: -a refresh='maybe': use 1 or 0 (true or false)"),
        (["-s", "CLOSESPIDER_TIMEOUT=abc"], "error: -s CLOSESPIDER_TIMEOUT='abc': expected a number"),
        (["-s", "LOG_LEVEL=FOO"], "error: -s LOG_LEVEL='FOO': use CRITICAL, ERROR, WARNING, INFO, DEBUG"),
        (["-s", "NEWS_SITE_EXCERPT_CHARS=-1"], "error: -s NEWS_SITE_EXCERPT_CHARS='-1': expected 0 or more"),
        (["-s", "NEWS_WARC_GZIP_LEVEL=4"], "error: -s NEWS_WARC_GZIP_LEVEL='4': expected 0 to 3"),
        (
            ["-s", "NEWS_REDIS_URL=redis://127.0.0.1:6379/0"],
            "error: -s NEWS_REDIS_URL='redis://127.0.0.1:6379/0' needs -s NEWS_JOB=… (one id for every process of the run)",
        ),
        (
            ["-s", "DATABASE_URL=foo://x"],
            "error: -s DATABASE_URL='foo://x': not a database SQLAlchemy knows; use sqlite:///FILE, "
            "postgresql+psycopg://USER@HOST/DB or mysql+pymysql://USER@HOST/DB?charset=utf8mb4",
        ),
        (
            ["-s", "NEWS_LOCK_DIR=/etc/hostname/locks"],
            "error: -s NEWS_LOCK_DIR='/etc/hostname/locks': /etc/hostname is not a folder",
        ),
        (
            ["-s", "DATABASE_URL=nonsense"],
            "error: -s DATABASE_URL='nonsense': not a database URL; use sqlite:///FILE, "
            "postgresql+psycopg://USER@HOST/DB or mysql+pymysql://USER@HOST/DB?charset=utf8mb4",
        ),
    ],
)
def test_a_crawl_with_a_bad_argument_or_setting_says_so_in_one_line(
    tmp_path: Path, args: list[str], line: str
) -> None:
    done = scrapy(tmp_path, "crawl", "yna", *args)  # no -L: nothing is logged before the check
    assert (done.returncode, done.stderr, done.stdout) == (2, line + "\n", "")


def test_a_generic_url_that_is_no_url_is_refused(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "crawl", "generic", "-a", "url=not a url")
    assert (done.returncode, done.stderr) == (
        2,
        "error: -a url='not a url': not a URL; give http(s)://… (or file:///…), several with commas\n",
    )


def test_an_unreachable_database_is_named_with_why(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/news"  # loopback, a port nothing listens on
    done = scrapy(tmp_path, "crawl", "yna", "-s", f"DATABASE_URL={url}")
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert (
        line.startswith(f"error: -s DATABASE_URL='{url}': cannot connect (") and "Connection refused" in line
    )


def test_an_unknown_spider_is_named_with_the_spiders_there_are(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "crawl", "nosuch")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error: no spider named 'nosuch'; the spiders: aitimes, bloter,")


@pytest.mark.parametrize(
    ("setting", "line"),
    [
        ("NEWS_WARC_GZIP_LEVEL=10", "error: -s NEWS_WARC_GZIP_LEVEL='10': expected 0 to 3"),
        (
            "DATABASE_URL=sqlite:////tmp/elsewhere.sqlite3",
            "error: -s DATABASE_URL: replay writes everything under --output",
        ),
    ],
)
def test_a_replay_with_a_bad_setting_says_so_in_one_line(tmp_path: Path, setting: str, line: str) -> None:
    done = scrapy(tmp_path, "replay", "aitimes", "--output", str(tmp_path), "-s", setting)
    assert done.returncode == 2 and done.stderr.strip().startswith(line), done.stderr


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["capture", "notaurl"], "error: 'notaurl' is not an http(s) URL"),
        (
            ["capture", "https://www.yna.co.kr/view/AKR1", "--dir", "/etc/hostname/x"],
            "error: --dir='/etc/hostname/x': /etc/hostname is not a folder",
        ),
        (["export", "xml"], "error: no export format 'xml'; the formats: jsonl, csv, parquet, jekyll"),
        (["export", "jsonl", "--since", "yesterday"], f"error: --since='yesterday' is not a date: {DATES}"),
        (
            ["export", "jekyll", "--site", "/nonexistent/site"],
            "error: --site='/nonexistent/site': no such folder (a Jekyll site: its _posts are written there)",
        ),
        (["export", "jsonl", "--output", "/tmp"], "error: --output='/tmp': a folder; give a file"),
        (
            ["export", "jsonl", "--since", "2024-03-01", "--until", "2024-01-01"],
            "error: --since=2024-03-01 is after --until=2024-01-01",
        ),
        (
            ["export", "jsonl", "--database", "nonsense"],
            "error: --database='nonsense': not a database URL; use sqlite:///FILE, "
            "postgresql+psycopg://USER@HOST/DB or mysql+pymysql://USER@HOST/DB?charset=utf8mb4",
        ),
    ],
)
def test_a_command_with_a_bad_argument_says_so_in_one_line(
    tmp_path: Path, args: list[str], line: str
) -> None:
    done = scrapy(tmp_path, *args)
    assert (done.returncode, done.stderr.strip(), done.stdout) == (2, line, "")
