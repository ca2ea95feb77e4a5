from crawler.pages.generic import ArticlePage


class MaeilBusinessPage(ArticlePage):
    """Maeil Business (mk.co.kr): the deck is `.mid_title` inside the body; authors in `.author`."""

    url_patterns = (r"^https?://(?:www\.|m\.)?mk\.co\.kr/(?:news|amp)/",)
    source = "mk"
    body_selector = "[itemprop=articleBody]"
    source_name_default = "매일경제"
    subtitle_selector = ".mid_title"
    byline_selectors = (".news_write_info_group .author",)
    heading_selectors = (".border_org",)
