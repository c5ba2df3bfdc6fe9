"""`ws.search`: names found through the name index in either script, filters that narrow by what
the reader may see (never by a hidden statement), and the index kept with the record (written
in the same change, rebuilt by a JSON Lines import)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sabt.errors import InvalidValue
from sabt.model.dates import FuzzyDate
from sabt.model.statements import EntityRef, Locator, Reference, Text
from sabt.policy import Actor, Level
from sabt.service import Workspace
from sabt.service.search import Filters
from sabt.service.users import new_actor


@pytest.fixture
def case(tmp_path: Path, database_url: str | None) -> tuple[Workspace, Actor, Actor]:
    ws = Workspace.create(tmp_path / "ws", database_url, admin="boss")
    boss = ws.actor("boss")
    ws.users.add(boss, new_actor("vi", ["viewer"]))        # cleared for internal only
    ws.entities.add_source(boss, "SYNTHETIC list A", id="LA")
    ws.entities.add_source(boss, "SYNTHETIC list B", id="LB")

    def person(pid: str, latin: str, persian: str, source: str, **facts: object) -> str:
        ws.entities.add(boss, "person", latin, id=pid)
        ref = [Reference(source, Locator(row=int(pid[1:])), latin)]
        ws.entities.add_statement(boss, pid, "name", Text(persian, "fa"), references=ref)
        for prop, value in facts.items():
            ws.entities.add_statement(boss, pid, prop.replace("_", " "), value,  # type: ignore[arg-type]
                                      references=ref)
        return pid

    person("P1", "SYNTHETIC Hosein Rezayi", "حسین رضایی", "LA",
           prison=Text("زندان اوین", "fa"), province=Text("Tehran"),
           date_of_death=FuzzyDate.from_date(date(1988, 7, 30)))
    person("P2", "SYNTHETIC Hossein Rezaei", "حسین رضائی", "LB",
           prison=Text("Gohardasht"), province=Text("Alborz"),
           date_of_death=FuzzyDate.from_date(date(1988, 9, 2)), role=Text("witness"))
    person("P3", "SYNTHETIC Hosein Rezaie", "حسین رضائی", "LB")
    org = ws.entities.add(boss, "organization", "SYNTHETIC commission", id="O1")
    ws.entities.add_statement(boss, "P3", "held post", EntityRef(org))
    # P2's prison is restricted: the viewer must not be able to filter on it
    secret = next(st.id for st in ws.entities.get(boss, "P2").statements
                  if st.property == "prison")
    ws.entities.mark(boss, str(secret), "restricted")
    ws.entities.mark(boss, "P3", "public")
    return ws, boss, ws.actor("vi")


def _ids(ws: Workspace, who: Actor, query: str, **filters: object) -> list[str]:
    page = ws.search.names(who, query, filters=Filters(**filters))  # type: ignore[arg-type]
    return sorted(h.id for h in page.hits)


def test_spellings_and_scripts_find_each_other(case: tuple[Workspace, Actor, Actor]) -> None:
    ws, boss, _ = case
    assert _ids(ws, boss, "Hosein Rezayi") == ["P1", "P2", "P3"]
    assert _ids(ws, boss, "رضائی") == ["P1", "P2", "P3"]
    assert _ids(ws, boss, "Ahmadi") == []


def test_filters_narrow_the_matches(case: tuple[Workspace, Actor, Actor]) -> None:
    ws, boss, _ = case
    assert _ids(ws, boss, "Rezaei", prison="Evin") == ["P1"]          # Persian value, Latin filter
    assert _ids(ws, boss, "Rezaei", province="تهران") == ["P1"]
    assert _ids(ws, boss, "Rezaei", list="LB") == ["P2", "P3"]
    assert _ids(ws, boss, "Rezaei", role="witness") == ["P2"]
    assert _ids(ws, boss, "Rezaei", role="official") == ["P3"]
    assert _ids(ws, boss, "Rezaei", died_from=date(1988, 8, 1)) == ["P2"]
    assert _ids(ws, boss, "Rezaei", died_to=date(1988, 8, 1)) == ["P1"]
    assert _ids(ws, boss, "Rezaei", sensitivity="public") == ["P3"]


def test_a_hidden_statement_never_satisfies_a_filter(
        case: tuple[Workspace, Actor, Actor]) -> None:
    ws, boss, viewer = case
    assert _ids(ws, boss, "Rezaei", prison="Gohardasht") == ["P2"]
    assert _ids(ws, viewer, "Rezaei", prison="Gohardasht") == []
    assert _ids(ws, viewer, "Rezaei") == ["P1", "P2", "P3"]


def test_bad_filters_name_their_field(case: tuple[Workspace, Actor, Actor]) -> None:
    ws, boss, _ = case
    with pytest.raises(InvalidValue) as bad:
        Filters.parse(died_from="30/07/1988")
    assert bad.value.field == "died_from"
    with pytest.raises(InvalidValue) as bad:
        ws.search.names(boss, "Rezaei", filters=Filters(sensitivity="secret"))
    assert bad.value.field == "sensitivity"
    with pytest.raises(InvalidValue) as bad:
        ws.search.names(boss, "Rezaei", filters=Filters(died_from=date(1989, 1, 1),
                                                        died_to=date(1988, 1, 1)))
    assert bad.value.field == "died_to"


def test_the_index_follows_the_record(case: tuple[Workspace, Actor, Actor],
                                      tmp_path: Path) -> None:
    ws, boss, _ = case
    ws.entities.add(boss, "person", "SYNTHETIC Aliakbari", id="P9")
    assert _ids(ws, boss, "SYNTHETIC Ali Akbari") == ["P9"]   # indexed in its own change
    out = tmp_path / "export.jsonl"
    ws.exports.jsonl(boss, out)
    copy, _ = Workspace.create_from_export(tmp_path / "copy", out, admin="boss")
    assert _ids(copy, copy.actor("boss"), "Hosein Rezayi") == ["P1", "P2", "P3"]
    assert _ids(copy, copy.actor("boss"), "SYNTHETIC Ali Akbari") == ["P9"]


def test_mark_is_used_for_sensitivity(case: tuple[Workspace, Actor, Actor]) -> None:
    ws, boss, _ = case
    ws.entities.mark(boss, "P1", "restricted")
    assert _ids(ws, boss, "Rezaei", sensitivity=str(Level.RESTRICTED)) == ["P1"]


def test_a_hidden_name_never_makes_a_hit(case: tuple[Workspace, Actor, Actor]) -> None:
    """A name the reader may not see neither finds its entity nor shows as the matched name;
    one who may see it finds the entity by it."""
    ws, boss, viewer = case
    ws.entities.add(boss, "person", "SYNTHETIC Kamran Tavakoli", id="P7")
    alias = ws.entities.add_statement(boss, "P7", "name", Text("SYNTHETIC Bahram Ghaffari"))
    ws.entities.mark(boss, str(alias), "restricted")
    found = ws.search.names(boss, "Bahram Ghaffari").hits
    assert [(h.id, h.matched) for h in found] == [("P7", "SYNTHETIC Bahram Ghaffari")]
    assert ws.search.names(viewer, "Bahram Ghaffari").hits == ()
    seen = ws.search.names(viewer, "Kamran Tavakoli").hits
    assert [(h.id, h.matched) for h in seen] == [("P7", "SYNTHETIC Kamran Tavakoli")]
