"""Nothing lost, nothing doubled: the database keeps every article the pipelines pass on, once, on all
three backends, and re-fetches, refreshes and link variants neither double nor lose anything."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import scrapy
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from crawler.items import Article
from crawler.monitor import coverage_counts
from exports.jekyll import JekyllPipeline, PostWriter, post_filename, render_post
from exports.models import ArticleRow, ArticleVersionRow, AuthorRow, NearDuplicateRow
from exports.sql import SqlPipeline, SqlStore, SqlWriter, engine_for
from pipelines.dedup import DedupPipeline
from pipelines.neardup import signature
from pipelines.normalize import NormalizePipeline
from pipelines.validate import ValidatePipeline
from tests.test_dedup import NAVER, YNA, republished


def count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def numbered(n: int, base: Article = YNA) -> Article:
    url = f"https://www.yna.co.kr/view/AKR2024010100{n:04d}"
    return dataclasses.replace(base, url=url, canonical_url=url, content_hash=f"{n:040x}")


def sql_pipeline(database_url: str, batch: int = 20) -> tuple[SqlPipeline, object]:
    crawler = get_crawler(settings_dict={"DATABASE_URL": database_url, "NEWS_DB_BATCH": batch})
    crawler._apply_settings()
    pipeline = SqlPipeline.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline, crawler.stats


def test_values_longer_than_their_column_are_cut_to_fit(database_url: str) -> None:
    long = dataclasses.replace(
        numbered(1),
        section="섹션" * 200,
        source_name="매체" * 150,
        authors=[{"name": "기자" * 150, "role": "기자" * 40, "email": "a" * 400 + "@x.kr"}],
    )
    engine = engine_for(database_url)
    assert SqlWriter(engine).write([long]) == {"new": 1, "updated": 0, "unchanged": 0}
    with engine.connect() as connection:
        row = connection.execute(select(ArticleRow.section, ArticleRow.source_name)).one()
        author = connection.execute(select(AuthorRow.name, AuthorRow.role, AuthorRow.email)).one()
    assert row.section == ("섹션" * 200)[:200] and row.source_name == ("매체" * 150)[:200]
    assert len(author.name) == 200 and len(author.role) == 50 and len(author.email) == 320


def test_one_article_the_database_refuses_costs_only_itself(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline, stats = sql_pipeline(database_url)
    articles = [numbered(n) for n in range(50)]
    # A naive datetime: the schema refuses it, as a database refuses a value it cannot hold.
    articles[7] = dataclasses.replace(articles[7], date_modified=datetime(2024, 1, 1, 9))
    with caplog.at_level(logging.ERROR, logger="exports.sql"):
        for article in articles:
            pipeline.process_item(article)
        pipeline.close_spider()
    assert count(pipeline.writer.engine, ArticleRow) == 49
    assert stats.get_value("news/db/failed") == 1 and stats.get_value("news/db/new") == 49
    assert stats.get_value("news/db/received") == 50
    assert [r.getMessage().split(": ")[:2] for r in caplog.records] == [["Not stored", articles[7].url]]


def test_closing_with_the_database_gone_raises_nothing_and_counts_what_was_lost(tmp_path: Path) -> None:
    pipeline, stats = sql_pipeline(f"sqlite:///{tmp_path / 'news.sqlite3'}")
    pipeline.process_item(numbered(1))
    pipeline.process_item(numbered(2))
    with pipeline.writer.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE articles")  # the database lost what it is written into
    pipeline.close_spider()  # raises nothing: the other pipelines' closes run after this one
    assert stats.get_value("news/db/failed") == 2


def test_an_unchanged_article_fetched_again_is_fresh_until_the_next_recheck(database_url: str) -> None:
    engine = engine_for(database_url)
    now = datetime.now(UTC)
    recent = dataclasses.replace(
        numbered(3), date_published=now - timedelta(hours=10), fetched_at=now - timedelta(hours=7)
    )
    SqlWriter(engine).write([recent])
    store = SqlStore(engine, recheck_days=2, recheck_hours=6, prefilter=False)
    assert not store.seen(recent.url)  # recent and stale: fetched again
    again = dataclasses.replace(recent, fetched_at=now)
    assert SqlWriter(engine).write([again]) == {"new": 0, "updated": 0, "unchanged": 1}
    assert store.seen(recent.url)  # fresh again: not fetched on every run until it leaves the window
    with engine.connect() as connection:
        assert connection.execute(select(ArticleRow.fetched_at)).scalar_one() == now


def test_times_with_fractions_of_a_second_do_not_make_versions(database_url: str) -> None:
    engine = engine_for(database_url)
    article = dataclasses.replace(
        numbered(4), date_modified=datetime(2024, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)
    )
    writer = SqlWriter(engine)
    writer.write([article])
    assert writer.write([dataclasses.replace(article, fetched_at=datetime.now(UTC))])["unchanged"] == 1
    assert count(engine, ArticleVersionRow) == 0
    with engine.connect() as connection:
        assert connection.execute(select(ArticleRow.date_modified)).scalar_one() == article.date_modified


def dedup(database_url: str) -> tuple[DedupPipeline, SqlWriter, object]:
    engine = engine_for(database_url)
    crawler = get_crawler()
    crawler._apply_settings()
    store = SqlStore(engine)
    pipeline = DedupPipeline(store, crawler.stats, refresh_seconds=0)
    pipeline.open_spider()
    return pipeline, SqlWriter(engine, store), crawler.stats


def test_a_near_duplicate_fetched_again_keeps_its_link(database_url: str) -> None:
    pipeline, writer, _ = dedup(database_url)
    copy = republished(NAVER, "https://www.news1.kr/articles/5432109")
    for article in (NAVER, copy):
        writer.write([pipeline.process_item(article)])
        pipeline.store.remember(article)
    assert copy.duplicate_of == NAVER.canonical_url
    # A refresh (or a second copy in the same run) of the copy: the store knows it already.
    refetched = dataclasses.replace(copy, duplicate_of=None, duplicate_score=None)
    kept = pipeline.process_item(refetched)
    assert kept.duplicate_of == NAVER.canonical_url and kept.duplicate_score
    writer.write([kept])
    engine = writer.engine
    with engine.connect() as connection:
        links = connection.execute(
            select(NearDuplicateRow.article_id, NearDuplicateRow.duplicate_of_id)
        ).all()
        duplicate_of = connection.execute(
            select(ArticleRow.duplicate_of).where(ArticleRow.canonical_url == copy.canonical_url)
        ).scalar_one()
    assert len(links) == 1 and duplicate_of == NAVER.canonical_url
    # The first of the cluster, fetched again, copies nothing.
    assert pipeline.process_item(dataclasses.replace(NAVER)).duplicate_of is None


def test_a_link_found_after_the_article_was_stored_is_written(database_url: str) -> None:
    engine = engine_for(database_url)
    writer = SqlWriter(engine)
    copy = republished(NAVER, "https://www.news1.kr/articles/5432109")
    writer.write([NAVER, copy])  # stored before the link was known
    linked = dataclasses.replace(copy, duplicate_of=NAVER.canonical_url, duplicate_score=0.9)
    assert writer.write([linked]) == {"new": 0, "updated": 0, "unchanged": 1}
    assert count(engine, NearDuplicateRow) == 1
    writer.write([linked])
    assert count(engine, NearDuplicateRow) == 1


@pytest.mark.parametrize(
    "variant",
    [
        "http://www.yna.co.kr/view/AKR20220907138351061",
        "https://yna.co.kr/view/AKR20220907138351061/",
        "https://m.yna.co.kr/view/AKR20220907138351061",
    ],
)
def test_links_that_are_one_article_in_the_database_are_one_post(tmp_path: Path, variant: str) -> None:
    assert YNA.canonical_url == "https://www.yna.co.kr/view/AKR20220907138351061"
    writer = PostWriter(tmp_path)
    assert writer.write(YNA) == "new"
    assert PostWriter(tmp_path).write(dataclasses.replace(YNA, canonical_url=variant)) == "updated"
    assert [p.name for p in (tmp_path / "_posts").glob("*.html")] == [post_filename(YNA)]


def test_posts_doubled_by_earlier_versions_become_one(tmp_path: Path) -> None:
    """Before ids were database keys, http and https links to one article made two posts."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    for n, link in enumerate(["http://www.yna.co.kr/view/AKR20220907138351061", YNA.canonical_url]):
        old = dataclasses.replace(YNA, canonical_url=link)
        name = post_filename(YNA).rsplit("-", 1)[0] + f"-{hashlib.sha1(link.encode()).hexdigest()[:12]}.html"
        (posts / name).write_text(render_post(old), encoding="utf-8")
        os.utime(posts / name, (1_700_000_000 + n, 1_700_000_000 + n))
    writer = PostWriter(tmp_path)
    assert writer.write(YNA) == "updated"
    assert [p.name for p in posts.glob("*.html")] == [post_filename(YNA)]
    assert PostWriter(tmp_path).write(YNA) == "unchanged"  # and the scan is not repeated


