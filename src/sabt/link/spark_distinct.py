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
   level, which the own-field levels never give. Where they meet one way, only the last swap
   level can hold, and it holds exactly when the other two names are one typing error apart
   (`settings.typo_sql`): that is evaluated once per distinct pair of those names, as the
   weights are, and the executors give the swap level's weight where it outranks the own
   level. The few pairs whose names meet both ways are weighed again, one by one, with
   splink's whole comparisons (`distinct._swap` does the same on DuckDB).

The weights equal splink's ``predict`` on the same pairs up to float rounding (tested against
the DuckDB backend). The executors run numpy, pandas and pyarrow only; the functions they run are
sent with the job. Spark Connect has no broadcast variables: there the engine scores with
splink's ``predict``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

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
_WEIGHTS = {"i": "int32", "k": "int64", "w": "float64", "g": "float64"}
#: pairs the executors look up at a time: sorted look-ups in tables of millions of keys stay
#: in the cache only when there are many (Spark's default Arrow batch holds 10,000 rows)
BATCH = 1 << 20
BATCH_SETTING = "spark.sql.execution.arrow.maxRecordsPerBatch"
#: the executors gather this many code pairs of a comparison before keeping the distinct ones
GATHER = 1 << 21
#: a comparison's weights as the executors look them up: sorted keys and their weights, or
#: (no keys) a dense table of weights and its number of codes a side
Lookup = tuple[np.ndarray, np.ndarray, int]


class Scorer(Protocol):
    """Scores blocked pairs: a Spark DataFrame of ``unique_id_l``, ``unique_id_r``,
    ``match_weight``, ``match_probability`` of the pairs of probability `floor` or more (None:
    every pair) whose two records are in one component (`component`: a Spark DataFrame of
    ``unique_id``, ``cluster_id``; None: every pair)."""

    def __call__(self, floor: float | None = None, component: Any = None) -> Any: ...


@dataclass(frozen=True)
class Swaps:
    """What the executors need to give the swap level of pairs whose names meet one way:
    `ways[w]` the comparisons (by index) whose names are compared for a typing error when
    the names meet way w + 1 (`_lookup.crossed`), and `typos[w]` the look-up of those
    checks (1.0: one typing error apart); per crossed comparison (`crossed[c]`, an index),
    the look-up of its own levels (`levels[c]`), the first of its swap levels (`first[c]`)
    and the last one's weight (`last_weight[c]`)."""

    crossed: list[int]
    ways: list[tuple[int, int]]
    typos: list[Lookup]
    levels: list[Lookup]
    first: list[int]
    last_weight: list[float]


def available(spark: Any) -> bool:
    """Whether `spark` can score by distinct values (a classic session, not Spark Connect)."""
    try:
        return spark.sparkContext is not None
    except Exception:   # Spark Connect refuses sparkContext
        return False


