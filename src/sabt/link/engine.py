"""The linkage engine: records in, scored pairs and clusters out, on splink 5 (DuckDB or Spark).

`link` runs the whole pipeline on a records table (several lists stacked, a ``source`` column
naming each record's list): features → blocking → unsupervised training → prediction →
clustering. With DuckDB, prediction evaluates splink's SQL once per distinct pair of values
(`sabt.link.distinct`); with Spark, splink's ``predict`` runs as it is. Training is
reproducible: u-probabilities are sampled with a fixed seed, EM runs on fixed blocking rules
with splink's deterministic hash sampling, and every result is sorted before it is returned.
Nothing here touches files or the workspace.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from splink import Linker, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from sabt.errors import SabtError
from sabt.link import distinct
from sabt.link.blocking import BlockKeys, block_keys, blocked_pairs, key_matrices
from sabt.link.cluster import CONTRADICTION, Clustering, _components, cluster_pairs
from sabt.link.extra import blocking_rules as extra_blocking_rules
from sabt.link.features import build_features
from sabt.link.options import LinkSettings
from sabt.link.settings import (
    DETERMINISTIC_RULES,
    TRAINING_RULES,
    prediction_rules,
    rule_columns,
    settings_creator,
)

Progress = Callable[[str], None]


@runtime_checkable
class CountingProgress(Protocol):
    """A `Progress` that can also show how far a countable phase is (the CLI's bars)."""

    def __call__(self, phase: str) -> None: ...

    def count(self, done: int, total: int) -> None: ...


_EM_SAMPLE_FROM = 50_000  # above this many training records, EM samples `em_max_pairs` pairs


@dataclass
class Scored:
    """Scored candidate pairs (record positions) and the trained model."""

    left: np.ndarray
    right: np.ndarray
    probability: np.ndarray
    match_weight: np.ndarray
    model: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    #: blocked pairs scored below the floor and below `cluster.CONTRADICTION` (not kept above):
    #: the model's evidence that two records are different people, used by clustering
    contradicted: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, np.int64), np.zeros(0, np.int64)))
    #: blocks (and their pairs) left unscored for being larger than `settings.max_block`
    blocking: dict[str, int] = field(default_factory=dict)


@dataclass
class LinkResult:
    """A whole linkage: scored pairs, clusters and the model, all by record position."""

    scored: Scored
    clustering: Clustering
    settings: LinkSettings


def present_columns(features: pd.DataFrame) -> set[str]:
    """Feature columns with at least one value (lists may lack whole fields)."""
    present = set()
    for col in features.columns:
        series = features[col]
        if series.dtype == object and col.endswith("_roman"):
            if series.map(lambda v: isinstance(v, list) and len(v) > 0).any():
                present.add(col)
        elif series.notna().any():
            present.add(col)
    return present


def _spark_session() -> Any:
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("sabt-link")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .config("spark.jars", similarity_jar_location())
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="sabt-spark-"))
    return spark


def _db_api(settings: LinkSettings) -> Any:
    if settings.backend == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        spill = tempfile.mkdtemp(prefix="sabt-duckdb-")
        con = duckdb.connect(config={"memory_limit": settings.memory_limit,
                                     "temp_directory": spill})
        if settings.threads:
            con.execute(f"SET threads = {int(settings.threads)}")
        api = DuckDBAPI(connection=con)
        weakref.finalize(api, shutil.rmtree, spill, ignore_errors=True)
        return api
    if settings.backend == "spark":
        from splink import SparkAPI

        return SparkAPI(spark_session=_spark_session(), num_partitions_on_repartition=4)
    raise SabtError(f"unknown backend {settings.backend!r} (use duckdb or spark)")


def _fetch_pairs(sdf: Any, where: str,
                 cols: str = "unique_id_l, unique_id_r, match_probability, match_weight",
                 ) -> dict[str, np.ndarray]:
    """Spark's scored pairs matching `where`, sorted by (left, right), one array per column."""
    frame = sdf.as_spark_dataframe().where(where).select(*cols.split(", ")).toPandas()
    frame = frame.sort_values(["unique_id_l", "unique_id_r"], kind="stable")
    return {c: frame[c].to_numpy() for c in frame.columns}


