"""The registry log: one hash-chained log of every change to the case record.

Every row written to a *watched* table (revisions, entities, sources, statements, references,
the change log, imported lists and their records, link runs, linkage decisions, users,
sensitivity marks, vault items, estimates, extraction suggestions) is pinned by an entry of
``registry_log``: the table, the row's key and the SHA-256 of the row's canonical content (or
null when the row was deleted). Entries use the custody chain's format and hashing
(`sabt.vault.chain`): ``{"seq", "at", "actor", "action", "item", "details", "prev"}``, hashed as
canonical JSON, each naming the hash of the one before.

How no write escapes it: database triggers on every watched table note the key of each row
inserted, updated or deleted in ``registry_dirty`` (PostgreSQL: with the writing transaction's
id); just before a workspace change commits, `seal` reads the rows it touched back, hashes them,
appends the entries under the chain's own lock and clears its notes. A write made outside Sabt
(a SQL shell) is never pinned, so `verify` finds the row's content no longer matching its last
pin (or a row with no pin, or a pin with no row) and names the table and key.

Triggers are installed by `install` after every migration run (`sabt init`, `sabt upgrade`);
a table watched for the first time gets a ``genesis`` entry pinning the rows it already holds,
so an upgraded workspace verifies. Large tables that are outputs of a recorded run
(``link_pair``, ``link_cluster``), the read audit, sign-in secrets and sessions, id counters and
the custody log (its own chain) are not watched.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    text,
)

from sabt.store import locks
from sabt.store.schema import BigId, metadata
from sabt.vault.chain import ChainProblem, Entry, append, canonical_json, check_chain

#: The tables whose every row the registry log pins (in the order verify checks them).
WATCHED = ("revision", "entity", "source", "statement", "reference", "change_log",
           "sabt_user", "sensitivity", "list_import", "list_record", "link_run",
           "review_decision", "person_record", "vault_item", "estimate_record", "suggestion")
#: Rows pinned by one entry at most (a bulk change writes several entries).
PINS_PER_ENTRY = 5000
#: Entries a writer keeps before it writes them to the database.
ENTRIES_PER_WRITE = 20
#: Separates the columns of a composite key in a key string.
KEY_SEPARATOR = "\x1f"
#: Noted keys read back per query when sealing.
_KEYS_PER_READ = 50_000
REGISTRY_CHAIN = 3   # advisory lock key (sabt.store.locks key space)

registry_log = Table(
    "registry_log",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("item", String(64)),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("entry_hash", String(64), nullable=False, unique=True),
)

registry_dirty = Table(
    "registry_dirty",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
           autoincrement=True),
    Column("txn", BigInteger),
    Column("tbl", String(64), nullable=False),
    Column("key", Text, nullable=False),
)


@dataclass(frozen=True)
class Problem:
    """One thing `verify` found wrong: kind, what (table and key, or log entry), a sentence."""

    kind: str
    subject: str
    message: str


@dataclass(frozen=True)
class Head:
    """Where a chain ends: the last entry's sequence number and hash (0 and None if empty)."""

    seq: int
    hash: str | None


