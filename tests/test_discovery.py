"""Discovery documents: article links on REAL listing pages (the 2018 home pages, Naver's section home),
and feeds and sitemaps in every shape sites serve (small SYNTHETIC documents written here)."""

from __future__ import annotations

import gzip
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.korean.dates import KST
from crawler.spiders.discovery import listing_entries, parse_feed, parse_sitemap

FIXTURES = Path(__file__).parent / "fixtures"
LOADER = SpiderLoader.from_settings(get_project_settings())


def patterns(spider: str) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in LOADER.load(spider).article_patterns]


# (spider, home page fixture, its URL, links found, one link that must be among them)
HOMES = [
    # 62 links to 59 stories: the same story under different `mc=` tracking values (dedup folds them)
    (
        "etnews",
        "etnews/home-2018.html",
        "http://etnews.com/",
        62,
        "http://www.etnews.com/20180316000254?mc=em_001_00001",
    ),
    # includes the /cloud/news/ sub-site's articles
    (
        "ddaily",
        "ddaily/home-2018.html",
        "http://ddaily.co.kr/",
        109,
        "http://ddaily.co.kr/cloud/news/article.html?no=166721",
    ),
    (
        "inews24",
        "inews24/home-2018.html",
        "http://inews24.com/",
        82,
        "http://inews24.com/php/news_view.php?g_serial=1083127&g_menu=020300",
    ),
    # not eng.dt.co.kr's English edition
    (
        "dt",
        "dt/home-2018.html",
        "http://dt.co.kr/",
        59,
        "http://www.dt.co.kr/contents.html?article_no=2018032302100558032001",
    ),
    ("platum", "platum/home-2018.html", "http://platum.kr/", 69, "http://platum.kr/archives/97073"),
    (
        "sisaweek",
        "sisaweek/home-2018.html",
        "http://sisaweek.com/",
        30,
        "http://sisaweek.com/news/articleView.html?idxno=105214",
    ),
]


@pytest.mark.parametrize(("spider", "fixture", "url", "count", "sample"), HOMES, ids=[h[0] for h in HOMES])
def test_article_links_on_real_home_pages(
    spider: str, fixture: str, url: str, count: int, sample: str
) -> None:
    entries = listing_entries((FIXTURES / fixture).read_bytes(), url, patterns(spider))
    urls = [e.url for e in entries]
    assert len(urls) == count == len(set(urls))
    assert sample in urls
    # Read independently of the DOM, with a plain regex over the href attributes: what we found is there,
    # and what we left out is only what scripts write (dt's `document.write` boxes).
    raw = (FIXTURES / fixture).read_text(encoding="utf-8")
    hrefs = {urljoin(url, h.strip()) for h in re.findall(r"href\s*=\s*[\"']([^\"']+)[\"']", raw)}
    by_regex = {h for h in hrefs if any(p.search(h) for p in patterns(spider))}
    assert set(urls) <= by_regex
    assert len(by_regex - set(urls)) <= 3


def test_tracking_parameters_are_kept_on_links_for_the_dedup_to_fold() -> None:
    entries = listing_entries(
        (FIXTURES / "etnews/home-2018.html").read_bytes(), "http://etnews.com/", patterns("etnews")
    )
    assert any("?mc=" in e.url for e in entries)


def test_naver_section_home_links() -> None:
    entries = listing_entries(
        (FIXTURES / "naver/listing-2.html").read_bytes(),
        "https://news.naver.com/main/main.naver?mode=LSD&mid=shm&sid1=100",
        patterns("naver_it"),
    )
    assert len(entries) >= 20
    assert all("aid=" in e.url or "/article/" in e.url for e in entries)


def test_listing_dates_are_read_from_each_item() -> None:
    html = (
        '<ul><li><a href="/news/articleView.html?idxno=2">둘째</a> <em>2024.05.23 10:15</em></li>'
        '<li><a href="/news/articleView.html?idxno=1">첫째</a> <span>2024-05-22</span></li>'
        '<li><a href="/news/articleView.html?idxno=3">날짜 없음</a></li></ul>'
    )
    entries = listing_entries(html, "https://www.example.co.kr/", [re.compile(r"idxno=\d+")])
    assert [(e.url[-1], e.published, e.title) for e in entries] == [
        ("2", datetime(2024, 5, 23, 10, 15, tzinfo=KST), "둘째"),
        ("1", datetime(2024, 5, 22, tzinfo=KST), "첫째"),
        ("3", None, "날짜 없음"),
    ]


