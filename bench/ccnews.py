"""CC-NEWS backfill throughput: records per second and articles per minute of `scrapy crawl ccnews` over a
WARC file, beside warcio reading the same file alone (every record, bodies decoded) in the same run.

    .venv/bin/python -m bench.ccnews [--records 2000] [--json]

The file: `--records` response records built from the real captures as bench/crawl.py varies them (each
copy its own article), half of them pages of our spiders' hosts (Yonhap, Naver), half of hosts no spider
crawls (Hankook Ilbo, mk.co.kr), whose bodies the backfill skips unread, as most of a real CC-NEWS file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bench.crawl import ROOT, build


def write_warc(path: Path, records: int) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, resource in build(records).items():
            if "bench.example.com" in url:
                continue  # bench/crawl.py's listings
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(resource.body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2026-01-01T09:00:00Z"},
            )
            writer.write_record(record)


def warcio_alone(path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                record.content_stream().read()
                count += 1
    return count, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        warc = out / "CC-NEWS-20260101090000-00000.warc.gz"
        write_warc(warc, args.records)
        records, plain = warcio_alone(warc)
        stats_file = out / "stats.json"
        command = [
            sys.executable, "-m", "scrapy", "crawl", "ccnews", "-a", f"warc={warc}",
            "-s", f"DATABASE_URL=sqlite:///{out / 'news.sqlite3'}", "-s", f"NEWS_JEKYLL_SITE={out / 'site'}",
            "-s", f"NEWS_LOCK_DIR={out / 'locks'}", "-s", f"NEWS_STATS_FILE={stats_file}",
            "-s", "NEWS_REQUIRE_DATE=False", "-L", "WARNING",
        ]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            sys.stderr.write(done.stderr[-3000:])
            return 1
        stats = json.loads(stats_file.read_text())
    seconds = stats["elapsed_time_seconds"]
    ours = stats["news/ccnews/records"] / seconds
    articles = stats.get("item_scraped_count", 0)
    print(f"WARC file: {records} response records ({args.records // 2} of our spiders' hosts)")
    print(f"warcio alone (every body decoded): {records / plain:,.0f} records/s")
    print(
        f"scrapy crawl ccnews: {stats['news/ccnews/records']} records in {seconds:.1f}s: {ours:,.0f} records/s, "
        f"{articles / seconds * 60:,.0f} articles/min ({articles} articles)"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "records": records,
                    "warcio_records_per_second": records / plain,
                    "ccnews_records_per_second": ours,
                    "articles_per_minute": articles / seconds * 60,
                    "articles": articles,
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
