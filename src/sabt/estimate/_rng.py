"""Small, fast, exact random variate generators for the compiled LCMCR Gibbs sampler.

Every draw comes from one xoshiro256** stream (Blackman & Vigna 2018) owned by the chain, so
a chain is reproducible from its seed and chains never share state. The algorithms are the
exact ones numpy uses (no normal approximations), written so that nothing allocates and
transcendental functions are called only where the algorithm needs them:

* normals: the 256-layer ziggurat (Marsaglia & Tsang 2000, numpy's tables and tail);
* gammas: Marsaglia & Tsang (2000) squeeze-and-reject on ziggurat normals, with the shape < 1
  boost G(a) = G(a + 1) U^(1/a), kept in log space where it could underflow; betas as
  G_a / (G_a + G_b);
* binomials: a sum of Bernoulli draws for n ≤ 16, inversion (numpy's
  `random_binomial_inversion`) when min(p, 1 − p)·n < 30, BTPE (Kachitvichyanukul &
  Schmeiser 1988, numpy's `random_binomial_btpe`) otherwise;
* Poisson: multiplication for λ < 10, PTRS (Hörmann 1993, numpy's `random_poisson_ptrs`)
  otherwise;
* multinomials: sequential conditional binomials that stop when the remainder is 0 and
  allocate a small remainder person by person (one uniform each against the remaining
  classes' cumulative weights), which is the same distribution with fewer draws.

Speed (measured on the LCMCR sweeps of the Kosovo table, 4 lists, K = 10): a call from one
compiled function to another costs about as much as a normal draw, so the generators drawn
many times per sweep (gamma steps, binomials) are compiled into their callers, and the 40
Beta draws of a sweep are one call each (`beta`); computing q^n for inversion as a product
of squares instead of exp(n log q) saves about 30 % of an inversion draw; and placing people
one by one, counted without a branch per person, is as fast as conditional binomials down
to remainders of 16–40 people, so remainders below 16 + 2 per class left go that way.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from numpy.typing import NDArray

State = NDArray[np.uint64]

_M53 = 1.0 / 9007199254740992.0  # 2^-53
BERNOULLI_N = 16  # binomials with n up to this are sums of Bernoulli draws
INVERSION_MEAN = 30.0  # binomials with min(p, 1 − p)·n below this use inversion, else BTPE
PERSON_BY_PERSON_BASE = 16  # a multinomial remainder below this
PERSON_BY_PERSON = 2  # plus this × the classes left is placed one person at a time


def _ziggurat_tables() -> tuple[NDArray[np.uint64], NDArray[np.float64], NDArray[np.float64]]:
    """numpy's 256-layer normal ziggurat tables (ki, wi, fi), built from the layer edge r and
    the common layer area v as in Marsaglia & Tsang's `zigset`, on 52-bit integers."""
    r, v = 3.6541528853610088, 0.00492867323399
    m = 2.0**52
    ki = np.zeros(256, dtype=np.uint64)
    wi = np.zeros(256)
    fi = np.zeros(256)
    dn = tn = r
    q = v / math.exp(-0.5 * dn * dn)
    ki[0] = np.uint64((dn / q) * m)
    ki[1] = 0
    wi[0] = q / m
    wi[255] = dn / m
    fi[0] = 1.0
    fi[255] = math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(v / dn + math.exp(-0.5 * dn * dn)))
        ki[i + 1] = np.uint64((dn / tn) * m)
        tn = dn
        fi[i] = math.exp(-0.5 * dn * dn)
        wi[i] = dn / m
    return ki, wi, fi


_KI, _WI, _FI = _ziggurat_tables()
_INV_MAX = 128
_INV = np.array([0.0] + [1.0 / i for i in range(1, _INV_MAX)])  # 1/x for inversion's steps
_ZIG_R = 3.6541528853610088
_ZIG_INV_R = 1.0 / _ZIG_R


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
def _xoshiro(s0: np.uint64, s1: np.uint64, s2: np.uint64, s3: np.uint64,
             ) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64, np.uint64]:
    """One xoshiro256** step on a state held in variables: (64 random bits, next state)."""
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    return result, s0, s1, s2, _rotl(s3, 45)


