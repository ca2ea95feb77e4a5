from crawler.spiders.ndsoft import NdsoftSpider


class ItchosunSpider(NdsoftSpider):
    """IT조선 serves `/news/articleView.html?idxno=N` pages: the ndsoft family."""

    name = "itchosun"
    source_name = "IT조선"
    base_url = "https://it.chosun.com"
    default_category = "IT"
