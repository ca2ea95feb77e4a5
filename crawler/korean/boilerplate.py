"""Boilerplate in Korean article bodies: found, removed and counted.

- copyright footers (`무단전재 및 재배포 금지`, `<저작권자 © …>`, `ⓒ`, `Copyright … All rights reserved`,
  `무단전재, 수집, 재배포 및 AI학습 이용 금지`);
- the dateline/byline prefix at the body's start (`(서울=연합뉴스) 홍길동 기자 =`) and the trailing
  byline (`홍길동 기자 gildong@example.co.kr`), both returned so the byline parser can use them;
- `관련기사`, `기사제보` and subscribe boxes, end marks such as `(끝)`;
- photo credits standing as text (`/사진=연합뉴스`), moved into the image's `credit`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from crawler.items import Block, Image
from crawler.korean.bylines import EMAIL_RE, ROLE_PATTERN

_NAMES = r"[가-힣]{2,4}(?:\s*[·ㆍ,]\s*[가-힣]{2,4})*"
_EMAIL = EMAIL_RE.pattern

COPYRIGHT_RE = re.compile(
    r"무단\s*[-·,]?\s*전재|재\s*배포\s*(?:및\s*[^ ]+\s*)?금지|재배포\s*금지|AI\s*학습\s*(?:및\s*)?(?:이용|활용)?\s*금지"
    r"|저작권자\s*[©ⓒ(]|ⓒ|©|\(c\)\s*\w|copyright|all\s+rights\s+reserved|저작권\s*(?:은|이)?\s*[^ ]*\s*에\s*있",
    re.IGNORECASE,
)
# Where a footer glued to the last paragraph starts.
_FOOTER_START_RE = re.compile(
    r"[<\[(〈《]?\s*(?:저작권자|copyright|ⓒ|©)|(?:[\w.]+\s*)?무단\s*[-·,]?\s*전재", re.IGNORECASE
)
DATELINE_PREFIX_RE = re.compile(
    rf"^\s*(?:"
    rf"(?P<bracket>[\[(【][^\[\]()【】]{{0,40}}(?:=|{ROLE_PATTERN})[^\[\]()【】]{{0,40}}[\])】])"
    rf"\s*(?P<after>{_NAMES}\s*(?:{ROLE_PATTERN})(?:\s*\(?{_EMAIL}\)?)?\s*=?)?"
    rf"|(?P<plain>{_NAMES}\s*(?:{ROLE_PATTERN})(?:\s*\(?{_EMAIL}\)?)?\s*=)"
    rf"|(?P<english>[A-Z][A-Za-z .,]{{1,40}}?\d{{0,2}}\s*\((?:Yonhap|AP|AFP|Reuters|KBS|Korea Herald)\)\s*--?)"
    rf")\s*"
)
TRAILING_BYLINE_RE = re.compile(
    rf"^[\s/\-–—=]*(?:(?:{_NAMES})\s*(?:{ROLE_PATTERN})?\s*[\[(<]?\s*{_EMAIL}\s*[\])>]?"
    rf"|[\[(]?\s*{_NAMES}\s*(?:{ROLE_PATTERN})\s*[\])]?|[\[(<]?{_EMAIL}[\])>]?)\s*$"
)
END_MARK_RE = re.compile(r"^\s*[(<\[]?\s*(?:끝|END|End)\s*[)>\]]?\s*$")
RELATED_RE = re.compile(
    r"^\s*[\[【<▶☞■◆●※]*\s*(?:관련\s*기사|기사\s*제보|제보는|제보하기|구독하기|구독\s*신청|많이\s*본\s*뉴스"
    r"|추천\s*기사|함께\s*보면|이\s*시각\s*(?:주요|인기)|네이버\s*(?:메인|뉴스)에서|카카오톡\s*(?:채널|플친)|AI\s*요약"
    r"|좋아요|후속기사|이\s*기사를\s*추천)"
)
CREDIT_LINE_RE = re.compile(
    r"^\s*[/\[(]?\s*(?:사진|그래픽|자료|영상|사진\s*출처|출처|제공)\s*[=:]\s*(?P<credit>[^\])]{1,40}?)\s*[\])]?\s*$"
)
DATE_LINE_RE = re.compile(
    r"^\W*(?:기사입력|입력시간|입력|등록|승인|송고|수정|최종수정|업데이트|Written|Published|Updated|Posted)"
    r"[\s:：\[]*\d{4}\s*[.\-/년]"
)
PHOTO_CAPTION_RE = re.compile(r"^\s*[▲△▷]\s*(?P<caption>.+)$")

_CAPTION_CREDIT_RE = re.compile(
    r"[\[(]\s*(?:사진\s*출처|자료사진|사진|출처|자료|그래픽|제공)\s*[=:]?\s*(?P<credit>[^\])]{1,40}?)\s*[\])]"
    r"|/\s*(?:사진|자료|그래픽)\s*=\s*(?P<slash>.+)$"
    r"|(?P<given>[^\s.(\[]{2,15})\s*제공\s*$"
    r"|^\s*(?:Photos?|Images?)\s*[:=]\s*(?P<english>.+)$"
)
_CAPTION_NOISE_RE = re.compile(r"\*?\s*재판매\s*및\s*DB\s*금지|" + _EMAIL)
_AGENCIES = frozenset(
    "연합뉴스 뉴시스 뉴스1 AP AFP EPA 로이터 AP뉴시스 AFP연합뉴스 EPA연합뉴스 게티이미지 게티이미지뱅크 게티이미지코리아 셔터스톡 신화 UPI "
    "Reuters 연합뉴스TV".split()
)
_CAPTION_PERSON_RE = re.compile(rf"^\s*(?P<person>{_NAMES}\s*(?:{ROLE_PATTERN}))\s*=\s*")
_CAPTION_TAIL_RE = re.compile(r"[.]\s+(?P<tail>[^.]{2,20})$")


@dataclass
class CleanResult:
    blocks: list[Block]
    removed: Counter[str] = field(default_factory=Counter)
    bylines: list[str] = field(default_factory=list)


def clean_blocks(blocks: list[Block]) -> CleanResult:
    """The body without boilerplate, what was removed (counted by kind), and the bylines found."""
    result = CleanResult(blocks=[])
    for block in blocks:
        if block.kind == "img" or not block.text:
            result.blocks.append(block)
            continue
        if RELATED_RE.match(block.text) and len(block.text) < 200:
            result.removed["related"] += 1
            continue
        if _move_credit(block, result):
            continue
        result.blocks.append(block)
    _strip_header(result)
    _strip_prefix(result)
    _strip_tail(result)
    return result


def _strip_header(result: CleanResult) -> None:
    """A date line among the first blocks ends the page header: it and what stands before it go."""
    text_blocks = [b for b in result.blocks if b.kind != "img"][:4]
    for i, block in enumerate(text_blocks):
        if len(block.text) < 120 and DATE_LINE_RE.match(block.text):
            header = text_blocks[: i + 1]
            result.blocks = [b for b in result.blocks if not any(b is h for h in header)]
            result.removed["header"] += len(header)
            return


def _move_credit(block: Block, result: CleanResult) -> bool:
    image = _last_image(result.blocks)
    credit = CREDIT_LINE_RE.match(block.text)
    if credit:
        # Right under a photo it credits that photo; elsewhere (the story's end) every photo without one.
        targets = [image] if image is not None else [b.image for b in result.blocks if b.image]
        for target in targets:
            target["credit"] = target.get("credit") or credit.group("credit").strip()
        result.removed["image_credit"] += 1
        return True
    caption = PHOTO_CAPTION_RE.match(block.text)
    if caption and image is not None and not image.get("caption"):
        image["caption"], found = split_caption(caption.group("caption"))
        image["credit"] = image.get("credit") or found
        result.removed["image_caption"] += 1
        return True
    return False


def _last_image(blocks: list[Block]) -> Image | None:
    for block in reversed(blocks[-3:]):
        if block.kind == "img" and block.image is not None:
            return block.image
    return None


def _strip_prefix(result: CleanResult) -> None:
    """The dateline opens the first paragraph, or the second after a one-line deck."""
    for block in [b for b in result.blocks if b.kind != "img"][:2]:
        match = DATELINE_PREFIX_RE.match(block.text)
        if not match:
            continue
        result.bylines.append(match.group(0).strip())
        result.removed["dateline"] += 1
        block.text = block.text[match.end() :].lstrip()
        if not block.text:
            result.blocks.remove(block)
        return


def _strip_tail(result: CleanResult) -> None:
    blocks = result.blocks
    while blocks:
        block = blocks[-1]
        if block.kind == "img":
            return
        text = block.text
        if COPYRIGHT_RE.search(text):
            footer = _FOOTER_START_RE.search(text)
            head = text[: footer.start()].rstrip() if footer else ""
            # A slogan before the footer ("세상을 보는 균형, 한국일보") goes with it; a paragraph stays.
            if len(head) < 40:
                blocks.pop()
            else:
                block.text = head
            result.removed["copyright"] += 1
            continue
        if TRAILING_BYLINE_RE.match(text):
            result.bylines.append(text.strip(" /-=–—"))
            blocks.pop()
            result.removed["trailing_byline"] += 1
            continue
        if END_MARK_RE.match(text):
            blocks.pop()
            result.removed["end_mark"] += 1
            continue
        if RELATED_RE.match(text) and len(text) < 200:
            blocks.pop()
            result.removed["related"] += 1
            continue
        return


def split_caption(text: str) -> tuple[str, str | None]:
    """A photo caption without its credit, and the credit (`(사진=삼성전자)` gives `삼성전자`)."""
    text = " ".join(text.split())
    credit: str | None = None
    dateline = re.match(
        r"^\s*[\[(【]\s*[^\[\]()【】=]{1,20}=\s*(?P<agency>[^\[\]()【】]{1,20})[\])】]\s*", text
    )
    if dateline:
        credit = dateline.group("agency").strip()
        text = text[dateline.end() :]
        photographer = _CAPTION_PERSON_RE.match(text)
        if photographer:
            credit = f"{credit} {photographer.group('person')}"
            text = text[photographer.end() :]
    text = _CAPTION_NOISE_RE.sub(" ", text)
    match = _CAPTION_CREDIT_RE.search(text)
    if match:
        found = next((g for g in match.group("credit", "slash", "given", "english") if g), "")
        credit = found.strip() or credit
        text = text[: match.start()] + text[match.end() :]
    else:
        tail = _CAPTION_TAIL_RE.search(text)
        # `… 있다. 연합뉴스`, `… 있다. 인천=연합뉴스`, `… 있다. 고영권 기자`
        found = re.sub(r"^[가-힣]{1,6}\s*=\s*", "", tail.group("tail").strip()) if tail else ""
        if tail and (found in _AGENCIES or re.search(rf"(?:{ROLE_PATTERN})$", found)):
            credit = found
            text = text[: tail.start() + 1]
    return " ".join(text.split()).strip(" ,/"), credit
