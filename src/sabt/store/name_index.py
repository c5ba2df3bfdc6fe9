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

``name_form`` holds each distinct indexed name's prepared form (`sabt.text.similarity.name_rep`
as JSON, with `REP_VERSION`), and that of each of its words, written with the keys. Preparing
a name (parsing, romanising its Persian words) costs far more than comparing two prepared
names, so a search reads its candidates' forms in one query instead of preparing names it has
not met. A name longer than `KEY_LENGTH` characters has no stored form, and a form
of another version is not used: both are prepared when met, with the same result.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Integer, String, Table, Text, func, literal_column, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from sabt.errors import InvalidValue
from sabt.store import schema as t
from sabt.store.lookup import one_of
from sabt.store.schema import metadata

if TYPE_CHECKING:
    from sabt.text.similarity import NameRep

KEY_LENGTH = 200
PAGE = 5000                       # names read per round trip when rebuilding
LOOKUP = 900                      # names per query (SQLite's limit is 999 parameters)
COMMON = 5000                     # a key more entities share drives no candidate search alone

name_index = Table(
    "name_index",
    metadata,
    Column("key", String(KEY_LENGTH), primary_key=True),
    Column("entity_id", String(64), primary_key=True),
)

name_form = Table(
    "name_form",
    metadata,
    Column("name", String(KEY_LENGTH), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("rep", Text, nullable=False),     # `rep_to_plain` as JSON
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
        words = _split(normalize, name)
        keys = {word_key(w) for w in words} | {"~" + skeleton(w) for w in words}
        if words:
            keys.add("=" + skeleton(" ".join(words)))
        return {k[:KEY_LENGTH] for k in keys if k.strip("~=")}

    return keys_of


def _split(normalize: Callable[[str], str], name: str) -> list[str]:
    return [w for w in normalize(name).replace("-", " ").split() if w]


def name_words(name: str) -> list[str]:
    """A name's words as the index and search read them (normalised, split at spaces and
    hyphens); pure."""
    return _split(_text_keys()[0], name)


def form_names(name: str) -> list[str]:
    """The strings whose forms a name needs (pure): the name and each of its words (a search
    compares a shorter query word by word); those longer than `KEY_LENGTH` are left out."""
    return [s for s in dict.fromkeys([name, *name_words(name)]) if s and len(s) <= KEY_LENGTH]


def add(conn: Connection, names: Iterable[tuple[str, str]]) -> None:
    """Index (entity id, name) pairs, and store the forms of names not stored yet; a key
    already there is left as it is.

    PostgreSQL: the pairs are copied to a temporary table and inserted from it in one
    statement; SQLite: one ``INSERT OR IGNORE`` through the driver's executemany."""
    pairs = list(names)
    keys_of = _keys_of(_text_keys())
    rows = {(key, entity_id) for entity_id, name in pairs for key in keys_of(name)}
    if not rows:
        return
    add_forms(conn, {name for _, name in pairs})
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql("INSERT OR IGNORE INTO name_index (key, entity_id) VALUES (?, ?)",
                             list(rows))
        return
    _copy_insert(conn, "name_index", "key text, entity_id text", rows, "DO NOTHING")


def add_forms(conn: Connection, names: Iterable[str]) -> None:
    """Store the forms `names` need (`form_names`) that are not stored in this version.

    The new forms are prepared together (`sabt.text.romanize.map_batched`: the Persian words the
    dictionary lacks go to the model in batches) and written in one statement (PostgreSQL:
    copied to a temporary table first; SQLite: ``INSERT OR REPLACE``)."""
    from sabt.text.romanize import map_batched
    from sabt.text.similarity import REP_VERSION, name_rep, rep_to_plain

    wanted = sorted({s for name in names for s in form_names(name)})
    have: set[str] = set()
    step = _step(conn, len(wanted))
    for start in range(0, len(wanted), step):
        have.update(conn.execute(select(name_form.c.name).where(
            one_of(conn, name_form.c.name, wanted[start:start + step]),
            name_form.c.version == REP_VERSION)).scalars())
    missing = [s for s in wanted if s not in have]
    if not missing:
        return
    reps = map_batched(name_rep, missing)
    rows = [(s, REP_VERSION, json.dumps(rep_to_plain(reps[s]), ensure_ascii=False,
                                        separators=(",", ":"))) for s in missing]
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql("INSERT OR REPLACE INTO name_form (name, version, rep) "
                             "VALUES (?, ?, ?)", rows)
        return
    _copy_insert(conn, "name_form", "name text, version integer, rep text", rows,
                 "(name) DO UPDATE SET version = EXCLUDED.version, rep = EXCLUDED.rep")


def _copy_insert(conn: Connection, table: str, columns: str, rows: Iterable[tuple[Any, ...]],
                 on_conflict: str) -> None:
    """PostgreSQL: `rows` copied to a temporary table (`columns`: names and types) and inserted
    into `table` from it in one statement, `ON CONFLICT on_conflict`; the temporary table is
    emptied after, so a transaction can do it again."""
    names = ", ".join(c.split()[0] for c in columns.split(","))
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table}_new ({columns}) "
                       "ON COMMIT DELETE ROWS")
        with cursor.copy(f"COPY {table}_new ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {table}_new "
                       f"ON CONFLICT {on_conflict}")
        cursor.execute(f"TRUNCATE {table}_new")


def _step(conn: Connection, count: int) -> int:
    """Values per lookup query: all at once on PostgreSQL (one array parameter), `LOOKUP` on
    SQLite."""
    return max(count, 1) if conn.dialect.name == "postgresql" else LOOKUP


