"""The Spark backend (pyspark local mode, Java 17) gives the clusters DuckDB gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sabt.ingest.lists import read_list
from sabt.link.cluster import cluster_pairs
from sabt.link.engine import score
from sabt.link.features import build_features
from sabt.link.options import LinkSettings

pytestmark = pytest.mark.spark


@pytest.mark.skipif(shutil.which("java") is None, reason="needs Java 17 for pyspark")
def test_spark_scores_and_clusters_like_duckdb(small_lists: list[Path]) -> None:
    pytest.importorskip("pyspark")
    frames = []
    for path, name in zip(small_lists, "ABC", strict=True):
        recs = read_list(path).records
        recs["source"] = name
        frames.append(recs)
    features = build_features(pd.concat(frames, ignore_index=True))
    # One trained model (DuckDB), scored by both backends: Spark's own EM would take minutes
    # in local mode on 2 cores; the model is backend-neutral (see `_apply_parameters`).
    duck = score(features, LinkSettings())
    spark = score(features, LinkSettings(backend="spark"), model=duck.model)
    assert np.array_equal(duck.left, spark.left) and np.array_equal(duck.right, spark.right)
    np.testing.assert_allclose(duck.probability, spark.probability, atol=1e-9)
    n = len(features)
    a = cluster_pairs(n, duck.left, duck.right, duck.probability, threshold=0.9)
    b = cluster_pairs(n, spark.left, spark.right, spark.probability, threshold=0.9)
    assert np.array_equal(a.cluster, b.cluster)
    assert a.cluster.max() < n   # some records were linked
