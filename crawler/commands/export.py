"""`scrapy export jsonl|csv|jekyll [--since …] [--until …] [--source …]`: stored articles out of the database."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exporters import CsvItemExporter, JsonLinesItemExporter
from sqlalchemy import select

from crawler.checks import SettingError, check_existing_database, check_settings, check_writable, usage_error
from crawler.items import Article
from crawler.spiders.base import parse_bound
from exports.jekyll import PostWriter, options_from_settings
from exports.sql import DEFAULT_DATABASE_URL, A, engine_for, read_articles

FORMATS = ("jsonl", "csv", "parquet", "jekyll")
PROGRESS_SECONDS = 0.5


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "jsonl|csv|parquet|jekyll [--since DATE] [--until DATE] [--source SPIDER] [--output FILE | --site DIR]"

    def short_desc(self) -> str:
        return "Export stored articles as JSON lines, CSV (UTF-8), Parquet or Jekyll posts"

    def long_desc(self) -> str:
        return (
            "Reads the articles of DATABASE_URL published between --since and --until (YYYY-MM-DD or "
            "YYYY-MM-DDTHH:MM, Asia/Seoul), of one --source if given, oldest first. jsonl and csv write "
            "--output (default: stdout) in UTF-8; jekyll writes posts into --site/_posts (default: "
            "NEWS_JEKYLL_SITE), replacing an article's earlier post and leaving unchanged ones untouched."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--since", help="published at or after (YYYY-MM-DD[THH:MM], Seoul)")
        parser.add_argument("--until", help="published at or before (a date alone: to its end)")
        parser.add_argument("--source", help="only this spider's articles")
        parser.add_argument("--output", help="file for jsonl and csv (default: stdout)")
        parser.add_argument("--site", help="Jekyll site folder for jekyll (default: NEWS_JEKYLL_SITE)")
        parser.add_argument("--database", help="database URL (default: DATABASE_URL)")
        parser.add_argument(
            "--excel", action="store_true", help="csv with a byte-order mark, so that Excel reads it as UTF-8"
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            usage_error(f"give one format: {', '.join(FORMATS)}")
        try:
            self.window = self.check(args[0], opts)
        except ValueError as exc:
            usage_error(str(exc))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            self.export(args, opts)
        except OSError as error:
            # A folder that cannot be made, a read-only or full disk: one line, not a traceback.
            sys.stderr.write(
                f"error: the export could not be written: {error.strerror or error} ({error.filename})\n"
            )
            self.exitcode = 1

    def export(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        since, until = self.window
        engine = engine_for(opts.database or self.settings.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
        articles = shown_as_read(read_articles(engine, since, until, opts.source))
        if opts.output:
            Path(opts.output).parent.mkdir(parents=True, exist_ok=True)  # checked writable before
        if args[0] == "jekyll":
            self.jekyll(articles, Path(opts.site or self.settings.get("NEWS_JEKYLL_SITE") or "output/site"))
            return
        if args[0] == "parquet":
            count = export_parquet(articles, Path(opts.output))
            sys.stderr.write(f"{count} articles exported to {opts.output}\n")
            return
        output: IO[bytes] = open(opts.output, "wb") if opts.output else sys.stdout.buffer  # noqa: SIM115
        try:
            count = export_rows(args[0], articles, output, excel=opts.excel)
        finally:
            if opts.output:
                output.close()
        sys.stderr.write(f"{count} articles exported{' to ' + opts.output if opts.output else ''}\n")

    def check(self, fmt: str, opts: argparse.Namespace) -> tuple[Any, Any]:
        """The format, the window, the site folder and the database, before anything is read."""
        assert self.settings is not None
        if fmt not in FORMATS:
            raise SettingError(f"no export format {fmt!r}; the formats: {', '.join(FORMATS)}")
        try:
            since, until = parse_bound("since", opts.since), parse_bound("until", opts.until, end=True)
        except ValueError as exc:
            raise SettingError(str(exc).replace("-a ", "--")) from None
        if fmt == "parquet" and not opts.output:
            raise SettingError("parquet needs --output FILE (a Parquet file is not written to a terminal)")
        if fmt == "jekyll" and opts.site and not Path(opts.site).is_dir():
            raise SettingError(
                f"--site={opts.site!r}: no such folder (a Jekyll site: its _posts are written there)"
            )
        if fmt == "jekyll":
            check_writable(opts.site or self.settings.get("NEWS_JEKYLL_SITE") or "output/site", "--site")
        if opts.output and fmt != "jekyll":
            if Path(opts.output).is_dir():
                raise SettingError(f"--output={opts.output!r}: a folder; give a file")
            check_writable(Path(opts.output).parent, "--output")
        if since and until and since > until:
            raise SettingError(f"--since={opts.since} is after --until={opts.until}")
        database = opts.database or self.settings.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        check_existing_database(database, "--database" if opts.database else "-s DATABASE_URL")
        if opts.source:
            with engine_for(database).connect() as connection:
                sources = sorted(connection.scalars(select(A.c.source).distinct()))
            if opts.source not in sources:
                raise SettingError(
                    f"--source={opts.source!r}: no article of it; the sources: {', '.join(sources)}"
                )
        check_settings(self.settings)
        return since, until

    def jekyll(self, articles: Any, site: Path) -> None:
        assert self.settings is not None
        options = options_from_settings(self.settings)
        writer = PostWriter(site, options)
        outcomes: Counter[str] = Counter()
        for article in articles:
            if article.duplicate_of and not options.include_duplicates:
                outcomes["skipped_duplicate"] += 1
                continue
            outcomes[writer.write(article)] += 1
        summary = (
            ", ".join(f"{count} {kind}" for kind, count in sorted(outcomes.items())) or "nothing to export"
        )
        sys.stderr.write(f"{sum(outcomes.values())} articles → {site / '_posts'}: {summary}\n")


def shown_as_read(articles: Iterable[Article]) -> Iterator[Article]:
    """The articles, and on a terminal how many have gone out so far, on one line redrawn twice a second
    and cleared at the end (a cron job's mail gets only the closing line)."""
    if not sys.stderr.isatty():
        yield from articles
        return
    shown_at = 0.0  # the first article shows at once
    for count, article in enumerate(articles, 1):
        yield article
        if time.monotonic() - shown_at >= PROGRESS_SECONDS:
            sys.stderr.write(f"\r{count:,} articles…\x1b[K")
            sys.stderr.flush()
            shown_at = time.monotonic()
    sys.stderr.write("\r\x1b[K")


def export_rows(fmt: str, articles: Iterable[Article], output: IO[bytes], excel: bool = False) -> int:
    """Scrapy's own feed exporters, in UTF-8; in CSV, lists and objects are JSON in their cell, rows end
    in CRLF, and for Excel the file begins with a byte-order mark (without one, Excel reads UTF-8 as the
    system's code page: mojibake in Korean Windows).

    (Scrapy annotates their file as BytesIO; any binary file works, stdout's buffer included.)
    """
    exporter: JsonLinesItemExporter | CsvItemExporter
    if fmt == "jsonl":
        exporter = JsonLinesItemExporter(output, encoding="utf-8", ensure_ascii=False)  # type: ignore[arg-type]
    else:
        exporter = CsvItemExporter(
            output,  # type: ignore[arg-type]
            encoding="utf-8-sig" if excel else "utf-8",
            include_headers_line=True,
            lineterminator="\r\n",
        )
    exporter.start_exporting()
    count = 0
    for article in articles:
        exporter.export_item(_flat(article) if fmt == "csv" else article.to_json())
        count += 1
    exporter.finish_exporting()
    return count


def _flat(article: Article) -> dict[str, Any]:
    return {
        key: json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
        for key, value in article.to_json().items()
    }


def export_parquet(articles: Iterable[Article], path: Path, batch: int = 1000) -> int:
    """Typed columns for pandas, Polars and DuckDB: times with their zone, lists as lists, authors and
    images as lists of records. Written a row group of `batch` articles at a time (memory stays flat)."""
    import pyarrow as pa  # the parquet extra
    import pyarrow.parquet as pq

    person = pa.struct([("name", pa.string()), ("role", pa.string()), ("email", pa.string())])
    image = pa.struct(
        [("url", pa.string()), ("caption", pa.string()), ("credit", pa.string()), ("path", pa.string())]
    )
    time = pa.timestamp("us", tz="Asia/Seoul")
    types: dict[str, Any] = {
        "authors": pa.list_(person),
        "images": pa.list_(image),
        "main_image": image,
        "categories": pa.list_(pa.string()),
        "tags": pa.list_(pa.string()),
        "date_published": time,
        "date_modified": time,
        "fetched_at": time,
        "duplicate_score": pa.float64(),
    }
    names = [f.name for f in dataclasses.fields(Article)]
    schema = pa.schema([(name, types.get(name, pa.string())) for name in names])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        rows: list[dict[str, Any]] = []
        for article in articles:
            rows.append(dataclasses.asdict(article))
            count += 1
            if len(rows) == batch:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows or not count:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    return count
