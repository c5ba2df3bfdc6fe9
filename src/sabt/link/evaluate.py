"""Accuracy against a known truth: pairwise precision/recall, cross-script recall, blocking recall.

Pairwise metrics count record pairs: a true pair is two records of one person, a predicted pair
two records of one cluster. Recall's denominator holds every true pair, also those the blocking
never produced, so it is end-to-end. A pair is cross-script when one record's name is written in
Persian script and the other's in Latin script.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PairwiseScores:
    """Pair counts and the rates derived from them."""

    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    cross_script_true: int
    cross_script_correct: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def cross_script_recall(self) -> float:
        return (self.cross_script_correct / self.cross_script_true
                if self.cross_script_true else 1.0)

    def as_dict(self) -> dict[str, float]:
        """Counts and rates, for JSON and tables."""
        return {**asdict(self), "precision": self.precision, "recall": self.recall,
                "f1": self.f1, "cross_script_recall": self.cross_script_recall}


def _pairs(counts: pd.Series) -> int:
    c = counts.to_numpy(dtype=np.int64)
    return int((c * (c - 1) // 2).sum())


def _cross(frame: pd.DataFrame, keys: list[str]) -> int:
    g = frame.groupby(keys, sort=False)["persian"].agg(["sum", "count"])
    fa = g["sum"].to_numpy(dtype=np.int64)
    return int((fa * (g["count"].to_numpy(dtype=np.int64) - fa)).sum())


def pairwise_scores(cluster: np.ndarray, truth: np.ndarray,
                    persian: np.ndarray | None = None) -> PairwiseScores:
    """Score a clustering (one label per record) against true person labels."""
    frame = pd.DataFrame({
        "cluster": cluster,
        "truth": truth,
        "persian": np.zeros(len(cluster), dtype=bool) if persian is None else persian,
    })
    return PairwiseScores(
        true_pairs=_pairs(frame.groupby("truth", sort=False).size()),
        predicted_pairs=_pairs(frame.groupby("cluster", sort=False).size()),
        correct_pairs=_pairs(frame.groupby(["cluster", "truth"], sort=False).size()),
        cross_script_true=_cross(frame, ["truth"]),
        cross_script_correct=_cross(frame, ["cluster", "truth"]),
    )


def pair_recall(left: np.ndarray, right: np.ndarray, truth: np.ndarray) -> tuple[float, int]:
    """Share of true pairs found among candidate pairs (record indices), and the true-pair count.

    Used for the blocking ceiling: no clustering can recover a pair the blocking never produced.
    """
    truth = np.asarray(truth)
    _, labels = np.unique(truth, return_inverse=True)
    sizes = np.bincount(labels)
    total = int((sizes * (sizes - 1) // 2).sum())
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    hits = labels[left] == labels[right]
    lo = np.minimum(left[hits], right[hits])
    hi = np.maximum(left[hits], right[hits])
    found = len(np.unique(lo * (len(truth) + 1) + hi))
    return (found / total if total else 1.0), total


def simulated_records(sim: Any, folder: Path) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Write a `sabt.simulate` run's lists as CSV, read them back like a user's files.

    Returns the stacked records (``source`` = list name), each record's true person id, and
    whether the record is written in Persian script (for cross-script recall).
    """
    from sabt.ingest.lists import read_list
    from sabt.simulate import write

    write(sim, folder, formats=("csv",), population=False)
    frames = []
    truth = sim.truth
    for name in sim.lists:
        path = next((folder / "lists").glob(f"SYNTHETIC_list_{name}_*.csv"))
        recs = read_list(path, name=name).records.copy()
        recs["source"] = name
        rows = truth[truth["list"] == name].set_index("row")
        recs["person_id"] = rows.loc[recs["row"] - 1, "person_id"].to_numpy()
        recs["persian"] = (rows.loc[recs["row"] - 1, "script"] == "persian").to_numpy()
        frames.append(recs)
    records = pd.concat(frames, ignore_index=True)
    return (records.drop(columns=["person_id", "persian"]),
            records["person_id"].to_numpy(), records["persian"].to_numpy(dtype=bool))
