"""Accuracy and speed of sabt.text name matching, with baselines in the same run.

Accuracy: true-positive rate at a 0.1 % (and 1 %) false-match rate on the *held-out* half of
the evaluation set in tests/data/text/ (built by benchmarks/build_text_evalset.py), for
Persian–Latin tokens, Latin–Latin tokens and Persian-vs-Latin full names, against plain
Jaro-Winkler and anyascii + Jaro-Winkler (PyICU is not installed; anyascii is the ICU-like
transliteration baseline). Two romanizer set-ups are measured: the dictionary as shipped (which
contains the held-out keys, as in the research prototype's numbers) and a copy of the dictionary
with every held-out key removed, so that held-out names are unseen (dictionary-only vs model); the
unseen set-ups also take the similarity's attested names (`sabt.text.lexicon.attested_name`) from
that copy.

Speed: name normalisations per second and pair similarities per second (beside plain
Jaro-Winkler of the raw strings, rapidfuzz on all cores, for the same pairs).

Run: ``.venv/bin/python benchmarks/bench_text.py [--quick] [--half tune|heldout] [--speed]``
(``--speed``: the throughput table alone).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import arabic_name_romanizer
from anyascii import anyascii
from arabic_name_romanizer import Transliterator
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist

from sabt.text import lexicon, name_similarity_batch, normalize_persian, romanize
from sabt.text.evalset import (
    Entry,
    Pair,
    full_name_pairs,
    kept_spellings,
    latin_latin_pairs,
    persian_latin_pairs,
    read_entries,
    tpr_at_fmr,
)
from sabt.text.keys import latin_canon, name_key, persian_key, skeleton
from sabt.text.romanize import set_engine
from sabt.text.similarity import _token_cands, attested_of, make_field, name_rep

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "text"
INDEX = Path(arabic_name_romanizer.__file__).parent / "resources" / "names.sqlite3"

Scorer = Callable[[Sequence[str], Sequence[str]], Sequence[float]]


def load(stem: str, half: str) -> list[Entry]:
    return read_entries((DATA / f"{stem}_{half}.tsv").read_text(encoding="utf-8").splitlines())


def plain_jw(a: Sequence[str], b: Sequence[str]) -> list[float]:
    return [JaroWinkler.normalized_similarity(x.lower(), y.lower())
            for x, y in zip(a, b, strict=True)]


def anyascii_jw(a: Sequence[str], b: Sequence[str]) -> list[float]:
    return [JaroWinkler.normalized_similarity(anyascii(normalize_persian(x)).lower(),
                                              anyascii(normalize_persian(y)).lower())
            for x, y in zip(a, b, strict=True)]


def evaluate(pairs: list[Pair], scorer: Scorer) -> tuple[float, float]:
    scores = scorer([p.a for p in pairs], [p.b for p in pairs])
    true = [s for s, p in zip(scores, pairs, strict=True) if p.same]
    false = [s for s, p in zip(scores, pairs, strict=True) if not p.same]
    return tpr_at_fmr(true, false, 0.001)[0], tpr_at_fmr(true, false, 0.01)[0]


def masked_index(tmp: Path, token_keys: set[str], full_keys: set[str]) -> Path:
    """A copy of the romanizer's dictionary without the held-out names (they become unseen)."""
    path = tmp / "masked.sqlite3"
    shutil.copy(INDEX, path)
    conn = sqlite3.connect(path)
    conn.create_function("pkey", 1, persian_key)
    conn.execute("CREATE TEMP TABLE t(k TEXT PRIMARY KEY)")
    conn.executemany("INSERT OR IGNORE INTO t VALUES (?)", [(persian_key(k),) for k in token_keys])
    conn.execute("CREATE TEMP TABLE f(k TEXT PRIMARY KEY)")
    conn.executemany("INSERT OR IGNORE INTO f VALUES (?)",
                     [(persian_key(k),) for k in full_keys | token_keys])
    conn.execute("DELETE FROM units WHERE pkey(arabic_key) IN (SELECT k FROM t)")
    conn.execute("DELETE FROM full_names WHERE pkey(arabic_key) IN (SELECT k FROM f)")
    conn.commit()
    conn.close()
    return path


def reset_caches() -> None:
    for f in (latin_canon, skeleton, make_field, name_rep, _token_cands, attested_of):
        f.cache_clear()


def use_attested_index(path: Path) -> None:
    """Read `lexicon.attested_name` from the dictionary at ``path``. The given-name prior
    (`lexicon.role_counts`, token order only) keeps the shipped dictionary, loaded first."""
    lexicon.role_counts()
    lexicon._index_path = lambda: path
    lexicon._attested.cache_clear()


def romanizer_accuracy(spellings: dict[str, list[str]]) -> tuple[float, float, float]:
    """Top-1 and top-3 'is an attested spelling after canon' rates, and ms per token."""
    keys = sorted(spellings)
    t = time.perf_counter()
    top1 = top3 = 0
    for k in keys:
        cands = [latin_canon(c) for c in romanize(k)]
        attested = {latin_canon(s) for s in spellings[k]}
        top1 += bool(cands) and cands[0] in attested
        top3 += bool(attested.intersection(cands))
    ms = (time.perf_counter() - t) * 1000 / max(1, len(keys))
    return top1 / len(keys), top3 / len(keys), ms


