"""Checks over every spider class, and the base spider's arguments and paging decisions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.korean.dates import KST
from crawler.replaysite import CLOCK, stories_for
from crawler.spiders.base import NewsSpider, parse_bound
from crawler.spiders.discovery import Entry

LOADER = SpiderLoader.from_settings(get_project_settings())
SPIDERS = sorted(LOADER.list())
SITE_SPIDERS = [n for n in SPIDERS if LOADER.load(n).own_site]
SPIDER_DIR = Path(__file__).parents[1] / "crawler" / "spiders"


def test_every_site_has_a_spider() -> None:
    assert set(SITE_SPIDERS) == {
        "naver_it",
        "yna",
        "aitimes",
        "techm",
        "thelec",
        "bloter",
        "itchosun",
        "sisaweek",
        "byline",
        "platum",
        "zdnet",
        "etnews",
        "ddaily",
        "inews24",
        "dt",
        "naver_search",
    }


@pytest.mark.parametrize("name", SPIDERS)
def test_file_and_class_names_follow_the_spider_name(name: str) -> None:
    spider = LOADER.load(name)
    assert spider.__module__ == f"crawler.spiders.{name}"
    assert (SPIDER_DIR / f"{name}.py").exists()
    assert spider.__name__ == "".join(part.capitalize() for part in name.split("_")) + "Spider"


@pytest.mark.parametrize("name", [n for n in SITE_SPIDERS if n != "naver_search"])
def test_site_spiders_declare_discovery_and_patterns(name: str) -> None:
    spider = LOADER.load(name)
    assert issubclass(spider, NewsSpider)
    assert spider.feeds or spider.sitemaps or spider.listings
    assert spider.article_patterns and spider.verified
    for template in spider.listings:
        assert "{page}" in template or "{date}" in template


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_each_spider_says_which_facts_it_follows(name: str) -> None:
    spider = LOADER.load(name)
    assert spider.facts.startswith("SITES-2026 §") or spider.facts.startswith("SITES-2026 A")
    assert re.search(r"\b202[3-6]\b", spider.facts)  # dated evidence


# Older URL forms the sites used (SITES.md and SITES-2026's "old form" rows): stored articles and old
# links keep being recognised.
OLD_FORMS = {
    "ddaily": "https://www.ddaily.co.kr/news/article.html?no=170123",
    "dt": "https://www.dt.co.kr/contents.html?article_no=2018031902109931650001",
    "inews24": "https://www.inews24.com/php/news_view.php?g_serial=1104530&g_menu=020300",
    "itchosun": "https://it.chosun.com/site/data/html_dir/2022/05/13/2022051300987.html",
    "naver_it": "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&sid1=105&oid=001&aid=0012345678",
    "etnews": "https://www.etnews.com/20180319000123?mc=ns_003_00001",
}


@pytest.mark.parametrize(("name", "url"), OLD_FORMS.items())
def test_older_url_forms_are_still_articles(name: str, url: str) -> None:
    assert any(re.search(p, url) for p in LOADER.load(name).article_patterns)


@pytest.mark.parametrize("name", [n for n in SITE_SPIDERS if n != "naver_search"])
def test_allowed_domains_cover_every_start_url_and_article(name: str) -> None:
    spider = LOADER.load(name)
    example = stories_for(spider, CLOCK)[-1].url  # a URL in the site's current form, from its model
    for url in [
        *spider.feeds,
        *spider.sitemaps,
        *(t.format(page=1, date="20240523") for t in spider.listings),
        example,
    ]:
        host = urlsplit(url).hostname or ""
        assert any(host == d or host.endswith(f".{d}") for d in spider.allowed_domains), url
    assert any(re.search(p, example) for p in spider.article_patterns)


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2024-01-01", False, datetime(2024, 1, 1, tzinfo=KST)),
        ("2024-03-31", True, datetime(2024, 3, 31, 23, 59, 59, 999999, tzinfo=KST)),
        ("2024-03-31T12:30", False, datetime(2024, 3, 31, 12, 30, tzinfo=KST)),
        ("2024-03-31 12:30", False, datetime(2024, 3, 31, 12, 30, tzinfo=KST)),
        ("2024-03-31T03:30:00Z", False, datetime(2024, 3, 31, 12, 30, tzinfo=KST)),
        (None, False, None),
    ],
)
def test_since_until_forms(value: str | None, end: bool, expected: datetime | None) -> None:
    assert parse_bound("since", value, end=end) == expected


@pytest.mark.parametrize("value", ["yesterday", "2024/01/01", "2024-13-01", "01-01-2024", "2024-02-30"])
def test_bad_since_names_the_argument_and_the_forms(value: str) -> None:
    with pytest.raises(ValueError, match=r"-a since=.*YYYY-MM-DD"):
        parse_bound("since", value)


def make(name: str = "aitimes", settings: dict | Settings | None = None, **kwargs: str) -> NewsSpider:
    # Settings still open, as when a run creates its spider.
    crawler = Crawler(LOADER.load(name), Settings(settings or {"NEWS_MAX_PAGES": 50}))
    spider = crawler._create_spider(**kwargs)
    assert isinstance(spider, NewsSpider)
    return spider


def test_since_after_until_is_refused() -> None:
    with pytest.raises(ValueError, match="after"):
        make(since="2024-03-01", until="2024-02-01")


@pytest.mark.parametrize(("arg", "value"), [("max_pages", "0"), ("max_items", "many")])
def test_limits_must_be_positive_numbers(arg: str, value: str) -> None:
    with pytest.raises(ValueError, match=arg):
        make(**{arg: value})


def test_day_listings_cover_the_window_newest_first() -> None:
    spider = make("naver_it", since="2024-03-29", until="2024-03-31")
    days = spider.listing_days(spider.listings[0])
    assert [d.isoformat() for d in days] == ["2024-03-31", "2024-03-30", "2024-03-29"]
    assert make("aitimes").listing_days(make("aitimes").listings[0]) == [None]


def entries(*hours_ago: int) -> list[Entry]:
    now = datetime.now(KST)
    return [
        Entry(f"https://www.aitimes.com/news/articleView.html?idxno={h}", now - timedelta(hours=h))
        for h in hours_ago
    ]


def test_paging_stops_for_each_reason() -> None:
    spider = make(since=(datetime.now(KST) - timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"), max_pages="3")
    assert spider.stop_paging([], 1, False) == "empty"
    assert spider.stop_paging(entries(1), 1, True) == "repeated"
    assert spider.stop_paging(entries(1), 3, False) == "max_pages"
    assert spider.stop_paging(entries(20, 30), 1, False) == "older_than_since"
    assert spider.stop_paging(entries(1, 20), 1, False) is None


def test_readme_table_lists_every_spider_as_it_declares_itself() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for name in SPIDERS:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, f"{name} is missing from the README's table of spiders"
        spider = LOADER.load(name)
        assert row.rstrip(" |").endswith(spider.verified) and spider.facts in row


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, "korean-tech-news-crawler/0.1 (+https://github.com/korean-tech-news-crawler)"),
        (
            {"NEWS_CONTACT_URL": "mailto:ops@example.kr"},
            "korean-tech-news-crawler/0.1 (+mailto:ops@example.kr)",
        ),
        ({"USER_AGENT": "custom/1"}, "custom/1"),
    ],
)
def test_user_agent_names_the_contact(given: dict[str, str], expected: str) -> None:
    from crawler.addons import ContactAddon

    settings = get_project_settings()
    for key, value in given.items():
        settings.set(key, value, priority="cmdline")
    ContactAddon().update_settings(settings)
    assert settings.get("USER_AGENT") == expected


def test_politeness_defaults() -> None:
    settings = get_project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert (
        settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 4 and settings.getint("CLOSESPIDER_TIMEOUT") > 0
    )
    assert {429, 503} <= set(settings.getlist("RETRY_HTTP_CODES"))


def test_discovery_requests_go_before_articles() -> None:
    # A listing waiting behind a page of articles stalls discovery, and in a shared queue starves the others.
    spider = make("aitimes")
    article = spider.article_request("https://www.aitimes.com/news/articleView.html?idxno=1")
    discovery = [
        spider.listing_request(spider.listings[0], 2, None),
        spider.feed_request("https://www.aitimes.com/rss/allArticle.xml"),
        spider.sitemap_request("https://www.aitimes.com/sitemap.xml"),
    ]
    assert all(request.priority > article.priority for request in discovery)


def test_a_backfill_has_its_own_bounds_and_the_operators_hold() -> None:
    settings = {"NEWS_MAX_PAGES": 50, "NEWS_BACKFILL_MAX_PAGES": 2000, "CLOSESPIDER_TIMEOUT": 3600}

    def bounds(timeout: str | None = None, **kwargs: str) -> tuple[int | None, float]:
        given = Settings(settings)
        if timeout:
            given.set("CLOSESPIDER_TIMEOUT", timeout, priority="cmdline")
        spider = make("techm", given, **kwargs)
        return spider.max_pages, spider.crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")

    assert bounds() == (50, 3600)  # a scheduled run
    assert bounds(since="2024-01-01") == (2000, 0)  # runs for hours, pages down to since
    assert bounds(until="2024-01-31", max_pages="7", timeout="7200") == (7, 7200)
