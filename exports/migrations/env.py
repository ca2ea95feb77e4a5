"""Alembic environment: runs on the connection the crawler hands over, or on the URL given."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from exports.models import Base
from exports.sql import DEFAULT_DATABASE_URL

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )
    engine = create_engine(url)
    with engine.connect() as owned:
        context.configure(connection=owned, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
