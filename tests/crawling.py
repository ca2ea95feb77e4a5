"""The command line of a test crawl in its own process, as an operator would type it."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping


def crawl_command(spider: str, settings: Mapping[str, object], args: Iterable[str] = ()) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    for arg in args:
        command += ["-a", arg]
    return command
