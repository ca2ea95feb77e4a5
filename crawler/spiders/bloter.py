from crawler.spiders.ndsoft import NdsoftSpider


class BloterSpider(NdsoftSpider):
    """블로터 moved from WordPress to ndsoft (SITES.md: believed)."""

    name = "bloter"
    source_name = "블로터"
    base_url = "https://www.bloter.net"
    default_category = "IT"
