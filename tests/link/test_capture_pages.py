"""The capture table of a link run, read a page of records at a time, is the table its
definition gives over the run's whole record frame.

The reference is spelled out here with pandas over `run_clusters` (every record with its list,
fields and person): a person is on a list if any of its records is; its stratum is its records'
most frequent stratum label (ties alphabetical, none "unknown"); patterns are counted. The
workspace: three SYNTHETIC lists of the `hard` scenario (400 people, seed 11), one link run,
and two persons merged after it (they must count as one).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from sabt.link import workspace as lw
from sabt.service import Workspace
from sabt.store.workspace import Store


def _reference(ws: Store, strata: str | None) -> pd.DataFrame:
    from sabt.estimate.strata import stratum_labels

    frame = lw.run_clusters(ws)
    lists = sorted(frame["source"].unique())
    onehot = pd.crosstab(frame["person"], frame["source"]).clip(upper=1)[lists]
    if strata is not None:
        frame[strata] = stratum_labels(
            [v if isinstance(v, str) else None for v in frame[strata]])[0]

        def pick(values: pd.Series) -> str:
            counts = Counter(str(v) for v in values if isinstance(v, str) and v)
            return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] \
                if counts else "unknown"
        onehot[strata] = frame.groupby("person")[strata].agg(pick)
    keys = [*([strata] if strata else []), *lists]
    table = onehot.groupby(keys).size().reset_index(name="count")
    return table[[*lists, *([strata] if strata else []), "count"]]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory, small_lists: list[Path]) -> Path:
    path = tmp_path_factory.mktemp("SYNTHETIC_capture") / "ws"
    with Workspace.create(path, admin="tester") as service:
        ws = service.store
        for csv_path in small_lists:
            lw.import_list(ws, csv_path, name=csv_path.stem.split("_")[2], author="tester")
        lw.run_linkage(ws, author="tester")
        persons = sorted(set(lw.run_clusters(ws)["person_id"]))
        with ws.change("tester", "SYNTHETIC merge") as ch:
            ch.merge(persons[1], persons[0], "SYNTHETIC: one person")
    return path


@pytest.mark.parametrize("strata", [None, "sex_code", "province", "source"])
def test_capture_table_in_pages_matches_its_definition(
        linked: Path, strata: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lw, "CAPTURE_PAGE", 37)   # many pages, one cut mid-person
    with Store.open(linked) as ws:
        got = lw.capture_table(ws, strata)
        want = _reference(ws, strata)
    pd.testing.assert_frame_equal(got, want, check_names=False)
    assert int(got["count"].sum()) == int(want["count"].sum()) > 100


def test_unknown_stratum_is_refused(linked: Path) -> None:
    from sabt.errors import InvalidValue

    with Store.open(linked) as ws, pytest.raises(InvalidValue, match="unknown stratum"):
        lw.capture_table(ws, "shoe_size")
