"""Sentence splitting: our rule-based splitter beside kiwipiepy on the Korean corpus bodies.

    .venv/bin/pip install -e '.[bench]'   # kiwipiepy, for this comparison only
    .venv/bin/python -m bench.sentences [--json]

Prints, per splitter, milliseconds per body and the peak memory it adds to the process, and how often
the two agree: boundary precision and recall of ours against kiwipiepy's boundaries (character offsets
in the paragraph, spaces ignored).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from crawler.korean.sentences import split_sentences

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def korean_bodies() -> list[list[str]]:
    bodies = []
    for path in sorted(FIXTURES.glob("*/*.article.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        if article.get("language") == "ko":
            bodies.append(article["body_text"].split("\n\n"))
    return bodies


def boundaries(sentences: list[str]) -> set[int]:
    """End offsets of sentences, counted in non-space characters, last one excluded."""
    ends, position = set(), 0
    for sentence in sentences[:-1]:
        position += len("".join(sentence.split()))
        ends.add(position)
    return ends


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    bodies = korean_bodies()
    paragraphs = [p for body in bodies for p in body]

    before = rss_mb()
    start = time.perf_counter()
    ours = [split_sentences(p) for p in paragraphs]
    ours_ms = (time.perf_counter() - start) * 1000 / len(bodies)
    ours_mb = rss_mb() - before

    from kiwipiepy import Kiwi  # imported late so its memory is measured on its own

    before = rss_mb()
    start = time.perf_counter()
    kiwi = Kiwi()
    kiwi.split_into_sents(paragraphs[0])
    kiwi_load_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    theirs = [[s.text for s in kiwi.split_into_sents(p)] for p in paragraphs]
    kiwi_ms = (time.perf_counter() - start) * 1000 / len(bodies)
    kiwi_mb = rss_mb() - before

    agree = found = expected = 0
    for mine, reference in zip(ours, theirs, strict=True):
        a, b = boundaries(mine), boundaries(reference)
        agree += len(a & b)
        found += len(a)
        expected += len(b)
    precision = agree / found if found else 1.0
    recall = agree / expected if expected else 1.0

    chars = sum(len(p) for p in paragraphs) / len(bodies)
    print(
        f"{len(bodies)} Korean bodies, {len(paragraphs)} paragraphs, {chars:.0f} characters a body on average"
    )
    print(f"{'splitter':<12}{'ms/body':>10}{'load ms':>10}{'+MB peak':>10}")
    print(f"{'ours':<12}{ours_ms:>10.3f}{0:>10.0f}{ours_mb:>10.1f}")
    print(f"{'kiwipiepy':<12}{kiwi_ms:>10.3f}{kiwi_load_ms:>10.0f}{kiwi_mb:>10.1f}")
    print(f"boundaries, ours against kiwipiepy: precision {precision:.3f}, recall {recall:.3f}")
    if args.json:
        print(
            json.dumps(
                {
                    "ours_ms_per_body": ours_ms,
                    "kiwi_ms_per_body": kiwi_ms,
                    "kiwi_load_ms": kiwi_load_ms,
                    "kiwi_mb": kiwi_mb,
                    "ours_mb": ours_mb,
                    "precision": precision,
                    "recall": recall,
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