def now_iso() -> str:
    """A UTC timestamp with microseconds, as hashed into entries."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- canonical row content ---------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A value the driver returned, as JSON-able data (floats as their repr, times in UTC)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return repr(float(value))
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


#: `canonical_json`'s encoder, made once (``json.dumps`` with options makes one per call).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                              allow_nan=False)
#: How that encoder writes a string (``ensure_ascii=False``: the C escaper when present).
_escape: Callable[[str], str] = json.encoder.encode_basestring


def row_hash(table: str, names: Sequence[str], values: Sequence[Any]) -> str:
    """SHA-256 of a row's canonical content: ``{"table": T, "row": {column: value}}`` over the
    values exactly as the database driver returns them, NULL columns left out (so a column a
    later migration adds does not change the hash of rows that do not use it)."""
    return RowHasher(table, names).hash(values)


class RowHasher:
    """`row_hash` for many rows of one shape: the canonical JSON written directly (columns in
    sorted order, their names encoded once), byte for byte what `canonical_json` writes.

    Text goes through the encoder's own string escaper and integers through ``int.__repr__``,
    as the JSON encoder does; any other value is made plain and encoded by it."""

    def __init__(self, table: str, names: Sequence[str]) -> None:
        order = sorted(range(len(names)), key=lambda i: names[i])
        self.prefixes = tuple(_CANONICAL.encode(names[i]) + ":" for i in order)
        self.pick = _picker(order)
        self.tail = '},"table":' + _CANONICAL.encode(table) + "}"

    def hash(self, values: Sequence[Any]) -> str:
        body = '{"row":{' + ",".join([
            prefix + (_escape(v) if type(v) is str else int.__repr__(v) if type(v) is int
                      else _CANONICAL.encode(_plain(v)))
            for prefix, v in zip(self.prefixes, self.pick(values), strict=True)
            if v is not None]) + self.tail
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _picker(order: Sequence[int]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """A function taking a row's values in `order` (a tuple, whatever the length)."""
    if len(order) > 1:
        return itemgetter(*order)
    return lambda values: tuple(values[i] for i in order)


def _table(name: str) -> Table:
    import sabt.store.all_tables  # noqa: F401  (every area's tables on `metadata`)

    return metadata.tables[name]


@dataclass(frozen=True)
class _Shape:
    """How to read one watched table raw: its SQL, key columns and their positions."""

    name: str
    select: str
    key_columns: tuple[str, ...]
    key_ints: tuple[bool, ...]

    @classmethod
    def of(cls, conn: Connection, table: Table) -> _Shape:
        quote = conn.dialect.identifier_preparer.quote
        columns = ", ".join(quote(c.name) for c in table.columns)
        keys = tuple(c.name for c in table.primary_key.columns)
        ints = tuple(_is_int(c) for c in table.primary_key.columns)
        return cls(table.name, f"SELECT {columns} FROM {quote(table.name)}", keys, ints)


def raw_rows(conn: Connection, table: Table, *, noted: bool = False,
             keys: Sequence[str] | None = None) -> Iterator[tuple[str, str]]:
    """(key, row hash) of every row of a table — or, with `noted`, of the rows this transaction
    noted in ``registry_dirty`` (`keys`: those notes, when the caller has read them already) —
    read through the driver (no type conversion on the way, so reading is cheap and exactly
    repeatable)."""
    shape = _Shape.of(conn, table)
    sql = shape.select
    params: tuple[Any, ...] = ()
    postgres = conn.dialect.name == "postgresql"
    if noted:
        quote = conn.dialect.identifier_preparer.quote
        mine = "txn = txid_current()" if postgres else "1 = 1"
        if len(shape.key_columns) == 1 and postgres and keys is not None:
            # the keys as one array: the key's index finds each row, whatever the statistics
            column = quote(shape.key_columns[0])
            numbers = sorted(int(k) for k in keys) if shape.key_ints[0] else []
            if numbers and numbers[-1] - numbers[0] + 1 == len(numbers):
                # the ids of a bulk write: one range, read along the key's index
                sql += f" WHERE {column} BETWEEN %s AND %s"
                params = (numbers[0], numbers[-1])
            elif numbers:   # as one string: the driver adapts a list item by item
                sql += f" WHERE {column} = ANY(CAST(string_to_array(%s, ',') AS bigint[]))"
                params = (",".join(map(str, numbers)),)
            else:
                sql += f" WHERE {column} = ANY(%s)"
                params = (list(keys),)
        elif len(shape.key_columns) == 1:   # the key's own index finds each row
            column = quote(shape.key_columns[0])
            key = "CAST(key AS BIGINT)" if shape.key_ints[0] else "key"
            sql += (f" WHERE {column} IN (SELECT {key} FROM registry_dirty WHERE "
                    f"tbl = '{table.name}' AND {mine})")
        else:
            column = _key_sql(table, quote(table.name), conn.dialect.name)
            sql += (f" WHERE {column} IN (SELECT key FROM registry_dirty WHERE "
                    f"tbl = '{table.name}' AND {mine})")
    driver = conn.connection.driver_connection
    assert driver is not None
    # PostgreSQL: a whole table is read through a server-side cursor, in batches
    named = postgres and not noted
    cursor = driver.cursor(name="sabt_registry_rows") if named else driver.cursor()
    try:
        cursor.execute(sql, params)
        names = [d[0] for d in cursor.description or ()]
        hasher = RowHasher(shape.name, names)
        at = [names.index(c) for c in shape.key_columns]
        while batch := cursor.fetchmany(5000):
            if len(at) == 1:
                (i,) = at
                for values in batch:
                    yield str(values[i]), hasher.hash(values)
            else:
                for values in batch:
                    yield KEY_SEPARATOR.join(str(values[i]) for i in at), hasher.hash(values)
    finally:
        cursor.close()


