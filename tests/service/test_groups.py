"""Access groups are matched exactly, in Python and in the SQL that filters listings."""

from __future__ import annotations

from pathlib import Path

from sabt.policy import Level, Mark
from sabt.service import Workspace
from sabt.service.users import new_actor


def test_a_group_name_is_not_a_pattern(tmp_path: Path, database_url: str | None) -> None:
    ws = Workspace.create(tmp_path / "ws", database_url, admin="boss")
    boss = ws.users.update(ws.actor("boss"), "boss", groups=["a_b", "axb", "ab"])
    ws.users.add(boss, new_actor("mina", ["viewer"], groups=["a_b"]))
    ws.users.add(boss, new_actor("omid", ["viewer"], groups=["ab"]))
    for group in ("a_b", "axb"):
        ws.entities.add(boss, "person", f"SYNTHETIC in {group}",
                        mark=Mark(Level.INTERNAL, frozenset({group})))
    # "_" is a wildcard in SQL LIKE: it must not widen a group ("%" is refused in names)
    assert [e.label for e in ws.entities.list(ws.actor("mina"))] == ["SYNTHETIC in a_b"]
    assert [e.label for e in ws.entities.list(ws.actor("omid"))] == []
    ws.close()
