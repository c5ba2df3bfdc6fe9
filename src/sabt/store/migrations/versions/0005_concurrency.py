"""concurrency: id counters become PostgreSQL sequences (SQLite keeps its id_counter rows)

Each `id_counter` row becomes a sequence ``id:<name>`` starting at the row's next id (so no id
already handed out is handed out again), and ``sabt_allocate(sequence, n)`` hands out blocks of
consecutive ids under a short advisory lock (see `sabt.store.ids`). On SQLite, where the write
lock already serialises writers, nothing changes.

Revision ID: 0005_concurrency
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_concurrency"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("concurrency",)
depends_on: str | Sequence[str] | None = None

# `known` is the sequence's oid when the caller has just created it: a name looked up earlier in
# the caller's transaction may still be cached as missing. The advisory lock (key space 1398891126, `sabt.store.locks.COUNTERS`) is held for nextval and
# setval only and released on every path (an exception or a cancelled query included): writers
# never wait for another's commit.
ALLOCATE = """
CREATE OR REPLACE FUNCTION sabt_allocate(seq text, n bigint, known oid) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    rel regclass := coalesce(known::regclass, to_regclass(seq));
    lock_key integer := hashtext(seq);
    first bigint;
BEGIN
    IF rel IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_lock(1398891126, lock_key);
    BEGIN
        first := nextval(rel);
        IF n > 1 THEN
            PERFORM setval(rel, first + n - 1);
        END IF;
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        PERFORM pg_advisory_unlock(1398891126, lock_key);
        RAISE;
    END;
    PERFORM pg_advisory_unlock(1398891126, lock_key);
    RETURN first;
END
$$
"""


def _sequence(name: str) -> str:
    return '"' + ("id:" + name).replace('"', '""') + '"'


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(ALLOCATE)
    for name, next_id in bind.execute(sa.text("SELECT name, next FROM id_counter")).all():
        op.execute(f"CREATE SEQUENCE {_sequence(name)} AS bigint MINVALUE 1 "
                   f"START WITH {int(next_id)}")
    op.execute("DELETE FROM id_counter")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    names = bind.execute(sa.text(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() "
        "AND sequencename LIKE 'id:%'")).scalars().all()
    for seq in names:
        quoted = '"' + seq.replace('"', '""') + '"'
        last, called = bind.execute(sa.text(f"SELECT last_value, is_called FROM {quoted}")).one()
        bind.execute(sa.text("INSERT INTO id_counter (name, next) VALUES (:name, :next)"),
                     {"name": seq[3:], "next": int(last) + 1 if called else int(last)})
        op.execute(f"DROP SEQUENCE {quoted}")
    op.execute("DROP FUNCTION sabt_allocate(text, bigint, oid)")
