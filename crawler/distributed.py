"""Distributed crawling with scrapy-redis: several processes or machines share one request queue and one
request dupefilter in Redis, and one database (PostgreSQL), switched on by settings alone:

    scrapy crawl yna -s NEWS_REDIS_URL=redis://host:6379/0 -s NEWS_JOB=20240523T1200 \\
                     -s DATABASE_URL=postgresql+psycopg://news@host/news

Every process of one run gets the same NEWS_JOB; the queue and dupefilter keys carry it, so the next
run starts clean while this one's keys expire a day after it ends. What scrapy-redis 0.9 needed for
Scrapy 2.19 is in `Scheduler`: stats calls without the `spider` argument Scrapy dropped, and keys that
expire at close instead of being flushed, which would pull the shared queue from under the other
processes. Each process also fetches the spider's start pages itself, so that it begins with work. `IdleGrace` keeps an idle process up a few seconds, in case another one is about to enqueue
more; after that it closes, so scheduled jobs end.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler as RedisScheduler

logger = logging.getLogger(__name__)

KEY_TTL_SECONDS = 24 * 3600


class DistributedAddon:
    """Turns NEWS_REDIS_URL and NEWS_JOB into scrapy-redis settings; does nothing without NEWS_REDIS_URL."""

    def update_settings(self, settings: Any) -> None:
        url = settings.get("NEWS_REDIS_URL")
        if not url:
            return
        job = settings.get("NEWS_JOB")
        if not job:
            # Not NotConfigured: Scrapy would quietly drop the add-on and crawl alone.
            raise ValueError("NEWS_REDIS_URL needs NEWS_JOB: one id shared by every process of this run")
        for name, value in {
            "SCHEDULER": "crawler.distributed.Scheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "REDIS_URL": url,
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": f"%(spider)s:{job}:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"%(spider)s:{job}:dupefilter",
            # Other processes store articles during the run: ask the database every time.
            "NEWS_STORE_PREFILTER": False,
            "NEWS_NEARDUP_REDIS_URL": url,
        }.items():
            settings.set(name, value, priority="addon")
        # Not settings.set: the project's own EXTENSIONS outranks an add-on and would drop IdleGrace.
        settings.set_in_component_priority_dict("EXTENSIONS", IdleGrace, 0)


class Scheduler(RedisScheduler):
    """scrapy-redis's scheduler, fitted to Scrapy 2.19 and to runs that end."""

    def enqueue_request(self, request: Any) -> bool:
        seen = self.df.request_seen(request)
        # Start requests go in even when another process has them: a process that begins with nothing
        # to do would next look at the shared queue only at the engine's 5 s heartbeat.
        if seen and not request.dont_filter and not request.meta.get("is_start_request"):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Any:
        request = self.queue.pop(self.idle_before_close)
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason: str) -> None:
        for key in (self.queue.key, self.df.key):
            self.server.expire(key, KEY_TTL_SECONDS)


class IdleGrace:
    """Keeps an idle spider open NEWS_IDLE_GRACE_SECONDS after its last response, in case another
    process is about to fill the shared queue again; then lets it close."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.busy_at = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> IdleGrace:
        grace = cls(crawler.settings.getfloat("NEWS_IDLE_GRACE_SECONDS", 5))
        crawler.signals.connect(grace.response_received, signal=signals.response_received)
        crawler.signals.connect(grace.spider_idle, signal=signals.spider_idle)
        return grace

    def response_received(self) -> None:
        self.busy_at = time.monotonic()

    def spider_idle(self, spider: Any) -> None:
        if time.monotonic() - self.busy_at < self.grace:
            raise DontCloseSpider
