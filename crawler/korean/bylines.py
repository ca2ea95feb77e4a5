"""Korean (and English) bylines to a list of `{name, role, email}`.

Handles `홍길동 기자 gildong@example.co.kr`, `[서울=뉴시스] 홍길동 기자 =`,
`(서울=연합뉴스) 홍길동 기자 =`, `홍길동·김철수 기자`, 특파원, 선임기자, 객원기자, 논설위원,
a bare `기자`, and `By John Smith`. An email address is attached to a person, never read as a name.
"""

from __future__ import annotations

import re

from crawler.items import Author

ROLES = tuple(
    "수석논설위원 객원논설위원 논설위원 논설실장 편집위원 편집국장 선임기자 전문기자 객원기자 인턴기자 수습기자 사진기자 영상기자 기자 특파원 통신원 칼럼니스트 "
    "객원칼럼니스트 리포터 앵커 에디터 연구원 교수".split()
)
ROLE_PATTERN = "|".join(sorted(ROLES, key=len, reverse=True))
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# `(서울=연합뉴스)`, `[서울=뉴시스]`, `【서울=뉴시스】`: a dateline naming the city and the agency.
DATELINE_RE = re.compile(r"[\[(【]\s*[^\[\]()【】=]{1,20}=\s*[^\[\]()【】]{1,20}[\])】]")
_NAME = r"[가-힣]{2,4}"
_PEOPLE_RE = re.compile(
    rf"(?<![가-힣])(?P<names>{_NAME}(?:\s*[·ㆍ,/]\s*{_NAME})*)\s*(?P<role>{ROLE_PATTERN})(?![가-힣])"
)
_BARE_ROLE_RE = re.compile(rf"(?<![가-힣])(?P<role>{ROLE_PATTERN})(?![가-힣])")
_EN_ROLE = r"(?:Staff |Senior |Contributing )?(?:Reporter|Writer|Correspondent|Columnist|Editor)"
_EN_NAME = r"[A-Z][a-z]+(?:(?:\s[A-Z]|-[A-Za-z])[a-z'’]+){1,3}"
_EN_RE = re.compile(rf"(?P<names>{_EN_NAME}(?:\s*(?:,|and|&)\s*{_EN_NAME})*)")
_EN_ROLE_RE = re.compile(_EN_ROLE)
# Words that look like a 2-4 syllable name before 기자 but are not people.
_NOT_NAMES = frozenset("사진 취재 영상 글 정리 편집 담당 전문 객원 인턴 수습 선임 본지".split())


def parse_byline(text: str | None) -> list[Author]:
    """People named in one byline string, in order, each with role and email when stated."""
    if not text:
        return []
    text = " ".join(text.split())
    emails = EMAIL_RE.findall(text)
    rest = DATELINE_RE.sub(" ", EMAIL_RE.sub(" ", text))
    authors: list[Author] = []
    for match in _PEOPLE_RE.finditer(rest):
        role = match.group("role")
        for name in re.split(r"\s*[·ㆍ,/]\s*", match.group("names")):
            if name in _NOT_NAMES:
                continue
            authors.append({"name": name, "role": role, "email": None})
    if not authors and not re.search(r"[가-힣]{2}", rest):
        authors = _english(rest)
    if not authors and emails:
        bare = _BARE_ROLE_RE.search(rest)
        authors = [{"name": None, "role": bare.group("role") if bare else None, "email": None}]
    for author, email in zip(authors, emails, strict=False):
        author["email"] = email
    return authors


def _english(text: str) -> list[Author]:
    role_match = _EN_ROLE_RE.search(text)
    match = _EN_RE.search(re.sub(r"^\s*[Bb]y\s+", "", _EN_ROLE_RE.sub(" ", text)))
    if not match:
        return []
    role = role_match.group(0) if role_match else None
    names = re.split(r"\s*(?:,|\band\b|&)\s*", match.group("names"))
    return [{"name": name, "role": role, "email": None} for name in names if name]


def merge_authors(parsed: list[Author], structured: list[str]) -> list[Author]:
    """Byline people first; structured (JSON-LD/meta) names only where no byline named anyone.

    Structured author fields on Korean sites often hold the desk editor or the outlet, while the
    byline in the text names the reporter, so the byline wins.
    """
    if any(a["name"] for a in parsed):
        return parsed
    people: list[Author] = []
    for raw in structured:
        found = parse_byline(raw)
        if found and any(a["name"] for a in found):
            people.extend(found)
        elif _looks_like_person(raw):
            people.append({"name": raw.strip(), "role": None, "email": None})
    for person in parsed:
        if not person["name"] and people and not people[0]["email"]:
            people[0]["email"] = person["email"]
    return _unique(people) or parsed


def _looks_like_person(value: str) -> bool:
    value = value.strip()
    if not value or "/" in value or "|" in value or "." in value or EMAIL_RE.search(value):
        return False
    return bool(re.fullmatch(_NAME, value) or re.fullmatch(_EN_NAME, value))


def _unique(people: list[Author]) -> list[Author]:
    seen: set[str | None] = set()
    out: list[Author] = []
    for person in people:
        if person["name"] not in seen:
            seen.add(person["name"])
            out.append(person)
    return out
