"""Compiled (numba) Jaro-Winkler and pair scoring for `name_similarity_batch`.

Strings live in one flat int32 array of code points (``chars``) addressed by ``offs``/``lens``;
a name part is a row of string ids (its canonical candidates), a key id and a skeleton id. The
formulas are exactly those of `sabt.text.similarity` (rapidfuzz Jaro-Winkler, prefix weight 0.1
above 0.7), which the tests check pair by pair.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_I, _E = ord("i"), ord("e")
_VOWELS = np.array([ord(c) for c in "aeiou"], dtype=np.int32)


@njit(cache=True, nogil=True)
def _jaro_short(chars: np.ndarray, a0: int, la: int, b0: int, lb: int, window: int) -> float:
    """Jaro of two strings of at most 64 characters, match flags kept in bit masks."""
    fa = np.uint64(0)
    fb = np.uint64(0)
    one = np.uint64(1)
    m = 0
    for i in range(la):
        lo = max(0, i - window)
        hi = min(lb, i + window + 1)
        ca = chars[a0 + i]
        for j in range(lo, hi):
            bit = one << np.uint64(j)
            if (fb & bit) == 0 and chars[b0 + j] == ca:
                fa |= one << np.uint64(i)
                fb |= bit
                m += 1
                break
    if m == 0:
        return 0.0
    t = 0
    k = 0
    for i in range(la):
        if fa & (one << np.uint64(i)):
            while (fb & (one << np.uint64(k))) == 0:
                k += 1
            if chars[a0 + i] != chars[b0 + k]:
                t += 1
            k += 1
    t //= 2
    return (m / la + m / lb + (m - t) / m) / 3.0


@njit(cache=True, nogil=True)
def jaro_winkler(chars: np.ndarray, a0: int, la: int, b0: int, lb: int) -> float:
    """Jaro-Winkler similarity of chars[a0:a0+la] and chars[b0:b0+lb] (rapidfuzz's definition)."""
    if la == 0 and lb == 0:
        return 1.0
    if la == 0 or lb == 0:
        return 0.0
    window = max(la, lb) // 2 - 1
    if window < 0:
        window = 0
    if la <= 64 and lb <= 64:
        sim = _jaro_short(chars, a0, la, b0, lb, window)
        if sim > 0.7:
            p = 0
            for i in range(min(4, la, lb)):
                if chars[a0 + i] != chars[b0 + i]:
                    break
                p += 1
            sim += p * 0.1 * (1.0 - sim)
        return sim
    fa = np.zeros(la, dtype=np.bool_)
    fb = np.zeros(lb, dtype=np.bool_)
    m = 0
    for i in range(la):
        lo = max(0, i - window)
        hi = min(lb, i + window + 1)
        ca = chars[a0 + i]
        for j in range(lo, hi):
            if not fb[j] and chars[b0 + j] == ca:
                fa[i] = True
                fb[j] = True
                m += 1
                break
    if m == 0:
        return 0.0
    t = 0
    k = 0
    for i in range(la):
        if fa[i]:
            while not fb[k]:
                k += 1
            if chars[a0 + i] != chars[b0 + k]:
                t += 1
            k += 1
    t //= 2
    sim = (m / la + m / lb + (m - t) / m) / 3.0
    if sim > 0.7:
        p = 0
        for i in range(min(4, la, lb)):
            if chars[a0 + i] != chars[b0 + i]:
                break
            p += 1
        sim += p * 0.1 * (1.0 - sim)
    return sim


@njit(cache=True, nogil=True)
def _suffix_only(chars: np.ndarray, a0: int, la: int, b0: int, lb: int) -> bool:
    if la > lb:
        a0, la, b0, lb = b0, lb, a0, la
    if la + 1 != lb or la == 0:
        return False
    for i in range(la):
        if chars[a0 + i] != chars[b0 + i]:
            return False
    last = chars[b0 + lb - 1]
    if last != _I and last != _E:
        return False
    c = chars[a0 + la - 1]
    vowel_end: bool = (c == _VOWELS[0] or c == _VOWELS[1] or c == _VOWELS[2] or c == _VOWELS[3]
                       or c == _VOWELS[4])
    return not vowel_end


@njit(cache=True, nogil=True)
def field_sim(x: int, y: int, cand: np.ndarray, keys: np.ndarray, skel: np.ndarray,
              chars: np.ndarray, offs: np.ndarray, lens: np.ndarray,
              w_jw: float, suffix_cap: float) -> float:
    """`similarity.field_similarity` on field ids (see that function for the formula)."""
    if keys[x] == keys[y]:
        return 1.0
    best = -1.0
    ba = -1
    bb = -1
    for i in range(cand.shape[1]):
        sa = cand[x, i]
        if sa < 0:
            break
        for j in range(cand.shape[1]):
            sb = cand[y, j]
            if sb < 0:
                break
            s = jaro_winkler(chars, offs[sa], lens[sa], offs[sb], lens[sb])
            if s > best:
                best = s
                ba = sa
                bb = sb
    if (ba >= 0 and best > suffix_cap
            and _suffix_only(chars, offs[ba], lens[ba], offs[bb], lens[bb])):
        best = suffix_cap
    same_skel = 1.0 if (best == 1.0 or (skel[x] >= 0 and skel[x] == skel[y])) else 0.0
    return w_jw * best + (1.0 - w_jw) * same_skel


@njit(cache=True, parallel=True)
def score_pairs(ca: np.ndarray, cb: np.ndarray, parts: np.ndarray, cand: np.ndarray,
                keys: np.ndarray, skel: np.ndarray, chars: np.ndarray,
                offs: np.ndarray, lens: np.ndarray, params: np.ndarray) -> np.ndarray:
    """`similarity.rep_score` for pairs (ca[k], cb[k]) of name ids; parts: g, f, father, whole,
    first unit of a multi-unit family name."""
    w_jw, suffix_cap, whole_pen, swap_pen, father_w, extra_pen = (
        params[0], params[1], params[2], params[3], params[4], params[5])
    n = len(ca)
    out = np.zeros(n, dtype=np.float64)
    for k in prange(n):
        pa = parts[ca[k]]
        pb = parts[cb[k]]
        if pa[3] < 0 or pb[3] < 0:
            continue
        score = field_sim(pa[3], pb[3], cand, keys, skel, chars, offs, lens, w_jw,
                          suffix_cap)
        if pa[0] >= 0 and pa[1] >= 0 and pb[0] >= 0 and pb[1] >= 0:
            gg = field_sim(pa[0], pb[0], cand, keys, skel, chars, offs, lens, w_jw,
                           suffix_cap)
            ff = field_sim(pa[1], pb[1], cand, keys, skel, chars, offs, lens, w_jw,
                           suffix_cap)
            gf = field_sim(pa[0], pb[1], cand, keys, skel, chars, offs, lens, w_jw,
                           suffix_cap)
            fg = field_sim(pa[1], pb[0], cand, keys, skel, chars, offs, lens, w_jw,
                           suffix_cap)
            whole = score if score == 1.0 else score - whole_pen
            score = max((gg + ff) / 2, (gf + fg) / 2 - swap_pen, whole)
            if (pa[4] < 0) != (pb[4] < 0):
                ha = pa[4] if pa[4] >= 0 else pa[1]
                hb = pb[4] if pb[4] >= 0 else pb[1]
                head = field_sim(ha, hb, cand, keys, skel, chars, offs, lens, w_jw, suffix_cap)
                score = max(score, (gg + head) / 2 - extra_pen)
        if pa[2] >= 0 and pb[2] >= 0:
            fa = field_sim(pa[2], pb[2], cand, keys, skel, chars, offs, lens, w_jw,
                           suffix_cap)
            score = (1 - father_w) * score + father_w * fa
        out[k] = min(1.0, max(0.0, score))
    return out
