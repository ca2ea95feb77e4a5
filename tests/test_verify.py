"""`scrapy verify`, run as a maintainer runs it, offline: against the bundled site models every spider
passes; against a model changed under it (a new URL form, a new skin) a spider fails; `--save` keeps the
pages as fixtures with draft Articles; Naver's robots.txt is reported as a refusal."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.replay import ReplayServer, Resource
from crawler.replaysite import build_site, stories_for
from tests.crawling import scratch_warc

ROOT = Path(__file__).parents[1]
LOADER = SpiderLoader.from_settings(get_project_settings())
NOW = datetime.now(UTC)


def verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "verify", *args, "-s", f"NEWS_WARC_DIR={scratch_warc()}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def rows(done: subprocess.CompletedProcess[str]) -> dict[str, list[str]]:
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
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
    ]
    return {line.split()[0]: line.split(None, 10) for line in lines[1:]}


def test_every_spider_passes_against_its_site_model(tmp_path: Path) -> None:
    done = verify("--replay", "--save", str(tmp_path / "saved"))
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    table = rows(done)
    expected = sorted(n for n in LOADER.list() if n != "naver_it" and LOADER.load(n).own_site)
    assert sorted(table) == expected
    for row in table.values():
        assert row[1] == "allowed" and row[-1] == "ok", row
        assert int(row[4]) >= 3 and row[5] == row[6] == row[8] == "100%", row
    # Every page fetched is a fixture; each article has its draft Article, as the page layer reads it.
    drafts = list((tmp_path / "saved").rglob("*.article.draft.json"))
    # (Pages already asked for when a spider had its articles still arrive, and are kept too.)
    assert len(drafts) >= sum(int(r[4]) for r in table.values())
    titles = {s.url: s.title for name in expected for s in stories_for(LOADER.load(name), NOW)}
    for draft in drafts:
        article = json.loads(draft.read_text(encoding="utf-8"))
        meta = json.loads(
            draft.with_name(draft.name.replace(".article.draft.json", ".meta.json")).read_text()
        )
        assert meta["status"] == 200 and meta["captured_by"] == "scrapy verify"
        assert article["url"] == meta["url"]
        if article["url"] in titles and "합성 기사" in titles[article["url"]]:
            assert article["headline"] == titles[article["url"]]


def test_a_spider_whose_site_changed_under_it_fails(tmp_path: Path) -> None:
    """The aitimes model changed two ways, as sites do: its links in a new URL form, and (separately) its
    articles in a new skin with none of the old title markup. Each change fails `scrapy verify`, and the
    first one fails a scheduled crawl too (exit 3, no article)."""
    spider = LOADER.load("aitimes")
    moved = build_site([spider], NOW)
    lists = moved.routes["https://www.aitimes.com/news/articleList.html"]
    moved.routes["https://www.aitimes.com/news/articleList.html"] = lambda url, headers: Resource(
        lists(url, headers).body.replace(b"articleView.html?idxno=", b"article/")
    )
    for url, resource in list(moved.items()):
        if "/rss/" in url:
            moved[url] = Resource(
                resource.body.replace(b"articleView.html?idxno=", b"article/"), headers=resource.headers
            )
    with ReplayServer(moved) as server:
        done = verify("aitimes", "-s", f"NEWS_REPLAY_URL={server.url}")
        crawled = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "aitimes",
                "-s",
                f"NEWS_REPLAY_URL={server.url}",
                "-s",
                f"DATABASE_URL=sqlite:///{tmp_path / 'moved.sqlite3'}",
                "-s",
                f"NEWS_LOCK_DIR={tmp_path}",
                "-s",
                f"NEWS_WARC_DIR={tmp_path / 'warc'}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 3 and rows(done)["aitimes"][-1] == "no article", done.stdout
    assert crawled.returncode == 3 and "MONITOR FAILED site=aitimes check=discovery" in crawled.stderr

    reskinned = build_site([spider], NOW)
    for story in stories_for(spider, NOW):
        body = story.resource.body
        for old in (b'<h1 class="heading">', b'property="og:title"', b"<title>"):
            body = body.replace(
                old, old.replace(b"heading", b"hd").replace(b"og:title", b"og:x").replace(b"title>", b"tt>")
            )
        reskinned[story.url] = Resource(body)
    with ReplayServer(reskinned) as server:
        done = verify("aitimes", "-s", f"NEWS_REPLAY_URL={server.url}")
    assert done.returncode == 3, done.stdout
    assert rows(done)["aitimes"][-1].startswith("no article (dropped: no_headline "), done.stdout


def test_naver_it_is_reported_refused_by_robots_txt() -> None:
    done = verify("naver_it", "--replay")
    assert done.returncode == 3
    row = rows(done)["naver_it"]
    assert row[1] == "refused" and row[4] == "0" and row[-1] == "refused by robots.txt (Disallow: /)", row
