"""Alembic migrations run programmatically: create, check and upgrade a workspace's schema."""

from __future__ import annotations

from alembic.command import upgrade as _upgrade
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

SCRIPT_LOCATION = "sabt.store:migrations"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def code_heads() -> set[str]:
    """The migration heads this version of Sabt expects (one per area branch)."""
    return set(ScriptDirectory.from_config(_config()).get_heads())


def database_heads(connection: Connection) -> set[str]:
    """The migration heads recorded in a database (empty for an empty database)."""
    return set(MigrationContext.configure(connection).get_current_heads())


def is_known_revision(revision: str) -> bool:
    """Whether this version of Sabt knows a revision (an unknown one means a newer Sabt)."""
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown revision
        return False


def upgrade(engine: Engine) -> None:
    """Migrate the database to every head, in one transaction."""
    with engine.begin() as connection:
        _upgrade(_config(connection), "heads")
