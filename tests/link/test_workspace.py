"""Linkage in a workspace: import, versioned runs, persons with sources, review, captures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from sabt.cli import app
from sabt.errors import SabtError
from sabt.link import tables as lt
from sabt.link import workspace as lw
from sabt.link.captures import capture_table
from sabt.link.options import LinkSettings
from sabt.store import schema as t
from sabt.store.workspace import Store


@pytest.fixture
def ws(tmp_path: Path, small_lists: list[Path]) -> Store:
    space = Store.create(tmp_path / "ws")
    for path, name in zip(small_lists, "ABC", strict=True):
        lw.import_list(space, path, name=name, author="tester")
    return space


def _count(space: Store, table: object) -> int:
    with space.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_import_is_idempotent_and_names_are_unique(ws: Store, small_lists: list[Path],
                                                   tmp_path: Path) -> None:
    before = _count(ws, lt.list_record)
    again = lw.import_list(ws, small_lists[0], name="other", author="tester")
    assert again.already_imported and again.source_id is not None
    changed = tmp_path / "SYNTHETIC_changed.csv"
    changed.write_bytes(small_lists[0].read_bytes() + b"\n")
    with pytest.raises(SabtError, match="already imported as 'A'"):
        lw.import_list(ws, changed, name="A", author="tester")
    dry = lw.import_list(ws, changed, name="D", dry_run=True, author="tester")
    assert dry.source_id is None and len(dry.parsed.records) > 0
    assert _count(ws, lt.list_record) == before


def test_failed_import_rolls_back(ws: Store, tmp_path: Path) -> None:
    bad = tmp_path / "SYNTHETIC_bad.csv"
    bad.write_text("Surname,Surname\nA,B\n", encoding="utf-8")
    before = _count(ws, lt.list_import)
    with pytest.raises(SabtError, match="duplicate column headers"):
        lw.import_list(ws, bad, name="bad", author="tester")
    assert _count(ws, lt.list_import) == before


def test_run_persons_review_and_captures(ws: Store, tmp_path: Path) -> None:
    first = lw.run_linkage(ws, LinkSettings(review_low=0.3), author="tester")
    clusters = lw.run_clusters(ws)
    assert len(clusters) == _count(ws, lt.list_record)
    assert clusters["person_id"].nunique() == first.clusters
    # Every statement of a person references a list row.
    person = clusters.groupby("person_id").size().idxmax()
    view = ws.entity(person)
    assert view.statements
    for st in view.statements:
        assert st.references and st.references[0].locator.row is not None

    # Re-running with the same inputs and settings gives the same persons.
    second = lw.run_linkage(ws, LinkSettings(review_low=0.3), author="tester")
    again = lw.run_clusters(ws)
    assert second.run_id > first.run_id and second.persons_created == 0
    assert again.set_index("record_id")["person_id"].equals(
        clusters.set_index("record_id")["person_id"])

    # A reviewer splits two linked records: the next run keeps them apart; undo restores.
    sizes = again.groupby("person_id")["record_id"].agg(list)
    a, b = (int(x) for x in sizes[sizes.map(len) >= 2].iloc[0][:2])
    did = lw.decide(ws, a, b, "non-match", reviewer="r1")
    lw.run_linkage(ws, LinkSettings(review_low=0.3), author="tester")
    split = lw.run_clusters(ws).set_index("record_id")["person_id"]
    assert split[a] != split[b]
    lw.undo_decision(ws, did, reviewer="r1")
    lw.run_linkage(ws, LinkSettings(review_low=0.3), author="tester")
    joined = lw.run_clusters(ws).set_index("record_id")["person_id"]
    assert joined[a] == joined[b]

    # Offline review round trip: export the queue, decide one pair, import it back.
    out = tmp_path / "decisions.csv"
    lw.export_decisions(ws, out)
    sheet = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(sheet) > 0
    sheet.loc[0, "decision"] = "match"
    sheet.to_csv(out, index=False)
    assert lw.import_decisions(ws, out, reviewer="offline") == 1
    assert lw.import_decisions(ws, out, reviewer="offline") == 0   # importing twice: no-op

    caps = capture_table(ws)
    assert list(caps.columns) == ["A", "B", "C", "count"]
    assert caps["count"].sum() == lw.run_clusters(ws)["person_id"].nunique()
    strat = capture_table(ws, "province")
    assert strat["count"].sum() == caps["count"].sum()


def test_failed_run_keeps_the_previous_one(ws: Store,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    lw.run_linkage(ws, author="tester")
    runs, persons = _count(ws, lt.link_run), _count(ws, lt.person_record)

    def boom(*_args: object, **_kw: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(lw, "_assign_persons", boom)
    with pytest.raises(RuntimeError):
        lw.run_linkage(ws, author="tester")
    assert (_count(ws, lt.link_run), _count(ws, lt.person_record)) == (runs, persons)


def test_cli_import_link_captures(tmp_path: Path, small_lists: list[Path]) -> None:
    runner = CliRunner()
    space = tmp_path / "cli-ws"
    common = ["--workspace", str(space)]
    assert runner.invoke(app, ["init", *common]).exit_code == 0
    dry = runner.invoke(app, ["import-list", str(small_lists[0]), "--name", "A", "--dry-run",
                              *common])
    assert dry.exit_code == 0, dry.output
    assert "given_name" in dry.output
    for path, name in zip(small_lists, "ABC", strict=True):
        res = runner.invoke(app, ["import-list", str(path), "--name", name, *common])
        assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["import-list", str(small_lists[0]), "--name", "A", *common])
    assert "already imported" in res.output
    res = runner.invoke(app, ["link", *common])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["review", *common], input="m\nq\n")
    assert res.exit_code == 0, res.output
    assert "1 decisions recorded" in res.output and "given name" in res.output
    with Store.open(space) as opened, opened.engine.connect() as conn:
        assert list(lw.active_decisions(conn).values()) == ["match"]
    out = tmp_path / "caps.csv"
    res = runner.invoke(app, ["captures", "--out", str(out), *common])
    assert res.exit_code == 0, res.output
    assert list(pd.read_csv(out).columns) == ["A", "B", "C", "count"]


def _persons_and_statements(space: Store) -> tuple[object, ...]:
    """Each record's person, every person's statements, and each record's statements as the
    person-record links name them (by what they say, not by id)."""
    clusters = lw.run_clusters(space).set_index("record_id")["person_id"].to_dict()
    facts = sorted((st.entity_id, st.property, str(st.value), str(st.references[0].locator))
                   for pid in set(clusters.values()) for st in space.entity(pid).statements)
    with space.engine.connect() as conn:
        said = {r.id: (r.entity_id, r.property, r.value_text)
                for r in conn.execute(select(t.statement))}
        links = sorted((r.record_id, tuple(said[i] for i in r.statement_ids))
                       for r in conn.execute(select(lt.person_record)))
    return clusters, facts, links


def test_a_run_written_a_few_records_at_a_time_is_the_same(
        ws: Store, tmp_path: Path, small_lists: list[Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    lw.run_linkage(ws, author="tester")
    whole = _persons_and_statements(ws)
    other = Store.create(tmp_path / "other")
    for path, name in zip(small_lists, "ABC", strict=True):
        lw.import_list(other, path, name=name, author="tester")
    monkeypatch.setattr(lw, "RECORDS_PER_WRITE", 7)   # many parts, the last one short
    assert len(whole[0]) > 3 * 7
    lw.run_linkage(other, author="tester")
    assert _persons_and_statements(other) == whole
