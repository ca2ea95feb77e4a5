"""A fresh database per test on each backend: SQLite, and the PostgreSQL and MariaDB servers of the machine.

The servers run on their standard local ports (trust / empty-password auth). Where one is not running,
its tests are skipped on a developer's machine and fail in CI (CI=true), where `.ci/run` starts them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from exports.sql import engine_for

SERVERS = {
    "postgresql": (
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        "postgresql+psycopg://postgres@127.0.0.1:5432/{db}",
    ),
    "mariadb": (
        "mysql+pymysql://root@127.0.0.1:3306/",
        "mysql+pymysql://root@127.0.0.1:3306/{db}?charset=utf8mb4",
    ),
}


@contextmanager
def server_database(kind: str) -> Iterator[str]:
    """A fresh database on the machine's PostgreSQL or MariaDB, dropped afterwards."""
    admin_url, template = SERVERS[kind]
    name = f"news_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"{kind} is not running in CI: {exc}")
        pytest.skip(f"{kind} is not running here")
    url = template.format(db=name)
    try:
        yield url
    finally:
        engine_for(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'news.sqlite3'}"
        yield url
        engine_for(url).dispose()
        return
    with server_database(request.param) as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with server_database("postgresql") as url:
        yield url


@pytest.fixture
def redis_url() -> str:
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not running in CI: {exc}")
        pytest.skip("Redis is not running here")
    return url


@pytest.fixture
def redis_index():
    import os
    import uuid

    import redis

    from pipelines.neardup import RedisNearDuplicateIndex

    client = redis.Redis(host="127.0.0.1", port=6379)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not running in CI: {exc}")
        pytest.skip("Redis is not running here")
    prefix = f"test:neardup:{uuid.uuid4().hex[:8]}"
    yield lambda: RedisNearDuplicateIndex(redis.Redis(host="127.0.0.1", port=6379), prefix)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
