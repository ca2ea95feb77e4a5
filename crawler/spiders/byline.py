from crawler.spiders.wordpress import WordPressSpider


class BylineSpider(WordPressSpider):
    name = "byline"
    source_name = "바이라인네트워크"
    base_url = "https://byline.network"
    post_pattern = r"^https?://byline\.network/\d{4}/\d{2}/[^/?#]+/?$"
    default_category = "IT"
