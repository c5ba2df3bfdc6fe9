"""Corrections and missing names sent by visitors of the memorial, waiting for an editor.

A visitor's message is kept as they wrote it, marked `internal` (never shown to the public) and
pending until an editor accepts or rejects it; nothing about the sender is stored but what they
chose to write (no address, no client identifier)."""

from sqlalchemy import Column, DateTime, String, Table, Text

from sabt.store.schema import BigId, EntityId, metadata

memorial_correction = Table(
    "memorial_correction",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("entity_id", EntityId, nullable=True, index=True),   # the page it was sent from
    Column("lang", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("contact", Text, nullable=False),
    Column("level", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("note", Text, nullable=True),
)
