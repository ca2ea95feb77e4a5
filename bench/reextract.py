"""`scrapy reextract` beside the crawl it repairs: seconds per article of `scrapy replay` (every spider
crawling the bundled replay site, its WARC archive on) and of re-extracting every stored article from
that archive, in the same run, from the database's own record of each run (`runs.seconds`).

    .venv/bin/python -m bench.reextract [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def scrapy(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=ROOT, capture_output=True, check=False, timeout=3600
    )


def per_article(database: Path, kind: str) -> tuple[int, float]:
    with sqlite3.connect(database) as connection:
        articles, seconds = connection.execute(
            "select sum(articles), sum(seconds) from runs where kind = ?", (kind,)
        ).fetchone()
    return articles or 0, seconds or 0.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="re-extractions of the same archive; the best counts"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        scrapy("replay", "--output", str(out))
        database = out / "news.sqlite3"
        settings = [
            "-s", f"DATABASE_URL=sqlite:///{database}", "-s", f"NEWS_WARC_DIR={out / 'warc'}",
            "-s", f"NEWS_JEKYLL_SITE={out / 'site'}", "-L", "WARNING",
        ]  # fmt: skip
        crawled, crawl_seconds = per_article(database, "scheduled")
        best = None
        for _ in range(args.rounds):
            before = per_article(database, "reextract")
            scrapy("reextract", *settings)
            after = per_article(database, "reextract")
            reread, seconds = after[0] - before[0], after[1] - before[1]
            best = seconds / reread if reread and (best is None or seconds / reread < best) else best
    crawl = crawl_seconds / crawled if crawled else None
    print(f"scrapy replay: {crawled} articles, {crawl * 1000:.1f} ms per article" if crawl else "no crawl")
    print(
        f"scrapy reextract: {best * 1000:.1f} ms per article (best of {args.rounds})"
        if best
        else "no reextract"
    )
    if crawl and best:
        print(f"re-extraction is {crawl / best:.1f}x the crawl's speed per article (target: at least 1x)")
    if args.json:
        print(
            json.dumps(
                {
                    "crawl_ms_per_article": crawl and crawl * 1000,
                    "reextract_ms_per_article": best and best * 1000,
                }
            )
        )
    return 0 if crawl and best else 1


if __name__ == "__main__":
    sys.exit(main())
