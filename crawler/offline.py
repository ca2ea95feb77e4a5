"""The path a crawled page takes (page layer, normalize, validate), run on saved pages without the engine.

Used by `scrapy extract`, the fixture tests and the benchmarks, so they all measure what a crawl does.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.items import Article
from crawler.pages import PageError, extract
from pipelines.normalize import normalize
from pipelines.validate import ValidationError, validate


@dataclass
class SavedPage:
    """A page on disk: exact bytes plus what the fetch said (URL, status, headers, time)."""

    path: Path
    body: bytes
    url: str | None
    headers: dict[str, str]
    fetched_at: datetime | None
    status: int = 200

    @classmethod
    def read(cls, path: str | Path) -> SavedPage:
        path = Path(path)
        raw = path.read_bytes()
        body = gzip.decompress(raw) if path.suffix == ".gz" else raw
        meta: dict[str, Any] = {}
        meta_path = metadata_path(path)
        if meta_path.exists():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        fetched = meta.get("fetched_at")
        return cls(
            path=path,
            body=body,
            url=meta.get("url"),
            headers=meta.get("headers", {}),
            fetched_at=datetime.fromisoformat(fetched) if fetched else None,
            status=meta.get("status", 200),
        )


def saved_pages(folder: Path) -> Iterator[SavedPage]:
    """Every saved page under `folder` that has its metadata (`<site>/NAME.meta.json`), in name order."""
    for meta in sorted(folder.glob("*/*.meta.json")):
        stem = meta.name.removesuffix(".meta.json")
        yield SavedPage.read(next(p for p in meta.parent.iterdir() if p.name.startswith(f"{stem}.htm")))


def article_of(page: SavedPage, validate_options: dict[str, Any] | None = None) -> Outcome:
    """`article_from_page` on a saved page, with the URL and fetch time its metadata gives."""
    if page.url is None:
        raise ValueError(f"{page.path} has no URL in its metadata")
    return article_from_page(page.url, page.body, page.headers, page.fetched_at, validate_options)


def companion(page: Path, kind: str) -> Path:
    """A file kept beside a saved page: `x.html.gz` has `x.meta.json` (fetch metadata) and, for
    fixtures, `x.article.json` (the expected result)."""
    name = page.name
    for suffix in (".gz", ".html", ".htm", ".xml"):
        name = name.removesuffix(suffix)
    return page.with_name(f"{name}.{kind}.json")


def metadata_path(page: Path) -> Path:
    return companion(page, "meta")


@dataclass
class Outcome:
    """One page's result: an article, or the reason there is none."""

    url: str
    article: Article | None = None
    reason: str | None = None
    detail: str = ""
    removed: Counter[str] | None = None

    def to_json(self) -> dict[str, Any]:
        if self.article is not None:
            return self.article.to_json()
        return {"url": self.url, "dropped": self.reason, "detail": self.detail}


def article_from_page(
    url: str,
    body: bytes,
    headers: Mapping[str, Any] | None = None,
    fetched_at: datetime | None = None,
    validate_options: dict[str, Any] | None = None,
    source: str | None = None,
) -> Outcome:
    """Page layer → normalize → validate on one page, as the crawl's pipelines would."""
    fetched_at = fetched_at or datetime.now(UTC)
    try:
        raw = extract(url, body, headers, fetched_at)
    except PageError as exc:
        return Outcome(url, reason=exc.reason, detail=exc.detail)
    if source:
        raw.source = source
    removed: Counter[str] = Counter()
    article = normalize(raw, removed)
    try:
        validate(article, **(validate_options or {}))
    except ValidationError as exc:
        return Outcome(url, reason=exc.reason, detail=str(exc), removed=removed)
    return Outcome(url, article=article, removed=removed)
