"""Incremental linkage: link records added since the last run without re-deciding the rest.

A full run scores every blocked pair and re-trains the model. When a list is added later, only
what the new records touch can change. `link_incremental` therefore

1. scores, with the previous run's saved model, only the blocked pairs that have a new record
   on at least one side (every blocking rule AND-ed with "one side is new"; term
   frequencies still come from all records, as in a full run);
2. finds the previous run's *components* (its clusters joined by its links at the threshold)
   that a new link at the threshold reaches, or that hold a record of a review decision;
3. re-scores the old pairs inside those components (the model's contradictions between them
   are not stored with a run) and re-clusters those components with the new records,
   honouring every review decision;
4. keeps every other record in its previous cluster, and every previous pair.

Clustering works component by component, so with the same model and pairs this gives the same
clusters as scoring everything. The remaining difference to a full run is the model itself
(a full run re-trains it on all records) and term frequencies of old pairs outside the
re-clustered components (kept as scored in the previous run).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sabt.errors import SabtError
from sabt.link.cluster import Clustering, _components, cluster_pairs
from sabt.link.engine import LinkResult, Progress, Scored, present_columns, score
from sabt.link.features import build_features
from sabt.link.options import LinkSettings
from sabt.link.settings import comparisons

# When building on the previous run is worth it. A model trained on few records, or on far
# fewer than there are now, links new lists worse than re-training (measured on the tests'
# SYNTHETIC 400-person sample, a third list added to two: pairwise F1 0.88 incremental vs 0.99
# re-trained); small workspaces re-train in seconds anyway.
MIN_RECORDS = 2000
MAX_NEW_SHARE = 0.5


class ModelMismatch(SabtError):
    """The previous run's model cannot score these records: a full run is needed."""


@dataclass
class Previous:
    """What incremental linking needs of the previous run, by record position."""

    model: dict[str, object]
    cluster: np.ndarray       # previous cluster per record; 0 for a record new since then
    probability: np.ndarray   # previous probability to its cluster (unused for new records)
    left: np.ndarray          # the previous run's stored pairs (record positions) …
    right: np.ndarray
    pair_probability: np.ndarray
    match_weight: np.ndarray


def model_fits(model: dict[str, object], present: set[str]) -> bool:
    """Whether a saved model has exactly the comparisons, with as many levels, that these
    records call for (a model saved by an earlier version of the levels does not)."""
    saved = model.get("comparisons")
    if not isinstance(saved, list):
        return False
    levels = {c.get("output_column_name"): len(c.get("comparison_levels", []))
              for c in saved if isinstance(c, dict)}
    wanted = {c.create_output_column_name(): len(c.get_comparison("duckdb").comparison_levels)
              for c in comparisons(present)}
    return levels == wanted


def previous_components(prev: Previous, threshold: float) -> np.ndarray:
    """Component per record: previous clusters joined by previous links at the threshold."""
    n = len(prev.cluster)
    order = np.lexsort((np.arange(n), prev.cluster))
    ordered = prev.cluster[order]
    same = (ordered[1:] == ordered[:-1]) & (ordered[1:] > 0)
    strong = prev.pair_probability >= threshold
    left = np.concatenate([order[:-1][same], prev.left[strong]])
    right = np.concatenate([order[1:][same], prev.right[strong]])
    return _components(n, left, right)


def _scored_where(features: pd.DataFrame, settings: LinkSettings, model: dict[str, object],
                  flags: dict[str, np.ndarray], condition: str,
                  progress: Progress | None, spark: Any) -> Scored:
    """Score, with a saved model, the blocked pairs for which the SQL `condition` holds."""
    flagged = features.assign(**{k: v.astype(bool) for k, v in flags.items()})
    return score(flagged, settings, model=dict(model), progress=progress, only_pairs=condition,
                 spark=spark)


def _select(mask: np.ndarray, *arrays: np.ndarray) -> list[np.ndarray]:
    return [a[mask] for a in arrays]


