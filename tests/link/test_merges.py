"""Person merges as linkage decisions: captures, link runs and unmerge (SQLite and PostgreSQL).

SYNTHETIC data: the three lists of `small_lists` (fictional people from sabt.simulate).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from sabt.cli.app import acting_user
from sabt.errors import SabtError
from sabt.link import tables as lt
from sabt.link import workspace as lw
from sabt.link.captures import capture_table
from sabt.service import Workspace
from sabt.store import schema as t
from sabt.store.workspace import Store
from tests.pg_server import PgServer


@pytest.fixture
def linked(tmp_path: Path, small_lists: list[Path], database_url: str | None,
           ) -> Iterator[Store]:
    """Lists A and B imported and linked once, on each backend."""
    # the CLI test acts as the login user: make them the workspace's admin
    space = Workspace.create(tmp_path / "ws", database_url, admin=acting_user()).store
    for path, name in zip(small_lists[:2], "AB", strict=True):
        lw.import_list(space, path, name=name, author="tester")
    lw.run_linkage(space, author="tester")
    yield space
    space.close()


def _patterns(space: Store) -> dict[tuple[int, int], int]:
    caps = capture_table(space)
    return {(int(r.A), int(r.B)): int(r.count) for r in caps.itertuples()}


def _singletons(space: Store) -> tuple[int, str, int, str]:
    """A record of list A and one of list B, each the only record of its person."""
    frame = lw.run_clusters(space)
    alone = frame[frame.groupby("person_id")["record_id"].transform("size") == 1]
    a = alone[alone["source"] == "A"].iloc[0]
    b = alone[alone["source"] == "B"].iloc[-1]
    return int(a.record_id), str(a.person_id), int(b.record_id), str(b.person_id)


def _merged_into(space: Store, entity_id: str) -> str | None:
    with space.engine.connect() as conn:
        value = conn.execute(select(t.entity.c.merged_into).where(
            t.entity.c.id == entity_id)).scalar_one()
    return None if value is None else str(value)


def test_merge_and_unmerge_are_linkage_decisions(linked: Store) -> None:
    before = _patterns(linked)
    rec_a, person_a, rec_b, person_b = _singletons(linked)
    # Merging a person seen only on A with one seen only on B: one fewer person on each list
    # alone, one more on both (the other cells unchanged).
    expected = dict(before)
    expected[(1, 0)] -= 1
    expected[(0, 1)] -= 1
    expected[(1, 1)] = expected.get((1, 1), 0) + 1

    done = lw.merge_persons(linked, person_a, person_b, author="editor", reason="same man")
    assert (done.matches, done.undone) == (1, 0)
    with linked.engine.connect() as conn:
        assert lw.active_decisions(conn)[(min(rec_a, rec_b), max(rec_a, rec_b))] == "match"
    assert _patterns(linked) == expected            # before any new run: follows the pointer

    report = lw.run_linkage(linked, author="tester", full=True)
    assert (report.merges, report.merges_honoured) == (1, 1)
    frame = lw.run_clusters(linked).set_index("record_id")
    assert frame.loc[rec_a, "cluster"] == frame.loc[rec_b, "cluster"]
    # Each record keeps its own person; the merge pointer makes them one.
    assert (frame.loc[rec_a, "person_id"], frame.loc[rec_b, "person_id"]) == (person_a, person_b)
    assert _merged_into(linked, person_a) == person_b
    assert _patterns(linked) == expected
    view = linked.entity(person_b)
    assert person_a in view.merged_from
    assert {r.locator.row for st in view.statements for r in st.references} >= {
        int(frame.loc[rec_a, "row"]), int(frame.loc[rec_b, "row"])}

    split = lw.unmerge_persons(linked, person_a, author="editor", reason="two men after all")
    assert (split.into_id, split.undone, split.non_matches) == (person_b, 1, 0)
    assert _merged_into(linked, person_a) is None
    assert _patterns(linked) == before               # at once: two persons again
    report = lw.run_linkage(linked, author="tester")
    assert (report.merges, report.merges_honoured) == (0, 0)
    frame = lw.run_clusters(linked).set_index("record_id")
    assert frame.loc[rec_a, "cluster"] != frame.loc[rec_b, "cluster"]
    assert (frame.loc[rec_a, "person_id"], frame.loc[rec_b, "person_id"]) == (person_a, person_b)
    assert _patterns(linked) == before


def test_unmerge_of_persons_the_model_linked_records_non_matches(tmp_path: Path,
                                                                small_lists: list[Path],
                                                                ) -> None:
    space = Store.create(tmp_path / "ws")
    for path, name in zip(small_lists[:2], "AB", strict=True):
        lw.import_list(space, path, name=name, author="tester")
    lw.run_linkage(space, author="tester")
    frame = lw.run_clusters(space)
    pairs = frame.groupby("person_id")["record_id"].agg(list)
    a, b = sorted(int(x) for x in pairs[pairs.map(len) == 2].iloc[0])
    # A reviewer splits the model's pair; an editor then merges the two persons again.
    lw.decide(space, a, b, "non-match", reviewer="r1")
    lw.run_linkage(space, author="tester")
    people = lw.run_clusters(space).set_index("record_id")["person_id"]
    keep, other = str(people[a]), str(people[b])
    assert keep != other
    merged = lw.merge_persons(space, other, keep, author="editor")
    assert (merged.matches, merged.undone) == (1, 1)     # the reviewer's non-match is undone
    lw.run_linkage(space, author="tester")
    assert lw.run_clusters(space).set_index("record_id")["cluster"].loc[[a, b]].nunique() == 1
    # The model links the two records, so splitting them must record that they differ.
    split = lw.unmerge_persons(space, other, author="editor")
    assert (split.undone, split.non_matches) == (1, 1)
    with space.engine.connect() as conn:
        assert lw.active_decisions(conn)[(a, b)] == "non-match"
    lw.run_linkage(space, author="tester")
    after = lw.run_clusters(space).set_index("record_id")
    assert after.loc[a, "cluster"] != after.loc[b, "cluster"]
    assert (after.loc[a, "person_id"], after.loc[b, "person_id"]) == (keep, other)
    space.close()


def test_merge_is_all_or_nothing_and_plain_for_entities_without_records(
        workspace: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with workspace.change(author="editor", reason="two persons") as ch:
        p1 = ch.add_entity("person", "Hand-entered one")
        p2 = ch.add_entity("person", "Hand-entered two")
        org = ch.add_entity("organization", "An office")
    done = lw.merge_persons(workspace, p1, p2, author="editor", reason="same")
    assert (done.matches, done.non_matches, done.undone) == (0, 0, 0)
    assert _merged_into(workspace, p1) == p2
    with pytest.raises(SabtError, match="cannot merge a person into a organization"):
        lw.merge_persons(workspace, p2, org, author="editor")
    assert _merged_into(workspace, p2) is None

    def boom(*_args: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(lw, "_records_of", boom)
    with pytest.raises(RuntimeError):
        lw.unmerge_persons(workspace, p1, author="editor")
    assert _merged_into(workspace, p1) == p2            # the pointer was not cleared
    monkeypatch.undo()
    assert lw.unmerge_persons(workspace, p1, author="editor").into_id == p2
    assert _merged_into(workspace, p1) is None


def test_run_records_version_checksum_and_date(linked: Store) -> None:
    from sabt import __version__

    with linked.engine.connect() as conn:
        run = conn.execute(select(lt.link_run).order_by(lt.link_run.c.id.desc())).first()
        checksum = lw.input_checksum(conn)
    assert run is not None
    stats = run.stats
    assert run.software_version == __version__ and run.created_at is not None
    assert stats["input_checksum"] == checksum and len(checksum) == 64
    frame = lw.run_clusters(linked)
    a, b = (int(x) for x in frame["record_id"].iloc[:2])
    decision = lw.decide(linked, a, b, "skip", reviewer="r1")
    with linked.engine.connect() as conn:
        assert lw.input_checksum(conn) != checksum     # a decision is an input
    lw.undo_decision(linked, decision, reviewer="r1")
    with linked.engine.connect() as conn:
        assert lw.input_checksum(conn) == checksum


@pytest.mark.postgres
def test_input_checksum_is_the_same_on_both_databases(tmp_path: Path, small_lists: list[Path],
                                                      pg_server: PgServer) -> None:
    sums = []
    for name, url in (("lite", None), ("pg", pg_server.new_database())):
        space = Store.create(tmp_path / name, url)
        for path, list_name in zip(small_lists[:2], "AB", strict=True):
            lw.import_list(space, path, name=list_name, author="tester")
        lw.decide(space, 1, 2, "non-match", reviewer="r1")
        with space.engine.connect() as conn:
            sums.append(lw.input_checksum(conn))
        space.close()
    assert sums[0] == sums[1]


def test_cli_merge_counts_one_person(linked: Store, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sabt.cli import app

    if linked.engine.dialect.name != "sqlite":
        pytest.skip("the CLI path is the same on both databases")
    before = _patterns(linked)
    _rec_a, person_a, _rec_b, person_b = _singletons(linked)
    runner = CliRunner()
    common = ["--workspace", str(linked.root)]
    res = runner.invoke(app, ["merge", person_a, person_b, "--reason", "same", *common])
    assert res.exit_code == 0, res.output
    assert "1 match decisions recorded" in res.output
    assert sum(_patterns(linked).values()) == sum(before.values()) - 1
    res = runner.invoke(app, ["unmerge", person_a, "--reason", "not same", *common])
    assert res.exit_code == 0, res.output
    assert _patterns(linked) == before
    out = tmp_path / "caps.csv"
    res = runner.invoke(app, ["captures", "--out", str(out), *common])
    assert res.exit_code == 0, res.output
    assert int(pd.read_csv(out)["count"].sum()) == sum(before.values())
