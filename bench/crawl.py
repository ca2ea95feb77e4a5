"""Whole-crawl throughput: articles per minute through the engine and every pipeline, beside `scrapy bench`.

    .venv/bin/python -m bench.crawl [--pages 5000] [--json]

The site: `--pages` article pages served by the replay server, built from the real captures (Yonhap,
Naver 2024, Hankook Ilbo, mk.co.kr) with varied content (each copy gets its own headline and lead
sentence), listed 50 to a listing page. The crawl runs in a child process with the project's settings
(less AutoThrottle and the per-site politeness cap, which only slow a loopback server) into a fresh
SQLite database and Jekyll site, and reports its peak RSS when 1,000 and when all articles are in. `scrapy bench` runs in the same invocation, on this
machine, outside the project, as the anchor. The crawl runs with its WARC archive (crawler.archive) and
without, for the archive's cost in time and its size per 1,000 articles. The three take turns `--rounds`
times and each one's best round counts: this machine's speed drifts too much between minutes for one
run each to compare.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
PER_LISTING = 50

# (fixture, its headline as the page states it, its first sentence, URL shape served under)
TEMPLATES = [
    (
        "yna/article-1.html",
        "검찰, 쌍방울 그룹 비리 의혹 관련 경기도청 압수수색(종합2보)",
        "쌍방울 그룹의 횡령 혐의 등 비리 의혹을 수사 중인 검찰이",
        "https://www.yna.co.kr/view/AKR2026{n:08d}00017",
    ),
    (
        "naver/article-2.html",
        "AI 노트북 3대 중 2대…삼성 '갤럭시 북4 엣지' 뜬다",
        "삼성전자가 올해 더 강력한 인공지능(AI) 기능을",
        "https://n.news.naver.com/mnews/article/003/{n:010d}",
    ),
    (
        "hankookilbo/article-1.html.gz",
        "DJ 고향에서 '국민 통합' 외친 이재명",
        "이틀간의 영남 공략을 마친",
        "https://www.hankookilbo.com/News/Read/A2026{n:015d}",
    ),
    (
        "mk/article-1.html.gz",
        "소년공이 쏘아올린 정치 신화",
        "가난과 장애를 딛고 일어선 소년공이",
        "https://www.mk.co.kr/news/it/{n}",
    ),
]

SPIDER = """
import json, sys
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from crawler.spiders.base import NewsSpider

class BenchSpider(NewsSpider):
    name = "bench"
    listings = ("https://bench.example.com/list?page={page}",)
    article_patterns = (r"yna\\.co\\.kr/view/|news\\.naver\\.com/mnews/|hankookilbo\\.com/News/|mk\\.co\\.kr/news/",)

marks = {}
def scraped(item, response, spider):
    count = spider.crawler.stats.get_value("item_scraped_count", 0) + 1
    if count in (1000, TOTAL):
        # /proc, not getrusage: ru_maxrss survives exec and would report the parent's size.
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        marks[count] = int(status["VmHWM"].split()[0]) / 1024

TOTAL = int(sys.argv[2])
settings = get_project_settings()
settings.setdict({"NEWS_REPLAY_URL": sys.argv[1], "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
                  "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "WARNING", "NEWS_MAX_PAGES": 10_000,
                  "NEWS_REQUIRE_DATE": False, "CLOSESPIDER_TIMEOUT": 0,
                  "DATABASE_URL": f"sqlite:///{sys.argv[3]}/news.sqlite3", "NEWS_JEKYLL_SITE": f"{sys.argv[3]}/site",
                  "NEWS_WARC_DIR": sys.argv[4]},
                 priority="cmdline")
process = CrawlerProcess(settings)
crawler = process.create_crawler(BenchSpider)
crawler.signals.connect(scraped, signal=signals.item_scraped)
process.crawl(crawler)
process.start()
stats = crawler.stats.get_stats()
elapsed = (stats["finish_time"] - stats["start_time"]).total_seconds()
print(json.dumps({"articles": stats.get("item_scraped_count", 0), "seconds": elapsed,
                  "responses": stats.get("downloader/response_count", 0), "rss_mb": marks,
                  "warc_bytes": stats.get("news/warc/bytes", 0),
                  "dropped": {k: v for k, v in stats.items() if k.startswith("news/dropped/")}}))
