"""`scrapy report` on a database built by replay crawls (three spiders, runs enough for the monitor's
thresholds, one run with a failed check, and the hostile pages of tests/test_site_safety.py), run as a
process, then read in Debian's Chromium (headless, Playwright) with every request but the file itself
refused: the charts and tables render, nothing scraped runs, and a screenshot is kept in test-artifacts/
for CI to keep."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from tests.test_site_browser import CHROMIUM, chromium_or_skip
from tests.test_site_safety import build, crawl_hostile, jekyll_or_skip

ROOT = Path(__file__).parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SPIDERS = ("aitimes", "yna", "zdnet")


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("report")
    # First, with articles to judge: a coverage floor the replay's pages miss fails a check.
    failing = scrapy(
        "replay", "aitimes", "--output", str(out), "-s", 'NEWS_MONITOR_COVERAGE={"main_image": 0.99}'
    )
    assert failing.returncode == 3, failing.stderr[-3000:]
    for _ in range(4):  # the item-count threshold needs three earlier runs
        done = scrapy("replay", *SPIDERS, "--output", str(out))
        assert done.returncode == 0, done.stderr[-3000:]
    hostile = crawl_hostile(
        {
            "DATABASE_URL": f"sqlite:///{out / 'news.sqlite3'}",
            "NEWS_JEKYLL_SITE": out / "hostile-site",
            "NEWS_LOCK_DIR": out / "locks",
            "AUTOTHROTTLE_ENABLED": False,
        }
    )
    assert hostile.returncode == 0, hostile.stderr[-3000:]
    report = scrapy(
        "report",
        "--database",
        f"sqlite:///{out / 'news.sqlite3'}",
        "--output",
        str(out / "report.html"),
        "--site",
        str(out / "site"),
        "--days",
        "5000",
    )
    return out, report


def database(out: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(out / "news.sqlite3") as db:
        return db.execute(query).fetchall()


def test_the_report_is_one_file_with_nothing_to_fetch(
    made: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, report = made
    assert report.returncode == 0, report.stderr
    runs = database(out, "SELECT count(*), count(DISTINCT spider) FROM runs")[0]
    assert re.fullmatch(
        rf"report of {runs[0]} runs of {runs[1]} spiders and \d+ articles in 5000 days: "
        rf"{re.escape(str(out / 'report.html'))}, {re.escape(str(out / 'site' / 'report.html'))}\n",
        report.stderr,
    ), report.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page == (out / "site" / "report.html").read_text(encoding="utf-8")
    tree = lxml.html.fromstring(page)
    # Nothing the browser would fetch: no element with an address, no stylesheet import or url().
    assert tree.xpath("//*[@src or @href or @srcset or @data or @action]") == []
    assert not re.search(r"url\(|@import", "".join(tree.xpath("//style/text()")))
    assert len(page) < 500_000  # many outlets over many days are grouped, not drawn day by day


def test_jekyll_copies_the_report_as_it_is(made: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = made
    build(jekyll_or_skip(), out / "site", out / "_site")
    assert (out / "_site" / "report.html").read_bytes() == (out / "report.html").read_bytes()


@pytest.fixture(scope="module")
def page(made: tuple[Path, subprocess.CompletedProcess[str]]) -> Iterator[tuple[Any, list[str], list[str]]]:
    out, _ = made
    sync_api = chromium_or_skip()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        asked: list[str] = []
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        target = (out / "report.html").as_uri()

        def only_the_file(route: Any) -> None:
            if route.request.url == target:
                route.continue_()
            else:
                asked.append(route.request.url)
                route.abort("blockedbyclient")

        page.route("**/*", only_the_file)
        page.goto(target)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        yield page, asked, dialogs
        browser.close()


def test_articles_per_outlet_per_day_are_drawn(
    made: tuple[Path, Any], page: tuple[Any, list[str], list[str]]
) -> None:
    out, _ = made
    view, _, _ = page
    outlets = dict(database(out, "SELECT coalesce(source_name, source), count(*) FROM articles GROUP BY 1"))
    rows = view.locator("#per-day tr:has(th + td)")
    shown = {
        rows.nth(n).locator("th").inner_text(): int(rows.nth(n).locator("td.num").inner_text())
        for n in range(rows.count())
    }
    assert shown == outlets
    for n in range(rows.count()):
        bars = rows.nth(n).locator("svg rect.bar")
        drawn = bars.evaluate_all("rects => rects.filter(r => r.getBBox().height > 0).length")
        assert drawn >= 1  # an outlet with articles has a visible bar


def test_each_site_shows_its_runs_against_the_thresholds(
    made: tuple[Path, Any], page: tuple[Any, list[str], list[str]]
) -> None:
    out, _ = made
    view, _, _ = page
    spiders = [s for (s,) in database(out, "SELECT DISTINCT spider FROM runs ORDER BY spider")]
    rows = view.locator("#runs tr:has(th + td)")
    assert [rows.nth(n).locator("th").inner_text() for n in range(rows.count())] == spiders
    for spider in SPIDERS:
        row = view.locator(f"#runs tr:has(th:text-is('{spider}'))")
        charts = row.locator("svg.chart")
        assert charts.count() == 6  # article links, and the five fields
        assert all(
            box["width"] > 100 and box["height"] > 20
            for box in charts.evaluate_all("s => s.map(c => c.getBoundingClientRect().toJSON())")
        )
        links, title, body = charts.nth(0), charts.nth(1), charts.nth(2)
        found = [
            n for (n,) in database(out, f"SELECT discovered FROM runs WHERE spider = '{spider}' ORDER BY id")
        ]
        assert len(links.locator("polyline.line").get_attribute("points").split()) == len(found)
        # Title and body are always held to 100%; the article links, once three earlier runs found a
        # median of at least 5 (zdnet's replay reruns find 3 links: too few to judge by).
        assert title.locator("polyline.limit").count() == body.locator("polyline.limit").count() == 1
        judged = len(found) > 3 and sorted(found[1:4])[1] >= 5
        assert links.locator("polyline.limit").count() == judged, found
        if judged:
            floor = float(links.locator("circle").last.text_content().split("threshold ")[1].rstrip(")"))
            assert floor == 0.2 * sorted(found[-4:-1])[1]


def test_the_failed_checks_are_listed(made: tuple[Path, Any], page: tuple[Any, list[str], list[str]]) -> None:
    out, _ = made
    view, _, _ = page
    stored = [
        line
        for (stats,) in database(out, "SELECT stats FROM runs")
        for line in (json.loads(stats or "{}").get("news/monitor/failed") or [])
    ]
    assert any("check=coverage field=main_image" in line for line in stored)
    assert sorted(view.locator("#failures td code").all_inner_texts()) == sorted(stored)


def test_near_duplicate_clusters_match_the_database(
    made: tuple[Path, Any], page: tuple[Any, list[str], list[str]]
) -> None:
    out, _ = made
    view, _, _ = page
    clusters = database(
        out, "SELECT duplicate_of_id, count(*) FROM near_duplicates GROUP BY 1 ORDER BY 2 DESC"
    )
    rows = view.locator("#clusters tr:has(td)")
    assert rows.count() == min(len(clusters), 10)
    assert [int(t) for t in rows.locator("td.num").all_inner_texts()] == [n + 1 for _, n in clusters[:10]]


def test_scraped_text_runs_nothing_and_nothing_is_fetched(page: tuple[Any, list[str], list[str]]) -> None:
    view, asked, dialogs = page
    assert asked == [] and dialogs == []
    assert view.locator("script, iframe, object, embed, form, img").count() == 0
    assert (
        view.evaluate(
            "[...document.querySelectorAll('*')].some(e => [...e.attributes].some(a => /^on/i.test(a.name)))"
        )
        is False
    )
