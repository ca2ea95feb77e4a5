"""Export speed: the database upsert beside plain SQLAlchemy Core inserts of the same rows, and Jekyll
posts per second, in one run.

    .venv/bin/python -m bench.export [--articles 5000] [--json]

Articles are copies of the real pages' Articles, each under its own URL with its own body. The upsert
(exports.sql.SqlWriter: batched, one transaction a batch, with authors, images and URL aliases) and the
plain insert (`connection.execute(insert(articles), rows)`, article rows alone) each get a fresh SQLite
file. Then the upsert runs again over the same articles (all unchanged), as a re-crawl does.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from crawler.items import Article
from crawler.offline import article_of, saved_pages
from exports.jekyll import PostWriter
from exports.sql import A, SqlWriter, _row, engine_for

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
BATCH = 100


@functools.cache
def _base() -> list[Article]:
    return [o.article for o in map(article_of, saved_pages(FIXTURES)) if o.article]


def articles(count: int, first: int = 0) -> list[Article]:
    """`count` articles, numbered from `first`: copies of the real pages' Articles under URLs of their own."""
    base = _base()
    out = []
    for n in range(first, first + count):
        article = base[n % len(base)]
        url = f"https://bench.example.com/{article.source}/{n}"
        out.append(
            dataclasses.replace(
                article,
                url=url,
                canonical_url=url,
                content_hash=f"{n:040d}",
                body_text=f"{n}번째. {article.body_text}",
                headline=f"{article.headline} ({n})",
            )
        )
    return out


def timed(work) -> float:
    os.sync()  # each phase starts with the disk's write-back of the one before done
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    items = articles(args.articles)
    batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    with tempfile.TemporaryDirectory() as folder:
        plain_engine = engine_for(f"sqlite:///{folder}/plain.sqlite3")
        now = datetime.now(UTC)
        rows = [{**_row(a, now), "first_seen_at": now, "version": 1} for a in items]

        def plain() -> None:
            for start in range(0, len(rows), BATCH):
                with plain_engine.begin() as connection:
                    connection.execute(insert(A), rows[start : start + BATCH])

        writer = SqlWriter(engine_for(f"sqlite:///{folder}/upsert.sqlite3"))
        plain_s = timed(plain)
        upsert_s = timed(lambda: [writer.write(b) for b in batches])
        again_s = timed(lambda: [writer.write(b) for b in batches])
        site = Path(folder) / "site"

        def export_posts() -> None:
            writer = PostWriter(site)
            for article in items:
                writer.write(article)

        jekyll_s = timed(export_posts)
        rewrite_s = timed(export_posts)
    n = len(items)
    figures = {
        "plain_insert_per_s": n / plain_s,
        "upsert_new_per_s": n / upsert_s,
        "upsert_unchanged_per_s": n / again_s,
        "jekyll_posts_per_s": n / jekyll_s,
        "jekyll_unchanged_per_s": n / rewrite_s,
    }
    print(f"{n} articles, SQLite, batches of {BATCH}")
    print(f"plain Core insert (article rows only)       {figures['plain_insert_per_s']:>9,.0f} /s")
    print(
        f"upsert, new (with authors, images, aliases) {figures['upsert_new_per_s']:>9,.0f} /s"
        f"  = {upsert_s and plain_s / upsert_s:.0%} of plain (target: at least 50%)"
    )
    print(f"upsert, all unchanged (a re-crawl)          {figures['upsert_unchanged_per_s']:>9,.0f} /s")
    print(
        f"Jekyll posts written                        {figures['jekyll_posts_per_s']:>9,.0f} /s (target: 2,000)"
    )
    print(f"Jekyll re-export, unchanged                 {figures['jekyll_unchanged_per_s']:>9,.0f} /s")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
