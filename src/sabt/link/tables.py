"""Linkage tables: imported lists and their records, link runs, scored pairs, clusters, review.

Rows are written inside workspace changes (one transaction each), so an import or a link run
is all-or-nothing. Runs are never edited after they complete; the latest complete run is the
current linkage. A run's clusters are stored as the changes against the run before it
(`link_cluster_base`, `sabt.link.runstore`), so a workspace of a million records does not copy
them all each run. Review decisions are keyed by record ids, not runs, so they survive re-runs;
undoing one stamps it rather than deleting it.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from sabt.store.schema import BigId, EntityId, Json, metadata

list_import = Table(
    "list_import",
    metadata,
    Column("source_id", EntityId, ForeignKey("entity.id"), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("file_name", Text, nullable=False),
    Column("media_type", String(128), nullable=False),
    Column("columns", Json, nullable=False),
    Column("n_records", Integer, nullable=False),
    Column("n_warnings", Integer, nullable=False),
    Column("duplicate_free", Boolean, nullable=False),
    Column("revision_id", BigId, ForeignKey("revision.id"), nullable=False),
)

list_record = Table(
    "list_record",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("source_id", EntityId, ForeignKey("entity.id"), nullable=False, index=True),
    Column("row_number", Integer, nullable=False),
    Column("raw", Text, nullable=False),
    Column("fields", Json, nullable=False),
    UniqueConstraint("source_id", "row_number"),
)

link_run = Table(
    "link_run",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("author", String(200), nullable=False),
    Column("software_version", String(64), nullable=False),
    Column("inputs", Json, nullable=False),
    Column("settings", Json, nullable=False),
    Column("model", Json, nullable=False),
    Column("stats", Json, nullable=False),
    Column("revision_id", BigId, ForeignKey("revision.id"), nullable=False),
)

link_pair = Table(
    "link_pair",
    metadata,
    Column("run_id", BigId, ForeignKey("link_run.id"), primary_key=True),
    Column("record_l", BigId, ForeignKey("list_record.id"), primary_key=True),
    Column("record_r", BigId, ForeignKey("list_record.id"), primary_key=True),
    Column("probability", Float, nullable=False),
    Column("match_weight", Float, nullable=False),
    Index("ix_link_pair_run_probability", "run_id", "probability"),
)

link_cluster = Table(
    "link_cluster",
    metadata,
    Column("run_id", BigId, ForeignKey("link_run.id"), primary_key=True),
    Column("record_id", BigId, ForeignKey("list_record.id"), primary_key=True),
    Column("cluster", Integer, nullable=False),
    Column("probability", Float, nullable=False),
    Column("person_id", EntityId, ForeignKey("entity.id"), nullable=False, index=True),
)

# A run whose clusters are stored as a delta: `link_cluster` holds only its records whose
# cluster, probability or person differ from `base_run`'s (or that are new since it); the others
# are read from the base, followed down to a run stored in full. A run with no row here is
# stored in full. `depth` counts the deltas down to that full run, so reads stay bounded.
link_cluster_base = Table(
    "link_cluster_base",
    metadata,
    Column("run_id", BigId, ForeignKey("link_run.id"), primary_key=True),
    Column("base_run", BigId, ForeignKey("link_run.id"), nullable=False),
    Column("depth", Integer, nullable=False),
)

person_record = Table(
    "person_record",
    metadata,
    Column("record_id", BigId, ForeignKey("list_record.id"), primary_key=True),
    Column("person_id", EntityId, ForeignKey("entity.id"), nullable=False, index=True),
    Column("statement_ids", Json, nullable=False),
)

review_decision = Table(
    "review_decision",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("record_l", BigId, ForeignKey("list_record.id"), nullable=False),
    Column("record_r", BigId, ForeignKey("list_record.id"), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reviewer", String(200), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("note", Text, nullable=False),
    Column("undone_at", DateTime(timezone=True)),
    Column("undone_by", String(200)),
    Index("ix_review_decision_pair", "record_l", "record_r"),
)

# Which reviewer is looking at which pair, until when: working state, not part of the record
# (no revision). A pair claimed by one reviewer is not served to another until the claim ends,
# so several reviewers at once never decide the same pair twice.
review_claim = Table(
    "review_claim",
    metadata,
    Column("record_l", BigId, primary_key=True, autoincrement=False),
    Column("record_r", BigId, primary_key=True, autoincrement=False),
    Column("reviewer", String(200), nullable=False),
    Column("until", DateTime(timezone=True), nullable=False, index=True),
)
