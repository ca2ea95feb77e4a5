"""Distributed crawling with scrapy-redis: several processes or machines share one request queue and one
request dupefilter in Redis, and one database (PostgreSQL), switched on by settings alone:

    scrapy crawl yna -s NEWS_REDIS_URL=redis://host:6379/0 -s NEWS_JOB=20240523T1200 \\
                     -s DATABASE_URL=postgresql+psycopg://news@host/news

Every process of one job gets the same NEWS_JOB; the job's keys carry it, and expire a day after its
last process ends.

scrapy-redis pops a request off the shared queue with no acknowledgement, so whatever a killed process
had popped was gone, with every article it would have led to; neither scrapy-redis nor another
maintained Scrapy library keeps a popped request (scrapy-cluster re-yields failures only, and Scrapy
has no "request finished" hook: scrapy/scrapy#7978). So this module adds the reliable-queue pattern:

- A pop moves the request, in one Lua script, into the popping worker's lease hash. The worker
  refreshes a heartbeat key every third of NEWS_LEASE_SECONDS.
- A lease is released (acknowledged) once Scrapy has let go of its request, that is once its page and
  the items it gave have been through the spider and the pipelines (a weak reference says when), and the
  next database batch has committed those items. An idle worker has finished everything it leased.
- Any worker that finds a worker without a heartbeat puts that worker's leases back in the queue. A
  request fetched twice this way is harmless: the database's upsert makes it so.
- A worker closes only when the queue is empty and no live worker holds a lease (it could still find
  more work), so a job ends exactly when its work does.
- Each released lease adds its article's outcome to the job's tally: discovered article links against
  stored, dropped, skipped (stored before) and failed. The last worker to close judges the job; lost or
  unfinished work fails its run (`check=job`), and running the same NEWS_JOB again finishes it.
- A Redis that comes back empty (restarted without persistence) is noticed by the job's epoch key: the
  job starts discovery again from the start pages, walking listings past stored articles, while the
  workers keep the leases they hold.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
import weakref
from typing import Any

from redis import Redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

from crawler.items import article_adapter
from crawler.spiders.base import OUTCOME, SHARED_START
from exports.sql import batch_written

logger = logging.getLogger(__name__)

KEY_TTL_SECONDS = 24 * 3600
LEASE = "news_lease"  # request.meta: the lease a popped request holds
LINK = "news_link"  # request.meta: the article link (its fingerprint) a request and its retries answer for
OUTCOMES = ("stored", "dropped", "skipped", "failed")

# A Redis restart or a network blip is waited out (about 30 s in all) instead of failing the crawl.
REDIS_PARAMS = {
    "retry": Retry(ExponentialWithJitterBackoff(base=0.2, cap=4), retries=12),
    "retry_on_error": [RedisConnectionError, RedisTimeoutError],
    "socket_timeout": 30,
    "socket_connect_timeout": 10,
}

# KEYS: queue, this worker's leases; ARGV: lease token. The first request of the queue, leased.
POP = """
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return false end
redis.call('ZREM', KEYS[1], first[1])
redis.call('HSET', KEYS[2], ARGV[1], first[2] .. ' ' .. first[1])
return {first[1], first[2]}
"""
# KEYS: queue, the dead worker's leases, workers, tally; ARGV: the worker. Its leases, back in the queue.
RECOVER = """
local leases = redis.call('HVALS', KEYS[2])
for _, lease in ipairs(leases) do
  local space = string.find(lease, ' ', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(lease, 1, space - 1)), string.sub(lease, space + 1))
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('HINCRBY', KEYS[4], 'recovered', #leases)
return #leases
"""
# KEYS: dupefilter, queue, links; ARGV: fingerprint, score, request, filter (1/0), link, URL. Seen, queued
# and (for a new article link) recorded as waiting for its outcome, all or nothing: a process killed in
# between would leave a link marked seen that no queue holds.
ENQUEUE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 and ARGV[4] == '1' then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if ARGV[5] ~= '' then redis.call('HSETNX', KEYS[3], ARGV[5], 'q ' .. ARGV[6]) end
return 1
"""


def redis_client(url: str) -> Redis:
    """A client that waits out a restarting Redis, for every part of a distributed crawl."""
    return Redis.from_url(url, **REDIS_PARAMS)


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
            "REDIS_PARAMS": REDIS_PARAMS,
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": f"%(spider)s:{job}:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"%(spider)s:{job}:dupefilter",
            # Other processes store articles during the run: ask the database every time.
            "NEWS_STORE_PREFILTER": False,
            "NEWS_NEARDUP_REDIS_URL": url,
        }.items():
            settings.set(name, value, priority="addon")
        # Not settings.set: the project's own EXTENSIONS outranks an add-on. Before the run monitor (0),
        # which reads the job's verdict when the spider closes.
        settings.set_in_component_priority_dict("EXTENSIONS", Worker, -10)


