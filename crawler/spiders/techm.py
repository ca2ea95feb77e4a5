from crawler.spiders.ndsoft import NdsoftSpider


class TechmSpider(NdsoftSpider):
    """테크M (ndsoft; its skin is undetermined, the old one in the latest evidence: SITES-2026 A3, 2023–24)."""

    name = "techm"
    source_name = "테크M"
    base_url = "https://www.techm.kr"
    facts = "SITES-2026 §8, A3: article and list URLs (2026-07/08); skin undetermined (old one in 2023–24)"
    default_category = "IT"
