from crawler.spiders.ndsoft import NdsoftSpider


class SisaweekSpider(NdsoftSpider):
    """시사위크 (ndsoft: SITES-2026 §8, medium; no section code is evidenced, so the whole-site feed and list)."""

    name = "sisaweek"
    source_name = "시사위크"
    base_url = "https://www.sisaweek.com"
    facts = "SITES-2026 §8: article URLs (2025, medium); feed and list as ndsoft's (medium)"
    default_category = "IT"
