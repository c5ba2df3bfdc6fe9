"""access: users, sensitivity marks, the read audit, the column a reference cites; the authors of an older
workspace become users

Revision ID: 0007_access
Revises: 0001_foundation
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007_access"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("access",)
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    users = op.create_table(
        "sabt_user",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("clearance", sa.String(16), nullable=False),
        sa.Column("groups", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision_id", _BIG_ID, nullable=True),
        sa.ForeignKeyConstraint(["revision_id"], ["revision.id"],
                                name=op.f("fk_sabt_user_revision_id_revision")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sabt_user")),
    )
    op.create_table(
        "sensitivity",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("groups", sa.Text(), nullable=False),
        sa.Column("revision_id", _BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(["revision_id"], ["revision.id"],
                                name=op.f("fk_sensitivity_revision_id_revision")),
        sa.PrimaryKeyConstraint("kind", "item", name=op.f("pk_sensitivity")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("item", sa.String(200), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_item"), ["item"], unique=False)

    # a statement drawn from a list cites the cell: row and column
    with op.batch_alter_table("reference", schema=None) as batch_op:
        batch_op.add_column(sa.Column("column_name", sa.Text(), nullable=True))

    # Every author an older workspace recorded becomes a user (an editor cleared for `internal`,
    # the level everything has after the upgrade), so revisions keep naming actors.
    bind = op.get_bind()
    authors = bind.execute(sa.text("SELECT DISTINCT author FROM revision")).scalars().all()
    now = datetime.now(UTC)
    names = sorted({str(a)[:64] for a in authors if a})
    if names:
        op.bulk_insert(users, [
            {"name": name, "display_name": name, "roles": "editor", "clearance": "internal",
             "groups": "", "active": True, "created_at": now, "revision_id": None}
            for name in names])


def downgrade() -> None:
    with op.batch_alter_table("reference", schema=None) as batch_op:
        batch_op.drop_column("column_name")
    op.drop_table("audit_log")
    op.drop_table("sensitivity")
    op.drop_table("sabt_user")
