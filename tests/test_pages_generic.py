"""The generic page layer on small SYNTHETIC pages (written here, not captures), one feature each.

Real pages are tested in test_fixtures.py; these pin the structured-data rules no corpus page shows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import lxml.html
import pytest
from lxml.etree import XPath
from trafilatura.htmlprocessing import prune_unwanted_nodes

from crawler.pages import extract, page_class_for
from crawler.pages.body import _NEVER_CONTENT, blocks_from_element, blocks_from_trafilatura
from crawler.pages.document import load
from crawler.pages.generic import ArticlePage
from crawler.pages.sites import HankookIlboPage, NaverNewsPage, YonhapPage

NOW = datetime(2026, 1, 1, tzinfo=UTC)
URL = "https://www.example.co.kr/article/123"
PARAGRAPH = "<p>" + "삼성전자가 새 노트북을 공개했다. " * 8 + "</p>"


def page(head: str = "", body: str = "", lang: str = "ko") -> bytes:
    return f'<html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'.encode()


def ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def test_jsonld_graph_is_read() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "예시뉴스"},
            {
                "@type": ["ReportageNewsArticle"],
                "headline": "그래프 속 기사",
                "datePublished": "2025-03-01T09:00:00+09:00",
                "dateModified": "2025-03-01T10:00:00+09:00",
                "author": [{"@type": "Person", "name": "홍길동"}],
                "publisher": {"@type": "Organization", "name": "예시뉴스"},
                "image": {"url": "https://img.example.co.kr/a.jpg"},
                "articleSection": "IT",
                "keywords": ["AI", "반도체"],
            },
        ],
    }
    raw = extract(URL, page(ld(graph), PARAGRAPH), {}, NOW)
    assert raw.headline == "그래프 속 기사"
    assert raw.date_published_raw == "2025-03-01T09:00:00+09:00"
    assert raw.date_modified_raw == "2025-03-01T10:00:00+09:00"
    assert raw.author_names == ["홍길동"]
    assert raw.source_name == "예시뉴스"
    assert raw.main_image is not None and raw.main_image["url"] == "https://img.example.co.kr/a.jpg"
    assert raw.section == "IT" and raw.tags == ["AI", "반도체"]


@pytest.mark.parametrize("script_type", ["application/LD+JSON", "application/ld+json; charset=utf-8"])
def test_jsonld_is_read_whatever_the_case_and_parameters_of_its_type(script_type: str) -> None:
    data = {"@type": "NewsArticle", "headline": "유형 표기", "datePublished": "2025-03-01T09:00:00+09:00"}
    script = f'<script type="{script_type}">{json.dumps(data, ensure_ascii=False)}</script>'
    raw = extract(URL, page(script, PARAGRAPH), {}, NOW)
    assert (raw.headline, raw.date_source) == ("유형 표기", "jsonld")


@pytest.mark.parametrize(
    "text",
    ['{"@type": "NewsArticle", "headline": "제어\x01문자 기사"}', "[" * 100_000],
    ids=["control-character", "nested-past-the-recursion-limit"],
)
def test_hostile_jsonld_is_read_or_skipped_never_fatal(text: str) -> None:
    script = f'<script type="application/LD+JSON">{text}</script>'
    raw = extract(URL, page(f"{script}<title>제목</title>", PARAGRAPH), {}, NOW)
    assert raw.headline in {"제어 문자 기사", "제목"} and raw.blocks


def test_broken_jsonld_block_is_skipped_not_fatal() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", broken</script>' + ld(
        {"@type": "NewsArticle", "headline": "두 번째 블록"}
    )
    assert extract(URL, page(head, PARAGRAPH), {}, NOW).headline == "두 번째 블록"


def test_opengraph_and_article_meta() -> None:
    head = (
        '<meta property="og:title" content="오픈그래프 제목 | 예시뉴스"><meta property="og:site_name" content="예시뉴스">'
        '<meta property="og:type" content="article"><meta property="article:published_time" content="2025-03-01T09:00:00+09:00">'
        '<meta property="article:modified_time" content="2025-03-02T09:00:00+09:00">'
        '<meta property="article:section" content="모바일"><meta property="article:tag" content="5G">'
        '<meta property="og:article:author" content="김철수"><meta property="og:image" content="/img/b.jpg">'
        '<meta property="og:description" content="요약입니다.">'
    )
    raw = extract(URL, page(head, PARAGRAPH), {}, NOW)
    assert raw.headline == "오픈그래프 제목"
    assert raw.date_published_raw == "2025-03-01T09:00:00+09:00"
    assert raw.date_modified_raw == "2025-03-02T09:00:00+09:00"
    assert raw.section == "모바일" and raw.tags == ["5G"]
    assert raw.author_names == ["김철수"]
    assert raw.main_image is not None and raw.main_image["url"] == "https://www.example.co.kr/img/b.jpg"
    assert raw.description == "요약입니다."


def test_dublin_core_and_time_element() -> None:
    dc = extract(
        URL,
        page(
            '<meta name="DC.date" content="2025-03-01T09:00:00+09:00"><title>더블린 코어</title>', PARAGRAPH
        ),
        {},
        NOW,
    )
    assert dc.date_published_raw == "2025-03-01T09:00:00+09:00"
    timed = extract(
        URL,
        page(
            "<title>타임 요소</title>",
            f'<time datetime="2025-03-04T08:00:00+09:00">3월 4일</time>{PARAGRAPH}',
        ),
        {},
        NOW,
    )
    assert timed.date_published_raw == "2025-03-04T08:00:00+09:00"


def test_canonical_link() -> None:
    raw = extract(
        URL + "&utm_source=x",
        page(
            '<link rel="canonical" href="/article/123"><meta property="og:type" content="article">',
            PARAGRAPH,
        ),
        {},
        NOW,
    )
    assert raw.canonical_url == URL


@pytest.mark.parametrize(
    ("title", "site", "section", "expected"),
    [
        (
            "장동혁, 한동훈 제명했지만… 부담 커졌다-정치ㅣ한국일보",
            "한국일보",
            None,
            "장동혁, 한동훈 제명했지만… 부담 커졌다",
        ),
        ("검찰, 경기도청 압수수색(종합2보) | 연합뉴스", "연합뉴스", None, "검찰, 경기도청 압수수색(종합2보)"),
        (
            "‘흙수저’ 소년공이 쏘아올린 정치 신화 - 매일경제",
            "매일경제",
            None,
            "‘흙수저’ 소년공이 쏘아올린 정치 신화",
        ),
        ("소 배설물 아닌가요? : 네이버 뉴스", "네이버 뉴스", None, "소 배설물 아닌가요?"),
        ("예시뉴스 :: 삼성, 새 폰 공개", "예시뉴스", None, "삼성, 새 폰 공개"),
        ("삼성, 새 폰 공개 < 모바일 < IT < 기사본문 - 예시뉴스", "예시뉴스", None, "삼성, 새 폰 공개"),
        ("LG-삼성 경쟁 격화 | 예시뉴스", "예시뉴스", None, "LG-삼성 경쟁 격화"),
        ("AI: 다음 10년 | 예시뉴스", "예시뉴스", None, "AI: 다음 10년"),
        ("반도체 수출 급증 | 경제 | 예시뉴스", "예시뉴스", "경제", "반도체 수출 급증"),
    ],
)
def test_title_decorations_are_removed(title: str, site: str, section: str | None, expected: str) -> None:
    head = f'<title>{title}</title><meta property="og:site_name" content="{site}"><meta property="og:type" content="article">'
    if section:
        head += f'<meta property="article:section" content="{section}">'
    assert extract(URL, page(head, PARAGRAPH), {}, NOW).headline == expected


def test_structured_headline_upgraded_to_the_visible_one_only_when_it_is_the_same_text() -> None:
    head = (
        ld({"@type": "NewsArticle", "headline": "왜 싸우나... 통합 외친 후보"})
        + '<title>"왜 싸우나"... 통합 외친 후보 | 예시</title>'
    )
    assert extract(URL, page(head, PARAGRAPH), {}, NOW).headline == '"왜 싸우나"... 통합 외친 후보'
    edited = ld({"@type": "NewsArticle", "headline": "진짜 제목"}) + "<title>진짜 제목</title>"
    assert (
        extract(URL, page(edited, "<h1>장난으로 바꾼 제목</h1>" + PARAGRAPH), {}, NOW).headline == "진짜 제목"
    )


def test_subtitle_from_deck_and_alternative_headline() -> None:
    raw = extract(
        URL,
        page(
            ld({"@type": "NewsArticle", "headline": "제목"}),
            '<h2 class="subtitle">부제 첫줄<br>부제 둘째줄</h2>' + PARAGRAPH,
        ),
        {},
        NOW,
    )
    assert raw.subtitle == "부제 첫줄\n부제 둘째줄"
    alt = extract(
        URL,
        page(ld({"@type": "NewsArticle", "headline": "제목", "alternativeHeadline": "대체 제목"}), PARAGRAPH),
        {},
        NOW,
    )
    assert alt.subtitle == "대체 제목"


def test_images_with_captions_and_credits_from_a_declared_body() -> None:
    class Declared(ArticlePage):
        body_selector = "#body"

    body = (
        '<div id="body"><figure><img src="/p/1.jpg"><figcaption>신제품을 소개하고 있다. (사진=삼성전자)</figcaption></figure>'
        '<table class="photo"><tr><td><img data-src="/p/2.jpg" src="data:image/gif;base64,R0lGOD"></td></tr>'
        '<tr><td class="caption">▲ 두 번째 사진 /사진=연합뉴스</td></tr></table>'
        '<img src="/banner/ad.gif" width="1" height="1">' + PARAGRAPH + "</div>"
    )
    raw = extract(URL, page(ld({"@type": "NewsArticle", "headline": "사진 기사"}), body), {}, NOW, Declared)
    assert [(i["url"], i["caption"], i["credit"]) for i in raw.images] == [
        ("https://www.example.co.kr/p/1.jpg", "신제품을 소개하고 있다.", "삼성전자"),
        ("https://www.example.co.kr/p/2.jpg", "▲ 두 번째 사진", "연합뉴스"),
    ]


def test_page_classes_are_chosen_by_url() -> None:
    assert page_class_for("https://n.news.naver.com/mnews/article/003/0012577249") is NaverNewsPage
    assert (
        page_class_for("https://n.news.naver.com/article/607/0000001728?cds=news_media_pc") is NaverNewsPage
    )
    assert (
        page_class_for("https://news.naver.com/main/read.naver?mode=LSD&oid=081&aid=0003219994")
        is NaverNewsPage
    )
    assert page_class_for("https://www.yna.co.kr/view/AKR20220907138351061") is YonhapPage
    assert page_class_for("https://www.hankookilbo.com/news/article/A2026012914320005196") is HankookIlboPage
    assert page_class_for("https://news.naver.com/main/main.naver?mode=LSD&mid=shm&sid1=105") is ArticlePage
    assert page_class_for("https://www.example.co.kr/article/1") is ArticlePage
    # A CMS family by its URL shape, on any of its tenants' hosts.
    assert page_class_for("https://www.thelec.kr/news/articleView.html?idxno=1").__name__ == "NdsoftPage"


@pytest.mark.parametrize(
    "url",
    [
        "http://etnews.com/",
        "https://www.example.co.kr/news/articleList.html?sc_section_code=S1N1",
        "https://platum.kr/archives/category/startup",
        "https://www.example.com/index.html",
    ],
)
def test_unmarked_listing_urls_are_not_articles(url: str) -> None:
    from crawler.pages import PageError

    with pytest.raises(PageError) as caught:
        extract(url, page("<title>목록</title>", PARAGRAPH), {}, NOW)
    assert caught.value.reason == "not_an_article"


@pytest.mark.parametrize(
    ("head", "body", "raw", "source"),
    [
        # several tokens in one itemprop
        (
            "<title>마이크로데이터</title>",
            f'<time itemprop="datePublished dateCreated" datetime="2019-11-18T10:15:00+09:00">어제</time>{PARAGRAPH}',
            "2019-11-18T10:15:00+09:00",
            "microdata",
        ),
        # itemprop tokens are split at ASCII whitespace only: a no-break space is part of a token
        (
            "<title>마이크로데이터</title>",
            '<span itemprop="dateCreated&nbsp;datePublished">2024-05-23</span>'
            f'<time itemprop="dateModified\tdatePublished" datetime="2019-11-18T10:15:00+09:00">어제</time>'
            f"{PARAGRAPH}",
            "2019-11-18T10:15:00+09:00",
            "microdata",
        ),
        # a compact meta date
        ('<meta name="date" content="20191118"><title>압축 날짜</title>', PARAGRAPH, "20191118", "meta"),
        (
            '<meta name="pubdate" content="2019-11-18T09:00:00"><title>pubdate</title>',
            PARAGRAPH,
            "2019-11-18T09:00:00",
            "meta",
        ),
        # a mobile page whose only date is a bare line after the reporter's name
        (
            "<title>모바일</title>",
            f"<div class='info'><span>이용민 기자 |</span><br><span>2020-03-04 16:52:59</span></div>{PARAGRAPH}",
            "2020-03-04 16:52:59",
            "byline",
        ),
        # a CMS placeholder first: the next statement is used
        (
            '<meta property="article:published_time" content="0001-01-01T00:00:00Z"><title>자리표시</title>',
            f'<time datetime="2021-06-01T12:00:00+09:00">6월 1일</time>{PARAGRAPH}',
            "2021-06-01T12:00:00+09:00",
            "time",
        ),
        # a date after the fetch is no publication date: the next one is
        (
            '<meta property="article:published_time" content="2031-01-01T00:00:00+09:00"><title>미래</title>',
            f'<time datetime="2025-12-31T12:00:00+09:00">어제</time>{PARAGRAPH}',
            "2025-12-31T12:00:00+09:00",
            "time",
        ),
    ],
    ids=[
        "microdata-list",
        "microdata-nbsp",
        "meta-compact",
        "meta-pubdate",
        "byline-line",
        "placeholder",
        "future",
    ],
)
def test_the_first_plausible_statement_of_the_date_is_used(
    head: str, body: str, raw: str, source: str
) -> None:
    found = extract(URL, page(head, body), {}, NOW)
    assert (found.date_published_raw, found.date_source) == (raw, source)


def test_htmldate_then_the_url_when_an_article_states_nothing_usable() -> None:
    article = '<meta property="og:type" content="article">'
    # Nothing we read directly; htmldate finds the date in the text.
    text = extract(
        URL, page(f"{article}<title>본문 날짜</title>", f"<p>게시일 2023/07/14</p>{PARAGRAPH}"), {}, NOW
    )
    assert text.date_source == "htmldate" and text.date_published_raw.startswith("2023-07-14")
    dated_url = "https://www.example.co.kr/news/2022/03/05/story"
    by_url = extract(dated_url, page(f"{article}<title>주소 날짜</title>", PARAGRAPH), {}, NOW)
    # htmldate reads the URL itself when it has it; ours is the last resort when it finds nothing
    assert by_url.date_source in {"htmldate", "url"} and by_url.date_published_raw.startswith("2022-03-05")


def test_a_page_that_does_not_say_it_is_an_article_gets_no_guessed_date() -> None:
    """A listing or home page served at an article's address stays dateless, and is dropped."""
    listing = extract(
        "https://www.example.co.kr/news/2022/03/05/story",
        page("<title>목록</title>", f"<p>게시일 2023/07/14</p>{PARAGRAPH}"),
        {},
        NOW,
    )
    assert (listing.date_published_raw, listing.date_source) == (None, None)


