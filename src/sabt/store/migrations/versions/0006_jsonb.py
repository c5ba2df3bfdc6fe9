"""jsonb: every JSON column becomes JSONB on PostgreSQL (SQLite keeps its JSON text)

Revision ID: 0006_jsonb
Revises: 0002_vault, 0003_linkage, 0004_claims (it alters their tables, so it joins them)
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_jsonb"
down_revision: str | Sequence[str] | None = ("0002_vault", "0003_linkage", "0004_claims")
branch_labels: str | Sequence[str] | None = ("jsonb",)
depends_on: str | Sequence[str] | None = None

# Every JSON column, by table (`sabt.store.schema.Json`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "statement": ("qualifiers",),
    "vault_item": ("meta",),
    "suggestion": ("payload",),
    "list_import": ("columns",),
    "list_record": ("fields",),
    "link_run": ("inputs", "settings", "model", "stats"),
    "person_record": ("statement_ids",),
    "estimate_record": ("inputs", "diagnostics"),
}


def _convert(to: str) -> None:
    """One ALTER TABLE per table (PostgreSQL rewrites a table once for all its columns)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        changes = ", ".join(f'ALTER COLUMN "{c}" TYPE {to} USING "{c}"::{to}' for c in columns)
        op.execute(f'ALTER TABLE "{table}" {changes}')


def upgrade() -> None:
    _convert("jsonb")


def downgrade() -> None:
    _convert("json")
