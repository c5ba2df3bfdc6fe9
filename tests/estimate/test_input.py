"""Capture tables from CSV, histories and DataFrames; every bad input gives a clear error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sabt.errors import SabtError
from sabt.estimate import CaptureTable, read_capture_csv
from tests.estimate._refs import load


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "lists.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_pattern_csv_reads_counts() -> None:
    t = load("dga_MY_3list_spinabifida")
    assert t.lists == ("list1", "list2", "list3")
    assert t.n_observed == 626
    assert t.full_counts()[0] == 0


def test_histories_and_patterns_agree(tmp_path: Path) -> None:
    hist = "a,b,c\n" + "1,0,0\n" * 3 + "0,1,1\n" * 2 + "1,1,1\n"
    t = read_capture_csv(_write(tmp_path, hist))
    p = CaptureTable.from_patterns(["a", "b", "c"], [[1, 0, 0], [0, 1, 1], [1, 1, 1]],
                                   [3, 2, 1])
    assert np.array_equal(t.full_counts(), p.full_counts())


def test_dataframe_with_and_without_count() -> None:
    df = pd.DataFrame({"a": [1, 0, 1], "b": [0, 1, 1], "count": [5, 4, 3]})
    t = CaptureTable.from_dataframe(df)
    assert t.n_observed == 12
    h = CaptureTable.from_dataframe(df.drop(columns="count"), count=None)
    assert h.n_observed == 3


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a,b,count\n1,0,3\n0,2,1\n1,1,1\n", "row 3, field 'b': value '2' is not 0 or 1"),
        ("a,b,count\n1,0,3\n0,1,\n1,1,1\n", "row 3, field 'count': missing count"),
        ("a,b,count\n1,0,3\n0,1,-2\n1,1,1\n", "row 3, field 'count': negative count"),
        ("a,b,count\n1,0,3\n0,1,x\n", "is not a number"),
        ("a,count\n1,3\n", "need at least 2 list columns"),
        ("a,b,c,count\n1,0,0,3\n0,1,0,1\n1,1,0,1\n", "field 'c': list has no records"),
        ("a,b,count\n1,0,3\n0,0,1\n1,1,1\n", "row 3: all-zero row"),
        ("a,b\n1,0\n0,0\n", "row 3: all-zero row"),
        ("a,b,count\n1,0,3\n1,0,1\n0,1,1\n", "pattern repeats row 2"),
        ("a,b,count\n1,0,3\n0,1\n", "expected 3 fields"),
    ],
)
def test_bad_input_names_the_problem(tmp_path: Path, text: str, needle: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SabtError) as info:
        read_capture_csv(path)
    assert needle in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file() -> None:
    with pytest.raises(SabtError, match="no such file"):
        read_capture_csv("/nonexistent/lists.csv")


def test_api_validation() -> None:
    with pytest.raises(SabtError, match="at least 2 lists"):
        CaptureTable.from_patterns(["a"], [[1]], [3])
    with pytest.raises(SabtError, match="0 or 1"):
        CaptureTable.from_histories(["a", "b"], [[1, 3]])
    with pytest.raises(SabtError, match="all-zero"):
        CaptureTable.from_patterns(["a", "b"], [[0, 0], [1, 0], [0, 1]], [1, 1, 1])


def test_strata_columns(tmp_path: Path) -> None:
    text = "region,a,b,c,count\nN,1,0,0,5\nN,0,1,0,4\nN,1,1,1,2\nS,1,0,0,3\nS,0,0,1,6\n"
    t = read_capture_csv(_write(tmp_path, text), strata=["region"])
    assert set(t.strata) == {"N", "S"}
    assert t.n_observed == 20
    assert t.strata["S"].list_sizes() == {"a": 3, "b": 0, "c": 6}
    with pytest.raises(SabtError, match="stratum column 'zone' not found"):
        read_capture_csv(_write(tmp_path, text), strata=["zone"])


def test_drop_list_makes_people_unobserved() -> None:
    t = CaptureTable.from_patterns(["a", "b", "c"],
                                   [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1]], [4, 3, 5, 6])
    u = t.drop_list("c")
    assert u.lists == ("a", "b")
    assert u.n_observed == 13  # the 5 seen only on c are now unobserved
    assert u.full_counts().tolist() == [0, 10, 3, 0]


def test_an_explicit_sampler_choice_beats_the_fast_preset() -> None:
    from sabt.estimate import LcmcrSettings

    assert LcmcrSettings.chosen(fast=True).thinning == LcmcrSettings.fast().thinning
    assert LcmcrSettings.chosen(fast=True, thinning=1_000).thinning == 1_000
    assert LcmcrSettings.chosen(fast=True, burn_in=10_000).burn_in == 10_000
    assert LcmcrSettings.chosen().burn_in == LcmcrSettings().burn_in
