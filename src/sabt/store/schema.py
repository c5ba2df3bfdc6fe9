"""The foundation's tables: revisions, entities, sources, statements, references, change log.

Every area adds its own tables to this `metadata` in its own module (see `all_tables`).
Nothing here is ever deleted: rows are retracted (status) or superseded, and each write is
tied to a revision (who, when, why).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BIGINT on PostgreSQL, INTEGER (rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")
EntityId = String(64)
# JSONB on PostgreSQL (binary, indexable, no re-parsing on read), JSON (text) on SQLite. Every
# JSON column of every area uses it; migration 0006_jsonb converts older PostgreSQL workspaces.
Json = JSON().with_variant(JSONB(), "postgresql")

meta = Table(
    "sabt_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

id_counter = Table(
    "id_counter",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("next", BigId, nullable=False),
)

revision = Table(
    "revision",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("author", String(200), nullable=False),
    Column("reason", Text, nullable=False),
)

entity = Table(
    "entity",
    metadata,
    Column("id", EntityId, primary_key=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("label", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("merged_into", EntityId, ForeignKey("entity.id"), index=True),
    # indexed so the name-key index finds the entities written by a revision
    Column("revision_id", BigId, ForeignKey("revision.id"), nullable=False, index=True),
)

source = Table(
    "source",
    metadata,
    Column("entity_id", EntityId, ForeignKey("entity.id"), primary_key=True),
    Column("title", Text, nullable=False),
    Column("publisher", Text),
    Column("author", Text),
    Column("published", String(64)),
    Column("url", Text),
    Column("sha256", String(64), index=True),
    Column("media_type", String(128)),
    Column("language", String(16)),
    Column("notes", Text),
)

statement = Table(
    "statement",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("entity_id", EntityId, ForeignKey("entity.id"), nullable=False, index=True),
    Column("property", String(128), nullable=False),
    Column("value_type", String(16), nullable=False),
    Column("value_text", Text),
    Column("value_lang", String(16)),
    Column("value_low", Float),
    Column("value_high", Float),
    Column("value_qualifier", String(16)),
    Column("value_edtf", String(64)),
    Column("value_earliest", Date),
    Column("value_latest", Date),
    Column("value_calendar", String(16)),
    Column("value_entity", EntityId, ForeignKey("entity.id"), index=True),
    Column("qualifiers", Json),
    Column("confidence", String(8), nullable=False),
    Column("rank", String(12), nullable=False),
    Column("status", String(16), nullable=False),
    # indexed so the name-key index finds the names written by a revision
    Column("revision_id", BigId, ForeignKey("revision.id"), nullable=False, index=True),
    Index("ix_statement_property_value", "property", "value_text"),
)

reference = Table(
    "reference",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("statement_id", BigId, ForeignKey("statement.id"), nullable=False, index=True),
    Column("source_id", EntityId, ForeignKey("entity.id"), nullable=False, index=True),
    Column("page", String(32)),
    Column("char_start", Integer),
    Column("char_end", Integer),
    Column("time_offset", Float),
    Column("row_number", Integer),
    Column("column_name", Text),      # the list column a value was read from (with row_number)
    Column("quote", Text, nullable=False),
)

change_log = Table(
    "change_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("revision_id", BigId, ForeignKey("revision.id"), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("entity_id", EntityId, ForeignKey("entity.id"), index=True),
    Column("statement_id", BigId, ForeignKey("statement.id"), index=True),
    Column("detail", Text, nullable=False),
)


def as_utc(at: datetime) -> datetime:
    """A time read back from a `DateTime(timezone=True)` column: SQLite gives it naive, and
    every time Sabt stores is UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
