"""Articles in a SQL database: the upsert pipeline, the crawl's store of seen URLs, and reading back.

DATABASE_URL chooses the database: a SQLite file by default (created with its folder on first use),
`postgresql+psycopg://…` or `mysql+pymysql://…` (MariaDB too). The schema is created or upgraded by
Alembic the first time a process opens the database, or by hand:
`.venv/bin/alembic -c exports/alembic.ini -x url=URL upgrade head`.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, cast

import numpy as np
from alembic import command
from alembic.config import Config
from itemadapter import ItemAdapter
from scrapy import signals
from sqlalchemy import (
    Engine,
    Select,
    String,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from twisted.internet import task

from crawler.items import Article, adapt, article_adapter
from crawler.store import store_for
from crawler.urls import url_key
from exports.models import (
    ArchiveFileRow,
    ArticleRow,
    ArticleVersionRow,
    AuthorRow,
    ImageRow,
    NearDuplicateRow,
    RunRow,
    SignatureRow,
    UrlAliasRow,
)

logger = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///output/news.sqlite3"
SUMMARY_COLUMNS = (
    "articles",
    "duplicate",
    "near_duplicate",
    "dropped",
    "pages",
    "failed",
    "coverage",
    "seconds",
    "discovered",
    "bounded",
)
A, AUTHORS, IMAGES, VERSIONS, ALIASES, RUNS, NEAR, SIGNATURES, FILES = (
    cast(Table, model.__table__)
    for model in (
        ArticleRow,
        AuthorRow,
        ImageRow,
        ArticleVersionRow,
        UrlAliasRow,
        RunRow,
        NearDuplicateRow,
        SignatureRow,
        ArchiveFileRow,
    )
)


# The per-article lookups, built once (building a statement took longer than SQLite running it).
# One round trip: the article's dates if it is stored under this key, else whether an alias is.
_STORED_UNDER = (
    select(A.c.date_published, A.c.fetched_at, literal(False).label("alias"))
    .where(A.c.url_key == bindparam("key"))
    .union_all(
        select(literal(None), literal(None), literal(True)).where(ALIASES.c.url_key == bindparam("key"))
    )
    .limit(1)
)
_STORED_WITH_BODY = select(A.c.canonical_url).where(A.c.content_hash == bindparam("content_hash")).limit(1)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per database URL and process, its schema brought to the latest migration."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # A server may have closed a pooled connection: it is tested before use. A file has no server (the
    # test, one more query each time, was a tenth of the crawl's database time).
    engine = create_engine(url, pool_pre_ping=not sqlite)
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    upgrade(engine)
    return engine


@lru_cache(maxsize=1)
def migrations_folder() -> Path:
    """The Alembic scripts as a folder on disk. Alembic reads files, and in Scrapyd's zipped egg the
    package's files are inside the zip: there they are copied to a temporary folder once per process."""
    here = Path(__file__).with_name("migrations")
    if here.is_dir():
        return here
    target = Path(tempfile.mkdtemp(prefix="news-migrations-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    _copy_tree(resources.files("exports") / "migrations", target)
    return target


def _copy_tree(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            (target / entry.name).mkdir()
            _copy_tree(entry, target / entry.name)
        elif entry.name.endswith((".py", ".mako")):
            (target / entry.name).write_bytes(entry.read_bytes())


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    # WAL lets a reader (the export, the analyst) work while a crawl writes; foreign keys cascade.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def upgrade(engine: Engine, attempts: int = 3) -> None:
    """Create or migrate the schema to the newest Alembic revision.

    Processes that open a new database together (a distributed run's first start) take turns: an
    advisory lock on PostgreSQL and MariaDB, and a second look after a failure, when the other process
    has created the tables meanwhile, everywhere."""
    config = Config()
    config.set_main_option("script_location", str(migrations_folder()))
    for attempt in range(attempts):
        try:
            with engine.begin() as connection:
                backend = connection.dialect.name
                if backend == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(7272727)"))
                elif backend in {"mysql", "mariadb"}:
                    connection.execute(text("SELECT GET_LOCK('news_schema', 120)"))
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if backend in {"mysql", "mariadb"}:
                    connection.execute(text("SELECT RELEASE_LOCK('news_schema')"))
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            logger.info("Schema upgrade met another process's; looking again")
            time.sleep(1 + attempt)


def _limits(table: Table) -> dict[str, int]:
    return {c.name: c.type.length for c in table.columns if isinstance(c.type, String) and c.type.length}


# Length-limited columns: a longer value is cut to fit rather than failing the row (PostgreSQL and MariaDB
# refuse it; one page's 300-character section must not cost its article).
LIMITS = {table.name: _limits(table) for table in (A, AUTHORS, IMAGES)}


def fit(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """`row` with every string cut to its column's length."""
    limits = LIMITS[table.name]
    return {
        k: v[: limits[k]] if k in limits and isinstance(v, str) and len(v) > limits[k] else v
        for k, v in row.items()
    }


def _row(article: ItemAdapter, now: datetime, key: str | None = None) -> dict[str, Any]:
    return fit(
        A,
        {
            "url_key": key or url_key(article["canonical_url"]),
            "url": article["url"],
            "canonical_url": article["canonical_url"],
            "source": article["source"],
            "source_name": article["source_name"],
            "headline": article["headline"],
            "subtitle": article["subtitle"],
            "section": article["section"],
            "categories": article["categories"],
            "tags": article["tags"],
            "body_html": article["body_html"],
            "body_text": article["body_text"],
            "description": article["description"],
            "excerpt": article["excerpt"],
            "feature_text": article["feature_text"],
            "language": article["language"],
            "content_hash": article["content_hash"],
            "duplicate_of": article["duplicate_of"],
            "date_published": article["date_published"],
            "date_modified": article["date_modified"],
            "date_published_raw": article["date_published_raw"] or None,
            "date_modified_raw": article["date_modified_raw"] or None,
            "date_source": article["date_source"],
            "fetched_at": article["fetched_at"],
            "warc_file": article.get("warc_file"),
            "warc_offset": article.get("warc_offset"),
            "updated_at": now,
        },
    )


# What a new reading of a stored article may change besides its body and headline: a re-crawl, or
# `scrapy reextract` with a better rule, finding a byline, a date or tags the first reading missed.
_COMPARED = (
    "source_name",
    "subtitle",
    "section",
    "categories",
    "tags",
    "description",
    "excerpt",
    "feature_text",
    "language",
    "date_published",
    "date_published_raw",
    "date_modified_raw",
    "date_source",
    "body_html",
)


def _changed(article: ItemAdapter, stored: Any, children: Any, now: datetime) -> bool:
    if article["content_hash"] != stored.content_hash or article["headline"] != stored.headline:
        return True
    if article["date_modified"] is not None and article["date_modified"] != stored.date_modified:
        return True
    row = _row(article, now, stored.url_key)
    return any(row[c] != getattr(stored, c) for c in _COMPARED) or _child_rows(stored.id, article) != children


def _name_key(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()  # a key, not a secret


def _older(article: ItemAdapter, stored: Any) -> bool:
    fetched = article["fetched_at"]
    return fetched is not None and stored.fetched_at is not None and fetched < stored.fetched_at


def _child_rows(i: int, article: ItemAdapter) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The `article_authors` and `article_images` rows of an article, as written."""
    main = article["main_image"]
    authors = [
        fit(
            AUTHORS,
            {"article_id": i, "position": n, "name": a["name"], "role": a["role"], "email": a["email"]},
        )
        for n, a in enumerate(article["authors"])
    ]
    images = [
        fit(
            IMAGES,
            {
                "article_id": i,
                "position": n,
                "url": image["url"],
                "caption": image.get("caption"),
                "credit": image.get("credit") or None,
                "path": image.get("path"),
                "is_main": bool(main and image["url"] == main["url"]),
            },
        )
        for n, image in enumerate(article["images"])
    ]
    return authors, images


def _stored_children(
    connection: Any, ids: list[int]
) -> dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """The author and image rows of stored articles, as `_child_rows` gives them."""
    found: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {i: ([], []) for i in ids}
    for table, slot in ((AUTHORS, 0), (IMAGES, 1)):
        columns = [c for c in table.c if c.name != "id"]
        query = (
            select(*columns).where(table.c.article_id.in_(ids)).order_by(table.c.article_id, table.c.position)
        )
        for row in connection.execute(query):
            found[row.article_id][slot].append(dict(row._mapping))
    return found


class SqlWriter:
    """Writes batches of articles in one transaction each: new ones inserted, changed ones updated with
    their previous state kept in `article_versions`, unchanged ones left alone. Idempotent: the same
    article twice is one row."""

    def __init__(self, engine: Engine, store: SqlStore | None = None) -> None:
        self.engine = engine
        self.store = store  # its staged near-duplicate signatures are written with their articles

    def write(self, articles: Iterable[Any]) -> dict[str, int]:
        """Writes articles of any item type (through ItemAdapter); the counts of new, updated, unchanged."""
        now = datetime.now(UTC)
        batch = {
            url_key(a["canonical_url"]): a for a in map(adapt, articles)
        }  # the last copy of an article in a batch wins
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        with self.engine.begin() as connection:
            stored = {
                row.url_key: row
                for row in connection.execute(
                    select(
                        A.c.id,
                        A.c.url_key,
                        A.c.content_hash,
                        A.c.headline,
                        A.c.date_modified,
                        A.c.version,
                        A.c.body_text,
                        A.c.fetched_at,
                        A.c.duplicate_of,
                        A.c.warc_file,
                        A.c.warc_offset,
                        *(A.c[c] for c in _COMPARED),
                    ).where(A.c.url_key.in_(list(batch)))
                )
            }
            fresh = [key for key in batch if key not in stored]
            ids: dict[str, int] = {}
            if fresh:
                rows = [{**_row(batch[k], now, k), "first_seen_at": now, "version": 1} for k in fresh]
                inserted = connection.execute(
                    insert(A).returning(A.c.id, A.c.url_key, sort_by_parameter_order=True), rows
                )
                ids.update({row.url_key: row.id for row in inserted})
                counts["new"] = len(fresh)
            children = _stored_children(connection, [row.id for row in stored.values()])
            # An older fetch read again (`scrapy reextract --warc` on an old file) never replaces a newer one.
            changed = [
                k
                for k in batch
                if k in stored
                and not _older(batch[k], stored[k])
                and _changed(batch[k], stored[k], children[stored[k].id], now)
            ]
            for key in changed:
                old = stored[key]
                connection.execute(
                    insert(VERSIONS),
                    {
                        "article_id": old.id,
                        "version": old.version,
                        "headline": old.headline,
                        "body_text": old.body_text,
                        "content_hash": old.content_hash,
                        "date_modified": old.date_modified,
                        "fetched_at": old.fetched_at,
                        "replaced_at": now,
                    },
                )
                connection.execute(
                    update(A)
                    .where(A.c.id == old.id)
                    .values(**_row(batch[key], now, key), version=old.version + 1)
                )
                ids[key] = old.id
            if changed:
                changed_ids = [stored[k].id for k in changed]
                connection.execute(delete(AUTHORS).where(AUTHORS.c.article_id.in_(changed_ids)))
                connection.execute(delete(IMAGES).where(IMAGES.c.article_id.in_(changed_ids)))
            counts["updated"] = len(changed)
            unchanged = [k for k in batch if k in stored and k not in ids]
            counts["unchanged"] = len(unchanged)
            self._refetched(connection, [(stored[k], batch[k]) for k in unchanged])
            self._children(connection, {ids[k]: batch[k] for k in ids})
            self._near_duplicates(
                connection, {stored[k].id if k in stored else ids[k]: batch[k] for k in batch}, now
            )
            self._aliases(connection, {stored[k].id if k in stored else ids[k]: (k, batch[k]) for k in batch})
            if self.store is not None:
                self._signatures(connection, self.store.staged(batch))
        if self.store is not None:
            self.store.signatures_written(batch)  # committed: a failed batch keeps them for its retry
        return counts

    def _refetched(self, connection: Any, pairs: list[tuple[Any, ItemAdapter]]) -> None:
        """Unchanged articles fetched again: their copy is now this fresh (so the recheck of recent articles
        waits NEWS_RECHECK_HOURS again), and a near-duplicate link found since is kept."""
        rows = [
            {
                "row_id": old.id,
                "duplicate_of": old.duplicate_of or new["duplicate_of"],
                # The newest fetch, and its archived response (an older one read again changes neither).
                **(
                    {"fetched_at": old.fetched_at, "warc_file": old.warc_file, "warc_offset": old.warc_offset}
                    if _older(new, old)
                    else {
                        "fetched_at": new["fetched_at"] or old.fetched_at,
                        "warc_file": new.get("warc_file") or old.warc_file,
                        "warc_offset": new.get("warc_offset") if new.get("warc_file") else old.warc_offset,
                    }
                ),
            }
            for old, new in pairs
        ]
        if rows:
            connection.execute(
                update(A)
                .where(A.c.id == bindparam("row_id"))
                .values(
                    fetched_at=bindparam("fetched_at"),
                    duplicate_of=bindparam("duplicate_of"),
                    warc_file=bindparam("warc_file"),
                    warc_offset=bindparam("warc_offset"),
                ),
                rows,
            )

    def _children(self, connection: Any, articles: dict[int, ItemAdapter]) -> None:
        authors, images = [], []
        for i, article in articles.items():
            own = _child_rows(i, article)
            authors += own[0]
            images += own[1]
        if authors:
            connection.execute(insert(AUTHORS), authors)
        if images:
            connection.execute(insert(IMAGES), images)

    def _near_duplicates(self, connection: Any, articles: dict[int, ItemAdapter], now: datetime) -> None:
        """Link near-duplicates to the stored article they copy, once each (new articles, and stored ones
        whose link was found on a later fetch)."""
        links = {i: a for i, a in articles.items() if a["duplicate_of"]}
        if links:
            linked = set(
                connection.scalars(select(NEAR.c.article_id).where(NEAR.c.article_id.in_(list(links))))
            )
            links = {i: a for i, a in links.items() if i not in linked}
        if not links:
            return
        targets = {url_key(a["duplicate_of"] or "") for a in links.values()}
        found = {
            row.url_key: row.id
            for row in connection.execute(select(A.c.url_key, A.c.id).where(A.c.url_key.in_(list(targets))))
        }
        rows = [
            {
                "article_id": i,
                "duplicate_of_id": found[url_key(a["duplicate_of"] or "")],
                "similarity": a["duplicate_score"] or 0.0,
                "detected_at": now,
            }
            for i, a in links.items()
            if url_key(a["duplicate_of"] or "") in found
        ]
        if rows:
            connection.execute(insert(NEAR), rows)

    def _signatures(self, connection: Any, staged: dict[str, tuple[str, bytes, str | None]]) -> None:
        if not staged:
            return
        known = set(
            connection.scalars(select(SIGNATURES.c.url_key).where(SIGNATURES.c.url_key.in_(list(staged))))
        )
        rows = [
            {"url_key": k, "canonical_url": u, "signature": s, "duplicate_of": d}
            for k, (u, s, d) in staged.items()
            if k not in known
        ]
        if rows:
            connection.execute(insert(SIGNATURES), rows)

    def _aliases(self, connection: Any, articles: dict[int, tuple[str, ItemAdapter]]) -> None:
        """The fetched URL of each article, where it differs from the canonical one."""
        fetched = {
            i: (url_key(a["url"]), a["url"])
            for i, (key, a) in articles.items()
            if a["url"] != a["canonical_url"]
        }
        wanted = {k: (i, url) for i, (k, url) in fetched.items() if k != articles[i][0]}
        if not wanted:
            return
        table = ALIASES
        known = set(connection.scalars(select(table.c.url_key).where(table.c.url_key.in_(list(wanted)))))
        rows = [
            {"url_key": k, "url": url, "article_id": i, "reason": "fetched"}
            for k, (i, url) in wanted.items()
            if k not in known
        ]
        if rows:
            connection.execute(insert(table), rows)


# Sent after every flush of the writer's batch, written or not, with the URLs of the articles the database
# refused (`failed`): the other items that passed the writer before it are committed. A distributed job
# releases its finished requests on it.
batch_written = object()


class SqlPipeline:
    """Stores articles in DATABASE_URL, NEWS_DB_BATCH at a time, and records the run in `runs`.

    A crash loses at most the batch in flight, which was never committed; the next run fetches those
    articles again because the store does not know them."""

    def __init__(self, crawler: Any, database_url: str, batch_size: int, flush_seconds: float = 10) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.database_url = database_url
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.pending: list[ItemAdapter] = []
        self.run_id: int | None = None
        # A batch that fills slowly is written all the same: crawls beside this one look for its duplicates.
        self.ticker = task.LoopingCall(self.flush)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SqlPipeline:
        pipeline = cls(
            crawler,
            crawler.settings.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            crawler.settings.getint("NEWS_DB_BATCH", 100),
            crawler.settings.getfloat("NEWS_DB_FLUSH_SECONDS", 10),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        # Idle, nothing is in flight: what waits in the batch is all there is for now.
        crawler.signals.connect(pipeline.flush, signal=signals.spider_idle)
        return pipeline

    def open_spider(self) -> None:
        self.stats.set_value("news/db/received", 0)  # also says the database is one of this run's outputs
        store = store_for(self.crawler)
        self.writer = SqlWriter(engine_for(self.database_url), store if isinstance(store, SqlStore) else None)
        if self.flush_seconds > 0:
            self.ticker.start(self.flush_seconds, now=False)
        spider = self.crawler.spider.name if self.crawler.spider else "?"
        with self.writer.engine.begin() as connection:
            self.run_id = connection.execute(
                insert(RUNS).returning(RUNS.c.id),
                {"spider": spider, "started_at": datetime.now(UTC), "new": 0, "updated": 0, "unchanged": 0},
            ).scalar_one()

    def process_item(self, item: Any) -> Any:
        article = article_adapter(item)
        if article is not None:
            self.stats.inc_value("news/db/received")
            self.pending.append(article)
            if len(self.pending) >= self.batch_size:
                self.flush()
        return item

    def flush(self) -> None:
        """Writes the waiting batch in one transaction; if the database refuses it, article by article, so
        only the article it refuses is lost (counted as `news/db/failed`, logged with its URL)."""
        batch, self.pending = self.pending, []
        failed = self._write(batch) if batch else []
        if self.writer.store is not None:
            try:
                self.writer.store.write_finished_files()  # after the batch that held their articles
            except Exception as error:
                logger.error(
                    "Finished WARC files not recorded yet (tried again after the next batch): %s", error
                )
        self.crawler.signals.send_catch_log(batch_written, failed=failed)

    def _write(self, batch: list[ItemAdapter]) -> list[str]:
        """Writes the batch; the URLs of the articles the database refused."""
        failed = []
        try:
            self._count(self.writer.write(batch), len(batch))
        except Exception as error:
            logger.warning("A batch of %d articles failed (%s); writing them one by one", len(batch), error)
            for article in batch:
                # Any error: an article the database refuses (or a fault of ours) must not cost the others.
                try:
                    self._count(self.writer.write([article]), 1)
                except Exception as single:
                    self.stats.inc_value("news/db/failed")
                    logger.error("Not stored: %s: %s", article["url"], single)
                    failed.append(article["url"])
        if self.writer.store is not None:
            try:
                self.writer.store.write_aliases()  # the copies of what this batch stored
            except Exception as error:
                logger.error("Aliases not stored yet (tried again after the next batch): %s", error)
        return failed

    def _count(self, counts: dict[str, int], articles: int) -> None:
        for kind, count in counts.items():
            self.stats.inc_value(f"news/db/{kind}", count)
        # Copies of one article in a batch are one row: counted, so written + merged = received.
        self.stats.inc_value("news/db/merged", articles - sum(counts.values()))

    def close_spider(self) -> None:
        if self.ticker.running:
            self.ticker.stop()
        # flush() never raises, so the other pipelines' closes run; what it could not write is counted and
        # fails the run's storage check.
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.run_id is None:
            return
        stats: dict[str, Any] = {
            k: v.isoformat() if isinstance(v, datetime) else v
            for k, v in self.crawler.stats.get_stats().items()
        }
        # The monitor's summary (crawler.monitor), when it made one, in its own columns.
        summary = stats.get("news/summary") or {}
        columns = {name: summary[name] for name in SUMMARY_COLUMNS if name in summary}
        counts = {kind: stats.get(f"news/db/{kind}", 0) for kind in ("new", "updated", "unchanged")}
        with self.writer.engine.begin() as connection:
            connection.execute(
                update(RUNS)
                .where(RUNS.c.id == self.run_id)
                .values(
                    finished_at=datetime.now(UTC),
                    finish_reason=reason,
                    stats=stats,
                    kind=stats.get("news/run_kind"),
                    **columns,
                    **counts,
                )
            )


class KeyFilter:
    """A set of 40-hex-digit keys in eight bytes each (their first 16 digits, sorted): membership for
    hundreds of thousands of stored articles in a few megabytes. A prefix collision (one in 2^64) only
    costs a query."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.values = np.sort(np.fromiter((int(k[:16], 16) for k in keys), dtype=np.uint64))

    def __contains__(self, key: str) -> bool:
        value = np.uint64(int(key[:16], 16))
        i = int(np.searchsorted(self.values, value))
        return i < len(self.values) and self.values[i] == value


class SqlStore:
    """The crawl's store in the database: an article is seen when its URL or canonical URL is stored,
    as an article or an alias. Articles of this run not yet flushed count as seen too.

    Recent articles are looked at again: one published in the last NEWS_RECHECK_DAYS (2) whose copy is
    older than NEWS_RECHECK_HOURS (6) counts as unseen, so scheduled runs notice corrections."""

    def __init__(
        self, engine: Engine, recheck_days: float = 2, recheck_hours: float = 6, prefilter: bool = True
    ) -> None:
        self.engine = engine
        self.recheck_window = timedelta(days=recheck_days)
        self.recheck_after = timedelta(hours=recheck_hours)
        self.pending: set[str] = set()
        self.pending_bodies: dict[str, str] = {}
        self.waiting_aliases: dict[str, tuple[str, str, str]] = {}  # key → (url, canonical, reason)
        self.staged_signatures: dict[str, tuple[str, bytes, str | None]] = {}
        self.finished_files: list[str] = []
        self.use_prefilter = prefilter
        self._known: KeyFilter | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SqlStore:
        settings = crawler.settings
        return cls(
            engine_for(settings.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            settings.getfloat("NEWS_RECHECK_DAYS", 2),
            settings.getfloat("NEWS_RECHECK_HOURS", 6),
            settings.getbool("NEWS_STORE_PREFILTER", True),
        )

    def _prefilter(self) -> KeyFilter | None:
        """The URL keys stored when this process first asked, read once: a key absent from them (and not
        stored by this process since) needs no query. Off for several processes sharing one database,
        where another process's new rows would be missed (NEWS_STORE_PREFILTER); a miss there costs only
        a fetch, which the database's upsert makes harmless."""
        if not self.use_prefilter:
            return None
        if self._known is None:
            with self.engine.connect() as connection:
                self._known = KeyFilter(
                    connection.scalars(select(A.c.url_key).union_all(select(ALIASES.c.url_key)))
                )
        return self._known

    def seen(self, url: str) -> bool:
        key = url_key(url)
        if key in self.pending:
            return True
        known = self._prefilter()
        if known is not None and key not in known:
            return False
        with self.engine.connect() as connection:
            row = connection.execute(_STORED_UNDER, {"key": key}).first()
        if row is None:
            return False
        if row.alias:
            return True
        now = datetime.now(UTC)
        recent = row.date_published is not None and now - row.date_published < self.recheck_window
        stale = row.fetched_at is None or now - row.fetched_at > self.recheck_after
        return not (recent and stale)

    def remember(self, item: Any) -> None:
        article = adapt(item)
        self.pending.update(url_key(u) for u in (article["url"], article["canonical_url"]) if u)
        if article["content_hash"]:
            self.pending_bodies.setdefault(article["content_hash"], article["canonical_url"])

    def same_body(self, content_hash: str) -> str | None:
        """Asked of the database every time (one indexed query per extracted article): another crawl
        running at the same time, on another site, may have stored this body a moment ago."""
        if content_hash in self.pending_bodies:
            return self.pending_bodies[content_hash]
        with self.engine.connect() as connection:
            return connection.execute(_STORED_WITH_BODY, {"content_hash": content_hash}).scalar()

    def add_alias(self, url: str, canonical_url: str, reason: str = "same_body") -> None:
        key = url_key(url)
        self.pending.add(key)
        if key != url_key(canonical_url):
            self.waiting_aliases[key] = (url, canonical_url, reason)
            self.write_aliases()

    def file_finished(self, name: str) -> bool:
        with self.engine.connect() as connection:
            return (
                connection.execute(
                    select(FILES.c.name_key).where(FILES.c.name_key == _name_key(name))
                ).first()
                is not None
            )

    def finish_file(self, name: str) -> None:
        self.finished_files.append(name)  # written after the batch that holds its last articles

    def write_finished_files(self) -> None:
        """Records the WARC files finished since the last call; the pipeline calls it after each batch."""
        if not self.finished_files:
            return
        rows = {_name_key(n): n for n in self.finished_files}
        with self.engine.begin() as connection:
            known = set(connection.scalars(select(FILES.c.name_key).where(FILES.c.name_key.in_(list(rows)))))
            fresh = [
                {"name_key": k, "name": n, "finished_at": datetime.now(UTC)}
                for k, n in rows.items()
                if k not in known
            ]
            if fresh:
                connection.execute(insert(FILES), fresh)
        self.finished_files = []

    def write_aliases(self) -> None:
        """Writes the aliases whose article is stored; one whose article still waits in the writer's
        batch is kept for the next call (the writer makes one after each batch it writes)."""
        if not self.waiting_aliases:
            return
        with self.engine.begin() as connection:
            targets = {url_key(c) for _, c, _ in self.waiting_aliases.values()}
            ids = dict(connection.execute(select(A.c.url_key, A.c.id).where(A.c.url_key.in_(targets))).all())
            keys = [k for k, (_, c, _) in self.waiting_aliases.items() if url_key(c) in ids]
            known = set(connection.scalars(select(ALIASES.c.url_key).where(ALIASES.c.url_key.in_(keys))))
            rows = [
                {"url_key": k, "url": u, "article_id": ids[url_key(c)], "reason": reason}
                for k in keys
                if k not in known
                for u, c, reason in [self.waiting_aliases[k]]
            ]
            if rows:
                connection.execute(insert(ALIASES), rows)
        for key in keys:
            del self.waiting_aliases[key]

    def signatures(self, after: int = 0) -> Iterator[tuple[int, str, bytes, str | None]]:
        """(id, canonical URL, signature, duplicate_of) of the stored signatures after id `after`, oldest
        first: all of them at start, then what other processes saved since."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    SIGNATURES.c.id,
                    SIGNATURES.c.canonical_url,
                    SIGNATURES.c.signature,
                    SIGNATURES.c.duplicate_of,
                )
                .where(SIGNATURES.c.id > after)
                .order_by(SIGNATURES.c.id)
            )
            for row_id, url, data, duplicate_of in rows:
                yield row_id, url, bytes(data), duplicate_of

    def stage_signature(self, url: str, signature: bytes, duplicate_of: str | None) -> None:
        """A new article's near-duplicate signature, written with the article by the SQL writer."""
        self.staged_signatures[url_key(url)] = (url, signature, duplicate_of)

    def staged(self, keys: Iterable[str]) -> dict[str, tuple[str, bytes, str | None]]:
        return {k: self.staged_signatures[k] for k in keys if k in self.staged_signatures}

    def signatures_written(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.staged_signatures.pop(key, None)


def published_in(query: Select, since: datetime | None, until: datetime | None, source: str | None) -> Select:
    """`query` narrowed to articles published in [since, until] and of `source` (each where given): the
    selection `scrapy export` and `scrapy reextract` share."""
    if since:
        query = query.where(ArticleRow.date_published >= since)
    if until:
        query = query.where(ArticleRow.date_published <= until)
    if source:
        query = query.where(ArticleRow.source == source)
    return query


def read_articles(
    engine: Engine,
    since: datetime | None = None,
    until: datetime | None = None,
    source: str | None = None,
    batch: int = 500,
) -> Iterator[Article]:
    """Stored articles published in [since, until] (and of `source`), oldest first, as Articles."""
    from sqlalchemy.orm import Session, selectinload

    query = select(ArticleRow).options(selectinload(ArticleRow.authors), selectinload(ArticleRow.images))
    query = published_in(query, since, until, source).order_by(ArticleRow.date_published, ArticleRow.id)
    with Session(engine) as session:
        for row in session.scalars(query.execution_options(yield_per=batch)):
            yield article_from_row(row)


def article_from_row(row: ArticleRow) -> Article:
    images = [
        {"url": i.url, "caption": i.caption, "credit": i.credit, **({"path": i.path} if i.path else {})}
        for i in row.images
    ]
    main = next((img for img, i in zip(images, row.images, strict=True) if i.is_main), None)
    fields = {
        f: getattr(row, f)
        for f in (
            "url",
            "canonical_url",
            "source",
            "source_name",
            "headline",
            "subtitle",
            "date_published",
            "date_modified",
            "date_published_raw",
            "date_modified_raw",
            "date_source",
            "section",
            "categories",
            "tags",
            "body_html",
            "body_text",
            "description",
            "excerpt",
            "feature_text",
            "language",
            "content_hash",
            "duplicate_of",
            "fetched_at",
            "warc_file",
            "warc_offset",
        )
    }
    authors = [{"name": a.name, "role": a.role, "email": a.email} for a in row.authors]
    return Article(**fields, authors=authors, images=images, main_image=main)  # type: ignore[arg-type]
