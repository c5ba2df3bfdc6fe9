"""Scoring by distinct values gives splink's own predictions (SYNTHETIC records)."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import pytest
from splink import Linker
from splink.blocking_rule_library import CustomRule

from sabt.link import _lookup, distinct
from sabt.link.blocking import blocked_pairs
from sabt.link.engine import _apply_parameters, _db_api, _parts, prepare, score
from sabt.link.features import build_features
from sabt.link.options import LinkSettings
from sabt.link.settings import settings_creator

Sample = tuple[pd.DataFrame, np.ndarray, np.ndarray]


def _with_swaps(records: pd.DataFrame) -> pd.DataFrame:
    """`records` plus copies of some with given and family name the other way round, some of
    those with a typing error in one of them (a letter dropped), so every swap level is met."""
    named = records[records["given_name"].str.len().ge(5) & records["family_name"].notna()]
    swapped = named.head(60).copy()
    swapped[["given_name", "family_name"]] = swapped[["family_name", "given_name"]].to_numpy()
    typo = swapped.iloc[::2].copy()
    typo["given_name"] = typo["given_name"].str.slice(0, 2) + typo["given_name"].str.slice(3)
    return pd.concat([records, swapped, typo], ignore_index=True)


def _linker(data: Any, settings: LinkSettings, model: dict[str, Any],
            retain: bool = False) -> Linker:
    """A linker over `data` as `engine.score_input` builds it, with `model`'s parameters."""
    db_api = _db_api(settings)
    table = db_api.register(data.table, table_name="records")
    creator = settings_creator(data.present, settings, data.extra_rules)
    creator.blocking_rules_to_generate_predictions = [CustomRule(k.sql) for k in data.keys.rules]
    creator.retain_matching_columns = retain   # with each comparison's level (gamma_…)
    linker = Linker(table, creator, log_level=logging.ERROR)
    _apply_parameters(linker, model)
    return linker


@pytest.fixture(scope="module")
def scored(small_hard: Sample) -> tuple[distinct.Predicted, pd.DataFrame, Any]:
    """Our prediction and splink's (with its comparison levels) for the same pairs and model."""
    features = build_features(_with_swaps(small_hard[0]))
    settings = LinkSettings(seed=1)
    model = score(features, settings, floor=0.5).model
    data = prepare(features, settings)
    ours = distinct.predict(_linker(data, settings, model),
                            _parts(data.present, settings, data.extra_rules, "own"),
                            _parts(data.present, settings, data.extra_rules, "swap"), data.codes,
                            *blocked_pairs(*data.key_matrices))
    reference = _linker(data, settings, model, retain=True)
    theirs = reference.inference.predict(warning_mode="never").as_pandas_dataframe()
    return ours, theirs.sort_values(["unique_id_l", "unique_id_r"]), reference


def test_distinct_values_score_as_splink_predicts(scored: Any) -> None:
    ours, theirs, _ = scored
    order = np.lexsort((ours.right, ours.left))
    assert np.array_equal(ours.left[order], theirs["unique_id_l"].to_numpy())
    assert np.array_equal(ours.right[order], theirs["unique_id_r"].to_numpy())
    # the same SQL expressions on the same values; only the order in which the comparisons'
    # weights are added differs, which moves a sum of ~15 terms of |w| < 40 by ~1e-13
    assert np.max(np.abs(ours.match_weight[order] - theirs["match_weight"].to_numpy())) < 1e-9
    where, probability = ours.at_least(0.0)
    assert np.array_equal(where, np.arange(len(ours.left)))
    assert np.max(np.abs(probability[order] - theirs["match_probability"].to_numpy())) < 1e-12


