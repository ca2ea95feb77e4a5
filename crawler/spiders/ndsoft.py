"""The ndsoft newspaper CMS, used by many Korean outlets: a spider for one of them is its address and
sections (SITES-2026 §8 and A3, 2026-08-10, high for aitimes and thelec). Articles
`/news/articleView.html?idxno=N`; the feed `/rss/allArticle.xml` (dates `YYYY-MM-DD HH:MM:SS` with no zone:
Seoul time, read so by the discovery parser); lists `/news/articleList.html?page=N&view_type=sm` (or by
`sc_section_code`) in the new "altlist" skin (year-less `MM-DD HH:MM` dates, a hidden template row) or the
old `#section-list` one: links are taken by their URL form, so both skins read the same."""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from crawler.spiders.base import NewsSpider


class NdsoftSpider(NewsSpider):
    """Declare `base_url` and, for a general outlet, the tech `sections` (code → name)."""

    base_url: ClassVar[str] = ""
    sections: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.base_url:
            return
        base = cls.base_url.rstrip("/")
        host = urlsplit(base).hostname or ""
        bare = host.removeprefix("www.")
        cls.allowed_domains = cls.__dict__.get("allowed_domains", [bare])
        # The whole-site feed is the one checked live (§8); section feeds are not.
        cls.feeds = (f"{base}/rss/allArticle.xml",)
        if cls.sections:
            cls.listings = tuple(
                f"{base}/news/articleList.html?sc_section_code={code}&view_type=sm&page={{page}}"
                for code in cls.sections
            )
            cls.categories = {name: "IT" for name in cls.sections.values()} | cls.categories
        else:
            cls.listings = (f"{base}/news/articleList.html?page={{page}}&view_type=sm",)
        cls.article_patterns = (
            rf"^https?://(?:www\.|m\.)?{re.escape(bare)}/news/articleView\.html\?idxno=\d+",
            *cls.__dict__.get("old_patterns", ()),
        )
