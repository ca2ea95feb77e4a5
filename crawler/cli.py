"""What the project's commands share that Scrapy would take for a command if it lived in crawler.commands."""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand
from scrapy.settings import SETTINGS_PRIORITIES


class QuietCommand(ScrapyCommand):
    """A command whose output is its result: Scrapy's log at its `default_settings` level (WARNING), which
    the project's LOG_LEVEL (INFO, for crawls) would otherwise override; -L or -s LOG_LEVEL still win."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if (self.settings.getpriority("LOG_LEVEL") or 0) < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", self.default_settings["LOG_LEVEL"], priority="cmdline")
