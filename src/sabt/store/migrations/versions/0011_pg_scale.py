"""pg scale: link runs stored as deltas, the name-key index for search

Revision ID: 0011_pg_scale
Revises: 0006_jsonb

`link_cluster_base` names the run a run's clusters are a delta against (runs stored before
this migration have no row: they are stored in full, and read as before). `name_key` is the
search's index of name keys (`name_key_revision`: the revisions it holds), filled by the first
search after the upgrade; `revision_id` of entities and statements is indexed so that it finds
what each revision wrote.
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
    op.create_table(
        "name_key",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("key", "entity_id", name=op.f("pk_name_key")),
    )
    op.create_index("ix_name_key_entity_id", "name_key", ["entity_id"])
    op.create_table(
        "name_key_revision",
        sa.Column("revision_id", _BIG_ID, nullable=False, autoincrement=False),
        sa.PrimaryKeyConstraint("revision_id", name=op.f("pk_name_key_revision")),
    )
    op.create_index(op.f("ix_entity_revision_id"), "entity", ["revision_id"])
    op.create_index(op.f("ix_statement_revision_id"), "statement", ["revision_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_statement_revision_id"), table_name="statement")
    op.drop_index(op.f("ix_entity_revision_id"), table_name="entity")
    op.drop_table("name_key_revision")
    op.drop_index("ix_name_key_entity_id", table_name="name_key")
    op.drop_table("name_key")
    op.drop_table("link_cluster_base")
