"""Sentence splitting and excerpts for Korean news text.

A rule-based splitter: news prose ends its sentences with `다.`, `요.`, `?`, `!` and closing
quotes, so punctuation followed by a space (or by Hangul straight after `다.`) is a boundary,
except inside quoted speech, in decimals, initials and a few English abbreviations. It agrees with kiwipiepy on the
corpus bodies (bench/sentences.py) at a small fraction of its time and memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_CLOSERS = re.escape("\"'”’)]」』》")
# `…` is not among the ends: Korean uses it as a pause inside sentences and headlines ("A… B").
# Hangul straight after a closing quote is the quotative particle (`”고 말했다`), not a new sentence.
# A run of marks is tried from its start only: tried from each of its marks, a long run with no space
# after it took time quadratic in its length.
_BOUNDARY_RE = re.compile(rf"(?<![.!?])[.!?]+[{_CLOSERS}]*\s+|(?<=[다요죠까])[.!?](?=[가-힣])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr vs no jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n "
    "inc co corp ltd gov sen rep gen col lt prof etc e.g i.e p.m a.m".split()
)
# The run of letters and dots before a dot, from its first letter; read within a window a few characters
# longer than the longest abbreviation (a longer run is a word or an address, no abbreviation).
_WORD_BEFORE_RE = re.compile(r"(?<![A-Za-z.])\.*([A-Za-z][A-Za-z.]*)$")
_WINDOW = max(map(len, _ABBREVIATIONS)) + 4
EXCERPT_LIMIT = 200
ELLIPSIS = "…"


def split_sentences(text: str) -> list[str]:
    """The sentences of one paragraph, in order, stripped."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[str]:
    """The sentences of one paragraph, lazily, in time linear in its length: each boundary is looked at
    once, and the quotes still open are counted as the scan goes, not over the sentence again."""
    start = scanned = 0
    unclosed = straight = 0
    for match in _BOUNDARY_RE.finditer(text):
        end = match.end()
        chunk = text[scanned:end]
        scanned = end
        unclosed += chunk.count("“") - chunk.count("”")
        straight += chunk.count('"')
        # quoted speech is part of its sentence while a quotation opened in it is still open
        if _is_abbreviation(text, match.start()) or unclosed > 0 or straight % 2 == 1:
            continue
        piece = text[start:end].strip()
        if piece:
            yield piece
        start, unclosed, straight = end, 0, 0
    tail = text[start:].strip()
    if tail:
        yield tail


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word = _WORD_BEFORE_RE.search(text, max(0, dot - _WINDOW), dot)
    if not word:
        return False
    token = word.group(1).lower()
    return len(token) == 1 or token in _ABBREVIATIONS


def make_excerpt(paragraphs: list[str], limit: int = EXCERPT_LIMIT) -> str:
    """Whole sentences from the start of the body, at most about `limit` characters.

    Only when the first sentence alone is longer is it cut, at a word boundary, with `…`.
    """
    out: list[str] = []
    length = 0
    for paragraph in paragraphs:
        for sentence in iter_sentences(paragraph):
            extra = len(sentence) + (1 if out else 0)
            if length + extra > limit:
                return " ".join(out) if out else truncate(sentence, limit)
            out.append(sentence)
            length += extra
    return " ".join(out)


def truncate(text: str, limit: int) -> str:
    """`text` cut at the last word boundary that leaves room for `…`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:·") + ELLIPSIS
