from crawler.spiders.base import NewsSpider


class YnaSpider(NewsSpider):
    """Yonhap (연합뉴스): its industry feed and IT/science listing."""

    name = "yna"
    source_name = "연합뉴스"
    allowed_domains = ["yna.co.kr"]
    feeds = ("https://www.yna.co.kr/rss/industry.xml",)
    listings = ("https://www.yna.co.kr/industry/technology-science/{page}",)
    article_patterns = (r"^https?://(?:www\.|m\.)?yna\.co\.kr/view/AKR\d+",)
    default_category = "IT"
    verified = "articles: one real page (2022-09, tests/fixtures/yna); feed and listing unverified"
