from crawler.spiders.base import NewsSpider


class DtSpider(NewsSpider):
    """디지털타임스: articles `/contents.html?article_no=YYYYMMDD…` (a 22-digit id)."""

    name = "dt"
    source_name = "디지털타임스"
    allowed_domains = ["dt.co.kr"]
    listings = ("https://www.dt.co.kr/article_list.html?gcd=2&scd=400&page={page}",)
    article_patterns = (r"^https?://(?:www\.|m\.)?dt\.co\.kr/contents\.html\?article_no=\d+",)
    default_category = "IT"
    verified = "link patterns: home page 2018-03 (tests/fixtures/dt); articles unverified"
