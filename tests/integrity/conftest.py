"""A small SYNTHETIC case for the tamper tests: a source, a person with a sourced statement and
a vault item, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sabt.model.statements import Locator, Reference, Text
from sabt.policy import Actor
from sabt.service import Workspace
from sabt.vault.vault import Provenance


@dataclass
class Case:
    ws: Workspace
    me: Actor
    tmp: Path
    source: str
    person: str
    statement: int
    item: str           # sha256 of the vault item

    def sql(self, statement: str, **params: object) -> None:
        """A direct write to the database, as someone with a SQL shell would make it."""
        from sqlalchemy import text

        with self.ws.store.engine.begin() as conn:
            conn.execute(text(statement), params)

    def kinds(self) -> set[tuple[str, str]]:
        return {(p.kind, p.subject) for p in self.ws.integrity.verify(self.me).problems}


@pytest.fixture
def case(tmp_path: Path, database_url: str | None) -> Iterator[Case]:
    ws = Workspace.create(tmp_path / "ws", database_url, admin="alice")
    me = ws.actor("alice")
    source = ws.entities.add_source(me, "SYNTHETIC report on the prisons")
    person = ws.entities.add(me, "person", "SYNTHETIC Ahmad Rezaei")
    statement = ws.entities.add_statement(
        me, person, "name", Text("SYNTHETIC Ahmad Rezaei"),
        references=[Reference(source, Locator(page="4"), "SYNTHETIC quote")])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "note.txt").write_text("SYNTHETIC witness note\n", encoding="utf-8")
    report, _ = ws.vault.add(me, [tmp_path / "in"], Provenance("alice"), suggest=False)
    case = Case(ws, me, tmp_path, source, person, statement, report.added[0]["sha256"])
    assert ws.integrity.verify(me).ok
    yield case
    ws.close()
