"""`naver_search` against the replay's model of the Naver Open API news search (SITES-2026 A6), as an
operator runs it: paging by `start`, the outlets' own pages fetched, Naver's links kept as aliases, and
credentials that are missing (the run does not start) or refused (it stops, failed)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy.http import HtmlResponse, Request
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from crawler.korean.dates import KST
from crawler.replay import ReplayServer
from crawler.replaysite import NAVER_API_ID, NAVER_API_SECRET, build_site, stories_for
from crawler.spiders.naver_search import NaverSearchSpider
from tests.crawling import crawl_command

ROOT = Path(__file__).parents[1]
SPIDER = SpiderLoader.from_settings(get_project_settings()).load("naver_search")
NOW = datetime.now(UTC)
PER_SITE = 80  # three outlets: 240 results, three pages of 100


def run(
    tmp_path: Path, server: ReplayServer, *args: str, **settings: str
) -> subprocess.CompletedProcess[str]:
    options = {
        "NEWS_REPLAY_URL": server.url,
        "AUTOTHROTTLE_ENABLED": "False",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'news.sqlite3'}",
        "NEWS_JEKYLL_SITE": str(tmp_path / "site"),
        "NEWS_LOCK_DIR": str(tmp_path / "locks"),
        "NEWS_STATS_FILE": str(tmp_path / "stats.json"),
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        **settings,
    }
    return subprocess.run(
        crawl_command("naver_search", options, args), cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_every_result_is_fetched_from_its_outlet_with_naver_s_link_kept(tmp_path: Path) -> None:
    site = build_site([SPIDER], NOW, per_site=PER_SITE)
    expected = {s.url for s in stories_for(SPIDER, NOW, PER_SITE)}
    with ReplayServer(site) as server:
        done = run(
            tmp_path,
            server,
            "queries=반도체",
            NEWS_NAVER_CLIENT_ID=NAVER_API_ID,
            NEWS_NAVER_CLIENT_SECRET=NAVER_API_SECRET,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    stats = json.loads((tmp_path / "stats.json").read_text())
    # Three API pages, one result of which has no outlet page: Naver's copy alone, counted, not fetched.
    assert stats["news/discovery/api_results"] == len(expected) + 1 == 3 * PER_SITE + 1
    assert stats["news/discovery/api_without_originallink"] == 1
    with sqlite3.connect(tmp_path / "news.sqlite3") as db:
        stored = {u for (u,) in db.execute("SELECT url FROM articles")}
        aliases = db.execute(
            "SELECT a.url, u.url FROM url_aliases u JOIN articles a ON a.id = u.article_id WHERE u.reason = 'naver'"
        ).fetchall()
        outlets = {o for (o,) in db.execute("SELECT DISTINCT source_name FROM articles")}
        sources = {o for (o,) in db.execute("SELECT DISTINCT source FROM articles")}
    assert stored == expected
    assert outlets == {"연합뉴스", "지디넷코리아", "전자신문"}
    assert sources == {"yna", "zdnet", "etnews"}  # filed under the outlets' own spiders
    assert len(aliases) == len(expected) and all(
        n.startswith("https://n.news.naver.com/") for _, n in aliases
    )
    assert "replay-client-secret" not in done.stderr  # credentials never reach the log


def test_a_backfill_window_stops_the_paging(tmp_path: Path) -> None:
    site = build_site([SPIDER], NOW, per_site=PER_SITE)
    since = (NOW - timedelta(hours=60)).astimezone(KST).replace(second=0, microsecond=0)
    inside = {s.url for s in stories_for(SPIDER, NOW, PER_SITE) if s.published >= since}
    with ReplayServer(site) as server:
        done = run(
            tmp_path,
            server,
            "queries=반도체",
            f"since={since:%Y-%m-%dT%H:%M}",
            NEWS_NAVER_CLIENT_ID=NAVER_API_ID,
            NEWS_NAVER_CLIENT_SECRET=NAVER_API_SECRET,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["news/discovery/api_results"] == 101  # the first page already reached past since
    with sqlite3.connect(tmp_path / "news.sqlite3") as db:
        assert {u for (u,) in db.execute("SELECT url FROM articles")} == inside


def test_missing_credentials_stop_the_run_before_it_starts(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("NEWS_NAVER_CLIENT_ID", raising=False)
    monkeypatch.delenv("NEWS_NAVER_CLIENT_SECRET", raising=False)
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "naver_search", "-s", f"NEWS_LOCK_DIR={tmp_path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "error: naver_search needs a Naver Open API client: set NEWS_NAVER_CLIENT_ID and NEWS_NAVER_CLIENT_SECRET "
        "(-s or the environment; https://developers.naver.com/apps, 검색 API)\n"
    )


def test_refused_credentials_stop_the_run_failed(tmp_path: Path) -> None:
    site = build_site([SPIDER], NOW)
    with ReplayServer(site) as server:
        done = run(tmp_path, server, NEWS_NAVER_CLIENT_ID="wrong", NEWS_NAVER_CLIENT_SECRET="wrong-secret")
    assert done.returncode == 3, done.stderr[-2000:]
    assert "Naver Open API answered 401 for '인공지능': 024 NID AUTH Result Invalid" in done.stderr
    assert "MONITOR FAILED site=naver_search check=finish_reason got=api_credentials_refused" in done.stderr
    assert "wrong-secret" not in done.stderr


def test_paging_keeps_within_the_api_s_limits() -> None:
    """`start` goes at most to 1000 (display 100): past it, one line says to narrow the query."""
    spider = NaverSearchSpider.from_crawler(
        get_crawler(NaverSearchSpider, {"NEWS_NAVER_CLIENT_ID": "i", "NEWS_NAVER_CLIENT_SECRET": "s"})
    )
    items = [
        {
            "title": "t",
            "originallink": f"https://www.yna.co.kr/view/AKR2026010100{n:04d}017",
            "link": "",
            "description": "",
            "pubDate": "Thu, 01 Jan 2026 09:30:00 +0900",
        }
        for n in range(100)
    ]
    body = json.dumps({"total": 5000, "start": 901, "display": 100, "items": items}).encode()

    def following(start: int) -> list[str]:
        response = HtmlResponse(
            "https://openapi.naver.com/v1/search/news.json",
            body=body,
            request=Request("https://x"),
            headers={"Content-Type": "application/json"},
        )
        return [r.url for r in spider.parse_search(response, "반도체", start) if "openapi" in r.url]

    api = "https://openapi.naver.com/v1/search/news.json?query=%EB%B0%98%EB%8F%84%EC%B2%B4&display=100&start={}&sort=date"
    assert following(801) == [api.format(901)]
    assert following(901) == [api.format(1000)]  # the last page the API gives: results 1000 to 1099
    assert following(1000) == []