@pytest.mark.parametrize(
    ("title", "h1", "expected"),
    [
        ("삼성, 새 노트북 공개 : 뉴스 : 동아닷컴", "삼성, 새 노트북 공개", "삼성, 새 노트북 공개"),
        ("동아닷컴 :: 삼성, 새 노트북 공개", "삼성, 새 노트북 공개", "삼성, 새 노트북 공개"),
        ("삼성, 새 노트북 공개 » 어느신문", "삼성, 새 노트북 공개", "삼성, 새 노트북 공개"),
        # an <h1> that is only a section, or a title that merely begins with the same words, stays
        (
            "오늘의 주요 뉴스: 삼성전자가 새 노트북을 공개했다",
            "오늘의 주요 뉴스",
            "오늘의 주요 뉴스: 삼성전자가 새 노트북을 공개했다",
        ),
        (
            "삼성, 새 노트북 공개 - 가격은 지난해와 같은 수준으로 책정",
            "삼성, 새 노트북 공개",
            "삼성, 새 노트북 공개 - 가격은 지난해와 같은 수준으로 책정",
        ),
    ],
)
def test_the_pages_own_h1_is_the_headline_inside_a_decorated_title(
    title: str, h1: str, expected: str
) -> None:
    found = extract(URL, page(f"<title>{title}</title>", f"<h1>{h1}</h1>{PARAGRAPH}"), {}, NOW)
    assert found.headline == expected


