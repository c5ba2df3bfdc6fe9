"""The memorial's name search: one index and one ranking, used by the server (here, in Python)
and by the static site (``static/search.js``, the same steps in JavaScript).

The index holds, for each published person, the published names (each a list of tokens, in
every spelling: see `spellings`) and, for every distinct token, three keys from `sabt.text`:
the exact key (`name_key`), the canonical Latin spelling of a Latin token (`canon_token`) and
the cross-script consonant skeleton (`skeleton_token`). A query's tokens get the same keys, so a
Persian token is found by its exact key among Persian names and by its skeleton among all
(no romaniser is needed, in Python or in the browser). Before that, a father's name after a
marker and honorifics are dropped (`name_tokens`). The tables the JavaScript needs
to compute a query's keys exactly as `sabt.text` does (the Persian normalisation table, the Latin
rewrite rules, the skeleton alphabet, the name particles) are written into the index from
`sabt.text` itself, so the two sides cannot drift apart.

Ranking, in whole numbers so both sides agree exactly. A query token scores a name's token 10
for the same exact key, 9 for the same Latin spelling, 8 for the same skeleton, 5 for skeletons
one edit apart (an insertion, deletion, substitution or swap of neighbours; the shorter at least
2 letters) and 2 for two edits (the shorter at least 5 letters), times the name token's weight:
how rare its skeleton is among the published persons (`token_weights`), so a rare family name
outweighs a given name thousands share. Each query token takes the best name token not taken by
an earlier one; a name whose whole skeleton equals the query's (as written, or with its last
word first or its first word last) gains 6 times its heaviest token's weight (a family name
split or joined differently, or written first); each name token no query token took
costs its weight. A name is a hit when at least half of the query's tokens match (or the whole
skeletons agree); a query is also tried with each pair of neighbouring tokens joined, and a
person scores its best name. Hits are ordered by score, then by the closeness of the spelling
(the unweighted token scores less the name's length: same-script spellings and names without
extra tokens first), then by id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

INDEX_VERSION = 2
EXACT, CANON, SKELETON, NEAR, FAR, WHOLE, UNMATCHED = 10, 9, 8, 5, 2, 6, 1
NEAR_MIN = 2      # letters of the shorter skeleton for one edit to count
FAR_MIN = 5       # … for two edits
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
    """A name's tokens as `sabt.text` cuts them (particles glued), without what is not the
    person's own name: a father's name after a marker (son of, s/o, فرزند …) and honorifics
    (Seyyed, Haj, شهید …), unless nothing else is left."""
    from sabt.text import keys as k
    from sabt.text import names as n

    text = text[:MAX_QUERY]
    father = n._FATHER.search(text)
    if father is not None and father.start() > 0:
        text = text[:father.start()]
    toks = [t for t in k.tokens(text) if t]
    own = [t for t in toks if not (
        k.name_key(t) in n.HONORIFICS_PERSIAN if k.is_persian_token(t)
        else k.canon_token(t) in n.HONORIFICS_LATIN)]
    return own or toks


def spellings(toks: Sequence[str]) -> list[list[str]]:
    """The tokens as written, and with each pair of neighbours written as one word (lists write
    محمد علی and محمدعلی, Hossein Zadeh and Hosseinzadeh)."""
    out = [list(toks)]
    for i in range(len(toks) - 1):
        if toks[i].isascii() == toks[i + 1].isascii():   # neighbours in one script
            out.append([*toks[:i], toks[i] + toks[i + 1], *toks[i + 2:]])
    return out


def query_keys(token: str) -> Keys:
    """The keys of a token, of a query or of a name (the browser computes the same)."""
    from sabt.text.keys import canon_token, is_persian_token, name_key, skeleton_token

    persian = is_persian_token(token)
    return Keys(name_key(token), "" if persian else canon_token(token), skeleton_token(token))


def _collapse(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


def whole_skeleton(keys: Sequence[Keys]) -> str:
    return _collapse("".join(k.skel for k in keys))


def name_wholes(keys: Sequence[Keys]) -> tuple[str, ...]:
    """A name's whole skeleton as written, with its last word first and with its first word
    last (lists write the family name first or last)."""
    if len(keys) < 2:
        return (whole_skeleton(keys),)
    return (whole_skeleton(keys), whole_skeleton([keys[-1], *keys[:-1]]),
            whole_skeleton([*keys[1:], keys[0]]))


def distance(a: str, b: str, limit: int = 2) -> int:
    """Edits (insertion, deletion, substitution, swap of neighbours) from `a` to `b`, counted
    up to `limit` (`limit + 1`: more)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        now = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(row[j] + 1, now[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, before[j - 2] + 1)
            now[j] = best
        if min(now) > limit:
            return limit + 1
        before, row = row, now
    return min(row[len(b)], limit + 1)


def token_score(q: Keys, w: Keys) -> int:
    """How well a query token matches a name's token (the rules in the module doc)."""
    if q.key and q.key == w.key:
        return EXACT
    if q.canon and q.canon == w.canon:
        return CANON
    if not (q.skel and w.skel):
        return 0
    if q.skel == w.skel:
        return SKELETON
    shorter = min(len(q.skel), len(w.skel))
    if shorter < NEAR_MIN:
        return 0
    edits = distance(q.skel, w.skel)
    if edits == 1:
        return NEAR
    if edits == 2 and shorter >= FAR_MIN:
        return FAR
    return 0


def name_score(scores: Sequence[dict[int, int]], whole: str, name: Sequence[int],
               wholes: Sequence[str], weights: Sequence[int]) -> tuple[int, int] | None:
    """A name's score for a query, and its tie-breaker (None: not a hit). `scores[j]` maps the
    index's tokens to their score for query token j; `name` is the name's tokens, `wholes`
    its whole skeletons (`name_wholes`), `weights` the weight of every index token."""
    matched = 0
    total = 0
    plain = 0
    used: set[int] = set()
    for per_token in scores:
        best, at = 0, -1
        for i, tok in enumerate(name):
            s = per_token.get(tok, 0) * weights[tok]
            if s > best and i not in used:
                best, at = s, i
        if best:
            matched += 1
            total += best
            plain += per_token[name[at]]
            used.add(at)
    same_whole = bool(whole) and whole in wholes
    if not same_whole and matched * 2 < len(scores):
        return None
    if not (matched or same_whole):
        return None
    if same_whole:
        total += WHOLE * max(weights[tok] for tok in name)
    total -= UNMATCHED * sum(weights[tok] for i, tok in enumerate(name) if i not in used)
    return total, plain - len(name)


# --- the index ---------------------------------------------------------------------------------

def build_index(entries: Iterable[Entry]) -> dict[str, Any]:
    """The search index of the published persons (plain JSON data), in id order: each person's
    names, every name in each of its spellings, as lists of token numbers."""
    ordered = sorted(entries, key=lambda e: e.id)
    names = [[spellings(name_tokens(name)) for name in entry.names] for entry in ordered]
    found = {tok: query_keys(tok) for person in names for name in person
             for spelling in name for tok in spelling}
    tokens: dict[Keys, int] = {}
    keys: list[list[str]] = []
    persons: list[list[Any]] = []
    for entry, person in zip(ordered, names, strict=True):
        variants: list[list[int]] = []
        for name in person:
            for spelling in name:
                ids = []
                for tok in spelling:
                    k = found[tok]
                    if not (k.key or k.skel):
                        continue
                    if k not in tokens:
                        tokens[k] = len(keys)
                        keys.append([k.key, k.canon, k.skel])
                    ids.append(tokens[k])
                if ids and ids not in variants:
                    variants.append(ids)
        persons.append([entry.id, entry.name_en, entry.name_fa, variants])
    return {"version": INDEX_VERSION, "tables": js_tables(), "tokens": keys,
            "weights": token_weights(keys, [p[3] for p in persons]), "persons": persons}


def token_weights(keys: Sequence[Sequence[str]], persons: Sequence[Sequence[Sequence[int]]],
                  ) -> list[int]:
    """Each token's weight: how rare its skeleton is among the persons (1 + the whole part of
    log2(persons / persons with that skeleton)), so a rare family name counts for more than
    a given name that thousands share."""
    holders: dict[str, set[int]] = {}
    for n, variants in enumerate(persons):
        for v in variants:
            for i in v:
                holders.setdefault(keys[i][2] or keys[i][0], set()).add(n)
    total = max(len(persons), 1)
    return [max(1, (total // max(len(holders[k[2] or k[0]]), 1)).bit_length()) for k in keys]


def js_tables() -> dict[str, Any]:
    """What the browser needs to compute a query's keys as `sabt.text` does."""
    from sabt.text import keys as k
    from sabt.text import names as n
    from sabt.text import normalize as norm

    def text(value: object) -> str:
        return "" if value is None else str(value)

    rules = []
    for pattern, repl in k._RULES:
        rules.append([pattern.pattern, "\\1" if callable(repl) else repl])
    return {
        "normalize": {chr(c): text(v) for c, v in sorted(norm._TABLE.items())},
        "skeleton": {chr(c): text(v) for c, v in sorted(k._FA_SKELETON.items())},
        "special": dict(sorted(k._SPECIAL.items())),
        "apostrophes": k._APOSTROPHES,
        "rules": rules,
        "prefixes": sorted(k.PREFIX_PARTICLES_LATIN | k.PREFIX_PARTICLES_PERSIAN),
        "suffixes": sorted(k.SUFFIX_PARTICLES),
        "father": n._FATHER.pattern,
        "honorifics_latin": sorted(n.HONORIFICS_LATIN),
        "honorifics_persian": sorted(n.HONORIFICS_PERSIAN),
        "max_query": MAX_QUERY,
        "weights": {"exact": EXACT, "canon": CANON, "skeleton": SKELETON, "near": NEAR,
                    "far": FAR, "whole": WHOLE, "unmatched": UNMATCHED,
                    "near_min": NEAR_MIN, "far_min": FAR_MIN},
    }


@dataclass(frozen=True)
class Hit:
    id: str
    name_en: str
    name_fa: str
    score: int
    tie: int = 0         # the tie-breaker among equal scores (higher first), before the id


def deletions(skel: str, depth: int = 2) -> set[str]:
    """The skeleton with up to `depth` letters deleted: two skeletons within `depth` edits of
    each other share one of these (how the Python side finds near tokens without a scan)."""
    out = {skel}
    frontier = {skel}
    for _ in range(depth):
        frontier = {s[:i] + s[i + 1:] for s in frontier for i in range(len(s))}
        out |= frontier
    return out


class SearchIndex:
    """An index (as `build_index` writes it) ready to rank queries in Python.

    The script scores every name against the query; here, lookup tables from each key to the
    tokens that have it give each query token's scores at once, and from each token to the
    persons that use it the candidates (every person that can be a hit) — the same ranking,
    without visiting every person."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.tokens = [Keys(*t) for t in data["tokens"]]
        self.weights: list[int] = list(data["weights"])
        self.persons: list[tuple[str, str, str, list[list[int]]]] = [
            (p[0], p[1], p[2], p[3]) for p in data["persons"]]
        self.wholes = [[name_wholes([self.tokens[i] for i in v]) for v in p[3]]
                       for p in self.persons]
        self.by_value: dict[tuple[int, str], list[int]] = {}
        for i, k in enumerate(self.tokens):
            for which, value in ((0, k.key), (1, k.canon), (2, k.skel)):
                if value:
                    self.by_value.setdefault((which, value), []).append(i)
        self.by_deletion: dict[str, set[str]] = {}
        for skel in {k.skel for k in self.tokens if len(k.skel) >= NEAR_MIN}:
            for d in deletions(skel):
                self.by_deletion.setdefault(d, set()).add(skel)
        self.users: dict[int, set[int]] = {}
        self.by_whole: dict[str, set[int]] = {}
        for n, (_id, _en, _fa, variants) in enumerate(self.persons):
            for v, wholes in zip(variants, self.wholes[n], strict=True):
                for i in v:
                    self.users.setdefault(i, set()).add(n)
                for whole in wholes:
                    self.by_whole.setdefault(whole, set()).add(n)

    def _scores(self, q: Keys) -> dict[int, int]:
        """The score of every index token for one query token (those above 0)."""
        out: dict[int, int] = {}
        if len(q.skel) >= NEAR_MIN:
            close = {s for d in deletions(q.skel) for s in self.by_deletion.get(d, ())}
            for skel in sorted(close):
                for i in self.by_value[(2, skel)]:
                    score = token_score(q, self.tokens[i])
                    if score:
                        out[i] = score
        for which, value in ((2, q.skel), (1, q.canon), (0, q.key)):
            if value:
                for i in self.by_value.get((which, value), ()):
                    out[i] = token_score(q, self.tokens[i])
        return out

    def rank(self, query: str, limit: int = 20) -> list[Hit]:
        """The best hits for a query, as the static site's script ranks them."""
        alternatives = []
        for spelling in spellings(name_tokens(query)):
            q = [k for k in (query_keys(t) for t in spelling) if k.key or k.skel]
            if q:
                alternatives.append((q, whole_skeleton(q), [self._scores(k) for k in q]))
        candidates: set[int] = set()
        for _q, whole, scores in alternatives:
            candidates |= self.by_whole.get(whole, set()) if whole else set()
            for per_token in scores:
                for i in per_token:
                    candidates |= self.users.get(i, set())
        hits: list[Hit] = []
        for n in candidates:
            pid, en, fa, variants = self.persons[n]
            best: tuple[int, int] | None = None
            for _q, whole, scores in alternatives:
                for v, v_wholes in zip(variants, self.wholes[n], strict=True):
                    s = name_score(scores, whole, v, v_wholes, self.weights)
                    if s is not None and (best is None or s > best):
                        best = s
            if best is not None:
                hits.append(Hit(pid, en, fa, best[0], best[1]))
        hits.sort(key=lambda h: (-h.score, -h.tie, h.id))
        return hits[:limit]
