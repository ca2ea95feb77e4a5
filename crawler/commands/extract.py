"""`scrapy extract FILE… [--url URL]`: what the crawler makes of saved pages, one JSON object per line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.offline import SavedPage, article_from_page
from pipelines.validate import options_from_settings


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "FILE [FILE ...] [--url URL]"

    def short_desc(self) -> str:
        return "Extract the normalized Article from saved pages (plain or .gz), one JSON line per file"

    def long_desc(self) -> str:
        return (
            "Reads each saved page with its exact bytes, runs the page layer, normalize and validate as a "
            "crawl would, and prints the Article as JSON, or {url, dropped, detail} when the page gives none. "
            "The URL comes from --url or from the page's fixture metadata (NAME.meta.json beside it)."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="the page's original URL (default: from NAME.meta.json)")
        parser.add_argument("--source", help="the source name to record (default: from the page's site)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one saved page")
        if opts.url and len(args) > 1:
            raise UsageError("--url applies to one file; give several files their NAME.meta.json instead")
        assert self.settings is not None
        options = options_from_settings(self.settings)
        for name in args:
            try:
                page = SavedPage.read(name)
            except OSError as exc:
                self._fail(f"{name}: {exc.strerror or exc}")
                continue
            url = opts.url or page.url
            if not url:
                self._fail(f"{name}: no URL: pass --url or put one in {name}'s .meta.json")
                continue
            outcome = article_from_page(url, page.body, page.headers, page.fetched_at, options, opts.source)
            self._print({"file": name, **outcome.to_json()})

    def _print(self, obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")

    def _fail(self, message: str) -> None:
        sys.stderr.write(f"error: {message}\n")
        self.exitcode = 1
