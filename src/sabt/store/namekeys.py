"""The name-key index: which entities have a name with a given key, so a search compares a
query with the few entities that can match instead of every entity of the workspace.

Each label and each `name` statement gives its words' exact keys and consonant skeletons
(`sabt.text.name_key`, `sabt.text.skeleton`) and the skeleton of the whole name (marked with
a leading ``=``). `sabt.service.search.match_score` gives 0 to any name that shares none of
these with the query, so the entities found here are a superset of those it can score above 0.

The index is derived data: it is brought up to date before a search reads it (`refresh`) from
the entities and name statements of the revisions it has not indexed yet (entity labels never
change, and every row is written with its revision), and it is not exported
(`sabt.store.jsonl`). Keys are only added: a retracted name or a merged entity keeps
its keys, and the search drops what the reader may not see or what no longer matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Index,
    MetaData,
    String,
    Table,
    exists,
    func,
    select,
)

from sabt.store import schema as t
from sabt.store.change import bulk_insert
from sabt.store.schema import BigId, EntityId, metadata

KEY_LENGTH = 64          # a longer key is cut: two keys cut alike only add candidates
_BATCH = 20_000
CHUNK = 900              # revisions per `IN (…)`

name_key = Table(
    "name_key",
    metadata,
    Column("key", String(KEY_LENGTH), primary_key=True),
    Column("entity_id", EntityId, primary_key=True),
    Index("ix_name_key_entity_id", "entity_id"),
)

# The revisions whose entities and name statements are in `name_key`.
name_key_revision = Table(
    "name_key_revision",
    metadata,
    Column("revision_id", BigId, primary_key=True, autoincrement=False),
)

# PostgreSQL: new keys are copied into this session's temporary table, then added in one
# statement that skips those already there (COPY itself cannot skip duplicates).
_staging = Table("name_key_new", MetaData(), Column("key", String), Column("entity_id", String))


def keys_of(name: str) -> set[str]:
    """Every key a name is found by (pure)."""
    from sabt.text import name_key as exact_key
    from sabt.text import normalize_persian, skeleton

    words = [w for w in normalize_persian(name).replace("-", " ").split() if w]
    if not words:
        return set()
    keys = {exact_key(w) for w in words} | {skeleton(w) for w in words}
    keys.add("=" + skeleton(name))
    return {k[:KEY_LENGTH] for k in keys if k}


def _write(conn: Connection, pairs: Iterable[tuple[str, str]]) -> None:
    """Add (key, entity) pairs, skipping those already indexed (two refreshes may overlap)."""
    rows = sorted(set(pairs))
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS name_key_new "
                             "(key varchar(64), entity_id varchar(64))")
        bulk_insert(conn, _staging, ("key", "entity_id"), rows)
        conn.exec_driver_sql("INSERT INTO name_key (key, entity_id) SELECT DISTINCT key, "
                             "entity_id FROM name_key_new ON CONFLICT DO NOTHING")
        conn.exec_driver_sql("DELETE FROM name_key_new")
        return
    conn.exec_driver_sql("INSERT OR IGNORE INTO name_key (key, entity_id) VALUES (?, ?)", rows)


def refresh(conn: Connection) -> int:
    """Index the labels and name statements of every committed revision not indexed yet;
    returns the names indexed. One query over the revisions when nothing was written.

    Revisions, not a high-water mark: a long bulk import commits after later, shorter
    changes, and its rows must still be found."""
    r, done = t.revision, name_key_revision
    new = list(conn.execute(select(r.c.id).where(~exists().where(
        done.c.revision_id == r.c.id)).order_by(r.c.id)).scalars())
    indexed = 0
    for start in range(0, len(new), CHUNK):
        chunk = new[start:start + CHUNK]
        labels = conn.execute(select(t.entity.c.id, t.entity.c.label).where(
            t.entity.c.revision_id.in_(chunk))).tuples()
        while batch := labels.fetchmany(_BATCH):
            _write(conn, ((k, e) for e, label in batch for k in keys_of(label)))
            indexed += len(batch)
        names = conn.execute(select(t.statement.c.entity_id, t.statement.c.value_text).where(
            t.statement.c.revision_id.in_(chunk), t.statement.c.property == "name")).tuples()
        while batch := names.fetchmany(_BATCH):
            _write(conn, ((k, e) for e, text in batch if text for k in keys_of(text)))
            indexed += len(batch)
        _done(conn, chunk)
    return indexed


def _done(conn: Connection, revisions: list[int]) -> None:
    """Mark revisions indexed (a refresh running at the same time may have marked some)."""
    rows = [(i,) for i in revisions]
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("INSERT INTO name_key_revision (revision_id) VALUES (%s) "
                             "ON CONFLICT DO NOTHING", rows)
    else:
        conn.exec_driver_sql("INSERT OR IGNORE INTO name_key_revision (revision_id) "
                             "VALUES (?)", rows)


def candidates(conn: Connection, query: str, limit: int, where: Any = None) -> list[str]:
    """The ids of at most `limit` active, unmerged entities meeting `where` (a condition on
    `entity`: the kind asked, what the reader may see) with a name sharing a key with `query`,
    those sharing the most keys first, then by id."""
    keys = sorted(keys_of(query))
    if not keys:
        return []
    e = t.entity
    shared = func.count(name_key.c.key.distinct())
    query_ = (select(name_key.c.entity_id).join(e, e.c.id == name_key.c.entity_id)
              .where(name_key.c.key.in_(keys), e.c.status == "active", e.c.merged_into.is_(None))
              .group_by(name_key.c.entity_id)
              .order_by(shared.desc(), name_key.c.entity_id).limit(limit))
    if where is not None:
        query_ = query_.where(where)
    return list(conn.execute(query_).scalars())
