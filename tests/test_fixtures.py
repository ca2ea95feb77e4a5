"""Every real page of the corpus: the expected Article field by field, and the rules every body must meet.

Fixtures are the captured bytes (`NAME.html[.gz]`, never re-encoded), their fetch metadata
(`NAME.meta.json`: URL, headers, fetch time) and the reviewed expected result (`NAME.article.json`).
After a deliberate change in extraction, rewrite the expected files with `UPDATE_FIXTURES=1 pytest
tests/test_fixtures.py` and review the diff before committing it.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crawler.korean.boilerplate import COPYRIGHT_RE, DATELINE_PREFIX_RE, TRAILING_BYLINE_RE
from crawler.offline import Outcome, SavedPage, article_from_page

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).parents[2] / "shared" / "corpus" / "raw"
PAGES = sorted(FIXTURES.glob("*/*.meta.json"))


def page_file(meta: Path) -> Path:
    name = meta.name.removesuffix(".meta.json")
    return next(p for p in meta.parent.iterdir() if p.name.startswith(f"{name}.htm"))


def run(meta: Path) -> Outcome:
    page = SavedPage.read(page_file(meta))
    assert page.url and page.fetched_at, f"{meta} must give the URL and the fetch time"
    return article_from_page(page.url, page.body, page.headers, page.fetched_at)


def result_json(outcome: Outcome) -> dict:
    if outcome.article is None:
        return {"url": outcome.url, "dropped": outcome.reason}
    return outcome.article.to_json()


def fixture_id(meta: Path) -> str:
    return f"{meta.parent.name}/{meta.name.removesuffix('.meta.json')}"


def expected_file(meta: Path) -> Path:
    return meta.with_name(meta.name.replace(".meta.json", ".article.json"))


def _dropped(meta: Path) -> bool:
    # A new capture has no expected file yet: it counts as an article until its file says otherwise.
    expected = expected_file(meta)
    return expected.exists() and "dropped" in json.loads(expected.read_text(encoding="utf-8"))


ARTICLES = [m for m in PAGES if not _dropped(m)]


@pytest.mark.parametrize("meta", PAGES, ids=fixture_id)
def test_expected_article_field_by_field(meta: Path) -> None:
    expected_path = expected_file(meta)
    got = result_json(run(meta))
    if os.environ.get("UPDATE_FIXTURES"):
        expected_path.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if not expected_path.exists():
        pytest.fail(f"{expected_path.name} is missing: write it with UPDATE_FIXTURES=1 and review it")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert got.keys() == expected.keys()
    differing = {key: (got[key], expected[key]) for key in expected if got[key] != expected[key]}
    assert not differing, f"fields differ (got, expected): {json.dumps(differing, ensure_ascii=False)[:3000]}"


# Read off each page by hand (the visible headline and the 입력 time), independently of the expected files.
TITLE_AND_DATE = {
    "naver/article-1": ("소 배설물 아닌가요? 평소와 다른 곱창 속 ‘곱’ 정체", "2021-10-04T16:26"),
    "naver/article-2": ("AI 노트북 3대 중 2대…삼성 '갤럭시 북4 엣지' 뜬다", "2024-05-30T11:40"),
    "naver/article-3": (
        "[주간 뉴스타파] 부모를 빼앗긴 아기들, 해외 입양 비즈니스의 그늘",
        "2023-11-02T20:06",
    ),
    "yna/article-1": ("검찰, 쌍방울 그룹 비리 의혹 관련 경기도청 압수수색(종합2보)", "2022-09-07T20:49"),
    "hankookilbo/article-1": (
        "\"왜 경상도, 전라도 나눠서 싸우나\"... DJ 고향에서 '국민 통합' 외친 이재명",
        "2025-05-15T20:00",
    ),
    "hankookilbo/article-2": (
        "장동혁, 한동훈 제명했지만… '윤 어게인' 절연 ·외연 확장 부담 커졌다",
        "2026-01-29T18:40",
    ),
    "mk/article-1": ("‘흙수저’ 소년공이 쏘아올린 정치 신화", "2025-06-04T02:37"),
    "entermedia/article-1": ("엘제이-류화영 진흙탕 싸움, 공적인 사안으로 봐야하는 이유", "2018-08-25T15:24"),
    "kbsworld/article-1": (
        "Colder Temperatures Forecast for Wed. after Cold Wave Alert Tues.",
        "2023-11-07T15:03",
    ),
    "yna-en/article-1": (
        "N. Korea slams S. Korea for joint military drill, warns of consequences",
        "2019-08-20T09:31",
    ),
}


def test_every_article_fixture_has_a_hand_read_title_and_date() -> None:
    assert sorted(TITLE_AND_DATE) == sorted(fixture_id(m) for m in ARTICLES)


@pytest.mark.parametrize("meta", ARTICLES, ids=fixture_id)
def test_title_and_date_right(meta: Path) -> None:
    headline, published = TITLE_AND_DATE[fixture_id(meta)]
    article = run(meta).article
    assert article is not None and article.date_published is not None
    assert article.headline == headline
    assert article.date_published.utcoffset() == timedelta(hours=9)
    assert article.date_published.strftime("%Y-%m-%dT%H:%M") == published


@pytest.mark.parametrize("meta", ARTICLES, ids=fixture_id)
def test_body_is_free_of_boilerplate(meta: Path) -> None:
    article = run(meta).article
    assert article is not None
    paragraphs = article.body_text.split("\n\n")
    assert not [p for p in paragraphs if COPYRIGHT_RE.search(p) and len(p) < 300], "copyright footer left"
    assert not DATELINE_PREFIX_RE.match(paragraphs[0]), "dateline left at the start"
    assert not TRAILING_BYLINE_RE.match(paragraphs[-1]), "byline left at the end"
    assert "<script" not in article.body_html and "javascript:" not in article.body_html


@pytest.mark.parametrize("meta", ARTICLES, ids=fixture_id)
def test_excerpt_is_sentence_bounded(meta: Path) -> None:
    article = run(meta).article
    assert article is not None
    assert 0 < len(article.excerpt) <= 200
    assert (
        article.excerpt.endswith((".", "?", "!", "…", "”", '"', "'", "’"))
        or article.excerpt in article.body_text
    )


# Pages copied from the shared corpus (a page `scrapy capture` fetched is its own original).
FROM_CORPUS = [m for m in PAGES if json.loads(m.read_text(encoding="utf-8")).get("captured_by") == "corpus"]


@pytest.mark.parametrize("meta", FROM_CORPUS, ids=fixture_id)
def test_fixture_bytes_are_the_corpus_bytes(meta: Path) -> None:
    page = page_file(meta)
    original = CORPUS / meta.parent.name / page.name
    if not CORPUS.exists():
        pytest.skip("the shared corpus is not beside this checkout")
    assert page.read_bytes() == original.read_bytes()


def test_cp949_page_keeps_its_bytes_and_decodes() -> None:
    raw = (FIXTURES / "naver" / "article-1.html").read_bytes()
    assert b"\r\r\n" in raw and "곱창".encode("cp949") in raw
    article = run(FIXTURES / "naver" / "article-1.meta.json").article
    assert article is not None and "곱창" in article.headline


def test_fetch_time_is_not_the_clock() -> None:
    # A fixture must give the same Article whatever day the test runs: its fetch time comes from the metadata.
    outcome = run(FIXTURES / "yna" / "article-1.meta.json")
    assert outcome.article is not None
    assert outcome.article.fetched_at == datetime.fromisoformat("2022-09-07T22:50:29+09:00")
