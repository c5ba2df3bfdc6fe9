"""Scoring by distinct values on Spark: `sabt.link.distinct`'s method, the pairs kept on the
executors.

splink's Spark ``predict`` evaluates every comparison on every blocked pair. As on DuckDB, each
comparison's SQL here runs once per distinct pair of the values it reads:

1. the executors read the blocked pairs a batch at a time (``mapInArrow``) and give each
   comparison's distinct pairs of value codes (`distinct.value_codes`, broadcast from the
   driver, with one record of each code);
2. Spark keeps each pair of codes once and evaluates splink's level and weight SQL on the one
   record of each side (`distinct.distinct_weights_sql`, in Spark SQL);
3. the weights come to the driver — a row per distinct pair of values, never one per record
   pair — and go back to the executors as a broadcast look-up (a dense table where the codes
   are few, else sorted keys); each blocked pair's match weight is the sum of its comparisons'
   weights and the prior's;
4. a pair whose given and family names meet across (`settings.SWAP_FIELDS`) may take a swap
   level, which the own-field levels never give: those pairs are weighed again, one by one,
   with splink's whole comparisons (18 % of the blocked pairs of a million SYNTHETIC `hard`
   records, and most of the scoring's time there: `distinct._swap`'s shortcuts are not used
   here).

The weights equal splink's ``predict`` on the same pairs up to float rounding (tested against
the DuckDB backend). The executors run numpy, pandas and pyarrow only; the functions they run are
sent with the job. Spark Connect has no broadcast variables: there the engine scores with
splink's ``predict``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from sabt.link import distinct, splink_adapter
from sabt.link.settings import SWAP_FIELDS

#: up to this many possible code pairs, a comparison's weights go to the executors as a dense
#: table (8 bytes each: 32 MB), above it as sorted keys
DENSE = 1 << 22
#: up to this many possible code pairs, a comparison is evaluated on every one of them rather
#: than on those the blocked pairs hold
EVERY = 1 << 16
_VALUES = "i int, k long, uid_l long, uid_r long"
#: pairs the executors look up at a time: sorted look-ups in tables of millions of keys stay
#: in the cache only when there are many (Spark's default Arrow batch holds 10,000 rows)
BATCH = 1 << 20
BATCH_SETTING = "spark.sql.execution.arrow.maxRecordsPerBatch"
#: the executors gather this many code pairs of a comparison before keeping the distinct ones
GATHER = 1 << 21
#: a comparison's weights as the executors look them up: sorted keys and their weights, or
#: (no keys) a dense table of weights and its number of codes a side
Lookup = tuple[np.ndarray, np.ndarray, int]


def available(spark: Any) -> bool:
    """Whether `spark` can score by distinct values (a classic session, not Spark Connect)."""
    try:
        return spark.sparkContext is not None
    except Exception:   # Spark Connect refuses sparkContext
        return False


def predict(linker: Any, own: dict[str, Any], codes: dict[str, np.ndarray], blocked: Any,
            staging: str | None) -> tuple[Any, Callable[[], None]]:
    """The `blocked` pairs (a Spark DataFrame of record positions ``l``, ``r``) scored by
    `linker`'s model: a DataFrame of ``unique_id_l``, ``unique_id_r``, ``match_weight``,
    ``match_probability``, and what frees the broadcasts and tables it reads, to be called
    once it has been read. `own`: the comparisons as `settings.name_comparison` parts in
    Spark's dialect; `codes`: `distinct.value_codes`; `staging`: `spark.staging_dir`."""
    from pyspark import StorageLevel, cloudpickle

    import sabt.link.spark_distinct

    cloudpickle.register_pickle_by_value(sabt.link.spark_distinct)
    spark = blocked.sparkSession
    if int(spark.conf.get(BATCH_SETTING, "10000")) < BATCH:
        spark.conf.set(BATCH_SETTING, str(BATCH))
    blocked = blocked.persist(StorageLevel.MEMORY_AND_DISK)   # read three times
    settings = splink_adapter.linker_settings(linker)
    full = {c.output_column_name: c for c in settings.comparisons}
    names = list(full)
    firsts = [np.unique(codes[distinct.CODE_PREFIX + n], return_index=True)[1].astype(np.int64)
              for n in names]
    columns = [codes[distinct.CODE_PREFIX + n] for n in names]
    crossed = [n for n in names
               if len(distinct.read_columns(full[n])) != len(distinct.read_columns(own[n]))]
    skeletons = [codes[distinct.CODE_PREFIX + f"{f}_skel"] for f in SWAP_FIELDS] if crossed else []
    sizes = [int(c.max(initial=0)) + 1 for c in columns]
    gathered = [i for i, size in enumerate(sizes) if size * size > EVERY]
    context = spark.sparkContext
    code_bc, first_bc = context.broadcast(columns), context.broadcast(firsts)
    broadcasts = [code_bc, first_bc]

    def gather(batches: Iterator[Any]) -> Iterator[Any]:
        return distinct_code_pairs(batches, code_bc.value, first_bc.value, gathered)

    values = blocked.mapInArrow(gather, _VALUES).distinct()
    every = [every_code_pair(i, firsts[i]) for i, size in enumerate(sizes) if i not in gathered]
    if every:
        import pyarrow as pa

        values = values.unionByName(spark.createDataFrame(pa.concat_tables(every).to_pandas(),
                                                          _VALUES))
    values = values.persist(StorageLevel.MEMORY_AND_DISK)
    records = splink_adapter.records_with_term_frequencies(linker)

    def release() -> None:
        blocked.unpersist()
        for broadcast in broadcasts:
            broadcast.destroy()
        records.drop_table_from_database_and_remove_from_cache()

    try:
        weights = _weights(spark, values, full, own, names, records.physical_name, staging)
    except BaseException:
        release()
        raise
    finally:
        values.unpersist()
    tables = [lookup(weights["k"][weights["i"] == i], weights["w"][weights["i"] == i], size)
              for i, size in enumerate(sizes)]
    del weights
    table_bc, skel_bc = context.broadcast(tables), context.broadcast(skeletons)
    broadcasts += [table_bc, skel_bc]
    prior = splink_adapter.prob_to_match_weight(splink_adapter.prior(settings))
    at = [names.index(n) for n in crossed]

    def weigh(batches: Iterator[Any]) -> Iterator[Any]:
        return pair_weights(batches, code_bc.value, table_bc.value, skel_bc.value, at, prior,
                            only_crossed=False)

    def weigh_crossed(batches: Iterator[Any]) -> Iterator[Any]:
        return pair_weights(batches, code_bc.value, table_bc.value, skel_bc.value, at, prior,
                            only_crossed=True)

    plain = (blocked.mapInArrow(weigh, "unique_id_l long, unique_id_r long, "
                                       "match_weight double, crossed boolean")
             .where("not crossed")
             .selectExpr("unique_id_l", "unique_id_r", "match_weight",
                         f"{_probability_sql('match_weight')} as match_probability"))
    if not crossed:
        return plain, release
    view = f"__sabt_crossed_{uuid.uuid4().hex[:10]}"
    blocked.mapInArrow(weigh_crossed, "unique_id_l long, unique_id_r long, match_weight "
                                      "double, crossed double").createOrReplaceTempView(view)
    sql = _crossed_sql([full[n] for n in crossed], records.physical_name, view)
    again = spark.sql(splink_adapter.spark_sql(sql))
    return plain.unionByName(again), release


