"""Name similarity across scripts: a score in [0, 1] and a comparison level.

Each name is parsed (`sabt.text.names`) and each part (given, family, father, and the whole
name) becomes a *field*: its exact key, its canonical Latin candidates (one for Latin text, the
canonical forms of the top romanisations for Persian text, kept only when their consonants fit
the Persian skeleton; a medial ای is also read as ائ, and a candidate that is only the first
part of another, محمدعلی → "Mohammad", is dropped, or the longer one when only the shorter has
the token's consonants, غلام → "Gholamali"; plus the Latin spelling without an Arabic
article, head + tail of a glued compound, head + answer of a glued surname the dictionary
spells by its end, and the name without a glued honorific, سیدحسین → "hosein") and its
consonant skeleton. Two fields score
``W_JW · maxJW(candidates) + (1 − W_JW) · [skeletons equal or a candidate shared]`` (1 when
their exact keys are equal), with the JW capped when one only adds ``-i`` or ``-e`` (Mohammad
vs Mohammadi, Hossein vs Hosseini, Farid vs Farideh). Two names score the best of: given↔given
with family↔family, the swapped order (less a small penalty), the whole names, and — when only
one side has a second surname (apart, or joined by a hyphen) — given↔given with the first
surname (less a small penalty); a father's name on both sides counts for a quarter. A way of
pairing the parts loses `DISTINCT_PENALTY` when two of its parts are two *different* names of the
dictionary (`sabt.text.lexicon.attested_name`: Mahmoud vs محمد, Mina vs مونا), not two spellings
of one name.

`name_similarity_batch` scores many pairs, parsing each distinct string once and scoring each
distinct pair once (lists repeat names heavily), so millions of pairs run at cache speed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np
import pandas as pd
from rapidfuzz.distance import JaroWinkler, Levenshtein

from sabt.errors import InvalidValue
from sabt.text._kernels import MARK_LETTERS, distinct_pairs, score_pairs
from sabt.text.keys import (
    canon_token,
    is_persian_token,
    join_particles,
    name_key,
    skeleton,
    skeleton_latin_token,
    tokens,
)
from sabt.text.lexicon import attested_name
from sabt.text.names import SURNAME_SUFFIXES_LATIN, parse_name, strip_glued_honorific
from sabt.text.romanize import romanize_token, romanize_token_model

W_JW = 0.85
SWAP_PENALTY = 0.04
FATHER_WEIGHT = 0.25
SUFFIX_CAP = 0.8
WHOLE_PENALTY = 0.03
EXTRA_FAMILY_PENALTY = 0.05
# Taken off a pairing of the parts in which two parts are different attested names. Tune half,
# full names at 0.1 % FMR: 97.35 % without; 97.73 / 97.94 / 97.96 / 97.99 / 97.97 % with 0.04 /
# 0.05 / 0.06 / 0.07 / 0.10 (docs/text.md).
DISTINCT_PENALTY = 0.07
CAND_SKELETON_EDITS = 1
MIN_COMPOUND_HEAD = 3
# Level thresholds: the JW ≥ 0.95 / ≥ 0.88 levels of the research recipe (docs/text.md).
STRONG = 0.95
CLOSE = 0.88

LEVELS = ("exact", "strong", "close", "skeleton", "weak", "none")

_jw = JaroWinkler.normalized_similarity


@dataclass(frozen=True)
class NameSimilarity:
    """A similarity score in [0, 1] and its level: exact, strong, close, skeleton, weak, none."""

    score: float
    level: str


@dataclass(frozen=True)
class Field:
    """One name part prepared for comparison."""

    key: str
    cands: tuple[str, ...]
    skel: str
    units: tuple[str, ...] = ()  # a Latin part of two or more words: each word's canon


@dataclass(frozen=True)
class NameRep:
    """A whole name prepared for comparison (parts may be None when absent)."""

    given: Field | None
    family: Field | None
    father: Field | None
    whole: Field | None
    family_head: Field | None = None


def _canon_of_latin(text: str) -> str:
    return "".join(canon_token(t) for t in join_particles(text.split()))


def skeleton_latin(canon: str) -> str:
    """Skeleton of a compact canonical Latin string."""
    return skeleton_latin_token(canon)


def _fits(cand_skel: str, skel: str) -> bool:
    """A romanisation fits its Persian original: consonant skeletons within one edit."""
    return Levenshtein.distance(cand_skel, skel) <= CAND_SKELETON_EDITS


@lru_cache(maxsize=1 << 18)
def make_field(text: str) -> Field | None:
    """Prepare one name part (None if it has no letters).

    A part that starts with a glued honorific (سیدحسین, Seyedmojtaba, Mirsaeed) also gets the
    candidates of the name without it, as `parse_name` drops a separate one (Seyed Hossein).
    """
    field = _make_field(text)
    bare = strip_glued_honorific(text)
    if field is None or not bare:
        return field
    rest = _make_field(bare)
    extra = rest.cands if rest is not None else ()
    return Field(field.key, tuple(dict.fromkeys((*field.cands, *extra))), field.skel,
                 field.units)


def _make_field(text: str) -> Field | None:
    """Key, canonical candidates and skeleton of one name part, as written."""
    key = name_key(text)
    if not key:
        return None
    if is_persian_token(text):
        per_token = [_token_cands(t) for t in tokens(text)]
        per_token = [c for c in per_token if c]
        best = [c[0] for c in per_token]
        cands = ["".join(best)]
        for i, alts in enumerate(per_token):
            cands += ["".join([*best[:i], alt, *best[i + 1:]]) for alt in alts[1:]]
        # A Persian part the romanizer cannot read is compared by its key (Persian to Persian).
        return Field(key, tuple(dict.fromkeys(c for c in cands if c)) or (key,), skeleton(text))
    latin = (_canon_of_latin(text), _canon_of_latin(_drop_articles(text)))
    units = tuple(u for u in map(canon_token, _WORD_SEP.split(text)) if u)
    return Field(key, tuple(dict.fromkeys(c for c in latin if c)), skeleton(text),
                 units if len(units) > 1 else ())


_WORD_SEP = re.compile(r"[\s-]+")


_ARTICLE = re.compile(r"(?i)(?:^|(?<=\s))(?:al|el)(?:-|\s+)(?=[a-z])")
_ARTICLE_AFTER_PARTICLE = re.compile(
    r"(?i)\b(?:abd|abdul|abdol|abdel|abu|abo|abou|ibn|bin|ben)\s+$")


def _drop_articles(text: str) -> str:
    """Latin text without the Arabic article of a surname (Kazem al-Haeri → Kazem Haeri; the
    Persian record writes حائری), kept after Abd/Abu (Abd al-Rahman)."""
    out, pos = [], 0
    for m in _ARTICLE.finditer(text):
        if not _ARTICLE_AFTER_PARTICLE.search(text[: m.start()]):
            out.append(text[pos: m.start()])
            pos = m.end()
    return "".join(out) + text[pos:]


@lru_cache(maxsize=1 << 17)
def _token_cands(token: str) -> tuple[str, ...]:
    """Canonical romanisations of one Persian token that fit its consonants.

    The dictionary's Wikidata rows are noisy (علیرضا → "Ali", حقی‌زاده → "Zadeh"): candidates
    whose skeleton is more than one edit from the token's are dropped; if none is left, the
    dictionary's first answer is kept next to the model's fitting answers.
    """
    if not is_persian_token(token):
        return (canon_token(token),) if canon_token(token) else ()
    skel = skeleton(token)
    cands = tuple(dict.fromkeys(c for c in (_canon_of_latin(r) for r in romanize_token(token))
                                if c))
    fit = tuple(c for c in cands if _fits(skeleton_latin(c), skel))
    fit += _compound_cands(token, fit)
    if fit and skeleton_latin(cands[0]) != skel:
        fit = (*_glued_head_cands(token, cands[0]), *fit)
    if fit:
        hamza = _hamza_variant(token)
        if hamza:
            fit += tuple(c for c in (_canon_of_latin(r) for r in romanize_token(hamza))
                         if c and _fits(skeleton_latin(c), skel))
        return _drop_heads(tuple(dict.fromkeys(fit)), skel)
    model = tuple(dict.fromkeys(c for c in (_canon_of_latin(r)
                                            for r in romanize_token_model(token)) if c))
    fit_model = tuple(c for c in model if _fits(skeleton_latin(c), skel))
    glued = _glued_head_cands(token, cands[0]) if cands else ()
    return tuple(dict.fromkeys((*glued, *cands[:1], *fit_model))) or model[:1]


def _glued_head_cands(token: str, tail: str) -> tuple[str, ...]:
    """Head + tail of a glued name whose dictionary answer spells only its last part
    (وحیدبریمانلو → "Barimanlou", ملکخانبانان → "Khanbanan": Wikidata aligned a two-part
    surname written without a space with its second part): the head is the token's longest
    prefix of three or more letters such that the rest has exactly the answer's skeleton
    (longest, as repeated letters collapse: صمی|میمفخم and صمیمی|مفخم both end in m-f-x-m)."""
    want = skeleton_latin(tail)
    for cut in range(len(token) - 2, MIN_COMPOUND_HEAD - 1, -1):
        if skeleton(token[cut:]) == want:
            head = _token_cands(token[:cut])
            return (head[0] + tail,) if head else ()
    return ()


# Tails of compound given names written glued in Persian (یعقوبعلی, مصطفی‌قلی), and their canon.
PERSIAN_COMPOUND_TAILS = {"علی": "ali", "رضا": "reza", "قلی": "qoli"}


def _compound_cands(token: str, cands: tuple[str, ...]) -> tuple[str, ...]:
    """Head + tail spelling of a glued compound (یعقوبعلی → yaqobali) when no candidate has the
    tail: the dictionary aligns such rare compounds with their head alone ("Yaghoub")."""
    key = name_key(token)
    for tail, latin in PERSIAN_COMPOUND_TAILS.items():
        head = key[: -len(tail)]
        if (key.endswith(tail) and len(head) >= MIN_COMPOUND_HEAD
                and not any(c.endswith(latin) for c in cands)):
            head_cands = _token_cands(head)
            return (head_cands[0] + latin,) if head_cands else ()
    return ()


_HAMZA_SEAT = re.compile("(?<=[\u0600-\u06ff])ای(?=[\u0600-\u06ff])")


def _hamza_variant(token: str) -> str:
    """The token with a medial ``ای`` written ``ائ`` (قایمی → قائمی), or "" if it has none.

    Normalisation writes ئ as ی, but the dictionary knows قائمی (Ghaemi), مسائلی (Masaeli) and
    مائده (Maedeh) by their hamza spelling and reads قایمی as "Ghayemi".
    """
    variant = _HAMZA_SEAT.sub("ائ", token)
    return variant if variant != token else ""


def _drop_heads(cands: tuple[str, ...], skel: str) -> tuple[str, ...]:
    """Of a candidate and one that extends it by a name part of three or more letters, drop the
    one whose consonants are not exactly the token's ``skel``: محمدعلی → "Mohammad" is Wikidata
    aligning a compound with its first part, غلام → "Gholamali" a name with a compound."""
    exact = {c for c in cands if skeleton_latin(c) == skel}

    def noise(c: str) -> bool:
        return c not in exact and any(
            (len(o) >= len(c) + 3 and o.startswith(c))
            or (o in exact and len(c) >= len(o) + 3 and c.startswith(o)) for o in cands)
    return tuple(c for c in cands if not noise(c)) or cands


@lru_cache(maxsize=1 << 18)
def name_rep(s: str) -> NameRep:
    """Parse and prepare a full name; cached per distinct string."""
    p = parse_name(s) if isinstance(s, str) else parse_name("")
    whole = " ".join(x for x in (p.given, p.family) if x)
    head, _, rest = p.family.partition(" ")
    if not rest:
        head, rest = _hyphen_head(p.family)
    return NameRep(
        make_field(p.given) if p.family else None,
        make_field(p.family) if p.given else None,
        make_field(p.father),
        make_field(whole),
        make_field(head) if p.given and rest else None,
    )


def _hyphen_head(family: str) -> tuple[str, str]:
    """(first unit, rest) of a one-token Latin family name of two surnames joined by a hyphen
    (Ghassemi-Shall, Lackner-Gohari), or (family, "") when the rest is a surname suffix
    (Hossein-Zadeh, Ebrahim-Nejad) or there is no hyphen."""
    head, _, rest = family.partition("-")
    if not head or not rest or canon_token(rest) in SURNAME_SUFFIXES_LATIN:
        return family, ""
    return head, rest


def _suffix_only(a: str, b: str) -> bool:
    """One name is the other plus -i (Mohammad/Mohammadi) or -e(h) (Farid/Farideh)."""
    if len(a) > len(b):
        a, b = b, a
    return (bool(a) and len(a) + 1 == len(b) and b.startswith(a) and b[-1] in "ie"
            and a[-1] not in "aeiou")


def field_similarity(a: Field, b: Field) -> float:
    """Similarity of two prepared name parts in [0, 1]."""
    if a.key == b.key:
        return 1.0
    best, pair = -1.0, ("", "")
    for ca in a.cands:
        for cb in b.cands:
            j = _jw(ca, cb)
            if j > best:
                best, pair = j, (ca, cb)
    if _suffix_only(*pair):
        best = min(best, SUFFIX_CAP)
    # The same canonical spelling agrees on its consonants, whatever the script skeletons say
    # (فتحی: f-t-h, "Fathi": f-t).
    same_skel = best == 1.0 or (a.skel == b.skel and bool(a.skel))
    return W_JW * best + (1.0 - W_JW) * same_skel


@lru_cache(maxsize=1 << 18)
def attested_of(fld: Field) -> tuple[frozenset[str], str]:
    """(the dictionary names the part's spellings are attested for, its own key if it is Persian
    else ""): a Persian part is the name it writes even when the dictionary does not know it. A
    Latin part of several words whose words are all attested is the name they make together
    (Mohammad Sadegh → محمدصادق; the joined spelling "Mohammadsadegh" is attested for محمد, as
    Wikidata aligns compounds with their first part)."""
    unit_names = [attested_name(u) for u in fld.units]
    if unit_names and all(unit_names):
        return frozenset({"".join(n for n in unit_names if n)}), ""
    persian = is_persian_token(fld.key)
    spelt = (*fld.cands, fld.key) if persian else fld.cands
    names = frozenset(n for n in map(attested_name, spelt) if n)
    return names, fld.key if persian else ""


def distinct_names(a: Field, b: Field) -> bool:
    """Two parts with different keys and no spelling in common are two different names, not two
    spellings of one (Mahmoud vs محمد, Mina vs مونا, Arab vs Arabi): no name is attested for both,
    and both are attested names — or a Persian part meets a Latin spelling attested for another
    name (a Persian record writes its name; a rare Latin spelling or a typo is attested for none).
    """
    if a.key == b.key or set(a.cands) & set(b.cands):
        return False
    (names_a, own_a), (names_b, own_b) = attested_of(a), attested_of(b)
    if (names_a | {own_a} if own_a else names_a) & (names_b | {own_b} if own_b else names_b):
        return False
    if names_a and names_b:
        return True
    return bool(own_a) != bool(own_b) and bool(names_b if own_a else names_a)


def _distinct_any(*pairs: tuple[Field, Field]) -> bool:
    return any(distinct_names(x, y) for x, y in pairs)


def _pair(a: Field | None, b: Field | None) -> float | None:
    if a is None or b is None:
        return None
    return field_similarity(a, b)


def rep_score(a: NameRep, b: NameRep) -> float:
    """Similarity of two prepared names in [0, 1] (0 if either has no letters)."""
    if a.whole is None or b.whole is None:
        return 0.0
    score = field_similarity(a.whole, b.whole)
    if a.given and a.family and b.given and b.family:
        # Each pairing of the parts loses DISTINCT_PENALTY if it pairs two different names; the
        # whole names only if both pairings do and the whole names are different names too (a
        # name parsed differently on the two sides, Hamid | Reza Pahlavi vs حمیدرضا | پهلوی, is
        # one name as a whole).
        d_straight = _distinct_any((a.given, b.given), (a.family, b.family))
        d_swapped = _distinct_any((a.given, b.family), (a.family, b.given))
        straight = (field_similarity(a.given, b.given) + field_similarity(a.family, b.family)) / 2
        swapped = (field_similarity(a.given, b.family) + field_similarity(a.family, b.given)) / 2
        whole = score if score == 1.0 else score - WHOLE_PENALTY
        score = max(straight - DISTINCT_PENALTY * d_straight,
                    swapped - SWAP_PENALTY - DISTINCT_PENALTY * d_swapped,
                    whole - DISTINCT_PENALTY * (d_straight and d_swapped
                                                and distinct_names(a.whole, b.whole)))
        # A second surname on one side only (Khosravi Savadjani vs خسروی): its first part.
        if (a.family_head is None) != (b.family_head is None):
            head_a, head_b = a.family_head or a.family, b.family_head or b.family
            head = field_similarity(head_a, head_b)
            gg = field_similarity(a.given, b.given)
            d_head = _distinct_any((a.given, b.given), (head_a, head_b))
            score = max(score, (gg + head) / 2 - EXTRA_FAMILY_PENALTY - DISTINCT_PENALTY * d_head)
    father = _pair(a.father, b.father)
    if father is not None:
        score = (1 - FATHER_WEIGHT) * score + FATHER_WEIGHT * father
    return float(min(1.0, max(0.0, score)))


def _level(score: float, a: NameRep, b: NameRep) -> str:
    if a.whole is None or b.whole is None:
        return "none"
    if score >= 0.9999:
        return "exact"
    if score >= STRONG:
        return "strong"
    if score >= CLOSE:
        return "close"
    if a.whole.skel and a.whole.skel == b.whole.skel:
        return "skeleton"
    return "weak"


def rep_similarity(a: NameRep, b: NameRep) -> NameSimilarity:
    """Compare two prepared names (`name_rep`): what `name_similarity` answers for their texts.
    For callers that keep prepared names (a search reads them stored beside the name index)."""
    score = rep_score(a, b)
    return NameSimilarity(score, _level(score, a, b))


def name_similarity(a: str, b: str) -> NameSimilarity:
    """Compare two names in any scripts; never raises (non-text or empty → level "none")."""
    return rep_similarity(name_rep(a if isinstance(a, str) else ""),
                          name_rep(b if isinstance(b, str) else ""))


# Bump when a name's preparation changes (parsing, romanisation, the dictionary, `Field`): a
# stored prepared name of another version is not used, and rebuilding the name index renews it.
REP_VERSION = 1

PlainField = list[object]


def rep_to_plain(rep: NameRep) -> list[PlainField | None]:
    """A prepared name as JSON-ready lists (given, family, father, whole, family head; each part
    ``[key, candidates, skeleton, units]`` or None), read back by `rep_from_plain`."""
    return [None if f is None else [f.key, list(f.cands), f.skel, list(f.units)]
            for f in (rep.given, rep.family, rep.father, rep.whole, rep.family_head)]


def rep_from_plain(plain: object) -> NameRep:
    """The prepared name `rep_to_plain` wrote; InvalidValue if `plain` is not one."""
    if not isinstance(plain, list) or len(plain) != 5:
        raise InvalidValue("a stored prepared name is not a list of five parts")
    return NameRep(*(None if part is None else _field_from_plain(part) for part in plain))


def _field_from_plain(part: object) -> Field:
    if isinstance(part, list) and len(part) == 4:
        key, cands, skel, units = part
        if (isinstance(key, str) and isinstance(skel, str) and isinstance(cands, list)
                and isinstance(units, list)):
            return Field(key, tuple(cands), skel, tuple(units))
    raise InvalidValue("a stored prepared name part is not [key, candidates, skeleton, units]")


def name_similarity_batch(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Scores of ``a[i]`` vs ``b[i]`` for every i, as a float64 array (same as `name_similarity`).

    Each distinct string is prepared once (cached across calls); each distinct pair is then
    scored once by a compiled, parallel kernel (`sabt.text._kernels`) over integer-coded parts.
    """
    if len(a) != len(b):
        raise InvalidValue(f"name_similarity_batch needs equal lengths, got {len(a)} and {len(b)}")
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=np.float64)
    # Code every distinct value once (hashing in C); missing values (None, NaN) become "".
    codes, uniques = pd.factorize(np.fromiter(chain(a, b), dtype=object, count=2 * n))
    reps = [name_rep(u if isinstance(u, str) else "") for u in uniques]
    codes = codes.astype(np.int64, copy=False)
    if codes.min() < 0:
        codes = np.where(codes < 0, len(reps), codes)
    reps.append(name_rep(""))
    t = _Tables()
    parts = np.array([[t.field(r.given), t.field(r.family), t.field(r.father), t.field(r.whole),
                       t.field(r.family_head)] for r in reps], dtype=np.int32).reshape(-1, 5)
    # Lists repeat common names, so many pairs recur: score each distinct pair once.
    ca, cb = codes[:n], codes[n:]
    first, inverse = distinct_pairs(ca, cb)
    scores = score_pairs(ca[first], cb[first], parts, *t.arrays(), kernel_params(), t.names())
    out: np.ndarray = scores[inverse]
    return out


