"""A restricted value never appears in anything an unauthorised reader can reach: the entity
view, its history, listings, the claims board, exports, the report and error messages. Checked
by searching every output for the secret strings; the cleared reader's outputs must hold them
(so the search can fail)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest

from sabt.errors import NotFound, SabtError
from sabt.link.workspace import record_statements
from sabt.model.jsonview import entity_json
from sabt.model.statements import EntityRef, Locator, Quantity, Reference, Text
from sabt.policy import Actor
from sabt.service import Workspace
from sabt.service.users import new_actor

SECRETS = ("SECRET-DATE-1367", "SECRET-WITNESS-REPORT", "SECRET-QUOTE", "77777",
           "SECRET-ADDRESS", "SECRET-INFORMANT")


@pytest.fixture
def case(tmp_path: Path, database_url: str | None) -> tuple[Workspace, Actor, Actor]:
    ws = Workspace.create(tmp_path / "ws", database_url, admin="boss")
    boss = ws.actor("boss")
    ws.users.add(boss, new_actor("vi", ["viewer", "analyst"]))
    public_src = ws.entities.add_source(boss, "SYNTHETIC public article")
    secret_src = ws.entities.add_source(boss, "SECRET-WITNESS-REPORT",
                                        mark=_restricted())
    person = ws.entities.add(boss, "person", "SYNTHETIC victim", id="P1")
    informant = ws.entities.add(boss, "person", "SECRET-INFORMANT", id="P2",
                                mark=_restricted())
    ws.entities.add_statement(boss, person, "name", Text("SYNTHETIC victim"),
                              references=[Reference(public_src, Locator(page="1"), "victim")])
    death = ws.entities.add_statement(
        boss, person, "date of death", Text("SECRET-DATE-1367"),
        references=[Reference(secret_src, Locator(page="2"), "SECRET-QUOTE")])
    ws.entities.mark(boss, str(death), "restricted")
    ws.entities.add_statement(boss, person, "place of burial", Text("SYNTHETIC cemetery"),
                              references=[Reference(public_src, Locator(page="3"), "buried"),
                                          Reference(secret_src, Locator(page="4"),
                                                    "SECRET-QUOTE")])
    ws.entities.add_statement(boss, person, "address", Text("SECRET-ADDRESS"))
    ws.entities.mark(boss, person, "confidential", property="address")
    ws.entities.add_statement(boss, person, "reported by", EntityRef(informant))
    subject = ws.entities.add(boss, "subject", "SYNTHETIC toll", id="T1")
    ws.entities.add_statement(boss, subject, "figure", Quantity(1000),
                              references=[Reference(public_src, Locator(page="5"), "1,000")])
    ws.entities.add_statement(boss, subject, "figure", Quantity(77777),
                              references=[Reference(secret_src, Locator(page="6"),
                                                    "SECRET-QUOTE")])
    ws.entities.mark(boss, str(ws.entities.get(boss, subject).statements[-1].id), "restricted")
    return ws, boss, ws.actor("vi")


def _restricted():  # type: ignore[no-untyped-def]
    from sabt.policy import Level, Mark

    return Mark(Level.RESTRICTED)


def _everything(ws: Workspace, who: Actor, tmp: Path) -> str:
    """Every output this reader can reach, as one text (errors included)."""
    parts = [json.dumps(entity_json(ws.entities.get(who, "P1")), ensure_ascii=False),
             json.dumps([asdict(h) for h in ws.entities.history(who, "P1")], default=str),
             json.dumps([asdict(e) for e in ws.entities.list(who, limit=None)]),
             json.dumps(ws.entities.counts(who)),
             json.dumps([asdict(b) for b in ws.claims.board(who)], default=str),
             json.dumps(ws.exports.popolo(who)[0], ensure_ascii=False)]
    report = tmp / f"report-{who.id}.html"
    ws.reports.write(who, report, "SYNTHETIC redaction")
    parts.append(report.read_text(encoding="utf-8"))
    for call in (lambda: ws.entities.get(who, "P2"), lambda: ws.entities.source(who, "S2"),
                 lambda: ws.entities.history(who, "P2"),
                 lambda: ws.entities.add_statement(who, "P1", "x", Text("y"), references=[
                     Reference("S2", Locator(), "")])):
        try:
            parts.append(repr(call()))
        except SabtError as exc:
            parts.append(str(exc))
    return "\n".join(parts)


def test_nothing_restricted_reaches_an_uncleared_reader(
        case: tuple[Workspace, Actor, Actor], tmp_path: Path) -> None:
    ws, boss, viewer = case
    seen = _everything(ws, viewer, tmp_path)
    leaked = [s for s in SECRETS if s in seen]
    assert not leaked, f"leaked to a viewer: {leaked}"
    cleared = _everything(ws, boss, tmp_path)
    assert all(s in cleared for s in SECRETS)   # the search can find them


def test_withheld_is_shown_not_silently_missing(case: tuple[Workspace, Actor, Actor]) -> None:
    ws, _, viewer = case
    view = ws.entities.get(viewer, "P1")
    assert {w.property: w.count for w in view.withheld} == {
        "date of death": 1, "address": 1, "reported by": 1}
    burial = next(st for st in view.statements if st.property == "place of burial")
    assert len(burial.references) == 1 and burial.withheld_references == 1 and burial.sourced
    assert "date of death" not in {pv.property for pv in view.view}


def test_hidden_and_missing_items_answer_alike(case: tuple[Workspace, Actor, Actor]) -> None:
    ws, boss, viewer = case
    with pytest.raises(NotFound, match="no entity with id 'P2'"):
        ws.entities.get(viewer, "P2")
    with pytest.raises(NotFound, match="no entity with id 'P3'"):
        ws.entities.get(viewer, "P3")
    editor = ws.users.add(boss, new_actor("ed", ["editor"]))   # cleared for internal
    for source in ("S2", "S99"):
        with pytest.raises(NotFound, match=f"no entity with id '{source}'"):
            ws.entities.add_statement(editor, "P1", "x", Text("y"),
                                      references=[Reference(source, Locator(), "")])


def test_a_restricted_figure_is_left_off_the_board(case: tuple[Workspace, Actor, Actor],
                                                   ) -> None:
    ws, boss, viewer = case
    figures = [c.figure.replace(",", "") for b in ws.claims.board(viewer) for c in b.claims]
    assert figures == ["1000"]
    assert sorted(c.figure.replace(",", "") for b in ws.claims.board(boss)
                  for c in b.claims) == ["1000", "77777"]


def test_a_list_statement_quotes_its_own_cell_only() -> None:
    raw = {"نام": "علی", "نام خانوادگی": "رضایی", "تاریخ اعدام": "۱۳۶۷/۰۵/۰۸",
           "notes": "SECRET-INFORMANT said so"}
    columns = {"نام": "given_name", "نام خانوادگی": "family_name",
               "تاریخ اعدام": "death_date"}
    rec = {"source_id": "S9", "row": 4, "raw": json.dumps(raw, ensure_ascii=False),
           "given_name": "علی", "family_name": "رضایی", "father_name": None,
           "full_name": None, "prison": None, "place_of_death": None, "province": None,
           "affiliation": None, "sex_code": None, "birth_year_num": pd.NA, "age_num": pd.NA,
           "birth_date_fd": None, "death_date_fd": None, "death_date": "۱۳۶۷/۰۵/۰۸"}
    made = {st.property: st.references[0] for st in record_statements("P9", rec, columns)}
    assert made["given name"].quote == "علی"
    assert made["given name"].locator == Locator(row=4, column="نام")
    assert made["family name"].quote == "رضایی"
    assert made["date of death"].quote == "۱۳۶۷/۰۵/۰۸"
    assert all("SECRET" not in ref.quote for ref in made.values())


def test_a_read_whose_audit_cannot_be_written_fails(case: tuple[Workspace, Actor, Actor],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit fails closed: no audit row, no data."""
    ws, boss, viewer = case

    def broken(row: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ws.store, "write_audit", broken)
    with pytest.raises(SabtError, match="audit log could not be written"):
        ws.entities.get(boss, "P2")          # restricted: its read must be audited
    assert ws.entities.get(viewer, "P1").id == "P1"   # nothing restricted shown: no row needed
