"""Check the linkage's match probabilities against people's decisions on a band sample.

As statistics offices audit a linkage, the scored pairs are split into probability bands and a
fixed number of pairs is drawn at random from each band (`sample_bands`, fixed seed, so every
reviewer and the web queue see the same sample). From reviewers' decisions on those pairs
(`calibrate`):

* **precision** (share of linked pairs — two records in one cluster — that are the same
  person) and **recall** (share of matching scored pairs that are linked), by the stratified
  estimator that weights each band by its number of pairs; 95% Wilson intervals on the
  effective sample size (Korn & Graubard 1998), the design's finite-population correction
  included;
* **reliability**: per band, the model's mean probability beside the reviewed match rate and
  its Wilson interval; a band whose mean probability falls outside that interval disagrees;
* **recalibration**: when a band disagrees, the isotonic regression (pool-adjacent-violators)
  of the decisions on the model probability, each block's rate shrunk towards the model's own
  mean probability by `PRIOR_PAIRS` pseudo-pairs (so a block of one pair is neither 0 nor 1 and
  mostly the model's), kept non-decreasing, interpolated between blocks. Linkage draws then
  use these probabilities.

Only decisions on sampled pairs count: they are a probability sample of each band, decisions
made elsewhere (the review queue) are not.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sabt.errors import InvalidValue

#: Band edges on the match probability (the last band holds 1.0).
BANDS: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 0.95, 0.99, 1.0)
Z95 = 1.959963984540054
#: Pseudo-pairs at the model's probability added to each isotonic block.
PRIOR_PAIRS = 2.0


def band_of(probability: NDArray[np.float64], edges: tuple[float, ...] = BANDS,
            ) -> NDArray[np.int64]:
    """Each pair's band (0-based); probabilities equal to the top edge go to the last band."""
    p = np.asarray(probability, dtype=np.float64)
    return np.clip(np.searchsorted(np.asarray(edges), p, side="right") - 1, 0, len(edges) - 2)


def sample_bands(probability: NDArray[np.float64], per_band: int, seed: int,
                 edges: tuple[float, ...] = BANDS) -> NDArray[np.int64]:
    """Pair indices: `per_band` drawn at random (without replacement) from each band, all of
    a smaller band; band by band, in draw order. Each band has its own stream of `seed`, so a
    band's sample does not depend on the others."""
    if per_band < 1:
        raise InvalidValue("pairs per band must be at least 1", field="per-band")
    band = band_of(probability, edges)
    out = []
    for h in range(len(edges) - 1):
        members = np.flatnonzero(band == h)
        rng = np.random.default_rng([seed, h])
        out.append(members[rng.permutation(len(members))[:per_band]])
    return np.concatenate(out).astype(np.int64) if out else np.zeros(0, np.int64)


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (n may be an effective, non-integer size)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Rate:
    """An estimated proportion with its 95% interval and the effective sample size."""

    estimate: float
    lower: float
    upper: float
    effective_n: float


@dataclass(frozen=True)
class BandRow:
    """One band: its pairs, the reviewed sample and whether the model agrees with it."""

    low: float
    high: float
    pairs: int
    linked: int
    reviewed: int
    matches: int
    mean_probability: float
    match_rate: float
    lower: float
    upper: float

    @property
    def agrees(self) -> bool:
        """The model's mean probability lies in the reviewed rate's interval (or no review)."""
        return self.reviewed == 0 or self.lower <= self.mean_probability <= self.upper


@dataclass(frozen=True)
class Calibration:
    """Precision, recall, reliability per band and, if needed, recalibrated probabilities."""

    bands: list[BandRow]
    precision: Rate | None
    recall: Rate | None
    reviewed: int
    knots: tuple[tuple[float, ...], tuple[float, ...]]   # isotonic fit: (probability, rate)

    @property
    def disagrees(self) -> bool:
        return any(not b.agrees for b in self.bands)

    @property
    def recalibrate(self) -> bool:
        """Whether linkage draws should use the calibrated probabilities."""
        return self.disagrees and len(self.knots[0]) > 0

    def calibrated(self, probability: NDArray[np.float64]) -> NDArray[np.float64]:
        """The recalibrated probabilities (the model's when no band disagrees)."""
        p = np.asarray(probability, dtype=np.float64)
        if not self.recalibrate:
            return p
        return np.interp(p, self.knots[0], self.knots[1])

    def to_dict(self) -> dict[str, Any]:
        def rate(r: Rate | None) -> dict[str, float] | None:
            return None if r is None else asdict(r)

        return {"reviewed": self.reviewed, "precision": rate(self.precision),
                "recall": rate(self.recall), "disagrees": self.disagrees,
                "recalibrated": self.recalibrate,
                "bands": [{**asdict(b), "agrees": b.agrees} for b in self.bands]}