def kernel_params() -> np.ndarray:
    """The scoring constants in the order `sabt.text._kernels` reads them."""
    return np.array([W_JW, SUFFIX_CAP, WHOLE_PENALTY, SWAP_PENALTY, FATHER_WEIGHT,
                     EXTRA_FAMILY_PENALTY, DISTINCT_PENALTY])


class _Tables:
    """Distinct name parts and strings of a batch as the kernel's compact integer arrays."""

    def __init__(self) -> None:
        self.fids: dict[Field, int] = {}
        self.fields: list[Field] = []
        self.sids: dict[str, int] = {}  # candidate strings (their characters go to the kernel)
        self.strings: list[str] = []
        self.kids: dict[str, int] = {}  # keys and skeletons (compared by id only)
        self.nids: dict[str, int] = {}  # names (Persian keys) of `attested_of`

    def _sid(self, s: str) -> int:
        i = self.sids.get(s)
        if i is None:
            i = self.sids[s] = len(self.strings)
            self.strings.append(s)
        return i

    def _kid(self, s: str) -> int:
        """Id of a key or skeleton (only compared for equality, so not in the symbol array)."""
        return self.kids.setdefault(s, len(self.kids))

    def field(self, fld: Field | None) -> int:
        if fld is None:
            return -1
        i = self.fids.get(fld)
        if i is None:
            i = self.fids[fld] = len(self.fields)
            self.fields.append(fld)
        return i

    def names(self) -> np.ndarray:
        """atab: per field its own name id (-1: Latin), the number of its attested names and
        their ids (see `sabt.text._kernels`)."""
        rows = [attested_of(f) for f in self.fields]
        width = max((len(names) for names, _ in rows), default=0)
        atab = np.full((max(1, len(rows)), 2 + width), -1, dtype=np.int32)
        atab[:, 1] = 0
        nid = self.nids
        for r, (names, own) in enumerate(rows):
            atab[r, 0] = nid.setdefault(own, len(nid)) if own else -1
            atab[r, 1] = len(names)
            atab[r, 2: 2 + len(names)] = [nid.setdefault(n, len(nid)) for n in sorted(names)]
        return atab

    def arrays(self) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
        """ftab, sym, n_sym, marks (see `sabt.text._kernels`)."""
        fl = self.fields
        width = max((len(f.cands) for f in fl), default=1)
        sid = np.full((max(1, len(fl)), width), -1, dtype=np.int64)
        ftab = np.full((max(1, len(fl)), 2 + 2 * width), -1, dtype=np.int32)
        for r, f in enumerate(fl):
            for k, c in enumerate(f.cands):
                sid[r, k] = self._sid(c)
            ftab[r, 0] = self._kid(f.key)
            ftab[r, 1] = self._kid(f.skel) if f.skel else -1
        lens = np.array([len(s) for s in self.strings] + [-1], dtype=np.int32)
        offs = np.zeros(len(lens), dtype=np.int32)
        np.cumsum(lens[:-2], out=offs[1:-1])
        # Per field and candidate: offset and length (-1: no candidate; sid -1 is the sentinel).
        ftab[:, 2::2], ftab[:, 3::2] = offs[sid], lens[sid]
        joined = "".join(self.strings)
        chars = (np.frombuffer(joined.encode("utf-32-le"), dtype=np.int32) if joined
                 else np.zeros(1, dtype=np.int32))
        alphabet, sym = np.unique(chars, return_inverse=True)
        small = np.uint8 if len(alphabet) <= 1 << 8 else np.int32
        where = {int(c): i for i, c in enumerate(alphabet)}
        marks = np.array([where.get(ord(ch), -1) for ch in MARK_LETTERS], dtype=np.int32)
        return ftab, sym.astype(small), len(alphabet), marks
