"""Name comparison features as plain values and as table columns for splink / DuckDB.

Per name: ``key`` (exact key in its own script), ``canon`` (canonical Latin; for Persian the
canonical form of its best romanisation), ``skeleton`` (cross-script consonants), ``roman``
(list of canonical Latin candidates: the romanisations for Persian, ``[canon]`` for Latin) and
``script``; ``roman`` holds the same noise-filtered candidates `name_similarity` compares. With
these columns alone DuckDB compares names across scripts, e.g.::

    l.key = r.key                                         -- exact, same script
    list_has_any(l.roman, r.roman)                        -- same canonical spelling, any script
    list_max(list_transform(l.roman, x -> list_max(list_transform(r.roman,
        y -> jaro_winkler(x, y))))) >= 0.92               -- close spelling, any script
    l.skeleton = r.skeleton                               -- blocking / weak evidence

Honorifics and a father's-name clause are removed first (see `sabt.text.names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from sabt.text.keys import latin_canon, name_key, skeleton
from sabt.text.names import parse_name
from sabt.text.normalize import detect_script
from sabt.text.similarity import make_field

FEATURES = ("key", "canon", "skeleton", "roman", "script")


def name_features(s: str) -> dict[str, Any]:
    """The comparison features of one name (empty values for empty or non-text input)."""
    text = s if isinstance(s, str) else ""
    parsed = parse_name(text)
    name = parsed.full or text
    script = detect_script(name)
    canon = latin_canon(name)
    if script in ("persian", "mixed"):
        field = make_field(name)  # the candidates name_similarity compares (noise filtered)
        roman = list(field.cands) if field else []
    else:
        roman = [canon] if canon else []
    return {"key": name_key(name), "canon": canon, "skeleton": skeleton(name), "roman": roman,
            "script": script}


def feature_columns(data: pd.DataFrame | pd.Series | Iterable[str], column: str | None = None,
                    prefix: str = "") -> pd.DataFrame:
    """Feature columns for many names.

    ``data`` is a DataFrame (``column`` names the name column; the result is a copy with the
    feature columns ``{prefix}key`` ... appended), a Series, or any iterable of strings (the
    result then has a ``name`` column followed by the features). Each distinct name is
    computed once.
    """
    if isinstance(data, pd.DataFrame):
        if column is None or column not in data.columns:
            from sabt.errors import InvalidValue

            raise InvalidValue(f"feature_columns needs column= naming one of {list(data.columns)}")
        out = data.copy()
        values = out[column]
    else:
        values = pd.Series(list(data), dtype=object)
        out = pd.DataFrame({"name": values})
    cache: dict[str, dict[str, Any]] = {}
    rows = []
    for v in values.tolist():
        text = v if isinstance(v, str) else ""
        feats = cache.get(text)
        if feats is None:
            feats = cache[text] = name_features(text)
        rows.append(feats)
    for f in FEATURES:
        out[prefix + f] = [r[f] for r in rows]
    return out
