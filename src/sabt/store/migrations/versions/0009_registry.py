"""registry: the hash-chained registry log and the notes its triggers take

The triggers themselves are installed (and existing rows pinned by a genesis entry) by
`sabt.store.registry.install` after every migration run, because the tables they watch belong
to other branches of the schema.

Revision ID: 0009_registry
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_registry"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("registry",)
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "registry_log",
        sa.Column("seq", BigId, autoincrement=False, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("item", sa.String(64), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_registry_log")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_registry_log_prev_hash")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_registry_log_entry_hash")),
    )
    op.create_table(
        "registry_dirty",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("txn", sa.BigInteger(), nullable=True),
        sa.Column("tbl", sa.String(64), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_dirty")),
    )


def downgrade() -> None:
    from sabt.store.registry import WATCHED

    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    for name in (n for n in WATCHED if n in present):
        for suffix in ("ins", "upd", "del"):
            trigger = f"registry_{name}_{suffix}"
            if bind.dialect.name == "postgresql":
                op.execute(f'DROP TRIGGER IF EXISTS {trigger} ON "{name}"')
                op.execute(f"DROP FUNCTION IF EXISTS {trigger}()")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_table("registry_dirty")
    op.drop_table("registry_log")