def forms(conn: Connection, names: Iterable[str]) -> dict[str, NameRep]:
    """The stored forms of `names` in this version, in one query per `LOOKUP` names (one on
    PostgreSQL); a name without one is left out (the caller prepares it)."""
    from sabt.text.similarity import REP_VERSION, rep_from_plain

    wanted = sorted({s for s in names if s and len(s) <= KEY_LENGTH})
    step = _step(conn, len(wanted))
    out: dict[str, NameRep] = {}
    for start in range(0, len(wanted), step):
        for name, rep in conn.execute(select(name_form.c.name, name_form.c.rep).where(
                one_of(conn, name_form.c.name, wanted[start:start + step]),
                name_form.c.version == REP_VERSION)).tuples():
            try:
                out[name] = rep_from_plain(json.loads(rep))
            except (ValueError, InvalidValue):     # not a form: the caller prepares the name
                continue
    return out


def _pages(conn: Connection) -> Iterator[list[tuple[str, str]]]:
    """Every label and `name` statement as (entity id, name), a page at a time."""
    last = ""
    while rows := conn.execute(select(t.entity.c.id, t.entity.c.label)
                               .where(t.entity.c.id > last).order_by(t.entity.c.id)
                               .limit(PAGE)).all():
        yield [(r.id, r.label) for r in rows]
        last = rows[-1].id
    after = -1
    while rows := conn.execute(select(t.statement.c.id, t.statement.c.entity_id,
                                      t.statement.c.value_text)
                               .where(t.statement.c.id > after,
                                      t.statement.c.property == "name")
                               .order_by(t.statement.c.id).limit(PAGE)).all():
        yield [(r.entity_id, r.value_text) for r in rows if r.value_text]
        after = rows[-1].id


def rebuild(conn: Connection) -> None:
    """Index every label and `name` statement again from the start, and store their forms
    anew, a page at a time."""
    conn.execute(name_index.delete())
    conn.execute(name_form.delete())
    for page in _pages(conn):
        add(conn, page)


def fill_forms(conn: Connection) -> None:
    """Store the forms of every label and `name` statement that has none in this version, a
    page at a time (the keys are left as they are)."""
    for page in _pages(conn):
        add_forms(conn, (name for _, name in page))


def candidates(conn: Connection, keys: Iterable[str], cap: int) -> tuple[list[str], bool]:
    """Entities sharing a key with the query, those sharing most keys first (then by id), at most
    `cap`; and whether more were left out.

    A key more than `COMMON` entities share (or `cap`, if more: a common given name) does not
    bring candidates of its own when the query has a rarer key (a surname, the whole name):
    the candidates are the entities sharing a rarer key, ranked by all the keys they share,
    common ones included, and then, while there is room, those sharing every common key (by
    id). So a search for a full name reads the few hundred entities sharing its surname, not
    the hundred thousand sharing its given name, and the result is capped (more entities share
    a key than were read). A query whose keys are all common is answered from all of them."""
    wanted = sorted({k[:KEY_LENGTH] for k in keys})
    if not wanted:
        return [], False
    cap = max(cap, 0)
    common_from = max(COMMON, cap)          # so a common key alone means "capped"
    sizes = _key_sizes(conn, wanted, common_from + 1)
    rare = [k for k in wanted if sizes[k] <= common_from]
    if not rare or len(rare) == len(wanted):
        shared = func.count().label("shared")
        rows = conn.execute(select(name_index.c.entity_id, shared)
                            .where(name_index.c.key.in_(wanted))
                            .group_by(name_index.c.entity_id)
                            .order_by(shared.desc(), name_index.c.entity_id)
                            .limit(cap + 1)).all()
        return [r.entity_id for r in rows[:cap]], len(rows) > cap
    counts = dict(conn.execute(select(name_index.c.entity_id, func.count())
                               .where(name_index.c.key.in_(rare))
                               .group_by(name_index.c.entity_id)).tuples().all())
    common = [k for k in wanted if k not in rare]
    found = sorted(counts)
    step = _step(conn, len(found))
    for start in range(0, len(found), step):
        for entity_id, n in conn.execute(
                select(name_index.c.entity_id, func.count())
                .where(name_index.c.key.in_(common),
                       one_of(conn, name_index.c.entity_id, found[start:start + step]))
                .group_by(name_index.c.entity_id)).tuples():
            counts[entity_id] += n
    ranked = sorted(counts, key=lambda e: (-counts[e], e))[:cap]
    if len(ranked) < cap:     # room left: those sharing every common key, as before, by id
        taken = set(ranked)
        ranked += [e for e in _sharing_all(conn, common, cap) if e not in taken][
            :cap - len(ranked)]
    return ranked, True     # a common key: more than `cap` entities share it


def _sharing_all(conn: Connection, keys: list[str], limit: int) -> list[str]:
    """The first `limit` entities (by id) that have every one of `keys`: one key's entries are
    read in id order and each is looked up under the other keys, until `limit` are found."""
    first, *rest = keys
    query = select(name_index.c.entity_id).where(name_index.c.key == first)
    for key in rest:
        other = name_index.alias()
        query = query.where(select(other.c.entity_id).where(
            other.c.key == key, other.c.entity_id == name_index.c.entity_id).exists())
    return list(conn.execute(query.order_by(name_index.c.entity_id).limit(limit)).scalars())


def _key_sizes(conn: Connection, keys: list[str], bound: int) -> dict[str, int]:
    """How many entities have each key, counted up to `bound` (an index-only read of at most
    `bound` entries a key), in one query."""
    parts: list[Select[Any]] = []
    for i, key in enumerate(keys):
        entries = select(name_index.c.entity_id).where(name_index.c.key == key).limit(bound)
        parts.append(select(literal_column(str(i)).label("i"), func.count().label("n"))
                     .select_from(entries.subquery()))
    rows = conn.execute(union_all(*parts)).all()
    return {keys[int(r.i)]: int(r.n) for r in rows}
