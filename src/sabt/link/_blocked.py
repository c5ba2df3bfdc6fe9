"""Compiled (numba) blocked pairs from block keys: what splink's blocking SQL gives for
``dedupe_only`` (left position < right position; a pair once, by the first rule that holds)
without a table of tens of millions of rows in the database."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _earlier(x: int, y: int, left: np.ndarray, right: np.ndarray, rule: int) -> bool:
    """Does a rule before `rule` hold for the pair (x, y)? (−1: no key, the rule cannot hold.)"""
    for j in range(rule):
        key = left[x, j]
        if key >= 0 and key == right[y, j]:
            return True
    return False


@njit(cache=True, nogil=True)
def rule_pairs(left: np.ndarray, right: np.ndarray, rule: int, lorder: np.ndarray,
               rorder: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (x < y) with ``left[x, rule] == right[y, rule]`` that no earlier rule gives.

    `lorder`/`rorder`: the positions with a key in this rule, sorted by their left/right key;
    `most`: an upper bound of the pairs (sum over keys of left count × right count)."""
    out_x = np.empty(most, dtype=np.int32)
    out_y = np.empty(most, dtype=np.int32)
    count = 0
    i = 0
    j = 0
    while i < len(lorder) and j < len(rorder):
        key = left[lorder[i], rule]
        other = right[rorder[j], rule]
        if key < other:
            i += 1
            continue
        if other < key:
            j += 1
            continue
        i_end = i
        while i_end < len(lorder) and left[lorder[i_end], rule] == key:
            i_end += 1
        j_end = j
        while j_end < len(rorder) and right[rorder[j_end], rule] == key:
            j_end += 1
        for a in range(i, i_end):
            for b in range(j, j_end):
                x = lorder[a]
                y = rorder[b]
                if x < y and not _earlier(x, y, left, right, rule):
                    out_x[count] = x
                    out_y[count] = y
                    count += 1
        i = i_end
        j = j_end
    return out_x[:count].copy(), out_y[:count].copy()
