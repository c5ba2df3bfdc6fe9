"""`near_words` must give the place level the answer of Jaro-Winkler over every word pairing."""

from __future__ import annotations

import itertools

import duckdb
import pandas as pd

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