"""


def build(pages: int) -> dict:
    from crawler.offline import SavedPage
    from crawler.replay import Resource

    site: dict = {}
    urls = []
    for n in range(pages):
        fixture, headline, lead, shape = TEMPLATES[n % len(TEMPLATES)]
        page = SavedPage.read(FIXTURES / fixture)
        assert page.url is not None
        url = shape.format(n=n)
        # Each copy is its own article: its own id wherever the page names its address (canonical, og:url,
        # JSON-LD), its own headline and lead.
        original_id, copy_id = _last_segment(page.url), _last_segment(url)
        varied = (
            page.body.decode("utf-8")
            .replace(original_id, copy_id)
            .replace(headline, f"{headline} {n}번째")
            .replace(lead, f"{n}번째 소식에 따르면 {lead}")
        )
        site[url] = Resource(varied.encode("utf-8"))
        urls.append(url)
    for page in range(pages // PER_LISTING + 2):
        chunk = urls[page * PER_LISTING : (page + 1) * PER_LISTING]
        links = "".join(f'<li><a href="{u}">기사 {i}</a></li>' for i, u in enumerate(chunk))
        site[f"https://bench.example.com/list?page={page + 1}"] = Resource(
            f"<!-- SYNTHETIC listing for bench/crawl.py --><html><body><ul>{links}</ul></body></html>".encode()
        )
    return site


def _last_segment(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def scrapy_bench(seconds: int) -> float:
    """Best pages/min `scrapy bench` logs on this machine (run outside the project, as shipped)."""
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    rates = [int(r) for r in re.findall(r"\(at (\d+) pages/min\)", done.stderr)]
    return float(max(rates)) if rates else 0.0


def main() -> int:
    from crawler.replay import ReplayServer

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--bench-seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="each measurement this many times, alternating")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    site = build(args.pages)
    runs: dict[bool, dict] = {}
    anchor = 0.0
    with ReplayServer(site) as server:
        # This machine's speed drifts by a fifth from one minute to the next: the three measurements take
        # turns, and each one's best round counts.
        for _ in range(args.rounds):
            for archived in (False, True):
                with tempfile.TemporaryDirectory() as output:
                    started = time.perf_counter()
                    warc = f"{output}/warc" if archived else ""
                    done = subprocess.run(
                        [sys.executable, "-c", SPIDER, server.url, str(args.pages), output, warc],
                        cwd=ROOT,
                        capture_output=True,
                        text=True,
                        timeout=3600,
                    )
                    wall = time.perf_counter() - started
                if done.returncode != 0:
                    sys.stderr.write(done.stderr[-3000:])
                    return 1
                run = {**json.loads(done.stdout.splitlines()[-1]), "wall": wall}
                if archived not in runs or run["seconds"] < runs[archived]["seconds"]:
                    runs[archived] = run
            anchor = max(anchor, scrapy_bench(args.bench_seconds))
    result, bare = runs[True], runs[False]
    wall = result["wall"]
    ours = result["articles"] / result["seconds"] * 60
    unarchived = bare["articles"] / bare["seconds"] * 60
    per_thousand = result["warc_bytes"] / max(result["articles"], 1) * 1000 / 1024 / 1024
    print(f"replay site: {args.pages} article pages + {args.pages // PER_LISTING + 2} listings")
    print(
        f"ours: {result['articles']} articles in {result['seconds']:.1f}s ({wall:.1f}s with start-up): "
        f"{ours:,.0f} articles/min"
    )
    print(
        f"without the WARC archive: {unarchived:,.0f} articles/min; the archive costs "
        f"{1 - ours / unarchived:.0%} (target: under 10%) and takes {per_thousand:.1f} MB per 1,000 articles"
    )
    print(f"scrapy bench (empty pages, no pipelines): {anchor:,.0f} pages/min")
    print(
        f"ratio: {ours / anchor:.0%} of scrapy bench (target: at least 50%)"
        if anchor
        else "scrapy bench gave no rate"
    )
    print("peak RSS (MB) at articles:", ", ".join(f"{k}: {v:.0f}" for k, v in result["rss_mb"].items()))
    if result["dropped"]:
        print("dropped:", result["dropped"])
    if args.json:
        print(
            json.dumps(
                {
                    "articles_per_min": ours,
                    "articles_per_min_without_archive": unarchived,
                    "warc_mb_per_1000_articles": per_thousand,
                    "scrapy_bench_pages_per_min": anchor,
                    **result,
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
