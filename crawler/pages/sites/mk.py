from crawler.pages.generic import ArticlePage


class MaeilBusinessPage(ArticlePage):
    """Maeil Business (mk.co.kr): the deck is `.mid_title` inside the body; authors in `.author`."""

    url_patterns = (r"^https?://(?:www\.|m\.)?mk\.co\.kr/(?:news|amp)/",)
    source = "mk"
    body_selector = "[itemprop=articleBody]"
    source_name_default = "매일경제"
    subtitle_selector = "div.mid_title"
    byline_selectors = ("div.news_write_info_group dl.author",)
    heading_selectors = ("div.border_org",)