def test_an_unmarked_page_whose_h1_is_its_headline_is_an_article_for_its_date() -> None:
    headline = "우주 발사체 사업, 더 큰 역할을 찾는다"
    found = extract(
        "https://www.example.co.kr/article/3834/1",
        page(
            f"<title>{headline} | 스페이스리뷰</title>",
            f"<h1>{headline}</h1><p>게시일 2023/07/14</p>{PARAGRAPH}",
        ),
        {},
        NOW,
    )
    assert found.date_source == "htmldate" and found.date_published_raw.startswith("2023-07-14")


_STORY = "반도체 업계는 올해 인공지능 서버 수요가 늘면서 고대역폭 메모리 공급이 부족할 것으로 내다봤다. "


@pytest.mark.parametrize("wrapper", ["nav", "aside", "footer"])
@pytest.mark.parametrize("closed", [True, False], ids=["wrapping", "unclosed"])
def test_a_story_inside_nav_aside_or_footer_is_still_found(wrapper: str, closed: bool) -> None:
    """trafilatura gets the page without its navigation, sidebars and footers, but not without one that
    may hold the story: an unclosed <nav> holds the rest of the page, a mislabelled <aside> the article."""
    paragraphs = "".join(f"<p>{i}번째 문단. {_STORY * 3}</p>" for i in range(1, 6))
    story = f"<div class='article-body'>{paragraphs}</div>"
    html = (
        "<html><head><title>기사</title></head><body><header><a href='/'>홈</a></header>"
        f"<{wrapper}><ul><li><a href='/it'>IT</a></li><li><a href='/sci'>과학</a></li></ul>"
        f"{story}{f'</{wrapper}>' if closed else ''}<{wrapper}><a href='/more'>더보기</a></{wrapper}></body></html>"
    )
    doc = load("https://news.example.com/article/1", html.encode())
    before = lxml.html.tostring(doc.tree)
    blocks = blocks_from_trafilatura(doc.tree, doc.url)
    assert lxml.html.tostring(doc.tree) == before  # the page's own tree is left whole
    assert [b.text.split(".")[0] for b in blocks] == [f"{i}번째 문단" for i in range(1, 6)]