RSS = b"""<?xml version="1.0" encoding="UTF-8"?><!-- synthetic -->
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>
<item><title>A</title><link>https://www.example.co.kr/news/articleView.html?idxno=1</link>
<pubDate>Thu, 23 May 2024 10:15:00 +0900</pubDate></item>
<item><title>B</title><link> /news/articleView.html?idxno=2 </link><dc:date>2024-05-22T09:00:00+09:00</dc:date></item>
<item><title>C</title><guid>https://www.example.co.kr/news/articleView.html?idxno=3</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><!-- synthetic -->
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>A</title><link rel="alternate" href="https://blog.example.com/a"/><link rel="edit" href="https://x/e"/>
<published>2024-05-23T01:15:00Z</published></entry>
<entry><title>B</title><link href="https://blog.example.com/b"/><updated>2024-05-22T00:00:00Z</updated></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?><!-- synthetic -->
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><item rdf:about="https://e.kr/1"><title>A</title>
<link>https://e.kr/1</link><dc:date>2024-05-23 10:15</dc:date></item></rdf:RDF>"""


def test_rss_feed() -> None:
    entries = parse_feed(RSS, "https://www.example.co.kr/rss/allArticle.xml")
    assert [(e.url[-1], e.published, e.title) for e in entries] == [
        ("1", datetime(2024, 5, 23, 10, 15, tzinfo=KST), "A"),
        ("2", datetime(2024, 5, 22, 9, 0, tzinfo=KST), "B"),
        ("3", None, "C"),
    ]
    assert entries[1].url == "https://www.example.co.kr/news/articleView.html?idxno=2"


def test_atom_feed_takes_the_alternate_link() -> None:
    entries = parse_feed(ATOM, "https://blog.example.com/feed/")
    assert [e.url for e in entries] == ["https://blog.example.com/a", "https://blog.example.com/b"]
    assert entries[0].published == datetime(2024, 5, 23, 10, 15, tzinfo=KST)


def test_rss_1_feed() -> None:
    (entry,) = parse_feed(RDF, "https://e.kr/rss")
    assert entry.url == "https://e.kr/1" and entry.published == datetime(2024, 5, 23, 10, 15, tzinfo=KST)


@pytest.mark.parametrize(
    "body", [b"", b"<html>not a feed</html>", b"\x00\x01garbage", b"<rss><channel><item>"]
)
def test_broken_feeds_give_nothing_not_an_error(body: bytes) -> None:
    assert parse_feed(body, "https://e.kr/rss") == []


INDEX = b"""<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://e.kr/post-sitemap1.xml</loc><lastmod>2024-05-23T10:00:00+09:00</lastmod></sitemap>
<sitemap><loc>https://e.kr/post-sitemap2.xml.gz</loc></sitemap></sitemapindex>"""

NEWS = """<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://e.kr/archives/1</loc>
<lastmod>2024-05-24T00:00:00+09:00</lastmod><news:news><news:publication><news:name>예시</news:name></news:publication>
<news:publication_date>2024-05-23T10:15:00+09:00</news:publication_date><news:title>뉴스 제목</news:title></news:news>
</url><url><loc>https://e.kr/archives/2</loc><lastmod>2024-05-22</lastmod></url></urlset>""".encode()


def test_sitemap_index() -> None:
    sitemap = parse_sitemap(INDEX, "https://e.kr/sitemap_index.xml")
    assert [(e.url, e.published) for e in sitemap.sitemaps] == [
        ("https://e.kr/post-sitemap1.xml", datetime(2024, 5, 23, 10, tzinfo=KST)),
        ("https://e.kr/post-sitemap2.xml.gz", None),
    ]
    assert sitemap.entries == []


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_news_sitemap_keeps_publication_date_and_title(compress: bool) -> None:
    body = gzip.compress(NEWS) if compress else NEWS
    sitemap = parse_sitemap(body, "https://e.kr/news-sitemap.xml")
    assert [(e.url, e.published, e.title) for e in sitemap.entries] == [
        ("https://e.kr/archives/1", datetime(2024, 5, 23, 10, 15, tzinfo=KST), "뉴스 제목"),
        ("https://e.kr/archives/2", datetime(2024, 5, 22, tzinfo=KST), None),
    ]


ALTLIST = """<ul class="altlist-webzine">
<li id="sample" class="altlist-webzine-item" style="display: none"><H2 class="altlist-subject">
<a href="/news/articleView.html?idxno=0">template</a></H2></li>
<li class="altlist-webzine-item"><H2 class="altlist-subject"><a href="/news/articleView.html?idxno=7">a</a></H2>
<div class="altlist-info-item">홍길동 기자</div><div class="altlist-info-item">{recent}</div></li>
<li class="altlist-webzine-item"><H2 class="altlist-subject"><a href="/news/articleView.html?idxno=6">b</a></H2>
<div class="altlist-info-item">2024-12-30</div></li></ul>"""


