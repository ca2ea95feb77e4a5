"""Bad input never escapes as an exception: every page gives an Article or a drop with a reason."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.offline import article_from_page
from crawler.pages import PageError, extract
from crawler.pages.document import decode, load, parse_html

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
YNA_URL = "https://www.yna.co.kr/view/AKR20220907138351061"
YNA = (FIXTURES / "yna" / "article-1.html").read_bytes()
NAVER_2021 = (FIXTURES / "naver" / "article-1.html").read_bytes()
NAVER_2021_URL = "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&oid=081&aid=0003219994&sid1=001"


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (b"", {}, "empty"),
        (b"   \r\n\t ", {}, "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", {}, "not_html"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", {}, "not_html"),
        (gzip.compress(b"<html><body>hi</body></html>"), {}, "not_html"),
        (b"\x00\x01\x02" * 500, {}, "not_html"),
        (b"just some words, no markup at all", {}, "not_html"),
        (b'{"articles": []}', {"Content-Type": "application/json"}, "not_html"),
        (YNA, {"Content-Type": "image/jpeg"}, "not_html"),
    ],
)
def test_non_pages_are_dropped_with_a_reason(body: bytes, headers: dict, reason: str) -> None:
    with pytest.raises(PageError) as caught:
        extract(YNA_URL, body, headers, NOW)
    assert caught.value.reason == reason


def test_truncated_article_still_gives_what_it_has() -> None:
    outcome = article_from_page(YNA_URL, YNA[: len(YNA) * 2 // 3], {}, NOW)
    assert outcome.article is not None
    assert outcome.article.headline == "검찰, 쌍방울 그룹 비리 의혹 관련 경기도청 압수수색(종합2보)"


def test_truncated_to_the_head_is_a_drop_with_a_reason() -> None:
    outcome = article_from_page(YNA_URL, YNA[:3000], {}, NOW)
    assert outcome.article is None and outcome.reason in {"no_body", "body_too_short", "not_an_article"}


def test_utf8_bytes_declared_euc_kr_are_read_as_utf8() -> None:
    # Archived pages often say EUC-KR in their meta while the bytes are UTF-8.
    page = YNA.replace(b"<head>", b'<head><meta charset="euc-kr">', 1)
    outcome = article_from_page(YNA_URL, page, {"Content-Type": "text/html; charset=euc-kr"}, NOW)
    assert outcome.article is not None and "압수수색" in outcome.article.headline


@pytest.mark.parametrize(
    "page",
    [
        YNA.replace(b"<head>", b'<head><meta charset="euc-kr">', 1),
        b"\xef\xbb\xbf" + YNA,
        YNA.replace(b"</title>", b"\x00</title>", 1),
        b'<?xml version="1.0" encoding="utf-8"?>\n' + YNA,
        YNA.replace(b"</title>", "\ufffd".encode() + b"</title>", 1),
    ],
    ids=["meta-euc-kr", "bom", "nul", "xml-declaration", "replacement-character"],
)
def test_utf8_bytes_parse_to_the_tree_of_their_text(page: bytes) -> None:
    """UTF-8 pages are parsed from their bytes, the others from their decoded text: one tree either way."""
    encoding, text = decode(page, None)
    assert encoding == "utf-8"
    from_bytes = load(YNA_URL, page).tree
    assert lxml.html.tostring(from_bytes) == lxml.html.tostring(parse_html(text))
    assert "압수수색" in (from_bytes.findtext(".//title") or "")


def test_cp949_bytes_served_as_utf8_are_read_as_cp949() -> None:
    outcome = article_from_page(NAVER_2021_URL, NAVER_2021, {"Content-Type": "text/html; charset=utf-8"}, NOW)
    assert outcome.article is not None and "곱창" in outcome.article.headline


def test_listing_page_at_an_article_url_is_dropped() -> None:
    listing = (FIXTURES / "naver" / "listing-2.html").read_bytes()
    outcome = article_from_page("https://n.news.naver.com/mnews/article/003/0012577249", listing, {}, NOW)
    assert outcome.article is None and outcome.reason == "not_an_article"


def test_future_date_is_dropped_with_its_reason() -> None:
    outcome = article_from_page(YNA_URL, YNA, {}, datetime(2022, 9, 1, tzinfo=UTC))
    assert outcome.article is None and outcome.reason == "future_date"


PAGES = [YNA, NAVER_2021, (FIXTURES / "naver" / "article-2.html").read_bytes()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    page=st.sampled_from(PAGES),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 0.2)), max_size=4),
    insert=st.binary(max_size=64),
    charset=st.sampled_from([None, "utf-8", "euc-kr", "latin-1", "bogus-charset"]),
)
def test_mutated_pages_never_raise(page: bytes, cuts, insert: bytes, charset: str | None) -> None:
    body = page
    for start, length in cuts:
        a = int(start * len(body))
        body = body[:a] + insert + body[a + int(length * len(body)) :]
    headers = {"Content-Type": f"text/html; charset={charset}"} if charset else {}
    outcome = article_from_page(YNA_URL, body, headers, NOW)
    assert (outcome.article is None) != (outcome.reason is None)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_arbitrary_bytes_never_raise(body: bytes) -> None:
    outcome = article_from_page(YNA_URL, body, {}, NOW)
    assert outcome.article is not None or outcome.reason


def test_byte_order_mark_is_not_text() -> None:
    outcome = article_from_page(YNA_URL, b"\xef\xbb\xbf" + YNA, {}, NOW)
    assert outcome.article is not None and not outcome.article.headline.startswith("\ufeff")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/photo.jpg",
        "http://10.1.2.3/photo.jpg",
        "http://192.168.0.10:8080/photo.jpg",
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "http://[::1]/photo.jpg",
        "http://[fd00::1]/photo.jpg",
        "http://0.0.0.0/photo.jpg",
    ],
)
def test_nothing_a_page_links_to_reaches_the_machines_own_network(url: str) -> None:
    import asyncio

    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import PublicAddressMiddleware
    from crawler.spiders.yna import YnaSpider

    crawler = get_crawler(YnaSpider)
    crawler._apply_settings()
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    guard = PublicAddressMiddleware(crawler)
    with pytest.raises(IgnoreRequest, match="private or local address"):
        asyncio.run(guard.process_request(Request(url)))  # an image, a link or a redirect from a page
    assert crawler.stats.get_value("news/refused/private_address") == 1
    # The URL a spider starts from, as the operator or its code gave it, is trusted, with its host (its
    # robots.txt, its own redirects); in replay, all are.
    assert asyncio.run(guard.process_request(Request(url, meta={"news_given_url": url}))) is None
    assert asyncio.run(guard.process_request(Request(url + "?page=2"))) is None
    with pytest.raises(IgnoreRequest):  # ... but not another private host it links or redirects to
        asyncio.run(guard.process_request(Request("http://10.9.9.9/admin")))
    replay = get_crawler(settings_dict={"NEWS_REPLAY_URL": "http://127.0.0.1:8000"})
    replay._apply_settings()
    assert asyncio.run(PublicAddressMiddleware(replay).process_request(Request(url))) is None
    # A tool that crawls no news (`scrapy shell URL`'s default spider) fetches what its user typed.
    shell = get_crawler()
    shell._apply_settings()
    shell.spider = shell._create_spider()
    assert asyncio.run(PublicAddressMiddleware(shell).process_request(Request(url))) is None


def test_public_addresses_pass() -> None:
    from crawler.middlewares import private_address

    assert not private_address("211.233.51.10") and not private_address("2404:6800:4004:80f::200e")
    assert not private_address("imgnews.pstatic.net")  # a name: resolved by the middleware first


def test_an_image_past_pillows_own_limit_is_refused_and_counted(tmp_path) -> None:
    """A 109 kB PNG may declare 30,000 x 30,000 pixels: refused from its header, before any decoding."""
    import struct
    import zlib

    from scrapy import Request
    from scrapy.http import Response
    from scrapy.pipelines.images import ImageException
    from scrapy.utils.test import get_crawler

    from exports.images import MainImagePipeline

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30_000, 30_000, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )
    crawler = get_crawler(settings_dict={"NEWS_JEKYLL_IMAGES": "download", "NEWS_JEKYLL_SITE": str(tmp_path)})
    crawler._apply_settings()
    crawler.stats.open_spider()
    pipeline = MainImagePipeline.from_crawler(crawler)
    url = "https://img.example.com/bomb.png"
    with pytest.raises(ImageException):
        list(pipeline.get_images(Response(url, body=png), Request(url), None))
    assert crawler.stats.get_value("news/refused/too_many_pixels") == 1


_FILLERS = ("a", "한", "😀", "<p>기사</p>")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    filler=st.sampled_from(_FILLERS),
    before=st.integers(0, 6000),
    after=st.integers(0, 9000),
    charset=st.sampled_from(["utf-8", "cp949", "utf-16", "iso-2022-jp", None]),
    declared=st.sampled_from(["header", "meta", "none"]),
    delay=st.sampled_from(["0", "3", "600"]),
)
def test_meta_refresh_reads_as_scrapys_own_on_any_page(
    filler: str, before: int, after: int, charset: str | None, declared: str, delay: str
) -> None:
    """Ours reads a head of the body; Scrapy's the whole decoded page: they decide the same."""
    from scrapy import Request
    from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as Scrapys
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import MetaRefreshMiddleware

    encoding = charset or "utf-8"
    if encoding == "cp949" and filler == "😀":
        filler = "한"  # CP949 has no emoji
    if encoding == "iso-2022-jp":
        filler = "漢a"  # shifts in and out at every character: more than 4 bytes each
    meta = f'<meta charset="{charset}">' if declared == "meta" and charset else ""
    text = (
        f"<html><head>{meta}<title>t</title>{filler * before}"
        f'<meta http-equiv="refresh" content="{delay}; url=/moved?from=head">'
        f"</head><body>{filler * after}</body></html>"
    )
    body = text.encode(encoding)
    content_type = f"text/html; charset={charset}" if declared == "header" and charset else "text/html"
    url = "https://www.example.co.kr/news/1"
    crawler = get_crawler()
    crawler._apply_settings()
    ours, scrapys = MetaRefreshMiddleware.from_crawler(crawler), Scrapys.from_crawler(crawler)

    def outcome(middleware: Scrapys) -> str:
        response = HtmlResponse(url, body=body, headers={"Content-Type": content_type})
        answer = middleware.process_response(Request(url), response)
        return answer.url if isinstance(answer, Request) else f"kept {answer is response}"

    assert outcome(ours) == outcome(scrapys)


