"""Compiled (numba) Jaro-Winkler and pair scoring for `name_similarity_batch`.

Candidate strings live in one flat array of symbols (``sym``: their characters coded 0..n_sym-1);
a name part is one row of ``ftab``: key id, skeleton id, and each candidate's offset and
length; row f of ``atab`` is the part's own name id (a Persian part; -1 for Latin), the number of
dictionary names its spellings are attested for, and their ids. Jaro matching is bit-parallel
(one 64-bit mask per symbol of the second string), so a character finds its match in one step
instead of a scan of the window. The formulas are exactly
those of `sabt.text.similarity` (rapidfuzz Jaro-Winkler, prefix weight 0.1 above 0.7), which the
tests check pair by pair.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# Letters the suffix rule needs, in the order of the ``marks`` argument (their symbol codes).
MARK_LETTERS = "ieaou"
_ONE = np.uint64(1)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
# Pairs per parallel chunk: each chunk allocates its own match-mask scratch once.
CHUNK = 4096


@njit(cache=True, nogil=True)
def _set_masks(pm: np.ndarray, row: int, sym: np.ndarray, b0: int, lb: int,
               value: bool) -> None:
    """Write (or clear) string b's match masks into ``pm[row]``: bit j of pm[row, c] is set
    when b[j] is symbol c. Only called for strings of at most 64 symbols."""
    for j in range(lb):
        c = sym[b0 + j]
        if value:
            pm[row, c] |= _ONE << np.uint64(j)
        else:
            pm[row, c] = np.uint64(0)


@njit(cache=True, nogil=True)
def _candidate_masks(pm: np.ndarray, ftab: np.ndarray, y: int, sym: np.ndarray,
                     value: bool) -> None:
    """Write (or clear) the match masks of every candidate of field ``y`` (row j = candidate j)."""
    width = (ftab.shape[1] - 2) // 2
    for j in range(width):
        lb = ftab[y, 3 + 2 * j]
        if lb < 0:
            break
        if lb <= 64:
            _set_masks(pm, j, sym, ftab[y, 2 + 2 * j], lb, value)


@njit(cache=True, nogil=True)
def _jaro_bits(sym: np.ndarray, a0: int, la: int, lb: int, pm: np.ndarray, row: int) -> float:
    """Jaro of a (at sym[a0:a0+la]) and a string b of at most 64 symbols whose match masks are
    in ``pm[row]``: each character of a finds its first free match in the window in one step."""
    window = max(la, lb) // 2 - 1
    if window < 0:
        window = 0
    fa = np.uint64(0)
    fb = np.uint64(0)
    m = 0
    for i in range(la):
        lo = max(0, i - window)
        hi = min(lb, i + window + 1)
        if lo >= hi:
            continue
        upper = _ALL if hi == 64 else (_ONE << np.uint64(hi)) - _ONE
        free = pm[row, sym[a0 + i]] & upper & ~((_ONE << np.uint64(lo)) - _ONE) & ~fb
        if free != 0:
            fb |= free & (~free + _ONE)
            fa |= _ONE << np.uint64(i)
            m += 1
    if m == 0:
        return 0.0
    # Transpositions: the k-th matched character of a against the k-th matched one of b.
    t = 0
    rest = fb
    for i in range(la):
        if fa & (_ONE << np.uint64(i)):
            low = rest & (~rest + _ONE)
            rest ^= low
            if (pm[row, sym[a0 + i]] & low) == 0:
                t += 1
    t //= 2
    return (m / la + m / lb + (m - t) / m) / 3.0


@njit(cache=True, nogil=True)
def _jaro_long(sym: np.ndarray, a0: int, la: int, b0: int, lb: int) -> float:
    """Jaro by direct search (strings longer than 64 symbols; names hardly ever are)."""
    window = max(la, lb) // 2 - 1
    if window < 0:
        window = 0
    fa = np.zeros(la, dtype=np.bool_)
    fb = np.zeros(lb, dtype=np.bool_)
    m = 0
    for i in range(la):
        lo = max(0, i - window)
        hi = min(lb, i + window + 1)
        ca = sym[a0 + i]
        for j in range(lo, hi):
            if not fb[j] and sym[b0 + j] == ca:
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
            if sym[a0 + i] != sym[b0 + k]:
                t += 1
            k += 1
    t //= 2
    return (m / la + m / lb + (m - t) / m) / 3.0


@njit(cache=True, nogil=True)
def jaro_winkler(sym: np.ndarray, a0: int, la: int, b0: int, lb: int, pm: np.ndarray,
                 row: int) -> float:
    """Jaro-Winkler of sym[a0:a0+la] and sym[b0:b0+lb] (rapidfuzz's definition: prefix weight
    0.1 above 0.7); ``pm[row]`` holds b's match masks when b has at most 64 symbols."""
    if la == 0 and lb == 0:
        return 1.0
    if la == 0 or lb == 0:
        return 0.0
    if la <= 64 and lb <= 64:
        sim = _jaro_bits(sym, a0, la, lb, pm, row)
    else:
        sim = _jaro_long(sym, a0, la, b0, lb)
    if sim > 0.7:
        p = 0
        for i in range(min(4, la, lb)):
            if sym[a0 + i] != sym[b0 + i]:
                break
            p += 1
        sim += p * 0.1 * (1.0 - sim)
    return sim