def test_year_less_list_dates_take_the_latest_year_not_after_the_fetch() -> None:
    """ndsoft's altlist skin and Yonhap's lists print recent items as MM-DD HH:MM (SITES-2026 §8, A5)."""
    read = lambda html, now: listing_entries(html, "https://www.aitimes.com/", patterns("aitimes"), now)  # noqa: E731
    january = datetime(2026, 1, 2, 9, 0, tzinfo=KST)
    entries = read(ALTLIST.format(recent="12-31 23:10"), january)
    # The template row is no article; December's item read in January is last year's.
    assert [e.url.rsplit("=", 1)[1] for e in entries] == ["7", "6"]
    assert entries[0].published == datetime(2025, 12, 31, 23, 10, tzinfo=KST)
    assert entries[1].published == datetime(2024, 12, 30, tzinfo=KST)
    assert read(ALTLIST.format(recent="01-02 08:55"), january)[0].published == datetime(
        2026, 1, 2, 8, 55, tzinfo=KST
    )


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("2026.06.04 AM 09:44", (9, 44)),
        ("2025.10.09 PM 06:14", (18, 14)),
        ("2025.10.09 PM 12:05", (12, 5)),
        ("2025.10.09 AM 12:05", (0, 5)),
        ("2025.10.09 오후 3:05", (15, 5)),
        ("2025.10.09 14:05", (14, 5)),
    ],
)
def test_list_times_with_am_and_pm(printed: str, expected: tuple[int, int]) -> None:
    """ZDNet Korea's lists print `2025.10.09 PM 06:14` (SITES-2026 §2)."""
    html = (
        f'<div class="newsPost"><li><a href="/view/?no=20251009181400">t</a><span>{printed}</span></li></div>'
    )
    [entry] = listing_entries(html, "https://zdnet.co.kr/news/", patterns("zdnet"))
    assert entry.published is not None and (entry.published.hour, entry.published.minute) == expected


def test_a_list_item_s_date_is_its_own_not_one_its_summary_names() -> None:
    """The item's date line wins over a date in its summary's prose, whatever box the skin uses (divs
    on ZDNet, list items on ndsoft), and a year-less time glued to the text before it is read."""
    html = """<div class="newsPost"><div class="assetText"><a href="/view/?no=20251009181400"><h3>t</h3></a>
    <p>지난 2025년 3월 15일 발표에 이어</p><p class="byline"><span>2025.10.09 PM 06:14</span></p></div></div>
    <div class="newsPost"><div class="assetText"><a href="/view/?no=20251008090000"><h3>u</h3></a>
    <p>요약.</p><p class="byline"><span>2025.10.08 AM 09:00</span></p></div></div>"""
    entries = listing_entries(html, "https://zdnet.co.kr/news/", patterns("zdnet"))
    assert [e.published for e in entries] == [
        datetime(2025, 10, 9, 18, 14, tzinfo=KST),
        datetime(2025, 10, 8, 9, 0, tzinfo=KST),
    ]
    glued = '<ul><li data-cid="1"><a class="tit-news" href="/view/AKR20251230000001017">a</a><p class="lead">끝.</p>12-30 08:05</li></ul>'
    [entry] = listing_entries(
        glued, "https://www.yna.co.kr/", patterns("yna"), datetime(2025, 12, 31, tzinfo=KST)
    )
    assert entry.published == datetime(2025, 12, 30, 8, 5, tzinfo=KST)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # A list of one article: the page's header date is not its date.
        (
            '<div id="wrap"><div class="top-date">2024년 06월 01일 토요일</div><ul><li>'
            '<a href="/news/articleView.html?idxno=1">T</a><span class="date">2024.05.20 10:00</span></li></ul></div>',
            datetime(2024, 5, 20, 10, 0, tzinfo=KST),
        ),
        # A <time> says its time and zone.
        (
            '<ul><li><a href="/news/articleView.html?idxno=1">T</a><time datetime="2024-05-30T20:00:00Z">어제</time></li></ul>',
            datetime(2024, 5, 31, 5, 0, tzinfo=KST),
        ),
        # Table cells stay apart.
        (
            '<table><tr><td><a href="/news/articleView.html?idxno=1">T</a></td><td>2024-5-3</td><td>12:00</td></tr></table>',
            datetime(2024, 5, 3, 12, 0, tzinfo=KST),
        ),
    ],
    ids=["one-article-list", "time-element", "table-cells"],
)
def test_an_item_s_date_where_the_page_says_more(html: str, expected: datetime) -> None:
    [entry] = listing_entries(
        html, "https://www.aitimes.com/", patterns("aitimes"), datetime(2024, 6, 1, tzinfo=KST)
    )
    assert entry.published == expected
