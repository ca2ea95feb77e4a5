"""Near-duplicate detection judged on labelled pairs built from the real corpus bodies.

    .venv/bin/python -m bench.dedup_quality [--json]

Positives are copies made the way syndication edits a story: the dateline and byline swapped for another
outlet's, the footer changed, a paragraph dropped or added, sentences reordered, the title rewritten (with
a new footer), the copy cut to its lead, and several edits at once. Negatives are pairs of different
stories: every pair of the Korean corpus bodies (two of them on the same election campaign), and pairs of
benchmark articles from the same site (same outlet, same beat, often the same topic). Each pair goes
through the index as in a crawl: the first document added, the second queried.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pipelines.neardup as nd
from crawler.korean.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BENCH = ROOT.parent / "shared" / "bench" / "extraction"
FOREIGN = ["(서울=뉴스1) 김철수 기자 = ", "[서울=뉴시스]박영희 기자 = ", "(세종=연합뉴스) 이민수 기자 = "]
FOOTERS = [
    "<저작권자 © 뉴스1코리아, 무단전재 및 재배포 금지>",
    "ⓒ 뉴시스. 무단 전재-재배포 금지.",
    "kim@news1.kr",
]


def bodies() -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """(label, body) of the corpus articles, and benchmark bodies by site."""
    corpus = []
    for path in sorted(FIXTURES.glob("*/*.article.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        if "body_text" in article:
            corpus.append((path.parent.name + "/" + path.name.split(".")[0], article["body_text"]))
    by_site: dict[str, list[str]] = defaultdict(list)
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    for entry in truth.values():
        by_site[urlsplit(entry["url"]).hostname or ""].append(entry["articleBody"])
    return corpus, by_site


def variants(body: str, other: str, rng: random.Random) -> dict[str, str]:
    paragraphs = [p for p in body.split("\n\n") if p.strip()]

    def join(ps: list[str]) -> str:
        return "\n\n".join(ps)

    dropped = paragraphs[:]
    if len(dropped) > 2:
        dropped.pop(rng.randrange(1, len(dropped)))
    added = paragraphs[:]
    added.insert(rng.randrange(1, len(added) + 1), other.split("\n\n")[0])
    reordered = []
    for p in paragraphs:
        sentences = split_sentences(p)
        rng.shuffle(sentences)
        reordered.append(" ".join(sentences))
    swapped = [rng.choice(FOREIGN) + paragraphs[0], *paragraphs[1:], rng.choice(FOOTERS)]
    lead = paragraphs[: max(1, len(paragraphs) // 4)]
    if len(join(lead)) < 250:
        lead = paragraphs[:2]
    combined = [rng.choice(FOREIGN) + p if i == 0 else p for i, p in enumerate(dropped)]
    return {
        "dateline and byline swapped": join(swapped),
        "footer changed": join([*paragraphs, rng.choice(FOOTERS)]),
        "paragraph dropped": join(dropped),
        "paragraph added": join(added),
        "sentences reordered": join(reordered),
        "title rewritten, new footer": join([*paragraphs, FOOTERS[0]]),
        "cut to the lead": join(lead),
        "several edits at once": join([*reversed(combined[1:3]), combined[0], *combined[3:], FOOTERS[1]]),
    }


def decide(first: str, second: str) -> bool:
    a, b = nd.signature(first), nd.signature(second)
    if a is None or b is None:
        return False
    index = nd.NearDuplicateIndex()
    index.add("first", a)
    return bool(index.matches(b))


def pairs(rng: random.Random) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    corpus, by_site = bodies()
    texts = [b for _, b in corpus] + [b for site in by_site.values() for b in site]
    positives = []
    for body in texts:
        if len(body) < 400:
            continue
        other = rng.choice(texts)
        for kind, copy in variants(body, other, rng).items():
            positives.append((kind, body, copy))
    negatives = [("two Korean stories", a, b) for (_, a), (_, b) in itertools.combinations(corpus, 2)]
    for site, site_bodies in by_site.items():
        negatives += [(f"same site ({site})", a, b) for a, b in itertools.combinations(site_bodies, 2)]
    everything = list(itertools.combinations(texts, 2))
    negatives += [("two stories", a, b) for a, b in rng.sample(everything, 2000)]
    return positives, negatives


def score(positives: list, negatives: list) -> dict[str, float]:
    tp = sum(decide(a, b) for _, a, b in positives)
    fp = sum(decide(a, b) for _, a, b in negatives)
    fn = len(positives) - tp
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    positives, negatives = pairs(random.Random(7))
    print(f"{len(positives)} positive pairs, {len(negatives)} negative pairs")
    chosen = score(positives, negatives)
    print(
        f"at the chosen thresholds (full {nd.FULL_THRESHOLD}, lead {nd.LEAD_THRESHOLD}): "
        f"precision {chosen['precision']:.3f}, recall {chosen['recall']:.3f} "
        f"(tp {chosen['tp']}, fp {chosen['fp']}, fn {chosen['fn']})"
    )
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for kind, a, b in positives:
        by_kind[kind].append(decide(a, b))
    for kind, found in by_kind.items():
        print(f"  recall, {kind:<30} {sum(found) / len(found):.3f}")
    print("curve around the chosen thresholds (full, lead):")
    curve = {}
    saved = nd.FULL_THRESHOLD, nd.LEAD_THRESHOLD
    for full, lead in ((0.3, 0.8), (0.4, 0.8), (0.6, 0.8), (0.5, 0.6), (0.5, 0.7), (0.5, 0.9)):
        nd.FULL_THRESHOLD, nd.LEAD_THRESHOLD = full, lead
        row = score(positives, negatives)
        curve[f"{full}/{lead}"] = row
        print(f"  {full:.1f} / {lead:.1f}: precision {row['precision']:.3f}, recall {row['recall']:.3f}")
    nd.FULL_THRESHOLD, nd.LEAD_THRESHOLD = saved
    if args.json:
        print(json.dumps({"chosen": chosen, "curve": curve}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
