"""Speed of the page → Article path beside trafilatura on the same pages, in the same process.

    .venv/bin/python -m bench.speed [--rounds N] [--json]

Pages: the 136 benchmark pages and every page of the Korean corpus fixtures. Each page goes through every
path in turn, `--rounds` times, and its best time on each path counts (the least disturbed by the rest of
the machine): on a shared machine whose speed drifts by a fifth over a minute, paths timed one after the
other would be timed on different machines. Also timed: lxml parsing alone, the floor under any extractor.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import trafilatura

from bench.quality import BENCH
from crawler.korean.dates import parse_raw_date
from crawler.offline import article_from_page, saved_pages

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
FETCHED = datetime(2026, 1, 1, tzinfo=UTC)


def pages() -> list[tuple[str, bytes]]:
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    found = [
        (entry["url"], gzip.decompress((BENCH / "html" / f"{key}.html.gz").read_bytes()))
        for key, entry in sorted(truth.items())
    ]
    found += [(page.url or "", page.body) for page in saved_pages(FIXTURES)]
    return found


def best_times(
    paths: dict[str, Callable[[str, bytes], object]], corpus: list[tuple[str, bytes]], rounds: int
) -> dict[str, float]:
    """Seconds each path takes over the corpus: the sum of each page's best time on it."""
    totals = dict.fromkeys(paths, 0.0)
    for url, body in corpus:
        best = dict.fromkeys(paths, float("inf"))
        for _ in range(rounds):
            for name, work in paths.items():
                parse_raw_date.cache_clear()  # each page is met for the first time, as a crawl meets it
                start = time.perf_counter()
                work(url, body)
                best[name] = min(best[name], time.perf_counter() - start)
        for name in paths:
            totals[name] += best[name]
    return totals


def ours(url: str, body: bytes) -> object:
    return article_from_page(url, body, None, FETCHED)


def trafilatura_alone(url: str, body: bytes) -> object:
    return trafilatura.bare_extraction(body, url=url, with_metadata=True)


def lxml_alone(url: str, body: bytes) -> object:
    return lxml.html.document_fromstring(body)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    corpus = pages()
    for url, body in corpus[:5]:  # warm imports and caches before timing anything
        ours(url, body)
        trafilatura_alone(url, body)
    rows = best_times(
        {
            "ours (page layer + normalize + validate)": ours,
            "trafilatura.bare_extraction(with_metadata=True)": trafilatura_alone,
            "lxml parse alone": lxml_alone,
        },
        corpus,
        args.rounds,
    )
    print(f"{len(corpus)} pages, each page's best of {args.rounds} rounds")
    print(f"{'path':<52}{'ms/page':>10}{'pages/s':>10}")
    figures = {}
    for name, seconds in rows.items():
        per_page = seconds / len(corpus)
        figures[name] = {"ms_per_page": per_page * 1000, "pages_per_second": 1 / per_page}
        print(f"{name:<52}{per_page * 1000:>10.2f}{1 / per_page:>10.1f}")
    names = list(rows)
    ratio = rows[names[1]] / rows[names[0]]
    print(f"\nours is {ratio:.2f}x trafilatura's speed (target: at least 2x)")
    if args.json:
        print(json.dumps({"pages": len(corpus), "paths": figures, "speed_vs_trafilatura": ratio}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
