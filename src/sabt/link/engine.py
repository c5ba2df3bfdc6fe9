"""The linkage engine: records in, scored pairs and clusters out, on splink 5 (DuckDB or Spark).

`link` runs the whole pipeline on a records table (several lists stacked, a ``source`` column
naming each record's list): features → blocking → unsupervised training → prediction →
clustering. Prediction evaluates splink's SQL once per distinct pair of values: with DuckDB
on the driver (`sabt.link.distinct`); with Spark (a SparkSession the caller injects,
`sabt.link.spark`) on the executors (`sabt.link.spark_distinct`), where the connected
components of the links and the clustering run too, and only the kept pairs come back to the
driver, a batch at a time (`_spark_pairs`). Training is
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
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from splink import Linker, block_on
from splink.blocking_rule_library import CustomRule

from sabt.errors import SabtError
from sabt.link import distinct, spark_blocking, spark_distinct, splink_adapter
from sabt.link.blocking import BlockKeys, RuleKey, block_keys, blocked_pairs, key_matrices
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
from sabt.link.spark_cluster import ClusterRules
from sabt.link.splink_adapter import BlockingRuleCreator

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
    #: the clusters, when they were made where the pairs are (Spark, given `ClusterRules`);
    #: the contradicted pairs then stay there and `contradicted` is empty
    clustering: Clustering | None = None


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


def _db_api(settings: LinkSettings, spark: Any = None) -> Any:
    """splink's database API for `settings.backend`: a fresh DuckDB connection, or the
    injected SparkSession (`sabt.link.spark.session` builds one at the edge)."""
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
        if spark is None:
            raise SabtError("the spark backend needs a SparkSession: pass spark= "
                            "(sabt.link.spark.session builds one), or use --backend spark")
        from splink import SparkAPI

        from sabt.link import spark_similarity
        from sabt.link.spark import BREAK_LINEAGE

        partitions = int(spark.conf.get("spark.sql.shuffle.partitions", "4"))
        on_spark = SparkAPI(spark_session=spark, num_partitions_on_repartition=partitions,
                            break_lineage_method=spark.conf.get(BREAK_LINEAGE, "parquet"))
        spark_similarity.register(spark)   # after splink's: DuckDB's Jaro-Winkler, not its own
        return on_spark
    raise SabtError(f"unknown backend {settings.backend!r} (use duckdb or spark)")


TRAIN_ON = ("duckdb", "backend")


def _blocked(linker: Linker, data: ModelInput, own: bool) -> tuple[np.ndarray, np.ndarray]:
    """The blocked pairs (int32 positions): from the key matrices with `own`, else (rules with
    a condition AND-ed on) from splink's blocking, fetched and dropped."""
    if own and data.key_matrices is not None:
        return blocked_pairs(*data.key_matrices)
    blocked = linker.inference.compute_blocked_pairs_for_predict_chunk()
    con = splink_adapter.duckdb_connection(splink_adapter.linker_db_api(linker))   # DuckDB's
    ids = con.sql("select join_key_l::int32 as l, join_key_r::int32 as r "
                  f"from {blocked.physical_name}").fetchnumpy()
    blocked.drop_table_from_database_and_remove_from_cache()
    return ids["l"], ids["r"]