def predict(linker: Any, own: dict[str, Any], swap: dict[str, Any], codes: dict[str, np.ndarray],
            blocked: Any, staging: str | None) -> tuple[Scorer, Callable[[], None]]:
    """What scores the `blocked` pairs (a Spark DataFrame of record positions ``l``, ``r``) by
    `linker`'s model (a `Scorer`), and what frees the broadcasts and tables it reads, to be
    called once its frames have been read. `own`, `swap`: the comparisons as
    `settings.name_comparison` parts in Spark's dialect; `codes`: `distinct.value_codes`;
    `staging`: `spark.staging_dir`."""
    import pyspark.sql.functions as F
    from pyspark import StorageLevel, cloudpickle

    import sabt.link.spark_distinct

    cloudpickle.register_pickle_by_value(sabt.link.spark_distinct)
    spark = blocked.sparkSession
    if int(spark.conf.get(BATCH_SETTING, "10000")) < BATCH:
        spark.conf.set(BATCH_SETTING, str(BATCH))
    blocked = blocked.persist(StorageLevel.MEMORY_AND_DISK)   # read by every pass
    settings = splink_adapter.linker_settings(linker)
    full = {c.output_column_name: c for c in settings.comparisons}
    names = list(full)
    firsts = [np.unique(codes[distinct.CODE_PREFIX + n], return_index=True)[1].astype(np.int64)
              for n in names]
    columns = [codes[distinct.CODE_PREFIX + n] for n in names]
    crossed = [n for n in names
               if len(distinct.read_columns(full[n])) != len(distinct.read_columns(own[n]))]
    skeletons = [codes[distinct.CODE_PREFIX + f"{f}_skel"] for f in SWAP_FIELDS] if crossed else []
    given, family = (names.index(f) for f in SWAP_FIELDS) if crossed else (0, 0)
    ways = [(family, given), (given, family)] if crossed else []   # family_l misspelt as given_r…
    sizes = [int(c.max(initial=0)) + 1 for c in columns]
    gathered = [i for i, size in enumerate(sizes) if size * size > EVERY]
    context = spark.sparkContext
    code_bc, first_bc = context.broadcast(columns), context.broadcast(firsts)
    skel_bc = context.broadcast(skeletons)
    broadcasts = [code_bc, first_bc, skel_bc]

    def gather(batches: Iterator[Any]) -> Iterator[Any]:
        return distinct_code_pairs(batches, code_bc.value, first_bc.value, gathered,
                                   skel_bc.value, ways)

    values = blocked.mapInArrow(gather, _VALUES).distinct()
    every = [every_code_pair(i, firsts[i]) for i, size in enumerate(sizes) if i not in gathered]
    if every:
        import pyarrow as pa

        values = values.unionByName(spark.createDataFrame(pa.concat_tables(every).to_pandas(),
                                                          _VALUES))
    values = values.persist(StorageLevel.MEMORY_AND_DISK)
    records = splink_adapter.records_with_term_frequencies(linker)

    cached = [blocked]

    def release() -> None:
        for frame in cached:
            frame.unpersist()
        for broadcast in broadcasts:
            broadcast.destroy()
        records.drop_table_from_database_and_remove_from_cache()

    try:
        weights = _weights(spark, values, full, own, names, ways, records.physical_name,
                           staging)
    except BaseException:
        release()
        raise
    finally:
        values.unpersist()
    at = [names.index(n) for n in crossed]
    tables = [_table(weights, i, "w", size) for i, size in enumerate(sizes)]
    swaps = None
    if crossed:
        levels = [distinct.swap_gammas(swap[n]) for n in crossed]
        swaps = Swaps(
            crossed=at, ways=ways,
            typos=[_table(weights, len(names) + w, "w", max(sizes[a], sizes[b]))
                   for w, (a, b) in enumerate(ways)],
            levels=[_table(weights, i, "g", sizes[i]) for i in at],
            first=[min(g) for g in levels],
            last_weight=[distinct.level_weight(full[n], g[-1])
                         for n, g in zip(crossed, levels, strict=True)])
    del weights
    table_bc, swap_bc = context.broadcast(tables), context.broadcast(swaps)
    broadcasts += [table_bc, swap_bc]
    prior = splink_adapter.prob_to_match_weight(splink_adapter.prior(settings))

    n_records = len(columns[0]) if columns else 0

    def score(floor: float | None = None, component: Any = None) -> Any:
        pairs = blocked
        if component is not None:   # only pairs inside one component, by a broadcast look-up
            comp_bc = context.broadcast(_component_array(component, n_records, staging))
            broadcasts.append(comp_bc)

            def inside(batches: Iterator[Any]) -> Iterator[Any]:
                return same_component(batches, comp_bc.value)
            pairs = blocked.mapInArrow(inside, "l int, r int").persist()   # read twice
            cached.append(pairs)
        least = _least_weight(floor)

        def weigh(batches: Iterator[Any]) -> Iterator[Any]:
            return pair_weights(batches, code_bc.value, table_bc.value, skel_bc.value,
                                swap_bc.value, prior, only_crossed=False, least=least)

        def weigh_crossed(batches: Iterator[Any]) -> Iterator[Any]:
            return pair_weights(batches, code_bc.value, table_bc.value, skel_bc.value,
                                swap_bc.value, prior, only_crossed=True, least=least)

        scored = (pairs.mapInArrow(weigh, "unique_id_l long, unique_id_r long, "
                                          "match_weight double")
                  .selectExpr("unique_id_l", "unique_id_r", "match_weight",
                              f"{_probability_sql('match_weight')} as match_probability"))
        if crossed:
            view = f"__sabt_crossed_{uuid.uuid4().hex[:10]}"
            pairs.mapInArrow(weigh_crossed, "unique_id_l long, unique_id_r long, match_weight "
                                            "double, crossed double").createOrReplaceTempView(view)
            sql = _crossed_sql([full[n] for n in crossed], records.physical_name, view)
            scored = scored.unionByName(spark.sql(splink_adapter.spark_sql(sql)))
        return scored if floor is None else scored.where(
            F.col("match_probability") >= F.lit(float(floor)))
    return score, release


def predicted(frame: Any) -> Scorer:
    """A `Scorer` over pairs already scored (`frame`: ``unique_id_l``, ``unique_id_r``,
    ``match_weight``, ``match_probability``; splink's ``predict`` on Spark Connect), the
    components joined to it."""
    import pyspark.sql.functions as F

    def score(floor: float | None = None, component: Any = None) -> Any:
        out = frame if floor is None else frame.where(F.col("match_probability") >= floor)
        if component is None:
            return out
        return (out.join(component.withColumnsRenamed({"unique_id": "unique_id_l",
                                                       "cluster_id": "c_l"}), "unique_id_l")
                .join(component.withColumnsRenamed({"unique_id": "unique_id_r",
                                                    "cluster_id": "c_r"}), "unique_id_r")
                .where(F.col("c_l") == F.col("c_r"))
                .select("unique_id_l", "unique_id_r", "match_weight", "match_probability"))
    return score


