"""`scrapy capture URL ...`: save live pages as fixtures (exact bytes, status, headers, URL, fetch time)."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import UsageError
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.checks import SettingError, check_writable, usage_error
from crawler.cli import QuietCommand
from crawler.pages import page_class_for


def fixture_name(url: str) -> tuple[str, str]:
    """(site folder, file stem) for a URL: the page class's source or the host, and a readable stem."""
    parts = urlsplit(url)
    site = page_class_for(url).source or (parts.hostname or "site").removeprefix("www.").split(".")[0]
    tail = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.path}-{parts.query}").strip("-")[-60:] or "index"
    return site, f"{tail}-{hashlib.sha1(url.encode()).hexdigest()[:8]}"


class CaptureSpider(scrapy.Spider):
    """Fetches the given URLs once each and writes what arrived."""

    name = "capture"
    custom_settings = {"ITEM_PIPELINES": {}, "RETRY_TIMES": 1}  # noqa: RUF012 (Scrapy's spider idiom)

    def __init__(
        self, urls: list[str], directory: str, *args: Any, any_status: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.urls = urls
        self.directory = Path(directory)
        self.any_status = any_status
        self.saved: list[str] = []
        self.refused: list[str] = []
        self.failed: list[str] = []
        self.unsaved: list[str] = []

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(
                url,
                callback=self.save,
                # Errors reach the callback (to be refused or, with --any-status, saved); redirects are
                # followed, as a crawl follows them.
                meta={"handle_httpstatus_list": list(range(400, 600))},
                dont_filter=True,
                errback=self.unfetched,
            )

    def save(self, response: Response) -> None:
        if response.status != 200 and not self.any_status:
            # An error page saved as a fixture would be tested as if it were the article.
            self.refused.append(f"{response.url}: HTTP {response.status}")
            return
        try:
            self.saved.append(str(save_fixture(response, self.directory, "scrapy capture")))
        except OSError as error:  # a full disk, a folder it may not write
            self.unsaved.append(f"{response.url}: {error}")

    def unfetched(self, failure: Failure) -> None:
        # One line per page (no DNS, refused, timed out): the operator's fix is the network, not our code.
        url = failure.request.url  # type: ignore[attr-defined]  # Scrapy attaches it for errbacks
        self.failed.append(f"{url}: {failure.getErrorMessage()}")


def save_fixture(response: Response, directory: Path, by: str) -> Path:
    """Writes a response as a fixture: its exact bytes, and NAME.meta.json (URL, status, headers, time)."""
    site, stem = fixture_name(response.url)
    folder = directory / site
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{stem}.html"
    page.write_bytes(response.body)
    meta = {
        "url": response.url,
        "requested_url": response.meta.get("redirect_urls", [response.url])[0],
        "status": response.status,
        "headers": {
            k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()
        },
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "fetched_at_source": f"the {by} command's clock",
        "captured_by": by,
        "notes": "body as delivered after content-encoding (gzip, br) was undone by Scrapy",
    }
    (folder / f"{stem}.meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return page


class Command(QuietCommand):
    requires_project = True
    # Each page gets one line of its own (saved, refused, not fetched); -L INFO shows the whole log.
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "CRITICAL"}

    def syntax(self) -> str:
        return "URL [URL ...] [--dir DIR]"

    def short_desc(self) -> str:
        return "Save live pages as test fixtures: exact bytes plus URL, status, headers and fetch time"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--dir", default="tests/fixtures", help="fixture folder (default: tests/fixtures)"
        )
        parser.add_argument(
            "--any-status",
            action="store_true",
            help="save pages whatever their HTTP status (by default only 200 answers are saved)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one URL")
        for url in args:
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                usage_error(f"{url!r} is not an http(s) URL")
        try:
            check_writable(opts.dir, "--dir")
        except SettingError as error:
            usage_error(str(error))
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(CaptureSpider)
        self.crawler_process.crawl(crawler, urls=args, directory=opts.dir, any_status=opts.any_status)
        self.crawler_process.start()
        spider = crawler.spider
        saved = spider.saved if isinstance(spider, CaptureSpider) else []
        refused = spider.refused if isinstance(spider, CaptureSpider) else []
        failed = spider.failed if isinstance(spider, CaptureSpider) else []
        unsaved = spider.unsaved if isinstance(spider, CaptureSpider) else []
        for path in saved:
            sys.stdout.write(f"{path}\n")
        for page in refused:
            sys.stderr.write(f"error: not saved, {page} (--any-status saves it anyway)\n")
        for page in failed:
            sys.stderr.write(f"error: not fetched, {page}\n")
        for page in unsaved:
            sys.stderr.write(f"error: fetched, not saved: {page}\n")
        if len(saved) < len(args):
            missing = len(args) - len(saved) - len(refused) - len(failed) - len(unsaved)
            if missing:
                sys.stderr.write(f"error: {missing} of {len(args)} pages could not be fetched\n")
            self.exitcode = 1
