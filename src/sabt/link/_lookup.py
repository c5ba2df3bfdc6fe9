"""Compiled (numba) look-ups for `sabt.link.distinct`: each record pair's weight from the
weights of the distinct pairs of values, by hashing the pair of value codes."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_EMPTY = -1


@njit(cache=True, nogil=True)
def _slot(key: int, mask: int) -> int:
    """Start slot of `key` (Fibonacci hashing: neighbouring codes land far apart)."""
    x = np.int64(key) * np.int64(-7046029254386353131)   # 0x9E3779B97F4A7C15, wrapping
    return int((x ^ (x >> 29)) & mask)


@njit(cache=True, nogil=True)
def build(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An open-addressing table of distinct non-negative `keys`: slot → key (−1 empty) and
    slot → the key's position in `keys`."""
    size = 1
    while size < 2 * len(keys):
        size *= 2
    slot_key = np.full(size, _EMPTY, dtype=np.int64)
    slot_pos = np.zeros(size, dtype=np.int32)
    mask = size - 1
    for i in range(len(keys)):
        h = _slot(keys[i], mask)
        while slot_key[h] != _EMPTY:
            h = (h + 1) & mask
        slot_key[h] = keys[i]
        slot_pos[h] = i
    return slot_key, slot_pos


@njit(cache=True, nogil=True)
def _find(key: int, slot_key: np.ndarray, slot_pos: np.ndarray) -> int:
    """The position of `key` in the table's keys, −1 when it is not there."""
    mask = len(slot_key) - 1
    h = _slot(key, mask)
    while slot_key[h] != key:
        if slot_key[h] == _EMPTY:
            return -1
        h = (h + 1) & mask
    return int(slot_pos[h])


@njit(cache=True, nogil=True, parallel=True)
def positions(left: np.ndarray, right: np.ndarray, lcodes: np.ndarray, rcodes: np.ndarray,
              slot_key: np.ndarray, slot_pos: np.ndarray) -> np.ndarray:
    """For each pair (`left[i]`, `right[i]`), the position of its code pair (left record's
    `lcodes` << 31 + right record's `rcodes`) in the table's keys (−1: not there)."""
    out = np.empty(len(left), dtype=np.int64)
    for i in prange(len(left)):
        key = (np.int64(lcodes[left[i]]) << 31) + rcodes[right[i]]
        out[i] = _find(key, slot_key, slot_pos)
    return out


@njit(cache=True, nogil=True, parallel=True)
def add_weights(total: np.ndarray, left: np.ndarray, right: np.ndarray, codes: np.ndarray,
                slot_key: np.ndarray, slot_pos: np.ndarray, weights: np.ndarray) -> int:
    """Add to `total[i]` the weight of pair i's code pair; returns how many pairs had none."""
    missing = 0
    for i in prange(len(left)):
        key = (np.int64(codes[left[i]]) << 31) + codes[right[i]]
        pos = _find(key, slot_key, slot_pos)
        if pos < 0:
            missing += 1
        else:
            total[i] += weights[pos]
    return missing


@njit(cache=True, nogil=True)
def probability(weight: float) -> float:
    """Match probability of a match weight, as splink computes it (no overflow either way)."""
    if weight >= 0:
        return float(1.0 / (1.0 + 2.0 ** -weight))
    power = 2.0 ** weight
    return float(power / (1.0 + power))


@njit(cache=True, nogil=True)
def at_least(weight: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions and probabilities of the weights whose probability is at least `floor`."""
    count = 0
    for w in weight:
        if probability(w) >= floor:
            count += 1
    where = np.empty(count, dtype=np.int64)
    prob = np.empty(count, dtype=np.float64)
    k = 0
    for i in range(len(weight)):
        p = probability(weight[i])
        if p >= floor:
            where[k] = i
            prob[k] = p
            k += 1
    return where, prob


@njit(cache=True, nogil=True)
def below(weight: np.ndarray, ceiling: float, left: np.ndarray, right: np.ndarray,
          groups: np.ndarray) -> np.ndarray:
    """Positions of the pairs whose probability is below `ceiling` and, unless `groups` is
    empty, whose two records share a group."""
    keep = np.zeros(len(weight), dtype=np.bool_)
    grouped = len(groups) > 0
    for i in range(len(weight)):
        if probability(weight[i]) < ceiling:
            keep[i] = not grouped or groups[left[i]] == groups[right[i]]
    return np.flatnonzero(keep)


@njit(cache=True, nogil=True)
def crossed(left: np.ndarray, right: np.ndarray, first: np.ndarray,
            second: np.ndarray) -> np.ndarray:
    """Per pair: 1 if the left record's `first` code equals the right one's `second` code, 2
    if the other way round, 3 if both, 0 if neither (without gathering whole columns)."""
    out = np.zeros(len(left), dtype=np.int8)
    for i in range(len(left)):
        out[i] = ((first[left[i]] == second[right[i]])
                  + 2 * (second[left[i]] == first[right[i]]))
    return out


@njit(cache=True, nogil=True)
def _grown(slot_key: np.ndarray) -> np.ndarray:
    """The same keys in a table twice the size."""
    size = 2 * len(slot_key)
    out = np.full(size, _EMPTY, dtype=np.int64)
    mask = size - 1
    for key in slot_key:
        if key != _EMPTY:
            h = _slot(key, mask)
            while out[h] != _EMPTY:
                h = (h + 1) & mask
            out[h] = key
    return out


@njit(cache=True, nogil=True)
def distinct_keys(left: np.ndarray, right: np.ndarray, lcodes: np.ndarray,
                  rcodes: np.ndarray) -> np.ndarray:
    """The distinct code pairs (left record's `lcodes` << 31 + right record's `rcodes`) of the
    pairs, sorted."""
    slot_key = np.full(1 << 16, _EMPTY, dtype=np.int64)
    count = 0
    for i in range(len(left)):
        key = (np.int64(lcodes[left[i]]) << 31) + rcodes[right[i]]
        mask = len(slot_key) - 1
        h = _slot(key, mask)
        while slot_key[h] != key:
            if slot_key[h] == _EMPTY:
                slot_key[h] = key
                count += 1
                if 2 * count > len(slot_key):
                    slot_key = _grown(slot_key)
                break
            h = (h + 1) & mask
    return np.sort(slot_key[slot_key != _EMPTY])


@njit(cache=True, nogil=True)
def distinct_keys_dense(left: np.ndarray, right: np.ndarray, lcodes: np.ndarray,
                        rcodes: np.ndarray, lsize: int, rsize: int) -> np.ndarray:
    """`distinct_keys` for few codes (`lsize` × `rsize` flags fit in memory): a flag per
    possible code pair instead of a hash table, far faster."""
    seen = np.zeros(lsize * rsize, dtype=np.bool_)
    for i in range(len(left)):
        seen[np.int64(lcodes[left[i]]) * rsize + rcodes[right[i]]] = True
    found = np.flatnonzero(seen)
    return ((found // rsize) << 31) + found % rsize