@nb.njit(cache=True, inline="always")
def next_u64(s: State) -> np.uint64:
    """The next 64 random bits."""
    result, s[0], s[1], s[2], s[3] = _xoshiro(s[0], s[1], s[2], s[3])
    return result


@nb.njit(cache=True, inline="always")
def _unit(bits: np.uint64) -> float:
    """Uniform on (0, 1) from the top 53 of 64 random bits, never exactly 0 or 1."""
    return (float(bits >> np.uint64(11)) + 0.5) * _M53


@nb.njit(cache=True, inline="always")
def uniform(s: State) -> float:
    """Uniform on (0, 1): 53 random bits, never exactly 0 or 1."""
    return _unit(next_u64(s))


@nb.njit(cache=True, inline="always")
def _uniforms(s: State, out: NDArray[np.float64], n: int, scale: float) -> None:
    """out[:n] = n uniforms × scale, the same stream as n calls of `uniform`, with the state
    in registers for the loop (between calls it is reloaded and stored for every draw, since
    a store to `out` might change it: that doubled the cost of a uniform)."""
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
    for i in range(n):
        bits, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)
        out[i] = _unit(bits) * scale
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3


@nb.njit(cache=True, inline="always")
def normal(s: State) -> float:
    """Standard normal by the ziggurat (99 % of draws: one 64-bit word and a comparison)."""
    while True:
        r = next_u64(s)
        idx = int(r & np.uint64(0xFF))
        r >>= np.uint64(8)
        sign = r & np.uint64(1)
        rabs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
        x: float = float(rabs) * _WI[idx]
        if sign:
            x = -x
        if rabs < _KI[idx]:
            return x
        if idx == 0:
            while True:  # the tail beyond r (Marsaglia 1964)
                xx = -_ZIG_INV_R * math.log1p(-uniform(s))
                yy = -math.log1p(-uniform(s))
                if yy + yy > xx * xx:
                    return -(_ZIG_R + xx) if (rabs >> np.uint64(8)) & np.uint64(1) else (
                        _ZIG_R + xx)
        elif (_FI[idx - 1] - _FI[idx]) * uniform(s) + _FI[idx] < math.exp(-0.5 * x * x):
            return x


@nb.njit(cache=True, inline="always")
def _marsaglia_tsang(s: State, a: float) -> float:
    """Marsaglia & Tsang's squeeze-and-reject Gamma(a, 1) draw for a ≥ 1 (compiled into each
    caller: a call between compiled functions costs about as much as a normal draw)."""
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


@nb.njit(cache=True)
def log_gamma(s: State, a: float) -> float:
    """log of a Gamma(a, 1) draw; exact in log space for tiny shapes (no underflow)."""
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
def beta(s: State, a: float, b: float) -> tuple[float, float]:
    """(X, 1 − X) for X ~ Beta(a, b), a, b ≥ 1: X = G_a / (G_a + G_b) from two gamma draws in
    one call (the LCMCR sweep draws 40 of these)."""
    x = _marsaglia_tsang(s, a)
    y = _marsaglia_tsang(s, b)
    inv = 1.0 / (x + y)
    return x * inv, y * inv


