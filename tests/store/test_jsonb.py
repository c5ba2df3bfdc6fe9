"""JSON columns are JSONB on PostgreSQL; migration 0006_jsonb converts older workspaces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.command import downgrade
from sqlalchemy import JSON, inspect
from sqlalchemy.dialects.postgresql import JSONB

from sabt.model.dates import FuzzyDate
from sabt.model.statements import Text
from sabt.store import migrate
from sabt.store.all_tables import metadata
from sabt.store.workspace import Store
from tests.pg_server import PgServer


def _json_columns() -> dict[str, set[str]]:
    """Every JSON column the table definitions declare, by table."""
    out: dict[str, set[str]] = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, JSON):
                out.setdefault(table.name, set()).add(column.name)
    return out


def _column_types(space: Store) -> dict[tuple[str, str], type]:
    with space.engine.connect() as conn:
        found = inspect(conn)
        return {(table, col["name"]): type(col["type"]) for table in _json_columns()
                for col in found.get_columns(table)}


def _created_before_jsonb() -> set[str]:
    """The tables made by the migrations 0006_jsonb converts (later ones make JSONB columns
    from the start)."""
    scripts = migrate._scripts()
    older = ("0001_foundation", "0002_vault", "0003_linkage", "0004_claims")
    made: set[str] = set()
    for name in older:
        source = Path(scripts.get_revision(name).path).read_text(encoding="utf-8")
        made |= set(re.findall(r"create_table\(\s*[\"'](\w+)[\"']", source))
    return made


def test_the_migration_converts_every_json_column() -> None:
    module = migrate._scripts().get_revision("0006_jsonb").module
    older = _created_before_jsonb()
    assert {"statement", "list_record", "vault_item"} <= older
    assert {k: set(v) for k, v in module.COLUMNS.items()} == {
        table: cols for table, cols in _json_columns().items() if table in older}


def test_json_columns_are_jsonb_on_postgresql(workspace: Store) -> None:
    types = _column_types(workspace)
    wanted = JSONB if workspace.engine.dialect.name == "postgresql" else JSON
    for table, columns in _json_columns().items():
        for column in columns:
            assert issubclass(types[(table, column)], wanted), (table, column)


@pytest.mark.postgres
def test_upgrade_turns_json_into_jsonb_keeping_values(tmp_path: Path,
                                                      pg_server: PgServer) -> None:
    url = pg_server.new_database()
    space = Store.create(tmp_path / "ws", url)
    with space.change(author="tester", reason="a statement with qualifiers") as ch:
        person = ch.add_entity("person", "Someone")
        sid = ch.add_statement(person, "held post", Text("judge"),
                               qualifiers={"start": FuzzyDate("1988-07"),
                                           "role": Text("critic")})
    with space.engine.begin() as conn:   # as made before 0006_jsonb: plain json columns
        downgrade(migrate._config(conn), "0004_claims")
    before = _column_types(space)[("statement", "qualifiers")]
    assert issubclass(before, JSON) and not issubclass(before, JSONB)
    space.close()
    Store.upgrade(tmp_path / "ws", url)
    with Store.open(tmp_path / "ws", url) as space:
        assert issubclass(_column_types(space)[("statement", "qualifiers")], JSONB)
        st = space.statement(sid)
        assert st.qualifiers == {"start": FuzzyDate("1988-07"), "role": Text("critic")}
