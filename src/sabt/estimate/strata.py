"""Strata that match: one stratum per place however the lists spell it, and the user's edits.

Lists write one province as "Tehran", "TEHRAN" and "تهران", or one city under its old and new
names (Kermanshah = Bakhtaran = کرمانشاه). Stratifying on the raw text would estimate each
spelling as its own population. `stratum_labels` gives each value the key the linkage already
compares places by (the cross-script consonant skeletons of its words, known places' names and
aliases replaced by the place, `sabt.link.features.place_aliases`) and labels each key by its
most frequent Latin spelling. `edit_strata` then applies the user's merges (``A=B``: A's people
are counted in B) and drops, and warns about an ``unknown`` stratum (people with no value).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from sabt.errors import InvalidValue
from sabt.estimate.table import CaptureTable

UNKNOWN = "unknown"


def stratum_key(value: str) -> str:
    """The comparison key of a stratum value: Tehran and تهران share one."""
    from sabt.link.features import _token_skeletons

    text = value.strip()
    if not text:
        return ""
    if text.casefold() == UNKNOWN:
        return UNKNOWN
    skels = _token_skeletons(text, gazetteer=True)
    return " ".join(skels) if skels else text.casefold()


def stratum_labels(values: Iterable[str | None]) -> tuple[list[str], dict[str, list[str]]]:
    """Per value its stratum label ("" when missing) and, per label, the spellings it holds.

    A label is its key's most frequent Latin-script spelling (any spelling if none is Latin;
    ties: not all capitals, then alphabetical), stripped."""
    raw = [v.strip() if isinstance(v, str) else "" for v in values]
    label, spellings = labels_of_counts(Counter(v for v in raw if v))
    return [label[v] if v else "" for v in raw], spellings


def labels_of_counts(counts: Mapping[str, int]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """`stratum_labels` from how often each stripped, non-empty spelling occurs: spelling →
    label, and label → its spellings (so callers that stream need only the counts)."""
    keys = {v: stratum_key(v) for v in counts}
    by_key: dict[str, Counter[str]] = {}
    for v, n in counts.items():
        by_key.setdefault(keys[v], Counter())[v] += n
    label: dict[str, str] = {}
    spellings: dict[str, list[str]] = {}
    for key, c in by_key.items():
        latin = [(n, v) for v, n in c.items() if v.isascii()] or [(n, v) for v, n in c.items()]
        best = sorted(latin, key=lambda nv: (-nv[0], nv[1].isupper(), nv[1]))[0][1]
        label[key] = UNKNOWN if key == UNKNOWN else best
        spellings[label[key]] = sorted(c)
    return {v: label[keys[v]] for v in counts}, spellings


def _resolve(name: str, labels: Sequence[str], what: str) -> str:
    """The stratum a user means by `name` (any spelling of it)."""
    if name in labels:
        return name
    key = stratum_key(name)
    hits = [lab for lab in labels if stratum_key(lab) == key]
    if len(hits) != 1:
        raise InvalidValue(f"{what}: no stratum {name!r}; the strata are "
                           f"{', '.join(sorted(labels))}", field="strata")
    return hits[0]


def parse_merges(items: Sequence[str]) -> dict[str, str]:
    """``A=B`` arguments as {A: B}."""
    out = {}
    for item in items:
        a, sep, b = item.partition("=")
        if not sep or not a.strip() or not b.strip():
            raise InvalidValue(f"--merge-strata takes FROM=INTO, not {item!r}",
                               field="merge-strata")
        out[a.strip()] = b.strip()
    return out


def edit_strata(table: CaptureTable, merge: Mapping[str, str] | None = None,
                drop: Sequence[str] = ()) -> tuple[CaptureTable, list[str]]:
    """The table with strata of one key merged, the user's merges and drops applied, and the
    notes to show (what was merged, dropped, and an ``unknown`` stratum's warning)."""
    if not table.strata:
        if merge or drop:
            raise InvalidValue("--merge-strata and --drop-stratum need --strata",
                               field="strata")
        return table, []
    notes: list[str] = []
    names = list(table.strata)
    labels, spellings = stratum_labels(names)
    target = dict(zip(names, labels, strict=True))
    for label, spelled in spellings.items():
        if len(spelled) > 1:
            notes.append(f"stratum {label!r} holds the spellings {', '.join(spelled)}")
    current = sorted(set(target.values()))
    edits = {_resolve(a, current, "--merge-strata"): _resolve(b, current, "--merge-strata")
             for a, b in (merge or {}).items()}
    for a, b in edits.items():
        notes.append(f"stratum {a!r} merged into {b!r} (as asked)")
    gone = {_resolve(x, current, "--drop-stratum") for x in drop}
    parts: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}
    dropped = 0
    for name, sub in table.strata.items():
        final = target[name]
        seen: set[str] = set()
        while final in edits and final not in seen:
            seen.add(final)
            final = edits[final]
        if final in gone:
            dropped += sub.n_observed
            continue
        p, c = parts.setdefault(final, ([], []))
        p.append(sub.patterns)
        c.append(sub.counts)
    for x in sorted(gone):
        notes.append(f"stratum {x!r} dropped (as asked): the estimates leave out the people "
                     f"seen in it ({dropped:,} in all dropped strata) and everyone like them")
    if not parts:
        raise InvalidValue("every stratum was dropped", field="drop-stratum")
    if UNKNOWN in parts:
        n = int(sum(c.sum() for c in parts[UNKNOWN][1]))
        notes.append(f"stratum 'unknown': {n:,} people seen have no value for this stratum; "
                     "they are estimated as a population of their own, which they are not — "
                     "merge them into a stratum (--merge-strata unknown=NAME) or drop them "
                     "(--drop-stratum unknown) and say so")
    out = CaptureTable.stratified(
        table.lists, {k: (np.concatenate(p), np.concatenate(c)) for k, (p, c) in parts.items()},
        source=table.source)
    return out, notes


__all__ = ["UNKNOWN", "edit_strata", "labels_of_counts", "parse_merges", "stratum_key",
           "stratum_labels"]
