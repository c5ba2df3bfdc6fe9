"""`one_of` selects the same rows as an IN list on both databases: ids given once or twice,
ids that do not exist, and text that would mean something in a pattern (`%`, `_`, quotes)."""

from __future__ import annotations

from sqlalchemy import select

from sabt.store import schema as t
from sabt.store.lookup import one_of
from sabt.store.workspace import Store


def test_one_of_matches_exactly_the_values(workspace: Store) -> None:
    with workspace.change("tester", reason="SYNTHETIC entities") as ch:
        ids = [ch.add_entity("person", f"SYNTHETIC {label}", id=pid)
               for pid, label in (("P1", "a"), ("P10", "b"), ("P2", "c"))]
    assert ids == ["P1", "P10", "P2"]
    with workspace.connect() as conn:
        def found(values: list[str]) -> list[str]:
            return sorted(conn.execute(select(t.entity.c.id).where(
                one_of(conn, t.entity.c.id, values))).scalars())

        assert found(["P1", "P2", "P1", "P99"]) == ["P1", "P2"]
        assert found(["P%", "P_", "P1'; --"]) == []
        assert found([]) == []
        assert found([f"P{i}" for i in range(900)]) == ["P1", "P10", "P2"]
