"""The labelled evaluation set for name matching: split, read, and turn into pairs.

The set comes from the IR rows of the Wikidata-derived dictionary shipped with
`arabic-name-romanizer` (Persian key ↔ attested Latin spellings with counts). It is split into
a *tune* and a *held-out* half by a hash of the Persian key, so the split is deterministic and was
fixed before any matching rule was written. `benchmarks/build_text_evalset.py` writes the halves
to ``tests/data/text/``; this module holds the pure parts (split, pair sampling) so that tests and
benchmarks build exactly the same pairs.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Split = Literal["tune", "heldout"]

_ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی"})


def split_of(persian_key: str) -> Split:
    """The half a Persian key belongs to: a stable hash, independent of any rule."""
    digest = hashlib.sha256(persian_key.encode("utf-8")).digest()
    return "tune" if digest[0] % 2 == 0 else "heldout"


def persian_from_index_key(key: str) -> str:
    """The romanizer's dictionary keys use Arabic ي/ك; write them with Persian letters."""
    return key.translate(_ARABIC_TO_PERSIAN)


def fold(latin: str) -> str:
    """Lower-case ASCII letters only: decides when two spellings are 'the same spelling'."""
    text = unicodedata.normalize("NFKD", latin)
    return "".join(ch for ch in text.lower() if "a" <= ch <= "z")


@dataclass(frozen=True)
class Entry:
    """One attested Latin spelling of a Persian key."""

    persian: str
    latin: str
    count: int


@dataclass(frozen=True)
class Pair:
    """A labelled pair of names (``same`` is the truth)."""

    a: str
    b: str
    same: bool


def read_entries(lines: Iterable[str]) -> list[Entry]:
    """Parse the TSV written by the builder (``persian\\tlatin\\tcount``; ``#`` comments)."""
    out: list[Entry] = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        persian, latin, count = line.rstrip("\n").split("\t")[:3]
        if persian == "persian":
            continue
        out.append(Entry(persian, latin, int(count)))
    return out


def kept_spellings(entries: Sequence[Entry]) -> dict[str, list[str]]:
    """Spellings per key kept for evaluation: attested at least twice, or the key's top one.

    Single attestations other than the top spelling are mostly Wikidata alignment noise.
    Spellings that fold to the same letters are kept once.
    """
    by_key: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        by_key[e.persian].append(e)
    out: dict[str, list[str]] = {}
    for key, rows in by_key.items():
        rows = sorted(rows, key=lambda e: (-e.count, e.latin))
        seen: set[str] = set()
        keep: list[str] = []
        for i, e in enumerate(rows):
            f = fold(e.latin)
            if not f or f in seen or (i > 0 and e.count < 2):
                continue
            seen.add(f)
            keep.append(e.latin)
        if keep:
            out[key] = keep
    return out


def _attested(spellings: dict[str, list[str]]) -> dict[str, set[str]]:
    """For each folded spelling, the keys it is attested for (to reject false 'false pairs')."""
    keys: dict[str, set[str]] = defaultdict(set)
    for key, latins in spellings.items():
        for latin in latins:
            keys[fold(latin)].add(key)
    return keys


def persian_latin_pairs(spellings: dict[str, list[str]], n_false: int, seed: int = 0,
                        ) -> list[Pair]:
    """Every (key, spelling) as a true pair; random (key, other key's spelling) as false pairs.

    A false candidate is rejected when its spelling is also attested for the key itself
    (عسکری/عسگری both give Askari), so a 'false' pair is never a true one.
    """
    rng = random.Random(seed)
    pairs = [Pair(k, s, True) for k, ss in spellings.items() for s in ss]
    keys = sorted(spellings)
    attested = _attested(spellings)
    false: list[Pair] = []
    while len(false) < n_false:
        k1, k2 = rng.choice(keys), rng.choice(keys)
        s = rng.choice(spellings[k2])
        if k1 == k2 or k1 in attested[fold(s)]:
            continue
        false.append(Pair(k1, s, False))
    return pairs + false


def latin_latin_pairs(spellings: dict[str, list[str]], n_false: int, seed: int = 0) -> list[Pair]:
    """Two spellings of one key are a true pair; spellings of two keys that share none are false."""
    rng = random.Random(seed)
    pairs = [
        Pair(ss[i], ss[j], True)
        for ss in spellings.values()
        for i in range(len(ss))
        for j in range(i + 1, len(ss))
    ]
    keys = sorted(spellings)
    attested = _attested(spellings)
    false: list[Pair] = []
    while len(false) < n_false:
        k1, k2 = rng.choice(keys), rng.choice(keys)
        s1, s2 = rng.choice(spellings[k1]), rng.choice(spellings[k2])
        if k1 == k2 or attested[fold(s1)] & attested[fold(s2)]:
            continue
        false.append(Pair(s1, s2, False))
    return pairs + false


def full_name_pairs(entries: Sequence[Entry], n_false: int, seed: int = 0) -> list[Pair]:
    """Persian full name vs its attested Latin full name (true), and hard false pairs.

    False pairs are a third each: same surname with another given name, same given name with
    another surname, and random; a candidate whose Latin is attested for the Persian name is
    rejected.
    """
    rng = random.Random(seed)
    rows = [e for e in entries if len(e.persian.split()) >= 2 and len(e.latin.split()) >= 2]
    true = {(e.persian, e.latin) for e in rows}
    pairs = [Pair(e.persian, e.latin, True) for e in rows]
    by_last: dict[str, list[Entry]] = defaultdict(list)
    by_first: dict[str, list[Entry]] = defaultdict(list)
    for e in rows:
        by_last[e.persian.split()[-1]].append(e)
        by_first[e.persian.split()[0]].append(e)
    latin_of: dict[str, set[str]] = defaultdict(set)
    for e in rows:
        latin_of[e.persian].add(fold(e.latin))
    false: list[Pair] = []
    tries = 0
    while len(false) < n_false and tries < 50 * n_false:
        tries += 1
        e = rng.choice(rows)
        kind = len(false) % 3
        pool = (by_last[e.persian.split()[-1]] if kind == 0
                else by_first[e.persian.split()[0]] if kind == 1 else rows)
        o = rng.choice(pool)
        if o.persian == e.persian or (e.persian, o.latin) in true:
            continue
        if fold(o.latin) in latin_of[e.persian]:
            continue
        false.append(Pair(e.persian, o.latin, False))
    return pairs + false


def tpr_at_fmr(true_scores: Sequence[float], false_scores: Sequence[float], fmr: float,
               ) -> tuple[float, float]:
    """(true-positive rate, threshold) at the strictest threshold whose false-match rate ≤ fmr.

    A pair matches when its score is strictly above the threshold, so ties with a false pair at
    the threshold do not count as matches.
    """
    false_sorted = sorted(false_scores, reverse=True)
    if not true_scores or not false_sorted:
        return 0.0, 1.0
    allowed = int(fmr * len(false_sorted))
    threshold = false_sorted[allowed] if allowed < len(false_sorted) else -1.0
    tpr = sum(1 for s in true_scores if s > threshold) / len(true_scores)
    return tpr, threshold
