from crawler.pages.generic import ArticlePage


class HankookIlboPage(ArticlePage):
    """Hankook Ilbo: its deck sits inside the microdata body and its writer box holds the byline."""

    url_patterns = (r"^https?://(?:www\.|m\.)?hankookilbo\.com/(?:News/Read|news/article)/",)
    source = "hankookilbo"
    source_name_default = "한국일보"
    subtitle_selector = ".col-main .sub-title, .col-main .sub_title, [itemprop=articleBody] .summary"
    byline_selectors = (".writer .name, .writer",)
