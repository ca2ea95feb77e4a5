"""Bylines to {name, role, email}, over bylines as Korean and English outlets print them."""

import pytest

from crawler.korean.bylines import merge_authors, parse_byline


def person(name, role="기자", email=None):
    return {"name": name, "role": role, "email": email}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("홍길동 기자 gildong@example.co.kr", [person("홍길동", email="gildong@example.co.kr")]),
        ("김유민 기자 planet@seoul.co.kr", [person("김유민", email="planet@seoul.co.kr")]),
        ("이현주 기자(lovelypsyche@newsis.com)", [person("이현주", email="lovelypsyche@newsis.com")]),
        ("[서울=뉴시스] 홍길동 기자 =", [person("홍길동")]),
        ("[서울=뉴시스]이현주 기자 =", [person("이현주")]),
        ("(서울=연합뉴스) 홍길동 기자 =", [person("홍길동")]),
        ("(수원=연합뉴스) 류수현 기자 =", [person("류수현")]),
        ("【서울=뉴시스】 홍길동 기자 =", [person("홍길동")]),
        ("(서울=뉴스1) 홍길동 기자 =", [person("홍길동")]),
        ("홍길동·김철수 기자", [person("홍길동"), person("김철수")]),
        ("홍길동ㆍ김철수 기자", [person("홍길동"), person("김철수")]),
        ("홍길동, 김철수 기자", [person("홍길동"), person("김철수")]),
        ("(워싱턴=연합뉴스) 홍길동 특파원 =", [person("홍길동", "특파원")]),
        ("김철수 선임기자 chulsoo@hani.co.kr", [person("김철수", "선임기자", "chulsoo@hani.co.kr")]),
        ("박영희 객원기자", [person("박영희", "객원기자")]),
        ("이순신 논설위원", [person("이순신", "논설위원")]),
        ("이순신 수석논설위원", [person("이순신", "수석논설위원")]),
        (
            "정덕현 칼럼니스트 thekian1@entermedia.co.kr",
            [person("정덕현", "칼럼니스트", "thekian1@entermedia.co.kr")],
        ),
        ("[아이뉴스24 홍길동 기자]", [person("홍길동")]),
        ("[디지털데일리 홍길동기자]", [person("홍길동")]),
        ("배윤경 기자 bykj@mk.co.kr", [person("배윤경", email="bykj@mk.co.kr")]),
        ("순천, 광양 구현모 기자 ninek@hankookilbo.com", [person("구현모", email="ninek@hankookilbo.com")]),
        ("김솔 기자", [person("김솔")]),
        ("/홍길동 기자", [person("홍길동")]),
        ("홍길동 기자, 김철수 기자", [person("홍길동"), person("김철수")]),
        (
            "홍길동 기자 hong@a.com 김철수 기자 kim@b.com",
            [person("홍길동", email="hong@a.com"), person("김철수", email="kim@b.com")],
        ),
        # a bare 기자 names nobody; with a mail it keeps the mail, never making it a name
        ("기자", []),
        ("기자 webmaster@newstapa.org", [{"name": None, "role": "기자", "email": "webmaster@newstapa.org"}]),
        ("you@yna.co.kr", [{"name": None, "role": None, "email": "you@yna.co.kr"}]),
        ("사진 기자", []),
        # English bylines
        ("By Kim Eun-jung", [{"name": "Kim Eun-jung", "role": None, "email": None}]),
        (
            "By John Smith and Jane Doe",
            [
                {"name": "John Smith", "role": None, "email": None},
                {"name": "Jane Doe", "role": None, "email": None},
            ],
        ),
        ("Lee Haye-ah, Staff Reporter", [{"name": "Lee Haye-ah", "role": "Staff Reporter", "email": None}]),
        ("", []),
        (None, []),
    ],
)
def test_parse_byline(text, expected):
    assert parse_byline(text) == expected


def test_email_is_never_a_name():
    for text in ["gildong@example.co.kr", "기자 gildong@example.co.kr", "(gildong@example.co.kr)"]:
        assert all(p["name"] is None or "@" not in p["name"] for p in parse_byline(text))


def test_structured_names_used_only_without_byline_people():
    parsed = [person("류수현")]
    assert merge_authors(parsed, ["김솔"]) == parsed
    merged = merge_authors([], ["배윤경", "이상현"])
    assert [p["name"] for p in merged] == ["배윤경", "이상현"]


def test_structured_junk_is_not_a_person():
    assert merge_authors([], ["뉴시스 | 네이버", "https://www.facebook.com/yonhap", "www.facebook.com"]) == []
