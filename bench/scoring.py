"""Body scoring as the article-extraction benchmark scores it (re-implemented from its description).

Texts are tokenized with the Unicode regex `\\w+` into 4-token shingles; TP, FP and FN are counted over
the shingle multisets and divided by TP+FP+FN so every page weighs the same. Precision and recall are
means over pages; F1 is the harmonic mean of those two means.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text)
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


@dataclass
class PageScore:
    tp: float
    fp: float
    fn: float

    @classmethod
    def of(cls, predicted: str, expected: str) -> PageScore:
        got, want = shingles(predicted), shingles(expected)
        tp = sum((got & want).values())
        fp = sum((got - want).values())
        fn = sum((want - got).values())
        total = tp + fp + fn
        return cls(tp / total, fp / total, fn / total) if total else cls(0.0, 0.0, 0.0)


def f1(scores: Iterable[PageScore]) -> tuple[float, float, float]:
    """(precision, recall, F1) as the benchmark reports them."""
    scores = list(scores)
    with_pred = [s for s in scores if s.tp + s.fp > 0]
    with_truth = [s for s in scores if s.tp + s.fn > 0]
    precision = sum(s.tp / (s.tp + s.fp) for s in with_pred) / len(with_pred) if with_pred else 0.0
    recall = sum(s.tp / (s.tp + s.fn) for s in with_truth) / len(with_truth) if with_truth else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)