@pytest.mark.spark
def test_spark_scores_by_distinct_values_as_splink_predicts(
        scored: Any, small_hard: Sample, spark: Any) -> None:
    # the same model scored on Spark (`sabt.link.spark_distinct`), every pair kept (floor 0):
    # the pairs and weights of splink's predict, swapped names included
    _, theirs, _ = scored
    features = build_features(_with_swaps(small_hard[0]))
    model = score(features, LinkSettings(seed=1), floor=0.5).model
    on_spark = score(features, LinkSettings(seed=1, backend="spark"), model=model, floor=0.0,
                     spark=spark)
    order = np.lexsort((on_spark.right, on_spark.left))
    assert np.array_equal(on_spark.left[order], theirs["unique_id_l"].to_numpy())
    assert np.array_equal(on_spark.right[order], theirs["unique_id_r"].to_numpy())
    # as on DuckDB, only the order of adding the comparisons' weights differs (see above)
    assert np.max(np.abs(on_spark.match_weight[order] - theirs["match_weight"].to_numpy())) < 1e-9
    assert np.max(np.abs(on_spark.probability[order]
                         - theirs["match_probability"].to_numpy())) < 1e-12


@pytest.mark.spark
def test_spark_gives_the_contradictions_inside_components_as_duckdb(
        small_hard: Sample, spark: Any) -> None:
    # with reviewers' decisions (here none) only the contradicted pairs inside a component of
    # the links are kept: Spark finds them by scoring the blocked pairs inside the components
    # again; DuckDB filters its scored pairs. Both give the same kept and contradicted pairs
    features = build_features(_with_swaps(small_hard[0]))
    model = score(features, LinkSettings(seed=1), floor=0.5).model
    duck = score(features, LinkSettings(seed=1), model=model, joined=[])
    on_spark = score(features, LinkSettings(seed=1, backend="spark"), model=model, joined=[],
                     spark=spark)
    assert len(duck.contradicted[0]) > 0
    for ours, theirs in ((on_spark.contradicted, duck.contradicted),
                         ((on_spark.left, on_spark.right), (duck.left, duck.right))):
        assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])


def test_the_swapped_names_reach_every_swap_level(scored: Any) -> None:
    # the equality above covers the swap path only if its pairs are there: splink puts pairs at
    # each of the family comparison's three swap levels, and they all meet SWAP_FIELDS
    _, theirs, reference = scored
    family = next(c for c in reference._settings_obj.comparisons
                  if c.output_column_name == "family")
    swaps = [lvl.comparison_vector_value for lvl in family.comparison_levels
             if "swapped" in lvl.label_for_charts]
    assert len(swaps) == 3
    counts = theirs["gamma_family"].value_counts()
    assert all(counts.get(g, 0) > 0 for g in swaps), counts


def test_value_codes_are_equal_exactly_for_equal_values() -> None:
    frame = pd.DataFrame({"given_skel": ["hsn", "hsn", None, "ali", None],
                          "given_roman": [["hosein"], ["hosein"], [], ["ali", "aly"], None],
                          "family_skel": ["rz", None, "hsn", "rz", None]})
    own = {c.output_column_name: c for c in settings_creator(
        {"given_skel", "family_skel"}, LinkSettings(), part="own").get_settings(
            "duckdb").comparisons}
    codes = distinct.value_codes(pd.DataFrame({
        **{c: frame[c] for c in frame}, **_other_columns(len(frame))}), own.values())
    given = codes["_v_given"]
    assert given[0] == given[1] and len(set(given[1:])) == 4   # an empty list is not None
    assert codes["_v_given_skel"][2] != codes["_v_family_skel"][4]    # missing never equal
    assert codes["_v_given_skel"][0] == codes["_v_family_skel"][2]    # hsn = hsn across


def _other_columns(n: int) -> dict[str, list[Any]]:
    """The other columns the given and family comparisons read, all missing."""
    return {f"{p}_{k}": [None] * n for p in ("given", "family")
            for k in ("key", "canon", "edit", "attested")} | {"family_roman": [None] * n,
                                                               "source_list": ["A"] * n}


def test_a_missing_value_pair_is_an_error_not_a_silent_zero() -> None:
    slot_key, slot_pos = _lookup.build(np.array([5, (1 << 31) + 2], dtype=np.int64))
    total = np.zeros(2)
    codes = np.array([0, 1, 2, 5], dtype=np.int32)
    missing = _lookup.add_weights(total, np.array([0, 1]), np.array([3, 2]), codes, slot_key,
                                  slot_pos, np.array([1.5, -2.0]))
    assert missing == 0 and total.tolist() == [1.5, -2.0]
    assert _lookup.add_weights(total, np.array([2]), np.array([2]), codes, slot_key, slot_pos,
                               np.array([1.5, -2.0])) == 1
