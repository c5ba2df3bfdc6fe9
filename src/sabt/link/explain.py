"""Why the model scored a pair as it did: each comparison's level and match weight.

A reviewer deciding a pair needs more than one probability: which fields agreed, which
disagreed and how much each counted. This scores the two records again with the run's own
comparisons and trained model (λ, m and u as saved with the run) on an in-memory DuckDB, and
returns one plain row per comparison. Nothing here touches the workspace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sabt.link.options import LinkSettings


@dataclass(frozen=True)
class ComparisonWhy:
    """One comparison of the pair: the field, the level it fell in, and its evidence.

    ``bayes_factor`` is m/u for that level (1 means no evidence either way, as for a field
    missing on one side); ``match_weight`` is its log2, the amount the comparison added to or
    took from the pair's total.
    """

    field: str
    level: str
    bayes_factor: float
    match_weight: float


@dataclass(frozen=True)
class PairWhy:
    """The pair's comparisons, the prior's weight and the resulting probability."""

    comparisons: list[ComparisonWhy]
    prior_weight: float
    match_weight: float
    probability: float


def explain_pair(records: pd.DataFrame, settings: LinkSettings,
                 model: dict[str, Any]) -> PairWhy:
    """Score the two rows of `records` (the records table of `load_records`) with `model`.

    Each comparison's level comes from the run's own comparison SQL (splink's CASE statements)
    evaluated by DuckDB on the two records' features; its evidence is that level's m/u from the
    saved model. Comparisons of fields both records lack are left out, as the run left out
    fields no record had. Name-frequency adjustments are left out (they need counts over every
    record), so the probability here can differ a little from the run's stored one, which
    stays the authority.
    """
    import duckdb

    from sabt.link import splink_adapter
    from sabt.link.engine import present_columns
    from sabt.link.extra import blocking_rules as extra_blocking_rules
    from sabt.link.features import build_features
    from sabt.link.settings import settings_creator

    if len(records) != 2:
        raise ValueError("explain_pair needs exactly two records")
    features = build_features(records.reset_index(drop=True))
    present = present_columns(features)
    extra = extra_blocking_rules(features, present)
    comparisons = settings_creator(present, settings, extra).get_settings("duckdb").comparisons
    left, right = features.to_dict("records")
    pair = pd.DataFrame({**{f"{k}_l": [v] for k, v in left.items()},
                         **{f"{k}_r": [v] for k, v in right.items()}})
    with duckdb.connect() as con:
        con.register("pair", pair)
        cases = ", ".join(splink_adapter.case_statement(c) for c in comparisons)
        gammas = con.execute(f"select {cases} from pair").fetchone()
    assert gammas is not None
    saved = {c["output_column_name"]: c["comparison_levels"] for c in model["comparisons"]}
    prior = float(model["probability_two_random_records_match"])
    out = []
    for comparison, gamma in zip(comparisons, gammas, strict=True):
        levels = comparison.comparison_levels
        at = next(i for i, lv in enumerate(levels) if lv.comparison_vector_value == gamma)
        values = saved.get(comparison.output_column_name, [])
        m_u = values[at] if at < len(values) and not levels[at].is_null_level else {}
        m, u = m_u.get("m_probability"), m_u.get("u_probability")
        bf = float(m) / float(u) if m and u else 1.0
        out.append(ComparisonWhy(field=comparison.output_column_name,
                                 level=levels[at].label_for_charts, bayes_factor=bf,
                                 match_weight=math.log2(bf)))
    prior_weight = math.log2(prior / (1 - prior))
    total = prior_weight + sum(c.match_weight for c in out)
    return PairWhy(comparisons=out, prior_weight=prior_weight, match_weight=total,
                   probability=1 / (1 + 2 ** -total))
