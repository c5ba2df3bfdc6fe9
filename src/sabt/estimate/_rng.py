"""Small, fast random variate generators for the compiled Gibbs sampler.

numba's built-in generators cost 60–80 ns per gamma or binomial draw, which dominated the
LCMCR sweep. These use xoshiro256** (Blackman & Vigna 2018) for uniforms, the ziggurat
(Marsaglia & Tsang 2000) for normals, Marsaglia & Tsang (2000) for gammas (with the a < 1
boost G(a) = G(a + 1) U^(1/a)), inversion (Kachitvichyanukul & Schmeiser's BINV) for
binomials with a mean below 10 and Hörmann's (1993) BTRS above; Poisson draws (one per sweep)
use numba's generator, seeded per chain. The state is a uint64 array so each chain owns its
own.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from numpy.typing import NDArray

State = NDArray[np.uint64]

_M53 = 1.0 / 9007199254740992.0  # 2^-53


@nb.njit(cache=True, inline="always")
def _rotl(x: np.uint64, k: int) -> np.uint64:
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@nb.njit(cache=True)
def new_state(seed: int) -> State:
    """A xoshiro256** state seeded by splitmix64."""
    s = np.zeros(4, dtype=np.uint64)
    z = np.uint64(seed) + np.uint64(0x9E3779B97F4A7C15)
    for i in range(4):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        x = z
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        s[i] = x ^ (x >> np.uint64(31))
    return s


@nb.njit(cache=True, inline="always")
def next_u64(s: State) -> np.uint64:
    """The next 64 random bits of xoshiro256**."""
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@nb.njit(cache=True, inline="always")
def uniform(s: State) -> float:
    """Uniform on (0, 1): 53 random bits, never exactly 0."""
    return (float(next_u64(s) >> np.uint64(11)) + 0.5) * _M53


def _ziggurat_tables() -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Marsaglia & Tsang's (2000) 128-layer ziggurat for the standard normal: for each layer
    the acceptance threshold on a 31-bit integer (k), the scale (w) and the density at the
    layer's edge (f)."""
    dn, tn, vn, m1 = 3.442619855899, 3.442619855899, 9.91256303526217e-3, 2147483648.0
    k = np.zeros(128, dtype=np.int64)
    w = np.zeros(128)
    f = np.zeros(128)
    q = vn / math.exp(-0.5 * dn * dn)
    k[0] = int((dn / q) * m1)
    k[1] = 0
    w[0] = q / m1
    w[127] = dn / m1
    f[0] = 1.0
    f[127] = math.exp(-0.5 * dn * dn)
    for i in range(126, 0, -1):
        dn = math.sqrt(-2.0 * math.log(vn / dn + math.exp(-0.5 * dn * dn)))
        k[i + 1] = int((dn / tn) * m1)
        tn = dn
        f[i] = math.exp(-0.5 * dn * dn)
        w[i] = dn / m1
    return k, w, f


_ZK, _ZW, _ZF = _ziggurat_tables()
_ZR = 3.442619855899  # the base layer's right edge


@nb.njit(cache=True)
def _normal_tail(s: State, hz: int, iz: int) -> float:
    """The ziggurat's slow path (about 2.5% of draws): the base layer's tail or a wedge."""
    while True:
        x = float(hz * _ZW[iz])
        if iz == 0:
            while True:
                xt = -math.log(uniform(s)) / _ZR
                yt = -math.log(uniform(s))
                if yt + yt >= xt * xt:
                    return _ZR + xt if hz > 0 else -_ZR - xt
        if _ZF[iz] + uniform(s) * (_ZF[iz - 1] - _ZF[iz]) < math.exp(-0.5 * x * x):
            return x
        u = next_u64(s)
        hz = int(u >> np.uint64(32)) - 2147483648
        iz = int(u & np.uint64(127))
        if abs(hz) < _ZK[iz]:
            return float(hz * _ZW[iz])


