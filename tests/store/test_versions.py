"""Schema versions: an older workspace says `sabt upgrade`, a newer one says upgrade Sabt."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.command import downgrade
from sqlalchemy import text

from sabt.errors import NeedsUpgrade, SabtError
from sabt.store import migrate
from sabt.store.workspace import Store


def test_older_workspace_asks_for_upgrade_then_works(tmp_path: Path,
                                                     database_url: str | None) -> None:
    ws = Store.create(tmp_path / "ws", database_url)
    area_heads = sorted(migrate.code_heads() - {"0001_foundation"})
    assert area_heads, "areas add their own migration branches"
    parents = migrate._scripts().get_revision(area_heads[0]).down_revision
    # one step back (to one of its parents, for a migration that joins branches)
    target = parents[-1] if isinstance(parents, tuple) else f"{area_heads[0]}@-1"
    with ws.engine.begin() as conn:  # roll one area back, as if made by an older Sabt
        downgrade(migrate._config(conn), target)
    ws.close()
    with pytest.raises(NeedsUpgrade, match="sabt upgrade"):
        Store.open(tmp_path / "ws", database_url)
    before, after = Store.upgrade(tmp_path / "ws", database_url)
    assert area_heads[0] not in before and after == migrate.code_heads()
    Store.open(tmp_path / "ws", database_url).close()


def test_newer_workspace_is_refused_clearly(tmp_path: Path) -> None:
    ws = Store.create(tmp_path / "ws")
    with ws.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future' WHERE "
                          "version_num = (SELECT MIN(version_num) FROM alembic_version)"))
    ws.close()
    with pytest.raises(SabtError, match="newer Sabt"):
        Store.open(tmp_path / "ws")


def test_migrations_match_the_table_definitions(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from sabt.store.all_tables import metadata

    ws = Store.create(tmp_path / "ws")
    with ws.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