@njit(cache=True, nogil=True)
def _suffix_only(sym: np.ndarray, a0: int, la: int, b0: int, lb: int, marks: np.ndarray) -> bool:
    """`similarity._suffix_only`: one string is the other plus a final i or e after a consonant;
    ``marks`` holds the symbol codes of i, e, a, o, u (-1 when absent)."""
    if la > lb:
        a0, la, b0, lb = b0, lb, a0, la
    if la + 1 != lb or la == 0:
        return False
    for i in range(la):
        if sym[a0 + i] != sym[b0 + i]:
            return False
    last = sym[b0 + lb - 1]
    if last != marks[0] and last != marks[1]:
        return False
    c = sym[a0 + la - 1]
    return not (c == marks[0] or c == marks[1] or c == marks[2] or c == marks[3]
                or c == marks[4])


@njit(cache=True, nogil=True)
def field_sim(x: int, y: int, ftab: np.ndarray, sym: np.ndarray, marks: np.ndarray,
              w_jw: float, suffix_cap: float, pm: np.ndarray) -> float:
    """`similarity.field_similarity` on field ids (see that function for the formula). Row f of
    ``ftab`` is key id, skeleton id, then offset and length of each candidate in ``sym``
    (length -1: no more), one cache line per field; ``pm`` is scratch for the match masks of
    y's candidates (one row each, left cleared)."""
    if ftab[x, 0] == ftab[y, 0]:
        return 1.0
    width = (ftab.shape[1] - 2) // 2
    _candidate_masks(pm, ftab, y, sym, True)
    best = -1.0
    bi = -1
    bj = -1
    for i in range(width):
        la = ftab[x, 3 + 2 * i]
        if la < 0:
            break
        for j in range(width):
            lb = ftab[y, 3 + 2 * j]
            if lb < 0:
                break
            s = jaro_winkler(sym, ftab[x, 2 + 2 * i], la, ftab[y, 2 + 2 * j], lb, pm, j)
            if s > best:
                best = s
                bi = i
                bj = j
    _candidate_masks(pm, ftab, y, sym, False)
    if (bi >= 0 and best > suffix_cap
            and _suffix_only(sym, ftab[x, 2 + 2 * bi], ftab[x, 3 + 2 * bi],
                             ftab[y, 2 + 2 * bj], ftab[y, 3 + 2 * bj], marks)):
        best = suffix_cap
    same_skel = 1.0 if (best == 1.0 or (ftab[x, 1] >= 0 and ftab[x, 1] == ftab[y, 1])) else 0.0
    return w_jw * best + (1.0 - w_jw) * same_skel


@njit(cache=True, nogil=True)
def _shares_name(x: int, y: int, atab: np.ndarray) -> bool:
    """Parts x and y have a name in common: own name (-1: none) or attested names."""
    for i in range(-1, atab[x, 1]):
        u = atab[x, 0] if i < 0 else atab[x, 2 + i]
        if u < 0:
            continue
        for j in range(-1, atab[y, 1]):
            if u == (atab[y, 0] if j < 0 else atab[y, 2 + j]):
                return True
    return False


@njit(cache=True, nogil=True)
def distinct(x: int, y: int, sim: float, atab: np.ndarray) -> float:
    """1.0 when parts x and y (field score ``sim``) are two different names, else 0.0:
    `similarity.distinct_names` (a score below 1 means different keys and no shared spelling)."""
    if sim >= 1.0 or _shares_name(x, y, atab):
        return 0.0
    nx, ny = atab[x, 1], atab[y, 1]
    if nx > 0 and ny > 0:
        return 1.0
    own_x, own_y = atab[x, 0] >= 0, atab[y, 0] >= 0
    return 1.0 if own_x != own_y and (ny > 0 if own_x else nx > 0) else 0.0


