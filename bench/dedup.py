"""Near-duplicate detection at scale: documents per second for signature + query + insert, and index memory.

    .venv/bin/python -m bench.dedup [--sizes 10000 100000] [--json]

Documents are 2,000 random Hangul syllables in words (one in twenty a lightly edited copy of an earlier
one, so the index finds matches as a crawl's would), keyed by a URL of news-site length. One core, one
process. Memory is what tracemalloc sees the index allocate (numpy arrays, keys and their dict), per
document, and projected to a million. The anchor: datasketch's MinHash (128 permutations) and MinHashLSH
on the first 2,000 documents, in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc

from pipelines.neardup import NearDuplicateIndex, signature


def documents(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    docs: list[str] = []
    for n in range(count):
        if docs and n % 20 == 0:
            words = rng.choice(docs).split(" ")
            words[rng.randrange(len(words))] = "수정"
            docs.append(" ".join(words))
            continue
        words, length = [], 0
        while length < 2000:
            word = "".join(chr(rng.randrange(0xAC00, 0xD7A4)) for _ in range(rng.randint(1, 5)))
            words.append(word)
            length += len(word)
        docs.append(" ".join(words))
    return docs


def run(docs: list[str]) -> dict[str, float]:
    tracemalloc.start()
    index = NearDuplicateIndex()
    matched = 0
    start = time.perf_counter()
    for n, doc in enumerate(docs):
        sig = signature(doc)
        assert sig is not None
        key = f"https://www.example.co.kr/news/articleView.html?idxno={1_000_000 + n}"
        found = index.matches(sig)
        matched += bool(found)
        index.add(key, sig, found[0].key if found else None)
    seconds = time.perf_counter() - start
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "docs": len(docs),
        "docs_per_s": len(docs) / seconds,
        "matched": matched,
        "bytes_per_doc": current / len(docs),
        "peak_bytes_per_doc": peak / len(docs),
    }


def datasketch_anchor(docs: list[str]) -> float:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    start = time.perf_counter()
    for n, doc in enumerate(docs):
        flat = doc.replace(" ", "")
        minhash = MinHash(num_perm=128)
        minhash.update_batch([flat[i : i + 5].encode("utf-8") for i in range(len(flat) - 4)])
        lsh.query(minhash)
        lsh.insert(str(n), minhash)
    return len(docs) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    results = {}
    docs = documents(max(args.sizes))
    for size in args.sizes:
        row = run(docs[:size])
        results[size] = row
        print(
            f"{size:>7,} documents: {row['docs_per_s']:>7,.0f} docs/s (signature + query + insert), "
            f"{row['matched']:,} matched, index {row['bytes_per_doc']:,.0f} B/doc "
            f"(peak {row['peak_bytes_per_doc']:,.0f}); 1,000,000 documents ≈ "
            f"{row['bytes_per_doc'] * 1e6 / 2**20:,.0f} MiB"
        )
    try:
        anchor = datasketch_anchor(docs[:2000])
        print(f"datasketch MinHash + MinHashLSH, 2,000 documents: {anchor:,.0f} docs/s")
        results["datasketch_docs_per_s"] = anchor
    except ImportError:
        print("datasketch not installed: `pip install datasketch` for the anchor")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
