"""Whole crawls: `scrapy crawl` processes through the real engine, downloader and pipelines, against the
replay server on 127.0.0.1 (real captures where we have them, synthetic discovery pages and articles
otherwise; see crawler/replaysite.py). Nothing leaves loopback."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.korean.boilerplate import COPYRIGHT_RE
from crawler.korean.dates import KST
from crawler.replay import ReplayServer, Resource
from crawler.replaysite import NAVER_BIG_DAY, NAVER_PAGE, build_site, replay_settings, stories_for
from tests.crawling import crawl_command, on_a_terminal

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
LOADER = SpiderLoader.from_settings(get_project_settings())
SITE_SPIDERS = sorted(n for n in LOADER.list() if LOADER.load(n).own_site)
# Naver's robots.txt refuses every crawler: naver_it's runs fail their robots check (tested below).
OPEN_SPIDERS = [n for n in SITE_SPIDERS if n != "naver_it"]
NOW = datetime.now(UTC)
YNA = (FIXTURES / "yna" / "article-1.html").read_bytes()
LEAD = "<p> (수원=연합뉴스) 류수현 기자 = 쌍방울".encode()


def yna_copy(name: str) -> bytes:
    """The Yonhap page with a paragraph of its own, so each failure page is a distinct article."""
    return YNA.replace(LEAD, f"<p>이 문단은 {name} 페이지에만 있습니다.</p>".encode() + LEAD, 1)


FAIL = "https://fail.example.com"


def jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (320, 200), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


YNA_IMAGE = "https://img0.yna.co.kr/photo/yna/YH/2022/09/07/PYH2022090727090006100_P4.jpg"


def failure_site() -> dict[str, Resource]:
    """Pages that fail on purpose, each served where a spider would meet it."""
    moved = {"Content-Type": "text/html"}
    return {
        f"{FAIL}/flaky": Resource(yna_copy("flaky"), fail_times=1),
        f"{FAIL}/throttled": Resource(
            yna_copy("throttled"), fail_times=1, fail_status=429, fail_headers={"Retry-After": "1"}
        ),
        f"{FAIL}/slow": Resource(yna_copy("slow"), delay=8.0),
        f"{FAIL}/redirect-1": Resource(status=301, headers={**moved, "Location": f"{FAIL}/redirect-2"}),
        f"{FAIL}/redirect-2": Resource(status=302, headers={**moved, "Location": f"{FAIL}/landed"}),
        f"{FAIL}/landed": Resource(yna_copy("landed")),
        f"{FAIL}/loop-a": Resource(status=302, headers={**moved, "Location": f"{FAIL}/loop-b"}),
        f"{FAIL}/loop-b": Resource(status=302, headers={**moved, "Location": f"{FAIL}/loop-a"}),
        # CP949 bytes the server calls UTF-8
        f"{FAIL}/wrong-charset": Resource((FIXTURES / "naver" / "article-1.html").read_bytes()),
        f"{FAIL}/truncated": Resource(yna_copy("truncated")[: len(YNA) * 2 // 3]),
        f"{FAIL}/empty": Resource(b""),
        f"{FAIL}/a-listing": Resource((FIXTURES / "naver" / "listing-2.html").read_bytes()),
        f"{FAIL}/feed.xml": Resource(
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
            headers={"Content-Type": "application/rss+xml"},
        ),
        "https://robots.example.com/robots.txt": Resource(
            b"User-agent: *\nDisallow: /private\n", headers={"Content-Type": "text/plain"}
        ),
        "https://robots.example.com/private/1": Resource(YNA),
        YNA_IMAGE: Resource(jpeg(), headers={"Content-Type": "image/jpeg"}),
    }


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    site = build_site([LOADER.load(n) for n in SITE_SPIDERS], NOW) | failure_site()
    with ReplayServer(site) as running:
        yield running


@dataclass
class Run:
    returncode: int
    items: list[dict]
    stats: dict
    log: str


def crawl(server: ReplayServer, tmp_path: Path, spider: str, *args: str, **settings: object) -> Run:
    out, stats = tmp_path / f"{spider}.jsonl", tmp_path / f"{spider}.stats.json"
    options = {
        "NEWS_STATS_FILE": stats,
        "NEWS_RETRY_BACKOFF_BASE": 0.1,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'news.sqlite3'}",
        "NEWS_JEKYLL_SITE": tmp_path / "site",
        "NEWS_LOCK_DIR": tmp_path / "locks",
        "NEWS_WARC_DIR": tmp_path / "warc",
        **replay_settings(server.url),
        **settings,
    }
    command = [*crawl_command(spider, options, args), "-O", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    items = (
        [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    )
    return Run(done.returncode, items, json.loads(stats.read_text()) if stats.exists() else {}, done.stderr)


def capture(server: ReplayServer, folder: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """`scrapy capture URL --dir FOLDER` against the replay server, as a maintainer runs it (its WARC
    records beside FOLDER, not in the checkout's `output/warc`)."""
    command = [sys.executable, "-m", "scrapy", "capture", url, "--dir", str(folder), *extra]
    archive = folder.with_name(f"{folder.name}-warc")
    return subprocess.run(
        [*command, "-s", f"NEWS_REPLAY_URL={server.url}", "-s", f"NEWS_WARC_DIR={archive}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def meta_of(saved: Path) -> dict:
    return json.loads(saved.with_name(saved.name.replace(".html", ".meta.json")).read_text())


@pytest.mark.parametrize("spider", OPEN_SPIDERS)
def test_scheduled_run_gets_every_article_once(server: ReplayServer, tmp_path: Path, spider: str) -> None:
    """Each spider against the model of its site (crawler/replaysite.py, written from SITES-2026): every
    article the site lists, once, with its headline, date and reporter as the page states them."""
    run = crawl(server, tmp_path, spider)
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats["finish_reason"] == "finished"
    # Every discovery document the spider asks for is one its site serves: none is missing (a 404) or
    # refused, whether or not another path found the same articles.
    failed = {k: v for k, v in run.stats.items() if k.startswith("downloader/response_status_count/4")}
    assert not failed and not run.stats.get("robotstxt/forbidden"), failed
    expected = {s.url: s for s in stories_for(LOADER.load(spider), NOW)}
    got = {item["url"]: item for item in run.items}
    assert len(run.items) == len(got), "an article came out twice"
    assert set(got) == set(expected)
    source_name = LOADER.load(spider).source_name
    for url, item in got.items():
        story = expected[url]
        assert item["headline"] == story.title
        assert datetime.fromisoformat(item["date_published"]) == story.published
        # naver_search files an outlet's article under the outlet's own spider.
        owner = (
            next((n for n in ("yna", "zdnet", "etnews") if n in url), spider)
            if spider == "naver_search"
            else spider
        )
        assert item["source"] == owner
        assert item["source_name"] == (source_name or item["source_name"]) and item["source_name"]
        assert item["categories"] == ["IT"]
        assert not COPYRIGHT_RE.search(item["body_text"].rsplit("\n\n", 1)[-1])
        if story.author:
            assert [a["name"] for a in item["authors"]] == [story.author]
        if story.body:  # a synthetic page: its body is its paragraphs, nothing around them
            assert item["body_text"].split("\n\n")[: len(story.body)] == list(story.body), url
    assert run.stats.get("news/stored") == len(expected)


def test_naver_it_obeys_robots_txt_and_fails_loudly(server: ReplayServer, tmp_path: Path) -> None:
    """news.naver.com refuses every crawler (SITES-2026 §1, A7): not one list or article is fetched, and the
    run fails its robots check, naming the rule and the count, with no run history at all."""
    run = crawl(server, tmp_path, "naver_it")
    assert run.returncode == 3 and run.items == []
    assert run.stats["downloader/request_count"] == 1  # news.naver.com/robots.txt, and nothing else
    (line,) = [x for x in run.log.splitlines() if "ERROR: MONITOR FAILED site=naver_it check=robots" in x]
    assert f"forbidden={len(LOADER.load('naver_it').listings)} (listing=8) rule='Disallow: /' " in line
    assert (
        "robots=https://news.naver.com/robots.txt first=https://news.naver.com/breakingnews/section/105/"
        in line
    )


def test_a_naver_backfill_pages_by_cursor_and_stores_a_whole_day(
    server: ReplayServer, tmp_path: Path
) -> None:
    """An operator with Naver's permission (ROBOTSTXT_OBEY off) backfills the model's big day: one
    sub-section holds 110 articles on four pages, the later three reached only by the JSON endpoint's
    `next` cursor. Every article of the day is stored, and nothing of other days."""
    stories = stories_for(LOADER.load("naver_it"), NOW)
    day = (NOW - timedelta(days=2)).astimezone(KST).date()
    of_day = {s.url for s in stories if not s.listed_today and s.published.astimezone(KST).date() == day}
    assert len(of_day) >= NAVER_BIG_DAY > 100 and -(-NAVER_BIG_DAY // NAVER_PAGE) >= 3  # pages of 36
    run = crawl(server, tmp_path, "naver_it", f"since={day}", f"until={day}", ROBOTSTXT_OBEY=False)
    assert run.returncode == 0, run.log[-3000:]
    assert {i["url"] for i in run.items} == of_day
    assert all(datetime.fromisoformat(i["date_published"]).astimezone(KST).date() == day for i in run.items)
    assert (
        run.stats["news/discovery/listing_pages"] == 8 + 3
    )  # each sub-section's day, and three cursor pages
    stops = {k.rsplit("/", 1)[1]: v for k, v in run.stats.items() if "/listing_stop/" in k}
    assert sum(stops.values()) == 8 and stops["last_page"] >= 1  # each sub-section ends once


def test_feed_dates_keep_requests_inside_the_window(server: ReplayServer, tmp_path: Path) -> None:
    since = (NOW - timedelta(hours=12)).astimezone(KST).strftime("%Y-%m-%dT%H:%M")
    run = crawl(server, tmp_path, "yna", f"since={since}")
    assert run.returncode == 0, run.log[-3000:]
    inside = {
        s.url
        for s in stories_for(LOADER.load("yna"), NOW)
        if s.published >= datetime.fromisoformat(since).replace(tzinfo=KST)
    }
    assert {i["url"] for i in run.items} == inside and len(inside) == 2
    assert run.stats["news/skipped/outside_window"] >= 1


def test_incremental_run_skips_stored_articles_and_stops_paging(server: ReplayServer, tmp_path: Path) -> None:
    stored = [s.url for s in stories_for(LOADER.load("aitimes"), NOW)]
    run = crawl(
        server, tmp_path, "aitimes", NEWS_STORE="tests.stores.SeededStore", NEWS_SEEN_URLS=",".join(stored)
    )
    assert run.returncode == 0, run.log[-3000:]
    assert run.items == []
    assert run.stats["news/skipped/stored"] == len(stored)
    assert run.stats["news/discovery/listing_pages"] == 1
    assert run.stats["news/discovery/listing_stop/all_stored"] == 1
    refreshed = crawl(
        server,
        tmp_path,
        "aitimes",
        "refresh=1",
        NEWS_STORE="tests.stores.SeededStore",
        NEWS_SEEN_URLS=",".join(stored),
    )
    assert len(refreshed.items) == len(stored)


def test_the_next_scheduled_run_skips_what_the_database_holds_and_passes_its_checks(
    server: ReplayServer, tmp_path: Path
) -> None:
    first = crawl(server, tmp_path, "platum")
    again = crawl(server, tmp_path, "platum")
    assert first.returncode == again.returncode == 0, again.log[-3000:]
    assert len(first.items) == again.stats["news/skipped/stored"] == 6 and again.items == []
    assert "MONITOR FAILED" not in again.log


def test_limits_for_scheduled_runs(server: ReplayServer, tmp_path: Path) -> None:
    run = crawl(server, tmp_path, "aitimes", "max_items=2", CONCURRENT_REQUESTS=1)
    assert len(run.items) == 2 and run.stats["finish_reason"] == "closespider_itemcount"
    pages = crawl(server, tmp_path, "techm", "max_pages=1")
    assert pages.stats["news/discovery/listing_pages"] == 1
    assert pages.stats["news/discovery/listing_stop/max_pages"] == 1
    assert "before reaching since" not in pages.log


def test_a_backfill_cut_short_by_max_pages_says_so(server: ReplayServer, tmp_path: Path) -> None:
    run = crawl(server, tmp_path, "techm", "since=2020-01-01", "max_pages=1")
    assert run.returncode == 0 and run.stats["news/discovery/listing_stop/max_pages"] == 1
    assert "stopped at page 1 (max_pages) before reaching since; -a max_pages=N goes further" in run.log


def test_bad_argument_fails_at_start_with_a_clear_message(server: ReplayServer, tmp_path: Path) -> None:
    run = crawl(server, tmp_path, "aitimes", "since=yesterday")
    assert run.returncode != 0
    assert "-a since='yesterday' is not a date: use YYYY-MM-DD" in run.log
    assert run.items == []


def test_failures_end_in_a_retry_a_counted_drop_or_a_logged_error(
    server: ReplayServer, tmp_path: Path
) -> None:
    paths = [
        "flaky",
        "throttled",
        "slow",
        "redirect-1",
        "loop-a",
        "wrong-charset",
        "truncated",
        "empty",
        "gone",
    ]
    urls = [f"{FAIL}/{p}" for p in paths] + [f"{FAIL}/a-listing", "https://robots.example.com/private/1"]
    run = crawl(server, tmp_path, "generic", f"url={','.join(urls)}", DOWNLOAD_TIMEOUT=3, RETRY_TIMES=1)
    # An article robots.txt refuses fails the run, by its own check; nothing else here does.
    assert run.returncode == 3, run.log[-3000:]
    assert [
        x.split("ERROR: ", 1)[1].split(" forbidden=")[0]
        for x in run.log.splitlines()
        if "ERROR: MONITOR" in x
    ] == ["MONITOR FAILED site=generic check=robots"]
    assert run.stats["finish_reason"] == "finished"
    got = {item["url"]: item for item in run.items}
    # retried, then kept
    assert {f"{FAIL}/flaky", f"{FAIL}/throttled"} <= set(got)
    assert run.stats["news/retry/waited_seconds"] >= 1.0  # the Retry-After: 1 was honoured
    # followed through two redirects, kept under the final URL
    assert f"{FAIL}/landed" in got
    # CP949 served as UTF-8: decoded right all the same
    assert "곱창" in got[f"{FAIL}/wrong-charset"]["headline"]
    # a truncated page keeps what it has
    assert f"{FAIL}/truncated" in got
    # counted drops, each with its reason
    assert run.stats["news/dropped/empty"] == 1
    assert run.stats["news/dropped/no_date"] == 1  # a listing page served where an article was linked
    # logged errors and counted refusals: 404, timeout, redirect loop, robots.txt
    assert run.stats["news/article_failed/http_404"] == 1
    assert (
        run.stats["downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError"] == 2
    )  # tried twice
    assert run.stats["dupefilter/filtered"] >= 1  # the redirect loop came back to a URL already asked for
    assert run.stats["robotstxt/forbidden"] == 1
    assert len(got) == 5
    # the four copies of the Yonhap story are kept, linked to the first one stored
    yonhap = [i for i in got.values() if "쌍방울" in i["headline"]]
    assert len(yonhap) == 4 and sum(i["duplicate_of"] is None for i in yonhap) == 1
    assert run.stats["news/dedup/near_duplicate"] == 3


def test_capture_saves_exact_bytes_and_fetch_metadata(server: ReplayServer, tmp_path: Path) -> None:
    url = "https://www.yna.co.kr/view/AKR20220907138351061"
    done = capture(server, tmp_path, url)
    assert done.returncode == 0, done.stderr[-2000:]
    (saved,) = [Path(line) for line in done.stdout.splitlines()]
    assert saved.parent.name == "yna" and saved.read_bytes() == YNA
    meta = meta_of(saved)
    assert meta["url"] == url and meta["status"] == 200
    assert meta["headers"]["Content-Type"].startswith("text/html")
    assert datetime.fromisoformat(meta["fetched_at"]) > NOW - timedelta(minutes=10)
    extracted = subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", str(saved)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(extracted.stdout)["headline"].startswith("검찰, 쌍방울")


def test_capture_reports_pages_it_could_not_fetch(server: ReplayServer, tmp_path: Path) -> None:
    """One line per page the network did not give (offline, a timeout), never a traceback; exit 1."""
    done = capture(server, tmp_path, f"{FAIL}/slow", "-s", "DOWNLOAD_TIMEOUT=1")
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: not fetched, {FAIL}/slow: ") and "took longer than 1.0 seconds" in line


def test_offline_main_job(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "replay", "aitimes", "naver_search", "--output", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.splitlines()[-1])
    lines = (tmp_path / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert summary["articles"]["aitimes"] == 6 and len(lines) == sum(summary["articles"].values())
    assert (
        f"(Jekyll posts; preview: jekyll serve --source {tmp_path / 'site'}); the log: {tmp_path / 'replay.log'}"
        in done.stderr
    )
    # The terminal gets a table, one row per spider; Scrapy's log goes to the file.
    shown = done.stderr.strip().splitlines()
    assert shown[0].split() == [
        "spider",
        "new",
        "updated",
        "duplicates",
        "dropped",
        "pages",
        "failed",
        "checks",
        "seconds",
    ]
    assert shown[1].split()[:2] == ["aitimes", "6"] and len(shown) == 4
    assert "Spider closed (finished)" in (tmp_path / "replay.log").read_text(encoding="utf-8")
    assert len(list((tmp_path / "site" / "_posts").glob("*.html"))) == len(lines)
    again = subprocess.run(
        [sys.executable, "-m", "scrapy", "replay", "aitimes", "--output", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert json.loads(again.stdout.splitlines()[-1])["articles"]["aitimes"] == 0  # incremental: all stored


def test_main_images_downloaded_into_the_site_or_left_remote(server: ReplayServer, tmp_path: Path) -> None:
    urls = [f"{FAIL}/landed", f"{FAIL}/wrong-charset"]  # Yonhap's photo is served; Naver's is not
    run = crawl(server, tmp_path, "generic", f"url={','.join(urls)}", NEWS_JEKYLL_IMAGES="download")
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats["news/images/downloaded"] == 1 and run.stats["news/images/failed"] == 1
    posts = {
        p.read_text(encoding="utf-8").split("\n---\n", 1)[0]: p
        for p in (tmp_path / "site" / "_posts").iterdir()
    }
    images = [
        line.split(": ", 1)[1].strip("'")
        for matter in posts
        for line in matter.splitlines()
        if line.startswith("article_image:")
    ]
    local = [i for i in images if i.startswith("/assets/img/news/")]
    assert len(local) == 1 and (tmp_path / "site" / local[0].lstrip("/")).stat().st_size > 0
    assert [i for i in images if i.startswith("https://imgnews.pstatic.net/")]


def test_a_site_whose_markup_changed_fails_the_run_loudly(tmp_path: Path) -> None:
    """The articles of aitimes now come without article markup (a redesign): exit status 3 and one line
    that names the site, the check and the numbers."""
    site = build_site([LOADER.load("aitimes")], NOW)
    redesigned = (FIXTURES / "naver" / "listing-2.html").read_bytes()
    for story in stories_for(LOADER.load("aitimes"), NOW):
        site[story.url] = Resource(redesigned)
    with ReplayServer(site) as broken:
        run = crawl(broken, tmp_path, "aitimes")
    assert run.returncode == 3, run.log[-2000:]
    assert run.items == []
    assert "MONITOR FAILED site=aitimes check=extraction articles=0 of 6 pages" in run.log
    assert "[Spidermon] SiteChecks/test_extraction... FAIL" in run.log
    assert "Deprecat" not in run.log
    assert sum(v for k, v in run.stats.items() if k.startswith("news/dropped/")) == 6


def test_runs_are_summarized_and_stored_with_their_checks(server: ReplayServer, tmp_path: Path) -> None:
    run = crawl(server, tmp_path, "techm")
    assert run.returncode == 0
    summary = run.stats["news/summary"]
    assert summary["articles"] == summary["new"] == 6 and summary["coverage"]["headline"] == 1.0
    assert "Run summary techm (scheduled)" in run.log

    with sqlite3.connect(tmp_path / "news.sqlite3") as db:
        kind, articles, new, pages, coverage, seconds, stats = db.execute(
            "SELECT kind, articles, new, pages, coverage, seconds, stats FROM runs WHERE spider = 'techm'"
        ).fetchone()
    assert (kind, articles, new) == ("scheduled", 6, 6)
    assert pages == summary["pages"] >= 7 and seconds == summary["seconds"]
    assert json.loads(coverage) == summary["coverage"]
    assert json.loads(stats)["news/summary"] == summary


def test_two_runs_of_one_spider_cannot_overlap(server: ReplayServer, tmp_path: Path) -> None:
    import fcntl

    (tmp_path / "locks").mkdir()
    with open(tmp_path / "locks" / "thelec.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("pid 4242")
        held.flush()
        run = crawl(server, tmp_path, "thelec")
    assert run.returncode == 2 and run.items == []
    assert "another run of thelec is in progress (pid 4242" in run.log
    assert crawl(server, tmp_path, "thelec").returncode == 0  # the lock went with its holder


def test_the_main_job_on_a_terminal_shows_a_live_line_per_spider(tmp_path: Path) -> None:
    status, shown = on_a_terminal(
        [sys.executable, "-m", "scrapy", "replay", "aitimes", "yna", "--output", str(tmp_path)]
    )
    assert status == 0, shown[-2000:]
    board, table = shown.split("spider ", 1)
    # Drawn first when each spider opens, redrawn in place (cursor up over the board's lines) until each
    # is done: then the table, with no log line in between.
    assert board.startswith("aitimes: 0 articles, 0 pages, 0 articles/min\x1b[K\r\n")
    assert "\x1b[1Faitimes: " in board and "\x1b[2Faitimes: " in board
    finals = board.rsplit("\x1b[2F", 1)[1].split("\x1b[K\r\n")
    assert re.fullmatch(
        r"aitimes: done, 6 articles, \d+ pages, reached \d{4}-\d{2}-\d{2}, \d+ articles/min", finals[0]
    )
    assert re.fullmatch(
        r"yna: done, \d+ articles, \d+ pages, reached \d{4}-\d{2}-\d{2}, \d+ articles/min", finals[1]
    )
    assert finals[2:] == [""]
    assert "INFO" not in shown and "WARNING" not in shown
    assert table.split("\r\n")[1].split()[:2] == ["aitimes", "6"]


def test_long_runs_report_progress(server: ReplayServer, tmp_path: Path) -> None:
    run = crawl(
        server, tmp_path, "bloter", NEWS_PROGRESS_SECONDS=0.3, DOWNLOAD_DELAY=0.25, CONCURRENT_REQUESTS=1
    )
    assert run.returncode == 0
    assert re.search(
        r"Progress bloter: \d+ articles, \d+ pages, reached \d{4}-\d{2}-\d{2}, \d+ articles/min", run.log
    )


def test_a_healthy_run_prints_nothing_at_warning(server: ReplayServer, tmp_path: Path) -> None:
    settings = {
        "NEWS_REPLAY_URL": server.url,
        "AUTOTHROTTLE_ENABLED": False,
        "NEWS_LOCK_DIR": tmp_path / "locks",
    }
    settings |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'news.sqlite3'}",
        "NEWS_JEKYLL_SITE": tmp_path / "site",
    }
    for _ in range(2):  # a first run, and a second that finds everything stored
        done = subprocess.run(
            [*crawl_command("yna", settings), "-L", "WARNING"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0 and done.stderr == "" and done.stdout == ""


def test_max_items_keeps_exactly_that_many(server: ReplayServer, tmp_path: Path) -> None:
    run = crawl(server, tmp_path, "aitimes", "max_items=4")  # several requests in flight at once
    assert len(run.items) == 4, run.log[-2000:]

    with sqlite3.connect(tmp_path / "news.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (4,)
    assert run.stats.get("news/dropped/max_items", 0) == run.stats["news/articles_extracted"] - 4
    assert run.returncode == 0 and run.stats["news/summary"]["bounded"] is True
    with sqlite3.connect(tmp_path / "news.sqlite3") as db:
        # An article dropped past the limit leaves no near-duplicate signature to be linked to later.
        assert (
            db.execute(
                "SELECT count(*) FROM article_signatures s JOIN articles a ON a.url_key = s.url_key"
            ).fetchone()
            == db.execute("SELECT count(*) FROM article_signatures").fetchone()
            == (4,)
        )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (f"feed={FAIL}/gone", "failed={'404': 1}"),
        ("feed=https://robots.example.com/private/feed.xml", "robots.txt forbade 1 requests"),
        (f"feed={FAIL}/feed.xml", "robots.txt forbade 0 requests"),
    ],
    ids=["feed-404", "robots", "no-article-links"],
)
def test_a_run_that_finds_no_article_fails_from_its_first_run(
    server: ReplayServer, tmp_path: Path, target: str, message: str
) -> None:
    run = crawl(server, tmp_path, "generic", target, "max_items=50")
    assert run.returncode == 3, run.log[-2000:]
    (line,) = [
        line for line in run.log.splitlines() if "ERROR: MONITOR FAILED site=generic check=discovery" in line
    ]
    assert "MONITOR FAILED site=generic check=discovery found no article link" in line and message in line


def test_photos_on_another_host_are_downloaded(tmp_path: Path) -> None:
    """Naver's photos live on imgnews.pstatic.net, outside the spider's allowed_domains."""
    spider = LOADER.load("naver_it")
    site = build_site([spider], NOW)
    photos = [
        json.loads((FIXTURES / "naver" / f"article-{n}.article.json").read_text())["main_image"]["url"]
        for n in (1, 2, 3)
    ]
    site |= {url: Resource(jpeg(), headers={"Content-Type": "image/jpeg"}) for url in photos}
    with ReplayServer(site) as naver:
        run = crawl(naver, tmp_path, "naver_it", NEWS_JEKYLL_IMAGES="download", ROBOTSTXT_OBEY=False)
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats["news/images/downloaded"] == 3 and "news/images/failed" not in run.stats


def test_an_overlong_section_costs_no_article(postgres_url: str, tmp_path: Path) -> None:
    """PostgreSQL refuses a value longer than its column; the article is stored with the value cut."""
    section = '<meta property="article:section" content="{}"'
    long = section.format("인공지능·반도체·플랫폼" * 30).encode()
    pages = {
        f"{FAIL}/section-{n}": Resource(
            yna_copy(f"section-{n}").replace(section.format("사건사고").encode(), long if n == 2 else b"", 1)
        )
        for n in range(1, 4)
    }
    with ReplayServer(pages) as site:
        urls = ",".join(pages)
        run = crawl(site, tmp_path, "generic", f"url={urls}", DATABASE_URL=postgres_url)
    assert run.returncode == 0, run.log[-3000:]
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        sections = connection.execute(text("SELECT section FROM articles")).scalars().all()
    engine.dispose()
    assert len(sections) == 3 and max(len(s or "") for s in sections) == 200


def test_capture_refuses_an_error_page_unless_asked(server: ReplayServer, tmp_path: Path) -> None:
    refused = capture(server, tmp_path, f"{FAIL}/gone")
    assert refused.returncode == 1 and refused.stdout == ""
    assert f"error: not saved, {FAIL}/gone: HTTP 404 (--any-status saves it anyway)" in refused.stderr
    assert not list(tmp_path.rglob("*.html"))
    kept = capture(server, tmp_path, f"{FAIL}/gone", "--any-status")
    assert kept.returncode == 0, kept.stderr[-2000:]
    (saved,) = [Path(line) for line in kept.stdout.splitlines()]
    assert meta_of(saved)["status"] == 404


def test_the_bundled_replay_site_is_the_same_hours_later() -> None:
    """`scrapy replay` run again seven hours later finds no article changed: its stories keep their dates."""
    import time_machine

    from crawler.replaysite import replay_site

    spiders = [LOADER.load(n) for n in SITE_SPIDERS]
    morning = datetime(2026, 12, 2, 9, 0, tzinfo=KST)
    with time_machine.travel(morning, tick=False):
        first = replay_site(spiders)
    with time_machine.travel(morning + timedelta(hours=7), tick=False):
        later = replay_site(spiders)
    assert first.keys() == later.keys()
    assert all(first[url].body == later[url].body for url in first)


def test_oversized_answers_and_decompression_bombs_are_refused_and_counted(tmp_path: Path) -> None:
    import gzip

    from PIL import Image

    bomb = gzip.compress(b"\0" * (40 * 1024 * 1024), compresslevel=9)  # 40 MB from about 40 kB
    big = BytesIO()
    Image.new("RGB", (2000, 1000), (0, 0, 0)).save(big, "PNG")  # 2 megapixels in a few kB
    padded = yna_copy("huge").replace(b"</body>", b"<!--" + b"x" * 300_000 + b"--></body>")
    site = {
        f"{FAIL}/huge": Resource(padded),
        f"{FAIL}/bomb": Resource(bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}),
        f"{FAIL}/pixels": Resource(
            yna_copy("pixels").replace(YNA_IMAGE.encode(), f"{FAIL}/pixels.png".encode())
        ),
        f"{FAIL}/pixels.png": Resource(big.getvalue(), headers={"Content-Type": "image/png"}),
    }
    with ReplayServer(site) as server:
        run = crawl(
            server,
            tmp_path,
            "generic",
            f"url={FAIL}/huge,{FAIL}/bomb,{FAIL}/pixels",
            DOWNLOAD_MAXSIZE=200_000,
            NEWS_JEKYLL_IMAGES="download",
            NEWS_IMAGE_MAX_PIXELS=1_000_000,
            RETRY_TIMES=0,
        )
    refused = run.stats["news/summary"]["refused"]
    assert refused == {"too_large": 1, "decompressed_too_large": 1, "too_many_pixels": 1}, run.log[-3000:]
    assert [i["url"] for i in run.items] == [f"{FAIL}/pixels"]
    assert run.stats["news/images/failed"] == 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [(f"{FAIL}/gone", "'http_404': 1"), ("https://robots.example.com/private/1", "'refused': 1")],
    ids=["404", "robots"],
)
def test_article_links_that_give_no_page_fail_the_run(
    server: ReplayServer, tmp_path: Path, url: str, reason: str
) -> None:
    run = crawl(server, tmp_path, "generic", f"url={url}")
    assert run.returncode == 3 and run.items == [], run.log[-2000:]
    (line,) = [
        line
        for line in run.log.splitlines()
        if "ERROR: MONITOR FAILED site=generic check=article_pages" in line
    ]
    assert "MONITOR FAILED site=generic check=article_pages failed={" + reason in line


def test_capture_follows_redirects_as_a_crawl_does(server: ReplayServer, tmp_path: Path) -> None:
    done = capture(server, tmp_path, f"{FAIL}/redirect-1")
    assert done.returncode == 0, done.stderr[-2000:]
    (saved,) = [Path(line) for line in done.stdout.splitlines()]
    meta = meta_of(saved)
    assert (meta["url"], meta["requested_url"], meta["status"]) == (
        f"{FAIL}/landed",
        f"{FAIL}/redirect-1",
        200,
    )
    assert saved.read_bytes() == yna_copy("landed")
