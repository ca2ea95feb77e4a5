from crawler.spiders.base import NewsSpider


class EtnewsSpider(NewsSpider):
    """전자신문: the feed on rss.etnews.com (`Section901.xml`, live 2026-08-10, high; `www.etnews.com/rss/
    rss.xml` is empty) and the section lists `section.html?id1=NN&page=N` of 통신 (03), SW/AI (04) and 전자
    (06) (SITES-2026 §3, 2026, high). Article ids are the date and a serial (`/20260807000008`); `mc=`
    is a tracking parameter."""

    name = "etnews"
    source_name = "전자신문"
    allowed_domains = ["etnews.com"]
    feeds = ("https://rss.etnews.com/Section901.xml",)
    listings = tuple(
        f"https://www.etnews.com/news/section.html?id1={section}&page={{page}}"
        for section in ("03", "04", "06")
    )
    article_patterns = (r"^https?://(?:www\.|m\.)?etnews\.com/\d{14}(?:[?#]|$)",)
    facts = "SITES-2026 §3: feed (2026-08-10, high), lists and article URLs (2026, high)"
    default_category = "IT"
