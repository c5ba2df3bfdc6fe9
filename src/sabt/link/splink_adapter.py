"""Every use of splink's private API, in one place (splink 5, pinned in pyproject.toml).

Sabt builds on splink's public API (`Linker`, `SettingsCreator`, the comparison libraries,
`DuckDBAPI`/`SparkAPI`, `splink.clustering`), but a few things need splink's internals: the
SQL of a comparison (`sabt.link.distinct` evaluates it once per distinct pair of values), the
trained parameters of a linker (to score with a model trained on another backend), the
records with their term frequencies, the DuckDB connection under a `DuckDBAPI`, and the base
class of custom comparison levels. Each is one small function here, so a new splink major
shows its breaks in this module and its test (tests/link/test_splink_adapter.py), not across
the linkage code. No other module of sabt may import ``splink.internals`` or read a splink
object's ``_private`` attribute.
"""

from __future__ import annotations

from typing import Any

from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect
from splink.internals.exceptions import SplinkException

__all__ = [
    "BlockingRuleCreator",
    "ComparisonLevelCreator",
    "SplinkDialect",
    "SplinkException",
    "case_statement",
    "columns_used_by_comparisons",
    "duckdb_connection",
    "forget_term_frequencies",
    "gamma_column",
    "input_columns",
    "is_else_level",
    "level_match_weight",
    "linker_db_api",
    "linker_settings",
    "prior",
    "prob_to_match_weight",
    "records_with_term_frequencies",
    "set_prior",
    "spark_sql",
    "tf_columns",
    "weight_sql",
]


# --- the linker -------------------------------------------------------------------------------

def linker_settings(linker: Any) -> Any:
    """The linker's live settings object (its comparisons carry the trained m and u)."""
    return linker._settings_obj


def linker_db_api(linker: Any) -> Any:
    """The database API (`DuckDBAPI` or `SparkAPI`) a linker runs on."""
    return linker._db_api


def duckdb_connection(db_api: Any) -> Any:
    """The DuckDB connection under a `DuckDBAPI`."""
    return db_api._con


def spark_sql(sql: str) -> str:
    """`sql` as splink's Spark backend runs it: splink writes some types DuckDB's way
    (``float8``) and rewrites them with its own Spark dialect of sqlglot."""
    import sqlglot
    from splink.internals.spark.spark_helpers import custom_spark_dialect  # noqa: F401

    return str(sqlglot.transpile(sql, read="spark", write="customspark")[0])


def prior(settings: Any) -> float:
    """λ, the probability that two random records match, of a settings object."""
    return float(settings._probability_two_random_records_match)


def set_prior(settings: Any, value: float) -> None:
    """Set λ on a settings object (loading a model trained elsewhere)."""
    settings._probability_two_random_records_match = value


def records_with_term_frequencies(linker: Any) -> Any:
    """The linker's input records with their term-frequency columns, as a splink table (the
    caller drops it with ``drop_table_from_database_and_remove_from_cache``)."""
    from splink.internals.pipeline import CTEPipeline
    from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

    pipeline = CTEPipeline()
    enqueue_df_concat_with_tf(linker, pipeline)
    return linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)


def forget_term_frequencies(db_api: Any) -> None:
    """Drop the term-frequency tables splink cached on a database API (they were counted on a
    training sample; prediction must count them over all records)."""
    cache = db_api._intermediate_table_cache
    for key in [k for k, _ in cache.items() if k.startswith("__splink__df_tf_")]:
        del cache[key]


def prob_to_match_weight(probability: float) -> float:
    """log2 of the odds of `probability`, as splink computes it."""
    from splink.internals.misc import prob_to_match_weight as convert

    return float(convert(probability))


# --- comparisons and their levels ------------------------------------------------------------

def columns_used_by_comparisons(settings: Any) -> set[str]:
    """The input columns a (created) settings object's comparisons read."""
    return {c.unquote().name for c in settings._columns_used_by_comparisons}


def input_columns(comparison: Any) -> list[Any]:
    """The input columns a comparison's CASE statement reads (splink `InputColumn`s)."""
    return list(comparison._input_columns_used_by_case_statement)


def tf_columns(comparison: Any) -> list[Any]:
    """The input columns whose term frequencies adjust a comparison's weight."""
    return list(comparison._tf_adjustment_input_columns)


def case_statement(comparison: Any) -> str:
    """The SQL CASE giving a comparison's level (``gamma_<name>``) from ``_l``/``_r`` columns."""
    return str(comparison._case_statement)


def gamma_column(comparison: Any) -> str:
    """The name of a comparison's level column (``gamma_<name>``)."""
    return str(comparison._gamma_column_name)


def weight_sql(comparison: Any) -> tuple[list[str], str]:
    """The columns splink computes a comparison's weight from, and the weight (match weight
    plus term-frequency adjustment) as one SQL sum of them."""
    parts = comparison._columns_to_select_for_match_weight_parts(False, False)
    return list(parts), " + ".join(comparison._match_weight_columns_to_sum)


def is_else_level(level: Any) -> bool:
    """Whether a comparison level is the catch-all ELSE level."""
    return bool(level._is_else_level)


def level_match_weight(level: Any) -> float:
    """A level's match weight, log2(m/u), without term-frequency adjustment."""
    return float(level._match_weight)
