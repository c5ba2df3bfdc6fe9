"""vault: stored items, hash-chained custody log, extraction suggestions

Revision ID: 0002_vault
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_vault"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("vault",)
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "vault_item",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("original_name", sa.Text(), nullable=False),
        sa.Column("collected_at", sa.String(40), nullable=False),
        sa.Column("collected_by", sa.String(200), nullable=False),
        sa.Column("origin_url", sa.Text(), nullable=True),
        sa.Column("capture_method", sa.String(64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("parent_sha256", sa.String(64), nullable=True),
        sa.Column("relation", sa.String(32), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("source_id", sa.String(64), nullable=True),
        sa.Column("text_sha256", sa.String(64), nullable=True),
        sa.Column("meta", sa.JSON(), nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["entity.id"],
                                name=op.f("fk_vault_item_source_id_entity")),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_vault_item")),
    )
    op.create_index(op.f("ix_vault_item_parent_sha256"), "vault_item", ["parent_sha256"])
    op.create_index(op.f("ix_vault_item_source_id"), "vault_item", ["source_id"])

    op.create_table(
        "custody_log",
        sa.Column("seq", _BIG_ID, autoincrement=False, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("item_sha256", sa.String(64), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_custody_log")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_custody_log_prev_hash")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_custody_log_entry_hash")),
    )
    op.create_index(op.f("ix_custody_log_item_sha256"), "custody_log", ["item_sha256"])

    op.create_table(
        "suggestion",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("item_sha256", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("statement_id", _BIG_ID, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["entity.id"],
                                name=op.f("fk_suggestion_source_id_entity")),
        sa.ForeignKeyConstraint(["statement_id"], ["statement.id"],
                                name=op.f("fk_suggestion_statement_id_statement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
        sa.UniqueConstraint("item_sha256", "kind", "char_start", "char_end",
                            name=op.f("uq_suggestion_item_sha256_kind_char_start_char_end")),
    )
    op.create_index(op.f("ix_suggestion_item_sha256"), "suggestion", ["item_sha256"])
    op.create_index(op.f("ix_suggestion_source_id"), "suggestion", ["source_id"])
    op.create_index(op.f("ix_suggestion_status"), "suggestion", ["status"])


def downgrade() -> None:
    op.drop_table("suggestion")
    op.drop_table("custody_log")
    op.drop_table("vault_item")
