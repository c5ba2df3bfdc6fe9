"""`near_words` must give the place level the answer of Jaro-Winkler over every word pairing."""

from __future__ import annotations

import itertools

import duckdb
import numpy as np
import pandas as pd
import pytest

from sabt.link.features import PLACE_NEAR, near_words


def test_near_words_agree_with_best_pairing() -> None:
    # skeletons that are near (one letter off), far, and multi-word; one record has no place
    places: list[list[str] | None] = [["dzlbd"], ["dlbd"], ["vn", "thrn"], ["thrn"], ["qzl"],
                                      None, ["qzlhsr", "krj"], ["krj"]]
    near = near_words(pd.Series(places, dtype=object), PLACE_NEAR)
    assert near[5] is None
    # by hand: dzlbd/dlbd match 4 letters in order, Jaro (4/5 + 4/4 + 1)/3 = 0.933, JW 0.94
    assert near[0] is not None and "dlbd" in near[0] and "krj" not in near[0]
    con = duckdb.connect()
    for i, j in itertools.permutations([k for k, p in enumerate(places) if p], 2):
        left, right = places[i], places[j]
        assert left is not None and right is not None
        # the level's old SQL: best Jaro-Winkler over every pairing of the two records' words
        best = con.execute("select list_max(list_transform(?::varchar[], x -> list_max("
                           "list_transform(?::varchar[], y -> jaro_winkler_similarity(x, y)))))",
                           [left, right]).fetchone()
        assert best is not None
        near_left = near[i]
        assert near_left is not None
        assert (best[0] >= PLACE_NEAR) == bool(set(near_left) & set(right)), (left, right)


def _one_typo(left: str, right: str) -> bool:
    """The "one typing error" level's SQL on the name features of two given names."""
    from sabt.link.features import name_feature_columns
    from sabt.link.settings import typo_sql

    frame = name_feature_columns(pd.Series([left, right]), "given")
    row = {f"{col}_{side}": frame.at[k, col]
           for col in ("given_edit", "given_canon", "given_attested")
           for k, side in ((0, "l"), (1, "r"))}
    con = duckdb.connect()
    con.register("pair", pd.DataFrame([row]))
    found = con.execute(f"select coalesce({typo_sql('given', 'given')}, false) from pair")
    return bool(found.fetchone()[0])  # type: ignore[index]


def test_one_typing_error_counts_letters_not_bytes() -> None:
    # by hand: a changed letter, two Persian letters swapped (each letter two bytes in UTF-8,
    # which DuckDB's edit distance counts: 4 edits on the raw key), a dropped Persian letter
    assert _one_typo("Fayemeh", "Fatemeh")
    assert _one_typo("مسحن", "محسن")
    assert _one_typo("حمدرضا", "محمدرضا")
    # across scripts, a misspelt Persian name against a Latin spelling of the attested name
    assert _one_typo("مرضی", "Morteza")
    assert _one_typo("Dariush", "دایوش")
    # two edits apart (Hasan / Hosein), too short to tell (Ali / Abi), different names
    assert not _one_typo("Hasan", "Hosein")
    assert not _one_typo("Ali", "Abi")
    assert not _one_typo("Maryam", "Zahra")


def test_swapped_with_a_typo_needs_the_swap() -> None:
    from sabt.link.settings import _swapped_typo_level

    level = _swapped_typo_level("family", "given")

    def level_holds(left: tuple[str, str], right: tuple[str, str]) -> bool:
        return _holds(level, _pair_row(left, right))

    # Karimi Fatemeh written surname first, "Fatemeh" misspelt: the swap with one typo
    assert level_holds(("Fatemeh", "Karimi"), ("Karimi", "Fayemeh"))
    # one typo between given and family name, but the other halves differ: no swap
    assert not level_holds(("Fatemeh", "Karimi"), ("Ali", "Fayemeh"))


def _pair_row(left: tuple[str, str], right: tuple[str, str]) -> dict[str, object]:
    """Given and family name features of two records, as the l/r columns splink compares."""
    from sabt.link.features import name_feature_columns

    row: dict[str, object] = {}
    for prefix, k in (("given", 0), ("family", 1)):
        frame = name_feature_columns(pd.Series([left[k], right[k]]), prefix)
        for col in ("skel", "edit", "canon", "attested"):
            row[f"{prefix}_{col}_l"] = frame.at[0, f"{prefix}_{col}"]
            row[f"{prefix}_{col}_r"] = frame.at[1, f"{prefix}_{col}"]
    return row


def _holds(level: object, row: dict[str, object]) -> bool:
    con = duckdb.connect()
    con.register("pair", pd.DataFrame([row]))
    sql = level.get_comparison_level("duckdb").sql_condition  # type: ignore[attr-defined]
    return bool(con.execute(f"select coalesce({sql}, false) from pair").fetchone()[0])  # type: ignore[index]


def test_look_alike_attested_names_are_other_names() -> None:
    from sabt.link.settings import LookAlikeNames

    level = LookAlikeNames("given", 0.8)
    # two names the dictionary attests, spelt alike, in one script and across scripts
    assert _holds(level, _pair_row(("Mohammad", "Karimi"), ("Mahmoud", "Karimi")))
    assert _holds(level, _pair_row(("محمود", "کریمی"), ("Mohammad", "Karimi")))
    # two spellings of one name, and a typing error (not attested): not other names
    assert not _holds(level, _pair_row(("Maryam", "Karimi"), ("Mariam", "Karimi")))
    assert not _holds(level, _pair_row(("Mojtaba", "Karimi"), ("Mojtab", "Karimi")))


def test_swap_with_the_same_spellings_or_only_skeletons() -> None:
    from sabt.link.settings import _swapped_levels

    same, skeletons_only, _typo = _swapped_levels("family", "given")
    # Karimi Fatemeh written surname first: the same spellings swapped
    swapped = _pair_row(("Fatemeh", "Karimi"), ("Karimi", "Fatemeh"))
    assert _holds(same, swapped) and _holds(skeletons_only, swapped)
    # Mohsen Saadi and سعید محسنی share the swapped skeletons (mhsn, sd), not the names
    lookalike = _pair_row(("Mohsen", "Saadi"), ("سعید", "محسنی"))
    assert not _holds(same, lookalike) and _holds(skeletons_only, lookalike)


def test_names_the_dictionary_does_not_know_are_scored(
        small_hard: tuple[pd.DataFrame, np.ndarray, np.ndarray],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # no name attested (rare names only): the attested column is empty in every row and must
    # still reach DuckDB as text (an untyped empty column became INTEGER, and the typo level's
    # length() failed)
    from sabt.link import features as link_features
    from sabt.link.engine import score
    from sabt.link.options import LinkSettings

    monkeypatch.setattr(link_features, "attested_name", lambda _token: None)
    records, truth, _ = small_hard
    features = link_features.build_features(records)
    assert features["given_attested"].isna().all()
    scored = score(features, LinkSettings(seed=1))
    same = truth[scored.left] == truth[scored.right]
    # the linked pairs are mostly true ones (the full model's precision is far above a half)
    linked = scored.probability >= LinkSettings.threshold
    assert linked.sum() > 0 and float(np.mean(same[linked])) > 0.5
