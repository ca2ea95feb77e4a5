"""Small text helpers shared by the Korean rules and the page layer."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]+")
# Control characters (C0, C1, and the Unicode line and paragraph separators) are spaces in text.
# Controls, line and paragraph separators, and lone UTF-16 surrogates (CMSs that cut strings by UTF-16
# units leave them; no encoder can write them out).
_CONTROLS_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# Runs, not single characters: counting their lengths is several times faster than a match per letter.
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
_LETTER_RE = re.compile(r"[^\W\d_]+")


def clean_text(text: str | None) -> str:
    """NFC, no invisible characters, one space between words (for any Unicode space), no surrounding space.

    Called for every text of every page: str.split and `in`, not patterns or str.translate, where they
    can (a sixth of the time of the patterns and str.translate it used, on a page's text)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if any(c in text for c in _INVISIBLE):
        text = _INVISIBLE_RE.sub("", text)
    return " ".join(_CONTROLS_RE.sub(" ", text).split())


def letter_shares(text: str) -> tuple[float, float]:
    """Shares of Hangul and of Latin letters among the letters of `text` (0.0 each without letters)."""
    # The letters alone, searched again for Hangul; the only ASCII letters are A-Z and a-z.
    letters = "".join(_LETTER_RE.findall(text))
    if not letters:
        return 0.0, 0.0
    hangul = sum(map(len, _HANGUL_RE.findall(letters)))
    return hangul / len(letters), len(letters.encode("ascii", "ignore")) / len(letters)
