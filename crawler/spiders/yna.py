from crawler.spiders.base import NewsSpider


class YnaSpider(NewsSpider):
    """연합뉴스: the industry feed (`/rss/industry.xml`, 120 items, SITES-2026 §12, live 2026-08-11, high) and
    the IT·과학 list paged by path, `/industry/technology-science/N` (A5: the `/…/all/N` form checked
    2026-10-07, high; this section's medium); year-less list times are read with the year inferred."""

    name = "yna"
    source_name = "연합뉴스"
    allowed_domains = ["yna.co.kr"]
    feeds = ("https://www.yna.co.kr/rss/industry.xml",)
    listings = ("https://www.yna.co.kr/industry/technology-science/{page}",)
    article_patterns = (r"^https?://(?:www\.|m\.)?yna\.co\.kr/view/AKR\d+",)
    facts = "SITES-2026 §12, A5: feed (2026-08-11, high), list paging (2026-10-07, high/medium)"
    default_category = "IT"
