"""Extraction quality: body F1 on the article-extraction benchmark beside trafilatura, publication dates
beside htmldate on the same pages, and field accuracy on the Korean corpus fixtures.

    .venv/bin/python -m bench.quality [--json]

The benchmark (../shared/bench/extraction: 136 pages with ground truth) is scored as upstream scores it
(bench/scoring.py). Both extractors run on the same pages in the same run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trafilatura
from htmldate import find_date

from bench.scoring import PageScore, f1
from crawler.korean.boilerplate import COPYRIGHT_RE, DATELINE_PREFIX_RE, TRAILING_BYLINE_RE
from crawler.offline import article_of, companion, saved_pages
from crawler.pages import PageError, extract
from pipelines.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench" / "extraction"
FIXTURES = ROOT / "tests" / "fixtures"
FETCHED = datetime(2019, 12, 1, tzinfo=UTC)


def benchmark_pages() -> list[tuple[str, str, bytes]]:
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        (
            entry["articleBody"],
            entry["url"],
            gzip.decompress((BENCH / "html" / f"{key}.html.gz").read_bytes()),
        )
        for key, entry in sorted(truth.items())
    ]


def our_body(url: str, body: bytes) -> str:
    try:
        raw = extract(url, body, {"Content-Type": "text/html; charset=utf-8"}, FETCHED)
    except PageError:
        return ""
    return normalize(raw).body_text


def trafilatura_body(body: bytes) -> str:
    return trafilatura.extract(body.decode("utf-8", "replace")) or ""


def score_benchmark() -> dict[str, dict[str, float]]:
    pages = benchmark_pages()
    ours = [PageScore.of(our_body(url, html), truth) for truth, url, html in pages]
    theirs = [PageScore.of(trafilatura_body(html), truth) for truth, _, html in pages]
    result = {}
    for name, scores in (("ours", ours), ("trafilatura", theirs)):
        precision, recall, score = f1(scores)
        result[name] = {"precision": precision, "recall": recall, "f1": score, "pages": len(scores)}
    return result


def score_dates() -> dict[str, object]:
    """Our publication date beside htmldate's on every benchmark page: pages where htmldate finds one and
    we do not (the target is none), and dates more than a day apart, listed for a look."""
    fetched = datetime(2026, 12, 1, tzinfo=UTC)  # after every page: no date is refused as future here
    both = theirs_only = ours_only = neither = 0
    apart: list[dict[str, str]] = []
    missed: list[str] = []
    for _, url, html in benchmark_pages():
        try:
            article = normalize(extract(url, html, {"Content-Type": "text/html; charset=utf-8"}, fetched))
            ours = article.date_published
        except PageError:
            ours = None
        found = find_date(html, original_date=True, extensive_search=True, url=url)
        theirs = datetime.fromisoformat(found).replace(tzinfo=UTC) if found else None
        if ours and theirs:
            both += 1
            if abs(ours.astimezone(UTC).date() - theirs.date()) > timedelta(days=1):
                apart.append(
                    {"url": url, "ours": ours.date().isoformat(), "htmldate": theirs.date().isoformat()}
                )
        elif theirs:
            theirs_only += 1
            missed.append(url)
        elif ours:
            ours_only += 1
        else:
            neither += 1
    return {
        "both": both,
        "htmldate_only": theirs_only,
        "ours_only": ours_only,
        "neither": neither,
        "apart_over_a_day": apart,
        "missed": missed,
    }


def score_korean() -> dict[str, float | int]:
    """Share of the corpus article pages whose fields equal the reviewed expected Article."""
    fields = {"headline": 0, "date_published": 0, "authors": 0, "main_image": 0, "clean_body": 0}
    total = 0
    for page in saved_pages(FIXTURES):
        expected = json.loads(companion(page.path, "article").read_text(encoding="utf-8"))
        if "dropped" in expected:
            continue
        total += 1
        article = article_of(page).article
        if article is None:
            continue
        got = article.to_json()
        fields["headline"] += got["headline"] == expected["headline"]
        published = article.date_published
        fields["date_published"] += bool(
            published is not None
            and published.utcoffset() == timedelta(hours=9)
            and published.isoformat()[:16] == expected["date_published"][:16]
        )
        fields["authors"] += got["authors"] == expected["authors"]
        fields["main_image"] += got["main_image"] == expected["main_image"]
        paragraphs = article.body_text.split("\n\n")
        fields["clean_body"] += not (
            any(COPYRIGHT_RE.search(p) and len(p) < 300 for p in paragraphs)
            or DATELINE_PREFIX_RE.match(paragraphs[0])
            or TRAILING_BYLINE_RE.match(paragraphs[-1])
        )
    return {"pages": total, **{k: v / total for k, v in fields.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    bench = score_benchmark()
    dates = score_dates()
    korean = score_korean()
    print(f"Article-extraction benchmark, {bench['ours']['pages']} pages (body, 4-token shingles)")
    print(f"{'extractor':<14}{'precision':>10}{'recall':>10}{'F1':>10}")
    for name, row in bench.items():
        print(f"{name:<14}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}")
    print("\nPublication dates beside htmldate, same pages")
    for key in ("both", "htmldate_only", "ours_only", "neither"):
        print(f"  {key:<16}{dates[key]:>6}")
    for url in dates["missed"]:  # type: ignore[attr-defined]
        print(f"  htmldate only: {url}")
    for row in dates["apart_over_a_day"]:  # type: ignore[attr-defined]
        print(f"  more than a day apart: {row['url']} ours {row['ours']} htmldate {row['htmldate']}")
    print(f"\nKorean corpus, {korean['pages']} article pages: share right")
    for key, value in korean.items():
        if key != "pages":
            print(f"  {key:<16}{value:>6.0%}")
    if args.json:
        print(json.dumps({"benchmark": bench, "dates": dates, "korean": korean}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
