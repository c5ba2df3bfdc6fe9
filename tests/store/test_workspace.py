"""The workspace store on SQLite and PostgreSQL: statements, revisions, merges, atomicity."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from sabt.errors import InvalidValue, NotAWorkspace, NotFound, SabtError
from sabt.model.dates import Calendar, FuzzyDate
from sabt.model.statements import (
    EntityRef,
    Locator,
    NewStatement,
    Quantity,
    Reference,
    Text,
)
from sabt.store.workspace import Store


def _seed(ws: Store) -> dict[str, str]:
    with ws.change(author="tester", reason="seed") as ch:
        src = ch.add_source("Amnesty 2018 report", publisher="Amnesty International",
                            published="2018-12")
        org = ch.add_entity("organization", "Death Commission (Tehran)")
        per = ch.add_entity("person", "Hossein-Ali Montazeri")
        ch.add_statement(per, "name", Text("حسین‌علی منتظری", "fa"),
                         references=[Reference(src, Locator(page="12"), "Montazeri")],
                         confidence="high")
        ch.add_statement(per, "date of death", FuzzyDate("2009-12-19"))
        ch.add_statement(per, "date of death", FuzzyDate("2009-12-20"), confidence="low")
        ch.add_statement(per, "member of", EntityRef(org),
                         qualifiers={"start": FuzzyDate("1988-07"), "role": Text("critic")})
    return {"source": src, "org": org, "person": per}


def test_create_open_and_refuse_non_workspace(tmp_path: Path, database_url: str | None) -> None:
    ws = Store.create(tmp_path / "a", database_url)
    ws.close()
    assert Store.open(tmp_path / "a", database_url).counts().get("statements") == 0
    with pytest.raises(SabtError, match="already"):
        Store.create(tmp_path / "a", database_url)
    with pytest.raises(NotAWorkspace, match="sabt init"):
        Store.open(tmp_path / "nothing-here")


def test_ids_are_readable_and_stable(workspace: Store) -> None:
    ids = _seed(workspace)
    assert ids == {"source": "S1", "org": "O1", "person": "P1"}
    with workspace.change("tester") as ch:
        assert ch.add_entity("person", "Another", id="P2") == "P2"
        assert ch.add_entity("person", "Next") == "P3"  # the generator skips taken ids
        assert ch.add_entity("prison_ward", "Ward 3").startswith("PRI")
    with pytest.raises(InvalidValue, match="taken"), workspace.change("tester") as ch:
        ch.add_entity("person", "dup", id="P2")


def test_entity_view_shows_conflicts_side_by_side(workspace: Store) -> None:
    ids = _seed(workspace)
    view = workspace.entity(ids["person"])
    by_prop = {pv.property: pv for pv in view.view}
    assert by_prop["date of death"].conflict
    assert by_prop["date of death"].best.value == FuzzyDate("2009-12-19")
    assert len(by_prop["date of death"].candidates) == 2
    name = by_prop["name"].best
    assert name.references[0].locator.page == "12" and name.sourced
    member = by_prop["member of"].best
    assert member.qualifiers["start"] == FuzzyDate("1988-07")
    assert member.value == EntityRef(ids["org"])


def test_failed_change_writes_nothing(workspace: Store) -> None:
    ids = _seed(workspace)
    before = workspace.counts()
    with pytest.raises(NotFound), workspace.change("tester") as ch:
        ch.add_statement(ids["person"], "alias", Text("ok"))
        ch.add_statement(ids["person"], "alias", Text("bad"),
                         references=[Reference("S999")])
    assert workspace.counts() == before
    with pytest.raises(InvalidValue, match="not a source"), workspace.change("tester") as ch:
        ch.add_statement(ids["person"], "alias", Text("x"),
                         references=[Reference(ids["org"])])
    assert workspace.counts() == before


def test_retract_restore_and_history(workspace: Store) -> None:
    ids = _seed(workspace)
    first = workspace.entity(ids["person"]).statements[1].id
    with workspace.change(author="reviewer", reason="wrong day") as ch:
        ch.retract_statement(first, "obituary says the 20th")
    view = workspace.entity(ids["person"])
    dod = next(pv for pv in view.view if pv.property == "date of death")
    assert dod.best.value == FuzzyDate("2009-12-20") and not dod.conflict
    assert any(st.id == first and st.status.value == "retracted" for st in view.statements)
    with workspace.change("tester", reason="restored") as ch:
        ch.restore_statement(first, "checked again")
    actions = [(h.action, h.author) for h in workspace.history(ids["person"])]
    assert actions[0][0] == "created"
    assert ("retract", "reviewer") in actions and any(a == "restore" for a, _ in actions)
    with pytest.raises(InvalidValue, match="reason"), workspace.change("tester") as ch:
        ch.retract_statement(first, " ")


def test_merge_is_recorded_and_reversible(workspace: Store) -> None:
    ids = _seed(workspace)
    with workspace.change("tester") as ch:
        dup = ch.add_entity("person", "H. A. Montazeri")
        ch.add_statement(dup, "name", Text("Hossein Ali Montazeri", "en"))
    with workspace.change("tester", reason="same man") as ch:
        ch.merge(dup, ids["person"], "same name, same dates")
    view = workspace.entity(ids["person"])
    assert view.merged_from == (dup,)
    names = next(pv for pv in view.view if pv.property == "name")
    assert len(names.candidates) == 2
    assert workspace.entity(dup).merged_into == ids["person"]
    with pytest.raises(SabtError, match="cycle"), workspace.change("tester") as ch:
        ch.merge(ids["person"], dup)
    with pytest.raises(InvalidValue), workspace.change("tester") as ch:
        ch.merge(ids["org"], ids["person"])
    with workspace.change("tester") as ch:
        ch.unmerge(dup, "not the same after all")
    assert workspace.entity(ids["person"]).merged_from == ()
    assert {h.action for h in workspace.history(dup)} >= {"merge", "unmerge"}


def test_bulk_statements(workspace: Store) -> None:
    ids = _seed(workspace)
    items = [NewStatement(ids["person"], "mentioned in row", Quantity(i),
                          references=[Reference(ids["source"], Locator(row=i), f"row {i}")])
             for i in range(12_000)]
    with workspace.change("tester", reason="bulk") as ch:
        new = ch.add_statements(items)
    assert len(new) == 12_000 and len(set(new)) == 12_000
    counts = workspace.counts()
    assert counts["statements"] == 12_004 and counts["references"] == 12_001


def test_export_import_round_trip_is_lossless(workspace: Store, tmp_path: Path,
                                              database_url: str | None,
                                              request: pytest.FixtureRequest) -> None:
    ids = _seed(workspace)
    with workspace.change("tester") as ch:
        dup = ch.add_entity("person", "dup")
        ch.merge(dup, ids["person"])
        ch.add_statement(ids["person"], "date of birth",
                         FuzzyDate("1922", "۱۳۰۱", Calendar.SOLAR_HIJRI))
        st = ch.add_statement(ids["org"], "founded", FuzzyDate("1988-07~"))
        ch.retract_statement(st, "unsourced guess")
    first = io.StringIO()
    workspace.export_jsonl(first)
    path = tmp_path / "export.jsonl"
    path.write_text(first.getvalue(), encoding="utf-8")
    other_url = (request.getfixturevalue("pg_server").new_database()
                 if database_url else None)
    other = Store.create(tmp_path / "copy", other_url)
    counts = other.import_jsonl(path)
    assert counts["statement"] == workspace.counts()["statements"]
    second = io.StringIO()
    other.export_jsonl(second)
    assert second.getvalue() == first.getvalue()
    assert other.entity(ids["person"]).merged_from == (dup,)
    with pytest.raises(SabtError, match="makes a new workspace"):
        other.import_jsonl(path)
    other.close()


def test_import_rejects_bad_lines_and_leaves_nothing(tmp_path: Path) -> None:
    ws = Store.create(tmp_path / "ws")
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"format": "sabt-jsonl", "version": 1, "schema": []})
    rev = json.dumps({"table": "revision", "row": {"id": 1, "created_at": "2026-01-01T00:00:00",
                                                   "author": "a", "reason": ""}})
    path.write_text(f"{good}\n{rev}\n{{not json\n", encoding="utf-8")
    with pytest.raises(InvalidValue, match=r"bad.jsonl, row 3"):
        ws.import_jsonl(path)
    path.write_text(f"{good}\n" + json.dumps({"table": "nope", "row": {}}) + "\n",
                    encoding="utf-8")
    with pytest.raises(InvalidValue, match="unknown table"):
        ws.import_jsonl(path)
    with ws.engine.connect() as conn:
        assert conn.execute(text("select count(*) from revision")).scalar_one() == 0


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://someone:s3cret@127.0.0.1:1/nothing"
    with pytest.raises(SabtError) as info:
        Store.create(tmp_path / "ws", url)
    message = str(info.value)
    assert "unreachable" in message and "s3cret" not in message and "\n" not in message


def test_bulk_entities_skip_taken_ids(workspace: Store) -> None:
    with workspace.change("tester") as ch:
        ch.add_entity("person", "explicit", id="P3")
        ids = ch.add_entities("person", ["a", "b", "c", "d"])
    assert ids[:2] == ["P1", "P2"] and "P3" not in ids and len(set(ids)) == 4
    assert [workspace.entity(i).label for i in ids] == ["a", "b", "c", "d"]
    assert workspace.entity("P3").label == "explicit"
