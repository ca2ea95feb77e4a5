from crawler.spiders.ndsoft import NdsoftSpider


class TechmSpider(NdsoftSpider):
    name = "techm"
    source_name = "테크M"
    base_url = "https://www.techm.kr"
    default_category = "IT"
