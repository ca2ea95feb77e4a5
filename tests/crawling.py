"""The command line of a test crawl in its own process, as an operator would type it."""

from __future__ import annotations

import atexit
import os
import pty
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path


def crawl_command(spider: str, settings: Mapping[str, object], args: Iterable[str] = ()) -> list[str]:
    """A test that names no WARC folder archives into a temporary one, not the checkout's `output/warc`
    (a developer's own archive)."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in {"NEWS_WARC_DIR": scratch_warc(), **settings}.items():
        command += ["-s", f"{key}={value}"]
    for arg in args:
        command += ["-a", arg]
    return command


@cache
def scratch_warc() -> Path:
    """This test process's WARC folder for runs whose archive no test reads, removed when it exits."""
    folder = tempfile.mkdtemp(prefix="news-test-warc-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return Path(folder)


def on_a_terminal(command: list[str]) -> tuple[int, str]:
    """Runs a command with a pseudo-terminal for its stdin, stdout and stderr; its status and what it
    wrote, escape sequences included."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command, cwd=Path(__file__).parents[1], stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=300), shown.decode()
