from crawler.spiders.ndsoft import NdsoftSpider


class AitimesSpider(NdsoftSpider):
    """AI타임스 (ndsoft, the altlist skin: SITES-2026 §8, 2026-04/05, high)."""

    name = "aitimes"
    source_name = "AI타임스"
    base_url = "https://www.aitimes.com"
    facts = "SITES-2026 §8: feed, list and article URLs, the altlist skin (2026-08-10, high)"
    default_category = "IT"
