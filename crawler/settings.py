"""Scrapy settings: every value we set, each with a one-line why."""

BOT_NAME = "crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# Say who we are and where to reach us: the User-Agent names NEWS_CONTACT_URL (crawler.addons).
NEWS_CONTACT_URL = "https://github.com/korean-tech-news-crawler"

# Politeness: obey robots.txt, a few requests per site at once, adapt to the server's latency.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy starts this many workers for every response's output, one item or fifty: our pipelines are
# synchronous, so Scrapy's 100 were only overhead (100 asyncio tasks a page, 8% of a crawl's time).
CONCURRENT_ITEMS = 4
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Korean sites answer 429/503 under load: retry those (with the transient 5xx) a few times.
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_TIMEOUT = 30

# A scheduled run is bounded in time whatever happens.
CLOSESPIDER_TIMEOUT = 3600

# Raw fields are normalized, checked, deduplicated and held to -a max_items; the main image fetched (if asked); the article stored in the
# database and written as a Jekyll post; then remembered as stored (what makes the next run incremental).
ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 200,
    "pipelines.validate.ValidatePipeline": 300,
    "pipelines.dedup.DedupPipeline": 400,
    "pipelines.limit.MaxItemsPipeline": 450,
    "exports.images.MainImagePipeline": 500,
    "exports.sql.SqlPipeline": 600,
    "exports.jekyll.JekyllPipeline": 700,
    "pipelines.store.StorePipeline": 900,
}

DOWNLOADER_MIDDLEWARES = {
    # Skip articles already stored before they are requested (incremental runs).
    "crawler.middlewares.IncrementalMiddleware": 50,
    # robots.txt obeyed, and what it refused counted and named for the run's `robots` check.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsMiddleware": 100,
    # Image URLs come from scraped pages: none may reach the machine's own network.
    "crawler.middlewares.PublicAddressMiddleware": 60,
    # Retries that wait: Retry-After when the server gives one, else exponential backoff.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Scrapy's decompression, its refusals of oversized answers and decompression bombs counted.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.SizeLimitMiddleware": 590,
    # Scrapy's meta refresh, without decoding a whole page to read its head.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshMiddleware": 580,
    # Every response archived as it came from the downloader (crawler.archive), before decompression.
    "crawler.archive.ArchiveMiddleware": 950,
}
# A news page is well under 2 MB and a photo under 10: anything past 32 MB, sent or once decompressed, is
# refused (counted as news/refused/*); past 8 MB Scrapy warns.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# Images past this many pixels are refused before they are decoded (a decompression bomb in a small file).
NEWS_IMAGE_MAX_PIXELS = 40_000_000

# A summary and Spidermon's checks at the end of every run (a failed check: exit status 3); the final
# stats as JSON where -s NEWS_STATS_FILE=PATH asks for them; progress lines for long runs. RunMonitor
# comes before Spidermon: the checks read the summary it leaves in the stats at spider_closed.
EXTENSIONS = {
    "crawler.monitor.RunMonitor": 0,
    "crawler.monitor.Spidermon": 500,
    "crawler.extensions.StatsFile": 0,
    "crawler.extensions.Progress": 0,
    "crawler.extensions.CollectorPace": 0,
}
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["crawler.monitor.RunChecks"]
# Where `scrapy crawl` keeps its one-run-per-spider locks; progress every NEWS_PROGRESS_SECONDS.
NEWS_LOCK_DIR = "output/locks"
NEWS_PROGRESS_SECONDS = 60.0
# Python's cyclic garbage collector runs every this many new objects while a crawl runs (0: at Python's
# own pace, every 700; crawler.extensions.CollectorPace).
NEWS_GC_THRESHOLD = 10_000

# Replay of captured pages on a local server instead of the web (`-s NEWS_REPLAY_URL=http://127.0.0.1:PORT`).
NEWS_REPLAY_URL = None
# Backfills kept in a JOBDIR resume after SIGINT and after SIGKILL (crawler.scheduler).
# Distributed runs through scrapy-redis where NEWS_REDIS_URL (with NEWS_JOB) says so (crawler.distributed).
ADDONS = {
    "crawler.replay.ReplayAddon": 0,
    "crawler.addons.ContactAddon": 0,
    "crawler.addons.ResumableJobAddon": 0,
    "crawler.distributed.DistributedAddon": 0,
}
# Distributed runs: the shared Redis, one job id for all processes of a run (it keys the queue), and how
# long a process may go without a heartbeat before the others take back the requests it leased.
# The Naver Open API client of `naver_search` (or the environment variables of these names), and its
# default search words (`-a queries=…` gives others).
NEWS_NAVER_CLIENT_ID = None
NEWS_NAVER_CLIENT_SECRET = None
NEWS_NAVER_QUERIES = ["인공지능", "반도체", "클라우드", "사이버보안", "스타트업"]
NEWS_REDIS_URL = None
NEWS_JOB = None
NEWS_LEASE_SECONDS = 30.0
# Final stats as JSON, for tests and schedulers that read them (`-s NEWS_STATS_FILE=PATH`).
NEWS_STATS_FILE = None

