"""The linkage engine on simulated lists: accuracy floors, blocking recall, reproducibility."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from sabt.cli import app
from sabt.link.engine import link, score
from sabt.link.evaluate import pair_recall, pairwise_scores
from sabt.link.features import build_features
from sabt.link.options import LinkSettings

Sample = tuple[pd.DataFrame, np.ndarray, np.ndarray]


def test_accuracy_floors_on_hard(small_hard: Sample) -> None:
    records, truth, persian = small_hard
    assert persian.mean() >= 0.3        # the condition: ≥ 30 % Persian-script rows
    result = link(records, LinkSettings())
    s = pairwise_scores(result.clustering.cluster, truth, persian)
    # Floors are looser than the benchmark's (docs/linkage.md): a 1,500-person sample with
    # one seed (measured 0.992 / 0.895 / 0.866). They still fail for any model that ignores
    # script: plain splink finds no cross-script pair at all.
    assert s.precision >= 0.97
    assert s.recall >= 0.80
    assert s.cross_script_recall >= 0.75


def test_blocking_keeps_nearly_all_true_pairs(small_hard: Sample) -> None:
    records, truth, _ = small_hard
    scored = score(build_features(records), LinkSettings(), floor=0.0)
    recall, total = pair_recall(scored.left, scored.right, truth)
    assert total > 500
    assert recall >= 0.95   # 0.970 on this sample, 0.983 on the full `hard` scenario (docs)


def test_reruns_give_the_same_result(small_hard: Sample) -> None:
    records = small_hard[0]
    a = link(records, LinkSettings(seed=5))
    b = link(records, LinkSettings(seed=5))
    assert np.array_equal(a.clustering.cluster, b.clustering.cluster)
    np.testing.assert_allclose(a.scored.probability, b.scored.probability, atol=1e-9)


def test_one_record_per_list(small_hard: Sample) -> None:
    records = small_hard[0]
    result = link(records, LinkSettings(all_duplicate_free=True))
    frame = pd.DataFrame({"c": result.clustering.cluster, "s": records["source"]})
    assert not frame.duplicated().any()


def test_link_files_cli(small_lists: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "clusters.csv"
    args = ["link-files", *map(str, small_lists), "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["file", "row", "cluster_id", "probability"]
    assert set(table["file"]) == set(map(str, small_lists))
    assert table.groupby("file")["row"].min().eq(1).all()
    assert table["probability"].between(0, 1).all()
    singles = table.groupby("cluster_id")["row"].transform("size") == 1
    assert (table.loc[singles, "probability"] == 1.0).all()
    assert (~singles).sum() > 0
