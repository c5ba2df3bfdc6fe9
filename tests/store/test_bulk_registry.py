"""Bulk writes stay pinned by the registry log, and the row hash is the canonical one.

The registry hashes each row as canonical JSON written directly (`registry.RowHasher`); these
tests hold it to `sabt.vault.chain.canonical_json` (plain `json.dumps`), the format the log's
entries and every existing pin use, over values of every kind the drivers return. A bulk
change read back in several key batches must leave `verify` with nothing to report, and the
name index written by COPY must find every person and name of the change.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from sabt.model.statements import Locator, NewStatement, Reference, Text
from sabt.store import name_index, registry
from sabt.store.workspace import Store
from sabt.vault.chain import canonical_json

_VALUES: list[Any] = [
    "", 'quote " backslash \\ newline \n tab \t nul \x00 unit \x1f', "حسین‌رضا رضایی", "😀",
    "\u2028\u2029\x7f", 0, -5, 10**30, True, False, 1.5, 1e300, Decimal("2.5"),
    date(2020, 1, 2), datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(2020, 1, 2),
    {"b": 1, "a": [1, "x", None]}, [1, 2], b"\x00\xff", None,
]
_NAMES = ["id", "Zeta", "a_b", "value_text", "ä", "row", "table", "x1", "x10", "x2"]


def _reference_hash(table: str, names: list[str], values: list[Any]) -> str:
    """The canonical form spelled out: {"row": {column: plain value}, "table": T}, NULLs out."""
    row = {n: registry._plain(v) for n, v in zip(names, values, strict=True) if v is not None}
    return hashlib.sha256(canonical_json({"row": row, "table": table})).hexdigest()


def test_row_hash_is_the_canonical_json_hash() -> None:
    rnd = random.Random(20)   # fixed seed: the same 5,000 rows every run
    for _ in range(5000):
        names = rnd.sample(_NAMES, rnd.randint(0, len(_NAMES)))
        values = [rnd.choice(_VALUES) for _ in names]
        assert registry.row_hash('t"x', names, values) == _reference_hash('t"x', names, values)


def test_one_hasher_serves_many_rows() -> None:
    names = ["id", "label", "kind"]
    hasher = registry.RowHasher("entity", names)
    for values in ([1, "Ali", "person"], [2, None, "person"], [3, "علی", None]):
        assert hasher.hash(values) == _reference_hash("entity", names, values)


def test_bulk_change_read_back_in_batches_verifies_clean(
        workspace: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_KEYS_PER_READ", 7)   # many key batches on PostgreSQL
    with workspace.change("tester", "SYNTHETIC bulk") as ch:
        src = ch.add_source("SYNTHETIC register")
        persons = ch.add_entities("person", [f"Hossein Rezaei {i}" for i in range(40)])
        ch.add_statements(
            NewStatement(p, prop, Text(text, lang), (Reference(src, Locator(row=i + 1), "q"),))
            for i, p in enumerate(persons)
            for prop, text, lang in (("name", "حسین رضایی", "fa"), ("prison", "Evin", None)))
    with workspace.change("tester", "SYNTHETIC retractions") as ch:   # ids with gaps
        ch.retract_statement(3, "SYNTHETIC")
        ch.retract_statement(7, "SYNTHETIC")
    with workspace.connect() as conn:
        problems, _head, checked = registry.verify(conn)
        pinned = {(str(r[0]), str(r[1])) for entry in registry.entries(conn)
                  for r in entry.details.get("rows") or []}
    assert problems == []
    assert checked >= 41 + 80 + 80   # entities, statements, references at least
    assert {("statement", str(i)) for i in range(1, 81)} <= pinned
    with workspace.connect() as conn:
        found, capped = name_index.candidates(conn, name_index.name_keys("حسین رضایی"), 100)
    assert set(found) == set(persons) and not capped


def test_a_large_seal_writes_numbered_parts_as_they_fill(
        workspace: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # Parts of 7 pins written 2 entries at a time: parts straddle tables, the last is short.
    monkeypatch.setattr(registry, "PINS_PER_ENTRY", 7)
    monkeypatch.setattr(registry, "ENTRIES_PER_WRITE", 2)
    with workspace.connect() as conn:
        before = registry.head(conn).seq
    with workspace.change("tester", "SYNTHETIC bulk") as ch:
        src = ch.add_source("SYNTHETIC register")
        persons = ch.add_entities("person", [f"Maryam Ahmadi {i}" for i in range(23)])
        ch.add_statements(NewStatement(p, "name", Text("مریم احمدی", "fa"),
                                       (Reference(src, Locator(row=i + 1), "q"),))
                          for i, p in enumerate(persons))
    with workspace.connect() as conn:
        problems, _head, _checked = registry.verify(conn)
        mine = [e for e in registry.entries(conn) if e.seq > before]
    assert problems == []
    rows = [tuple(r) for e in mine for r in e.details["rows"]]
    parts = len(mine)
    assert parts >= 4 and [e.details["part"] for e in mine] == list(range(1, parts + 1))
    assert {e.details["parts"] for e in mine} == {parts}
    assert all(len(e.details["rows"]) == 7 for e in mine[:-1])
    assert 1 <= len(mine[-1].details["rows"]) <= 7
    assert len(set(rows)) == len(rows) and rows == sorted(rows, key=lambda r: (r[0], r[1]))
    assert {("entity", p) for p in persons} <= {(r[0], r[1]) for r in rows}
    assert all(r[2] for r in rows)     # every row there, its hash pinned


def test_name_index_copy_twice_in_one_change(workspace: Store) -> None:
    """Two bulk writes of names in one transaction (the temporary table is reused)."""
    with workspace.change("tester", "SYNTHETIC names") as ch:
        first = ch.add_entities("person", ["Maryam Ahmadi"])
        second = ch.add_entities("person", ["Maryam Ahmadi", "Zahra Karimi"])
    with workspace.connect() as conn:
        found, _ = name_index.candidates(conn, name_index.name_keys("Maryam Ahmadi"), 10)
        other, _ = name_index.candidates(conn, name_index.name_keys("Zahra Karimi"), 10)
    assert set(found) == {first[0], second[0]}
    assert other == [second[1]]


def test_names_whose_forms_are_stored_index_on_a_new_connection(
        workspace: Store, database_url: str | None) -> None:
    """A connection that never stored a form (every form of its names is there already) still
    indexes the names: its temporary tables are its own."""
    with workspace.change("tester", "SYNTHETIC names") as ch:
        first = ch.add_entities("person", ["SYNTHETIC Maryam Ahmadi"])
    other = Store.open(workspace.root, database_url)      # a pool of its own
    try:
        with other.change("tester", "SYNTHETIC names") as ch:
            second = ch.add_entities("person", ["SYNTHETIC Maryam Ahmadi"])
        with other.connect() as conn:
            found, _ = name_index.candidates(
                conn, name_index.name_keys("SYNTHETIC Maryam Ahmadi"), 10)
    finally:
        other.close()
    assert sorted(found) == sorted(first + second)


@pytest.mark.parametrize("count", [6, 8, 15])
def test_pins_other_than_counted_are_refused(workspace: Store, count: int) -> None:
    # 7 pins against a count of 6 (one left over), 8 (the last part short) or 15 (a part
    # missing): an entry never silently drops a pin nor pins fewer rows than announced.
    pins: list[list[str | None]] = [["entity", str(i), "0" * 64] for i in range(7)]
    with workspace.engine.begin() as conn:
        writer = registry.Writer(conn, "tester")
        with pytest.raises(ValueError, match=r"not the \d+ counted"):
            writer.add_pins("change", None, {}, iter(pins), count)