@nb.njit(cache=True, inline="always")
def normal(s: State) -> float:
    """Standard normal by the ziggurat: one 64-bit draw and one comparison 97.5% of the time
    (the layer from the low 7 bits, the signed 32-bit abscissa from the high 32)."""
    u = next_u64(s)
    hz = int(u >> np.uint64(32)) - 2147483648
    iz = int(u & np.uint64(127))
    if abs(hz) < _ZK[iz]:
        return float(hz * _ZW[iz])
    return _normal_tail(s, hz, iz)


@nb.njit(cache=True)
def log_gamma(s: State, a: float) -> float:
    """log of a Gamma(a, 1) draw; exact in log space for tiny shapes."""
    boost = 0.0
    if a < 1.0:
        boost = math.log(uniform(s)) / a
        a += 1.0
    return math.log(_marsaglia_tsang(s, a)) + boost


@nb.njit(cache=True)
def gamma(s: State, a: float) -> float:
    """A Gamma(a, 1) draw (no logarithm on the fast path when a ≥ 1)."""
    if a < 1.0:
        return math.exp(log_gamma(s, a))
    return _marsaglia_tsang(s, a)


@nb.njit(cache=True)
def _marsaglia_tsang(s: State, a: float) -> float:
    """Marsaglia & Tsang's squeeze-and-reject Gamma(a, 1) draw for a ≥ 1."""
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(s)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(s)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2:
            return d * v
        if math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return d * v


_STIRLING_TAIL = np.array([
    0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
    0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
    0.00925546218271273, 0.00833056343336287,
])


@nb.njit(cache=True, inline="always")
def _stirling_tail(k: float) -> float:
    """log k! − [(k + ½) log(k + 1) − (k + 1) + ½ log 2π], tabulated below 10."""
    if k <= 9:
        return float(_STIRLING_TAIL[int(k)])
    kp1 = k + 1.0
    kp1sq = kp1 * kp1
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / kp1


@nb.njit(cache=True)
def _btrs(s: State, n: int, p: float) -> int:
    """Binomial(n, p) for n p ≥ 10 and p ≤ ½ by Hörmann's (1993) transformed rejection with
    squeeze (BTRS): about 1.15 pairs of uniforms per draw and no table, so its cost does not
    grow with n p as inversion's does."""
    q = 1.0 - p
    spq = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    r = p / q
    alpha = (2.83 + 5.1 / b) * spq
    m = math.floor((n + 1) * p)
    while True:
        u = uniform(s) - 0.5
        v = uniform(s)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return int(k)
        v = math.log(v * alpha / (a / (us * us) + b))
        bound = ((m + 0.5) * math.log((m + 1) / (r * (n - m + 1)))
                 + (n + 1) * math.log((n - m + 1) / (n - k + 1))
                 + (k + 0.5) * math.log(r * (n - k + 1) / (k + 1))
                 + _stirling_tail(m) + _stirling_tail(n - m)
                 - _stirling_tail(k) - _stirling_tail(n - k))
        if v <= bound:
            return int(k)


@nb.njit(cache=True)
def binomial(s: State, n: int, p: float) -> int:
    """Binomial(n, p): inversion when the mean is below 10, BTRS otherwise (both on this
    module's uniforms, so a chain's draws depend only on its seed)."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    q = 1.0 - p if flip else p
    if n * q < 10.0:
        u = uniform(s)
        if u <= 1.0 - n * q:  # P(X = 0) = (1 − q)^n ≥ 1 − n q: zero without the power
            return n if flip else 0
        qq = 1.0 - q
        ratio = q / qq
        a = (n + 1) * ratio
        r = math.exp(n * math.log1p(-q))
        x = 0
        while u > r and x < n:
            u -= r
            x += 1
            r *= a / x - ratio
            if r <= 0.0:
                break
        return n - x if flip else x
    x = _btrs(s, n, q)
    return n - x if flip else x
