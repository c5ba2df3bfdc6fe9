"""The memorial's name search: one index and one ranking, used by the server (here, in Python)
and by the static site (``static/search.js``, the same steps in JavaScript).

The index holds, for each published person, the published names (each a list of tokens) and,
for every distinct token, three keys from `sabt.text`: the exact key (`name_key`), the
canonical Latin spelling (`canon_token`; a Persian token by its best romanisation) and the
cross-script consonant skeleton (`skeleton_token`). A query's tokens get the same keys, except
that a Persian query token has no Latin spelling (the browser has no romaniser): it is found by
its exact key among Persian names and by its skeleton among all. The tables the JavaScript needs
to compute a query's keys exactly as `sabt.text` does (the Persian normalisation table, the Latin
rewrite rules, the skeleton alphabet, the name particles) are written into the index from
`sabt.text` itself, so the two sides cannot drift apart.

Ranking, in whole numbers so both sides agree exactly: each query token scores its best token of
a name — 10 for the same exact key, 8 for the same Latin spelling, 6 for the same skeleton, 3 for
skeletons one edit apart (both at least 3 letters); a name whose whole skeleton equals the
query's gains 6; each token of the name that no query token matched costs 1. A name is a hit
when at least half of the query's tokens match (or the whole skeletons agree); a person scores
its best name; hits are ordered by score, then by id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

INDEX_VERSION = 1
EXACT, CANON, SKELETON, NEAR, WHOLE = 10, 8, 6, 3, 6
NEAR_MIN = 3
MAX_QUERY = 200


@dataclass(frozen=True)
class Keys:
    """The three keys of one token ("" when a key does not apply)."""

    key: str
    canon: str
    skel: str


@dataclass(frozen=True)
class Entry:
    """One published person for the index: id, display names and every published name."""

    id: str
    name_en: str
    name_fa: str
    names: tuple[str, ...]


def name_tokens(text: str) -> list[str]:
    """A name's tokens as `sabt.text` cuts them (particles glued)."""
    from sabt.text.keys import tokens

    return [t for t in tokens(text[:MAX_QUERY]) if t]


def query_keys(token: str) -> Keys:
    """The keys of a query token (what the browser computes too)."""
    from sabt.text.keys import canon_token, is_persian_token, name_key, skeleton_token

    persian = is_persian_token(token)
    return Keys(name_key(token), "" if persian else canon_token(token), skeleton_token(token))


def index_keys(token: str) -> Keys:
    """The keys of a name's token: a Persian token also gets its romanised Latin spelling."""
    from sabt.text import keys as k

    canon = ("".join(k.canon_tokens(token)) if k.is_persian_token(token)
             else k.canon_token(token))
    return Keys(k.name_key(token), canon, k.skeleton_token(token))


def _collapse(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


def near(a: str, b: str) -> bool:
    """Two skeletons one insertion, deletion or substitution apart (both long enough)."""
    if len(a) < NEAR_MIN or len(b) < NEAR_MIN or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1:]


def token_score(q: Keys, w: Keys) -> int:
    if q.key and q.key == w.key:
        return EXACT
    if q.canon and q.canon == w.canon:
        return CANON
    if q.skel and q.skel == w.skel:
        return SKELETON
    if near(q.skel, w.skel):
        return NEAR
    return 0


def name_score(query: Sequence[Keys], whole: str, name: Sequence[Keys]) -> int | None:
    """A name's score for a query (None: not a hit); `whole` is the query's whole skeleton."""
    matched = 0
    total = 0
    used: set[int] = set()
    for q in query:
        best, at = 0, -1
        for i, w in enumerate(name):
            s = token_score(q, w)
            if s > best:
                best, at = s, i
        if best:
            matched += 1
            total += best
            used.add(at)
    same_whole = bool(whole) and whole == _collapse("".join(w.skel for w in name))
    if not same_whole and matched * 2 < len(query):
        return None
    total += WHOLE if same_whole else 0
    total -= len(name) - len(used)
    return total if (matched or same_whole) else None


# --- the index ---------------------------------------------------------------------------------

