"""Korean news date grammar.

Pages state dates as `입력 2024.05.23. 오후 3:45 | 수정 2024.05.23. 오후 4:10`,
`기사입력 : 2024년 5월 23일 (목) 15:45`, `3시간 전`, ISO 8601 and more. `split_labeled` finds
the published and modified parts of such a string; `parse_date` turns one part into an aware
datetime. The common numeric forms are parsed here directly (dateparser takes about a
millisecond a string and gets 오전/오후 12시 and `어제 오후 3:45` wrong, see bench/dates.py); the
rest falls back to dateparser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateparser import DateDataParser

KST = ZoneInfo("Asia/Seoul")

# A page clock a little ahead of ours is normal; anything further ahead is not a publication date.
FUTURE_TOLERANCE = timedelta(minutes=15)

_PUBLISHED = (
    "기사입력",
    "입력시간",
    "입력일",
    "입력",
    "등록일",
    "등록",
    "작성일",
    "작성",
    "게재일",
    "게재",
    "발행일",
    "발행",
    "송고시간",
    "송고",
    "승인",
    "published",
    "posted",
    "written",
)
_MODIFIED = (
    "최종수정",
    "최종 수정",
    "수정시간",
    "수정일",
    "수정",
    "최종 업데이트",
    "업데이트",
    "updated",
    "modified",
    "last updated",
)
_LABEL_RE = re.compile(
    r"(?P<label>"
    + "|".join(sorted((re.escape(x) for x in _PUBLISHED + _MODIFIED), key=len, reverse=True))
    + r")\s*(?:시간|일시)?\s*[:：]?",
    re.IGNORECASE,
)
_SEPARATORS = " \t\r\n|/·ㆍ,:：[]()<>「」【】"

_WEEKDAY_RE = re.compile(r"\(\s*[월화수목금토일]\s*\)|[월화수목금토일]요일")
_ISO_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
# `<meta name="date" content="20191118">` and its kin: digits only, a time after a T or not at all.
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?$")
# The first day of news on the web; anything earlier on a page is a placeholder (`0001-01-01`).
EARLIEST = datetime(1995, 1, 1, tzinfo=KST)
_NUMERIC_RE = re.compile(
    r"(?P<y>\d{4})\s*(?:[.\-/]|년)\s*(?P<m>\d{1,2})\s*(?:[.\-/]|월)\s*(?P<d>\d{1,2})\s*(?:일|\.)?"
    r"(?:\s*(?P<ampm>오전|오후|AM|PM|am|pm|a\.m\.|p\.m\.)?\s*"
    r"(?P<H>\d{1,2})\s*(?::|시)\s*(?P<M>\d{1,2})\s*분?(?:\s*(?::|분)?\s*(?P<S>\d{1,2})\s*초?)?"
    r"(?:\s*(?P<ampm2>오전|오후|AM|PM|am|pm))?)?"
    r"(?:\s*(?P<tz>KST|UTC|GMT|[+-]\d{2}:?\d{2}))?"
)
_RELATIVE_RE = re.compile(r"(?P<n>\d+)\s*(?P<unit>초|분|시간|일|주|개월|달|년)\s*전")
_DAY_WORD_RE = re.compile(
    r"(?P<day>오늘|어제|그제|그저께|엊그제|(?i:today|yesterday))\s*(?:at\s*)?(?P<ampm>오전|오후)?\s*"
    r"(?:(?P<H>\d{1,2})\s*(?::|시)\s*(?P<M>\d{1,2})?)?\s*(?P<ampm2>(?i:am|pm))?"
)
_EN_RELATIVE_RE = re.compile(
    r"(?P<n>\d+|an?)\s*(?P<unit>second|minute|hour|day|week|month|year)s?\s+ago", re.I
)
_EN_UNIT = {
    "second": "초",
    "minute": "분",
    "hour": "시간",
    "day": "일",
    "week": "주",
    "month": "개월",
    "year": "년",
}
_DAY_OFFSET = {"오늘": 0, "어제": 1, "그제": 2, "그저께": 2, "엊그제": 2, "today": 0, "yesterday": 1}
_UNIT = {"초": "seconds", "분": "minutes", "시간": "hours", "일": "days", "주": "weeks"}


@dataclass(frozen=True, slots=True)
class LabeledDates:
    published: str | None
    modified: str | None


def split_labeled(text: str) -> LabeledDates:
    """Split a date line into its published and modified parts, by their Korean or English labels.

    A string without any label is taken as the published date.
    """
    text = " ".join(text.split())
    matches = list(_LABEL_RE.finditer(text))
    if not matches:
        part = text.strip(_SEPARATORS)
        return LabeledDates(part or None, None)
    published = modified = None
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        part = text[match.end() : end].strip(_SEPARATORS)
        if not part or not re.search(r"\d|전|어제|오늘|그제", part):
            continue
        label = match.group("label").lower().replace(" ", "")
        if label in {x.replace(" ", "") for x in _MODIFIED}:
            modified = modified or part
        else:
            published = published or part
    return LabeledDates(published, modified)


def parse_date(
    text: str | None, now: datetime | None = None, tz: ZoneInfo = KST, *, reject_future: bool = True
) -> datetime | None:
    """Parse one Korean, ISO or English date expression into an aware datetime.

    Naive times are read in `tz` (Asia/Seoul). Relative forms are counted back from `now`
    (the fetch time). A date more than a few minutes after `now` is rejected (None) unless
    `reject_future` is off, for callers that report such dates themselves.
    """
    if not text:
        return None
    now = now or datetime.now(tz)
    if now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    value = _parse(" ".join(_WEEKDAY_RE.sub(" ", text).split()), now.astimezone(tz), tz)
    if value is not None and reject_future and is_future(value, now):
        return None
    return value


def plausible(value: datetime | None, fetched_at: datetime) -> bool:
    """A publication date a page can have: not before news was on the web, not after it was fetched."""
    return value is not None and value >= EARLIEST and not is_future(value, fetched_at)


def is_future(value: datetime, now: datetime) -> bool:
    """Later than `now` by more than a page clock's usual skew."""
    return value > now + FUTURE_TOLERANCE


