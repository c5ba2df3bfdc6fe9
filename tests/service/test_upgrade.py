"""A workspace made before users existed upgrades: its authors become users, everything is
`internal`, and the person upgrading becomes an admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.command import downgrade

from sabt.errors import NeedsUpgrade
from sabt.model.statements import Text
from sabt.policy import Level, Role
from sabt.service import Workspace
from sabt.store import migrate
from sabt.store.workspace import Store


def test_authors_become_users_and_the_upgrader_an_admin(tmp_path: Path,
                                                        database_url: str | None) -> None:
    old = Store.create(tmp_path / "ws", database_url)
    for author in ("alice", "bob"):
        with old.change(author, "written before users existed") as ch:
            person = ch.add_entity("person", f"SYNTHETIC person by {author}")
            ch.add_statement(person, "name", Text(f"SYNTHETIC {author}"))
    with old.engine.begin() as conn:   # as if made by the Sabt before users existed
        downgrade(migrate._config(conn), "0007_access@-1")
    old.close()
    with pytest.raises(NeedsUpgrade):
        Workspace.open(tmp_path / "ws", database_url)

    before, after = Workspace.upgrade(tmp_path / "ws", database_url, admin="carol")
    assert "0007_access" not in before and "0007_access" in after
    with Workspace.open(tmp_path / "ws", database_url) as ws:
        carol = ws.actor("carol")
        assert Role.ADMIN in carol.roles and carol.clearance == Level.CONFIDENTIAL
        users = {u.id: u for u in ws.users.list(carol)}
        assert set(users) == {"alice", "bob", "carol"}
        assert users["alice"].roles == {Role.EDITOR}
        assert users["alice"].clearance == Level.INTERNAL
        alice = ws.actor("alice")
        # everything is internal: alice (cleared for internal) sees what bob wrote
        assert [e.label for e in ws.entities.list(alice, "person")] == [
            "SYNTHETIC person by alice", "SYNTHETIC person by bob"]
        history = ws.entities.history(alice, "P2")
        assert history[0].author == "bob"
    # upgrading again changes nothing
    assert Workspace.upgrade(tmp_path / "ws", database_url, admin="carol")[0] == after
