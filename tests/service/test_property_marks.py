"""A property's mark (`sabt mark P1 … --property address`) hides that property's statements on
its entity, on the entity it is merged into, and in bulk reads (the claims board), and never
on another entity whose id merely starts the same way — on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from sabt.model.statements import Quantity, Text
from sabt.policy import Actor
from sabt.service import Workspace
from sabt.service.users import new_actor


@pytest.fixture
def case(tmp_path: Path, database_url: str | None) -> tuple[Workspace, Actor, Actor]:
    ws = Workspace.create(tmp_path / "ws", database_url, admin="boss")
    boss = ws.actor("boss")
    ws.users.add(boss, new_actor("vi", ["viewer"]))          # cleared for internal only
    for pid in ("P1", "P10", "P2", "P3", "P4"):
        ws.entities.add(boss, "person", f"SYNTHETIC person {pid}", id=pid)
        ws.entities.add_statement(boss, pid, "address", Text(f"SYNTHETIC address of {pid}"))
    ws.entities.mark(boss, "P1", "confidential", property="address")
    ws.entities.mark(boss, "P3", "confidential", property="address")
    return ws, boss, ws.actor("vi")


def _addresses(ws: Workspace, who: Actor, pid: str) -> list[str]:
    return sorted(st.value.text for st in ws.entities.get(who, pid).statements
                  if st.property == "address" and isinstance(st.value, Text))


def test_the_mark_hides_its_property_only_on_its_entity(
        case: tuple[Workspace, Actor, Actor]) -> None:
    ws, boss, viewer = case
    assert _addresses(ws, viewer, "P1") == []
    assert {w.property: w.count for w in ws.entities.get(viewer, "P1").withheld} == {
        "address": 1}
    assert _addresses(ws, viewer, "P10") == ["SYNTHETIC address of P10"]
    assert _addresses(ws, boss, "P1") == ["SYNTHETIC address of P1"]


def test_the_mark_follows_a_merge_both_ways(case: tuple[Workspace, Actor, Actor]) -> None:
    ws, boss, viewer = case
    ws.entities.add_statement(boss, "P2", "phone", Text("SYNTHETIC phone of P2"))
    ws.entities.mark(boss, "P1", "confidential", property="phone")   # P1 has no phone itself
    ws.entities.merge(boss, "P2", "P1")    # P2's phone is now shown on P1, whose is marked
    ws.entities.merge(boss, "P3", "P4")    # P3's marked address is now shown on P4
    phones = [st for st in ws.entities.get(viewer, "P1").statements if st.property == "phone"]
    assert phones == []
    assert _addresses(ws, viewer, "P4") == ["SYNTHETIC address of P4"]
    assert len([st for st in ws.entities.get(boss, "P1").statements
                if st.property == "phone"]) == 1
    assert _addresses(ws, boss, "P4") == ["SYNTHETIC address of P3", "SYNTHETIC address of P4"]


def test_a_property_mark_leaves_the_figures_off_the_board(
        case: tuple[Workspace, Actor, Actor]) -> None:
    ws, boss, viewer = case
    for sid in ("T1", "T10"):
        ws.entities.add(boss, "subject", f"SYNTHETIC toll {sid}", id=sid)
        ws.entities.add_statement(boss, sid, "figure", Quantity(1000))
    ws.entities.mark(boss, "T1", "confidential", property="figure")
    seen = {b.subject_id: len(b.claims) for b in ws.claims.board(viewer)}
    assert seen == {"T1": 0, "T10": 1}
    assert {b.subject_id: len(b.claims) for b in ws.claims.board(boss)} == {"T1": 1, "T10": 1}
