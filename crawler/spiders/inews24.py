from crawler.spiders.base import NewsSpider


class Inews24Spider(NewsSpider):
    """아이뉴스24: `/php/news_view.php?g_serial=N&g_menu=N` (2018) and `/view/N` (later)."""

    name = "inews24"
    source_name = "아이뉴스24"
    allowed_domains = ["inews24.com"]
    listings = ("https://www.inews24.com/php/news_list.php?g_menu=020599&page={page}",)
    article_patterns = (
        r"^https?://(?:www\.|m\.)?inews24\.com/php/news_view\.php\?g_serial=\d+",
        r"^https?://(?:www\.|m\.)?inews24\.com/view/\d+",
    )
    default_category = "IT"
    verified = "link patterns: home page 2018-03 (tests/fixtures/inews24); articles unverified"