def _blocked(linker: Linker, data: ModelInput, own: bool) -> tuple[np.ndarray, np.ndarray]:
    """The blocked pairs (int32 positions): from the key matrices with `own`, else (rules with
    a condition AND-ed on) from splink's blocking, fetched and dropped."""
    if own and data.key_matrices is not None:
        return blocked_pairs(*data.key_matrices)
    blocked = linker.inference.compute_blocked_pairs_for_predict_chunk()
    db_api: Any = linker._db_api   # DuckDB's (this path is DuckDB's only)
    con = db_api._con
    ids = con.sql("select join_key_l::int32 as l, join_key_r::int32 as r "
                  f"from {blocked.physical_name}").fetchnumpy()
    blocked.drop_table_from_database_and_remove_from_cache()
    return ids["l"], ids["r"]


def _kept(pred: distinct.Predicted, floor: float, below: float, n: int, threshold: float,
          joined: Iterable[tuple[int, int]] | None,
          ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The scored pairs at or above `floor` and the contradicted ones (below `below`; with
    `joined`, only those clustering can consult), each sorted by (left, right) as
    `_fetch_pairs` gives them."""
    def pick(where: np.ndarray, **cols: np.ndarray) -> dict[str, np.ndarray]:
        left, right = pred.left[where].astype(np.int64), pred.right[where].astype(np.int64)
        order = np.lexsort((right, left))
        return {"unique_id_l": left[order], "unique_id_r": right[order],
                **{name: col[order] for name, col in cols.items()}}

    where, probability = pred.at_least(floor)
    frame = pick(where, match_probability=probability, match_weight=pred.match_weight[where])
    groups = None if joined is None else _link_groups(n, frame, threshold, joined)
    return frame, pick(pred.below(below, groups))


def _link_groups(n: int, frame: dict[str, np.ndarray], threshold: float,
                 joined: Iterable[tuple[int, int]]) -> np.ndarray:
    """Components of the links ≥ `threshold` and the `joined` pairs: clusters never merge
    across them, so a contradiction between two components is never consulted."""
    strong = frame["match_probability"] >= threshold
    extra = np.asarray(list(joined), dtype=np.int64).reshape(-1, 2)
    left = np.concatenate([np.asarray(frame["unique_id_l"], np.int64)[strong], extra[:, 0]])
    right = np.concatenate([np.asarray(frame["unique_id_r"], np.int64)[strong], extra[:, 1]])
    return _components(n, left, right)


_MIN_PROBABILITY = 1e-6


def _floor_probabilities(model: dict[str, Any]) -> dict[str, Any]:
    """Raise m/u probabilities EM drove to zero (a level unseen in a small sample) to 1e-6.

    splink refuses to score with a zero probability; a tiny one keeps the level's evidence
    strong but finite.
    """
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            for key in ("m_probability", "u_probability"):
                if key in level and level[key] is not None and level[key] < _MIN_PROBABILITY:
                    level[key] = _MIN_PROBABILITY
    return model


def _train(table: Any, present: set[str], settings: LinkSettings, n_records: int,
           say: Callable[[str], None], extra_rules: list[tuple[str, ...]]) -> dict[str, Any]:
    """Unsupervised, seeded training: λ from near-certain rules, u by sampling, m by EM."""
    def fresh() -> Linker:
        return Linker(table, settings_creator(present, settings, extra_rules),
                      log_level=logging.ERROR)

    linker = fresh()
    say("estimating the prior match probability")
    rules: list[Any] = [block_on(*r) for r in DETERMINISTIC_RULES if rule_columns(r) <= present]
    if rules:   # else splink's default prior stays
        try:
            linker.training.estimate_probability_two_random_records_match(
                rules, recall=settings.deterministic_recall)
        except ValueError as exc:
            raise SabtError(f"cannot estimate the match prior: {exc}") from exc
    say("estimating u-probabilities (seeded sampling)")
    linker.training.estimate_u_using_random_sampling(
        max_pairs=settings.u_max_pairs, seed=settings.seed, num_chunks=settings.u_chunks)
    em_cap = settings.em_max_pairs if n_records > _EM_SAMPLE_FROM else None
    for rule in TRAINING_RULES:
        if set(rule) <= present:
            say(f"EM on {' & '.join(rule)}")
            before = linker.misc.save_model_to_json()
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*rule), max_pairs=em_cap)
            except ValueError as exc:
                # splink stops when EM drives a level's m to exactly 0 (tiny inputs) and leaves
                # the model half-updated; go back to the parameters before this session.
                say(f"EM on {' & '.join(rule)} skipped: {str(exc).splitlines()[0]}")
                linker = fresh()
                _apply_parameters(linker, before)
    return _floor_probabilities(linker.misc.save_model_to_json())


def _apply_parameters(linker: Linker, model: dict[str, Any]) -> None:
    """Load trained λ, m and u into a linker built from our settings for its own backend.

    A saved model's SQL is written for the backend that trained it; rebuilding the comparisons
    for the current backend and copying only the numbers lets one model score anywhere.
    """
    obj = linker._settings_obj
    obj._probability_two_random_records_match = model["probability_two_random_records_match"]
    saved = {c["output_column_name"]: c["comparison_levels"] for c in model["comparisons"]}
    for comparison in obj.comparisons:
        levels = saved[comparison.output_column_name]
        if len(levels) != len(comparison.comparison_levels):
            raise SabtError(f"the saved model's {comparison.output_column_name!r} comparison "
                            "does not fit these records")
        for level, values in zip(comparison.comparison_levels, levels, strict=True):
            if level.is_null_level:
                continue
            for key in ("m_probability", "u_probability"):
                if values.get(key) is not None:
                    setattr(level, key, values[key])


def training_sample(features: pd.DataFrame, settings: LinkSettings) -> pd.DataFrame | None:
    """A seeded sample of about `settings.train_records` records, the same share of every
    list, to train on; None when there are not more records than that.

    m and u do not depend on how many records there are, and λ (the share of all pairs that
    match) is the same in a uniform sample of records, so a model trained on a sample scores
    the whole table; training's cost grows with the square of the records.
    """
    if len(features) <= settings.train_records:
        return None
    share = settings.train_records / len(features)
    return (features.groupby("source_list", sort=True, group_keys=False)
            .sample(frac=share, random_state=settings.seed).sort_index())


def restricted(rules: list[Any], condition: str, dialect: str,
               ) -> list[BlockingRuleCreator | dict[str, Any]]:
    """Blocking rules (splink creators or SQL), each AND-ed with the SQL `condition`."""
    out: list[BlockingRuleCreator | dict[str, Any]] = []
    for rule in rules:
        sql = rule if isinstance(rule, str) else rule.get_blocking_rule(dialect).blocking_rule_sql
        out.append(CustomRule(f"({sql}) and ({condition})"))
    return out


@dataclass
class ModelInput:
    """What scoring reads of the features: splink's input table (block key columns added, the
    columns only blocking read left out), the training sample's rows, the block keys and, for
    DuckDB, the value codes and key matrices."""

    table: Any                  # pyarrow Table for DuckDB, pandas for Spark
    sample: Any | None          # the same, for `training_sample`'s rows (None: train on all)
    n_records: int
    present: set[str]
    extra_rules: list[tuple[str, ...]]
    keys: BlockKeys
    codes: dict[str, np.ndarray]   # `distinct.value_codes` (DuckDB), by record position
    key_matrices: tuple[np.ndarray, np.ndarray] | None   # `blocking.key_matrices` (DuckDB)
    timings: dict[str, float] = field(default_factory=dict)


def _blocking_only(present: set[str], extra_rules: list[tuple[str, ...]],
                   settings: LinkSettings) -> set[str]:
    """Feature columns only the prediction blocking rules read: block keys stand for them."""
    read = set().union(*(rule_columns(r) for r in prediction_rules(present, extra_rules)))
    creator = settings_creator(present, settings, extra_rules)
    compared = creator.get_settings("duckdb")._columns_used_by_comparisons
    kept = {c.unquote().name for c in compared}
    kept |= set().union(*(rule_columns(r) for r in (*TRAINING_RULES, *DETERMINISTIC_RULES)))
    return read - kept


def _backend_table(features: pd.DataFrame, drop: set[str], keys: dict[str, pd.Series],
                   backend: str) -> Any:
    """`features` without the `drop` columns, with the block `keys`. DuckDB gets an Arrow table
    (packed strings: about a quarter of the memory of pandas' Python objects, read without the
    interpreter), built column by column so no second pandas frame is made; Spark gets pandas."""
    columns = {**{c: features[c] for c in features.columns if c not in drop}, **keys}
    if backend != "duckdb":
        return pd.DataFrame(columns)
    import pyarrow as pa

    return pa.table({name: pa.array(col, from_pandas=True) for name, col in columns.items()})


def _parts(present: set[str], settings: LinkSettings, extra_rules: list[tuple[str, ...]],
           part: str) -> dict[str, Any]:
    """The comparisons as `distinct` evaluates them (`settings.name_comparison`), by name."""
    creator = settings_creator(present, settings, extra_rules, part=part)
    return {c.output_column_name: c for c in creator.get_settings("duckdb").comparisons}


def _forget_term_frequencies(db_api: Any) -> None:
    """Drop the term-frequency tables splink cached on the connection while training on a
    sample: prediction must count names over all records (a name the sample lacks would get no
    adjustment at all)."""
    cache = db_api._intermediate_table_cache
    for key in [k for k, _ in cache.items() if k.startswith("__splink__df_tf_")]:
        del cache[key]


def prepare(features: pd.DataFrame, settings: LinkSettings,
            progress: Progress | None = None) -> ModelInput:
    """Block keys, the training sample and splink's input table from `features`; the pandas
    frame (over a gigabyte of Python objects at a million records) is not needed after it."""
    say = progress or (lambda _msg: None)
    present = present_columns(features)
    extra_rules = extra_blocking_rules(features, present)   # on the mapping's [compare] columns
    t = time.perf_counter()
    say("computing block keys")
    keys = block_keys(features, prediction_rules(present, extra_rules), settings.max_block)
    timings = {"block_keys": time.perf_counter() - t}
    t = time.perf_counter()
    codes, matrices = {}, None
    if settings.backend == "duckdb":   # scored by distinct values (`sabt.link.distinct`)
        codes = distinct.value_codes(features, _parts(present, settings, extra_rules,
                                                      "own").values())
        matrices = key_matrices(keys)
    table = _backend_table(features, _blocking_only(present, extra_rules, settings),
                           keys.columns, settings.backend)
    keys.columns.clear()   # they are in the table now
    sample = training_sample(features, settings)
    if sample is not None:
        rows = features.index.get_indexer(sample.index)
        sample = table.take(rows) if settings.backend == "duckdb" else table.iloc[rows]
    timings["model_table"] = time.perf_counter() - t
    return ModelInput(table, sample, len(features), present, extra_rules, keys, codes, matrices,
                      timings)


def score(features: pd.DataFrame, settings: LinkSettings, *, floor: float | None = None,
          model: dict[str, Any] | None = None, progress: Progress | None = None,
          only_pairs: str | None = None,
          joined: Iterable[tuple[int, int]] | None = None) -> Scored:
    """Train the model on `features` (from `build_features`) and score blocked pairs.

    Pairs below `floor` (default `settings.predict_floor`; 0 keeps every blocked pair) are
    dropped. With `model` (a trained model saved by an earlier run) training is skipped.
    `only_pairs` (SQL on ``l.``/``r.`` columns) is AND-ed onto every blocking rule, e.g. to
    score only the pairs that touch new records. With `joined` (the pairs a reviewer joined,
    possibly none) only the contradicted pairs clustering can consult are kept: those inside a
    component of links ≥ the threshold and `joined` pairs (at a million records the others
    are most of the blocked pairs).
    """
    return score_input(prepare(features, settings, progress), settings, floor=floor,
                       model=model, progress=progress, only_pairs=only_pairs, joined=joined)


def score_input(data: ModelInput, settings: LinkSettings, *, floor: float | None = None,
                model: dict[str, Any] | None = None, progress: Progress | None = None,
                only_pairs: str | None = None,
                joined: Iterable[tuple[int, int]] | None = None) -> Scored:
    """`score` on features already `prepare`d."""
    say = progress or (lambda _msg: None)
    timings = dict(data.timings)
    present, extra_rules, keys = data.present, data.extra_rules, data.keys
    db_api = _db_api(settings)
    t = time.perf_counter()
    say("registering records")
    # A fresh name each call: a Spark session outlives one scoring and refuses a name twice.
    table = db_api.register(data.table, dataset_display_name="records",
                            table_name=f"records_{uuid.uuid4().hex[:12]}")
    timings["register"] = time.perf_counter() - t
    if model is None:
        t = time.perf_counter()
        if data.sample is not None:
            say(f"training on a sample of {len(data.sample):,} records")
            train_table = db_api.register(data.sample, dataset_display_name="training sample",
                                          table_name=f"sample_{uuid.uuid4().hex[:12]}")
        model = _train(table if data.sample is None else train_table, present, settings,
                       data.n_records if data.sample is None else len(data.sample), say,
                       extra_rules)
        if settings.backend == "duckdb":   # a fresh connection: training's buffers (a gigabyte
            db_api.duckdb_con.close()      # at a million records) and the sample's term
            db_api = _db_api(settings)     # frequencies go with the old one
            table = db_api.register(data.table, dataset_display_name="records",
                                    table_name=f"records_{uuid.uuid4().hex[:12]}")
        elif data.sample is not None:
            _forget_term_frequencies(db_api)
        timings["train"] = time.perf_counter() - t
    creator = settings_creator(present, settings, extra_rules)
    creator.blocking_rules_to_generate_predictions = [CustomRule(k.sql) for k in keys.rules]
    if only_pairs is not None:
        creator.blocking_rules_to_generate_predictions = restricted(
            creator.blocking_rules_to_generate_predictions, only_pairs, settings.backend)
    linker = Linker(table, creator, log_level=logging.ERROR)
    _apply_parameters(linker, model)

    t = time.perf_counter()
    say("scoring blocked pairs")
    threshold = settings.predict_floor if floor is None else floor
    below = min(threshold, CONTRADICTION)
    if settings.backend == "duckdb":
        # scoring holds the pairs in numpy: DuckDB's share of the memory limit goes down
        db_api.duckdb_con.execute(f"SET memory_limit = '{settings.scoring_memory_limit}'")
        left, right = _blocked(linker, data, only_pairs is None)
        frame, low = _kept(distinct.predict(
            linker, _parts(present, settings, extra_rules, "own"),
            _parts(present, settings, extra_rules, "swap"), data.codes, left, right),
            threshold, below, data.n_records, settings.threshold, joined)
        db_api.duckdb_con.close()   # its buffers (gigabytes) now: clustering comes next
    else:
        sdf = linker.inference.predict(threshold_match_probability=None, warning_mode="never")
        frame = _fetch_pairs(sdf, f"match_probability >= {float(threshold)!r}")
        low = _fetch_pairs(sdf, f"match_probability < {float(below)!r}",
                           "unique_id_l, unique_id_r")
        if joined is not None:   # only the contradictions clustering can consult
            groups = _link_groups(data.n_records, frame, settings.threshold, joined)
            inside = groups[low["unique_id_l"]] == groups[low["unique_id_r"]]
            low = {k: v[inside] for k, v in low.items()}
    timings["predict"] = time.perf_counter() - t
    return Scored(
        left=np.asarray(frame["unique_id_l"], dtype=np.int64),
        right=np.asarray(frame["unique_id_r"], dtype=np.int64),
        probability=np.asarray(frame["match_probability"], dtype=np.float64),
        match_weight=np.asarray(frame["match_weight"], dtype=np.float64),
        model=model,
        timings=timings,
        contradicted=(np.asarray(low["unique_id_l"], dtype=np.int64),
                      np.asarray(low["unique_id_r"], dtype=np.int64)),
        blocking=keys.stats(),
    )


def link(records: pd.DataFrame, settings: LinkSettings | None = None, *,
         must_link: Iterable[tuple[int, int]] = (),
         cannot_link: Iterable[tuple[int, int]] = (),
         progress: Progress | None = None) -> LinkResult:
    """Link records (rows of several lists, ``source`` naming each one's list) into clusters.

    `must_link`/`cannot_link` are reviewers' decisions as pairs of record positions; they
    override the model.
    """
    settings = settings or LinkSettings()
    must_link = list(must_link)
    if records.empty:
        raise SabtError("nothing to link: no records")
    t = time.perf_counter()
    if progress:
        progress("normalising names and dates")
    features = build_features(
        records, progress.count if isinstance(progress, CountingProgress) else None)
    t_features = time.perf_counter() - t
    n_records, sources = len(features), features["source_list"].tolist()
    if n_records < 2:
        scored = Scored(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0),
                        model={})
    else:
        data = prepare(features, settings, progress)
        del features   # scoring reads `data`; the Python objects would double the memory
        scored = score_input(data, settings, progress=progress, joined=must_link)
    scored.timings["features"] = t_features
    t = time.perf_counter()
    if progress:
        progress("clustering")
    dup_free = set(sources) if settings.all_duplicate_free else set(settings.duplicate_free)
    clustering = cluster_pairs(
        n_records, scored.left, scored.right, scored.probability,
        threshold=settings.threshold, sources=sources, duplicate_free=dup_free,
        must_link=must_link, cannot_link=cannot_link, contradicted=scored.contradicted,
    )
    scored.timings["cluster"] = time.perf_counter() - t
    return LinkResult(scored=scored, clustering=clustering, settings=settings)
