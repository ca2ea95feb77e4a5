"""Drop what is not a usable article, with a reason and a stats counter for each drop."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import adapt, article_adapter, unheld_fields
from crawler.korean.dates import EARLIEST, is_future
from crawler.korean.text import letter_shares

KOREAN_MIN_RATIO = 0.3
LATIN_MIN_RATIO = 0.7


class ValidationError(DropItem):
    """A DropItem whose `reason` is a short word, for stats keys and the extract command."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def detect_language(text: str) -> str | None:
    """`ko` when Hangul is a real share of the letters (tech news is full of Latin names), else `en`
    when Latin dominates, else None."""
    hangul, latin = letter_shares(text)
    if hangul >= KOREAN_MIN_RATIO:
        return "ko"
    return "en" if latin >= LATIN_MIN_RATIO else None


def validate(
    item: Any,
    *,
    min_body_chars: int = 100,
    require_date: bool = True,
    languages: tuple[str, ...] = ("ko", "en"),
) -> None:
    """Sets the article's `language` (any item type, through ItemAdapter), or raises ValidationError
    naming the first problem found."""
    article = adapt(item)
    unheld = unheld_fields(article)
    if unheld:
        raise ValidationError("not_article_schema", f"{type(item).__name__} lacks {', '.join(unheld)}")
    if not article["source"]:
        raise ValidationError("no_source", article["url"])
    if not article["headline"]:
        raise ValidationError("no_headline", article["url"])
    if not article["body_text"]:
        raise ValidationError("no_body", article["url"])
    if len(article["body_text"]) < min_body_chars:
        raise ValidationError("body_too_short", f"{len(article['body_text'])} characters < {min_body_chars}")
    if require_date and article["date_published"] is None:
        raise ValidationError("no_date", f"unparsed {article['date_published_raw']!r}")
    if article["date_published"] is not None and article["date_published"] < EARLIEST:
        # `0001-01-01T00:00:00Z` and its kin: a CMS's placeholder, no date
        raise ValidationError("no_date", f"placeholder {article['date_published_raw']!r}")
    now = article["fetched_at"]
    for value in (article["date_published"], article["date_modified"]):
        if value is not None and now is not None and is_future(value, now):
            raise ValidationError(
                "future_date", f"{value.isoformat()} is after the fetch at {now.isoformat()}"
            )
    article["language"] = detect_language(article["body_text"])
    if article["language"] not in languages:
        raise ValidationError("language", f"{article['language'] or 'unknown'} not in {list(languages)}")


def options_from_settings(settings: Any) -> dict[str, Any]:
    """The `validate` keyword arguments from Scrapy settings (NEWS_MIN_BODY_CHARS, ...)."""
    return {
        "min_body_chars": settings.getint("NEWS_MIN_BODY_CHARS", 100),
        "require_date": settings.getbool("NEWS_REQUIRE_DATE", True),
        "languages": tuple(settings.getlist("NEWS_LANGUAGES", ["ko", "en"])),
    }


class ValidatePipeline:
    """Required fields, dates not in the future, the Hangul ratio (sets `language`), body length."""

    def __init__(self, stats: Any, options: dict[str, Any]) -> None:
        self.stats = stats
        self.options = options

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler.stats, options_from_settings(crawler.settings))

    def process_item(self, item: Any) -> Any:
        if article_adapter(item) is None:
            return item
        try:
            validate(item, **self.options)
        except ValidationError as exc:
            self.stats.inc_value(f"news/dropped/{exc.reason}")
            raise
        return item