def _least_weight(floor: float | None) -> float:
    """The match weight below which no pair reaches `floor`, less a margin for rounding (the
    exact probability filter follows in Spark): the executors send back only pairs above it."""
    if floor is None or floor <= 0.0:
        return -math.inf
    if floor >= 1.0:
        return math.inf
    return splink_adapter.prob_to_match_weight(floor) - 1e-6


def _component_array(component: Any, n: int, staging: str | None) -> np.ndarray:
    """Each record's component (−1: in none) from a Spark DataFrame of ``unique_id``,
    ``cluster_id``."""
    from sabt.link.spark import stream_columns

    rows = stream_columns(component, {"unique_id": "int64", "cluster_id": "int64"}, staging)
    out = np.full(n, -1, dtype=np.int64)
    out[rows["unique_id"]] = rows["cluster_id"]
    return out


def _weights(spark: Any, values: Any, full: dict[str, Any], own: dict[str, Any],
             names: list[str], ways: list[tuple[int, int]], rec: str, staging: str | None,
             ) -> dict[str, np.ndarray]:
    """Per distinct pair of codes (``i``: the comparison's index, ``k``: its key) the level
    ``g`` and weight ``w`` of its level, evaluated in Spark SQL and brought to the driver; and
    per way the names meet across (``i``: the number of comparisons + the way's index) whether
    its pair of names is one typing error apart (``w`` 1.0 or 0.0)."""
    import pyspark.sql.functions as F

    from sabt.link.spark import stream_columns

    frames = []
    for i, name in enumerate(names):
        sql = distinct.distinct_weights_sql(full[name], own[name], rec, _view(values, i))
        frames.append(spark.sql(splink_adapter.spark_sql(sql)).select(
            F.lit(i).alias("i"), "k", F.col("w").cast("double"),
            F.col("gamma").cast("double").alias("g")))
    for w, (a, b) in enumerate(ways):
        i = len(names) + w
        sql = distinct.typo_pairs_sql(names[a], names[b], rec, _view(values, i))
        frames.append(spark.sql(splink_adapter.spark_sql(sql)).select(
            F.lit(i).alias("i"), "k", F.col("hit").cast("double").alias("w"),
            F.lit(0.0).alias("g")))
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionByName(frame)
    return stream_columns(union, _WEIGHTS, staging)


def _view(values: Any, i: int) -> str:
    """A temporary view of the ``k``, ``uid_l``, ``uid_r`` of `values`' rows for ``i``."""
    import pyspark.sql.functions as F

    view = f"__sabt_values_{uuid.uuid4().hex[:10]}"
    values.where(F.col("i") == i).select("k", "uid_l", "uid_r").createOrReplaceTempView(view)
    return view


def _table(weights: dict[str, np.ndarray], i: int, column: str, size: int) -> Lookup:
    """The `lookup` of `column` (weights ``w`` or levels ``g``) of `weights`' rows for ``i``."""
    mine = weights["i"] == i
    return lookup(weights["k"][mine], weights[column][mine], size)


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
                        firsts: list[np.ndarray], gathered: list[int],
                        skeletons: list[np.ndarray], ways: list[tuple[int, int]],
                        ) -> Iterator[Any]:
    """Per comparison ``i`` in `gathered`, the distinct code pairs (``k``: left code << 31 +
    right code) of a partition's pairs, with the first record of each code (``uid_l``,
    ``uid_r``); and per way w the names meet across (`ways`: its comparisons' indices, left
    and right; ``i`` = the number of comparisons + w) the distinct pairs of those names' codes
    among the pairs that meet only that way."""
    import pandas as pd
    import pyarrow as pa

    sources = [(i, i, i) for i in gathered] + [
        (len(codes) + w, a, b) for w, (a, b) in enumerate(ways)]
    pending: dict[int, list[np.ndarray]] = {i: [] for i, _, _ in sources}
    count = 0

    def flush() -> Iterator[Any]:
        for i, a, b in sources:
            if parts := pending[i]:
                keys = pd.unique(np.concatenate(parts))
                parts.clear()
                yield pa.record_batch({
                    "i": np.full(len(keys), i, np.int32), "k": keys,
                    "uid_l": firsts[a][keys >> 31], "uid_r": firsts[b][keys & ((1 << 31) - 1)]})

    for batch in batches:
        left = batch.column("l").to_numpy()
        right = batch.column("r").to_numpy()
        sides = _sides(left, right, skeletons) if ways else None
        for i, a, b in sources:
            lpos, rpos = left, right
            if i >= len(codes) and sides is not None:
                meet = sides == i - len(codes) + 1
                lpos, rpos = left[meet], right[meet]
            pending[i].append(pd.unique((codes[a][lpos].astype(np.int64) << 31) | codes[b][rpos]))
        count += len(left)
        if count >= GATHER:
            yield from flush()
            count = 0
    yield from flush()