def _weights(spark: Any, values: Any, full: dict[str, Any], own: dict[str, Any],
             names: list[str], rec: str, staging: str | None) -> dict[str, np.ndarray]:
    """Per distinct pair of codes (``i``: the comparison's index, ``k``: its key) the weight
    ``w`` of its level, evaluated in Spark SQL and brought to the driver."""
    import pyspark.sql.functions as F

    from sabt.link.spark import stream_columns

    frames = []
    for i, name in enumerate(names):
        view = f"__sabt_values_{uuid.uuid4().hex[:10]}"
        values.where(F.col("i") == i).select("k", "uid_l", "uid_r").createOrReplaceTempView(view)
        sql = distinct.distinct_weights_sql(full[name], own[name], rec, view)
        frames.append(spark.sql(splink_adapter.spark_sql(sql))
                      .select(F.lit(i).alias("i"), "k", F.col("w").cast("double")))
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionByName(frame)
    return stream_columns(union, {"i": "int32", "k": "int64", "w": "float64"}, staging)


def lookup(keys: np.ndarray, weights: np.ndarray, size: int) -> Lookup:
    """One comparison's weights by code pair as the executors read them: with few codes (`size`
    of them) a dense table (no keys, weights by ``left code × size + right code``, NaN where no
    pair was seen), else the keys sorted and their weights."""
    if size * size <= DENSE:
        dense = np.full(size * size, np.nan)
        dense[(keys >> 31) * size + (keys & ((1 << 31) - 1))] = weights
        return np.zeros(0, np.int64), dense, size
    order = np.argsort(keys, kind="stable")
    return keys[order], weights[order], 0


def every_code_pair(i: int, first: np.ndarray) -> Any:
    """Every pair of comparison `i`'s codes as `distinct_code_pairs` gives them (an Arrow
    table); `first`: the first record of each code."""
    import pyarrow as pa

    left, right = np.divmod(np.arange(len(first) ** 2, dtype=np.int64), len(first))
    return pa.table({"i": np.full(len(left), i, np.int32), "k": (left << 31) | right,
                     "uid_l": first[left], "uid_r": first[right]})


# --- run by the executors: numpy, pandas and pyarrow only ------------------------------------

