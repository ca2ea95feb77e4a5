"""Canonical URLs, table-driven over URLs that stand on the real corpus pages."""

from __future__ import annotations

import pytest

from crawler.urls import clean_url, identity, same_site, url_key

# Groups of URLs of one article, each group as the corpus pages spell them (links, canonical, AMP, og:url).
SAME = [
    (  # Naver: the 2021 desktop link, the mnews and article forms, the mobile one, with Naver's own tags
        "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&oid=081&aid=0003219994&sid1=001",
        "https://news.naver.com/main/read.naver?mode=LSD&mid=shm&sid1=103&oid=081&aid=0003219994",
        "https://n.news.naver.com/mnews/article/081/0003219994?sid=103",
        "https://n.news.naver.com/article/081/0003219994?cds=news_media_pc&type=editn",
        "https://m.news.naver.com/read.nhn?oid=081&aid=0003219994",
    ),
    (  # Yonhap: canonical, the AMP link of its <head>, the mobile host, a section tag
        "https://www.yna.co.kr/view/AKR20220907138351061",
        "https://m.yna.co.kr/amp/view/AKR20220907138351061",
        "http://yna.co.kr/view/AKR20220907138351061#none",
        "https://www.yna.co.kr/view/AKR20220907138351061?section=society/all",
    ),
    (  # Hankook Ilbo: canonical and the AMP link of its <head>
        "https://www.hankookilbo.com/News/Read/A2025051516330004328",
        "https://m.hankookilbo.com/News/Read/Amp/A2025051516330004328",
    ),
    (  # etnews: the home page's links carry a tracking `mc=`
        "http://www.etnews.com/20180316000254?mc=em_001_00001",
        "http://www.etnews.com/20180316000254?mc=em_002_00003",
        "https://etnews.com/20180316000254",
    ),
    (  # utm_* and click ids anywhere
        "https://www.aitimes.com/news/articleView.html?idxno=158000&utm_source=naver&utm_medium=news",
        "https://www.aitimes.com/news/articleView.html?fbclid=IwAR0abc&idxno=158000",
        "https://aitimes.com/news/articleView.html?idxno=158000&gclid=xyz",
    ),
    (
        "https://en.yna.co.kr/view/AEN20190820002300325?section=nk/nk",
        "https://en.yna.co.kr/view/AEN20190820002300325",
    ),
]

DIFFERENT = [
    (
        "https://n.news.naver.com/mnews/article/081/0003219994",
        "https://n.news.naver.com/mnews/article/081/0003219995",
    ),
    (
        "https://www.aitimes.com/news/articleView.html?idxno=1",
        "https://www.aitimes.com/news/articleView.html?idxno=2",
    ),
    (
        "http://www.dt.co.kr/contents.html?article_no=2018032302100558032001",
        "http://eng.dt.co.kr/contents.html?article_no=2018032302100558032001",
    ),
    (
        "http://inews24.com/php/news_view.php?g_serial=1083127&g_menu=020300",
        "http://inews24.com/php/news_view.php?g_serial=1083128&g_menu=020300",
    ),
]


@pytest.mark.parametrize("group", SAME, ids=lambda g: g[0][:40])
def test_one_article_one_identity(group: tuple[str, ...]) -> None:
    assert len({identity(u) for u in group}) == 1
    assert len({url_key(u) for u in group}) == 1


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_articles_stay_apart(a: str, b: str) -> None:
    assert url_key(a) != url_key(b)


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        (
            "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&oid=081&aid=0003219994&sid1=001",
            "https://n.news.naver.com/mnews/article/081/0003219994",
        ),
        (
            "https://n.news.naver.com/article/607/0000001728?cds=news_media_pc&type=editn",
            "https://n.news.naver.com/mnews/article/607/0000001728",
        ),
        ("http://www.etnews.com/20180316000254?mc=em_001_00001", "http://www.etnews.com/20180316000254"),
        (
            "https://www.aitimes.com/news/articleView.html?idxno=158000&utm_source=naver",
            "https://www.aitimes.com/news/articleView.html?idxno=158000",
        ),
        (
            "http://inews24.com/php/news_view.php?g_serial=1083127&g_menu=020300",
            "http://inews24.com/php/news_view.php?g_serial=1083127&g_menu=020300",
        ),
    ],
)
def test_clean_url_is_a_real_url_without_tags(url: str, clean: str) -> None:
    assert clean_url(url) == clean


def test_site_comparison_counts_korean_second_levels() -> None:
    assert same_site("https://m.yna.co.kr/a", "https://www.yna.co.kr/b")
    assert not same_site("https://www.yna.co.kr/a", "https://www.co.kr/b")
    assert not same_site("https://spam.example.com/a", "https://www.yna.co.kr/b")
