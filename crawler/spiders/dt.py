from crawler.spiders.base import NewsSpider


class DtSpider(NewsSpider):
    """디지털타임스: articles `/article/<8 digits>` (SITES-2026 §10, 2024-04 → 2026-09, high), found through
    the full-text feed `/rss/google/ict` (live 2026-08-10, high); no list URL has evidence (A2). Its older
    `/contents.html?article_no=<22 digits>` articles keep their keys."""

    name = "dt"
    source_name = "디지털타임스"
    allowed_domains = ["dt.co.kr"]
    feeds = ("https://www.dt.co.kr/rss/google/ict",)
    article_patterns = (
        r"^https?://(?:www\.|m\.)?dt\.co\.kr/article/\d{8}(?:[?#]|$)",
        r"^https?://(?:www\.|m\.)?dt\.co\.kr/contents\.html\?article_no=\d+",
    )
    facts = "SITES-2026 §10, A2: article URLs and the ict feed (2026-08-10, high); no list"
    default_category = "IT"
