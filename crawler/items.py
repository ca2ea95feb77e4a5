"""The items that flow through the pipelines.

`RawArticle` is what the page layer extracts from one response: strings and lists as the page
states them. `Article` is the one normalized schema every exporter reads (see DESIGN.md); the
normalize pipeline turns the first into the second.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, NotRequired, TypedDict

from itemadapter import ItemAdapter

from crawler.korean.dates import KST

# What makes an item an article to the pipelines and exporters, whatever its type: the two keys
# every article has, present even when extraction found nothing else (validate drops those).
ARTICLE_KEYS = frozenset({"url", "canonical_url"})


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


def _default(spec: dataclasses.Field) -> Any:
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return None if spec.default is dataclasses.MISSING else spec.default


class ArticleAdapter(ItemAdapter):
    """ItemAdapter over an article of any type, reading a field the item does not hold (a dict
    without it, a `scrapy.Item` field never set) as the `Article` schema's default for it, so an
    article from another tool is read by the same code as ours; writes go to the item as they are."""

    _SPECS: ClassVar = {spec.name: spec for spec in dataclasses.fields(Article)}

    def __getitem__(self, field_name: str) -> Any:
        try:
            return super().__getitem__(field_name)
        except KeyError:
            if field_name not in self._SPECS:
                raise
            return _default(self._SPECS[field_name])

    def __contains__(self, field_name: object) -> bool:
        # A field the item holds, as ItemAdapter says: a default is a reading, not a value it has.
        if not isinstance(field_name, str):
            return False
        try:
            super().__getitem__(field_name)
        except KeyError:
            return False
        return True


def unheld_fields(article: ItemAdapter) -> list[str]:
    """The Article schema's fields an item's type cannot hold (a `scrapy.Item` declaring only some of
    them): the pipelines write some of every article's. None for a dict, which takes any key."""
    declared = ItemAdapter.get_field_names_from_class(type(article.item))
    return [] if declared is None else sorted(set(ArticleAdapter._SPECS) - set(declared))


def adapt(item: Any) -> ArticleAdapter:
    """`item` read and written through ItemAdapter, with the `Article` schema's defaults."""
    if isinstance(item, ArticleAdapter):
        return item
    return ArticleAdapter(item.item if isinstance(item, ItemAdapter) else item)


def article_adapter(item: Any) -> ArticleAdapter | None:
    """An article of any item type Scrapy knows (an `Article`, a dict, a `scrapy.Item`, an attrs class)
    through ItemAdapter; None for any other item, which pipelines and exporters pass on untouched: a
    `RawArticle` not normalized yet (the page layer's own type), or an item without an article's URLs."""
    if isinstance(item, RawArticle) or not ItemAdapter.is_item(item):
        return None
    adapter = adapt(item)
    return adapter if set(adapter.field_names()) >= ARTICLE_KEYS else None
