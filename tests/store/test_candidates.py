"""The name index's candidates: a key many entities share (a common given name) ranks the
candidates found by rarer keys (a surname) instead of bringing its own, and the order is the
one the keys define — checked against the definition computed here from the names."""

from __future__ import annotations

import pytest

from sabt.store import name_index
from sabt.store.workspace import Store

# SYNTHETIC names: with COMMON lowered to 6, "Ali" (and the whole name "Ali", given to five
# entities) is common and the surnames are rare; "Alavi" and "Ali-Reza" share keys with both
GIVEN = ["Ali"] * 12 + ["Reza"] * 4 + ["Ali-Reza"] * 3
SURNAMES = ["Rostami", "Rostamy", "Karimi", "Alavi", "Ahmadi"]
NAMES = [f"{g} {SURNAMES[i % len(SURNAMES)]}" for i, g in enumerate(GIVEN)] + ["Ali"] * 7


def _expected(labels: dict[str, str], query: str, common_from: int,
              cap: int) -> tuple[list[str], bool]:
    """The definition: when the query has both rare and common keys, the entities sharing a
    rare key ranked by every key they share (then id), then, while there is room, those
    sharing every common key, by id; otherwise every entity sharing a key, ranked alike."""
    keys = name_index.name_keys(query)
    owners = {k: {e for e, label in labels.items() if k in name_index.name_keys(label)}
              for k in keys}
    rare = {k for k in keys if len(owners[k]) <= common_from}
    common = keys - rare

    def ranked(found: set[str]) -> list[str]:
        shared = {e: len(keys & name_index.name_keys(labels[e])) for e in found}
        return sorted(found, key=lambda e: (-shared[e], e))

    if not rare or not common:
        every = ranked({e for k in keys for e in owners[k]})
        return every[:cap], len(every) > cap
    first = ranked({e for k in rare for e in owners[k]})[:cap]
    rest = sorted(set.intersection(*(owners[k] for k in common)) - set(first))
    return (first + rest)[:cap], True


@pytest.mark.parametrize("query", ["Ali Rostami", "Ali-Reza Karimi", "Reza Alavi", "Ali",
                                   "Karimi", "Ali Nosuchname"])
def test_candidates_follow_the_definition(workspace: Store, query: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(name_index, "COMMON", 6)
    with workspace.change("tester", "SYNTHETIC persons") as ch:
        ids = ch.add_entities("person", [f"SYNTHETIC {n}" if n != "Ali" else n for n in NAMES])
    labels = dict(zip(ids, [f"SYNTHETIC {n}" if n != "Ali" else n for n in NAMES],
                      strict=True))
    with workspace.connect() as conn:
        for cap in (3, 8, 40):
            got = name_index.candidates(conn, name_index.name_keys(query), cap)
            assert got == _expected(labels, query, max(6, cap), cap), (query, cap)


def test_a_full_name_is_found_past_its_common_given_name(
        workspace: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """More entities share the given name than the cap, the one wanted among the last ids:
    its surname still brings it in, first."""
    monkeypatch.setattr(name_index, "COMMON", 5)
    with workspace.change("tester", "SYNTHETIC persons") as ch:
        others = ch.add_entities("person", [f"Ali Person{i}" for i in range(30)])
        wanted = ch.add_entity("person", "Ali Rostami")
    with workspace.connect() as conn:
        found, capped = name_index.candidates(conn, name_index.name_keys("Ali Rostami"), 10)
    assert found[0] == wanted and capped
    assert set(found[1:]) <= set(others)

