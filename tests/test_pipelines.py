"""normalize and validate as Scrapy pipelines: their items, drops, reasons and stats counters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import Article, Block, RawArticle
from crawler.korean.text import letter_shares
from crawler.offline import SavedPage
from crawler.pages import extract
from pipelines.normalize import NormalizePipeline, categorize, content_hash, render_html, trusted_canonical
from pipelines.validate import ValidatePipeline, detect_language

FIXTURES = Path(__file__).parent / "fixtures"


def crawler(**settings):
    made = get_crawler(settings_dict=settings)
    made._apply_settings()
    return made


def raw_yonhap() -> RawArticle:
    page = SavedPage.read(FIXTURES / "yna" / "article-1.html")
    assert page.url and page.fetched_at
    return extract(page.url, page.body, page.headers, page.fetched_at)


def test_normalize_pipeline_counts_boilerplate_in_stats() -> None:
    made = crawler()
    article = NormalizePipeline.from_crawler(made).process_item(raw_yonhap())
    assert isinstance(article, Article)
    stats = made.stats.get_stats()
    assert stats["news/normalized"] == 1
    assert stats["news/boilerplate/dateline"] == 1
    assert stats["news/boilerplate/trailing_byline"] == 1


def test_validate_pipeline_drops_with_reason_and_counter() -> None:
    made = crawler(NEWS_MIN_BODY_CHARS=100_000)
    article = NormalizePipeline.from_crawler(made).process_item(raw_yonhap())
    with pytest.raises(DropItem, match="body_too_short"):
        ValidatePipeline.from_crawler(made).process_item(article)
    assert made.stats.get_value("news/dropped/body_too_short") == 1


def test_validate_pipeline_sets_language_and_passes_article_on() -> None:
    made = crawler()
    article = NormalizePipeline.from_crawler(made).process_item(raw_yonhap())
    assert ValidatePipeline.from_crawler(made).process_item(article).language == "ko"


def test_language_setting_drops_english_when_only_korean_is_wanted() -> None:
    made = crawler(NEWS_LANGUAGES=["ko"])
    page = SavedPage.read(FIXTURES / "yna-en" / "article-1.html")
    assert page.url and page.fetched_at
    article = NormalizePipeline.from_crawler(made).process_item(
        extract(page.url, page.body, {}, page.fetched_at)
    )
    with pytest.raises(DropItem, match="language"):
        ValidatePipeline.from_crawler(made).process_item(article)
    assert made.stats.get_value("news/dropped/language") == 1


def test_items_of_other_types_pass_through() -> None:
    made = crawler()
    other = {"url": "x"}
    assert NormalizePipeline.from_crawler(made).process_item(other) is other
    assert ValidatePipeline.from_crawler(made).process_item(other) is other


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("삼성전자가 새 노트북 Galaxy Book4 Edge를 공개했다.", "ko"),
        ("Samsung unveiled a laptop.", "en"),
        ("Самсунг представил ноутбук.", None),
        ("", None),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


@given(st.text(alphabet=st.sampled_from("가힣ㄱㆎ가AzMé中ж1_ .,\u00aa\u3041")))
def test_letter_shares_count_each_letter_by_its_script(text: str) -> None:
    letters = [c for c in text if c.isalpha()]
    hangul = [c for c in letters if "\uac00" <= c <= "\ud7a3" or "\u3131" <= c <= "\u318e"]
    latin = [c for c in letters if c.isascii()]
    expected = (len(hangul) / len(letters), len(latin) / len(letters)) if letters else (0.0, 0.0)
    assert letter_shares(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("section", "category"),
    [
        ("IT/과학", "IT"),
        ("모바일", "IT"),
        ("IT 일반", "IT"),
        ("politics", "News"),
        ("경제", "News"),
        ("Tech", "IT"),
        (None, "News"),
        ("사건사고", "News"),
    ],
)
def test_categorize(section: str | None, category: str) -> None:
    assert categorize(section) == category


@pytest.mark.parametrize(
    ("url", "canonical", "expected"),
    [
        (
            "https://www.yna.co.kr/view/AKR1?section=x",
            "https://www.yna.co.kr/view/AKR1",
            "https://www.yna.co.kr/view/AKR1",
        ),
        (
            "https://m.yna.co.kr/view/AKR1",
            "https://www.yna.co.kr/view/AKR1",
            "https://www.yna.co.kr/view/AKR1",
        ),
        ("https://www.yna.co.kr/view/AKR1", "https://www.yna.co.kr/", "https://www.yna.co.kr/view/AKR1"),
        (
            "https://www.yna.co.kr/view/AKR1",
            "https://spam.example.com/view/AKR1",
            "https://www.yna.co.kr/view/AKR1",
        ),
        ("https://www.yna.co.kr/view/AKR1#top", None, "https://www.yna.co.kr/view/AKR1"),
        ("https://www.yna.co.kr/view/AKR1", "javascript:alert(1)", "https://www.yna.co.kr/view/AKR1"),
    ],
)
def test_trusted_canonical(url: str, canonical: str | None, expected: str) -> None:
    assert trusted_canonical(url, canonical) == expected


def test_rendered_html_is_escaped_and_closed() -> None:
    blocks = [
        Block("p", '<script>alert("x")</script> & {{ site.title }}'),
        Block("img", image={"url": "javascript:alert(1)", "caption": "x", "credit": None}),
        Block(
            "img",
            image={"url": "https://img.example.com/a.jpg", "caption": '"quoted" <b>', "credit": "연합뉴스"},
        ),
        Block("li", "하나"),
        Block("li", "둘"),
        Block("h", "소제목"),
    ]
    html = render_html(blocks)
    assert "<script>" not in html and "javascript:" not in html
    assert "&lt;script&gt;" in html
    assert '<img src="https://img.example.com/a.jpg" alt="&quot;quoted&quot; &lt;b&gt;">' in html
    assert "<ul>\n<li>하나</li>\n<li>둘</li>\n</ul>\n<h3>소제목</h3>" in html


def test_content_hash_ignores_spacing_and_punctuation() -> None:
    assert content_hash("삼성전자가  새 노트북을\n공개했다.") == content_hash(
        "삼성전자가 새 노트북을 공개했다"
    )
    assert content_hash("삼성전자가 새 노트북을 공개했다") != content_hash("LG전자가 새 노트북을 공개했다")


def test_article_json_has_iso_dates_in_seoul_time() -> None:
    article = Article(
        url="u",
        canonical_url="u",
        source="s",
        source_name=None,
        headline="h",
        date_published=datetime(2024, 1, 1, 9, tzinfo=UTC),
    )
    assert article.to_json()["date_published"] == "2024-01-01T18:00:00+09:00"
