from crawler.spiders.ndsoft import NdsoftSpider


class ThelecSpider(NdsoftSpider):
    """더일렉 (ndsoft, the altlist skin: SITES-2026 §8, 2026, high)."""

    name = "thelec"
    source_name = "더일렉"
    base_url = "https://www.thelec.kr"
    facts = "SITES-2026 §8: feed, list and article URLs, the altlist skin (2026, high)"
    default_category = "IT"
