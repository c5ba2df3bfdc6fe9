"""pg scale: link runs stored as deltas against the previous run

Revision ID: 0011_pg_scale
Revises: 0006_jsonb

`link_cluster_base` names the run a run's clusters are a delta against (runs stored before
this migration have no row: they are stored in full, and read as before).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_pg_scale"
down_revision: str | None = "0006_jsonb"
branch_labels: str | Sequence[str] | None = ("pg",)
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "link_cluster_base",
        sa.Column("run_id", _BIG_ID, nullable=False, autoincrement=False),
        sa.Column("base_run", _BIG_ID, nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["link_run.id"],
                                name=op.f("fk_link_cluster_base_run_id_link_run")),
        sa.ForeignKeyConstraint(["base_run"], ["link_run.id"],
                                name=op.f("fk_link_cluster_base_base_run_link_run")),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_link_cluster_base")),
    )


def downgrade() -> None:
    op.drop_table("link_cluster_base")