class Job:
    """The Redis keys of one spider's job, and the scripts that move requests between them."""

    def __init__(self, server: Redis, spider: str, job: str) -> None:
        self.server: Any = server  # redis-py types replies as bytes | str; without decode_responses, bytes
        self.prefix = f"{spider}:{job}"
        self.queue = f"{self.prefix}:requests"
        self.dupefilter = f"{self.prefix}:dupefilter"
        self.workers = f"{self.prefix}:workers"
        self.tally = f"{self.prefix}:tally"
        # Article link (its request's fingerprint) → its outcome, or "q <URL>" while it has none.
        self.links = f"{self.prefix}:links"
        self.epoch = f"{self.prefix}:epoch"
        self._pop = server.register_script(POP)
        self._recover = server.register_script(RECOVER)
        self._enqueue = server.register_script(ENQUEUE)

    def leases(self, worker: str) -> str:
        return f"{self.prefix}:leases:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def shared_keys(self) -> list[str]:
        return [self.queue, self.dupefilter, self.workers, self.tally, self.links, self.epoch]

    def pop(self, worker: str, token: str) -> tuple[bytes, float] | None:
        found = self._pop(keys=[self.queue, self.leases(worker)], args=[token])
        return (found[0], float(found[1])) if found else None

    def enqueue(
        self, fingerprint: str, score: float, data: bytes, filtered: bool, link: str, url: str
    ) -> bool:
        keys = [self.dupefilter, self.queue, self.links]
        return bool(self._enqueue(keys=keys, args=[fingerprint, score, data, int(filtered), link, url]))

    def recover(self, worker: str) -> int:
        return int(
            self._recover(keys=[self.queue, self.leases(worker), self.workers, self.tally], args=[worker])
        )

    def holders(self) -> set[str]:
        """Every worker that holds leases or says it is there: the registered ones, and any whose lease
        hash outlived its registration (taken for dead while it was only slow, say)."""
        registered = {w.decode() for w in self.server.smembers(self.workers)}
        mark = f"{self.prefix}:leases:"
        leasing = {k.decode()[len(mark) :] for k in self.server.scan_iter(match=f"{mark}*", count=1000)}
        return registered | leasing

    def pending(self, besides: str | None = None) -> int:
        """Requests queued, or leased by any worker but `besides`: the job's unfinished work."""
        workers = [w for w in self.holders() if w != besides]
        with self.server.pipeline(transaction=False) as pipe:
            pipe.zcard(self.queue)
            for worker in workers:
                pipe.hlen(self.leases(worker))
            return sum(pipe.execute())

    def outcomes(self) -> tuple[dict[str, int], list[str]]:
        """How many article links have each outcome ("q" for none yet), and some of those without one."""
        counts: dict[str, int] = {}
        waiting: list[str] = []
        for _, value in self.server.hscan_iter(self.links, count=1000):
            text = value.decode()
            kind = "q" if text.startswith("q ") else text
            counts[kind] = counts.get(kind, 0) + 1
            if kind == "q" and len(waiting) < 3:
                waiting.append(text[2:])
        return counts, waiting


