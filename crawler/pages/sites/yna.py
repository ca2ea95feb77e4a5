from crawler.pages.generic import ArticlePage


class YonhapPage(ArticlePage):
    """Yonhap (yna.co.kr, en.yna.co.kr): JSON-LD is right; body, deck and writer box need selectors."""

    url_patterns = (r"^https?://(?:www\.|m\.|en\.)?yna\.co\.kr/(?:view|amp/view)/",)
    source = "yna"
    source_name_default = "연합뉴스"
    subtitle_selector = "div.tit-sub h2"
    body_selector = "article.story-news"
    drop_selectors = (
        ".writer-zone",
        ".tit-sub",
        "aside",
        ".txt-copyright",
        ".keyword-zone",
        ".tit-cap",
        ".txt-link",
        ".comp-box:not(.photo-group)",
    )
    # The writer box names who filed this version; the body's dateline names the reporter.
    byline_selectors = ("div.writer-zone strong.tit-name",)
