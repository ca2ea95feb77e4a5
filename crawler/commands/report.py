"""`scrapy report [--output FILE] [--site DIR] [--days N] [--runs N]`: the status report, one HTML file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from sqlalchemy.engine import make_url

from crawler.checks import SettingError, check_existing_database, check_settings, check_writable, usage_error
from exports.report import gather, limits_for, render
from exports.sql import DEFAULT_DATABASE_URL, engine_for

REPORT_NAME = "report.html"


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--output FILE] [--site DIR] [--days N] [--runs N] [--database URL]"

    def short_desc(self) -> str:
        return (
            "Write the status report: articles per outlet per day, the sites' last runs and checks, clusters"
        )

    def long_desc(self) -> str:
        return (
            "Reads DATABASE_URL and writes one HTML file (default: output/report.html) with its charts inline: "
            "the articles of each outlet per day over the last --days (30), each site's last --runs (20) with "
            "article links found and field coverage against the monitor's thresholds, the failed checks of "
            "those runs, and the biggest near-duplicate clusters. --site DIR also puts it in a Jekyll site as "
            f"DIR/{REPORT_NAME}, a static file that Jekyll copies as it is."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--output", default=f"output/{REPORT_NAME}", help="the HTML file to write")
        parser.add_argument("--site", help=f"a Jekyll site folder to put {REPORT_NAME} in as well")
        parser.add_argument("--days", default="30", help="days of articles per outlet (default: 30)")
        parser.add_argument("--runs", default="20", help="last runs shown per site (default: 20)")
        parser.add_argument("--database", help="database URL (default: DATABASE_URL)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        try:
            if args:
                raise SettingError(f"no arguments but options; got {' '.join(args)!r}")
            for name in ("days", "runs"):
                value = getattr(opts, name)
                if not value.isdigit() or int(value) < 1:
                    raise SettingError(f"--{name}={value!r}: expected a whole number above 0")
            if Path(opts.output).is_dir():
                raise SettingError(f"--output={opts.output!r}: a folder; give a file")
            check_writable(Path(opts.output).parent, "--output")
            if opts.site and not Path(opts.site).is_dir():
                raise SettingError(f"--site={opts.site!r}: no such folder (a Jekyll site)")
            self.database = opts.database or self.settings.get("DATABASE_URL") or DEFAULT_DATABASE_URL
            check_existing_database(self.database, "--database" if opts.database else "-s DATABASE_URL")
            check_settings(self.settings)
        except SettingError as exc:
            usage_error(str(exc))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None and self.crawler_process is not None
        loader = self.crawler_process.spider_loader
        spiders = {name: loader.load(name) for name in loader.list()}
        shown = make_url(self.database).render_as_string(hide_password=True)
        report = gather(
            engine_for(self.database),
            shown,
            days=int(opts.days),
            last_runs=int(opts.runs),
            limits=limits_for(self.settings, spiders),
        )
        page = render(report)
        targets = [Path(opts.output)] + ([Path(opts.site) / REPORT_NAME] if opts.site else [])
        for target in targets:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_suffix(".partial")
                partial.write_text(page, encoding="utf-8")
                partial.replace(target)  # a reader never sees half a report
            except OSError as error:
                sys.stderr.write(
                    f"error: the report could not be written to {target}: {error.strerror or error}\n"
                )
                self.exitcode = 1
                return
        sys.stderr.write(
            f"report of {sum(len(r) for r in report.runs.values())} runs of {len(report.runs)} spiders and "
            f"{sum(sum(d.values()) for d in report.per_day.values())} articles in {opts.days} days: "
            f"{', '.join(map(str, targets))}\n"
        )