def link_incremental(records: pd.DataFrame, settings: LinkSettings, prev: Previous, *,
                     must_link: Iterable[tuple[int, int]] = (),
                     cannot_link: Iterable[tuple[int, int]] = (),
                     reviewed: Iterable[int] = (),
                     progress: Progress | None = None,
                     spark: Any = None) -> tuple[LinkResult, dict[str, int]]:
    """Link `records` given the previous run (`prev`); see the module docstring. `spark`: the
    SparkSession of the spark backend.

    `reviewed` are the positions of records named by any review decision (active or undone):
    their components are re-clustered so decisions made since the last run apply. Returns the
    result and counts (new records, re-clustered records, pairs scored).
    """
    say = progress or (lambda _msg: None)
    must, cannot = list(must_link), list(cannot_link)
    t = time.perf_counter()
    say("normalising names and dates")
    features = build_features(records)
    timings = {"features": time.perf_counter() - t}
    if not model_fits(prev.model, present_columns(features)):
        raise ModelMismatch("the previous run's model does not fit these records (a field "
                            "appears or disappears)")
    new = prev.cluster == 0
    empty = np.zeros(0, np.int64)
    first = Scored(empty, empty, np.zeros(0), np.zeros(0), model=prev.model)
    if new.any():
        say(f"scoring pairs that touch the {int(new.sum()):,} new records")
        first = _scored_where(features, settings, prev.model, {"sabt_new": new},
                              "l.sabt_new or r.sabt_new", progress, spark)
    component = previous_components(prev, settings.threshold)
    strong = first.probability >= settings.threshold
    touched = np.concatenate([first.left[strong], first.right[strong],
                              np.asarray(list(reviewed), dtype=np.int64)])
    touched = touched[~new[touched]]
    redo = ~new & np.isin(component, component[touched])
    second = Scored(empty, empty, np.zeros(0), np.zeros(0), model=prev.model)
    if redo.sum() >= 2:
        say(f"re-scoring {int(redo.sum()):,} records of the clusters the new links reach")
        second = _scored_where(features, settings, prev.model, {"sabt_redo": redo},
                               "l.sabt_redo and r.sabt_redo", progress, spark)
    t = time.perf_counter()
    say("clustering")
    clustering = _recluster(records, settings, prev, new | redo, first, second, must, cannot)
    timings["cluster"] = time.perf_counter() - t
    for part in (first, second):
        for key, value in part.timings.items():
            timings[key] = timings.get(key, 0.0) + value
    keep_old = ~(redo[prev.left] & redo[prev.right])
    left, right, prob, weight = (np.concatenate(parts) for parts in zip(
        _select(keep_old, prev.left, prev.right, prev.pair_probability, prev.match_weight),
        (first.left, first.right, first.probability, first.match_weight),
        (second.left, second.right, second.probability, second.match_weight), strict=True))
    order = np.lexsort((right, left))
    scored = Scored(left[order], right[order], prob[order], weight[order], model=prev.model,
                    timings=timings, blocking=first.blocking or second.blocking)
    stats = {"new_records": int(new.sum()), "reclustered_records": int((new | redo).sum()),
             "pairs_scored_new": len(first.left), "pairs_rescored": len(second.left)}
    return LinkResult(scored=scored, clustering=clustering, settings=settings), stats


def _recluster(records: pd.DataFrame, settings: LinkSettings, prev: Previous,
               active: np.ndarray, first: Scored, second: Scored,
               must: list[tuple[int, int]], cannot: list[tuple[int, int]]) -> Clustering:
    """Cluster the `active` records afresh; every other record keeps its previous cluster."""
    idx = np.flatnonzero(active)
    local = np.full(len(active), -1, dtype=np.int64)
    local[idx] = np.arange(len(idx))
    left = np.concatenate([first.left, second.left])
    right = np.concatenate([first.right, second.right])
    prob = np.concatenate([first.probability, second.probability])
    inside = active[left] & active[right]
    c_left = np.concatenate([first.contradicted[0], second.contradicted[0]])
    c_right = np.concatenate([first.contradicted[1], second.contradicted[1]])
    c_inside = active[c_left] & active[c_right]
    sources = records["source"].astype(str).to_numpy()
    dup_free = set(sources) if settings.all_duplicate_free else set(settings.duplicate_free)
    for a, b in must + cannot:
        if not (active[a] and active[b]):
            raise SabtError(f"review decision on records {a}, {b} outside the re-clustered set")
    part = cluster_pairs(
        len(idx), local[left[inside]], local[right[inside]], prob[inside],
        threshold=settings.threshold, sources=list(sources[idx]), duplicate_free=dup_free,
        must_link=[(int(local[a]), int(local[b])) for a, b in must],
        cannot_link=[(int(local[a]), int(local[b])) for a, b in cannot],
        contradicted=(local[c_left[c_inside]], local[c_right[c_inside]]))
    labels = prev.cluster.astype(np.int64).copy()
    labels[idx] = int(prev.cluster.max(initial=0)) + part.cluster
    cluster = pd.factorize(labels)[0].astype(np.int64) + 1   # numbered by first record
    probability = prev.probability.astype(np.float64).copy()
    probability[idx] = part.probability
    return Clustering(cluster=cluster, probability=probability)
