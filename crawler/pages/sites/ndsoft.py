from crawler.pages.generic import ArticlePage


class NdsoftPage(ArticlePage):
    """The ndsoft newspaper CMS (AI타임스, 더일렉, 테크M, 블로터, IT조선, 시사위크 and many more), in both its
    skins: the body is `#article-view-content-div` and the headline `h1.heading` in each; the reporter
    is `li.info-name` in the new skin and the first `.infomation` line in the old one (SITES-2026 §8, A3:
    aitimes and thelec 2026, bloter 2023)."""

    url_patterns = (r"^https?://[^/]+/news/articleView\.html\?idxno=\d+",)
    headline_selector = "h1.heading"
    body_selector = "#article-view-content-div"
    byline_selectors = ("li.info-name, article.item ul.infomation li:first-child",)
