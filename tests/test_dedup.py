"""Duplicates at the three levels, on real bodies, through the pipeline and its stores."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np
import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.offline import SavedPage, article_from_page
from crawler.store import MemoryStore
from exports.sql import SqlStore, SqlWriter, engine_for
from pipelines.dedup import DedupPipeline
from pipelines.neardup import NearDuplicateIndex, Signature, signature, similarity

FIXTURES = Path(__file__).parent / "fixtures"


def article(name: str) -> Article:
    page = SavedPage.read(FIXTURES / name)
    assert page.url
    outcome = article_from_page(page.url, page.body, page.headers, page.fetched_at)
    assert outcome.article is not None
    return outcome.article


NAVER = article("naver/article-2.html")  # a Newsis story, as Naver republished it
YNA = article("yna/article-1.html")
MK = article("mk/article-1.html.gz")


def republished(original: Article, url: str) -> Article:
    """The same wire story on another outlet: its own dateline, one paragraph less, a new footer."""
    paragraphs = original.body_text.split("\n\n")
    body = "\n\n".join(
        ["(서울=뉴스1) 김철수 기자 = " + paragraphs[0], *paragraphs[2:], "<저작권자 © 뉴스1코리아>"]
    )
    return dataclasses.replace(
        original,
        url=url,
        canonical_url=url,
        body_text=body,
        content_hash="f" * 40,
        headline="다른 제목을 단 " + original.headline,
        duplicate_of=None,
        duplicate_score=None,
    )


def pipeline(store=None) -> tuple[DedupPipeline, object]:
    crawler = get_crawler()
    crawler._apply_settings()
    made = DedupPipeline(store or MemoryStore(), crawler.stats)
    made.open_spider()
    return made, crawler.stats


def test_signature_round_trips_and_measures_similarity() -> None:
    sig = signature(NAVER.body_text)
    assert sig is not None
    back = Signature.from_bytes(sig.to_bytes())
    assert np.array_equal(back.full, sig.full) and np.array_equal(back.lead, sig.lead)
    assert back.lead_chars == sig.lead_chars == 300
    other = signature(YNA.body_text)
    assert other is not None and similarity(sig.full, other.full) < 0.1
    copy = signature(republished(NAVER, "https://x.example/1").body_text)
    assert copy is not None and similarity(sig.full, copy.full) > 0.6
    assert signature("짧다") is None


def test_clusters_link_to_the_first_seen_article() -> None:
    index = NearDuplicateIndex(capacity=1)  # grows as it goes
    first, second, third = (republished(NAVER, f"https://x.example/{n}") for n in range(3))
    for doc in (first, second, third):
        sig = signature(doc.body_text)
        assert sig is not None
        found = index.matches(sig, exclude=doc.canonical_url)
        index.add(doc.canonical_url, sig, found[0].key if found else None)
    assert index.first_seen("https://x.example/2") == "https://x.example/0"
    assert len(index) == 3


def test_same_url_passes_on_for_the_database_to_update() -> None:
    made, stats = pipeline()
    made.store.remember(NAVER)
    assert made.process_item(NAVER) is NAVER
    assert stats.get_value("news/dedup/same_url") == 1


def test_same_body_elsewhere_becomes_an_alias_and_is_dropped() -> None:
    made, stats = pipeline()
    made.store.remember(NAVER)
    copy = dataclasses.replace(
        NAVER, url="https://www.newsis.com/view/1", canonical_url="https://www.newsis.com/view/1"
    )
    with pytest.raises(DropItem, match="same_body"):
        made.process_item(copy)
    assert made.store.seen("https://www.newsis.com/view/1")
    assert stats.get_value("news/dedup/same_body") == 1


def test_near_duplicate_is_kept_linked_counted_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    made, stats = pipeline()
    for item in (NAVER, YNA, MK):
        made.process_item(item)
    copy = republished(NAVER, "https://www.news1.kr/it-science/1")
    with caplog.at_level(logging.INFO, logger="pipelines.dedup"):
        kept = made.process_item(copy)
    assert kept.duplicate_of == NAVER.canonical_url and kept.duplicate_score > 0.6
    assert stats.get_value("news/dedup/near_duplicate") == 1 and stats.get_value("news/dedup/unique") == 3
    assert f"{copy.canonical_url} copies {NAVER.canonical_url}" in caplog.text


def test_different_stories_on_one_topic_stay_apart() -> None:
    # Two stories of the same presidential campaign, from two papers.
    made, stats = pipeline()
    made.process_item(article("hankookilbo/article-1.html.gz"))
    assert made.process_item(MK).duplicate_of is None
    assert stats.get_value("news/dedup/near_duplicate") is None


def test_a_new_process_rebuilds_the_index_from_stored_signatures(database_url: str) -> None:
    engine = engine_for(database_url)
    store = SqlStore(engine)
    first, _ = pipeline(store)
    for item in (NAVER, YNA, MK):
        first.process_item(item)
    SqlWriter(engine, store).write([NAVER, YNA])  # signatures go with their articles
    first.close_spider()
    SqlWriter(engine, store).write([MK])  # the last batch, written when the SQL pipeline closes
    later, stats = pipeline(SqlStore(engine))  # another process: no bodies are read
    assert stats.get_value("news/dedup/index_loaded") == 3
    copy = later.process_item(republished(NAVER, "https://www.news1.kr/it-science/2"))
    assert copy.duplicate_of == NAVER.canonical_url
    SqlWriter(engine).write([copy])
    with engine.connect() as connection:
        from sqlalchemy import text

        (similarity_stored,) = connection.execute(text("SELECT similarity FROM near_duplicates")).one()
    assert similarity_stored == copy.duplicate_score


def test_same_body_through_the_database(database_url: str) -> None:
    engine = engine_for(database_url)
    SqlWriter(engine).write([NAVER])
    store = SqlStore(engine)
    assert store.same_body(NAVER.content_hash) == NAVER.canonical_url
    store.add_alias("https://www.newsis.com/view/2", NAVER.canonical_url)
    assert SqlStore(engine).seen("https://www.newsis.com/view/2")


def test_a_copy_of_an_article_still_in_the_writers_batch_is_kept_as_an_alias(database_url: str) -> None:
    engine = engine_for(database_url)
    store = SqlStore(engine)
    made, stats = pipeline(store)
    store.remember(made.process_item(NAVER))  # what the SQL pipeline does before its batch is written
    copy = dataclasses.replace(
        NAVER, url="https://www.newsis.com/view/3", canonical_url="https://www.newsis.com/view/3"
    )
    with pytest.raises(DropItem, match="same_body"):
        made.process_item(copy)
    assert stats.get_value("news/dedup/same_body") == 1 and not SqlStore(engine).seen(copy.url)
    SqlWriter(engine).write([NAVER])
    store.write_aliases()  # as the SQL pipeline does after each batch it writes
    assert SqlStore(engine).seen(copy.url)


def test_two_processes_share_a_redis_index(redis_index) -> None:
    crawler = get_crawler()
    crawler._apply_settings()
    first = DedupPipeline(MemoryStore(), crawler.stats, redis_index())
    second = DedupPipeline(MemoryStore(), crawler.stats, redis_index())  # another process, the same index
    for item in (NAVER, YNA, MK):
        first.process_item(item)
    copy = second.process_item(republished(NAVER, "https://www.news1.kr/it-science/3"))
    assert copy.duplicate_of == NAVER.canonical_url
    again = first.process_item(republished(copy, "https://www.newsis.com/view/9"))
    assert again.duplicate_of == NAVER.canonical_url  # the cluster's first-seen article, not the copy
    assert len(second.index) == 5
