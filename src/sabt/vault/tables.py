"""The vault's tables: stored items, the hash-chained custody log, extraction suggestions.

Blobs live on disk under ``<workspace>/vault/``; these rows describe them. ``custody_log``
keeps each entry's timestamp and details exactly as they were hashed (strings), so the chain
can be re-checked byte for byte; ``prev_hash`` is unique, so two writers cannot fork the chain.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from sabt.store.schema import BigId, EntityId, Json, metadata

vault_item = Table(
    "vault_item",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(128), nullable=False),
    Column("original_name", Text, nullable=False),
    Column("collected_at", String(40), nullable=False),
    Column("collected_by", String(200), nullable=False),
    Column("origin_url", Text),
    Column("capture_method", String(64), nullable=False),
    Column("notes", Text),
    Column("parent_sha256", String(64), index=True),
    Column("relation", String(32)),
    Column("language", String(16)),
    Column("source_id", EntityId, ForeignKey("entity.id"), index=True),
    Column("text_sha256", String(64)),
    Column("meta", Json),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

custody_log = Table(
    "custody_log",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("item_sha256", String(64), index=True),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("entry_hash", String(64), nullable=False, unique=True),
)

suggestion = Table(
    "suggestion",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("item_sha256", String(64), nullable=False, index=True),
    Column("source_id", EntityId, ForeignKey("entity.id"), index=True),
    Column("kind", String(16), nullable=False),
    Column("char_start", Integer, nullable=False),
    Column("char_end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("payload", Json, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("decided_by", String(200)),
    Column("decided_at", DateTime(timezone=True)),
    Column("statement_id", BigId, ForeignKey("statement.id")),
    Column("note", Text),
    UniqueConstraint("item_sha256", "kind", "char_start", "char_end"),
)
