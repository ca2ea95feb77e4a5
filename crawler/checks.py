"""Settings and arguments checked before a command starts work: what is wrong comes out as one line that
names the setting or argument, the value given and what is accepted (the commands print it as
`error: …` and exit with status 2, as for any usage error), never as a traceback from inside a crawl."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from crawler import settings as defaults

CHOICES = {
    "NEWS_JEKYLL_BODY": ("full", "excerpt"),
    "NEWS_JEKYLL_IMAGES": ("remote", "download"),
    "NEWS_SITE_AUTHORS": ("name", "chirpy"),
}
# Whole numbers within bounds.
RANGES = {"NEWS_WARC_GZIP_LEVEL": (0, 3)}
# Shares of something, between 0 and 1.
SHARES = {
    "NEWS_MONITOR_EXTRACTED",
    "NEWS_MONITOR_ITEM_RATIO",
    "NEWS_MONITOR_COVERAGE_DROP",
    "NEWS_MONITOR_ERROR_RATE",
}
# Numbers that may be 0 (it turns the feature off) but not negative.
NOT_NEGATIVE = {
    "NEWS_SITE_EXCERPT_CHARS",
    "NEWS_PROGRESS_SECONDS",
    "NEWS_GC_THRESHOLD",
    "NEWS_RECHECK_HOURS",
    "NEWS_RECHECK_DAYS",
    "NEWS_DB_FLUSH_SECONDS",
    "NEWS_DEDUP_REFRESH_SECONDS",
    "NEWS_NEARDUP_REDIS_DAYS",
    "NEWS_RETRY_BACKOFF_BASE",
    "NEWS_RETRY_BACKOFF_MAX",
}
# Scrapy's own settings the README tells operators to set, by type.
SCRAPY_NUMBERS = {
    "CLOSESPIDER_TIMEOUT": "getfloat",
    "CLOSESPIDER_ITEMCOUNT": "getint",
    "CLOSESPIDER_PAGECOUNT": "getint",
    "CONCURRENT_REQUESTS": "getint",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "getint",
    "DOWNLOAD_DELAY": "getfloat",
    "DOWNLOAD_TIMEOUT": "getfloat",
    "DOWNLOAD_MAXSIZE": "getint",
    "DOWNLOAD_WARNSIZE": "getint",
    "RETRY_TIMES": "getint",
}
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
# Counts and sizes that must be above zero.
POSITIVE = {
    "NEWS_DB_BATCH",
    "NEWS_MAX_PAGES",
    "NEWS_BACKFILL_MAX_PAGES",
    "NEWS_MIN_BODY_CHARS",
    "NEWS_IMAGE_MAX_PIXELS",
    "NEWS_LEASE_SECONDS",
    "NEWS_WARC_MAX_MB",
}
_KINDS = {
    bool: ("getbool", "True or False"),
    int: ("getint", "a whole number"),
    float: ("getfloat", "a number"),
    dict: ("getdict", "a JSON object"),
    list: ("getlist", "a list"),
}


class SettingError(ValueError):
    """A setting or argument a command cannot run with; its message is the one line to show."""


def usage_error(message: str) -> NoReturn:
    """The one line, and exit status 2, before Scrapy has logged anything."""
    sys.stderr.write(f"error: {message}\n")
    raise SystemExit(2)


def check_writable(folder: str | Path, option: str) -> None:
    """A folder that is there and writable, or can be made (its nearest existing parent is)."""
    path = Path(folder)
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise SettingError(f"{option}={str(folder)!r}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise SettingError(f"{option}={str(folder)!r}: {existing} cannot be written to")


def check_settings(settings: Any) -> None:
    """Every NEWS_* setting read as the type of its default in crawler/settings.py, within its range."""
    for name in sorted(n for n in dir(defaults) if n.startswith("NEWS_")):
        value = settings.get(name)
        default = getattr(defaults, name)
        if value is None or type(default) not in _KINDS:
            if name in CHOICES and value not in CHOICES[name]:
                raise SettingError(f"-s {name}={value!r}: use {' or '.join(map(repr, CHOICES[name]))}")
            continue
        getter, what = _KINDS[type(default)]
        try:
            typed = getattr(settings, getter)(name)
        except (ValueError, TypeError):
            raise SettingError(f"-s {name}={value!r}: expected {what}") from None
        if name in SHARES and not 0 <= typed <= 1:
            raise SettingError(f"-s {name}={value!r}: expected a share between 0 and 1")
        if name in POSITIVE and typed <= 0:
            raise SettingError(f"-s {name}={value!r}: expected a number above 0")
        if name in NOT_NEGATIVE and typed < 0:
            raise SettingError(f"-s {name}={value!r}: expected 0 or more")
        if name in RANGES and not RANGES[name][0] <= typed <= RANGES[name][1]:
            raise SettingError(f"-s {name}={value!r}: expected {RANGES[name][0]} to {RANGES[name][1]}")
    for name, getter in SCRAPY_NUMBERS.items():
        try:
            number = getattr(settings, getter)(name)
        except (ValueError, TypeError):
            raise SettingError(f"-s {name}={settings.get(name)!r}: expected a number") from None
        if number < 0:
            raise SettingError(f"-s {name}={settings.get(name)!r}: expected 0 or more")
    level = str(settings.get("LOG_LEVEL") or "INFO").upper()
    if level not in LOG_LEVELS and not level.isdigit():
        raise SettingError(f"-s LOG_LEVEL={settings.get('LOG_LEVEL')!r}: use {', '.join(LOG_LEVELS)}")
    if settings.get("NEWS_REDIS_URL") and not settings.get("NEWS_JOB"):
        raise SettingError(
            f"-s NEWS_REDIS_URL={settings.get('NEWS_REDIS_URL')!r} needs -s NEWS_JOB=… "
            "(one id for every process of the run)"
        )
    from crawler.monitor import Limits

    coverage = settings.getdict("NEWS_MONITOR_COVERAGE")
    if any(not isinstance(v, int | float) or not 0 <= v <= 1 for v in coverage.values()):
        raise SettingError(f"-s NEWS_MONITOR_COVERAGE={coverage!r}: floors are shares between 0 and 1")
    try:
        Limits.from_settings(settings)
    except ValueError as exc:
        raise SettingError(
            f"-s NEWS_MONITOR_COVERAGE={settings.get('NEWS_MONITOR_COVERAGE')!r}: {exc}"
        ) from None


def check_database(url: str, option: str = "-s DATABASE_URL") -> None:
    """A database URL SQLAlchemy can read, and a database that answers: a server, or a SQLite file (one
    that is not there yet is created on first use, so only its folder must be writable)."""
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except (ArgumentError, ValueError):
        raise SettingError(
            f"{option}={url!r}: not a database URL; use sqlite:///FILE, postgresql+psycopg://USER@HOST/DB "
            "or mysql+pymysql://USER@HOST/DB?charset=utf8mb4"
        ) from None
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return
        database = Path(parsed.database)
        check_writable(database.parent, option)
        if database.exists():
            _connect(url, option, {})  # a file that is not a SQLite database says so now
        return
    _connect(url, option, {"connect_timeout": 10})


def check_existing_database(url: str, option: str = "-s DATABASE_URL") -> None:
    """A database to read from: as `check_database`, and a SQLite file that is there (reading a typo
    would make an empty database and report nothing)."""
    check_database(url, option)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        raise SettingError(f"{option}={url!r}: no such database; a crawl makes it")


def _connect(url: str, option: str, connect_args: dict[str, Any]) -> None:
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        engine = create_engine(url, connect_args=connect_args)
    except ModuleNotFoundError as exc:
        raise SettingError(
            f"{option}={shown!r}: its driver is not installed ({exc.name}); see the README"
        ) from None
    except (ArgumentError, SQLAlchemyError):
        raise SettingError(
            f"{option}={shown!r}: not a database SQLAlchemy knows; use sqlite:///FILE, "
            "postgresql+psycopg://USER@HOST/DB or mysql+pymysql://USER@HOST/DB?charset=utf8mb4"
        ) from None
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA schema_version")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise SettingError(f"{option}={shown!r}: cannot connect ({reason})") from None
    finally:
        engine.dispose()