# Run checks (crawler.monitor): share of article pages that must give an article, share of the usual count
# of article links, points a field may fall under its usual share, share of requests that may fail, and
# fixed floors per field (headline, body_text, date_published, authors, main_image), e.g. {"authors": 0.95}.
NEWS_MONITOR_EXTRACTED = 0.5
NEWS_MONITOR_ITEM_RATIO = 0.2
NEWS_MONITOR_COVERAGE_DROP = 0.25
NEWS_MONITOR_ERROR_RATE = 0.3
NEWS_MONITOR_COVERAGE: dict[str, float] = {}

# The database (SQLite file by default; postgresql+psycopg://… or mysql+pymysql://… in production),
# written NEWS_DB_BATCH articles per transaction, and asked "have I seen this article?" by the crawl.
DATABASE_URL = "sqlite:///output/news.sqlite3"
NEWS_DB_BATCH = 100
# A batch that fills slowly is written after this many seconds all the same: a crawl running beside this
# one, on another site, checks its duplicates against what is in the database.
NEWS_DB_FLUSH_SECONDS = 10.0
NEWS_STORE = "exports.sql.SqlStore"
# Articles published in the last NEWS_RECHECK_DAYS are fetched again once their copy is older than
# NEWS_RECHECK_HOURS, so corrections reach the database and the site.
NEWS_RECHECK_DAYS = 2.0
NEWS_RECHECK_HOURS = 6.0
# Read the stored URL keys once and ask the database only about known ones; turn off when several
# processes share the database, or each misses what the others store during its run.
NEWS_STORE_PREFILTER = True
# The near-duplicate index takes in what other crawls sharing the database stored, this often (seconds).
NEWS_DEDUP_REFRESH_SECONDS = 10.0
# A distributed crawl's near-duplicate index in Redis (NEWS_NEARDUP_REDIS_URL), under this key prefix,
# keeps the last NEWS_NEARDUP_REDIS_DAYS of articles: syndicated copies come within days.
NEWS_NEARDUP_REDIS_URL = None
NEWS_NEARDUP_REDIS_PREFIX = "news:neardup"
NEWS_NEARDUP_REDIS_DAYS = 30.0

# Every fetched response is kept as WARC here (empty: none), a new file begun past NEWS_WARC_MAX_MB;
# `scrapy reextract` reads them again.
NEWS_WARC_DIR = "output/warc"
NEWS_WARC_MAX_MB = 1024.0
# ISA-L's gzip level of each record, 0 to 3: 1 makes zlib level 1's files (50 MB a 1,000 articles) in a
# quarter of its time, 3 a twentieth smaller in 2.4 times 1's; the archive's thread shares the cores with the crawl.
NEWS_WARC_GZIP_LEVEL = 1

# The Jekyll site posts go to; full bodies or excerpts with a link; main images downloaded or remote.
NEWS_JEKYLL_SITE = "output/site"
NEWS_JEKYLL_BODY = "full"
NEWS_JEKYLL_IMAGES = "remote"
NEWS_JEKYLL_IMAGE_PREFIX = "/assets/img/news"
NEWS_JEKYLL_INCLUDE_DUPLICATES = False
# The site profile: posts take the shape of the site's own (../shared/corpus/jekyll-samples). The site's
# name and a Markdown feature_text with {site} and {lead}; the site's banner as every post's image ("" for
# the article's own photo); categories mapped from ours or the site's section, with a default; excerpts
# cut to N characters (0: whole); authors as names (Alembic) or as ids of _data/authors.yml ("chirpy").
NEWS_SITE_NAME = "뉴스다오"
NEWS_SITE_FEATURE_TEXT = "## {site} 실시간 뉴스 속보입니다.\n{lead}"
NEWS_SITE_IMAGE = "/assets/img/newsdao_breakingnews.jpg"
NEWS_SITE_CATEGORIES: dict[str, str] = {}
NEWS_SITE_DEFAULT_CATEGORY = "News"
NEWS_SITE_EXCERPT_CHARS = 0
NEWS_SITE_AUTHORS = "name"
# Listing pages read per listing and run (a backfill's own bound is higher, and it has no
# CLOSESPIDER_TIMEOUT); -a max_pages=N overrides both.
NEWS_MAX_PAGES = 50
NEWS_BACKFILL_MAX_PAGES = 2000
# Re-fetch stored articles to notice updates (-a refresh=1 for one run).
NEWS_REFRESH = False
# First wait before a retry, doubled each time, capped; Retry-After wins when present.
NEWS_RETRY_BACKOFF_BASE = 2.0
NEWS_RETRY_BACKOFF_MAX = 120.0

# What a usable article needs (pipelines.validate).
NEWS_MIN_BODY_CHARS = 100
NEWS_REQUIRE_DATE = True
NEWS_LANGUAGES = ["ko", "en"]

# Drops are counted per reason and judged by the run's checks; one log line each is for the INFO log, not
# for cron's mail (a healthy run prints nothing at WARNING).
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"

FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
