from crawler.spiders.wordpress import WordPressSpider


class PlatumSpider(WordPressSpider):
    name = "platum"
    source_name = "플래텀"
    base_url = "https://platum.kr"
    post_pattern = r"^https?://(?:www\.)?platum\.kr/archives/\d+/?$"
    default_category = "IT"
    verified = "link patterns: home page 2018-03 (tests/fixtures/platum); articles unverified"
