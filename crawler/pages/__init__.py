"""The page layer: one response in, the raw fields of one article out (or a PageError with a reason).

Generic extraction serves every site; `crawler.pages.sites` holds the few overrides for sites whose
pages the generic reading gets wrong, chosen by URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from crawler.items import RawArticle
from crawler.pages.document import Document, PageError, load
from crawler.pages.generic import ArticlePage
from crawler.pages.sites import SITE_PAGES

__all__ = ["ArticlePage", "Document", "PageError", "extract", "page_class_for"]

_RULES = [(re.compile(pattern), cls) for cls in SITE_PAGES for pattern in cls.url_patterns]


def page_class_for(url: str) -> type[ArticlePage]:
    """The most specific page class whose URL patterns match `url`; the generic one otherwise."""
    for pattern, cls in _RULES:
        if pattern.search(url):
            return cls
    return ArticlePage


def extract(
    url: str,
    body: bytes,
    headers: Mapping[str, Any] | None,
    fetched_at: datetime,
    page_class: type[ArticlePage] | None = None,
) -> RawArticle:
    """Raw article fields of one page. Raises PageError (never anything else) when there is none."""
    doc = load(url, body, headers)
    cls = page_class or page_class_for(url)
    try:
        return cls(doc).to_raw(fetched_at)
    except PageError:
        raise
    except Exception as exc:  # a page layer bug must not take the crawl down: report it as a drop
        raise PageError("extraction_error", f"{type(exc).__name__}: {exc}") from exc
