"""The name index behind search: every entity's label and `name` statements broken into the keys
`sabt.text` compares names by, so a search reads the few entities sharing a key with the query
instead of every entity in the workspace.

``name_index`` holds (key, entity_id), one row per distinct key of an entity's names. A key is
a word's exact key (`name_key`), its consonant skeleton (``~`` prefix) or the whole name's
skeleton (``=`` prefix: "Aliakbari" meets "Ali Akbari").

The index is written in the same transaction as the entity or the statement it comes from
(`sabt.store.change`), so it is never behind the record, and rebuilt whole after a JSON Lines
import and by the migration that creates it. It is derived data: it only proposes candidates —
a search then reads and scores their current, visible names — and it is not exported.
Retracted names stay as keys; they only make a candidate that then fails to score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Column, String, Table, func, select
from sqlalchemy.engine import Connection

from sabt.store import schema as t
from sabt.store.schema import metadata

KEY_LENGTH = 200
PAGE = 5000                       # names read per round trip when rebuilding

name_index = Table(
    "name_index",
    metadata,
    Column("key", String(KEY_LENGTH), primary_key=True),
    Column("entity_id", String(64), primary_key=True),
)


def name_keys(name: str) -> set[str]:
    """The keys a name is found by (pure): each word's key and skeleton, the whole skeleton."""
    return _keys_of(_text_keys())(name)


def _text_keys() -> tuple[Callable[[str], str], Callable[[str], str], Callable[[str], str]]:
    """`sabt.text`'s normaliser, word key and skeleton (imported on first use, not at start)."""
    from sabt.text.keys import name_key, skeleton
    from sabt.text.normalize import normalize_persian

    return normalize_persian, name_key, skeleton


def _keys_of(functions: tuple[Callable[[str], str], Callable[[str], str],
                              Callable[[str], str]]) -> Callable[[str], set[str]]:
    normalize, word_key, skeleton = functions

    def keys_of(name: str) -> set[str]:
        words = [w for w in normalize(name).replace("-", " ").split() if w]
        keys = {word_key(w) for w in words} | {"~" + skeleton(w) for w in words}
        if words:
            keys.add("=" + skeleton(" ".join(words)))
        return {k[:KEY_LENGTH] for k in keys if k.strip("~=")}

    return keys_of


def add(conn: Connection, names: Iterable[tuple[str, str]]) -> None:
    """Index (entity id, name) pairs; a key already there is left as it is.

    PostgreSQL: the pairs are copied to a temporary table and inserted from it in one
    statement; SQLite: one ``INSERT OR IGNORE`` through the driver's executemany."""
    keys_of = _keys_of(_text_keys())
    rows = {(key, entity_id) for entity_id, name in names for key in keys_of(name)}
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql("INSERT OR IGNORE INTO name_index (key, entity_id) VALUES (?, ?)",
                             list(rows))
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS name_index_new "
                       "(key text, entity_id text) ON COMMIT DELETE ROWS")
        with cursor.copy("COPY name_index_new (key, entity_id) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute("INSERT INTO name_index (key, entity_id) SELECT key, entity_id "
                       "FROM name_index_new ON CONFLICT DO NOTHING")
        cursor.execute("TRUNCATE name_index_new")


def rebuild(conn: Connection) -> None:
    """Index every label and `name` statement again from the start, a page at a time."""
    conn.execute(name_index.delete())
    last = ""
    while rows := conn.execute(select(t.entity.c.id, t.entity.c.label)
                               .where(t.entity.c.id > last).order_by(t.entity.c.id)
                               .limit(PAGE)).all():
        add(conn, ((r.id, r.label) for r in rows))
        last = rows[-1].id
    after = -1
    while rows := conn.execute(select(t.statement.c.id, t.statement.c.entity_id,
                                      t.statement.c.value_text)
                               .where(t.statement.c.id > after,
                                      t.statement.c.property == "name")
                               .order_by(t.statement.c.id).limit(PAGE)).all():
        add(conn, ((r.entity_id, r.value_text) for r in rows if r.value_text))
        after = rows[-1].id


def candidates(conn: Connection, keys: Iterable[str], cap: int) -> tuple[list[str], bool]:
    """Entities sharing a key with the query, those sharing most keys first, at most `cap`;
    and whether more were left out."""
    wanted = sorted({k[:KEY_LENGTH] for k in keys})
    if not wanted:
        return [], False
    shared = func.count().label("shared")
    rows = conn.execute(select(name_index.c.entity_id, shared)
                        .where(name_index.c.key.in_(wanted))
                        .group_by(name_index.c.entity_id)
                        .order_by(shared.desc(), name_index.c.entity_id)
                        .limit(cap + 1)).all()
    return [r.entity_id for r in rows[:cap]], len(rows) > cap
