"""The database exporter on SQLite, PostgreSQL and MariaDB: schema, idempotent upserts, versions,
consistency after a failed batch, the crawl's store, and reading back."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from crawler.items import Article
from crawler.korean.dates import KST
from crawler.offline import SavedPage, article_from_page
from exports.models import ArticleRow, ArticleVersionRow, AuthorRow, ImageRow, UrlAliasRow
from exports.sql import SqlStore, SqlWriter, engine_for, read_articles

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parents[1]
REAL = ["naver/article-2.html", "yna/article-1.html", "mk/article-1.html.gz", "hankookilbo/article-2.html.gz"]


def real_articles() -> list[Article]:
    articles = []
    for name in REAL:
        page = SavedPage.read(FIXTURES / name)
        assert page.url
        outcome = article_from_page(page.url, page.body, page.headers, page.fetched_at)
        assert outcome.article is not None
        articles.append(outcome.article)
    return articles


def count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_schema_is_created_on_first_use(database_url: str) -> None:
    tables = set(inspect(engine_for(database_url)).get_table_names())
    assert {
        "articles",
        "authors",
        "images",
        "article_versions",
        "url_aliases",
        "near_duplicates",
        "runs",
        "alembic_version",
    } <= tables


def test_same_articles_twice_are_one_row_each(database_url: str) -> None:
    engine = engine_for(database_url)
    writer = SqlWriter(engine)
    articles = real_articles()
    assert writer.write(articles) == {"new": 4, "updated": 0, "unchanged": 0}
    assert writer.write(articles + articles[:1]) == {"new": 0, "updated": 0, "unchanged": 4}
    assert count(engine, ArticleRow) == 4
    assert count(engine, AuthorRow) == sum(len(a.authors) for a in articles)
    assert count(engine, ImageRow) == sum(len(a.images) for a in articles)


def test_changed_body_updates_and_keeps_the_previous_version(database_url: str) -> None:
    engine = engine_for(database_url)
    writer = SqlWriter(engine)
    original = real_articles()[0]
    writer.write([original])
    edited = dataclasses.replace(
        original,
        body_text=original.body_text + "\n\n(정정) 가격을 바로잡습니다.",
        content_hash="0" * 40,
        date_modified=original.date_modified + timedelta(hours=2),
        authors=original.authors[:0],
    )
    assert writer.write([edited]) == {"new": 0, "updated": 1, "unchanged": 0}
    with engine.connect() as connection:
        row = connection.execute(
            select(ArticleRow.version, ArticleRow.body_text, ArticleRow.date_modified)
        ).one()
        (old,) = connection.execute(
            select(ArticleVersionRow.version, ArticleVersionRow.body_text, ArticleVersionRow.date_modified)
        ).all()
    assert row.version == 2 and row.body_text.endswith("바로잡습니다.")
    assert (
        old.version == 1
        and old.body_text == original.body_text
        and old.date_modified == original.date_modified
    )
    assert count(engine, AuthorRow) == 0  # the children follow the new version


def test_a_failed_batch_leaves_nothing_and_the_next_run_completes_it(database_url: str) -> None:
    engine = engine_for(database_url)
    articles = real_articles()
    broken = dataclasses.replace(articles[2], date_published=datetime(2024, 1, 1))  # naive: refused mid-batch
    with pytest.raises(Exception, match="naive datetime"):
        SqlWriter(engine).write([*articles[:2], broken])
    assert count(engine, ArticleRow) == 0 and count(engine, AuthorRow) == 0
    assert SqlWriter(engine).write(articles) == {"new": 4, "updated": 0, "unchanged": 0}


def test_round_trip_keeps_korean_text_times_and_order(database_url: str) -> None:
    engine = engine_for(database_url)
    articles = real_articles()
    big = dataclasses.replace(
        articles[0],
        url="https://n.news.naver.com/mnews/article/003/9999999999",
        canonical_url="https://n.news.naver.com/mnews/article/003/9999999999",
        body_text="가" * 300_000,
        body_html="<p>" + "나" * 300_000 + "</p>",
    )
    SqlWriter(engine).write([*articles, big])
    back = {a.canonical_url: a for a in read_articles(engine)}
    for article in [*articles, big]:
        stored = back[article.canonical_url]
        for field in (
            "headline",
            "subtitle",
            "authors",
            "body_text",
            "body_html",
            "excerpt",
            "categories",
            "tags",
            "main_image",
            "images",
            "source_name",
            "date_published",
            "date_modified",
        ):
            assert getattr(stored, field) == getattr(article, field), field
        assert stored.date_published.utcoffset() == timedelta(0)


def test_window_and_source_filters(database_url: str) -> None:
    engine = engine_for(database_url)
    SqlWriter(engine).write(real_articles())
    since = datetime(2025, 1, 1, tzinfo=KST)
    assert {a.source for a in read_articles(engine, since=since)} == {"mk", "hankookilbo"}
    assert [a.source for a in read_articles(engine, source="yna")] == ["yna"]
    assert (
        next(
            iter(read_articles(engine, since=since, until=datetime(2025, 12, 31, tzinfo=KST), source="mk"))
        ).source
        == "mk"
    )


def test_store_knows_canonical_and_fetched_urls(database_url: str) -> None:
    engine = engine_for(database_url)
    naver = real_articles()[0]
    fetched = "https://news.naver.com/main/read.naver?mode=LSD&mid=shm&sid1=101&oid=003&aid=0012577249"
    elsewhere = dataclasses.replace(naver, url="https://www.newsis.com/view/?id=NISX20240530_0002754461")
    SqlWriter(engine).write([elsewhere])
    store = SqlStore(engine)
    assert store.seen(naver.canonical_url) and store.seen(fetched)  # Naver's forms are one article
    assert store.seen(elsewhere.url)  # the URL it was fetched at is an alias
    assert not store.seen("https://n.news.naver.com/mnews/article/003/0000000001")
    assert count(engine, UrlAliasRow) == 1
    fresh = dataclasses.replace(naver, url="https://x.example/a", canonical_url="https://x.example/a")
    store.remember(fresh)
    assert store.seen("https://x.example/a")


def test_alembic_command_upgrades_a_fresh_database(database_url: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "alembic",
            "-c",
            "exports/alembic.ini",
            "-x",
            f"url={database_url}",
            "upgrade",
            "head",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "articles" in inspect(engine_for(database_url)).get_table_names()


def test_timestamps_are_aware(database_url: str) -> None:
    engine = engine_for(database_url)
    SqlWriter(engine).write(real_articles()[:1])
    with engine.connect() as connection:
        first_seen = connection.execute(select(ArticleRow.first_seen_at)).scalar_one()
    assert first_seen.tzinfo is UTC and abs(first_seen - datetime.now(UTC)) < timedelta(minutes=5)


def test_recent_articles_are_rechecked_for_corrections(database_url: str) -> None:
    engine = engine_for(database_url)
    now = datetime.now(UTC)
    base = real_articles()[0]
    fresh_copy = dataclasses.replace(
        base,
        url="https://e.example/1",
        canonical_url="https://e.example/1",
        date_published=now - timedelta(days=1),
        fetched_at=now - timedelta(minutes=5),
    )
    stale_copy = dataclasses.replace(
        fresh_copy,
        url="https://e.example/2",
        canonical_url="https://e.example/2",
        fetched_at=now - timedelta(hours=10),
    )
    old_story = dataclasses.replace(
        stale_copy,
        url="https://e.example/3",
        canonical_url="https://e.example/3",
        date_published=now - timedelta(days=30),
    )
    SqlWriter(engine).write([fresh_copy, stale_copy, old_story])
    store = SqlStore(engine, recheck_days=2, recheck_hours=6)
    assert store.seen("https://e.example/1")  # fetched minutes ago
    assert not store.seen("https://e.example/2")  # published yesterday, last fetched 10 hours ago: again
    assert store.seen("https://e.example/3")  # a month old: left alone


def test_prefilter_answers_from_memory_and_can_be_turned_off(database_url: str) -> None:
    engine = engine_for(database_url)
    naver, yna = real_articles()[:2]
    SqlWriter(engine).write([naver])
    store = SqlStore(engine)
    assert store.seen(naver.canonical_url) and not store.seen(yna.canonical_url)
    SqlWriter(engine).write([yna])  # as another process would, after this one read its prefilter
    assert not store.seen(yna.canonical_url)  # a refetch at worst: the upsert keeps one row
    assert SqlStore(engine, prefilter=False).seen(yna.canonical_url)
    assert store.same_body(naver.content_hash) == naver.canonical_url


def alembic(database_url: str, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "exports/alembic.ini", "-x", f"url={database_url}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_migrated_schema_is_what_the_models_declare(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from exports.models import Base

    with engine_for(database_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_runs_of_an_earlier_schema_keep_their_summary(database_url: str) -> None:
    from sqlalchemy import create_engine, text

    alembic(database_url, "upgrade", "0002")
    summary = {"articles": 7, "duplicate": 1, "near_duplicate": 2, "dropped": {"no_body": 3}, "pages": 12}
    summary |= {"failed": {"404": 1}, "coverage": {"headline": 1.0, "authors": 0.5}, "seconds": 4.5}
    stats = json.dumps({"news/run_kind": "backfill", "news/summary": summary})
    engine = create_engine(database_url)
    with engine.begin() as connection:
        for spider, stored in (("yna", stats), ("zdnet", None)):
            connection.execute(
                text(
                    "INSERT INTO crawl_runs (spider, started_at, new, updated, unchanged, stats)"
                    " VALUES (:spider, :now, 5, 2, 0, :stats)"
                ),
                {"spider": spider, "now": datetime(2024, 5, 1), "stats": stored},
            )
    alembic(database_url, "upgrade", "head")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT spider, kind, articles, new, dropped, coverage, seconds FROM runs ORDER BY spider")
        ).all()
    yna, zdnet = rows
    assert yna[:4] == ("yna", "backfill", 7, 5) and yna[6] == 4.5
    assert [json.loads(v) if isinstance(v, str) else v for v in yna[4:6]] == [
        summary["dropped"],
        summary["coverage"],
    ]
    assert zdnet[:4] == ("zdnet", None, None, 5)  # a run that kept no summary is left as it was
    alembic(database_url, "downgrade", "0002")
    assert "crawl_runs" in inspect(engine).get_table_names()
    engine.dispose()
