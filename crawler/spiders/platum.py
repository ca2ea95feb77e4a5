from crawler.spiders.wordpress import WordPressSpider


class PlatumSpider(WordPressSpider):
    """플래텀 (WordPress): `/archives/N` (SITES-2026 §11, 2026-07, high), the feed `/feed` (high)."""

    name = "platum"
    source_name = "플래텀"
    base_url = "https://platum.kr"
    feed_path = "/feed"
    post_pattern = r"^https?://(?:www\.)?platum\.kr/archives/\d+/?$"
    facts = "SITES-2026 §11: articles and feed (2025–26, high), paging (low)"
    default_category = "IT"