def _is_int(column: Column[Any]) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


# --- triggers ------------------------------------------------------------------------------------

def _key_sql(table: Table, row: str, dialect: str) -> str:
    sep = " || char(31) || " if dialect == "sqlite" else " || chr(31) || "
    cast = "CAST({}.{} AS TEXT)" if dialect == "sqlite" else "CAST({}.{} AS text)"
    return sep.join(cast.format(row, f'"{c.name}"') for c in table.primary_key.columns)


def _trigger_names(name: str) -> list[str]:
    return [f"registry_{name}_{op}" for op in ("ins", "upd", "del")]


def _sqlite_triggers(table: Table) -> list[str]:
    name = table.name
    ins, upd, dele = _trigger_names(name)
    new, old = _key_sql(table, "NEW", "sqlite"), _key_sql(table, "OLD", "sqlite")
    note = f"INSERT INTO registry_dirty (tbl, key) VALUES ('{name}', {{}});"
    return [
        f'CREATE TRIGGER IF NOT EXISTS {ins} AFTER INSERT ON "{name}" BEGIN {note.format(new)} '
        "END",
        f'CREATE TRIGGER IF NOT EXISTS {upd} AFTER UPDATE ON "{name}" BEGIN {note.format(new)} '
        f"INSERT INTO registry_dirty (tbl, key) SELECT '{name}', {old} WHERE {old} IS NOT {new};"
        " END",
        f'CREATE TRIGGER IF NOT EXISTS {dele} AFTER DELETE ON "{name}" BEGIN '
        f"{note.format(old)} END",
    ]