@njit(cache=True, nogil=True)
def _pair_score(pa: np.ndarray, pb: np.ndarray, ftab: np.ndarray, sym: np.ndarray,
                marks: np.ndarray, params: np.ndarray, pm: np.ndarray, atab: np.ndarray) -> float:
    """`similarity.rep_score` for two names' part rows (given, family, father, whole, first
    unit of a multi-unit family name)."""
    w_jw, suffix_cap, whole_pen, swap_pen, father_w, extra_pen, distinct_pen = (
        params[0], params[1], params[2], params[3], params[4], params[5], params[6])
    if pa[3] < 0 or pb[3] < 0:
        return 0.0
    score = field_sim(pa[3], pb[3], ftab, sym, marks, w_jw, suffix_cap,
                      pm)
    if pa[0] >= 0 and pa[1] >= 0 and pb[0] >= 0 and pb[1] >= 0:
        gg = field_sim(pa[0], pb[0], ftab, sym, marks, w_jw,
                       suffix_cap, pm)
        ff = field_sim(pa[1], pb[1], ftab, sym, marks, w_jw,
                       suffix_cap, pm)
        gf = field_sim(pa[0], pb[1], ftab, sym, marks, w_jw,
                       suffix_cap, pm)
        fg = field_sim(pa[1], pb[0], ftab, sym, marks, w_jw,
                       suffix_cap, pm)
        whole = score if score == 1.0 else score - whole_pen
        swapped = (gf + fg) / 2 - swap_pen
        # The distinct-name checks are made only where a penalty can change the maximum (a term
        # at or below the best so far cannot), which gives the same score with fewer look-ups.
        d_gg = distinct(pa[0], pb[0], gg, atab)
        d_st = d_gg if d_gg > 0.0 else distinct(pa[1], pb[1], ff, atab)
        best = (gg + ff) / 2 - distinct_pen * d_st
        d_sw = -1.0  # not looked up yet
        if swapped > best:
            d_sw = max(distinct(pa[0], pb[1], gf, atab), distinct(pa[1], pb[0], fg, atab))
            best = max(best, swapped - distinct_pen * d_sw)
        if whole > best:
            d_wh = 0.0
            if d_st > 0.0:
                if d_sw < 0.0:
                    d_sw = max(distinct(pa[0], pb[1], gf, atab), distinct(pa[1], pb[0], fg, atab))
                if d_sw > 0.0:
                    d_wh = distinct(pa[3], pb[3], score, atab)
            best = max(best, whole - distinct_pen * d_wh)
        score = best
        if (pa[4] < 0) != (pb[4] < 0):
            ha = pa[4] if pa[4] >= 0 else pa[1]
            hb = pb[4] if pb[4] >= 0 else pb[1]
            head = field_sim(ha, hb, ftab, sym, marks, w_jw,
                             suffix_cap, pm)
            by_head = (gg + head) / 2 - extra_pen
            if by_head > score:
                d_hd = d_gg if d_gg > 0.0 else distinct(ha, hb, head, atab)
                score = max(score, by_head - distinct_pen * d_hd)
    if pa[2] >= 0 and pb[2] >= 0:
        fa = field_sim(pa[2], pb[2], ftab, sym, marks, w_jw,
                       suffix_cap, pm)
        score = (1 - father_w) * score + father_w * fa
    return min(1.0, max(0.0, score))


@njit(cache=True, parallel=True)
def score_pairs(ca: np.ndarray, cb: np.ndarray, parts: np.ndarray, ftab: np.ndarray,
                sym: np.ndarray, n_sym: int, marks: np.ndarray, params: np.ndarray,
                atab: np.ndarray) -> np.ndarray:
    """Scores of the name pairs (ca[k], cb[k]), in parallel chunks of `CHUNK` pairs. Strings
    are symbols 0..n_sym-1 (small integer types keep the tables in cache)."""
    n = len(ca)
    out = np.zeros(n, dtype=np.float64)
    n_chunks = (n + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        pm = np.zeros(((ftab.shape[1] - 2) // 2, n_sym), dtype=np.uint64)
        for k in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            out[k] = _pair_score(parts[ca[k]], parts[cb[k]], ftab, sym, marks, params, pm,
                                 atab)
    return out


@njit(cache=True, nogil=True)
def distinct_pairs(ca: np.ndarray, cb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse): the index of the first occurrence of each distinct pair (ca[k], cb[k])
    and, for every k, the number of its pair among the distinct ones (open-addressing hash)."""
    n = len(ca)
    size = 1
    while size < 2 * n:
        size *= 2
    slots = np.full(size, -1, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    inverse = np.empty(n, dtype=np.int64)
    nd = 0
    mask = np.uint64(size - 1)
    for k in range(n):
        x, y = ca[k], cb[k]
        h = (np.uint64(x) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(y)) \
            * np.uint64(0xC2B2AE3D27D4EB4F)
        h = (h ^ (h >> np.uint64(29))) & mask
        while True:
            d = slots[h]
            if d < 0:
                slots[h] = nd
                first[nd] = k
                inverse[k] = nd
                nd += 1
                break
            f = first[d]
            if ca[f] == x and cb[f] == y:
                inverse[k] = d
                break
            h = (h + np.uint64(1)) & mask
    return first[:nd], inverse
