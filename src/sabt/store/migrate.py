"""Alembic migrations run programmatically: create, check and upgrade a workspace's schema.

Alembic is imported inside the functions: most commands only need `code_heads`, and importing
Alembic costs more than the rest of a quick command.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCRIPT_LOCATION = "sabt.store:migrations"


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def code_heads() -> set[str]:
    """The migration heads this version of Sabt expects (one per area branch)."""
    return set(_scripts().get_heads())


def database_heads(connection: Connection) -> set[str]:
    """The migration heads recorded in a database (empty for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    return set(MigrationContext.configure(connection).get_current_heads())


def is_known_revision(revision: str) -> bool:
    """Whether this version of Sabt knows a revision (an unknown one means a newer Sabt)."""
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown revision
        return False


def upgrade(engine: Engine) -> None:
    """Migrate the database to every head, then watch every registry table (a table watched
    for the first time has its rows pinned by a genesis entry), in one transaction."""
    from alembic.command import upgrade as alembic_upgrade

    from sabt.store import registry

    with engine.begin() as connection:
        alembic_upgrade(_config(connection), "heads")
        registry.install(connection)
