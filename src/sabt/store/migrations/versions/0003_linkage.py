"""linkage: imported lists, list records, link runs, pairs, clusters, persons, review decisions

Revision ID: 0003_linkage
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_linkage"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("linkage",)
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ENTITY = sa.String(64)


def _fk(col: str, table: str, target: str, ref: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{target}.{ref}"],
                                   name=op.f(f"fk_{table}_{col}_{target}"))


def upgrade() -> None:
    op.create_table(
        "list_import",
        sa.Column("source_id", _ENTITY, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("n_records", sa.Integer(), nullable=False),
        sa.Column("n_warnings", sa.Integer(), nullable=False),
        sa.Column("duplicate_free", sa.Boolean(), nullable=False),
        sa.Column("revision_id", _BIG_ID, nullable=False),
        _fk("source_id", "list_import", "entity", "id"),
        _fk("revision_id", "list_import", "revision", "id"),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_list_import")),
        sa.UniqueConstraint("name", name=op.f("uq_list_import_name")),
        sa.UniqueConstraint("sha256", name=op.f("uq_list_import_sha256")),
    )
    op.create_table(
        "list_record",
        sa.Column("id", _BIG_ID, autoincrement=False, nullable=False),
        sa.Column("source_id", _ENTITY, nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        _fk("source_id", "list_record", "entity", "id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_record")),
        sa.UniqueConstraint("source_id", "row_number",
                            name=op.f("uq_list_record_source_id_row_number")),
    )
    op.create_index(op.f("ix_list_record_source_id"), "list_record", ["source_id"])
    op.create_table(
        "link_run",
        sa.Column("id", _BIG_ID, autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("software_version", sa.String(64), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("revision_id", _BIG_ID, nullable=False),
        _fk("revision_id", "link_run", "revision", "id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_run")),
    )
    op.create_table(
        "link_pair",
        sa.Column("run_id", _BIG_ID, nullable=False),
        sa.Column("record_l", _BIG_ID, nullable=False),
        sa.Column("record_r", _BIG_ID, nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        _fk("run_id", "link_pair", "link_run", "id"),
        _fk("record_l", "link_pair", "list_record", "id"),
        _fk("record_r", "link_pair", "list_record", "id"),
        sa.PrimaryKeyConstraint("run_id", "record_l", "record_r", name=op.f("pk_link_pair")),
    )
    op.create_index("ix_link_pair_run_probability", "link_pair", ["run_id", "probability"])
    op.create_table(
        "link_cluster",
        sa.Column("run_id", _BIG_ID, nullable=False),
        sa.Column("record_id", _BIG_ID, nullable=False),
        sa.Column("cluster", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("person_id", _ENTITY, nullable=False),
        _fk("run_id", "link_cluster", "link_run", "id"),
        _fk("record_id", "link_cluster", "list_record", "id"),
        _fk("person_id", "link_cluster", "entity", "id"),
        sa.PrimaryKeyConstraint("run_id", "record_id", name=op.f("pk_link_cluster")),
    )
    op.create_index(op.f("ix_link_cluster_person_id"), "link_cluster", ["person_id"])
    op.create_table(
        "person_record",
        sa.Column("record_id", _BIG_ID, nullable=False),
        sa.Column("person_id", _ENTITY, nullable=False),
        sa.Column("statement_ids", sa.JSON(), nullable=False),
        _fk("record_id", "person_record", "list_record", "id"),
        _fk("person_id", "person_record", "entity", "id"),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_person_record")),
    )
    op.create_index(op.f("ix_person_record_person_id"), "person_record", ["person_id"])
    op.create_table(
        "review_decision",
        sa.Column("id", _BIG_ID, autoincrement=False, nullable=False),
        sa.Column("record_l", _BIG_ID, nullable=False),
        sa.Column("record_r", _BIG_ID, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(200), nullable=True),
        _fk("record_l", "review_decision", "list_record", "id"),
        _fk("record_r", "review_decision", "list_record", "id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decision")),
    )
    op.create_index("ix_review_decision_pair", "review_decision", ["record_l", "record_r"])


def downgrade() -> None:
    for table in ("review_decision", "person_record", "link_cluster", "link_pair", "link_run",
                  "list_record", "list_import"):
        op.drop_table(table)
