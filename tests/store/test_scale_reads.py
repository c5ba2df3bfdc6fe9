"""Search and the export read in a bounded number of SQL statements, and the export streams.

Each builds a SYNTHETIC workspace of n persons who share a surname (a label and a Persian
`name` statement each, sourced); the statements sent to the database by a search and by the
export must be the same for n = 10 and n = 60 (no per-entity queries), and on PostgreSQL the
export must read every table through a server-side cursor (rows fetched in pages, so memory
does not grow with the workspace). The report's lists of entities are read as ids only, in
the person index's order.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from sabt.model.statements import Locator, NewStatement, Reference, Text
from sabt.service import Workspace
from sabt.store import jsonl, name_index
from sabt.store.workspace import Store


def _fill(ws: Workspace, n: int) -> None:
    with ws.store.change(author="tester", reason=f"SYNTHETIC: {n} persons") as ch:
        src = ch.add_source("SYNTHETIC list")
        persons = ch.add_entities("person", [f"Hossein Rezaei {i}" for i in range(n)])
        ch.add_statements(NewStatement(p, "name", Text("حسین رضایی", "fa"),
                                       (Reference(src, Locator(row=i + 1), "SYNTHETIC"),))
                          for i, p in enumerate(persons))


@contextmanager
def _counting(ws: Workspace) -> Iterator[list[tuple[str, str]]]:
    seen: list[tuple[str, str]] = []

    def count(_conn: Any, cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append((type(cursor).__name__, statement))

    event.listen(ws.store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(ws.store.engine, "before_cursor_execute", count)


def _reads(root: Path, url: str | None, n: int) -> dict[str, Any]:
    ws = Workspace.create(root, url, admin="tester")
    try:
        _fill(ws, n)
        actor = ws.actor("tester")
        ws.search.names(actor, "x")        # brings the name-key index up to date
        out: dict[str, Any] = {}
        with _counting(ws) as seen:
            out["hits"] = ws.search.names(actor, "Hosein Rezayi", limit=200).total
        out["search"] = seen
        with _counting(ws) as seen:
            text = io.StringIO()
            out["rows"] = ws.store.export_jsonl(text)
        out["export"] = seen
        return out
    finally:
        ws.close()


def test_search_and_export_do_not_grow_with_the_number_of_persons(
        tmp_path: Path, database_url: str | None, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl, "STREAM_ROWS", 7)   # several pages per table even at n = 10
    small = _reads(tmp_path / "ws10", database_url, 10)
    other = None if database_url is None else request.getfixturevalue("pg_server").new_database()
    large = _reads(tmp_path / "ws60", other, 60)
    # every person matches the query in both scripts (the Latin label, the Persian name)
    assert (small["hits"], large["hits"]) == (10, 60)
    assert len(small["search"]) == len(large["search"])
    assert len(small["export"]) == len(large["export"])
    assert large["rows"] > small["rows"] + 100
    if database_url is not None:
        # every table is read through a named (server-side) cursor: the export streams
        tables = [s for kind, s in large["export"] if s.lstrip().upper().startswith("SELECT")
                  and " ORDER BY " in s.upper()]
        assert tables
        assert all(kind == "ServerCursor" for kind, s in large["export"] if s in tables)


def test_name_keys_cover_both_scripts_and_the_whole_skeleton() -> None:
    from sabt.text import name_key, skeleton

    keys = name_index.name_keys("Hossein Rezaei")
    # each word's exact key and skeleton (marked "~"), and the whole name's skeleton ("=")
    for word in ("Hossein", "Rezaei"):
        assert name_key(word) in keys and "~" + skeleton(word) in keys
    assert "=" + skeleton("Hossein Rezaei") in keys
    # the Persian spelling shares the skeletons: found by the same index
    assert "~" + skeleton("Hossein") in name_index.name_keys("حسین رضایی")
    assert name_index.name_keys("   ") == set()


def test_standing_ids_leave_out_the_merged_and_sort_by_label(workspace: Store) -> None:
    """The report's person index order (case-folded label, then id), read as ids only."""
    with workspace.change("tester", "SYNTHETIC persons") as ch:
        ids = ch.add_entities("person", ["SYNTHETIC zahra", "SYNTHETIC Ali", "SYNTHETIC ali",
                                         "SYNTHETIC Reza"])
        ch.add_entity("place", "SYNTHETIC Evin")
        ch.merge(ids[3], ids[0], "SYNTHETIC: one person")
    assert workspace.standing_ids("person") == sorted(ids[:3])
    assert workspace.standing_ids("person", by_label=True) == [ids[1], ids[2], ids[0]]
