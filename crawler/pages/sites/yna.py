from crawler.pages.generic import ArticlePage


class YonhapPage(ArticlePage):
    """Yonhap (yna.co.kr, en.yna.co.kr): JSON-LD is right where there is one; the body, deck and writer box
    need selectors. The 2022 page holds its body in `article.story-news`; the 2025–26 one in
    `div.content03 > div.story-news.article`, after an AI summary box (`article.story-summary`) that is no
    part of it, with the writer in `.writer-zone01` (SITES-2026 §12, A5)."""

    url_patterns = (r"^https?://(?:www\.|m\.|en\.)?yna\.co\.kr/(?:view|amp/view)/",)
    source = "yna"
    source_name_default = "연합뉴스"
    headline_selector = "h1.tit01"
    subtitle_selector = "div.tit-sub h2"
    body_selector = "article.story-news, div.story-news.article"
    drop_selectors = (
        ".writer-zone",
        ".writer-zone01",
        ".tit-sub",
        "aside",
        ".txt-copyright",
        ".keyword-zone",
        ".tit-cap",
        ".txt-link",
        ".comp-box:not(.photo-group)",
        ".story-summary",
    )
    # The writer box names who filed this version; the body's dateline names the reporter.
    byline_selectors = ("div.writer-zone strong.tit-name, div.writer-zone01 strong.tit-name",)
