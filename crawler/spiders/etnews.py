from crawler.spiders.base import NewsSpider


class EtnewsSpider(NewsSpider):
    """전자신문: article ids are the date and a serial (`/20180319000123`); `mc=` is a tracking parameter."""

    name = "etnews"
    source_name = "전자신문"
    allowed_domains = ["etnews.com"]
    feeds = ("https://rss.etnews.com/Section901.xml",)
    listings = tuple(
        f"https://www.etnews.com/news/section.html?id1={section}&page={{page}}"
        for section in ("02", "03", "04", "05", "06")
    )
    article_patterns = (r"^https?://(?:www\.|m\.)?etnews\.com/\d{14}(?:[?#]|$)",)
    default_category = "IT"
    verified = "link patterns: home page 2018-03 (tests/fixtures/etnews); articles unverified"
