"""Constrained clustering on Spark: `sabt.link.cluster.cluster_pairs` run on the executors.

`cluster_pairs` only ever merges records along links (pairs at or above the threshold, and
reviewers' matches), and every rule it applies — one record per duplicate-free list, reviewers'
non-matches, the summed evidence between two clusters — compares records that end up in one
cluster. So it decomposes exactly over the connected components of those links: clustering each
component alone, with the pairs, contradictions and decisions inside it, gives the same clusters
as clustering everything at once. The components come from splink's connected components on
Spark; here the rows of each component (its records with their list, its scored pairs, its
contradicted pairs, its reviewers' decisions) go to one of ``spark.sql.shuffle.partitions``
buckets by component, and each bucket — a disjoint union of whole components — is clustered by
`cluster_pairs` in a pandas UDF (``applyInPandas``). The driver receives one row per record in a
component of two or more (record, cluster's smallest record, best probability) and numbers the
clusters as `cluster_pairs` does. No pair, kept or contradicted, is held by the driver for it.

The executors run the UDF in Python: they need numpy, scipy, pandas and pyarrow (sabt's own
code is sent with the job).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sabt.link.cluster import Clustering, _renumber, cluster_pairs

#: the kinds of rows a bucket holds
NODE, PAIR, CONTRADICTED, MUST, CANNOT = 0, 1, 2, 3, 4
#: the rows' schema (``source`` is set on NODE rows only)
RESULT_SCHEMA = "unique_id long, rep long, best double"


@dataclass(frozen=True)
class ClusterRules:
    """What `cluster_pairs` needs besides the pairs: the link threshold, the duplicate-free
    lists, reviewers' decisions (record positions)."""

    threshold: float
    duplicate_free: frozenset[str] = frozenset()
    must_link: tuple[tuple[int, int], ...] = ()
    cannot_link: tuple[tuple[int, int], ...] = ()