@pytest.mark.parametrize(
    "icon",
    ["<svg class='icon'><use href='#share'></use>", "<svg class=icon/>"],
    ids=["unclosed", "unquoted-slash"],
)
def test_a_story_an_unclosed_svg_swallowed_is_still_found(icon: str) -> None:
    """Inline SVG icons go from trafilatura's copy; an <svg> the parser never closed holds the rest of the
    page (browsers recover at the next block, libxml2 does not), and stays."""
    paragraphs = "".join(f"<p>{i}번째 문단. {_STORY * 3}</p>" for i in range(1, 6))
    html = (
        "<html><head><title>기사</title></head><body><header><a href='/'>홈</a></header>"
        f"{icon}<div class='content'>{paragraphs}</div></body></html>"
    )
    doc = load("https://news.example.com/article/2", html.encode())
    blocks = blocks_from_trafilatura(doc.tree, doc.url)
    assert [b.text.split(".")[0] for b in blocks] == [f"{i}번째 문단" for i in range(1, 6)]


def test_a_short_story_an_unclosed_svg_swallowed_in_no_block_is_still_found() -> None:
    story = f"<main>{_STORY}<br>{_STORY}</main>"
    html = f"<html><head><title>기사</title></head><body><svg class='icon'><use href='#s'></use>{story}</body></html>"
    doc = load("https://news.example.com/article/3", html.encode())
    assert _STORY.split(".")[0] in " ".join(b.text for b in blocks_from_trafilatura(doc.tree, doc.url))


