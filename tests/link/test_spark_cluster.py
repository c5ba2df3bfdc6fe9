"""Clustering by components (`sabt.link.spark_cluster`) gives exactly `cluster_pairs`' clusters.

The scored pairs are SYNTHETIC: random people with several records each on four lists, strong
links inside a person, weak and contradicting pairs across people, and reviewers' decisions;
the reference is `cluster_pairs` over all of them at once, as the driver runs it."""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sabt.link.cluster import Clustering, _components, cluster_pairs
from sabt.link.spark_cluster import (
    CANNOT,
    CONTRADICTED,
    MUST,
    NODE,
    PAIR,
    ClusterRules,
    assemble,
    cluster_bucket,
)

FLOOR, THRESHOLD = 0.01, 0.2


class Graph:
    """SYNTHETIC scored pairs: 1,500 records of about 600 people on lists A–D (A and B
    duplicate-free), each pair once with left < right."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        n = self.n = 1500
        person = rng.integers(0, 600, n)
        self.sources = [str(s) for s in rng.choice(list("ABCD"), n)]
        pairs: dict[tuple[int, int], float] = {}
        by_person: dict[int, list[int]] = {}
        for i, p in enumerate(person.tolist()):
            by_person.setdefault(p, []).append(i)
        for members in by_person.values():   # strong links inside a person, a few weak
            for x in members:
                for y in members:
                    if x < y and rng.random() < 0.8:
                        pairs[(x, y)] = float(rng.choice([rng.uniform(0.5, 1.0),
                                                          rng.uniform(0.05, 0.5)], p=[0.8, 0.2]))
        for _ in range(1500):   # pairs across people: mostly weak, some wrong links
            x, y = sorted(rng.integers(0, n, 2).tolist())
            if x != y:
                pairs.setdefault((x, y), float(rng.choice(
                    [rng.uniform(0.0, 0.2), rng.uniform(0.2, 0.9), rng.uniform(0, 0.009)],
                    p=[0.5, 0.2, 0.3])))
        keys = sorted(pairs)
        left = np.array([k[0] for k in keys], np.int64)
        right = np.array([k[1] for k in keys], np.int64)
        prob = np.array([pairs[k] for k in keys])
        kept = prob >= FLOOR
        self.left, self.right, self.prob = left[kept], right[kept], prob[kept]
        self.contradicted = (left[~kept], right[~kept])
        linked = np.flatnonzero(self.prob >= THRESHOLD)
        self.must = [(int(self.left[k]), int(self.right[k]))
                     for k in rng.choice(np.flatnonzero(self.prob < THRESHOLD), 20)]
        self.must += [(int(x), int(y)) for x, y in rng.integers(0, n, (5, 2)).tolist()]
        self.cannot = [(int(self.right[k]), int(self.left[k])) for k in rng.choice(linked, 30)]
        self.rules = ClusterRules(THRESHOLD, frozenset({"A", "B"}), tuple(self.must),
                                  tuple(self.cannot))
        must = np.array(self.must, np.int64)
        self.component = _components(n, np.concatenate([self.left[self.prob >= THRESHOLD],
                                                        must[:, 0]]),
                                     np.concatenate([self.right[self.prob >= THRESHOLD],
                                                     must[:, 1]]))

    def reference(self) -> Clustering:
        return cluster_pairs(self.n, self.left, self.right, self.prob, threshold=THRESHOLD,
                             sources=self.sources, duplicate_free=self.rules.duplicate_free,
                             must_link=self.must, cannot_link=self.cannot,
                             contradicted=self.contradicted)

    def rows(self) -> pd.DataFrame:
        """Every record in a component of two or more and every pair inside one, as rows."""
        sizes = np.bincount(self.component)
        nodes = np.flatnonzero(sizes[self.component] > 1)
        frames = [pd.DataFrame({"kind": NODE, "a": nodes, "b": nodes, "p": np.nan,
                                "source": [self.sources[i] for i in nodes]})]
        must, cannot = np.array(self.must), np.array(self.cannot)
        for kind, a, b, p in ((PAIR, self.left, self.right, self.prob),
                              (CONTRADICTED, *self.contradicted, None),
                              (MUST, must[:, 0], must[:, 1], None),
                              (CANNOT, cannot[:, 0], cannot[:, 1], None)):
            same = (self.component[a] == self.component[b]) & (a != b)
            frames.append(pd.DataFrame({"kind": kind, "a": a[same], "b": b[same],
                                        "p": np.nan if p is None else p[same],
                                        "source": None}))
        rows = pd.concat(frames, ignore_index=True)
        rows["component"] = self.component[rows["a"].to_numpy()]
        return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_clusters_by_component_buckets_equal_clustering_everything(seed: int) -> None:
    graph = Graph(seed)
    expected = graph.reference()
    # the constraints bite: plain components of the links would join more
    assert len(np.unique(expected.cluster)) > len(np.unique(graph.component))
    rows = graph.rows().sample(frac=1.0, random_state=seed)   # the order Spark gives is any
    parts = [cluster_bucket(bucket.drop(columns="component"), graph.rules)
             for _, bucket in rows.groupby(rows["component"] % 3)]
    out = pd.concat(parts)
    got = assemble(graph.n, out["unique_id"].to_numpy(), out["rep"].to_numpy(),
                   out["best"].to_numpy())
    assert np.array_equal(got.cluster, expected.cluster)
    assert np.array_equal(got.probability, expected.probability)


@pytest.mark.spark
@pytest.mark.slow   # 66 s on the shared 2 cores at load 10: a Spark session and its Python workers
@pytest.mark.skipif(shutil.which("java") is None, reason="needs Java 17")
def test_clusters_on_spark_equal_clustering_on_the_driver(spark: Any) -> None:
    """`cluster_on_spark` (grouped pandas UDF on local Spark) against `cluster_pairs`."""
    from sabt.link.spark_cluster import cluster_on_spark

    graph = Graph(4)
    expected = graph.reference()
    sizes = np.bincount(graph.component)
    inside = np.flatnonzero(sizes[graph.component] > 1)
    pairs = spark.createDataFrame(pd.DataFrame({
        "unique_id_l": graph.left, "unique_id_r": graph.right,
        "match_probability": graph.prob}))
    contradicted = spark.createDataFrame(pd.DataFrame({
        "unique_id_l": graph.contradicted[0], "unique_id_r": graph.contradicted[1]}))
    component = spark.createDataFrame(pd.DataFrame({
        "unique_id": inside, "cluster_id": graph.component[inside]}))
    records = spark.createDataFrame(pd.DataFrame({
        "unique_id": np.arange(graph.n), "source_list": graph.sources}))
    got = cluster_on_spark(pairs, contradicted, component, records, graph.rules, graph.n,
                           buckets=3, staging=None)
    assert np.array_equal(got.cluster, expected.cluster)
    assert np.array_equal(got.probability, expected.probability)
