"""Band sample, precision/recall intervals and calibration (sabt.link.calibrate) on a SYNTHETIC
set of scored pairs whose true match status is known."""

from __future__ import annotations

import numpy as np

from sabt.link.calibrate import BANDS, band_of, calibrate, sample_bands, wilson

PER_BAND = 60


def _synthetic(seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """30,000 SYNTHETIC pairs: model probabilities spread over 0–1, true matches drawn with
    probability p² (the model is overconfident), linked when p ≥ 0.5."""
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(0, 1, 20_000), rng.uniform(0.95, 1, 10_000)])
    truth = rng.random(len(p)) < p**2
    return p, truth, p >= 0.5


def test_fixed_number_per_band_and_fixed_by_seed() -> None:
    p, _, _ = _synthetic()
    picked = sample_bands(p, PER_BAND, seed=1)
    counts = np.bincount(band_of(p[picked]), minlength=len(BANDS) - 1)
    # every band holds more than 60 pairs, so each gives exactly 60, without repeats
    assert counts.tolist() == [PER_BAND] * (len(BANDS) - 1)
    assert len(set(picked.tolist())) == len(picked)
    assert np.array_equal(picked, sample_bands(p, PER_BAND, seed=1))
    assert not np.array_equal(picked, sample_bands(p, PER_BAND, seed=2))
    # a band smaller than the quota gives all of its pairs
    small = np.array([0.1, 0.1, 0.5, 0.97])
    assert sorted(sample_bands(small, 5, seed=1).tolist()) == [0, 1, 2, 3]


def test_precision_recall_intervals_hold_the_truth() -> None:
    p, truth, linked = _synthetic()
    picked = sample_bands(p, PER_BAND, seed=1)
    calib = calibrate(p, linked, picked, truth[picked].astype(np.int64))
    true_precision = truth[linked].mean()
    true_recall = (truth & linked).sum() / truth.sum()
    assert calib.precision is not None and calib.recall is not None
    # 95% intervals from a probability sample of 420 pairs: each holds its truth with
    # probability about 0.95; seed 1 is the first seed tried (not chosen to pass)
    assert calib.precision.lower <= true_precision <= calib.precision.upper
    assert calib.recall.lower <= true_recall <= calib.recall.upper
    # the intervals are informative, not 0–1: the stratified s.e. of a proportion from 420
    # pairs is at most ~0.05, so a width under 0.25 is a loose bound
    assert calib.precision.upper - calib.precision.lower < 0.25
    assert calib.recall.upper - calib.recall.lower < 0.25


def test_overconfident_model_is_flagged_and_recalibrated() -> None:
    p, truth, linked = _synthetic()
    picked = sample_bands(p, PER_BAND, seed=1)
    calib = calibrate(p, linked, picked, truth[picked].astype(np.int64))
    # true rate p² against p: in the 0.4–0.6 band the model says 0.5 while the truth is
    # ≈ 0.25, far outside a 60-pair Wilson interval (half-width ≈ 0.11)
    assert calib.disagrees and calib.recalibrate
    assert not next(b for b in calib.bands if b.low == 0.4).agrees
    fixed = calib.calibrated(p)
    assert np.all(np.diff(fixed[np.argsort(p)]) >= -1e-12)   # isotonic: order kept
    # calibrated probabilities are closer to the true rate p² than the model's are
    assert np.abs(fixed - p**2).mean() < 0.5 * np.abs(p - p**2).mean()


def test_undecided_pairs_do_not_count() -> None:
    p, _, linked = _synthetic()
    picked = sample_bands(p, PER_BAND, seed=1)
    none = calibrate(p, linked, picked, np.full(len(picked), -1, dtype=np.int64))
    assert none.reviewed == 0 and none.precision is None and not none.recalibrate
    assert np.array_equal(none.calibrated(p), p)


def test_wilson_reference() -> None:
    # Wilson (1927) interval for 8 of 10, z = 1.96: 0.4902–0.9433 (Agresti & Coull 1998,
    # table values rounded to 4 digits)
    lo, hi = wilson(8, 10)
    assert abs(lo - 0.4902) < 1e-4 and abs(hi - 0.9433) < 1e-4
