from crawler.pages.generic import ArticlePage


class Inews24Page(ArticlePage):
    """아이뉴스24: its body box (`article#articleBody`) holds ads and scripts between its paragraphs; the
    article is its `p` children (SITES-2026 §9, three articles checked 2026-08-10)."""

    url_patterns = (r"^https?://(?:www\.|m\.)?inews24\.com/view/\d+",)
    source = "inews24"
    source_name_default = "아이뉴스24"
    body_selector = "article#articleBody"
    drop_selectors = ("article#articleBody > :not(p)",)
