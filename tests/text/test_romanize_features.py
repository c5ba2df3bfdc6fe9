"""Romanisation (offline, cached) and the feature columns DuckDB compares across scripts."""

from __future__ import annotations

import socket

import duckdb
import pandas as pd
import pytest

from sabt.text import feature_columns, name_features, romanize
from sabt.text.romanize import romanize_token


@pytest.mark.parametrize(
    ("persian", "spelling"),
    [("حسین", "Hossein"), ("محمد", "Mohammad"), ("غلامرضا", "Gholamreza"), ("رضایی", "Rezaei")],
)
def test_common_names_romanise_to_attested_spellings(persian: str, spelling: str) -> None:
    assert spelling in romanize(persian)


def test_latin_passes_through_and_empty_is_empty() -> None:
    assert romanize("Hossein") == ["Hossein"]
    assert romanize("") == []
    assert romanize("   ") == []


def test_romanisation_is_cached_per_token() -> None:
    romanize_token.cache_clear()
    romanize("حسین رضایی")
    romanize("رضایی حسین")
    info = romanize_token.cache_info()
    assert info.misses == 2 and info.hits == 2


def test_no_network_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    from arabic_name_romanizer import Transliterator

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    engine = Transliterator()  # loads the bundled dictionary and ONNX model from disk
    assert engine.transliterate("سرخوشیان", top_k=1, country="IR")


def test_name_features_cross_script() -> None:
    fa, la = name_features("سید حسین رضایی"), name_features("Seyyed Hussein Rezaie")
    assert fa["canon"] == la["canon"]
    assert fa["skeleton"] == la["skeleton"]
    assert set(fa["roman"]) & set(la["roman"])
    assert fa["script"] == "persian" and la["script"] == "latin"


def test_feature_columns_in_duckdb() -> None:
    left = feature_columns(pd.DataFrame({"id": [1, 2], "name": ["حسین رضایی", "محمد تهرانی"]}),
                           column="name")
    right = feature_columns(["Hossein Rezaei", "Hassan Rezaei", "Mohammad Tehrani", None])
    assert list(right.columns) == ["name", "key", "canon", "skeleton", "roman", "script"]
    con = duckdb.connect()
    con.register("l", left)
    con.register("r", right)
    rows = con.execute(
        """
        SELECT l.id, r.name FROM l JOIN r
          ON l.skeleton = r.skeleton
         AND (list_has_any(l.roman, r.roman) OR jaro_winkler_similarity(l.canon, r.canon) > 0.95)
        ORDER BY l.id
        """
    ).fetchall()
    assert rows == [(1, "Hossein Rezaei"), (2, "Mohammad Tehrani")]