def _sides(left: np.ndarray, right: np.ndarray, skeletons: list[np.ndarray]) -> np.ndarray:
    """Per pair, how its given and family skeletons meet across, as `_lookup.crossed` says:
    1 given_l = family_r, 2 family_l = given_r, 3 both, 0 neither."""
    given, family = skeletons
    sides: np.ndarray = ((given[left] == family[right]).astype(np.int8)
                         + 2 * (family[left] == given[right]).astype(np.int8))
    return sides


def same_component(batches: Iterator[Any], component: np.ndarray) -> Iterator[Any]:
    """The pairs (``l``, ``r``) whose two records are in one `component` (≥ 0)."""
    import pyarrow as pa

    for batch in batches:
        left = batch.column("l").to_numpy()
        right = batch.column("r").to_numpy()
        mine = component[left]
        keep = (mine >= 0) & (mine == component[right])
        yield pa.record_batch({"l": left[keep], "r": right[keep]})


def pair_weights(batches: Iterator[Any], codes: list[np.ndarray], tables: list[Lookup],
                 skeletons: list[np.ndarray], swaps: Swaps | None, prior: float, *,
                 only_crossed: bool, least: float) -> Iterator[Any]:
    """Each pair's match weight: ``prior`` plus its comparisons' weights, and where the names
    meet one way and a swap level holds, that level's weight; only pairs of weight `least` or
    more, and not those whose given and family skeletons meet both ways. With `only_crossed`,
    only those, and ``crossed`` holds the weights of the `swaps`' crossed comparisons, to be
    replaced by the whole comparisons' (`least` is applied after that). Two passes over the
    pairs cost less than keeping every scored pair to split it."""
    import pyarrow as pa

    crossed = swaps.crossed if swaps is not None else []
    for batch in batches:
        left = batch.column("l").to_numpy()
        right = batch.column("r").to_numpy()
        sides = (_sides(left, right, skeletons) if swaps is not None
                 else np.zeros(len(left), dtype=np.int8))
        if only_crossed:
            keep = sides == 3
            left, right, sides = left[keep], right[keep], sides[keep]
            if not len(left):
                continue
        total = np.zeros(len(left))
        own = np.zeros(len(left))
        by_crossed: dict[int, np.ndarray] = {}
        for i, (code, table) in enumerate(zip(codes, tables, strict=True)):
            w = _must(_looked_up(code[left], code[right], *table), i)
            total += w
            if i in crossed:
                own += w
                by_crossed[i] = w
        if only_crossed:
            yield pa.record_batch({
                "unique_id_l": left.astype(np.int64), "unique_id_r": right.astype(np.int64),
                "match_weight": total + prior, "crossed": own})
            continue
        if swaps is not None:
            _give_swaps(total, by_crossed, sides, left, right, codes, swaps)
        total += prior   # last, as `distinct.predict` adds it
        keep = (sides != 3) & (total >= least)
        yield pa.record_batch({
            "unique_id_l": left[keep].astype(np.int64),
            "unique_id_r": right[keep].astype(np.int64), "match_weight": total[keep]})


def _give_swaps(total: np.ndarray, weights: dict[int, np.ndarray], sides: np.ndarray,
                left: np.ndarray, right: np.ndarray, codes: list[np.ndarray],
                swaps: Swaps) -> None:
    """Where the names meet one way and are one typing error apart the other way, the last
    swap level holds: each crossed comparison whose own level comes after the swap levels
    (not null) takes that level's weight in place of its own (`distinct._swap`)."""
    for w, (a, b) in enumerate(swaps.ways):
        pos = np.flatnonzero(sides == w + 1)
        if not len(pos):
            continue
        lpos, rpos = left[pos], right[pos]
        hit = _must(_looked_up(codes[a][lpos], codes[b][rpos], *swaps.typos[w]), -1) > 0.5
        for c, i in enumerate(swaps.crossed):
            level = _must(_looked_up(codes[i][lpos], codes[i][rpos], *swaps.levels[c]), i)
            outranks = hit & (level >= 0) & (level < swaps.first[c])
            total[pos[outranks]] += swaps.last_weight[c] - weights[i][pos[outranks]]


def _must(found: np.ndarray | None, i: int) -> np.ndarray:
    """`found`, or the error that a pair of comparison `i`'s values (−1: of names checked
    for a typing error) was not evaluated."""
    if found is None:
        raise RuntimeError(f"scoring: a pair of values of comparison {i} was not evaluated")
    return np.asarray(found)


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