def test_meta_refresh_decodes_only_the_head_of_a_page_that_declares_its_encoding() -> None:
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import MetaRefreshMiddleware

    crawler = get_crawler()
    crawler._apply_settings()
    refresh = MetaRefreshMiddleware.from_crawler(crawler)
    url = "https://www.yna.co.kr/view/AKR20220907138351061"
    response = HtmlResponse(url, body=YNA, headers={"Content-Type": "text/html; charset=UTF-8"})
    assert refresh.process_response(Request(url), response) is response
    assert response._cached_ubody is None  # the page layer decodes the page once, from its bytes
    moved = HtmlResponse(url, body=b'<meta http-equiv="refresh" content="0;url=/a">' + YNA)
    assert refresh.process_response(Request(url), moved).url == "https://www.yna.co.kr/a"


@pytest.mark.parametrize("target", ["javascript:void(0)", "https://[broken/", "mailto:desk@example.co.kr"])
def test_a_meta_refresh_to_no_address_keeps_the_page(target: str) -> None:
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import MetaRefreshMiddleware

    crawler = get_crawler()
    crawler._apply_settings()
    refresh = MetaRefreshMiddleware.from_crawler(crawler)
    url = "https://www.yna.co.kr/view/AKR20220907138351061"
    for body in (b"", YNA):  # a short page and a long one
        page = f'<meta http-equiv="refresh" content="0;url={target}">'.encode() + body
        response = HtmlResponse(url, body=page)
        assert refresh.process_response(Request(url), response) is response
