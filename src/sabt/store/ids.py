"""Id counters: unique ids (consecutive within one request) for revisions, statements, records …

SQLite has one writer at a time (`Store.change` takes the write lock when it begins), so a
counter there is a row of `id_counter`, moved on inside the writer's transaction.

On PostgreSQL a row would make every writer queue behind it until commit, so each counter is a
sequence named ``id:<counter>``. ``sabt_allocate(sequence, n)`` (a function installed by the
``0005_concurrency`` migration) hands out a block of `n` consecutive ids: under an advisory lock
on that counter, held for its `nextval` and `setval` only (not until commit), it takes the next
value and moves the sequence `n - 1` further. Ids taken by a transaction that rolls back are not
reused: gaps are normal. A counter's sequence is created the first time it is needed, in its own
short transaction under an advisory lock, so two first writers cannot race to create it.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, insert, select, text, update

from sabt.store import locks
from sabt.store import schema as t

#: Sequence names on PostgreSQL are this prefix plus the counter's name.
SEQUENCE_PREFIX = "id:"
_ALLOCATE = text("SELECT sabt_allocate(CAST(:seq AS text), CAST(:n AS bigint), "
                 "CAST(:oid AS oid))")


def allocate(conn: Connection, name: str, n: int = 1) -> int:
    """Reserve `n` consecutive ids from the named counter; returns the first."""
    if n < 1:
        raise ValueError(f"cannot allocate {n} ids")
    if conn.dialect.name == "postgresql":
        seq = _quoted(conn, name)
        first = conn.execute(_ALLOCATE, {"seq": seq, "n": n, "oid": None}).scalar()
        if first is None:  # first use of this counter
            oid = _create_sequence(conn.engine, name)
            first = conn.execute(_ALLOCATE, {"seq": seq, "n": n, "oid": oid}).scalar_one()
        return int(first)
    # The UPDATE comes first so that the value read is the one this transaction wrote.
    done = conn.execute(update(t.id_counter).where(t.id_counter.c.name == name).values(
        next=t.id_counter.c.next + n))
    if done.rowcount == 0:
        conn.execute(insert(t.id_counter).values(name=name, next=1 + n))
        return 1
    return int(conn.execute(select(t.id_counter.c.next).where(
        t.id_counter.c.name == name)).scalar_one()) - n


def counter_values(conn: Connection) -> dict[str, int]:
    """Every counter's next id, by counter name (for exports)."""
    if conn.dialect.name != "postgresql":
        return {str(name): int(value) for name, value in conn.execute(
            select(t.id_counter.c.name, t.id_counter.c.next))}
    names = conn.execute(text(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() "
        "AND sequencename LIKE :prefix"), {"prefix": SEQUENCE_PREFIX + "%"}).scalars().all()
    out: dict[str, int] = {}
    for seq in names:
        last, called = conn.exec_driver_sql(
            f"SELECT last_value, is_called FROM {_quote(conn, seq)}").one()
        out[seq[len(SEQUENCE_PREFIX):]] = int(last) + 1 if called else int(last)
    return out


def set_counter(conn: Connection, name: str, next_id: int) -> None:
    """Make the named counter hand out `next_id` next (imports of a whole workspace)."""
    if conn.dialect.name == "postgresql":
        oid = _create_sequence(conn.engine, name)
        conn.execute(text("SELECT setval(CAST(CAST(:oid AS oid) AS regclass), :value, false)"),
                     {"oid": oid, "value": next_id})
        return
    done = conn.execute(update(t.id_counter).where(t.id_counter.c.name == name).values(
        next=next_id))
    if done.rowcount == 0:
        conn.execute(insert(t.id_counter).values(name=name, next=next_id))


def _quote(conn: Connection, identifier: str) -> str:
    return str(conn.dialect.identifier_preparer.quote_identifier(identifier))


def _quoted(conn: Connection, name: str) -> str:
    """The counter's sequence name, quoted (counter names hold ':' and capitals)."""
    seq = SEQUENCE_PREFIX + name
    if len(seq.encode("utf-8")) > 63:  # PostgreSQL's identifier limit
        raise ValueError(f"counter name too long: {name!r}")
    return _quote(conn, seq)


def _create_sequence(engine: Engine, name: str) -> int:
    """Create a counter's sequence (starting at 1) unless it exists, commit; returns its oid.

    Its own connection, so the sequence does not wait for the caller's commit; the advisory
    lock makes the check-and-create atomic (``IF NOT EXISTS`` alone races). The caller passes
    the oid on: its own transaction may have cached the name as missing.
    """
    with engine.connect() as side:
        locks.transaction_lock(side, locks.NEW_SEQUENCE)
        seq = _quoted(side, name)
        side.exec_driver_sql(f"CREATE SEQUENCE IF NOT EXISTS {seq} "
                             "AS bigint MINVALUE 1 START WITH 1")
        oid = side.execute(text("SELECT CAST(CAST(:seq AS regclass) AS oid)"),
                           {"seq": seq}).scalar_one()
        side.commit()
    return int(oid)
