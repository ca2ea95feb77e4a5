from crawler.spiders.base import NewsSpider


class ZdnetSpider(NewsSpider):
    name = "zdnet"
    source_name = "지디넷코리아"
    allowed_domains = ["zdnet.co.kr"]
    listings = ("https://zdnet.co.kr/news/?lstcode=0000&page={page}",)
    article_patterns = (r"^https?://(?:www\.|m\.)?zdnet\.co\.kr/view/\?no=\d+",)
    default_category = "IT"
