from crawler.spiders.ndsoft import NdsoftSpider


class ThelecSpider(NdsoftSpider):
    name = "thelec"
    source_name = "더일렉"
    base_url = "https://www.thelec.kr"
    default_category = "IT"
