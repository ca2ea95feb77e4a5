"""The database schema (SQLAlchemy 2): articles with their authors, images and earlier versions, URL
aliases, near-duplicate links and crawl runs. Alembic migrations in exports/migrations create it.

Datetimes are stored as UTC without an offset (the one form SQLite, PostgreSQL and MariaDB share) and
come back aware, in UTC; URLs are looked up by the SHA-1 of their identity (crawler.urls.url_key), which
fits an index on every backend where a 2,000-character URL would not.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# MariaDB/MySQL's TEXT holds 64 KB: bodies need more.
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, UTC naive in the database, aware UTC out."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        # MariaDB's plain DATETIME drops fractional seconds: a stored time would never equal a fetched one.
        if dialect.name in {"mysql", "mariadb"}:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the schema stores aware datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    pass


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url_key: Mapped[str] = mapped_column(String(40), unique=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(64), index=True)
    source_name: Mapped[str | None] = mapped_column(String(200))
    headline: Mapped[str] = mapped_column(Text)
    subtitle: Mapped[str | None] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(String(200))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    body_html: Mapped[str] = mapped_column(LongText)
    body_text: Mapped[str] = mapped_column(LongText)
    description: Mapped[str | None] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)
    feature_text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    content_hash: Mapped[str | None] = mapped_column(String(40), index=True)
    duplicate_of: Mapped[str | None] = mapped_column(Text)
    date_published: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    date_modified: Mapped[datetime | None] = mapped_column(UTCDateTime)
    date_published_raw: Mapped[str | None] = mapped_column(String(200))
    date_modified_raw: Mapped[str | None] = mapped_column(String(200))
    date_source: Mapped[str | None] = mapped_column(String(16))
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    authors: Mapped[list[AuthorRow]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="AuthorRow.position"
    )
    images: Mapped[list[ImageRow]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ImageRow.position"
    )
    versions: Mapped[list[ArticleVersionRow]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleVersionRow.version"
    )

    __table_args__ = (Index("ix_articles_source_published", "source", "date_published"),)


class AuthorRow(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(200), index=True)
    role: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(320))

    article: Mapped[ArticleRow] = relationship(back_populates="authors")


class ImageRow(Base):
    __tablename__ = "images"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    caption: Mapped[str | None] = mapped_column(Text)
    credit: Mapped[str | None] = mapped_column(String(300))
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)
    path: Mapped[str | None] = mapped_column(String(300))

    article: Mapped[ArticleRow] = relationship(back_populates="images")


class ArticleVersionRow(Base):
    """An earlier state of an article, kept when a later crawl found its body or date_modified changed."""

    __tablename__ = "article_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    headline: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(LongText)
    content_hash: Mapped[str | None] = mapped_column(String(40))
    date_modified: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime)

    article: Mapped[ArticleRow] = relationship(back_populates="versions")


class UrlAliasRow(Base):
    """Another URL of a stored article: the URL it was fetched at, or another outlet's copy of its body."""

    __tablename__ = "url_aliases"

    url_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(32))


class NearDuplicateRow(Base):
    """An article that tells the same story as an earlier one (the same wire copy, lightly edited)."""

    __tablename__ = "near_duplicates"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    duplicate_of_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    similarity: Mapped[float] = mapped_column(Float)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignatureRow(Base):
    """The near-duplicate signature of a stored article (pipelines.neardup), in the order they came."""

    __tablename__ = "article_signatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url_key: Mapped[str] = mapped_column(String(40), unique=True)
    canonical_url: Mapped[str] = mapped_column(Text)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    duplicate_of: Mapped[str | None] = mapped_column(Text)


class RunRow(Base):
    """One `scrapy crawl`: when, how it ended, what it stored (new, updated, unchanged), and its summary
        (crawler.monitor): kind (scheduled or backfill), articles, duplicates, drops by reason, pages fetched
        and failed by status, field coverage, seconds; article links discovered, and whether max_items or max_pages
    bounded it on purpose. `stats` keeps all of Scrapy's stats."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    spider: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str | None] = mapped_column(String(16))
    articles: Mapped[int | None] = mapped_column(Integer)
    duplicate: Mapped[int | None] = mapped_column(Integer)
    near_duplicate: Mapped[int | None] = mapped_column(Integer)
    dropped: Mapped[dict[str, int] | None] = mapped_column(JSON)
    pages: Mapped[int | None] = mapped_column(Integer)
    failed: Mapped[dict[str, int] | None] = mapped_column(JSON)
    coverage: Mapped[dict[str, float | None] | None] = mapped_column(JSON)
    seconds: Mapped[float | None] = mapped_column(Float)
    discovered: Mapped[int | None] = mapped_column(Integer)
    bounded: Mapped[bool | None] = mapped_column(Boolean)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ArchiveFileRow(Base):
    """A WARC file a backfill read to its end (the ccnews spider): the same backfill run again skips it."""

    __tablename__ = "archive_files"

    name_key: Mapped[str] = mapped_column(String(40), primary_key=True)  # SHA-1 of its path or URL
    name: Mapped[str] = mapped_column(Text)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