class Worker:
    """One process of a distributed job: its heartbeat, its leases, the recovery of dead workers' leases,
    when it may close, and, for the last one, the job's verdict (stats `news/job/*`, judged by the
    monitor's `job` check)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.lease_seconds = crawler.settings.getfloat("NEWS_LEASE_SECONDS", 30)
        self.id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.job: Job | None = None
        self.epoch: Any = None
        self.tokens = 0
        # Lease token -> (score, encoded request, the request's meta): what this worker holds.
        self.held: dict[str, tuple[float, bytes, dict[str, Any]]] = {}
        self.finished: set[str] = set()  # let go of by Scrapy, released after the next committed batch
        self.articles: dict[str, str] = {}  # lease token → URL of the article its page gave
        self.unwritten: set[str] = set()  # leases whose article the database refused: redone, not released
        self.heartbeat = task.LoopingCall(self.beat)
        self.outage = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> Worker:
        worker = cls(crawler)
        crawler.signals.connect(worker.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(worker.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(worker.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(worker.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(worker.item_error, signal=signals.item_error)
        crawler.signals.connect(worker.spider_error, signal=signals.spider_error)
        crawler.signals.connect(worker.batch_written, signal=batch_written)
        return worker

    # -- the job ---------------------------------------------------------------------------------------

    def open(self, job: Job) -> None:
        """Called by the scheduler, which owns the connection: joins the job and recovers what workers
        that died before this one left leased."""
        self.job = job
        server = job.server
        with server.pipeline() as pipe:
            for key in job.shared_keys():
                pipe.persist(key)  # a job run again within the day of its last run's expiry
            pipe.execute()
        server.set(job.epoch, uuid.uuid4().hex, nx=True)
        self.epoch = server.get(job.epoch)
        self.beat()
        self.recover_dead()

    def spider_opened(self, spider: Any) -> None:
        self.resume_lost(spider)
        self.heartbeat.start(self.lease_seconds / 3, now=False)
        # Connected now, after the pipelines' own: the database writer flushes its batch on idle first.
        self.crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    def resume_lost(self, spider: Any) -> None:
        """Article links of this job that have no outcome while nothing is queued or leased were lost (by
        a worker, or a Redis, that failed between steps): asked for again, past the dupefilter."""
        assert self.job is not None
        if self.job.pending() or not hasattr(spider, "article_request"):
            return
        lost = [
            (link.decode(), value.decode()[2:])
            for link, value in self.job.server.hscan_iter(self.job.links, count=1000)
            if value.startswith(b"q ")
        ]
        for link, url in lost:
            request = spider.article_request(url).replace(dont_filter=True)
            request.meta[LINK] = link
            self.crawler.engine.crawl(request)
        if lost:
            logger.warning(
                "Job %s: %d article links had no outcome; asked for again", self.job.prefix, len(lost)
            )
            self.stats.set_value("news/job/resumed_lost", len(lost))

    def beat(self) -> None:
        """Says this worker is alive, and notices a Redis that lost the job. A Redis it cannot reach (past
        the client's retries) is logged once per outage: the beat goes on, and a lease taken for dead
        meanwhile is recovered (a page fetched twice is harmless)."""
        assert self.job is not None
        server = self.job.server
        try:
            with server.pipeline() as pipe:
                pipe.set(self.job.alive(self.id), 1, px=int(self.lease_seconds * 1000))
                pipe.sadd(self.job.workers, self.id)
                pipe.get(self.job.epoch)
                # Leases nobody recovers (every worker died, no rerun) do not stay in Redis for good.
                pipe.expire(self.job.leases(self.id), KEY_TTL_SECONDS)
                epoch = pipe.execute()[2]
            if epoch != self.epoch:
                self.state_lost()
        except RedisError as error:
            self.stats.inc_value("news/job/redis_errors")
            if not self.outage:
                logger.error("Redis does not answer this worker's heartbeat (%s); it goes on trying", error)
            self.outage = True
            return
        if self.outage:
            logger.warning("Redis answers this worker's heartbeat again")
        self.outage = False

    def state_lost(self) -> None:
        """Redis forgot the job (restarted without persistence, or flushed): the queue and the
        dupefilter are gone. This worker's leases go back, and the first worker to notice starts
        discovery again, walking listings past stored articles; what is stored is skipped."""
        assert self.job is not None
        server = self.job.server
        first = server.set(self.job.epoch, uuid.uuid4().hex, nx=True)
        self.epoch = server.get(self.job.epoch)
        self.stats.inc_value("news/job/state_lost")
        if self.held:
            server.hset(
                self.job.leases(self.id), mapping={t: b"%g %s" % (s, d) for t, (s, d, _) in self.held.items()}
            )
        server.sadd(self.job.workers, self.id)
        server.hset(self.job.tally, "state_lost", 1)
        logger.warning(
            "Redis lost the state of job %s (restarted?): %s",
            self.job.prefix,
            "discovery starts again from the start pages" if first else "another worker restarts discovery",
        )
        if first:
            for request in self.crawler.spider.rediscover_requests():
                self.crawler.engine.crawl(request)

    def others(self) -> tuple[list[str], list[str]]:
        """The job's other workers: those with a heartbeat, and those without (their leases are taken back)."""
        assert self.job is not None
        server = self.job.server
        workers = sorted(self.job.holders() - {self.id})
        with server.pipeline(transaction=False) as pipe:
            for worker in workers:
                pipe.exists(self.job.alive(worker))
            alive = pipe.execute() if workers else []
        return (
            [worker for worker, up in zip(workers, alive, strict=True) if up],
            [worker for worker, up in zip(workers, alive, strict=True) if not up],
        )

    def recover_dead(self) -> int:
        """Puts back in the queue the leases of every worker whose heartbeat stopped."""
        assert self.job is not None
        recovered = 0
        for worker in self.others()[1]:
            count = self.job.recover(worker)
            if count:
                logger.warning("Worker %s stopped with %d requests leased: back in the queue", worker, count)
            recovered += count
        self.stats.inc_value("news/job/recovered", recovered)
        return recovered

    # -- leases ----------------------------------------------------------------------------------------

    def lease(self, encoded: bytes, score: float, request: Request) -> None:
        """Called by the scheduler for each request it pops (leased by `Job.pop` under `token`)."""
        token = request.meta[LEASE]
        self.held[token] = (score, encoded, request.meta)
        # Scrapy lets go of a request when it is done with it: its page, callback and items.
        weakref.finalize(request, self.let_go, token)

    def let_go(self, token: str) -> None:
        if token in self.held:
            self.finished.add(token)

    def next_token(self) -> str:
        self.tokens += 1
        return str(self.tokens)

    def batch_written(self, failed: Any = ()) -> None:
        """The database writer committed a batch: every item of a finished request has passed it by now.
        A request whose article it refused stays leased (to be redone), not released."""
        refused = set(failed)
        if refused:
            self.unwritten |= {t for t, url in self.articles.items() if url in refused}
        self.release([t for t in self.finished if t not in self.unwritten])

    def release(self, tokens: list[str]) -> None:
        """Releases these leases, recording the outcome of each article link among them."""
        if self.job is None:
            return
        done = [t for t in tokens if t in self.held and t not in self.unwritten]
        self.finished.difference_update(tokens)
        if not done:
            return
        outcomes: dict[str, str] = {}
        for token in done:
            meta = self.held[token][2]
            if meta.get(LINK) and meta.get(OUTCOME):
                outcomes[meta[LINK]] = meta[OUTCOME]
        with self.job.server.pipeline() as pipe:
            pipe.hdel(self.job.leases(self.id), *done)
            if outcomes:
                pipe.hset(self.job.links, mapping=outcomes)
            pipe.execute()
        for token in done:
            del self.held[token]
            self.articles.pop(token, None)
        self.stats.inc_value("news/job/released", len(done))

    def merged(self, request: Request) -> None:
        """A redirect or retry of an article request that the dupefilter refused: its link is known."""
        origin = self.held.get(request.meta.get(LEASE, ""))
        if origin is not None and request.meta.get("news_article"):
            origin[2][OUTCOME] = "dropped"

    def item_scraped(self, item: Any, response: Any) -> None:
        self._outcome(response, "stored")
        request = getattr(response, "request", None)
        article = article_adapter(item)
        if request is not None and request.meta.get(LEASE) and article is not None:
            self.articles[request.meta[LEASE]] = article["url"]

    def item_dropped(self, item: Any, response: Any, exception: Any) -> None:
        self._outcome(response, "dropped")

    def item_error(self, item: Any, response: Any, failure: Any) -> None:
        self._outcome(response, "failed")

    def spider_error(self, failure: Any, response: Any, spider: Any) -> None:
        self._outcome(response, "failed")  # a callback that raised: counted, not lost

    def _outcome(self, response: Any, outcome: str) -> None:
        request = getattr(response, "request", None)
        if request is not None and request.meta.get("news_article"):
            request.meta[OUTCOME] = outcome

    # -- the end ---------------------------------------------------------------------------------------

    def spider_idle(self, spider: Any) -> None:
        # A Redis that lost the job says so first: its empty queue is not the end of the work.
        self.beat()
        # Idle: every request this worker leased is through, and the writer has just committed.
        self.release(list(self.held))
        self.recover_dead()
        assert self.job is not None
        # This worker's own leases left are articles the database refused: they go back when it closes.
        if self.job.pending(besides=self.id):
            raise DontCloseSpider  # queued work, or live workers that may queue more

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.job is None:
            return
        if self.heartbeat.running:
            self.heartbeat.stop()
        self.beat()
        server = self.job.server
        if reason == "finished":
            self.release(list(self.held))
        if self.held:
            # Stopped early (Ctrl-C, a time limit), or articles the database refused: back to the queue.
            if self.unwritten:
                logger.warning(
                    "%d articles the database refused go back to the job's queue: the same command with the "
                    "same NEWS_JOB tries them again",
                    len(self.unwritten),
                )
            self.recover_own()
        with server.pipeline() as pipe:
            pipe.delete(self.job.alive(self.id))
            pipe.srem(self.job.workers, self.id)
            pipe.execute()
        others = self.others()[0]
        pending = self.job.pending()
        tally = {k.decode(): int(v) for k, v in server.hgetall(self.job.tally).items()}
        counts, waiting = self.job.outcomes()
        for key in (*self.job.shared_keys(), self.job.leases(self.id)):
            server.expire(key, KEY_TTL_SECONDS)
        self.stats.set_value("news/job/id", self.job.prefix)
        if others:
            logger.info("Job %s goes on in %d other worker(s)", self.job.prefix, len(others))
            return
        unsettled = counts.get("q", 0)
        verdict = {
            "discovered": sum(counts.values()),
            **{o: counts.get(o, 0) for o in OUTCOMES},
            "recovered": tally.get("recovered", 0),
            "pending": pending,
            # Links with no outcome when nothing is left to do: lost (listed, a few of them, in `waiting`).
            "lost": 0 if pending else unsettled,
            "waiting": waiting if unsettled and not pending else [],
            "state_lost": bool(tally.get("state_lost")),
        }
        self.stats.set_value("news/job/verdict", verdict)
        logger.info("Job %s ends: %s", self.job.prefix, verdict)

    def recover_own(self) -> None:
        assert self.job is not None
        self.job.recover(self.id)
        self.held.clear()
        self.unwritten.clear()


class Scheduler(RedisScheduler):
    """scrapy-redis's scheduler, fitted to Scrapy 2.19 and to jobs that must not lose a request: every pop
    is a lease of the process's `Worker`, and a request is marked seen and queued in one step."""

    worker: Worker
    job_id: str
    job: Job

    @classmethod
    def from_crawler(cls, crawler: Any) -> Scheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.worker = next(ext for ext in crawler.extensions.middlewares if isinstance(ext, Worker))
        scheduler.job_id = crawler.settings.get("NEWS_JOB")
        return scheduler

    def open(self, spider: Any) -> None:
        # Not super().open(): it logs through Spider.log(), which Scrapy 2.19 deprecates with a warning.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        self.df = load_object(self.dupefilter_cls).from_spider(spider)
        self.job = Job(self.server, spider.name, self.job_id)
        if len(self.queue):
            logger.info("Job %s resumes: %d requests queued", self.job.prefix, len(self.queue))
        self.worker.open(self.job)

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = self.df.request_fingerprint(request)
        # Start requests go in even when another process has them: a process that begins with nothing
        # to do would next look at the shared queue only at the engine's 5 s heartbeat. Not the start
        # requests that are work in themselves (a WARC file): one process takes each.
        filtered = not request.dont_filter and (
            not request.meta.get("is_start_request") or bool(request.meta.get(SHARED_START))
        )
        continuation = "retry_times" in request.meta or "redirect_urls" in request.meta
        link = ""
        if request.meta.get("news_article") and not continuation and LINK not in request.meta:
            request.meta[LINK] = link = fingerprint  # the link this request and its retries answer for
        if not self.job.enqueue(
            fingerprint, -request.priority, self.queue._encode_request(request), filtered, link, request.url
        ):
            self.df.log(request, self.spider)
            if continuation:
                self.worker.merged(request)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        token = self.worker.next_token()
        found = self.job.pop(self.worker.id, token)
        if found is None:
            return None
        encoded, score = found
        request = self.queue._decode_request(encoded)
        request.meta[LEASE] = token
        self.worker.lease(encoded, score, request)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason: str) -> None:
        """Keys expire (in `Worker.spider_closed`) instead of being flushed, which would pull the shared
        queue from under the other processes."""
