"""crawler/settings.py holds every value we set: each NEWS_* setting the code reads has its default
there, and the README's benchmark commands run as written."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import settings
from crawler.extensions import CollectorPace

ROOT = Path(__file__).parents[1]
READ = re.compile(r"""["'](NEWS_[A-Z_]+)["']""")


def test_every_news_setting_the_code_reads_is_in_the_settings_file() -> None:
    read = {
        name
        for folder in ("crawler", "pipelines", "exports")
        for path in (ROOT / folder).rglob("*.py")
        for name in READ.findall(path.read_text(encoding="utf-8"))
    }
    assert len(read) > 30
    assert sorted(name for name in read if not hasattr(settings, name)) == []


BENCH_COMMANDS = re.findall(r"^\| `(python -m bench\.\w+)` \|", (ROOT / "README.md").read_text(), re.M)


def test_the_readme_lists_every_benchmark() -> None:
    assert sorted(c.rsplit(".", 1)[1] for c in BENCH_COMMANDS) == sorted(
        p.stem for p in (ROOT / "bench").glob("*.py") if "--json" in p.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("command", BENCH_COMMANDS)
def test_each_benchmark_starts_as_the_readme_says(command: str) -> None:
    done = subprocess.run(
        [sys.executable, *command.split()[1:], "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--json" in done.stdout


def test_each_default_has_the_type_the_code_reads_it_as() -> None:
    """crawler.checks reads a setting as its default's type: a float read from an int default would
    refuse `-s NEWS_PROGRESS_SECONDS=0.5`."""
    read_as = re.compile(r"""get(float|int|bool)\(\s*["'](NEWS_[A-Z_]+)["']""")
    kinds = {"float": float, "int": int, "bool": bool}
    found = {
        (name, kind)
        for folder in ("crawler", "pipelines", "exports")
        for path in (ROOT / folder).rglob("*.py")
        for kind, name in read_as.findall(path.read_text(encoding="utf-8"))
    }
    assert found and [(n, k) for n, k in sorted(found) if type(getattr(settings, n)) is not kinds[k]] == []


def test_the_collector_runs_less_often_while_crawlers_run_and_as_before_after() -> None:
    """NEWS_GC_THRESHOLD: set when the first engine starts, Python's own pace back when the last stops."""
    before = gc.get_threshold()
    first = get_crawler(settings_dict={"NEWS_GC_THRESHOLD": 25_000})
    second = get_crawler(settings_dict={"NEWS_GC_THRESHOLD": 25_000})
    _held = [CollectorPace.from_crawler(c) for c in (first, second)]  # signals hold receivers weakly
    try:
        for crawler in (first, second):
            crawler.signals.send_catch_log(signals.engine_started)
        assert gc.get_threshold() == (25_000, *before[1:])
        first.signals.send_catch_log(signals.engine_stopped)
        assert gc.get_threshold()[0] == 25_000  # the second crawl still runs
        second.signals.send_catch_log(signals.engine_stopped)
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*before)
    with pytest.raises(NotConfigured):
        CollectorPace.from_crawler(get_crawler(settings_dict={"NEWS_GC_THRESHOLD": 0}))


def test_pages_of_one_article_take_few_item_workers_and_a_warc_file_of_articles_many() -> None:
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.ccnews import CcnewsSpider
    from crawler.spiders.yna import YnaSpider

    for spider, workers in ((YnaSpider, 4), (CcnewsSpider, 100)):
        settings = get_project_settings()
        spider.update_settings(settings)
        assert settings.getint("CONCURRENT_ITEMS") == workers