def test_a_story_cut_by_inline_scripts_keeps_its_text_and_loses_the_code() -> None:
    """Scripts and styles go from trafilatura's copy before its search; the story text after one (its
    tail, as ad slots inside a paragraph leave it) stays."""
    pieces = [f"{i}번째 문단. {_STORY * 2}" for i in range(1, 5)]
    cut = "".join(
        f"{piece}<script>googletag.display('ad-{n}');</script><style>.ad{{}}</style>"
        for n, piece in enumerate(pieces)
    )
    html = (
        f"<html><head><title>기사</title></head><body><div class='content'><p>{cut}</p></div></body></html>"
    )
    doc = load("https://news.example.com/article/4", html.encode())
    text = " ".join(b.text for b in blocks_from_trafilatura(doc.tree, doc.url))
    assert all(piece.split(".")[0] in text for piece in pieces)
    assert "googletag" not in text and ".ad" not in text


def test_a_story_only_in_the_bodys_json_ld_is_found() -> None:
    """JSON-LD scripts stay in trafilatura's copy, wherever they are: its baseline reads `articleBody`
    there when the page shows no story."""
    data = {"@type": "NewsArticle", "headline": "기사", "articleBody": _STORY * 6}
    html = f"<html><head><title>기사</title></head><body><a href='/'>홈</a>{ld(data)}</body></html>"
    doc = load("https://news.example.com/article/5", html.encode())
    assert _STORY.split(".")[0] in " ".join(b.text for b in blocks_from_trafilatura(doc.tree, doc.url))


