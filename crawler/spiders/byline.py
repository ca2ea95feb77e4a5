from crawler.spiders.wordpress import WordPressSpider


class BylineSpider(WordPressSpider):
    """바이라인네트워크 (WordPress): permalinks `/YYYY/MM/<slug>/` with slugs like `0701-2` or
    `31_2182773` (SITES-2026 §7, 2026, high); the feed exists (high), its paging `/page/N/` (medium)."""

    name = "byline"
    source_name = "바이라인네트워크"
    base_url = "https://byline.network"
    post_pattern = r"^https?://byline\.network/\d{4}/\d{2}/[^/?#]+/?$"
    facts = "SITES-2026 §7: permalinks (2026, high), feed (2025–26, high), paging (medium)"
    default_category = "IT"
