from crawler.korean.text import clean_text
from crawler.pages.generic import ArticlePage, once


class NaverNewsPage(ArticlePage):
    """Naver News article pages: the 2021 desktop layout and the 2023- `n.news.naver.com` one.

    Naver republishes other outlets' articles: `source_name` is the original outlet, read from its
    logo, not Naver's own og:site_name.
    """

    url_patterns = (
        r"^https?://(?:n|m)\.news\.naver\.com/(?:mnews/)?article/\d+/\d+",
        r"^https?://(?:news|m\.news)\.naver\.com/main/read\.(?:naver|nhn)",
    )
    source = "naver"
    headline_selector = "#title_area, h3#articleTitle, h2.media_end_head_headline"
    subtitle_selector = "#dic_area strong.media_end_summary, #articleBodyContents strong.media_end_summary"
    body_selector = "#dic_area, #articleBodyContents, #newsEndContents"
    drop_selectors = (".vod_player_wrap", "._VOD_PLAYER_WRAP", ".end_photo_org .nbd_a ~ .blind")
    # Tags named in every selector: on a 300 KB page `em.x` is three times quicker to find than `.x`.
    byline_selectors = (
        "em.media_end_head_journalist_name, span.byline_s, p.b_text, div.journalistcard_summary_name",
    )
    published_selector = "span._ARTICLE_DATE_TIME::attr(data-date-time), div.sponsor span.t11"
    modified_selector = "span._ARTICLE_MODIFY_DATE_TIME::attr(data-modify-date-time)"
    section_selector = "em.media_end_categorize_item"
    # The outlet's logo names it: its title first, its alt text where it has none.
    outlet_selectors = (
        ".media_end_head_top_logo img::attr(title), .press_logo img::attr(title)",
        ".media_end_head_top_logo img::attr(alt), .press_logo img::attr(alt)",
    )
    # 2021 layout: `기사입력 <span class="t11">…</span> 최종수정 <span class="t11">…</span>`
    stamps_selector = "div.sponsor span.t11"

    @once
    def source_name(self) -> str | None:
        outlets = (self.select_one(query) for query in self.outlet_selectors)
        outlet = next(filter(None, outlets), None) or self.doc.meta_first("twitter:creator")
        if not outlet:
            author = self.doc.meta_first("og:article:author") or ""
            outlet = author.split("|")[0]
        return clean_text(outlet) or None

    def site_names(self) -> set[str]:
        return super().site_names() | {"네이버뉴스", "네이버", "naver"}

    def date_modified_raw(self) -> str | None:
        declared = self.select_one(self.modified_selector)
        if declared:
            return declared
        stamps = self.select(self.stamps_selector)
        return stamps[1] if len(stamps) > 1 else None

    @once
    def section(self) -> str | None:
        return self.select_one(self.section_selector) or self.doc.meta_first("me2:category2")

    def author_names(self) -> list[str]:
        # og:article:author holds "<outlet> | 네이버", not a person.
        return []