def test_an_svg_icon_is_measured_with_its_style_before_styles_go() -> None:
    """An <svg> whose <style> makes it 100 characters stays in trafilatura's copy, as it did before
    styles were pruned: readability's output holding an <svg> is what sends trafilatura to jusText."""
    style = "<style>.st0{fill:#231f20;stroke:#000;stroke-width:2px}.st1{fill:none;stroke:#fff;stroke-miterlimit:10}.st2{opacity:.5}</style>"
    html = f"<html><body><a href='/x'><svg class='icon'>{style}<path d='M0 0'/></svg>공유</a><p>{_STORY}</p></body></html>"
    tree = lxml.html.fromstring(html)
    prune_unwanted_nodes(tree, [XPath(rule) for rule in _NEVER_CONTENT])
    assert len(tree.xpath("//svg")) == 1 and not tree.xpath("//style")


def test_a_story_between_ad_scripts_found_in_trafilaturas_recall_retry_holds_no_script() -> None:
    """trafilatura's recall retry may return its copy of the page from before its own cleaning (when every
    paragraph is in an element the cleaning deletes, here a photo caption): scripts pruned from that copy
    first, the story comes without their code, and with its sentences between them."""
    sentences = [f"{i}번째 문장으로 반도체 업계의 고대역폭 메모리 공급 전망을 전했다" for i in range(1, 11)]
    ad = "<script>googletag.cmd.push(function(){googletag.display('div-gpt-ad');});</script>"
    story = "".join(f"{sentence}.<br><br>{ad}" for sentence in sentences)
    menu = "".join(f"<li><a href='/section/{i}'>섹션 메뉴 {i}</a></li>" for i in range(320))
    html = (
        "<html><head><title>메모리 양산 | 테크뉴스</title><meta property='og:type' content='article'></head>"
        f"<body><div class='gnb'><ul>{menu}</ul></div><h1>메모리 양산</h1><div id='article-view'><figure>"
        f"<img src='/p/1.jpg'><p class='caption'>평택캠퍼스 전경. 사진=삼성전자 제공</p></figure>"
        f"<div class='view-text'>{story}</div></div></body></html>"
    )
    doc = load("https://www.technews.example.kr/news/articleView.html?idxno=1", html.encode())
    text = " ".join(b.text for b in blocks_from_trafilatura(doc.tree, doc.url))
    assert "googletag" not in text
    assert all(sentence in text for sentence in sentences)


def test_the_photos_of_a_story_in_its_aside_are_found() -> None:
    photo = "<aside class='photo'><img src='/p/chip.jpg' alt='HBM 칩'></aside>"
    paragraphs = "".join(f"<p>{i}번째 문단. {_STORY * 3}</p>" for i in range(1, 4))
    last = "<p>삼성전자와SK하이닉스는 차세대 메모리 투자를 늘리기로 했다고 밝혔다.</p>"
    html = (
        "<html><body><nav><a href='/'>홈</a></nav>"
        f"<article><p>{_STORY}</p>{photo}{paragraphs}{last}</article></body></html>"
    )
    doc = load("https://news.example.com/article/2", html.encode())
    images = [b.image["url"] for b in blocks_from_trafilatura(doc.tree, doc.url) if b.image]
    assert images == ["https://news.example.com/p/chip.jpg"]


def test_an_element_two_drop_selectors_match_is_dropped_once() -> None:
    body = lxml.html.fromstring(
        '<div><p>본문입니다.</p><div class="writer-zone writer-zone01">홍길동 기자</div></div>'
    )
    blocks = blocks_from_element(body, "https://www.yna.co.kr/", (".writer-zone", ".writer-zone01"))
    assert [(b.kind, b.text) for b in blocks] == [("p", "본문입니다.")]