def parse_raw_dates(
    published_raw: str | None, modified_raw: str | None, now: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """Published and modified datetimes from a page's raw date strings, labelled or not.

    Future dates are kept: callers that must refuse them check `is_future` and say why."""
    published = modified = None
    if published_raw:
        published, modified, _ = parse_raw_date(published_raw, now)
    if modified_raw:
        modified = parse_raw_date(modified_raw, now)[2] or modified
    return published, modified


@lru_cache(maxsize=4096)
def parse_raw_date(
    raw: str, now: datetime | None = None
) -> tuple[datetime | None, datetime | None, datetime | None]:
    """(published, modified, the modified date if the string labels one else the published) of one raw
    date string. Remembered: the page layer, the spider's window and normalize ask about the same strings,
    alone or paired (dateparser takes milliseconds)."""
    parts = split_labeled(raw)
    published = parse_date(parts.published, now, reject_future=False)
    modified = parse_date(parts.modified, now, reject_future=False)
    return published, modified, modified if parts.modified else published


def _parse(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    if not text:
        return None
    if match := _ISO_RE.match(text):
        return _from_iso(match, tz)
    if match := _COMPACT_RE.match(text):
        y, m, d, hh, mm, ss = (int(g) if g else 0 for g in match.groups())
        try:
            return datetime(y, m, d, hh, mm, ss, tzinfo=tz)
        except ValueError:
            return None
    if match := _NUMERIC_RE.search(text):
        return _from_numeric(match, tz)
    if match := _DAY_WORD_RE.search(text):
        return _from_day_word(match, now)
    if match := _RELATIVE_RE.search(text):
        return _from_relative(match, now)
    if match := _EN_RELATIVE_RE.search(text):
        n = match.group("n")
        return _relative(
            1 if n.lower() in {"a", "an"} else int(n), _EN_UNIT[match.group("unit").lower()], now
        )
    if text.strip().lower() in {"방금", "방금 전", "조금 전", "just now"}:
        return now.replace(microsecond=0)
    return _dateparser(text, tz)


def _from_iso(match: re.Match[str], tz: ZoneInfo) -> datetime | None:
    date, time, offset = match.groups()
    stamp = f"{date}T{time or '00:00'}"
    if offset:
        stamp += "+00:00" if offset == "Z" else offset
    try:
        value = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _hour(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    afternoon = ampm.lower().startswith(("오후", "p"))
    if afternoon and hour < 12:
        return hour + 12
    if not afternoon and hour == 12:
        return 0
    return hour


def _from_numeric(match: re.Match[str], tz: ZoneInfo) -> datetime | None:
    g = match.groupdict()
    hour = _hour(int(g["H"]), g["ampm"] or g["ampm2"]) if g["H"] else 0
    try:
        value = datetime(int(g["y"]), int(g["m"]), int(g["d"]), hour, int(g["M"] or 0), int(g["S"] or 0))
    except ValueError:
        return None
    zone = g["tz"]
    if zone in {"UTC", "GMT"}:
        return value.replace(tzinfo=ZoneInfo("UTC"))
    if zone and zone != "KST":
        return datetime.fromisoformat(value.isoformat() + zone)
    return value.replace(tzinfo=tz)


def _from_day_word(match: re.Match[str], now: datetime) -> datetime:
    day = now - timedelta(days=_DAY_OFFSET[match.group("day").lower()])
    if match.group("H") is None:
        return day.replace(hour=0, minute=0, second=0, microsecond=0)
    hour = _hour(int(match.group("H")), match.group("ampm") or match.group("ampm2"))
    return day.replace(hour=hour, minute=int(match.group("M") or 0), second=0, microsecond=0)


def _from_relative(match: re.Match[str], now: datetime) -> datetime:
    return _relative(int(match.group("n")), match.group("unit"), now)


def _relative(n: int, unit: str, now: datetime) -> datetime:
    if unit in {"개월", "달"}:
        delta = timedelta(days=30 * n)
    elif unit == "년":
        delta = timedelta(days=365 * n)
    else:
        delta = timedelta(**{_UNIT[unit]: n})
    return (now - delta).replace(microsecond=0)


def _dateparser(text: str, tz: ZoneInfo) -> datetime | None:
    result = _date_data_parser(str(tz)).get_date_data(text)
    value = result.date_obj if result else None
    return value.astimezone(tz) if value else None


@lru_cache(maxsize=4)
def _date_data_parser(tz: str) -> DateDataParser:
    # Built once: dateparser.parse() with languages or settings builds a parser each call (~40 ms).
    # Relative forms never reach it, so it needs no RELATIVE_BASE.
    return DateDataParser(
        languages=["ko", "en"],
        settings={"TIMEZONE": tz, "RETURN_AS_TIMEZONE_AWARE": True, "PREFER_DATES_FROM": "past"},
    )
