"""The name-key index: which entities have a name with a given key, so a search compares a
query with the few entities that can match instead of every entity of the workspace.

Each label and each `name` statement gives its words' exact keys and consonant skeletons
(`sabt.text.name_key`, `sabt.text.skeleton`) and the skeleton of the whole name (marked with
a leading ``=``). `sabt.service.search.match_score` gives 0 to any name that shares none of
these with the query, so the entities found here are a superset of those it can score above 0.

The index is derived data: it is brought up to date before a search reads it (`refresh`) from
the entities and name statements written since it was last brought up to date (entity labels
never change; new entities are found by revision, new names by statement id), and it is not
exported (`sabt.store.jsonl`). Keys are only added: a retracted name or a merged entity keeps
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
    func,
    insert,
    select,
    update,
)

from sabt.store import schema as t
from sabt.store.change import bulk_insert
from sabt.store.schema import EntityId, metadata

KEY_LENGTH = 64          # a longer key is cut: two keys cut alike only add candidates
_MARK_REVISION = "name_index_revision"
_MARK_STATEMENT = "name_index_statement"
_BATCH = 20_000

name_key = Table(
    "name_key",
    metadata,
    Column("key", String(KEY_LENGTH), primary_key=True),
    Column("entity_id", EntityId, primary_key=True),
    Index("ix_name_key_entity_id", "entity_id"),
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


def _mark(conn: Connection, key: str) -> int:
    value = conn.execute(select(t.meta.c.value).where(t.meta.c.key == key)).scalar()
    return int(value) if value is not None else 0


def _set_mark(conn: Connection, key: str, value: int) -> None:
    if conn.execute(update(t.meta).where(t.meta.c.key == key).values(
            value=str(value))).rowcount == 0:
        conn.execute(insert(t.meta).values(key=key, value=str(value)))


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
    """Index the labels of entities and the name statements written since the last refresh;
    returns the names indexed. Cheap when nothing was written (two primary-key lookups)."""
    revision = int(conn.execute(select(func.max(t.revision.c.id))).scalar() or 0)
    statement = int(conn.execute(select(func.max(t.statement.c.id))).scalar() or 0)
    done_revision, done_statement = _mark(conn, _MARK_REVISION), _mark(conn, _MARK_STATEMENT)
    if revision <= done_revision and statement <= done_statement:
        return 0
    indexed = 0
    labels = conn.execute(select(t.entity.c.id, t.entity.c.label).where(
        t.entity.c.revision_id > done_revision)).tuples()
    while batch := labels.fetchmany(_BATCH):
        _write(conn, ((k, e) for e, label in batch for k in keys_of(label)))
        indexed += len(batch)
    names = conn.execute(select(t.statement.c.entity_id, t.statement.c.value_text).where(
        t.statement.c.id > done_statement, t.statement.c.id <= statement,
        t.statement.c.property == "name")).tuples()
    while batch := names.fetchmany(_BATCH):
        _write(conn, ((k, e) for e, text in batch if text for k in keys_of(text)))
        indexed += len(batch)
    _set_mark(conn, _MARK_REVISION, revision)
    _set_mark(conn, _MARK_STATEMENT, statement)
    return indexed


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
