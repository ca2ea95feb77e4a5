from crawler.spiders.base import NewsSpider


class Inews24Spider(NewsSpider):
    """아이뉴스24: articles `/view/<7 digits>`, found through the IT feed on rss.inews24.com (100 items,
    SITES-2026 §9, live 2026-08-10, high); its lists have no evidence since 2023 (A4), so none is read.
    Its 2018 articles (`/php/news_view.php?g_serial=N`) keep their keys."""

    name = "inews24"
    source_name = "아이뉴스24"
    allowed_domains = ["inews24.com"]
    feeds = ("https://rss.inews24.com/rss/news_it.xml",)
    article_patterns = (
        r"^https?://(?:www\.|m\.)?inews24\.com/view/\d+",
        r"^https?://(?:www\.|m\.)?inews24\.com/php/news_view\.php\?g_serial=\d+",
    )
    facts = "SITES-2026 §9, A4: article URLs and the IT feed (2026-08-10, high); no list"
    default_category = "IT"