def distinct_code_pairs(batches: Iterator[Any], codes: list[np.ndarray],
                        firsts: list[np.ndarray], gathered: list[int]) -> Iterator[Any]:
    """Per comparison ``i`` in `gathered`, the distinct code pairs (``k``: left code << 31 +
    right code) of a partition's pairs, with the first record of each code (``uid_l``,
    ``uid_r``)."""
    import pandas as pd
    import pyarrow as pa

    pending: dict[int, list[np.ndarray]] = {i: [] for i in gathered}
    count = 0

    def flush() -> Iterator[Any]:
        for i, parts in pending.items():
            if parts:
                keys = pd.unique(np.concatenate(parts))
                parts.clear()
                yield pa.record_batch({
                    "i": np.full(len(keys), i, np.int32), "k": keys,
                    "uid_l": firsts[i][keys >> 31], "uid_r": firsts[i][keys & ((1 << 31) - 1)]})

    for batch in batches:
        left = batch.column("l").to_numpy()
        right = batch.column("r").to_numpy()
        for i in gathered:
            code = codes[i]
            pending[i].append(pd.unique((code[left].astype(np.int64) << 31) | code[right]))
        count += len(left)
        if count >= GATHER:
            yield from flush()
            count = 0
    yield from flush()


def pair_weights(batches: Iterator[Any], codes: list[np.ndarray], tables: list[Lookup],
                 skeletons: list[np.ndarray], crossed: list[int], prior: float, *,
                 only_crossed: bool) -> Iterator[Any]:
    """Each pair's match weight (``prior`` plus its comparisons' weights) and ``crossed``:
    whether its given and family skeletons meet across (then a swap level may hold). With
    `only_crossed`, only those pairs, and ``crossed`` holds the weights of their `crossed`
    comparisons, to be replaced by the whole comparisons'. Two passes over the pairs cost
    less than keeping every scored pair to split it."""
    import pyarrow as pa

    for batch in batches:
        left = batch.column("l").to_numpy()
        right = batch.column("r").to_numpy()
        meet = np.zeros(len(left), dtype=bool)
        if skeletons:
            given, family = skeletons
            meet = (given[left] == family[right]) | (family[left] == given[right])
        if only_crossed:
            left, right = left[meet], right[meet]
            if not len(left):
                continue
        total = np.zeros(len(left))
        own = np.zeros(len(left))
        for i, (code, table) in enumerate(zip(codes, tables, strict=True)):
            w = _looked_up(code[left], code[right], *table)
            if w is None:
                raise RuntimeError(f"scoring: a pair of values of comparison {i} was not "
                                   "evaluated")
            total += w
            if i in crossed:
                own += w
        total += prior   # last, as `distinct.predict` adds it
        yield pa.record_batch({
            "unique_id_l": left.astype(np.int64), "unique_id_r": right.astype(np.int64),
            "match_weight": total, "crossed": own if only_crossed else meet})


def _looked_up(lc: np.ndarray, rc: np.ndarray, keys: np.ndarray, weights: np.ndarray,
               size: int) -> np.ndarray | None:
    """The weights of the code pairs (`lc`, `rc`) in one `Lookup`; None if one is missing."""
    if size:   # dense
        w = weights[lc.astype(np.int64) * size + rc]
        return None if np.isnan(w).any() else w
    key = (lc.astype(np.int64) << 31) | rc
    order = np.argsort(key, kind="stable")   # sorted look-ups stay in the cache
    at = np.minimum(np.searchsorted(keys, key[order]), len(keys) - 1)
    if not np.array_equal(keys[at], key[order]):
        return None
    w = np.empty(len(key))
    w[order] = weights[at]
    return w


# --- SQL ---------------------------------------------------------------------------------------

def _probability_sql(weight: str) -> str:
    """Match probability of a match weight as `sabt.link._lookup.probability` computes it."""
    return (f"case when {weight} >= 0 then 1.0D / (1.0D + power(2.0D, -{weight})) "
            f"else power(2.0D, {weight}) / (1.0D + power(2.0D, {weight})) end")


def _crossed_sql(comparisons: list[Any], rec: str, pairs: str) -> str:
    """The `pairs` (``unique_id_l``, ``unique_id_r``, ``match_weight``, ``crossed``: the
    weight of these `comparisons`' own-field levels) weighed again with the whole
    comparisons."""
    cases = ", ".join(splink_adapter.case_statement(c) for c in comparisons)
    tfs = dict.fromkeys(t for c in comparisons for t in distinct.tf_names(c))
    parts = dict.fromkeys(p for c in comparisons for p in distinct.weight_sql(c)[0])
    weight = " + ".join(f"({distinct.weight_sql(c)[1]})" for c in comparisons)
    read = distinct.side_columns(comparisons, comparisons)
    keep = "unique_id_l, unique_id_r, match_weight, crossed"
    return (
        f"with cols as (select c.unique_id_l, c.unique_id_r, c.match_weight, c.crossed, "
        f"{', '.join(read)} from {pairs} c join {rec} l on l.unique_id = c.unique_id_l "
        f"join {rec} r on r.unique_id = c.unique_id_r),"
        f" cv as (select {keep}, {cases}{''.join(', ' + t for t in tfs)} from cols),"
        f" parts as (select {keep}, {', '.join(parts)} from cv),"
        f" summed as (select unique_id_l, unique_id_r, "
        f"match_weight - crossed + {weight} as w from parts)"
        f" select unique_id_l, unique_id_r, w as match_weight, {_probability_sql('w')} "
        f"as match_probability from summed")