def _rate(n: int, fn: Callable[[], object]) -> tuple[float, float]:
    """(items per wall-clock second, items per CPU second summed over threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return n / (time.perf_counter() - wall), n / (time.process_time() - cpu)


def throughput(quick: bool) -> list[tuple[str, float, float]]:
    rng = random.Random(1)
    tok = load("ir_fullnames", "tune")
    names = [e.persian for e in tok] + [e.latin for e in tok]
    n = 50_000 if quick else 200_000
    sample = [rng.choice(names) + f" {i}" for i in range(n)]  # all distinct: no cache hits
    normalize_persian.cache_clear()
    norm = _rate(n, lambda: [normalize_persian(s) for s in sample])
    key = _rate(n, lambda: [name_key(s) for s in sample])
    pool = rng.sample(names, 5_000)
    m = 200_000 if quick else 2_000_000
    a = [rng.choice(pool) for _ in range(m)]
    b = [rng.choice(pool) for _ in range(m)]
    cold = _rate(m, lambda: name_similarity_batch(a, b))
    warm = _rate(m, lambda: name_similarity_batch(a, b))
    # Baseline: plain Jaro-Winkler of the raw strings, rapidfuzz's C++ on all cores.
    plain = _rate(m, lambda: cpdist(a, b, scorer=JaroWinkler.normalized_similarity, workers=-1))
    # Lists repeat common names: draw names with Zipf weights (rank^-1), as blocked pairs are.
    weights = [1 / (r + 1) for r in range(len(pool))]
    za = rng.choices(pool, weights, k=m)
    zb = rng.choices(pool, weights, k=m)
    zipf = _rate(m, lambda: name_similarity_batch(za, zb))
    return [("normalize_persian, distinct strings", *norm),
            ("name_key, distinct strings", *key),
            (f"name_similarity_batch, {m:,} uniform random pairs of 5k names, first call", *cold),
            ("  same again (names prepared, cached)", *warm),
            ("  baseline: plain Jaro-Winkler of the raw strings (rapidfuzz cpdist, all cores)",
             *plain),
            (f"name_similarity_batch, {m:,} pairs, names Zipf-distributed (names prepared)",
             *zipf)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer pairs, smaller throughput runs")
    ap.add_argument("--half", default="heldout", choices=["tune", "heldout"])
    ap.add_argument("--speed", action="store_true", help="only the throughput table")
    args = ap.parse_args()
    if args.speed:
        print_throughput(args.quick)
        return
    n_false = 20_000 if args.quick else 100_000
    tokens = load("ir_tokens", args.half)
    spellings = kept_spellings(tokens)
    full = load("ir_fullnames", args.half)
    if args.quick:
        rng = random.Random(0)
        spellings = dict(rng.sample(sorted(spellings.items()), 1500))
        full = rng.sample(full, 3000)
    sets = {
        "Persian–Latin tokens": persian_latin_pairs(spellings, n_false, seed=1),
        "Latin–Latin tokens": latin_latin_pairs(spellings, n_false, seed=2),
        "full names, Persian vs Latin": full_name_pairs(full, n_false // 2, seed=3),
    }
    print(f"# sabt.text accuracy — {args.half} half; TPR at FMR 0.1 % / 1 %")
    for name, pairs in sets.items():
        print(f"#   {name}: {sum(p.same for p in pairs)} true, "
              f"{sum(not p.same for p in pairs)} false pairs")

    rows: list[tuple[str, str, float, float]] = []
    for name, pairs in sets.items():
        for label, scorer in (("plain Jaro-Winkler", plain_jw),
                              ("anyascii + Jaro-Winkler (ICU-like)", anyascii_jw)):
            rows.append((name, label, *evaluate(pairs, scorer)))
    full_keys = {e.persian for e in full}
    with tempfile.TemporaryDirectory() as tmp:
        masked = masked_index(Path(tmp), set(spellings), full_keys)
        no_index = Path(tmp) / "none.sqlite3"
        engines = [
            ("sabt, romanizer dictionary as shipped (has held-out names)", None, None, INDEX),
            ("sabt, held-out names unseen, dictionary + model", Transliterator(index_path=masked),
             None, masked),
            ("sabt, held-out names unseen, dictionary only",
             Transliterator(index_path=masked, auto_load_model=False),
             Transliterator(index_path=no_index, auto_load_model=False), masked),
        ]
        roman_rows = []
        for label, engine, model_only, index in engines:
            set_engine(engine if engine is not None else Transliterator(), model_only)
            use_attested_index(index)
            reset_caches()
            acc = romanizer_accuracy(spellings)
            roman_rows.append((label, *acc))
            for name, pairs in sets.items():
                if "unseen" in label and name == "Latin–Latin tokens":
                    continue
                shown = "sabt (no romanisation involved)" if name == "Latin–Latin tokens" else label
                rows.append((name, shown, *evaluate(pairs, name_similarity_batch)))
        set_engine(Transliterator())
        use_attested_index(INDEX)
        reset_caches()

    print()
    print("| pair set | method | TPR @ 0.1 % FMR | TPR @ 1 % FMR |")
    print("|---|---|---|---|")
    for name, label, t1, t2 in rows:
        print(f"| {name} | {label} | {t1:.1%} | {t2:.1%} |")
    print()
    print("| romanizer set-up | top-1 attested (canon) | top-3 attested (canon) "
          "| ms/token (cold) |")
    print("|---|---|---|---|")
    for label, a1, a3, ms in roman_rows:
        print(f"| {label.removeprefix('sabt, ')} | {a1:.1%} | {a3:.1%} | {ms:.2f} |")
    print()
    print_throughput(args.quick)


def print_throughput(quick: bool) -> None:
    rows = throughput(quick)
    load1 = os.getloadavg()[0]
    print(f"| throughput ({os.cpu_count()} cores, load average {load1:.1f}) "
          "| per wall-clock second | per CPU second |")
    print("|---|---|---|")
    for label, wall, cpu in rows:
        print(f"| {label} | {wall:,.0f} | {cpu:,.0f} |")


if __name__ == "__main__":
    main()
