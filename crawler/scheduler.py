"""Scrapy's scheduler, made safe to resume after a run that was killed rather than stopped.

Scrapy writes a JOBDIR's queue state only when a run closes, but appends to `requests.seen` as it goes.
After SIGKILL, an out-of-memory kill or a power cut, a resumed run would find the fingerprints of requests
whose queue entries were never saved and skip them for good: articles lost without a word. So a marker
stays in JOBDIR while a run is open; a run that finds it drops the request state, logs why, and
discovers again from the start, while the article store skips what the killed run already stored.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from scrapy.core.scheduler import Scheduler as ScrapyScheduler
from scrapy.utils.job import job_dir

logger = logging.getLogger(__name__)

RUNNING_MARKER = "news-run-open"


class Scheduler(ScrapyScheduler):
    @classmethod
    def from_crawler(cls, crawler: Any) -> Scheduler:
        jobdir = job_dir(crawler.settings)
        if jobdir and Path(jobdir, RUNNING_MARKER).exists():
            # Before super(): the dupefilter reads requests.seen as it is built.
            logger.warning(
                "The last run in JOBDIR %s did not close (killed?): its request queue is incomplete, so "
                "discovery starts again; articles it stored are skipped",
                jobdir,
            )
            shutil.rmtree(Path(jobdir, "requests.queue"), ignore_errors=True)
            Path(jobdir, "requests.seen").unlink(missing_ok=True)
            crawler.stats.set_value("news/jobdir/recovered_after_kill", 1)
        return super().from_crawler(crawler)

    def open(self, spider: Any) -> Any:
        if self.dqdir:
            Path(self.dqdir).parent.joinpath(RUNNING_MARKER).touch()
        return super().open(spider)

    def close(self, reason: str) -> Any:
        result = super().close(reason)
        if self.dqdir:
            Path(self.dqdir).parent.joinpath(RUNNING_MARKER).unlink(missing_ok=True)
        return result
