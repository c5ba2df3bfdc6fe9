"""Explicit locks: SQLite's write lock, the custody chain, and one run at a time.

* SQLite has one writer at a time. `Store.change` takes the write lock when it begins
  (``BEGIN IMMEDIATE``); while another process or thread holds it, it retries with backoff for
  a bounded time (`SQLITE_LOCK_WAIT_S`) and then says so in one line, instead of failing after
  SQLite's busy timeout. Holding the lock from the start means a change never fails half-way
  because another writer got in first.
* PostgreSQL writers run side by side. What must not interleave takes an advisory lock in Sabt's
  own key space: a transaction lock (`transaction_lock`: the custody chain, creating a counter's
  sequence) is released at commit or rollback; a session lock (`exclusive`: a link run) when the
  task ends or its connection drops. On SQLite, the write lock covers the transaction locks.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from sabt.errors import SabtError

#: Advisory lock key space ("Sabt"); the second key says what is locked.
NAMESPACE = 0x53616274
CUSTODY_CHAIN = 1
NEW_SEQUENCE = 2
#: Key space of `exclusive` tasks (the second key is a hash of the task's name).
TASKS = NAMESPACE + 1
#: Key space of id counters, used inside ``sabt_allocate`` (the 0005 migration).
COUNTERS = NAMESPACE + 2

#: How long a SQLite writer waits for another writer to finish (seconds); SABT_LOCK_WAIT.
SQLITE_LOCK_WAIT_S = 600.0
#: How long one attempt waits inside SQLite before Sabt backs off and retries (milliseconds).
SQLITE_BUSY_MS = 2000


def lock_wait() -> float:
    """The SQLite writer's total wait: $SABT_LOCK_WAIT seconds, else `SQLITE_LOCK_WAIT_S`."""
    value = os.environ.get("SABT_LOCK_WAIT")
    try:
        return float(value) if value else SQLITE_LOCK_WAIT_S
    except ValueError:
        raise SabtError(f"SABT_LOCK_WAIT must be a number of seconds, not {value!r}") from None


def _locked(exc: OperationalError) -> bool:
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


def begin_write(conn: Connection, wait: float) -> None:
    """Take SQLite's write lock for `conn`'s transaction, retrying for up to `wait` seconds."""
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if not _locked(exc):
                raise
            left = deadline - time.monotonic()
            if left <= 0:
                raise SabtError(
                    f"the workspace is busy: another writer has held it for over {wait:g} s "
                    "(a long import?); try again when it has finished, or set SABT_LOCK_WAIT"
                ) from None
            time.sleep(min(left, delay * random.uniform(0.5, 1.5)))
            delay = min(delay * 2, 1.0)


def transaction_lock(conn: Connection, key: int) -> None:
    """Hold Sabt's advisory lock `key` until `conn`'s transaction ends (PostgreSQL).

    On SQLite, `Store.change` already holds the write lock, which serialises the same writers.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                     {"ns": NAMESPACE, "key": key})


@contextmanager
def exclusive(engine: Engine, root: Path, task: str, busy: str) -> Iterator[None]:
    """Run `task` only if no other process runs it on this workspace; else raise `busy`.

    PostgreSQL: a session advisory lock on its own connection (several machines may share the
    database). SQLite: an OS lock on ``<workspace>/<task>.lock`` (the database is a local file);
    either is released when the task ends or its process dies.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            params = {"ns": TASKS, "task": task}
            got = conn.execute(text("SELECT pg_try_advisory_lock(:ns, hashtext(:task))"),
                               params).scalar_one()
            conn.commit()
            if not got:
                raise SabtError(busy)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:ns, hashtext(:task))"), params)
                conn.commit()
        return
    with open(root / f"{task}.lock", "a+b") as handle:
        if not try_lock_file(handle.fileno()):
            raise SabtError(busy)
        try:
            yield
        finally:
            _unlock_file(handle.fileno())


if sys.platform == "win32":
    import msvcrt

    def try_lock_file(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock_file(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def try_lock_file(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock_file(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
