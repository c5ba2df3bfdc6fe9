"""The synthetic victim population: names, sex, birth, affiliation, prison, execution, burial.

Vectorised with numpy; one call draws everything from one random generator, so a seed fixes the
population. Execution dates are clustered in the two waves the sources describe: members of the
Mojahedin mostly from late Mordad 1367 (from about 28 July 1988), leftist groups mostly in
Shahrivar 1367 (from about 27 August 1988), with a tail into the autumn. These are simulation
parameters, not findings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from sabt.simulate import dates
from sabt.simulate.catalog import AFFILIATIONS, BURIALS, KURDISH_PRISONS, LOCAL_BURIAL, PRISONS
from sabt.simulate.names import Vocabulary

WAVE_1 = (dates.sh(1367, 5, 6), dates.sh(1367, 5, 31))  # first wave, mostly Mojahedin
WAVE_2 = (dates.sh(1367, 6, 5), dates.sh(1367, 6, 31))  # second wave, mostly leftists
TAIL_END = dates.sh(1367, 9, 30)

AFFILIATION_CODES = tuple(label.code for label, _, _ in AFFILIATIONS)
PRISON_CODES = tuple(p.label.code for p in PRISONS)
PROVINCE_CODES = tuple(dict.fromkeys(p.province.code for p in PRISONS))
BURIAL_CODES = tuple(b.code for b in BURIALS)


def _choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    cdf = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(weights) - 1)


def draw_population(
    n: int, vocab: Vocabulary, rng: np.random.Generator, female_share: float, sayyid_share: float
) -> pd.DataFrame:
    """N synthetic persons, one row each, `person_id` 0..N-1 (see module docstring)."""
    female = rng.random(n) < female_share
    given = np.where(
        female,
        vocab.female[_choice(rng, vocab.weight[vocab.female], n)],
        vocab.male[_choice(rng, vocab.weight[vocab.male], n)],
    )
    father = vocab.male[_choice(rng, vocab.weight[vocab.male], n)]
    surname = vocab.surnames[_choice(rng, vocab.weight[vocab.surnames], n)]
    sayyid = rng.random(n) < sayyid_share

    aff_weight = np.array([w for _, _, w in AFFILIATIONS])
    affiliation = _choice(rng, aff_weight, n)
    group = np.array([g for _, g, _ in AFFILIATIONS])[affiliation]
    base = np.array([p.weight for p in PRISONS])
    kurd_weight = np.where([p.label.code in KURDISH_PRISONS for p in PRISONS], base * 8, base)
    prison = np.where(group == "kurd", _choice(rng, kurd_weight, n), _choice(rng, base, n))
    province_of = np.array([PROVINCE_CODES.index(p.province.code) for p in PRISONS])
    province = province_of[prison]
    tehran = np.isin(
        prison, [PRISON_CODES.index("EVIN"), PRISON_CODES.index("GOHR"), PRISON_CODES.index("QOM")]
    )

    # Execution day: the group's wave (a beta-shaped peak) or, less often, the long tail.
    in_wave = rng.random(n) < np.where(group == "kurd", 0.6, 0.8)
    mek = group == "mek"
    start = np.where(mek, WAVE_1[0], WAVE_2[0])
    width = np.where(mek, WAVE_1[1] - WAVE_1[0], WAVE_2[1] - WAVE_2[0])
    wave_day = start + np.floor(rng.beta(2.0, 3.0, n) * (width + 1)).astype(np.int64)
    tail_day = rng.integers(WAVE_1[0], TAIL_END + 1, n)
    exec_day = np.where(in_wave, wave_day, tail_day) + np.where(tehran, 0, rng.integers(0, 6, n))
    age = np.minimum(17 + rng.gamma(2.2, 4.5, n), 70)
    birth_day = exec_day - np.floor(age * 365.25).astype(np.int64)

    # Burial: Tehran leftists mostly in Khavaran; local cemeteries elsewhere; else unknown.
    burial = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    khavaran = tehran & (group != "mek") & (u < 0.7)
    burial[khavaran] = BURIAL_CODES.index("KHAV")
    burial[tehran & mek & (u < 0.15)] = BURIAL_CODES.index("BZAH")
    local = np.array([BURIAL_CODES.index(LOCAL_BURIAL.get(c, "UNK")) for c in PRISON_CODES])
    burial = np.where(~tehran & (u < 0.5), local[prison], burial)

    days, inverse = np.unique(exec_day, return_inverse=True)
    sh_y, sh_m, sh_d = (a.tolist() for a in dates.to_sh(days))
    g_y, g_m, g_d = (a.tolist() for a in dates.to_gregorian(days))
    sh_text = np.asarray(
        [f"{y}-{m:02d}-{d:02d}" for y, m, d in zip(sh_y, sh_m, sh_d, strict=True)], dtype=object
    )
    g_text = np.asarray(
        [f"{y}-{m:02d}-{d:02d}" for y, m, d in zip(g_y, g_m, g_d, strict=True)], dtype=object
    )
    b_y = dates.to_sh(birth_day)[0]
    fa = _categories(vocab.fa)
    latin = _categories([v[0] for v in vocab.latin])
    return pd.DataFrame(
        {
            "person_id": np.arange(n, dtype=np.int64),
            "sex": categorical(female.astype(np.int8), ("M", "F")),
            "sayyid": sayyid,
            "given_fa": fa(given),
            "surname_fa": fa(surname),
            "father_fa": fa(father),
            "given_latin": latin(given),
            "surname_latin": latin(surname),
            "father_latin": latin(father),
            "birth_year_sh": b_y,
            "affiliation": categorical(affiliation, AFFILIATION_CODES),
            "prison": categorical(prison, PRISON_CODES),
            "province": categorical(province, PROVINCE_CODES),
            "exec_date_sh": categorical(inverse, sh_text),
            "exec_date": categorical(inverse, g_text),
            "burial": categorical(burial, BURIAL_CODES),
            # internal columns (codes), used to render lists; dropped before writing
            "_given": given,
            "_surname": surname,
            "_father": father,
            "_affiliation": affiliation,
            "_prison": prison,
            "_province": province,
            "_burial": burial,
            "_exec_day": exec_day,
            "_birth_day": birth_day,
            "_visibility": rng.standard_normal(n),
        }
    )


def categorical(codes: np.ndarray, categories: Sequence[str] | np.ndarray) -> pd.Series[str]:
    """A categorical column from integer codes: compact and fast to write for 1M rows."""
    index: pd.Index[str] = pd.Index([str(c) for c in categories])
    values = pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=index)
    return pd.Series(values, copy=False)


def _categories(strings: Sequence[str]) -> Callable[[np.ndarray], pd.Series[str]]:
    """Token ids → a categorical of their strings (the same string may belong to two tokens)."""
    uniq, index = np.unique(np.asarray(strings, dtype=object), return_inverse=True)

    def of(tokens: np.ndarray) -> pd.Series[str]:
        return categorical(index[tokens], uniq)

    return of
