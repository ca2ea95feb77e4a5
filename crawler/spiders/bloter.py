from crawler.spiders.ndsoft import NdsoftSpider


class BloterSpider(NdsoftSpider):
    """블로터 (ndsoft since before 2023: SITES-2026 §4, A3; feed live 2026-08-10, high; skin undetermined)."""

    name = "bloter"
    source_name = "블로터"
    base_url = "https://www.bloter.net"
    facts = "SITES-2026 §4, A3: feed (2026-08-10, high), list and article URLs (2025–26); skin undetermined"
    default_category = "IT"
