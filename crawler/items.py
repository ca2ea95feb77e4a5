"""The items that flow through the pipelines.

`RawArticle` is what the page layer extracts from one response: strings and lists as the page
states them. `Article` is the one normalized schema every exporter reads (see DESIGN.md); the
normalize pipeline turns the first into the second.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NotRequired, TypedDict

from itemadapter import ItemAdapter

from crawler.korean.dates import KST

# What makes an item an article to the pipelines and exporters, whatever its type.
ARTICLE_KEYS = frozenset({"url", "canonical_url", "headline", "body_text"})


class Author(TypedDict):
    name: str | None
    role: str | None
    email: str | None


class Image(TypedDict):
    url: str
    caption: str | None
    credit: str | None
    path: NotRequired[str]  # where the images pipeline saved it, under the site's image folder


@dataclass(slots=True)
class Block:
    """One block of an article body: a paragraph, subheading, list item, quote or image."""

    kind: str  # "p", "h", "li", "quote" or "img"
    text: str = ""
    image: Image | None = None


@dataclass
class RawArticle:
    """The raw fields of one article page, before any Korean-text normalization."""

    url: str
    source: str
    fetched_at: datetime
    source_name: str | None = None
    canonical_url: str | None = None
    headline: str | None = None
    subtitle: str | None = None
    bylines: list[str] = field(default_factory=list)
    author_names: list[str] = field(default_factory=list)
    date_published_raw: str | None = None
    date_modified_raw: str | None = None
    date_source: str | None = None  # where the publication date was read (crawler.pages.generic)
    section: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    description: str | None = None
    blocks: list[Block] = field(default_factory=list)
    cut: bool = False  # the body was longer than a page's body may be, and was cut
    main_image: Image | None = None
    images: list[Image] = field(default_factory=list)
    html_lang: str | None = None
    warc_file: str | None = None  # the WARC file (crawler.archive) holding the response read
    warc_offset: int | None = None  # where its response record begins in that file


@dataclass
class Article:
    """The normalized article: the schema of DESIGN.md, field names after schema.org."""

    url: str
    canonical_url: str
    source: str
    source_name: str | None
    headline: str
    subtitle: str | None = None
    authors: list[Author] = field(default_factory=list)
    date_published: datetime | None = None
    date_modified: datetime | None = None
    date_published_raw: str | None = None
    date_modified_raw: str | None = None
    date_source: str | None = None
    section: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    body_html: str = ""
    body_text: str = ""
    main_image: Image | None = None
    images: list[Image] = field(default_factory=list)
    description: str | None = None
    excerpt: str = ""
    feature_text: str = ""
    language: str | None = None
    content_hash: str | None = None
    duplicate_of: str | None = None
    duplicate_score: float | None = None
    fetched_at: datetime | None = None
    warc_file: str | None = None  # the archived response it was read from: file name under NEWS_WARC_DIR
    warc_offset: int | None = None  # and the offset of its record there

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: datetimes as ISO 8601 strings in Seoul time (+09:00), whether the article
        comes from a page (`scrapy extract`, a crawl's feed) or from the database (`scrapy export`)."""
        return {
            key: value.astimezone(KST).isoformat() if isinstance(value, datetime) else value
            for key, value in dataclasses.asdict(self).items()
        }


def adapt(item: Any) -> ItemAdapter:
    """`item` read and written through ItemAdapter (an adapter already is)."""
    return item if isinstance(item, ItemAdapter) else ItemAdapter(item)


def article_adapter(item: Any) -> ItemAdapter | None:
    """An article of any item type Scrapy knows (an `Article`, a dict, a `scrapy.Item`, an attrs class)
    through ItemAdapter; None for any other item (a `RawArticle` not normalized yet), which pipelines
    and exporters pass on untouched."""
    if not ItemAdapter.is_item(item):
        return None
    adapter = ItemAdapter(item)
    return adapter if set(adapter.field_names()) >= ARTICLE_KEYS else None
