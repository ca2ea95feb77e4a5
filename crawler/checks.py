"""Settings and arguments checked before a command starts work: what is wrong comes out as one line that
names the setting or argument, the value given and what is accepted (the commands print it as
`error: …` and exit with status 2, as for any usage error), never as a traceback from inside a crawl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from crawler import settings as defaults

CHOICES = {
    "NEWS_JEKYLL_BODY": ("full", "excerpt"),
    "NEWS_JEKYLL_IMAGES": ("remote", "download"),
    "NEWS_SITE_AUTHORS": ("name", "chirpy"),
}
# Shares of something, between 0 and 1.
SHARES = {
    "NEWS_MONITOR_EXTRACTED",
    "NEWS_MONITOR_ITEM_RATIO",
    "NEWS_MONITOR_COVERAGE_DROP",
    "NEWS_MONITOR_ERROR_RATE",
}
# Counts and sizes that must be above zero.
POSITIVE = {
    "NEWS_DB_BATCH",
    "NEWS_MAX_PAGES",
    "NEWS_BACKFILL_MAX_PAGES",
    "NEWS_MIN_BODY_CHARS",
    "NEWS_IMAGE_MAX_PIXELS",
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
    from crawler.monitor import Limits

    try:
        Limits.from_settings(settings)
    except ValueError as exc:
        raise SettingError(
            f"-s NEWS_MONITOR_COVERAGE={settings.get('NEWS_MONITOR_COVERAGE')!r}: {exc}"
        ) from None


def check_database(url: str, option: str = "-s DATABASE_URL") -> None:
    """A database URL SQLAlchemy can read, and a server that answers (a SQLite file is created on first use,
    so only its folder must be possible)."""
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except (ArgumentError, ValueError):
        raise SettingError(
            f"{option}={url!r}: not a database URL; use sqlite:///FILE, postgresql+psycopg://USER@HOST/DB "
            "or mysql+pymysql://USER@HOST/DB?charset=utf8mb4"
        ) from None
    if backend == "sqlite":
        folder = Path(parsed.database or ".").parent
        existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
        if not existing.is_dir():
            raise SettingError(f"{option}={url!r}: {existing} is not a folder")
        return
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 10})
    except ModuleNotFoundError as exc:
        raise SettingError(
            f"{option}={url!r}: its driver is not installed ({exc.name}); see the README"
        ) from None
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise SettingError(f"{option}={url!r}: cannot connect ({reason})") from None
    finally:
        engine.dispose()