@nb.njit(cache=True, inline="always")
def _binomial_inversion(s: State, n: int, p: float) -> int:
    """Binomial(n, p) for small n·p by inversion (numpy's `random_binomial_inversion`).

    q^n is a product of squares (numba's integer power, log2 n roundings) rather than
    exp(n log q), and numpy's restart bound min(n, np + 10 sqrt(npq + 1)) — a search that
    runs past it starts again with a new uniform — is computed only once the search passes
    np + 10, below which it cannot lie; the same draws, without a sqrt per call."""
    q = 1.0 - p
    qn = q ** n
    npq = n * p
    bound = npq + 10.0  # a lower bound of the restart bound until that is computed
    exact_bound = False
    ratio = p / q
    x = 0
    px = qn
    u = uniform(s)
    while u > px:
        x += 1
        if x > bound and not exact_bound:
            bound = min(float(n), npq + 10.0 * math.sqrt(npq * q + 1.0))
            exact_bound = True
        if x > bound:
            x = 0
            px = qn
            u = uniform(s)
        else:
            u -= px
            px *= (n - x + 1) * ratio * (_INV[x] if x < _INV_MAX else 1.0 / x)
    return x


@nb.njit(cache=True)
def _btpe_tail(y: int, m: int, n: int, r: float, q: float, nrq: float, xm: float,
               v: float) -> bool:
    """BTPE's exact acceptance test of y with v (Step 50/52 of numpy's code)."""
    k = abs(y - m)
    if not (k > 20 and k < nrq / 2.0 - 1.0):
        ratio = r / q
        a = ratio * (n + 1)
        f = 1.0
        if m < y:
            for i in range(m + 1, y + 1):
                f *= a / i - ratio
        elif m > y:
            for i in range(y + 1, m + 1):
                f /= a / i - ratio
        return v <= f
    rho = (k / nrq) * ((k * (k / 3.0 + 0.625) + 0.16666666666666666) / nrq + 0.5)
    t = -k * k / (2.0 * nrq)
    big_a = math.log(v)
    if big_a < t - rho:
        return True
    if big_a > t + rho:
        return False
    x1 = y + 1.0
    f1 = m + 1.0
    z = n + 1.0 - m
    w = n - y + 1.0
    x2 = x1 * x1
    f2 = f1 * f1
    z2 = z * z
    w2 = w * w
    bound = (xm * math.log(f1 / x1) + (n - m + 0.5) * math.log(z / w)
             + (y - m) * math.log(w * r / (x1 * q))
             + (13680. - (462. - (132. - (99. - 140. / f2) / f2) / f2) / f2) / f1 / 166320.
             + (13680. - (462. - (132. - (99. - 140. / z2) / z2) / z2) / z2) / z / 166320.
             + (13680. - (462. - (132. - (99. - 140. / x2) / x2) / x2) / x2) / x1 / 166320.
             + (13680. - (462. - (132. - (99. - 140. / w2) / w2) / w2) / w2) / w / 166320.)
    return big_a <= bound


@nb.njit(cache=True)
def _binomial_btpe(s: State, n: int, r: float) -> int:
    """Binomial(n, r), r ≤ 1/2 and n·r ≥ 30, by BTPE (numpy's `random_binomial_btpe`)."""
    q = 1.0 - r
    fm = n * r + r
    m = math.floor(fm)
    nrq = n * r * q
    p1 = math.floor(2.195 * math.sqrt(nrq) - 4.6 * q) + 0.5
    xm = m + 0.5
    xl = xm - p1
    xr = xm + p1
    c = 0.134 + 20.5 / (15.3 + m)
    a = (fm - xl) / (fm - xl * r)
    laml = a * (1.0 + a / 2.0)
    a = (xr - fm) / (xr * q)
    lamr = a * (1.0 + a / 2.0)
    p2 = p1 * (1.0 + 2.0 * c)
    p3 = p2 + c / laml
    p4 = p3 + c / lamr
    while True:
        u = uniform(s) * p4
        v = uniform(s)
        if u <= p1:  # the triangle: accepted at once
            return math.floor(xm - p1 * v + u)
        if u <= p2:  # the parallelograms
            x = xl + (u - p1) / c
            v = v * c + 1.0 - abs(m - x + 0.5) / p1
            if v > 1.0:
                continue
            y = math.floor(x)
        elif u <= p3:  # the left exponential tail
            y = math.floor(xl + math.log(v) / laml)
            if y < 0:
                continue
            v = v * (u - p2) * laml
        else:  # the right exponential tail
            y = math.floor(xr - math.log(v) / lamr)
            if y > n:
                continue
            v = v * (u - p3) * lamr
        if _btpe_tail(y, m, n, r, q, nrq, xm, v):
            return y