def cluster_bucket(rows: pd.DataFrame, rules: ClusterRules) -> pd.DataFrame:
    """`cluster_pairs` over one bucket's rows (``kind``, ``a``, ``b``, ``p``, ``source``: whole
    components), by global
    record position: each record with its cluster's smallest record (``rep``) and its best
    probability to another member (``best``).

    Records are renumbered in increasing order and each kind of pair is sorted by (a, b), as
    the pairs reach `cluster_pairs` on the driver, so the greedy merges take the same order,
    break ties the same way and sum the evidence in the same order.
    """
    kind = rows["kind"].to_numpy()
    a, b = rows["a"].to_numpy(np.int64), rows["b"].to_numpy(np.int64)

    def of(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        where = np.flatnonzero(kind == k)
        order = where[np.lexsort((b[where], a[where]))]
        return a[order], b[order], rows["p"].to_numpy(np.float64)[order]

    nodes = np.flatnonzero(kind == NODE)
    nodes = nodes[np.argsort(a[nodes], kind="stable")]
    ids = a[nodes]
    sources = rows["source"].to_numpy(object)[nodes].tolist()
    pl, pr, pp = of(PAIR)
    cl, cr, _ = of(CONTRADICTED)
    ml, mr, _ = of(MUST)
    xl, xr, _ = of(CANNOT)

    def local(x: np.ndarray) -> np.ndarray:
        return np.searchsorted(ids, x).astype(np.int64)

    clustering = cluster_pairs(
        len(ids), local(pl), local(pr), pp, threshold=rules.threshold, sources=sources,
        duplicate_free=rules.duplicate_free,
        must_link=zip(local(ml).tolist(), local(mr).tolist(), strict=True),
        cannot_link=zip(local(xl).tolist(), local(xr).tolist(), strict=True),
        contradicted=(local(cl), local(cr)))
    _, first = np.unique(clustering.cluster, return_index=True)   # clusters by first record
    return pd.DataFrame({"unique_id": ids, "rep": ids[first[clustering.cluster - 1]],
                         "best": clustering.probability})


def assemble(n: int, unique_id: np.ndarray, rep: np.ndarray, best: np.ndarray) -> Clustering:
    """The whole `Clustering` from the buckets' rows: records in no component are alone."""
    labels = np.arange(n, dtype=np.int64)
    labels[unique_id] = rep
    probability = np.ones(n, dtype=np.float64)
    probability[unique_id] = best
    return Clustering(cluster=_renumber(labels), probability=probability)


def cluster_on_spark(pairs: Any, contradicted: Any, component: Any, records: Any,
                     rules: ClusterRules, n: int, buckets: int, staging: str | None,
                     ) -> Clustering:
    """Cluster `n` records on Spark: `pairs` (``unique_id_l``, ``unique_id_r``,
    ``match_probability``: the kept pairs), `contradicted` (``unique_id_l``, ``unique_id_r``:
    pairs below the kept floor), `component` (``unique_id``, ``cluster_id``: the components of
    the links and reviewers' matches; records in none are alone), `records` (``unique_id``,
    ``source_list``), all Spark DataFrames; `buckets` groups clustered apart."""
    from pyspark import cloudpickle
    from pyspark.sql import functions as F

    import sabt.link.cluster
    from sabt.link.spark import stream_columns

    # the UDF and cluster_pairs travel with the job: executors need no sabt installed
    for module in (sabt.link.cluster, sabt.link.spark_cluster):
        cloudpickle.register_pickle_by_value(module)
    spark = records.sparkSession
    comp = component.select("unique_id", "cluster_id")
    bucket = F.pmod(F.hash("cluster_id"), F.lit(buckets)).cast("int").alias("bucket")

    def inside(frame: Any, kind: int, probability: Any) -> Any:
        """`frame`'s pairs whose two records are in one component, as rows of its bucket."""
        return (frame.join(comp.withColumnsRenamed({"unique_id": "unique_id_l"}), "unique_id_l")
                .join(comp.withColumnsRenamed({"unique_id": "unique_id_r",
                                               "cluster_id": "c_r"}), "unique_id_r")
                .where((F.col("cluster_id") == F.col("c_r"))
                       & (F.col("unique_id_l") != F.col("unique_id_r")))
                .select(bucket, F.lit(kind).cast("byte").alias("kind"),
                        F.col("unique_id_l").alias("a"), F.col("unique_id_r").alias("b"),
                        probability.cast("double").alias("p"),
                        F.lit(None).cast("string").alias("source")))

    def decisions(chosen: Iterable[tuple[int, int]]) -> Any:
        return spark.createDataFrame([(int(x), int(y)) for x, y in chosen],
                                     "unique_id_l long, unique_id_r long")

    rows = (comp.join(records.select("unique_id", F.col("source_list").cast("string")
                                     .alias("source")), "unique_id")
            .select(bucket, F.lit(NODE).cast("byte").alias("kind"),
                    F.col("unique_id").alias("a"), F.col("unique_id").alias("b"),
                    F.lit(None).cast("double").alias("p"), "source"))
    rows = rows.unionByName(inside(pairs, PAIR, F.col("match_probability")))
    rows = rows.unionByName(inside(contradicted, CONTRADICTED, F.lit(None)))
    if rules.must_link:
        rows = rows.unionByName(inside(decisions(rules.must_link), MUST, F.lit(None)))
    if rules.cannot_link:
        rows = rows.unionByName(inside(decisions(rules.cannot_link), CANNOT, F.lit(None)))

    def udf(frame: pd.DataFrame) -> pd.DataFrame:
        return cluster_bucket(frame, rules)

    result = rows.groupBy("bucket").applyInPandas(udf, RESULT_SCHEMA)
    out = stream_columns(result, {"unique_id": "int64", "rep": "int64", "best": "float64"},
                         staging)
    return assemble(n, out["unique_id"], out["rep"], out["best"])