def build_index(entries: Iterable[Entry]) -> dict[str, Any]:
    """The search index of the published persons (plain JSON data), in id order."""
    tokens: dict[str, int] = {}
    keys: list[list[str]] = []
    persons: list[list[Any]] = []
    for entry in sorted(entries, key=lambda e: e.id):
        variants: list[list[int]] = []
        for name in entry.names:
            toks = name_tokens(name)
            ids = []
            for tok in toks:
                k = index_keys(tok)
                if not (k.key or k.skel):
                    continue
                code = "\x1f".join((k.key, k.canon, k.skel))
                if code not in tokens:
                    tokens[code] = len(keys)
                    keys.append([k.key, k.canon, k.skel])
                ids.append(tokens[code])
            if ids and ids not in variants:
                variants.append(ids)
        persons.append([entry.id, entry.name_en, entry.name_fa, variants])
    return {"version": INDEX_VERSION, "tables": js_tables(), "tokens": keys, "persons": persons}


def js_tables() -> dict[str, Any]:
    """What the browser needs to compute a query's keys as `sabt.text` does."""
    from sabt.text import keys as k
    from sabt.text import normalize as n

    def text(value: object) -> str:
        return "" if value is None else str(value)

    rules = []
    for pattern, repl in k._RULES:
        rules.append([pattern.pattern, "\\1" if callable(repl) else repl])
    return {
        "normalize": {chr(c): text(v) for c, v in sorted(n._TABLE.items())},
        "skeleton": {chr(c): text(v) for c, v in sorted(k._FA_SKELETON.items())},
        "special": dict(sorted(k._SPECIAL.items())),
        "apostrophes": k._APOSTROPHES,
        "rules": rules,
        "prefixes": sorted(k.PREFIX_PARTICLES_LATIN | k.PREFIX_PARTICLES_PERSIAN),
        "suffixes": sorted(k.SUFFIX_PARTICLES),
        "weights": {"exact": EXACT, "canon": CANON, "skeleton": SKELETON, "near": NEAR,
                    "whole": WHOLE, "near_min": NEAR_MIN},
    }


@dataclass(frozen=True)
class Hit:
    id: str
    name_en: str
    name_fa: str
    score: int


class SearchIndex:
    """An index (as `build_index` writes it) ready to rank queries in Python. Lookup tables from
    each key to the persons holding it pick the candidates (every person that can be a hit), so
    a query scores a few persons, not all; the ranking is the same as scoring everyone."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.tokens = [Keys(*t) for t in data["tokens"]]
        self.persons: list[tuple[str, str, str, list[list[int]]]] = [
            (p[0], p[1], p[2], p[3]) for p in data["persons"]]
        self.by_key: dict[tuple[int, str], set[int]] = {}
        self.by_skel: dict[str, set[int]] = {}
        for n, (_id, _en, _fa, variants) in enumerate(self.persons):
            for v in variants:
                for i in v:
                    k = self.tokens[i]
                    for which, value in ((0, k.key), (1, k.canon), (2, k.skel)):
                        if value:
                            self.by_key.setdefault((which, value), set()).add(n)
                whole = _collapse("".join(self.tokens[i].skel for i in v))
                self.by_key.setdefault((3, whole), set()).add(n)
                for i in v:
                    if self.tokens[i].skel:
                        self.by_skel.setdefault(self.tokens[i].skel, set()).add(n)

    def _candidates(self, q: list[Keys], whole: str) -> set[int]:
        found = set(self.by_key.get((3, whole), ()))
        for k in q:
            for which, value in ((0, k.key), (1, k.canon), (2, k.skel)):
                if value:
                    found |= self.by_key.get((which, value), set())
            if len(k.skel) >= NEAR_MIN:
                for skel, holders in self.by_skel.items():
                    if near(k.skel, skel):
                        found |= holders
        return found

    def rank(self, query: str, limit: int = 20) -> list[Hit]:
        """The best hits for a query, as the static site's script ranks them."""
        q = [query_keys(t) for t in name_tokens(query)]
        q = [k for k in q if k.key or k.skel]
        if not q:
            return []
        whole = _collapse("".join(k.skel for k in q))
        hits: list[Hit] = []
        for n in self._candidates(q, whole):
            pid, en, fa, variants = self.persons[n]
            best: int | None = None
            for v in variants:
                s = name_score(q, whole, [self.tokens[i] for i in v])
                if s is not None and (best is None or s > best):
                    best = s
            if best is not None:
                hits.append(Hit(pid, en, fa, best))
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:limit]