def _postgres_triggers(table: Table) -> list[str]:
    """Statement-level triggers with transition tables: one INSERT … SELECT per statement (a
    COPY of 10,000 rows notes them in one go)."""
    name = table.name
    out = []
    for trigger, op, tables, rows in zip(
            _trigger_names(name), ("INSERT", "UPDATE", "DELETE"),
            ("NEW TABLE AS new_rows", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
             "OLD TABLE AS old_rows"),
            (("new_rows",), ("new_rows", "old_rows"), ("old_rows",)), strict=True):
        selects = " UNION ".join(
            f"SELECT txid_current(), '{name}', {_key_sql(table, r, 'postgresql')} FROM {r}"
            for r in rows)
        out.append(f"CREATE OR REPLACE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql "
                   f"AS $$ BEGIN INSERT INTO registry_dirty (txn, tbl, key) {selects}; "
                   "RETURN NULL; END $$")
        out.append(f'DROP TRIGGER IF EXISTS {trigger} ON "{name}"')
        out.append(f'CREATE TRIGGER {trigger} AFTER {op} ON "{name}" REFERENCING {tables} '
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {trigger}()")
    return out


def watched_tables(conn: Connection) -> list[Table]:
    """The watched tables that exist in this database."""
    from sqlalchemy import inspect

    present = set(inspect(conn).get_table_names())
    return [_table(n) for n in WATCHED if n in present]


def triggers_present(conn: Connection) -> set[str]:
    """Names of the registry triggers installed in the database."""
    if conn.dialect.name == "postgresql":
        query = ("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'registry\\_%' "
                 "AND NOT tgisinternal")
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'registry_%'"
    return {str(n) for n in conn.execute(text(query)).scalars()}


def install(conn: Connection, actor: str = "sabt upgrade") -> int:
    """Watch every watched table (idempotent); a table watched for the first time gets a
    ``genesis`` entry pinning its rows. Returns how many rows genesis pinned."""
    present = triggers_present(conn)
    pinned = 0
    for table in watched_tables(conn):
        if all(name in present for name in _trigger_names(table.name)):
            continue
        ddl = (_postgres_triggers(table) if conn.dialect.name == "postgresql"
               else _sqlite_triggers(table))
        for statement in ddl:
            conn.exec_driver_sql(statement)
        pins: list[list[str | None]] = [[table.name, key, digest]
                                        for key, digest in raw_rows(conn, table)]
        if pins:
            writer = Writer(conn, actor)
            writer.add_pins("genesis", None, {"table": table.name}, sorted(pins), len(pins))
            writer.flush()
            pinned += len(pins)
    # whatever the migrations themselves wrote is pinned by genesis, not by a change
    conn.execute(delete(registry_dirty))
    return pinned


# --- writing -------------------------------------------------------------------------------------

def start(conn: Connection) -> None:
    """At the start of a change (SQLite, inside the write lock): forget notes left by writes
    made outside Sabt. They are not pinned: `verify` finds those rows by their content."""
    if conn.dialect.name == "sqlite":
        conn.execute(delete(registry_dirty))


def seal(conn: Connection, actor: str, action: str = "change", item: str | None = None,
         details: dict[str, Any] | None = None) -> int:
    """Pin every row this transaction wrote: read each back, hash it, append entries (under
    the chain's lock, taken after the reading so that writers read side by side) and clear
    this transaction's notes. Called just before commit; returns the number of rows pinned.
    Memory holds each noted key and its row's hash once; the entries are made and written as
    they fill."""
    mine = "txn = txid_current()" if conn.dialect.name == "postgresql" else "1 = 1"
    driver = conn.connection.driver_connection
    assert driver is not None
    by_table: dict[str, list[str]] = {}
    cursor = driver.cursor()
    try:   # straight from the driver: a bulk change notes 100,000s of keys
        cursor.execute(f"SELECT DISTINCT tbl, key FROM registry_dirty WHERE {mine}")
        for tbl, key in cursor:
            by_table.setdefault(tbl, []).append(key)
    finally:
        cursor.close()
    if not by_table:
        return 0
    hashed = _hashes(conn, by_table)
    conn.exec_driver_sql(f"DELETE FROM registry_dirty WHERE {mine}")
    count = sum(len(keys) for _, keys, _ in hashed)
    writer = Writer(conn, actor)
    writer.add_pins(action, item, dict(details or {}),
                    ([name, key, digest] for name, keys, digests in hashed
                     for key, digest in zip(keys, digests, strict=True)), count)
    writer.flush()
    return count


def _hashes(conn: Connection, by_table: dict[str, list[str]],
            ) -> list[tuple[str, list[str], list[str | None]]]:
    """(table, its noted keys sorted, the hash of each key's row now — None when it is gone),
    by table name. Rows with a one-column key are read by their keys on PostgreSQL,
    `_KEYS_PER_READ` at a time (consecutive ids as one range); others through the notes, in
    one query."""
    out: list[tuple[str, list[str], list[str | None]]] = []
    for name in sorted(by_table):
        noted = sorted(by_table.pop(name))
        table = _table(name)
        if conn.dialect.name == "postgresql" and len(table.primary_key.columns) == 1:
            found: dict[str, str] = {}
            # numeric keys in numeric order, so the ids of a bulk write come as ranges
            ordered = sorted(noted, key=int) if _is_int(*table.primary_key.columns) else noted
            for start in range(0, len(ordered), _KEYS_PER_READ):
                found.update(raw_rows(conn, table, noted=True,
                                      keys=ordered[start:start + _KEYS_PER_READ]))
            del ordered
        else:
            found = dict(raw_rows(conn, table, noted=True))
        out.append((name, noted, [found.get(key) for key in noted]))
    return out


class Writer:
    """Appends registry entries inside one transaction, chaining from the last stored entry.

    Takes the chain's own lock first (PostgreSQL: an advisory lock held until commit; SQLite:
    the write lock the change holds), so two writers never chain from the same entry; the
    unique ``prev_hash`` refuses a fork should anything else try."""

    def __init__(self, conn: Connection, actor: str) -> None:
        self.conn = conn
        self.actor = actor[:200]
        locks.transaction_lock(conn, REGISTRY_CHAIN)
        self.last = last_entry(conn)
        self.rows: list[dict[str, Any]] = []

    def add_pins(self, action: str, item: str | None, details: dict[str, Any],
                 pins: Iterable[list[str | None]], count: int) -> None:
        """Entries of `PINS_PER_ENTRY` pins each, numbered part k of the `count` pins' parts;
        written to the database every `ENTRIES_PER_WRITE` entries."""
        parts = max(1, -(-count // PINS_PER_ENTRY))
        rows = iter(pins)
        for part in range(parts):
            chunk = list(islice(rows, PINS_PER_ENTRY))
            if len(chunk) != min(PINS_PER_ENTRY, count - part * PINS_PER_ENTRY):
                raise ValueError(f"registry: the pins are not the {count} counted")
            extra = {"part": part + 1, "parts": parts} if parts > 1 else {}
            self.add(action, item, {**details, **extra, "rows": chunk})
            if len(self.rows) >= ENTRIES_PER_WRITE:
                self.flush()
        if next(rows, None) is not None:
            raise ValueError(f"registry: the pins are not the {count} counted")

    def add(self, action: str, item: str | None, details: dict[str, Any]) -> Entry:
        entry = append(self.last, at=now_iso(), actor=self.actor, action=action, item=item,
                       details=details)
        self.rows.append({"seq": entry.seq, "at": entry.at, "actor": entry.actor,
                          "action": entry.action, "item": entry.item,
                          "details": canonical_json(dict(entry.details)).decode("utf-8"),
                          "prev_hash": entry.prev, "entry_hash": entry.hash})
        self.last = entry
        return entry

    def flush(self) -> None:
        if self.rows:
            self.conn.execute(insert(registry_log), self.rows)
            self.rows = []


# --- reading -------------------------------------------------------------------------------------

def entry_of(row: Any) -> Entry:
    """An entry from its stored row (unparseable details kept, so the hash check fails)."""
    try:
        details = json.loads(row["details"])
    except ValueError:
        details = {"unparseable": row["details"]}
    return Entry(seq=int(row["seq"]), at=row["at"], actor=row["actor"], action=row["action"],
                 item=row["item"], details=details, prev=row["prev_hash"],
                 hash=row["entry_hash"])


def last_entry(conn: Connection) -> Entry | None:
    last_seq = conn.execute(select(func.max(registry_log.c.seq))).scalar()
    if last_seq is None:
        return None
    row = conn.execute(select(registry_log).where(registry_log.c.seq == last_seq)).mappings()
    return entry_of(next(iter(row)))


def entries(conn: Connection) -> Iterator[Entry]:
    """The whole registry log, in order (streamed)."""
    for row in conn.execute(select(registry_log).order_by(registry_log.c.seq)).mappings():
        yield entry_of(row)


def head(conn: Connection) -> Head:
    last = last_entry(conn)
    return Head(last.seq, last.hash) if last else Head(0, None)


def entry_at(conn: Connection, table: Table, seq: int) -> Entry | None:
    """The entry with this sequence number in a chain table (registry or custody log)."""
    from sabt.vault.vault import _entry_of as custody_entry

    row = conn.execute(select(table).where(table.c.seq == seq)).mappings().first()
    if row is None:
        return None
    return entry_of(row) if table is registry_log else custody_entry(row)


def entries_about(conn: Connection, keys: Iterable[tuple[str, str]]) -> list[Entry]:
    """The entries that pin any of the given (table, key) rows, in order."""
    wanted = {(t, k) for t, k in keys}
    found = []
    for entry in entries(conn):
        rows = entry.details.get("rows") or []
        if any(isinstance(r, list) and len(r) == 3 and (r[0], r[1]) in wanted for r in rows):
            found.append(entry)
    return found


# --- verifying -----------------------------------------------------------------------------------

def verify(conn: Connection) -> tuple[list[Problem], Head, int]:
    """Check the chain, and every watched row against its last pin. Returns the problems, the
    head and the number of rows checked. Entries and rows are streamed: memory holds one pin
    per watched row."""
    pins: dict[tuple[str, str], tuple[str | None, int]] = {}
    last: list[Entry] = []

    def walk() -> Iterator[Entry]:
        for entry in entries(conn):
            for row in entry.details.get("rows") or []:
                if isinstance(row, list) and len(row) == 3:
                    pins[(str(row[0]), str(row[1]))] = (row[2], entry.seq)
            last[:] = [entry]
            yield entry

    problems = [_chain_problem(p) for p in check_chain(walk())]
    present = triggers_present(conn)
    checked = 0
    tables = watched_tables(conn)
    for table in tables:
        missing = [n for n in _trigger_names(table.name) if n not in present]
        if missing:
            problems.append(Problem("unwatched", table.name, f"table {table.name} is not "
                                    f"watched (trigger {missing[0]} is gone): writes to it "
                                    "escape the registry log"))
        for key, digest in raw_rows(conn, table):
            checked += 1
            pin = pins.pop((table.name, key), None)
            if pin is None or pin[0] is None:
                problems.append(Problem("row_inserted", f"{table.name} {key}",
                                        f"{describe(conn, table.name, key)} has no registry "
                                        "entry: it was added outside Sabt"
                                        + (f" after registry entry {pin[1]} recorded its "
                                           "removal" if pin else "")))
            elif pin[0] != digest:
                problems.append(Problem("row_altered", f"{table.name} {key}",
                                        f"{describe(conn, table.name, key)} was altered outside "
                                        f"Sabt: its content no longer matches registry entry "
                                        f"{pin[1]}"))
    checked_tables = {table.name for table in tables}
    for (name, key), (pinned, seq) in sorted(pins.items()):   # pinned rows no table holds
        if name in checked_tables and pinned is not None:
            problems.append(Problem("row_deleted", f"{name} {key}",
                                    f"{describe(conn, name, key)} was deleted outside Sabt "
                                    f"(registry entry {seq} recorded it)"))
    head = Head(last[0].seq, last[0].hash) if last else Head(0, None)
    return problems, head, checked


def describe(conn: Connection, table: str, key: str) -> str:
    """How a message names a row: its table and key, and for a statement or a reference what it
    belongs to (ids only, never content)."""
    shown = key.replace(KEY_SEPARATOR, "/")
    names = {"revision": "revision", "entity": "entity", "source": "source",
             "statement": "statement", "reference": "reference", "sabt_user": "user",
             "sensitivity": "sensitivity mark", "list_record": "list record",
             "list_import": "list", "review_decision": "linkage decision",
             "person_record": "person link of record", "vault_item": "vault item",
             "change_log": "change log row", "link_run": "link run",
             "estimate_record": "saved estimate", "suggestion": "suggestion"}
    label = f"{names.get(table, table)} {shown}"
    owner = {"statement": ("entity_id", "of"), "reference": ("statement_id", "of statement")}
    if table in owner and key.isdigit():
        column, words = owner[table]
        found = conn.execute(select(_table(table).c[column]).where(
            _table(table).c.id == int(key))).scalar()
        if found is not None:
            label += f" ({words} {found})"
    return label


def _chain_problem(p: ChainProblem) -> Problem:
    return Problem(f"registry_log_{p.kind}", f"registry entry {p.seq}",
                   p.message.replace("log entr", "registry log entr"))