def _kept(pred: distinct.Predicted, floor: float, below: float, n: int, threshold: float,
          joined: Iterable[tuple[int, int]] | None,
          ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The scored pairs at or above `floor` and the contradicted ones (below `below`; with
    `joined`, only those clustering can consult), each sorted by (left, right) as
    `_spark_pairs` gives them."""
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
    obj = splink_adapter.linker_settings(linker)
    splink_adapter.set_prior(obj, model["probability_two_random_records_match"])
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

    table: Any                  # a pyarrow Table
    sample: Any | None          # the same, for `training_sample`'s rows (None: train on all)
    n_records: int
    present: set[str]
    extra_rules: list[tuple[str, ...]]
    keys: BlockKeys
    codes: dict[str, np.ndarray]   # `distinct.value_codes`, by record position
    key_matrices: tuple[np.ndarray, np.ndarray] | None   # `blocking.key_matrices` (DuckDB)
    timings: dict[str, float] = field(default_factory=dict)


def _blocking_only(present: set[str], extra_rules: list[tuple[str, ...]],
                   settings: LinkSettings) -> set[str]:
    """Feature columns only the prediction blocking rules read: block keys stand for them."""
    read = set().union(*(rule_columns(r) for r in prediction_rules(present, extra_rules)))
    creator = settings_creator(present, settings, extra_rules)
    kept = splink_adapter.columns_used_by_comparisons(creator.get_settings("duckdb"))
    kept |= set().union(*(rule_columns(r) for r in (*TRAINING_RULES, *DETERMINISTIC_RULES)))
    return read - kept


def _backend_table(features: pd.DataFrame, drop: set[str], keys: dict[str, pd.Series]) -> Any:
    """`features` without the `drop` columns, with the block `keys`, as an Arrow table (packed
    strings: about a quarter of the memory of pandas' Python objects, read by DuckDB without
    the interpreter and written as Parquet for Spark), built column by column so no second
    pandas frame is made."""
    columns = {**{c: features[c] for c in features.columns if c not in drop}, **keys}
    import pyarrow as pa

    return pa.table({name: pa.array(col, from_pandas=True) for name, col in columns.items()})


def _parts(present: set[str], settings: LinkSettings, extra_rules: list[tuple[str, ...]],
           part: str, dialect: str = "duckdb") -> dict[str, Any]:
    """The comparisons as `distinct` evaluates them (`settings.name_comparison`), by name, in
    the SQL `dialect`."""
    creator = settings_creator(present, settings, extra_rules, part=part)
    return {c.output_column_name: c for c in creator.get_settings(dialect).comparisons}


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
    # both backends score by distinct values (`sabt.link.distinct`, `spark_distinct`)
    codes = distinct.value_codes(features, _parts(present, settings, extra_rules,
                                                  "own").values())
    matrices = key_matrices(keys) if settings.backend == "duckdb" else None
    table = _backend_table(features, _blocking_only(present, extra_rules, settings),
                           keys.columns)
    keys.columns.clear()   # they are in the table now
    sample = training_sample(features, settings)
    if sample is not None:
        rows = features.index.get_indexer(sample.index)
        sample = table.take(rows)
    timings["model_table"] = time.perf_counter() - t
    return ModelInput(table, sample, len(features), present, extra_rules, keys, codes, matrices,
                      timings)


def score(features: pd.DataFrame, settings: LinkSettings, *, floor: float | None = None,
          model: dict[str, Any] | None = None, progress: Progress | None = None,
          only_pairs: str | None = None,
          joined: Iterable[tuple[int, int]] | None = None, spark: Any = None,
          rules: ClusterRules | None = None) -> Scored:
    """Train the model on `features` (from `build_features`) and score blocked pairs.

    Pairs below `floor` (default `settings.predict_floor`; 0 keeps every blocked pair) are
    dropped. With `model` (a trained model saved by an earlier run) training is skipped.
    `only_pairs` (SQL on ``l.``/``r.`` columns) is AND-ed onto every blocking rule, e.g. to
    score only the pairs that touch new records. With `joined` (the pairs a reviewer joined,
    possibly none) only the contradicted pairs clustering can consult are kept: those inside a
    component of links ≥ the threshold and `joined` pairs (at a million records the others
    are most of the blocked pairs). `spark`: the SparkSession of the spark backend; with
    `rules` the records are clustered there too (`Scored.clustering`).
    """
    return score_input(prepare(features, settings, progress), settings, floor=floor,
                       model=model, progress=progress, only_pairs=only_pairs, joined=joined,
                       spark=spark, rules=rules)


def score_input(data: ModelInput, settings: LinkSettings, *, floor: float | None = None,
                model: dict[str, Any] | None = None, progress: Progress | None = None,
                only_pairs: str | None = None,
                joined: Iterable[tuple[int, int]] | None = None, spark: Any = None,
                rules: ClusterRules | None = None) -> Scored:
    """`score` on features already `prepare`d. On Spark, with `rules` (whose reviewers'
    matches replace `joined`) the records are also clustered there (`Scored.clustering`)."""
    if settings.backend != "spark":
        return _score(data, settings, _db_api(settings), floor=floor, model=model,
                      progress=progress, only_pairs=only_pairs, joined=joined, staging=None)
    from sabt.link.spark import check_memory, failures, first_line, staging_dir

    db_api = _db_api(settings, spark)
    staging, owned = staging_dir(spark)
    check_memory(spark, data.table.nbytes, staging)
    try:
        return _score(data, settings, db_api, floor=floor, model=model, progress=progress,
                      only_pairs=only_pairs, joined=joined, staging=staging, rules=rules)
    except failures() as exc:   # a lost executor or master: one line, nothing written
        raise SabtError(f"Spark failed during linkage ({first_line(exc)}); nothing was written and "
                        "the previous run stands") from exc
    finally:   # splink's persisted tables and the staged Parquet are this run's alone
        spark.catalog.clearCache()
        if owned and staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _register(db_api: Any, table: Any, name: str, staging: str | None) -> Any:
    """Register an Arrow table with splink under a fresh name (a Spark session outlives one
    scoring and refuses a name twice); Spark reads it as Parquet from `staging` if set."""
    if hasattr(db_api, "spark"):
        from sabt.link.spark import to_spark

        table = to_spark(db_api.spark, table, staging)
    return db_api.register(table, dataset_display_name=name,
                           table_name=f"{name.split()[-1]}_{uuid.uuid4().hex[:12]}")


def _score(data: ModelInput, settings: LinkSettings, db_api: Any, *, floor: float | None,
           model: dict[str, Any] | None, progress: Progress | None, only_pairs: str | None,
           joined: Iterable[tuple[int, int]] | None, staging: str | None,
           rules: ClusterRules | None = None) -> Scored:
    say = progress or (lambda _msg: None)
    if settings.train_on not in TRAIN_ON:
        raise SabtError(f"unknown training engine {settings.train_on!r} (use duckdb: on the "
                        "driver, or backend: on the scoring backend)")
    timings = dict(data.timings)
    present, extra_rules, keys = data.present, data.extra_rules, data.keys
    t = time.perf_counter()
    say("registering records")
    table = _register(db_api, data.table, "records", staging)
    timings["register"] = time.perf_counter() - t
    if model is None:
        t = time.perf_counter()
        if settings.backend != "duckdb" and settings.train_on == "duckdb":
            model = _train_on_driver(data, settings, say)
        else:
            if data.sample is not None:
                say(f"training on a sample of {len(data.sample):,} records")
                train_table = _register(db_api, data.sample, "training sample", staging)
            model = _train(table if data.sample is None else train_table, present, settings,
                           data.n_records if data.sample is None else len(data.sample), say,
                           extra_rules)
            if settings.backend == "duckdb":   # a fresh connection: training's buffers (a
                db_api.duckdb_con.close()      # gigabyte at a million records) and the
                db_api = _db_api(settings)     # sample's term frequencies go with the old one
                table = _register(db_api, data.table, "records", None)
            elif data.sample is not None:
                splink_adapter.forget_term_frequencies(db_api)
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
        clustering = None
    else:
        own = _parts(present, settings, extra_rules, "own", "spark")
        swap = _parts(present, settings, extra_rules, "swap", "spark")
        records = table.as_spark_dataframe()
        frame, low, clustering = _spark_pairs(
            linker, db_api, (own, swap, data.codes), threshold, below, settings.threshold, joined,
            staging, (records, keys.rules) if only_pairs is None and keys.rules else None,
            None if rules is None else (rules, records, data.n_records))
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
        clustering=clustering,
    )


def _train_on_driver(data: ModelInput, settings: LinkSettings,
                     say: Callable[[str], None]) -> dict[str, Any]:
    """Train with DuckDB on the driver, for a run scored elsewhere: on the seeded sample when
    there is one, else on every record (then at most `train_records` of them)."""
    on_driver = replace(settings, backend="duckdb")
    db_api = _db_api(on_driver)
    try:
        records = data.table if data.sample is None else data.sample
        if data.sample is not None:
            say(f"training on the driver (DuckDB) on a sample of {len(data.sample):,} records")
        else:
            say("training on the driver (DuckDB)")
        table = _register(db_api, records, "training records", None)
        return _train(table, data.present, on_driver,
                      data.n_records if data.sample is None else len(data.sample), say,
                      data.extra_rules)
    finally:
        db_api.duckdb_con.close()


#: the own-field and swap parts of the comparisons in Spark's dialect, and
#: `distinct.value_codes`
SparkValues = tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray]]


def _spark_pairs(linker: Linker, db_api: Any, values: SparkValues,
                 floor: float, below: float, threshold: float,
                 joined: Iterable[tuple[int, int]] | None, staging: str | None,
                 blocking: tuple[Any, list[RuleKey]] | None,
                 cluster: tuple[ClusterRules, Any, int] | None = None,
                 ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], Clustering | None]:
    """The blocked pairs scored on Spark by distinct `values` (`SparkValues`:
    `sabt.link.spark_distinct`; on Spark Connect splink's predict), brought back as `_kept`
    gives DuckDB's pairs: those at or above `floor`, and the contradicted ones (below
    `below`), with `joined` only those inside a component of links ≥ `threshold` and the
    `joined` pairs. The components come from splink's connected components on Spark; the
    pairs inside them are scored again rather than every scored pair kept (most blocked pairs
    are contradicted and outside every component), and the driver receives only what
    clustering reads, a batch at a time. With `blocking` (the records' Spark DataFrame and the
    block keys' rules) the pairs come from `sabt.link.spark_blocking`, else (rules with a
    condition AND-ed on) from splink's blocking. With `cluster` (the rules, the records' Spark
    DataFrame and their number; the rules' matches replace `joined`) the records are
    clustered on Spark too (`sabt.link.spark_cluster`) and no contradicted pair comes back."""
    spark = db_api.spark
    score, release = _spark_predict(linker, spark, values, staging, blocking)
    try:
        return _spark_kept(spark, db_api, score, floor, below, threshold, joined, staging,
                           cluster)
    finally:
        release()


def _spark_predict(linker: Linker, spark: Any, values: SparkValues, staging: str | None,
                   blocking: tuple[Any, list[RuleKey]] | None,
                   ) -> tuple[spark_distinct.Scorer, Callable[[], None]]:
    """What scores the blocked pairs (`spark_distinct.Scorer`), and what frees the tables it
    reads once its frames have been read."""
    if not spark_distinct.available(spark):   # Spark Connect: splink's predict, kept once
        frame = linker.inference.predict(threshold_match_probability=None,
                                         warning_mode="never").as_spark_dataframe().select(
            "unique_id_l", "unique_id_r", "match_weight", "match_probability").persist()
        return spark_distinct.predicted(frame), frame.unpersist
    if blocking is not None:
        pairs, drop = spark_blocking.written(spark_blocking.blocked_pairs(*blocking), staging)
    else:
        blocked = linker.inference.compute_blocked_pairs_for_predict_chunk()
        pairs = blocked.as_spark_dataframe().selectExpr("cast(join_key_l as int) as l",
                                                        "cast(join_key_r as int) as r")
        drop = blocked.drop_table_from_database_and_remove_from_cache
    try:
        score, release = spark_distinct.predict(linker, *values, pairs, staging)
    except BaseException:
        drop()
        raise

    def both() -> None:
        release()
        drop()
    return score, both


def _spark_kept(spark: Any, db_api: Any, score: spark_distinct.Scorer, floor: float,
                below: float, threshold: float, joined: Iterable[tuple[int, int]] | None,
                staging: str | None, cluster: tuple[ClusterRules, Any, int] | None,
                ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], Clustering | None]:
    """`_spark_pairs` once the pairs can be scored."""
    from pyspark.sql import functions as F
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    from sabt.link.spark import stream_columns
    from sabt.link.spark_cluster import assemble, cluster_on_spark

    pairs = score(floor).select("unique_id_l", "unique_id_r", "match_probability",
                                "match_weight").persist()
    try:
        kept = stream_columns(pairs, {"unique_id_l": "int64", "unique_id_r": "int64",
                                      "match_probability": "float64",
                                      "match_weight": "float64"}, staging)
        if cluster is not None:
            joined = cluster[0].must_link
        if joined is None:   # every contradicted pair
            low = score().where(F.col("match_probability") < below)
            return _sorted(kept), _sorted(stream_columns(
                low, {"unique_id_l": "int64", "unique_id_r": "int64"}, staging)), None
        links = pairs.where(F.col("match_probability") >= threshold).select(
            "unique_id_l", "unique_id_r")
        extra = np.asarray(list(joined), dtype=np.int64).reshape(-1, 2)
        if len(extra):
            links = links.unionByName(spark.createDataFrame(
                [(int(a), int(b)) for a, b in extra], "unique_id_l long, unique_id_r long"))
        links = links.persist()
        try:
            if links.isEmpty():   # no component holds two records: every record is alone
                if cluster is not None:
                    return _sorted(kept), _no_pairs(), assemble(cluster[2], *(
                        np.zeros(0, t) for t in (np.int64, np.int64, np.float64)))
                return _sorted(kept), _no_pairs(), None
            # records outside every link are alone in theirs and need no node
            ids = links.select(F.col("unique_id_l").alias("unique_id")).union(
                links.select(F.col("unique_id_r").alias("unique_id"))).distinct()
            component = cluster_pairwise_predictions_at_threshold(
                ids, links, db_api, node_id_column_name="unique_id",
            ).as_spark_dataframe().select("unique_id", "cluster_id")
            low = score(component=component).where(F.col("match_probability") < below)
            if cluster is not None:   # the clustering keeps the contradictions it reads
                rules, records, n = cluster
                clustering = cluster_on_spark(
                    pairs, low, component, records, rules, n,
                    int(spark.conf.get("spark.sql.shuffle.partitions", "4")), staging)
                return _sorted(kept), _no_pairs(), clustering
            low_pairs = stream_columns(low, {"unique_id_l": "int64", "unique_id_r": "int64"},
                                       staging)
            return _sorted(kept), _sorted(low_pairs), None
        finally:
            links.unpersist()
    finally:
        pairs.unpersist()


def _no_pairs() -> dict[str, np.ndarray]:
    return {"unique_id_l": np.zeros(0, np.int64), "unique_id_r": np.zeros(0, np.int64)}


def _sorted(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Pairs sorted by (left, right), as `_kept` gives them."""
    order = np.lexsort((columns["unique_id_r"], columns["unique_id_l"]))
    return {name: col[order] for name, col in columns.items()}


def link(records: pd.DataFrame, settings: LinkSettings | None = None, *,
         must_link: Iterable[tuple[int, int]] = (),
         cannot_link: Iterable[tuple[int, int]] = (),
         progress: Progress | None = None, spark: Any = None) -> LinkResult:
    """Link records (rows of several lists, ``source`` naming each one's list) into clusters.

    `must_link`/`cannot_link` are reviewers' decisions as pairs of record positions; they
    override the model. `spark`: the SparkSession the spark backend runs on
    (`sabt.link.spark.session` builds one); the caller owns it.
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
    dup_free = set(sources) if settings.all_duplicate_free else set(settings.duplicate_free)
    cannot_link = list(cannot_link)
    if n_records < 2:
        scored = Scored(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0),
                        model={})
    else:
        data = prepare(features, settings, progress)
        del features   # scoring reads `data`; the Python objects would double the memory
        rules = None if settings.backend != "spark" else ClusterRules(
            settings.threshold, frozenset(dup_free), tuple(must_link), tuple(cannot_link))
        scored = score_input(data, settings, progress=progress, joined=must_link, spark=spark,
                             rules=rules)
    scored.timings["features"] = t_features
    t = time.perf_counter()
    if progress:
        progress("clustering")
    clustering = scored.clustering or cluster_pairs(
        n_records, scored.left, scored.right, scored.probability,
        threshold=settings.threshold, sources=sources, duplicate_free=dup_free,
        must_link=must_link, cannot_link=cannot_link, contradicted=scored.contradicted,
    )
    scored.timings["cluster"] = time.perf_counter() - t
    return LinkResult(scored=scored, clustering=clustering, settings=settings)
