"""A fresh database per test on each backend: SQLite, and the PostgreSQL and MariaDB servers of the machine.

The servers run on their standard local ports (trust / empty-password auth). Where one is not running,
its tests are skipped on a developer's machine and fail in CI (CI=true), where `.ci/run` starts them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'news.sqlite3'}"
        yield url
        engine_for(url).dispose()
        return
    admin_url, template = SERVERS[request.param]
    name = f"news_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"{request.param} is not running in CI: {exc}")
        pytest.skip(f"{request.param} is not running here")
    url = template.format(db=name)
    try:
        yield url
    finally:
        engine_for(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()
