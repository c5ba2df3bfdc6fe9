"""Capture histories counted while the run's rows stream past, against the same counts made
from every record in memory (SQLite and PostgreSQL).

SYNTHETIC data: the three lists of `small_lists` (fictional people from sabt.simulate).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sabt.errors import InvalidValue, NotFound
from sabt.link import captures
from sabt.link import workspace as lw
from sabt.service import Workspace
from sabt.store.workspace import Store


@pytest.fixture
def linked(tmp_path: Path, small_lists: list[Path], database_url: str | None,
           ) -> Iterator[Store]:
    """Three lists imported, linked once, and two persons merged since."""
    space = Workspace.create(tmp_path / "ws", database_url, admin="tester").store
    for path, name in zip(small_lists, "ABC", strict=True):
        lw.import_list(space, path, name=name, author="tester")
    lw.run_linkage(space, author="tester")
    frame = lw.run_clusters(space)
    alone = frame[frame.groupby("person_id")["record_id"].transform("size") == 1]
    a = str(alone[alone["source"] == "A"].iloc[0].person_id)
    b = str(alone[alone["source"] == "C"].iloc[-1].person_id)
    lw.merge_persons(space, b, a, author="editor", reason="SYNTHETIC: same person")
    yield space
    space.close()


def _in_memory(space: Store, strata: str | None) -> pd.DataFrame:
    """The table made the plain way: every record loaded, persons after merges, one-hot by
    list, each person's stratum the most frequent spelling-normalised value (ties:
    alphabetical; none: unknown)."""
    from sabt.estimate.strata import stratum_labels

    frame = lw.run_clusters(space)
    lists = sorted(frame["source"].unique())
    onehot = pd.crosstab(frame["person"], frame["source"]).clip(upper=1)[lists]
    keys = list(lists)
    if strata is not None:
        frame[strata] = stratum_labels(
            [v if isinstance(v, str) else None for v in frame[strata]])[0]

        def pick(values: pd.Series) -> str:
            found = Counter(str(v) for v in values if isinstance(v, str) and v)
            return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if found \
                else "unknown"
        onehot[strata] = frame.groupby("person")[strata].agg(pick)
        keys = [strata, *lists]
    table = onehot.groupby(keys).size().reset_index(name="count")
    return table[[*lists, *([strata] if strata else []), "count"]].reset_index(drop=True)


@pytest.mark.parametrize("strata", [None, "province", "sex_code"])
def test_streamed_table_equals_the_in_memory_one(linked: Store, strata: str | None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    want = _in_memory(linked, strata)
    persons_of_the_run = lw.run_clusters(linked)["person_id"].nunique()

    def no_loading(*_a: object, **_k: object) -> None:
        raise AssertionError("capture_table loaded every record")

    monkeypatch.setattr(lw, "load_records", no_loading)
    got = captures.capture_table(linked, strata)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert got["count"].sum() == want["count"].sum()
    assert got["count"].sum() == persons_of_the_run - 1  # the merge joined two persons


def test_run_members_are_the_run_clusters_columns(linked: Store) -> None:
    full = lw.run_clusters(linked)
    got = captures.run_members(linked, "province")
    assert got["record_id"].tolist() == full["record_id"].tolist()
    assert got["source"].tolist() == full["source"].tolist()
    assert got["person"].tolist() == full["person"].tolist()
    stripped = [v.strip() or None if isinstance(v, str) else None for v in full["province"]]
    assert got["province"].tolist() == stripped
    assert got["person"].nunique() == full["person_id"].nunique() - 1  # after the merge


def test_bad_stratum_and_no_run_say_so(tmp_path: Path) -> None:
    space = Workspace.create(tmp_path / "ws", admin="tester").store
    try:
        with pytest.raises(NotFound, match="no link run yet"):
            captures.capture_table(space)
        with pytest.raises(InvalidValue, match="unknown stratum column 'raw'"):
            captures.capture_table(space, "raw")
        with pytest.raises(NotFound, match="no link run yet"):
            captures.run_members(space)
    finally:
        space.close()


def test_tally_gathers_merged_persons_wherever_their_rows_fall() -> None:
    rows = [("P1", "A", "Tehran"), ("P1", "B", ""), ("P2", "A", "تهران"), ("P3", "C", "Qom"),
            ("P4", "B", "Qom"), ("P4", "B", "Tehran"), ("P5", "C", "")]
    # P5 was merged into P2 and P4 into P1: rows of one person are not adjacent to its root's
    tally = captures.tally_captures(rows, {"P5": "P2", "P4": "P1"})
    assert sum(tally.values()) == 3
    assert tally[frozenset("AB"), (("Qom", 1), ("Tehran", 2))] == 1
    assert tally[frozenset("AC"), (("تهران", 1),)] == 1
    assert tally[frozenset("C"), (("Qom", 1),)] == 1
    frame = captures.capture_frame(tally, "province")
    # تهران and Tehran are one stratum, labelled by its Latin spelling
    assert sorted(frame["province"]) == ["Qom", "Tehran", "Tehran"]
    assert list(frame.columns) == ["A", "B", "C", "province", "count"]
