from crawler.spiders.base import NewsSpider


class DdailySpider(NewsSpider):
    """디지털데일리: the KPF newspaper CMS of its 2018 pages (`/news/article.html?no=N`), and the
    `/page/view/N` articles of its later site."""

    name = "ddaily"
    source_name = "디지털데일리"
    allowed_domains = ["ddaily.co.kr"]
    feeds = ("https://www.ddaily.co.kr/rss/news.xml",)
    listings = ("https://www.ddaily.co.kr/news/section_list_all.html?sec_no=145&page={page}",)
    article_patterns = (
        r"^https?://(?:www\.|m\.)?ddaily\.co\.kr/(?:\w+/)?news/article(?:\.html)?\?no=\d+",
        r"^https?://(?:www\.|m\.)?ddaily\.co\.kr/page/view/\d+",
    )
    default_category = "IT"
    verified = "link patterns: home page 2018-03 (tests/fixtures/ddaily); articles unverified"
