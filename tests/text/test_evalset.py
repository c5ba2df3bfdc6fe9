"""The evaluation set: the split is fixed by a hash, pairs are labelled right, accuracy holds."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from sabt.text import name_similarity_batch
from sabt.text.evalset import (
    Pair,
    full_name_pairs,
    kept_spellings,
    latin_latin_pairs,
    persian_latin_pairs,
    read_entries,
    split_of,
    tpr_at_fmr,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "text"


def _load(stem: str, half: str) -> list:  # type: ignore[type-arg]
    return read_entries((DATA / f"{stem}_{half}.tsv").read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("stem", ["ir_tokens", "ir_fullnames"])
def test_files_follow_the_hash_split(stem: str) -> None:
    keys = {}
    for half in ("tune", "heldout"):
        entries = _load(stem, half)
        assert len(entries) > 1000
        assert all(split_of(e.persian) == half for e in entries)
        keys[half] = {e.persian for e in entries}
    assert not keys["tune"] & keys["heldout"]


def test_split_is_stable() -> None:
    # sha256("حسین")[0] decides; a change of hash or rule would move keys between halves.
    assert split_of("حسین") == split_of("حسین")
    halves = [split_of(f"k{i}") for i in range(1000)]
    assert 400 < halves.count("tune") < 600


def test_pairs_are_labelled_right() -> None:
    sp = kept_spellings(_load("ir_tokens", "tune"))
    pl = persian_latin_pairs(sp, 500, seed=1)
    assert all(p.b in sp[p.a] for p in pl if p.same)
    assert all(p.b not in sp[p.a] for p in pl if not p.same)
    ll = latin_latin_pairs(sp, 500, seed=2)
    assert sum(not p.same for p in ll) == 500
    fn = full_name_pairs(_load("ir_fullnames", "tune")[:2000], 300, seed=3)
    assert sum(not p.same for p in fn) == 300


def test_tpr_at_fmr() -> None:
    true = [0.9, 0.8, 0.95, 0.5]
    false = [0.1] * 998 + [0.85, 0.99]
    # 0.1 % of 1000 false pairs = 1 allowed: threshold is the 2nd-highest false score, 0.85.
    assert tpr_at_fmr(true, false, 0.001) == (0.5, 0.85)
    assert tpr_at_fmr(true, false, 0.0)[0] == 0.0


@pytest.mark.slow
def test_heldout_persian_latin_accuracy() -> None:
    """A regression guard on a held-out sample; benchmarks/bench_text.py measures all of it."""
    sp = kept_spellings(_load("ir_tokens", "heldout"))
    sample = dict(random.Random(5).sample(sorted(sp.items()), 600))
    pairs: list[Pair] = persian_latin_pairs(sample, 10_000, seed=4)
    scores = name_similarity_batch([p.a for p in pairs], [p.b for p in pairs])
    same = np.array([p.same for p in pairs])
    tpr, _ = tpr_at_fmr(scores[same].tolist(), scores[~same].tolist(), 0.001)
    # Full benchmark: about 0.98; a sample of ~800 true pairs varies by about ±1 point.
    assert tpr >= 0.94
