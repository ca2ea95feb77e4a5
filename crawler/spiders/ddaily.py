from crawler.spiders.base import NewsSpider


class DdailySpider(NewsSpider):
    """디지털데일리: articles `/page/view/<19 digits>` and the list `/page/list/?page=N` (SITES-2026 §5, 2024-03
    → 2026-08, high / medium). It has no feed: the old `/rss/allArticle.xml` redirects home (2026-08-10).
    Its 2018 articles (`/news/article.html?no=N`) keep their keys."""

    name = "ddaily"
    source_name = "디지털데일리"
    allowed_domains = ["ddaily.co.kr"]
    listings = ("https://www.ddaily.co.kr/page/list/?page={page}",)
    article_patterns = (
        r"^https?://(?:www\.|m\.)?ddaily\.co\.kr/page/view/\d{10,}",
        r"^https?://(?:www\.|m\.)?ddaily\.co\.kr/(?:\w+/)?news/article(?:\.html)?/?\?no=\d+",
    )
    facts = "SITES-2026 §5, A1: article URLs (2026-08, high), list (2026, medium), no feed (2026-08-10)"
    default_category = "IT"
