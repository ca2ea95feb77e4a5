"""The ndsoft newspaper CMS, used by many Korean outlets: a spider for one of them is its address and
sections. Articles `/news/articleView.html?idxno=N`, listings
`/news/articleList.html?sc_section_code=S1N…&view_type=sm&page=N`, feeds `/rss/allArticle.xml` and
`/rss/S1N….xml` (seen on sisaweek.com's 2018 home page; see ../shared/SITES.md)."""

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
        if cls.sections:
            cls.feeds = tuple(f"{base}/rss/{code}.xml" for code in cls.sections)
            cls.listings = tuple(
                f"{base}/news/articleList.html?sc_section_code={code}&view_type=sm&page={{page}}"
                for code in cls.sections
            )
            cls.categories = {name: "IT" for name in cls.sections.values()} | cls.categories
        else:
            cls.feeds = (f"{base}/rss/allArticle.xml",)
            cls.listings = (f"{base}/news/articleList.html?view_type=sm&page={{page}}",)
        cls.article_patterns = (
            rf"^https?://(?:www\.|m\.)?{re.escape(bare)}/news/articleView\.html\?idxno=\d+",
        )