def _stratified(N: NDArray[np.float64], n: NDArray[np.float64],
                z: list[NDArray[np.float64]]) -> float:
    """Variance of a stratified total of the per-band values `z` (one array per band):
    Σ N_h² (1 − n_h/N_h) s²_h / n_h."""
    var = 0.0
    for h, values in enumerate(z):
        if n[h] > 1:
            var += N[h] ** 2 * (1 - n[h] / N[h]) * float(np.var(values, ddof=1)) / n[h]
    return var


def _rate(estimate: float, variance: float, fallback_n: float) -> Rate:
    """Wilson interval on the effective sample size p(1 − p)/Var (Korn & Graubard)."""
    pq = estimate * (1 - estimate)
    n_eff = pq / variance if variance > 0 and pq > 0 else fallback_n
    lo, hi = wilson(estimate * n_eff, n_eff)
    return Rate(estimate, lo, hi, n_eff)


def calibrate(probability: NDArray[np.float64], linked: NDArray[np.bool_],
              sampled: NDArray[np.int64], decision: NDArray[np.int64],
              edges: tuple[float, ...] = BANDS) -> Calibration:
    """From the sampled pairs' decisions (1 match, 0 non-match, −1 not decided yet) estimate
    precision and recall of `linked` (per pair: same cluster) and each band's reliability."""
    p = np.asarray(probability, dtype=np.float64)
    linked = np.asarray(linked, dtype=np.bool_)
    sampled = np.asarray(sampled, dtype=np.int64)
    decision = np.asarray(decision, dtype=np.int64)
    if sampled.shape != decision.shape:
        raise InvalidValue("one decision per sampled pair is needed")
    band = band_of(p, edges)
    done = decision >= 0
    idx, y = sampled[done], decision[done].astype(np.float64)
    H = len(edges) - 1
    N = np.bincount(band, minlength=H).astype(np.float64)
    n = np.bincount(band[idx], minlength=H).astype(np.float64)
    rows: list[BandRow] = []
    lm, mm = [], []   # per band: linked-and-match and match indicators of reviewed pairs
    for h in range(H):
        mine = band[idx] == h
        yh, lh = y[mine], linked[idx[mine]].astype(np.float64)
        lm.append(yh * lh)
        mm.append(yh)
        k = int(yh.sum())
        lo, hi = wilson(k, len(yh)) if len(yh) else (0.0, 1.0)
        in_band = band == h
        rows.append(BandRow(edges[h], edges[h + 1], int(in_band.sum()),
                            int(linked[in_band].sum()), len(yh), k,
                            float(p[in_band].mean()) if in_band.any() else math.nan,
                            k / len(yh) if len(yh) else math.nan, lo, hi))
    covered = n > 0
    weight = np.where(covered, N / np.maximum(n, 1), 0.0)
    t_lm = float(sum(weight[h] * lm[h].sum() for h in range(H)))
    t_m = float(sum(weight[h] * mm[h].sum() for h in range(H)))
    t_l = float(sum(linked[band == h].sum() for h in range(H) if covered[h]))
    precision = recall = None
    if t_l > 0 and len(idx):
        est = t_lm / t_l
        precision = _rate(est, _stratified(N, n, lm) / t_l**2,
                          float(sum(len(lm[h]) for h in range(H))))
    if t_m > 0:
        r = t_lm / t_m
        z = [(lm[h] - r * mm[h]) for h in range(H)]
        recall = _rate(r, _stratified(N, n, z) / t_m**2, float(y.sum()))
    return Calibration(rows, precision, recall, int(done.sum()), _isotonic(p[idx], y))


def _isotonic(x: NDArray[np.float64], y: NDArray[np.float64],
              ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Pool-adjacent-violators fit of y on x: (block mean x, shrunk block rate) knots."""
    if len(x) == 0:
        return (), ()
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    blocks: list[list[float]] = []   # [sum x, sum y, count]
    for xi, yi in zip(xs.tolist(), ys.tolist(), strict=True):
        blocks.append([xi, yi, 1.0])
        while len(blocks) > 1 and (blocks[-2][1] / blocks[-2][2]
                                   > blocks[-1][1] / blocks[-1][2]):
            sx, sy, c = blocks.pop()
            blocks[-1][0] += sx
            blocks[-1][1] += sy
            blocks[-1][2] += c
    knots_x = np.array([b[0] / b[2] for b in blocks])
    rate = np.array([(b[1] + PRIOR_PAIRS * b[0] / b[2]) / (b[2] + PRIOR_PAIRS)
                     for b in blocks])
    return tuple(knots_x.tolist()), tuple(np.maximum.accumulate(rate).tolist())


__all__ = ["BANDS", "BandRow", "Calibration", "Rate", "band_of", "calibrate", "sample_bands",
           "wilson"]
