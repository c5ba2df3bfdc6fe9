"""memorial: corrections and missing names sent by visitors of the memorial

Revision ID: 0009_memorial
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_memorial"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("memorial",)
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "memorial_correction",
        sa.Column("id", _BIG_ID, autoincrement=False, nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=True),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memorial_correction")),
    )
    op.create_index(op.f("ix_memorial_correction_entity_id"), "memorial_correction",
                    ["entity_id"])
    op.create_index(op.f("ix_memorial_correction_status"), "memorial_correction", ["status"])


def downgrade() -> None:
    op.drop_table("memorial_correction")
