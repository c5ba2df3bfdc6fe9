"""Shared fixtures: a workspace on SQLite and on a real PostgreSQL server (started here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sabt.store.workspace import Store
from tests.pg_server import PgServer, find_bin_dir


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("SABT_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL server binaries not found (apt-get install postgresql)")
        pytest.skip("PostgreSQL not installed; `./run test` installs it")
    server = PgServer.start(bin_dir)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None for the embedded SQLite default, or a fresh PostgreSQL database's URL."""
    if request.param == "sqlite":
        return None
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database()


@pytest.fixture
def workspace(tmp_path: Path, database_url: str | None) -> Iterator[Store]:
    """A new empty workspace, once per backend."""
    ws = Store.create(tmp_path / "ws", database_url)
    yield ws
    ws.close()
