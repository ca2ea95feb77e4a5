"""Export memory: the peak memory of `scrapy export` in each format over databases of growing size, to show
that every export streams (its memory stays flat while the article count grows a hundredfold).

    .venv/bin/python -m bench.export_memory [--sizes 1000,10000,100000] [--json]

One SQLite database grows to each size in turn, with copies of the real pages' Articles (bench/export.py),
each under its own URL, written a batch at a time. Each export runs as its own process, as a user runs it
(`scrapy export FORMAT --database … --output …`, jekyll with `--site`), started by a small launcher: a
child forked straight from this process would count this process's memory as its own until it replaces
itself. Its peak resident memory comes from the kernel's accounting of the launcher's children, its time
from the wall clock.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.export import BATCH, articles
from exports.sql import SqlWriter, engine_for

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("jsonl", "csv", "parquet", "jekyll")
# Runs its arguments as a command, then prints that child's peak memory (KiB) and exits with its status.
LAUNCHER = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def export(fmt: str, database: str, folder: Path) -> tuple[float, float]:
    """Peak memory (MB) and seconds of one export."""
    target = ["--site", str(folder / "site")] if fmt == "jekyll" else ["--output", str(folder / f"out.{fmt}")]
    if fmt == "jekyll":
        (folder / "site").mkdir(exist_ok=True)
    start = time.perf_counter()
    command = [sys.executable, "-m", "scrapy", "export", fmt, "--database", database, *target]
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"export {fmt} failed: {done.stderr[-2000:]}")
    return int(done.stdout.split()[-1]) / 1024, seconds  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="article counts, smallest first")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    figures: dict[str, dict[int, dict[str, float]]] = {fmt: {} for fmt in FORMATS}
    with tempfile.TemporaryDirectory() as scratch:
        database = f"sqlite:///{scratch}/news.sqlite3"
        writer = SqlWriter(engine_for(database))
        stored = 0
        print(f"{'articles':>8}  " + "  ".join(f"{fmt:>22}" for fmt in FORMATS))
        for size in sizes:
            for start in range(stored, size, BATCH):
                writer.write(articles(min(BATCH, size - start), first=start))
            stored = size
            cells = []
            for fmt in FORMATS:
                with tempfile.TemporaryDirectory(dir=scratch) as folder:
                    peak, seconds = export(fmt, database, Path(folder))
                figures[fmt][size] = {"peak_mb": peak, "seconds": seconds, "per_s": size / seconds}
                cells.append(f"{peak:>6.0f} MB {size / seconds:>8,.0f}/s")
            print(f"{size:>8}  " + "  ".join(f"{c:>22}" for c in cells))
    first, last = sizes[0], sizes[-1]
    print(
        f"peak memory at {last:,} articles against {first:,} (streaming: bounded by a batch, not by the count):"
    )
    for fmt in FORMATS:
        grew = figures[fmt][last]["peak_mb"] - figures[fmt][first]["peak_mb"]
        print(f"  {fmt:8} {grew:+.0f} MB for {last // first}x the articles")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
