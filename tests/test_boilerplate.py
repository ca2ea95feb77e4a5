"""Boilerplate removal over footers, datelines, bylines and boxes as Korean outlets print them."""

import pytest

from crawler.items import Block
from crawler.korean.boilerplate import clean_blocks, split_caption

BODY = "삼성전자가 올해 더 강력한 인공지능(AI) 기능을 갖춘 노트북으로 국내 AI PC 시장을 주도한다."


def texts(blocks):
    return [b.text for b in blocks if b.kind != "img"]


@pytest.mark.parametrize(
    "footer",
    [
        "무단전재 및 재배포 금지",
        "<저작권자 © 아이뉴스24 무단전재 및 재배포 금지>",
        "<저작권자(c) 연합뉴스, 무단 전재-재배포 금지>",
        "Copyright ⓒ 뉴시스. All rights reserved. 무단 전재 및 재배포 금지.",
        "ⓒ 디지털데일리. 무단전재, 수집, 재배포 및 AI학습 이용 금지",
        "저작권자 © 테크M 무단전재 및 재배포 금지",
        "Copyright © ZDNet Korea. All rights reserved.",
        "ⓒ 한국경제TV, 무단 전재 및 재배포 금지",
        "© 2024 Byline Network. All rights reserved.",
        "<ⓒ경제를 보는 눈, 세계를 보는 창 아시아경제 무단전재 배포금지>",
        "저작권자 © 블로터 무단전재 및 재배포, AI학습 및 활용 금지",
        "세상을 보는 균형, 한국일보Copyright ⓒ Hankookilbo",
    ],
)
def test_copyright_footer_block_is_removed(footer):
    result = clean_blocks([Block("p", BODY), Block("p", footer)])
    assert texts(result.blocks) == [BODY]
    assert result.removed["copyright"] == 1


def test_footer_glued_to_last_paragraph_is_cut():
    last = BODY * 3 + " <저작권자 © 아이뉴스24 무단전재 및 재배포 금지>"
    result = clean_blocks([Block("p", BODY), Block("p", last)])
    assert texts(result.blocks) == [BODY, BODY * 3]


@pytest.mark.parametrize(
    ("first", "byline"),
    [
        ("(서울=연합뉴스) 홍길동 기자 = " + BODY, "(서울=연합뉴스) 홍길동 기자 ="),
        ("[서울=뉴시스]이현주 기자 = " + BODY, "[서울=뉴시스]이현주 기자 ="),
        ("(수원=연합뉴스) 류수현 기자 = " + BODY, "(수원=연합뉴스) 류수현 기자 ="),
        ("【서울=뉴시스】홍길동 기자 = " + BODY, "【서울=뉴시스】홍길동 기자 ="),
        ("[아이뉴스24 홍길동 기자] " + BODY, "[아이뉴스24 홍길동 기자]"),
        ("[디지털데일리 홍길동기자] " + BODY, "[디지털데일리 홍길동기자]"),
        ("[지디넷코리아]" + BODY, None),
        ("홍길동 기자 = " + BODY, "홍길동 기자 ="),
        ("(서울=뉴스1) 홍길동 기자 = " + BODY, "(서울=뉴스1) 홍길동 기자 ="),
        ("[엔터미디어=정덕현의 이슈공감] " + BODY, "[엔터미디어=정덕현의 이슈공감]"),
        (
            "SEOUL, Aug. 20 (Yonhap) -- North Korea's official newspaper blasted South Korea.",
            "SEOUL, Aug. 20 (Yonhap) --",
        ),
    ],
)
def test_dateline_prefix_is_removed_and_returned(first, byline):
    result = clean_blocks([Block("p", first), Block("p", BODY)])
    if byline is None:
        assert texts(result.blocks)[0] == first
        return
    assert result.bylines == [byline]
    assert not texts(result.blocks)[0].startswith(("(", "[", "【", "SEOUL"))
    assert result.removed["dateline"] == 1


@pytest.mark.parametrize(
    "tail",
    [
        "홍길동 기자 gildong@example.co.kr",
        "/홍길동 기자",
        "you@yna.co.kr",
        "(gildong@example.co.kr)",
        "홍길동·김철수 기자",
        "[홍길동 기자]",
        "김유민 기자 planet@seoul.co.kr",
    ],
)
def test_trailing_byline_is_removed_and_returned(tail):
    result = clean_blocks([Block("p", BODY), Block("p", tail)])
    assert texts(result.blocks) == [BODY]
    assert result.bylines == [tail.strip(" /-=")]


