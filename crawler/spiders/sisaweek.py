from crawler.spiders.ndsoft import NdsoftSpider


class SisaweekSpider(NdsoftSpider):
    """시사위크 (general weekly, ndsoft): its IT section only. Link patterns checked on the 2018 home page."""

    name = "sisaweek"
    source_name = "시사위크"
    base_url = "http://www.sisaweek.com"
    sections = {"S1N13": "IT"}
    default_category = "IT"
    verified = "link patterns: home page 2018-03 (tests/fixtures/sisaweek); articles unverified"
