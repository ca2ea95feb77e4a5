"""MariaDB/MySQL keep fractional seconds (DATETIME(6)): a `date_modified` with milliseconds no longer
comes back changed on every fetch. `runs` gains `discovered` (article links the run found) and
`bounded` (a run limited on purpose by max_items or max_pages), which the item-count check reads.
`articles` gains `date_source`: where the publication date was read (jsonld, meta, htmldate, url…).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, nullable) of every timestamp.
TIMES = (
    ("articles", "date_published", True),
    ("articles", "date_modified", True),
    ("articles", "fetched_at", True),
    ("articles", "first_seen_at", False),
    ("articles", "updated_at", False),
    ("article_versions", "date_modified", True),
    ("article_versions", "fetched_at", True),
    ("article_versions", "replaced_at", False),
    ("near_duplicates", "detected_at", False),
    ("runs", "started_at", False),
    ("runs", "finished_at", True),
)


def _times(fsp: int | None) -> None:
    if op.get_bind().dialect.name not in {"mysql", "mariadb"}:
        return  # SQLite and PostgreSQL keep microseconds already
    for table, column, nullable in TIMES:
        op.alter_column(
            table,
            column,
            type_=mysql.DATETIME(fsp=fsp) if fsp else mysql.DATETIME(),
            existing_nullable=nullable,
        )


def upgrade() -> None:
    _times(6)
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_source", sa.String(length=16), nullable=True))
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("discovered", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("bounded", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("bounded")
        batch_op.drop_column("discovered")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("date_source")
    _times(None)