def test_crawls_sharing_a_database_see_each_others_copies(database_url: str) -> None:
    """Two spiders started at the same minute against one database (the README's systemd timers)."""
    (yonhap, _, _), (naver, writer, _) = (
        dedup(database_url),
        dedup(database_url),
    )  # both open before either stores
    writer.write([naver.process_item(NAVER)])
    naver.tick()  # what its timer does every NEWS_DEDUP_REFRESH_SECONDS
    # The same body under another URL: the database is asked, not the picture read at start.
    exact = dataclasses.replace(
        NAVER, url="https://www.newsis.com/view/7", canonical_url="https://www.newsis.com/view/7"
    )
    with pytest.raises(DropItem, match="same_body"):
        yonhap.process_item(exact)
    yonhap.tick()
    copy = yonhap.process_item(republished(NAVER, "https://www.news1.kr/articles/1"))
    assert copy.duplicate_of == NAVER.canonical_url


def test_copies_two_crawls_stored_in_the_same_moment_are_reported(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    (first, first_writer, first_stats), (second, second_writer, second_stats) = (
        dedup(database_url),
        dedup(database_url),
    )
    first_writer.write([first.process_item(NAVER)])
    copy = republished(NAVER, "https://www.news1.kr/articles/2")
    second_writer.write([second.process_item(copy)])
    assert NAVER.duplicate_of is None and copy.duplicate_of is None  # neither could see the other's yet
    with caplog.at_level(logging.WARNING, logger="pipelines.dedup"):
        first.tick()
        second.tick()
    # Each crawl, taking in the other's copy, says so.
    assert first_stats.get_value("news/dedup/concurrent_missed") == 1
    assert second_stats.get_value("news/dedup/concurrent_missed") == 1
    assert len(caplog.records) == 2
    assert all(
        NAVER.canonical_url in r.getMessage() and copy.canonical_url in r.getMessage() for r in caplog.records
    )


def test_the_redis_index_forgets_articles_older_than_its_window(redis_index) -> None:
    index = redis_index()
    day = 86400.0
    sig = signature(NAVER.body_text)
    other = signature(YNA.body_text)
    assert sig is not None and other is not None
    index.add(NAVER.canonical_url, sig, now=1_000 * day)
    index.add(YNA.canonical_url, other, now=1_029 * day)
    assert index.trim(now=1_031 * day) == 1  # 31 days old: gone; 2 days old: kept
    assert NAVER.canonical_url not in index and YNA.canonical_url in index
    assert index.matches(sig) == []
    assert [m.key for m in index.matches(other)] == [YNA.canonical_url]
    keys = index.redis.keys(f"{index.prefix}:*")
    members = set().union(*(index.redis.smembers(k) for k in keys if index.redis.type(k) == b"set"))
    assert members == {YNA.canonical_url.encode()}


def test_a_recheck_through_another_form_of_the_link_is_no_copy_of_itself(database_url: str) -> None:
    """Stored under https://www.…, fetched again at http://m.… (no rel=canonical): the same article."""
    pipeline, writer, stats = dedup(database_url)
    writer.write([pipeline.process_item(YNA)])
    mobile = "http://m.yna.co.kr/view/AKR20220907138351061"
    fresh, _, _ = dedup(database_url)  # a later run
    again = fresh.process_item(dataclasses.replace(YNA, url=mobile, canonical_url=mobile))
    assert again.canonical_url == mobile and stats.get_value("news/dedup/same_body") is None


def test_a_failed_refresh_is_counted_and_the_next_one_tries_again(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline, _, stats = dedup(database_url)
    broken = pipeline.store.signatures

    def gone(after: int = 0):
        raise OSError("database is locked")

    pipeline.store.signatures = gone  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="pipelines.dedup"):
        pipeline.tick()  # raises nothing: the timer keeps running
    assert stats.get_value("news/dedup/refresh_failed") == 1 and "retrying" in caplog.text
    pipeline.store.signatures = broken  # type: ignore[method-assign]
    pipeline.tick()
    assert stats.get_value("news/dedup/refresh_failed") == 1


def test_a_crawl_opening_the_redis_index_dates_old_entries_and_trims(redis_index) -> None:
    index = redis_index()
    day = 86400.0
    sig = signature(NAVER.body_text)
    assert sig is not None
    index.add(NAVER.canonical_url, sig, now=1_000 * day)
    index.redis.hset(f"{index.prefix}:sig", "https://undated.example/1", sig.to_bytes())  # an older version's
    later = redis_index()
    later.open(now=1_040 * day)  # 40 days on: the dated entry goes, the undated one is dated now
    assert NAVER.canonical_url not in later and "https://undated.example/1" in later
    later.open(now=1_075 * day)
    assert "https://undated.example/1" not in later


def test_the_sites_own_posts_are_never_touched(tmp_path: Path) -> None:
    posts = tmp_path / "_posts"
    posts.mkdir()
    theirs = {
        "2024-01-01-hello-world.html": "---\ntitle: hello\n---\n",
        "2024-02-01-goodbye-world.html": "---\ntitle: bye\n---\n",
        "2024-04-01-note-1.html": "---\ntitle: a\n---\n",
        "2024-05-01-note-1.html": "---\ntitle: b\n---\n",
        "2024-03-01-my-commentary.html": f"---\ntitle: mine\nsource_url: {YNA.canonical_url}\n---\n",
    }
    for name, text in theirs.items():
        (posts / name).write_text(text, encoding="utf-8")
    PostWriter(tmp_path).write(YNA)
    assert {p.name for p in posts.glob("*.html")} == {*theirs, post_filename(YNA)}


def test_another_form_of_a_link_is_never_a_near_duplicate_of_itself(database_url: str) -> None:
    pipeline, writer, _ = dedup(database_url)
    first = dataclasses.replace(
        YNA, url="https://www.forms.example.com/news/1", canonical_url="https://www.forms.example.com/news/1"
    )
    writer.write([pipeline.process_item(first)])
    pipeline.store.remember(first)
    other = dataclasses.replace(
        first, url="http://forms.example.com/news/1/", canonical_url="http://forms.example.com/news/1/"
    )
    assert pipeline.process_item(other).duplicate_of is None
    fresh, _, _ = dedup(database_url)  # a later run, the index read from the database
    assert fresh.process_item(dataclasses.replace(other)).duplicate_of is None


# The Article schema as a scrapy.Item: how a spider written the Scrapy way would declare it.
ArticleItem = type(
    "ArticleItem", (scrapy.Item,), {f.name: scrapy.Field() for f in dataclasses.fields(Article)}
)


def _as_scrapy_item(article: Article) -> scrapy.Item:
    return ArticleItem(dataclasses.asdict(article))


@pytest.mark.parametrize("kind", ["dict", "scrapy.Item"])
def test_an_article_of_another_item_type_goes_through_the_pipelines_and_exports_as_the_dataclass(
    database_url: str, tmp_path: Path, kind: str
) -> None:
    """Pipelines and exporters read and write items through ItemAdapter: the same article as a dict or a
    scrapy.Item is validated, linked as a near-duplicate, stored and posted exactly as the dataclass."""
    copy = republished(NAVER, "https://www.news1.kr/articles/5432109")
    other = dataclasses.asdict(copy) if kind == "dict" else _as_scrapy_item(copy)
    crawler = get_crawler()
    crawler._apply_settings()
    validated = ValidatePipeline.from_crawler(crawler)
    pipeline, writer, _ = dedup(database_url)
    for item in (NAVER, other):
        writer.write([pipeline.process_item(validated.process_item(item))])
        pipeline.store.remember(item)
    assert other["language"] == "ko"
    assert other["duplicate_of"] == NAVER.canonical_url and other["duplicate_score"]
    with writer.engine.connect() as connection:
        stored = connection.execute(
            select(ArticleRow.headline, ArticleRow.language, ArticleRow.duplicate_of).where(
                ArticleRow.url == copy.url
            )
        ).one()
    assert tuple(stored) == (copy.headline, "ko", NAVER.canonical_url)
    expected = dataclasses.replace(
        copy, language="ko", duplicate_of=other["duplicate_of"], duplicate_score=other["duplicate_score"]
    )
    assert render_post(other) == render_post(expected)
    writer_posts = PostWriter(tmp_path / "site")
    assert writer_posts.write(other) == "new" and writer_posts.write(expected) == "unchanged"
    assert coverage_counts(ItemAdapter(other)) == coverage_counts(ItemAdapter(expected))


SPARSE_KEYS = ("url", "canonical_url", "source", "headline", "body_text", "date_published", "fetched_at")


@pytest.mark.parametrize("kind", ["dict", "scrapy.Item"])
def test_an_article_holding_only_some_fields_reads_the_schemas_defaults_everywhere(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    """An article another spider yields with only the fields it knows (a dict without the rest, a
    scrapy.Item whose other fields were never set) is validated, stored and posted as the dataclass
    holding the schema's defaults and what normalizing derives from its body (HTML, excerpt, content
    hash); its image URL that is no link is left out of the post and logged."""
    full = dataclasses.replace(
        YNA, main_image={"url": "javascript:alert(1)", "caption": None, "credit": None}
    )
    fields = {key: getattr(full, key) for key in (*SPARSE_KEYS, "main_image")}
    other = dict(fields) if kind == "dict" else ArticleItem(fields)
    crawler = get_crawler(
        settings_dict={"DATABASE_URL": database_url, "NEWS_JEKYLL_SITE": str(tmp_path / "site")}
    )
    crawler._apply_settings()
    crawler.spider = None
    pipelines = [
        NormalizePipeline.from_crawler(crawler),
        ValidatePipeline.from_crawler(crawler),
        DedupPipeline.from_crawler(crawler),
    ]
    stored = SqlPipeline.from_crawler(crawler)
    stored.open_spider()
    posts = JekyllPipeline.from_crawler(crawler)
    with caplog.at_level(logging.INFO, logger="exports.jekyll"):
        for stage in (*pipelines, stored, posts):
            stage.process_item(other)
    stored.close_spider()
    assert other["language"] == "ko" and other.get("duplicate_of") is None
    paragraphs = full.body_text.split("\n\n")
    assert other["body_html"].count("<p>") == len(paragraphs) and other["content_hash"] == full.content_hash
    assert other["excerpt"] and other["feature_text"] == other["excerpt"]
    derived = ("body_html", "excerpt", "feature_text", "content_hash")
    expected = Article(**fields, **{k: other[k] for k in derived}, source_name=None, language="ko")
    assert crawler.stats.get_value("news/jekyll/dropped_url/image") == 1
    assert f"Left out of {full.url}'s post: its image" in caplog.text
    with stored.writer.engine.connect() as connection:
        row = connection.execute(
            select(ArticleRow.headline, ArticleRow.subtitle, ArticleRow.categories, ArticleRow.date_source)
        ).one()
    assert tuple(row) == (full.headline, None, [], None)
    assert render_post(other) == render_post(expected)
    assert posts.writer.write(expected) == "unchanged"


@pytest.mark.parametrize("missing", ["headline", "body_text"])
def test_an_article_of_another_type_without_headline_or_body_is_dropped_not_passed(missing: str) -> None:
    crawler = get_crawler()
    crawler._apply_settings()
    item = {key: getattr(YNA, key) for key in SPARSE_KEYS if key != missing}
    with pytest.raises(DropItem, match="no_headline" if missing == "headline" else "no_body"):
        ValidatePipeline.from_crawler(crawler).process_item(item)


def test_an_article_its_type_cannot_complete_or_without_source_is_dropped_with_its_reason() -> None:
    """The pipelines write some fields of every article (language, duplicate_of…): a scrapy.Item that
    does not declare them, or an article no spider owns, is a counted drop, not an error downstream."""
    crawler = get_crawler()
    crawler._apply_settings()
    validated = ValidatePipeline.from_crawler(crawler)
    fields = {key: getattr(YNA, key) for key in SPARSE_KEYS}
    partial = type("PartialItem", (scrapy.Item,), {key: scrapy.Field() for key in SPARSE_KEYS})(fields)
    with pytest.raises(DropItem, match=r"not_article_schema: PartialItem lacks .*duplicate_of.*language"):
        validated.process_item(NormalizePipeline.from_crawler(crawler).process_item(partial))
    with pytest.raises(DropItem, match="no_source"):
        validated.process_item({**fields, "source": None})
    assert crawler.stats.get_value("news/dropped/not_article_schema") == 1
