"""Korean date parsing: ours beside dateparser alone on the same strings (tests/test_dates.py CASES).

    .venv/bin/python -m bench.dates [--json]

dateparser gets each string after our label handling would have removed `입력`/`수정`, with the same
relative base and time zone. Prints how many each gets right and microseconds per string.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import dateparser

from crawler.korean.dates import KST, parse_date
from tests.test_dates import CASES, NOW


def with_dateparser(text: str):
    value = dateparser.parse(
        text,
        languages=["ko", "en"],
        settings={
            "TIMEZONE": "Asia/Seoul",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": NOW.replace(tzinfo=None),
            "PREFER_DATES_FROM": "past",
        },
    )
    return value.astimezone(KST) if value else None


def measure(parse) -> tuple[int, float, list[str]]:
    start = time.perf_counter()
    results = [parse(text) for text, _ in CASES]
    micros = (time.perf_counter() - start) * 1e6 / len(CASES)
    wrong = [text for (text, expected), got in zip(CASES, results, strict=True) if got != expected]
    return len(CASES) - len(wrong), micros, wrong


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    with_dateparser(CASES[0][0])  # warm: its first call loads the locale data
    parse_date(CASES[0][0], NOW)
    rows = {"ours": measure(lambda t: parse_date(t, NOW)), "dateparser": measure(with_dateparser)}
    print(f"{len(CASES)} date strings as Korean news pages print them")
    print(f"{'parser':<12}{'right':>8}{'µs/string':>12}")
    for name, (right, micros, _) in rows.items():
        print(f"{name:<12}{right:>8}{micros:>12.0f}")
    print("dateparser gets wrong:", "; ".join(rows["dateparser"][2]))
    if args.json:
        print(
            json.dumps(
                {
                    name: {"right": r, "total": len(CASES), "us_per_string": m}
                    for name, (r, m, _) in rows.items()
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
