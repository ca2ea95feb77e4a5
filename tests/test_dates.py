"""Korean date grammar, table-driven over strings as pages print them."""

from datetime import UTC, datetime, timedelta

import pytest

from crawler.korean.dates import KST, parse_date, parse_raw_dates, split_labeled

NOW = datetime(2024, 5, 23, 18, 30, tzinfo=KST)


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)


# (string as a page prints it, the datetime it means when fetched at NOW); bench/dates.py reuses it.
CASES = [
    # numeric forms seen on Naver, Yonhap, ndsoft, ZDNet, etnews pages
    ("2024.05.23. 오후 3:45", kst(2024, 5, 23, 15, 45)),
    ("2024.05.23. 오전 11:40", kst(2024, 5, 23, 11, 40)),
    ("2021.10.04. 오후 4:26", kst(2021, 10, 4, 16, 26)),
    ("2024.05.23. 오후 12:05", kst(2024, 5, 23, 12, 5)),
    ("2024.05.23. 오전 12:05", kst(2024, 5, 23, 0, 5)),
    ("2024.05.23.", kst(2024, 5, 23)),
    ("2024.05.23", kst(2024, 5, 23)),
    ("2024. 5. 23. 15:45", kst(2024, 5, 23, 15, 45)),
    ("2024-05-23 15:45", kst(2024, 5, 23, 15, 45)),
    ("2024-05-20 11:40:08", kst(2024, 5, 20, 11, 40, 8)),
    ("2024/05/23 15:45", kst(2024, 5, 23, 15, 45)),
    ("2024년 5월 23일 (목)", kst(2024, 5, 23)),
    ("2024년 5월 23일 목요일 오후 3시 45분", kst(2024, 5, 23, 15, 45)),
    ("2024년 05월 23일 15:45", kst(2024, 5, 23, 15, 45)),
    ("2024.05.23 15:45 KST", kst(2024, 5, 23, 15, 45)),
    ("2023.01.29 18:40", kst(2023, 1, 29, 18, 40)),
    ("[ 2018-08-25 15:24 ]", kst(2018, 8, 25, 15, 24)),
    ("2022/09/07 20:49 송고", kst(2022, 9, 7, 20, 49)),
    ("2024.05.23 03:45 PM", kst(2024, 5, 23, 15, 45)),
    # ISO 8601, with and without an offset
    ("2022-09-07T20:49:36+09:00", kst(2022, 9, 7, 20, 49, 36)),
    ("2023-05-15T20:00:52.000+0900", kst(2023, 5, 15, 20, 0, 52)),
    ("2024-05-23T06:45:00Z", kst(2024, 5, 23, 15, 45)),
    ("2024-05-23T15:45:00", kst(2024, 5, 23, 15, 45)),
    ("2024-05-23", kst(2024, 5, 23)),
    # relative forms count back from the fetch time
    ("3시간 전", kst(2024, 5, 23, 15, 30)),
    ("15분 전", kst(2024, 5, 23, 18, 15)),
    ("2일 전", kst(2024, 5, 21, 18, 30)),
    ("방금 전", NOW),
    ("어제 오후 3:45", kst(2024, 5, 22, 15, 45)),
    ("어제 오전 12:10", kst(2024, 5, 22, 0, 10)),
    ("오늘 오전 9:05", kst(2024, 5, 23, 9, 5)),
    ("그제 14:00", kst(2024, 5, 21, 14, 0)),
    ("yesterday 3:45 PM", kst(2024, 5, 22, 15, 45)),
    ("2 hours ago", kst(2024, 5, 23, 16, 30)),
    ("an hour ago", kst(2024, 5, 23, 17, 30)),
    # English forms (en.yna.co.kr, KBS World) go through dateparser
    ("Aug. 20, 2019 09:31", kst(2019, 8, 20, 9, 31)),
    ("November 7, 2023", kst(2023, 11, 7)),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_date(text: str, expected: datetime) -> None:
    assert parse_date(text, NOW) == expected


@pytest.mark.parametrize(
    "text",
    ["2024.05.24. 오전 9:00", "2030-01-01T00:00:00+09:00", "2024년 12월 25일"],
)
def test_future_dates_are_rejected(text: str) -> None:
    assert parse_date(text, NOW) is None
    assert parse_date(text, NOW, reject_future=False) is not None


def test_clock_skew_within_tolerance_is_accepted() -> None:
    assert parse_date("2024.05.23. 오후 6:40", NOW) == kst(2024, 5, 23, 18, 40)


def test_offset_in_string_wins_over_seoul() -> None:
    value = parse_date("2024-05-23T01:00:00+00:00", NOW)
    assert value is not None and value.utcoffset() == timedelta(0)
    assert value.astimezone(KST) == kst(2024, 5, 23, 10, 0)


def test_naive_now_is_read_as_seoul_time() -> None:
    assert parse_date("1시간 전", datetime(2024, 5, 23, 18, 30)) == kst(2024, 5, 23, 17, 30)


def test_aware_now_in_utc_gives_seoul_relative_dates() -> None:
    now = datetime(2024, 5, 23, 9, 30, tzinfo=UTC)
    assert parse_date("어제 오후 3:45", now) == kst(2024, 5, 22, 15, 45)


@pytest.mark.parametrize("text", ["", "   ", "기자", "no date here", "입력", "2024.13.45"])
def test_unparseable_gives_none(text: str) -> None:
    assert parse_date(text, NOW) is None


@pytest.mark.parametrize(
    ("text", "published", "modified"),
    [
        (
            "입력 2024.05.23. 오후 3:45 수정 2024.05.23. 오후 4:10",
            "2024.05.23. 오후 3:45",
            "2024.05.23. 오후 4:10",
        ),
        ("입력 2024.05.23 15:45 | 수정 2024.05.23 16:10", "2024.05.23 15:45", "2024.05.23 16:10"),
        ("기사입력 : 2024-05-23 15:45 | 최종수정 : 2024-05-23 16:10", "2024-05-23 15:45", "2024-05-23 16:10"),
        (
            "기사입력 2021.10.04. 오후 4:26 최종수정 2021.10.04. 오후 5:02",
            "2021.10.04. 오후 4:26",
            "2021.10.04. 오후 5:02",
        ),
        ("승인 2018.03.23 14:22", "2018.03.23 14:22", None),
        ("등록 2024.05.23 15:45 업데이트 2024.05.23 16:10", "2024.05.23 15:45", "2024.05.23 16:10"),
        ("입력 :2024-05-23 15:45", "2024-05-23 15:45", None),
        ("입력시간 : 2018-08-25 15:24", "2018-08-25 15:24", None),
        ("기사입력 :[ 2018-08-25 15:24 ]", "2018-08-25 15:24", None),
        ("송고시간2022-09-07 20:49", "2022-09-07 20:49", None),
        ("수정 2024.05.23 16:10", None, "2024.05.23 16:10"),
        (
            "Written: 2023-11-07 15:03:30 / Updated: 2023-11-07 15:30:46",
            "2023-11-07 15:03:30",
            "2023-11-07 15:30:46",
        ),
        ("2024.05.23. 오후 3:45", "2024.05.23. 오후 3:45", None),
        ("입력 2024.05.23 15:45 | 수정 | 승인 2024.05.23 15:50", "2024.05.23 15:45", None),
    ],
)
def test_split_labeled(text: str, published: str | None, modified: str | None) -> None:
    parts = split_labeled(text)
    assert (parts.published, parts.modified) == (published, modified)


def test_one_labelled_line_gives_both_dates() -> None:
    published, modified = parse_raw_dates(
        "입력 2024.05.23. 오후 3:45 | 수정 2024.05.23. 오후 4:10", None, NOW
    )
    assert published == kst(2024, 5, 23, 15, 45)
    assert modified == kst(2024, 5, 23, 16, 10)
