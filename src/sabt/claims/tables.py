"""Estimates Sabt has computed, kept with their inputs so a figure can be traced and re-run."""

from sqlalchemy import Boolean, Column, Float, ForeignKey, String, Table, Text

from sabt.store.schema import BigId, EntityId, Json, metadata

estimate_record = Table(
    "estimate_record",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("revision_id", BigId, ForeignKey("revision.id"), nullable=False, index=True),
    Column("subject_id", EntityId, ForeignKey("entity.id"), index=True),
    Column("label", Text, nullable=False),
    Column("synthetic", Boolean, nullable=False),
    Column("method", String(32), nullable=False),
    Column("model", Text),
    Column("estimate", Float),
    Column("lower", Float),
    Column("upper", Float),
    Column("n_observed", Float),
    Column("inputs", Json, nullable=False),
    Column("diagnostics", Json),
)
