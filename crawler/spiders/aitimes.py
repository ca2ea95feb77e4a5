from crawler.spiders.ndsoft import NdsoftSpider


class AitimesSpider(NdsoftSpider):
    name = "aitimes"
    source_name = "AI타임스"
    base_url = "https://www.aitimes.com"
    default_category = "IT"
