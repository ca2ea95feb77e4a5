"""Time and memory of one page through the page layer (and normalize, validate) as the page grows.

    .venv/bin/python -m bench.size [--json]

SYNTHETIC pages of 1,000 to 300,000 paragraphs, with the body declared (`itemprop=articleBody`) and without
any body markup; each size runs in a process of its own so its peak memory is its own. The anchor is lxml
parsing the same page alone, in the same process: the page layer should grow as that floor grows (linearly),
and no page should hold a crawl's thread for more than a few seconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime

SIZES = (1_000, 10_000, 30_000, 60_000, 300_000)
SENTENCE = "삼성전자가 새 노트북을 공개했다. 가격은 지난해와 같은 수준으로 책정됐다."


def page(paragraphs: int, declared: bool) -> bytes:
    body = "".join(f"<p>{n}번째 문단. {SENTENCE}</p>" for n in range(paragraphs))
    box = f'<div itemprop="articleBody">{body}</div>' if declared else f"<div>{body}</div>"
    return (
        '<html lang="ko"><head><meta charset="utf-8"><title>긴 기사</title>'
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2025-01-01T09:00:00+09:00"></head>'
        f"<body><h1>긴 기사</h1>{box}</body></html>"
    ).encode()


def measure(paragraphs: int, declared: bool) -> dict[str, float | str | int]:
    """In this process: parse alone, then the page → Article path, on one page of that size."""
    import lxml.html

    from crawler.offline import article_from_page

    body = page(paragraphs, declared)
    start = time.perf_counter()
    lxml.html.document_fromstring(body)
    parse = time.perf_counter() - start
    start = time.perf_counter()
    outcome = article_from_page(
        "https://www.example.co.kr/news/1", body, None, datetime(2026, 1, 1, tzinfo=UTC)
    )
    seconds = time.perf_counter() - start
    result = f"{len(outcome.article.body_text):,} chars" if outcome.article else f"dropped: {outcome.reason}"
    return {
        "paragraphs": paragraphs,
        "declared": declared,
        "megabytes": round(len(body) / 1e6, 1),
        "parse_seconds": round(parse, 3),
        "seconds": round(seconds, 3),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "outcome": result,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    parser.add_argument("--one", nargs=2, metavar=("PARAGRAPHS", "DECLARED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(int(args.one[0]), args.one[1] == "1")))
        return 0
    rows = []
    for declared in (True, False):
        for size in SIZES:
            done = subprocess.run(
                [sys.executable, "-m", "bench.size", "--one", str(size), "1" if declared else "0"],
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append(json.loads(done.stdout.splitlines()[-1]))
    print(
        f"{'paragraphs':>10} {'body':>9} {'MB':>6} {'parse s':>8} {'page s':>8} {'s/parse':>8} {'peak MB':>8}  outcome"
    )
    for row in rows:
        ratio = row["seconds"] / max(row["parse_seconds"], 1e-6)
        body = "declared" if row["declared"] else "none"
        print(
            f"{row['paragraphs']:>10,} {body:>9} {row['megabytes']:>6} {row['parse_seconds']:>8} "
            f"{row['seconds']:>8} {ratio:>8.1f} {row['peak_mb']:>8}  {row['outcome']}"
        )
    if args.json:
        print(json.dumps({"rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