@nb.njit(cache=True, inline="always")
def binomial(s: State, n: int, p: float) -> int:
    """Binomial(n, p), exact: Bernoulli sum for small n, inversion for a small mean, BTPE
    otherwise (on min(p, 1 − p), flipped back)."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if n <= BERNOULLI_N:
        x = 0
        for _ in range(n):
            if uniform(s) < p:
                x += 1
        return x
    flip = p > 0.5
    r = 1.0 - p if flip else p
    x = _binomial_inversion(s, n, r) if n * r < INVERSION_MEAN else _binomial_btpe(s, n, r)
    return n - x if flip else x


@nb.njit(cache=True)
def poisson(s: State, lam: float) -> int:
    """Poisson(lam), exact: multiplication for lam < 10, PTRS (numpy's) otherwise."""
    if lam <= 0.0:
        return 0
    if lam < 10.0:
        enlam = math.exp(-lam)
        x = 0
        prod = 1.0
        while True:
            prod *= uniform(s)
            if prod <= enlam:
                return x
            x += 1
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = uniform(s) - 0.5
        v = uniform(s)
        us = 0.5 - abs(u)
        kf = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return int(kf)
        if kf < 0.0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                <= -lam + kf * loglam - math.lgamma(kf + 1.0)):
            return int(kf)


@nb.njit(cache=True)
def multinomial_scratch(K: int) -> NDArray[np.float64]:
    """Scratch space for `multinomial` with K classes (the uniforms of the people placed one
    by one), allocated once per chain so that no draw allocates."""
    return np.empty(PERSON_BY_PERSON_BASE + PERSON_BY_PERSON * K)


@nb.njit(cache=True)
def multinomial(s: State, total: int, probs: NDArray[np.float64], out: NDArray[np.int64],
                scratch: NDArray[np.float64]) -> None:
    """out ~ Multinomial(total, probs / sum(probs)), exact: sequential conditional binomials
    (class k gets Binomial(remainder, probs[k] / mass left)) that stop at a zero remainder;
    once the remainder is below PERSON_BY_PERSON_BASE + PERSON_BY_PERSON × classes left, each
    remaining person draws one uniform u on (0, mass left) and goes to the class whose
    interval of the cumulative weights holds u. Zero-weight classes get 0.

    The people placed one by one are counted boundary by boundary (how many u lie at or
    above each cumulative weight; a class gets the difference of its two boundaries' counts),
    which is the same allocation as searching each person's class, without a data-dependent
    branch or a store per person. `scratch` (from `multinomial_scratch`) holds their u."""
    K = probs.shape[0]
    mass = 0.0
    for k in range(K):
        mass += probs[k]
        out[k] = 0
    rem = total
    k = 0
    while rem > 0 and k < K - 1 and mass > 0.0:
        if rem < PERSON_BY_PERSON_BASE + PERSON_BY_PERSON * (K - k):
            acc = 0.0
            for i in range(k, K):
                acc += probs[i]
            if acc <= 0.0:
                break
            _uniforms(s, scratch, rem, acc)
            above = rem  # people at or above the lower boundary of class i
            edge = 0.0
            for i in range(k, K - 1):
                edge += probs[i]
                higher = 0
                for r in range(rem):
                    higher += scratch[r] >= edge
                out[i] = above - higher
                above = higher
                if above == 0:
                    break
            rem = above  # the last class's people (placed below, as after rounding)
            break
        q = probs[k] / mass
        x = rem if q >= 1.0 else binomial(s, rem, q)
        out[k] = x
        rem -= x
        mass -= probs[k]
        k += 1
    if rem > 0:  # the last class, or (after rounding) the last class with weight
        j = K - 1
        while j > 0 and probs[j] <= 0.0:
            j -= 1
        out[j] += rem