@pytest.mark.parametrize(
    "box",
    [
        "관련기사",
        "[관련기사] 삼성, 갤럭시 북4 출시",
        "▶ 기사제보 및 보도자료 press@example.com",
        "제보는 카카오톡 okjebo",
        "(끝)",
        "<끝>",
        "네이버 메인에서 채널 구독하기",
        "▶ 관련 기사 더보기",
    ],
)
def test_boxes_and_end_marks_are_removed(box):
    result = clean_blocks([Block("p", BODY), Block("p", box)])
    assert texts(result.blocks) == [BODY]
    assert sum(result.removed.values()) == 1


def test_stacked_trailer_is_removed_completely():
    blocks = [
        Block("p", BODY),
        Block("p", "홍길동 기자 gildong@example.co.kr"),
        Block("p", "(끝)"),
        Block("p", "<저작권자(c) 연합뉴스, 무단 전재-재배포 금지>"),
    ]
    result = clean_blocks(blocks)
    assert texts(result.blocks) == [BODY]
    assert dict(result.removed) == {"copyright": 1, "end_mark": 1, "trailing_byline": 1}


def test_text_mentioning_copyright_midway_stays():
    middle = "저작권 침해 논란이 일자 회사는 무단 전재를 막는 기술을 도입했다고 설명했다." * 4
    result = clean_blocks([Block("p", middle), Block("p", BODY)])
    assert texts(result.blocks) == [middle, BODY]


def test_photo_credit_line_moves_into_the_image():
    image = {"url": "https://example.com/a.jpg", "caption": "갤럭시 북4 엣지", "credit": None}
    result = clean_blocks([Block("img", image=image), Block("p", "/사진=삼성전자"), Block("p", BODY)])
    assert texts(result.blocks) == [BODY]
    assert image["credit"] == "삼성전자"
    assert result.removed["image_credit"] == 1


def test_triangle_caption_line_becomes_the_image_caption():
    image = {"url": "https://example.com/a.jpg", "caption": None, "credit": None}
    result = clean_blocks(
        [Block("img", image=image), Block("p", "▲ 갤럭시 북4 엣지 (사진=삼성전자)"), Block("p", BODY)]
    )
    assert texts(result.blocks) == [BODY]
    assert image == {"url": "https://example.com/a.jpg", "caption": "갤럭시 북4 엣지", "credit": "삼성전자"}


def test_header_before_a_date_line_is_removed():
    blocks = [
        Block("p", "Entermedia 주요뉴스"),
        Block("p", "기사입력 :[ 2018-08-25 15:24 ]"),
        Block("p", BODY),
    ]
    result = clean_blocks(blocks)
    assert texts(result.blocks) == [BODY]
    assert result.removed["header"] == 2


@pytest.mark.parametrize(
    ("caption", "text", "credit"),
    [
        (
            "[서울=뉴시스]30일 진행된 행사에서 박준호 상무가 소개하고 있다. (사진 = 삼성전자) photo@newsis.com *재판매 및 DB 금지",
            "30일 진행된 행사에서 박준호 상무가 소개하고 있다.",
            "삼성전자",
        ),
        (
            "이재명 후보가 15일 유세에서 연설하고 있다. 연합뉴스",
            "이재명 후보가 15일 유세에서 연설하고 있다.",
            "연합뉴스",
        ),
        (
            "순천 시민들에게 큰절을 올리고 있다. 고영권 기자",
            "순천 시민들에게 큰절을 올리고 있다.",
            "고영권 기자",
        ),
        (
            "소년공 시절의 이재명 대통령 당선인 모습. [사진 출처 = 이재명 더불어민주당 캠프]",
            "소년공 시절의 이재명 대통령 당선인 모습.",
            "이재명 더불어민주당 캠프",
        ),
        (
            "(수원=연합뉴스) 홍기원 기자 = 검찰이 경기도청을 압수수색 하고 있다.",
            "검찰이 경기도청을 압수수색 하고 있다.",
            "연합뉴스 홍기원 기자",
        ),
        ("갤럭시 북4 엣지 /사진=삼성전자", "갤럭시 북4 엣지", "삼성전자"),
        ("삼성전자 갤럭시 북4 엣지. 삼성전자 제공", "삼성전자 갤럭시 북4 엣지.", "삼성전자"),
        ("배달업체 리뷰에 올라온 곱창 사진.", "배달업체 리뷰에 올라온 곱창 사진.", None),
        ("", "", None),
    ],
)
def test_split_caption(caption, text, credit):
    assert split_caption(caption) == (text, credit)
