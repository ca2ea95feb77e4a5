from crawler.spiders.base import NewsSpider


class ZdnetSpider(NewsSpider):
    """지디넷코리아: the feed `/feed` (SITES-2026 §2, used by many 2025–26 projects, medium-high) and the
    all-news list `/news/?lstcode=0000&page=N` (2026-08-10, high); articles `/view/?no=<14 digits>`."""

    name = "zdnet"
    source_name = "지디넷코리아"
    allowed_domains = ["zdnet.co.kr"]
    feeds = ("https://zdnet.co.kr/feed",)
    listings = ("https://zdnet.co.kr/news/?lstcode=0000&page={page}",)
    article_patterns = (r"^https?://(?:www\.|m\.)?zdnet\.co\.kr/view/\?no=\d+",)
    facts = "SITES-2026 §2: list and article URLs (2026-08-10, high), feed (2026-08, medium-high)"
    default_category = "IT"
