from crawler.spiders.ndsoft import NdsoftSpider


class ItchosunSpider(NdsoftSpider):
    """IT조선, on ndsoft since about September 2023 (SITES-2026 §6: `idxno=20230921NNNNN`, the feed live
    2026-08-10, high). Its older `/site/data/html_dir/YYYY/MM/DD/<id>.html` articles keep their keys."""

    name = "itchosun"
    source_name = "IT조선"
    base_url = "https://it.chosun.com"
    old_patterns = (r"^https?://it\.chosun\.com/site/data/html_dir/\d{4}/\d{2}/\d{2}/\d+\.html",)
    facts = "SITES-2026 §6: ndsoft since 2023-09, feed (2026-08-10, high), list (medium)"
    default_category = "IT"
