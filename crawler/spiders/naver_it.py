from crawler.spiders.base import NewsSpider

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


class NaverItSpider(NewsSpider):
    """Naver News IT/과학, by its day-by-day sub-section listings: today's for scheduled runs, each
    day from `until` back to `since` for backfills (`news.naver.com/main/list.naver`, as
    lumyjuwon/KoreaNewsCrawler reads it). Each article's `source_name` is the original outlet."""

    name = "naver_it"
    allowed_domains = ["news.naver.com", "n.news.naver.com"]
    listings = tuple(
        f"https://news.naver.com/main/list.naver?mode=LS2D&mid=sec&sid1=105&sid2={sid2}&date={{date}}&page={{page}}"
        for sid2 in SUBSECTIONS
    )
    article_patterns = (
        r"^https?://n\.news\.naver\.com/(?:mnews/)?article/\d+/\d+",
        r"^https?://news\.naver\.com/main/read\.naver\?.*\baid=\d+",
    )
    default_category = "IT"
    verified = "articles: three real pages (2021, 2023, 2024; tests/fixtures/naver); listing unverified"
