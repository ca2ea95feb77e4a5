"""`crawl_runs` becomes `runs`, with the run summary in columns an analyst can query: kind (scheduled or
backfill), articles, duplicate, near_duplicate, dropped and failed (JSON, by reason and by status), pages,
field coverage (JSON) and seconds. Earlier rows get them from the summary their stats kept.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("articles", "duplicate", "near_duplicate", "pages")
MAPS = ("dropped", "failed", "coverage")


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_crawl_runs_spider")
    op.rename_table("crawl_runs", "runs")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_spider", ["spider"], unique=False)
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=True))
        for name in COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        for name in MAPS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("seconds", sa.Float(), nullable=True))

    runs = sa.table(
        "runs",
        sa.column("id", sa.Integer()),
        sa.column("stats", sa.JSON()),
        sa.column("kind", sa.String()),
        sa.column("seconds", sa.Float()),
        *(sa.column(name, sa.Integer()) for name in COUNTS),
        *(sa.column(name, sa.JSON()) for name in MAPS),
    )
    connection = op.get_bind()
    for run_id, stats in connection.execute(sa.select(runs.c.id, runs.c.stats)).all():
        summary = (stats or {}).get("news/summary")
        if not summary:
            continue
        values = {name: summary.get(name) for name in (*COUNTS, *MAPS, "seconds")}
        connection.execute(
            sa.update(runs).where(runs.c.id == run_id).values(kind=stats.get("news/run_kind"), **values)
        )


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_spider")
        for name in ("kind", *COUNTS, *MAPS, "seconds"):
            batch_op.drop_column(name)
    op.rename_table("runs", "crawl_runs")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.create_index("ix_crawl_runs_spider", ["spider"], unique=False)
