"""The starter site in a real browser: `scrapy replay` output (and the hostile pages of
tests/test_site_safety.py, crawled through `scrapy crawl generic`) dropped into the starter site, built
by Debian's jekyll, served on 127.0.0.1 and read by Debian's Chromium (headless, driven by Playwright)
at a phone's and a desktop's width, as a reader would."""

from __future__ import annotations

import functools
import html
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawler.korean.dates import KST
from exports.jekyll import inert
from tests.test_site_safety import HOSTILE, build, crawl_hostile, jekyll_or_skip

ROOT = Path(__file__).parents[1]
CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"phone": (375, 740), "desktop": (1280, 900)}


def chromium_or_skip() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed in CI: .ci/run installs Debian's chromium package")
        pytest.skip("Debian's chromium is not installed here (apt-get install chromium)")
    return sync_api


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The replay's output with hostile posts beside it, built, and served on 127.0.0.1."""
    jekyll = jekyll_or_skip()
    chromium_or_skip()
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "replay", "aitimes", "yna", "naver_search", "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    settings = {
        "DATABASE_URL": f"sqlite:///{out / 'hostile.sqlite3'}",
        "NEWS_JEKYLL_SITE": out / "site",
        "NEWS_LOCK_DIR": out / "locks",
        "NEWS_JEKYLL_INCLUDE_DUPLICATES": True,
        "AUTOTHROTTLE_ENABLED": False,
    }
    hostile = crawl_hostile(settings)
    assert hostile.returncode == 0, hostile.stderr[-3000:]
    build(jekyll, out / "site", out / "_site")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(out / "_site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", out
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def browser(built: tuple[str, Path]) -> Iterator[Any]:
    sync_api = chromium_or_skip()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def new_page(browser: Any, device: str) -> Any:
    """A page at the device's width whose requests never leave 127.0.0.1: the articles' own photos on
    their outlets' hosts are answered 'blocked' here instead of being fetched."""
    width, height = WIDTHS[device]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("http://127.0.0.1:")
            else route.abort("blockedbyclient")
        ),
    )
    return page


def stored(out: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(out / "news.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return [
            dict(r)
            for r in db.execute("SELECT headline, canonical_url, source_name, date_published FROM articles")
        ]


def shown(text: str) -> str:
    """What a reader sees of a scraped text printed raw (quotes typographic: exports/jekyll.py)."""
    return html.unescape(inert(text))


def fits(page: Any) -> bool:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("device", WIDTHS)
def test_the_home_page_lists_every_post_and_fits_the_screen(
    built: tuple[str, Path], browser: Any, device: str
) -> None:
    url, out = built
    page = new_page(browser, device)
    page.goto(f"{url}/")
    titles = page.locator("a.post-link").all_inner_texts()
    expected = stored(out)
    assert len(titles) == len(expected) + len(HOSTILE)
    assert {shown(a["headline"]) for a in expected} <= set(titles)
    assert fits(page)
    page.screenshot(path=str(out / f"home-{device}.png"))
    page.close()


@pytest.mark.parametrize("device", WIDTHS)
def test_a_post_shows_its_headline_date_outlet_and_feature_text(
    built: tuple[str, Path], browser: Any, device: str
) -> None:
    url, out = built
    page = new_page(browser, device)
    for article in stored(out):
        page.goto(f"{url}/")
        page.get_by_role("link", name=shown(article["headline"]), exact=True).click()
        page.wait_for_load_state("load")  # the click returns once the post's page commits, before its images
        assert page.locator("h1.post-title").inner_text() == shown(article["headline"])
        seoul = datetime.fromisoformat(article["date_published"]).replace(tzinfo=UTC).astimezone(KST)
        assert page.locator(".post-meta time").first.inner_text() == (
            f"{seoul.year}년 {seoul.month}월 {seoul.day}일 {seoul:%H:%M}"
        )
        credit = page.locator(".credit a")
        assert credit.inner_text() == shown(article["source_name"])
        assert credit.get_attribute("href") == article["canonical_url"]
        feature = page.locator(".feature-text")
        assert (
            feature.locator("h2").inner_text() == "뉴스다오 실시간 뉴스 속보입니다." and feature.is_visible()
        )
        banner = page.locator("img.feature-image")
        assert banner.evaluate("img => img.complete && img.naturalWidth > 0")
        assert page.locator(".post-content p").count() >= 2
        assert fits(page), page.url
    page.screenshot(path=str(out / f"post-{device}.png"))
    page.close()


def test_hostile_posts_run_nothing_and_make_no_element(built: tuple[str, Path], browser: Any) -> None:
    url, out = built
    page = new_page(browser, "desktop")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{url}/")
    links = page.locator("a.post-link").evaluate_all("links => links.map(a => a.href)")
    made = """() => [...document.querySelectorAll('*')].flatMap(e => [
        ...[...e.attributes].filter(a => /^on/i.test(a.name)).map(a => e.tagName + ' ' + a.name),
        ...(['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'svg', 'FORM', 'BASE'].includes(e.tagName)
            && !(e.tagName === 'SCRIPT' && e.type === 'application/ld+json') ? [e.tagName] : []),
        ...['href', 'src'].map(n => e.getAttribute(n) || '').filter(v => /^\\s*(javascript|data|vbscript):/i.test(v))])"""
    for link in [f"{url}/", f"{url}/categories/", *links]:
        page.goto(link)
        page.wait_for_load_state("load")
        assert page.evaluate(made) == [], link
    assert dialogs == []
    # The articles' own photos load from their outlets; nothing a hostile string names is fetched.
    assert [r for r in requests if not r.startswith(("http://", "https://")) or "example" in r] == []
    feed = (out / "_site" / "feed.xml").read_text(encoding="utf-8")
    assert "<script" not in feed.lower()
    page.close()


def test_the_site_builds_from_a_fresh_copy_of_the_starter(tmp_path: Path) -> None:
    """`site/` as shipped, with no posts, builds clean (no Liquid or front-matter warning)."""
    jekyll = jekyll_or_skip()
    shutil.copytree(ROOT / "site", tmp_path / "site", ignore=shutil.ignore_patterns("_site", ".jekyll-cache"))
    log = build(jekyll, tmp_path / "site", tmp_path / "_site")
    assert "warning" not in log.lower() and "error" not in log.lower()
    assert (tmp_path / "_site" / "index.html").exists() and (tmp_path / "_site" / "feed.xml").exists()


def test_the_themes_plugins_show_the_scraped_characters_once(built: tuple[str, Path], browser: Any) -> None:
    """jekyll-seo-tag's <title> and jekyll-feed's entries do not double the character references."""
    from lxml import etree
    from lxml import html as lxml_html

    url, out = built
    page = new_page(browser, "desktop")
    page.goto(f"{url}/")
    script = shown(HOSTILE[0])  # <script>alert(“XSS”)</script>
    page.get_by_role("link", name=script, exact=True).click()
    assert page.title() == f"{script} | 뉴스다오"
    page.close()
    feed = etree.fromstring((out / "_site" / "feed.xml").read_bytes())
    titles = [t.text for t in feed.iter("{http://www.w3.org/2005/Atom}title") if t.get("type") == "html"]
    # A feed reader reads an html title as HTML: the reader sees the characters, as text.
    seen = [
        lxml_html.fragment_fromstring(t, create_parent="div").text_content()
        for t in titles
        if t != "뉴스다오"
    ]
    marked = [t for t in seen if "<" in t]
    assert marked and set(marked) <= {shown(h) for h in HOSTILE}
