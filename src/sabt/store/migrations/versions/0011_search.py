"""search: the name index (keys of every label and name statement), filled from the record

Revision ID: 0011_search
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_search"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("search",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from sabt.store import name_index

    op.create_table(
        "name_index",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("key", "entity_id", name=op.f("pk_name_index")),
    )
    name_index.rebuild(op.get_bind())    # a workspace made before the index: index it now


def downgrade() -> None:
    op.drop_table("name_index")
