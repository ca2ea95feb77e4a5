import json
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlencode

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawler.spiders.base import DISCOVERY_PRIORITY, REDISCOVER, NewsSpider
from crawler.spiders.discovery import listing_entries

# IT/과학 (sid1=105) and its sub-sections (sid2).
SUBSECTIONS = {
    "731": "모바일",
    "226": "인터넷/SNS",
    "227": "통신/뉴미디어",
    "230": "IT 일반",
    "732": "보안/해킹",
    "283": "컴퓨터",
    "229": "게임/리뷰",
    "228": "과학 일반",
}
MORE = "https://news.naver.com/section/template/SECTION_ARTICLE_LIST_FOR_LATEST"


class NaverItSpider(NewsSpider):
    """Naver News IT/과학 by its day lists, `news.naver.com/breakingnews/section/105/<sid2>?date=YYYYMMDD`
    (36 items), and their further pages, which only `SECTION_ARTICLE_LIST_FOR_LATEST` gives, by the `next`
    cursor of the page before while `data-has-next` is "true" (raising `pageNo` alone repeats the first
    page): SITES-2026 §1, 2025–2026, high. Today's list for scheduled runs, each day from `until` back to
    `since` for backfills. Each article's `source_name` is the original outlet.

    news.naver.com and n.news.naver.com refuse every crawler in robots.txt (§1, A7, checked 2026-07-22 and
    2026-08-10), which this spider obeys: a run ends with the named `robots` check failed. The sanctioned
    way in is the Open API: `naver_search`. An operator with Naver's written permission may run this one
    with `-s ROBOTSTXT_OBEY=False`."""

    name = "naver_it"
    allowed_domains = ["news.naver.com", "n.news.naver.com"]
    listings = tuple(
        f"https://news.naver.com/breakingnews/section/105/{sid2}?date={{date}}" for sid2 in SUBSECTIONS
    )
    article_patterns = (
        r"^https?://n\.news\.naver\.com/(?:mnews/)?article/\d+/\d+",
        r"^https?://news\.naver\.com/main/read\.naver\?.*\baid=\d+",
    )
    facts = "SITES-2026 §1, A7: day lists and cursor pages (2026-09-16, high), robots.txt refusing all (2026-08-10)"
    default_category = "IT"

    def parse_listing(
        self, response: Response, template: str, page: int, day: date | None, previous: tuple[str, ...]
    ) -> Iterator[scrapy.Request]:
        """The first page is HTML, the next ones JSON holding the same list as an HTML fragment."""
        fragment = response.text
        if response.headers.get("Content-Type", b"").startswith(b"application/json"):
            fragment = json.loads(fragment)["renderedComponent"]["SECTION_ARTICLE_LIST_FOR_LATEST"]
        entries = listing_entries(fragment, response.url, self._patterns)
        self.crawler.stats.inc_value("news/discovery/listing_pages")
        urls = tuple(e.url for e in entries)
        yield from self.follow(entries)
        wrapper = Selector(text=fragment).css("div.section_latest_article")
        cursor, has_next = wrapper.attrib.get("data-cursor"), wrapper.attrib.get("data-has-next") == "true"
        walk = bool(response.meta.get(REDISCOVER))
        reason = self.stop_paging(entries, page, urls == previous, walk) or (
            None if has_next and cursor else "last_page"
        )
        if reason:
            self.crawler.stats.inc_value(f"news/discovery/listing_stop/{reason}")
            return
        sid2 = template.split("/105/", 1)[1].split("?", 1)[0]
        query = {
            "sid": "105",
            "sid2": sid2,
            "cluid": "",
            "pageNo": page + 1,
            "date": f"{day:%Y%m%d}" if day else "",
        }
        yield scrapy.Request(
            f"{MORE}?{urlencode({**query, 'next': cursor})}",
            callback=self.parse_listing,
            cb_kwargs={"template": template, "page": page + 1, "day": day, "previous": urls},
            meta={"news_discovery": "listing"} | ({REDISCOVER: True} if walk else {}),
            priority=DISCOVERY_PRIORITY,
        )
