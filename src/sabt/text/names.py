"""Split a full name into given name, family name, father's name and honorifics.

Lists write "Seyyed Hossein-Ali Rezaei son of Mohammad", "سید حسینعلی رضایی فرزند محمد",
"Rezaei, Hossein Ali" or "Rezaei Hossein". `parse_name` recognises father's-name markers
(فرزند, son of, s/o, daughter of, d/o ...), honorifics and prefixes (Seyyed/Sayed/Mir/Haj/Sheikh,
سید/میر/حاج/شیخ ... — but never Said = سعید, a given name), compound given names written apart
(Hossein Ali, Gholam Reza, Nasr Allah, حسین علی → one unit), detached suffixes (Hossein Zadeh,
حسین زاده) and "Surname, Given" or "Surname Given" order (by a comma, or by how often each
token is a given name in the Wikidata lexicon). `strip_glued_honorific` finds an honorific
written glued to a name (سیدحسین, Seyedmojtaba) for the similarity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sabt.text.keys import (
    canon_token,
    fold_latin,
    is_persian_token,
    join_particles,
    latin_canon,
    name_key,
)
from sabt.text.lexicon import given_prior, role_counts
from sabt.text.normalize import ZWNJ, normalize_persian

# Honorifics and prefixes: canonical Latin tokens (see keys.canon_token) and Persian keys.
HONORIFICS_LATIN = frozenset(
    {
        "seyed", "seyid", "seid", "sied", "seyede", "seyeda", "seyida", "seida", "mir", "haj",
        "haji",
        "hajiye", "hajie", "had", "$eix", "$aix", "$eyx", "mola", "molla", "mirza", "aqa",
        "aqaye", "xanom", "dr", "doctor", "mr", "mrs", "ms", "miss", "$ahid", "martyr", "sardar",
        "sarhanq", "eyatola", "ayatola", "hojatoleslam", "hojateleslam", "ostad", "mohandes",
    }
)
HONORIFICS_PERSIAN = frozenset(
    {"سید", "سیده", "میر", "حاج", "حاجی", "حاجیه", "شیخ", "ملا", "میرزا", "اقا", "اقای", "خانم",
     "دکتر", "شهید", "مرحوم", "سردار", "سرهنگ", "ایتالله", "ایتاالله", "حجتالاسلام", "استاد",
     "مهندس"}
)
# Prefixes that Persian writes attached to the name (میرحسین), so "Mir-Hossein" stays one name.
ATTACHED_HONORIFICS = frozenset({"mir", "aqa", "haj", "haji"})
# A compound given name written apart: HEAD + TAIL is one name (Hossein Ali, Gholam Reza ...).
COMPOUND_HEADS = frozenset(
    {"mohamad", "ali", "hosein", "hasan", "qolam", "abol", "abdol", "amir", "mir", "aqa", "nasr",
     "fazl", "zabih", "habib", "roh", "ezat", "$okr", "neamat", "nemat", "seif", "asad", "xalil",
     "morad", "jan"}
)
COMPOUND_TAILS = frozenset(
    {"ali", "reza", "hosein", "hasan", "mohamad", "ola", "abas", "akbar", "asqar", "naqi", "taqi",
     "qasem", "jafar", "mahdi", "mehdi", "sadeq", "baqer", "javad", "hadi", "karim", "rahim",
     "hamid", "majid", "saleh", "ebrahim", "esmail", "esmeil", "mosa", "rasol", "qoli", "kazem"}
)
# Tokens that continue the surname before them when written apart (Hossein Zadeh, حسین زاده).
SURNAME_SUFFIXES_LATIN = frozenset({"zade", "zadeqan", "por", "nejad", "najad", "far", "vand",
                                    "lo", "abadi", "ian", "i"})
SURNAME_SUFFIXES_PERSIAN = frozenset({"زاده", "زادگان", "پور", "نژاد", "فر", "وند", "لو", "ابادی",
                                      "یان", "ی"})

# Honorifics that lists also write glued to the name (سیدحسین, Seyedmojtaba, Mirsaeed), and how
# often the rest must be a name in the lexicon (given + surname rows) to be taken for one.
GLUED_HONORIFICS_LATIN = frozenset(
    {"seyed", "seyid", "seyede", "seyida", "mir", "haj", "haji", "$eix"})
GLUED_HONORIFICS_PERSIAN = frozenset({"سید", "سیده", "میر", "حاج", "حاجی", "شیخ"})
MIN_GLUED_REST_COUNT = 5
MIN_GLUED_REST_LEN = 3

_FATHER = re.compile(
    r"\s*(?:\(|\[|,|;|-)?\s*(?:(?<![^\s(\[,;-])(?:فرزندِ|فرزند|ولد)(?=\s)|نام\s*پدر\s*:?|"
    r"\b(?:son|daughter|child)\s+of\b|\bs\s*/\s*o\b|\bd\s*/\s*o\b|\bfather(?:'s)?(?:\s+name)?\s*:)"
    r"\s*",
    re.IGNORECASE,
)
# Longer input is not a name; only its first MAX_NAME_CHARS characters are parsed.
MAX_NAME_CHARS = 300
_STRIP = " \t.,;:()[]{}\"'«»-_/\\|*#"


@dataclass(frozen=True)
class ParsedName:
    """A name split into its parts (display-normalised; empty string when absent)."""

    given: str = ""
    family: str = ""
    father: str = ""
    honorifics: tuple[str, ...] = ()
    surname_first: bool = False
    original: str = ""

    @property
    def full(self) -> str:
        """Given then family name, without honorifics or father's name."""
        return " ".join(p for p in (self.given, self.family) if p)


@lru_cache(maxsize=1 << 18)
def _canon(tok: str) -> str:
    """The token's key for the word lists: Persian key or canonical Latin."""
    return name_key(tok) if is_persian_token(tok) else canon_token(tok)


@lru_cache(maxsize=1 << 18)
def _is_honorific(tok: str) -> bool:
    k = _canon(tok)
    return k in HONORIFICS_PERSIAN if is_persian_token(tok) else k in HONORIFICS_LATIN


@lru_cache(maxsize=1 << 18)
def _latin_of(tok: str) -> str:
    """Canonical Latin of a token of either script (Persian via romanisation), for word lists."""
    return latin_canon(tok) if is_persian_token(tok) else canon_token(tok)


def _known_rest(rest: str) -> bool:
    """The rest of a token after a glued honorific is a name: long enough, in the lexicon (not
    only as a surname suffix such as -zadeh: Hajizadeh, Mirzadeh)."""
    if len(rest) < MIN_GLUED_REST_LEN or rest in SURNAME_SUFFIXES_LATIN | SURNAME_SUFFIXES_PERSIAN:
        return False
    return sum(role_counts().get(rest, (0, 0))) >= MIN_GLUED_REST_COUNT


def strip_glued_honorific(text: str) -> str:
    """The name part without an honorific glued to its first token (سیدحسین → حسین,
    Seyedmojtaba → mojtaba), or "" when it has none. Said/Saeed (سعید) is never Seyyed, and a
    rest that is no name in the lexicon (Miranda, Mirza, Hajizadeh) keeps the token whole."""
    toks = text.split() if isinstance(text, str) else []
    if not toks:
        return ""
    first, persian = toks[0], is_persian_token(toks[0])
    word = name_key(first) if persian else fold_latin(first).replace(" ", "")
    prefixes = GLUED_HONORIFICS_PERSIAN if persian else GLUED_HONORIFICS_LATIN
    for cut in range(2, len(word) - MIN_GLUED_REST_LEN + 1):
        head, rest = word[:cut], word[cut:]
        if persian and head in prefixes and _known_rest(rest):
            return " ".join([rest, *toks[1:]])
        if not persian and canon_token(head) in prefixes and _known_rest(canon_token(rest)):
            return " ".join([rest, *toks[1:]])
    return ""


def _split_tokens(text: str) -> list[str]:
    raws = text.split()
    last = len(raws) - 1
    return join_particles([t for n, raw in enumerate(raws) for t in _raw_tokens(raw, n < last)],
                          latin_sep=" ")


@lru_cache(maxsize=1 << 18)
def _raw_tokens(raw: str, more: bool) -> tuple[str, ...]:
    """The tokens (with a letter) of one whitespace-separated word; `more`: another follows.

    Cached per word: a million names are written with a few ten thousand words.
    """
    tok = raw.strip(_STRIP)
    # "Seyed-Ali Tehrani": a hyphenated honorific is its own token, unless Persian writes it
    # attached (Mir-Hossein = میرحسین) or nothing follows (Seyed-Abbasi = سیدعباسی).
    head, sep, rest = tok.partition("-")
    if (sep and rest and more and _is_honorific(head)
            and canon_token(head) not in ATTACHED_HONORIFICS):
        parts: tuple[str, ...] = (head, rest.strip(_STRIP))
    else:
        parts = (tok,)
    return tuple(t for t in parts if any(ch.isalpha() for ch in t))


def _join(a: str, b: str) -> str:
    return a + ZWNJ + b if is_persian_token(a) and is_persian_token(b) else f"{a} {b}"


def _merge_units(toks: list[str], surname: bool = False) -> list[str]:
    """Merge compound given names, detached -allah and detached surname suffixes.

    In a full name (`surname` False) a suffix does not swallow the given name: "Hadi Nejad" is
    Hadi + Nejad, and "علی عباس زاده" is علی + عباس‌زاده, not one compound given name."""
    units: list[str] = []
    compound_of: tuple[str, str] | None = None   # the parts of the last unit, if a compound
    for tok in toks:
        if units:
            prev = units[-1]
            lat, prev_lat = _latin_of(tok), _latin_of(prev)
            persian = is_persian_token(tok)
            suffix = (name_key(tok) in SURNAME_SUFFIXES_PERSIAN if persian
                      else canon_token(tok) in SURNAME_SUFFIXES_LATIN)
            compound = (prev_lat in COMPOUND_HEADS and lat in COMPOUND_TAILS
                        and " " not in prev and ZWNJ not in prev)
            if suffix and not surname and len(units) == 1:
                if compound_of is None:
                    units.append(tok)
                else:
                    units = [compound_of[0], _join(compound_of[1], tok)]
                compound_of = None
                continue
            if suffix or lat in ("ola", "alah", "olah") or compound:
                compound_of = (prev, tok) if compound else None
                units[-1] = _join(prev, tok)
                continue
        compound_of = None
        units.append(tok)
    return units


def _looks_surname_first(units: list[str]) -> bool:
    """True if the first unit is far more often a surname and the last a given name."""
    if len(units) < 2:
        return False
    first = given_prior(_canon(units[0].split()[0] if " " in units[0] else units[0]))
    last = given_prior(_canon(units[-1].split()[0] if " " in units[-1] else units[-1]))
    return first < 0.3 and last > 0.7


def parse_name(full: str) -> ParsedName:
    """Parse a full name in Persian or Latin script; never raises (bad input → empty parts)."""
    if not isinstance(full, str):
        return ParsedName()
    text = normalize_persian(full[: 4 * MAX_NAME_CHARS])[:MAX_NAME_CHARS]
    father = ""
    parts = _FATHER.split(text, maxsplit=1)
    if len(parts) == 2:
        text, father = parts[0], " ".join(_split_tokens(parts[1]))
    surname_first = False
    family_first: list[str] = []
    if "," in text or "،" in text:
        head, _, tail = text.replace("،", ",").partition(",")
        if _split_tokens(head) and _split_tokens(tail):
            family_first, text, surname_first = _split_tokens(head), tail, True
    toks = _split_tokens(text)
    honorifics: list[str] = []
    while len(toks) > 1 and _is_honorific(toks[0]):
        honorifics.append(toks.pop(0))
    if not family_first:
        # Honorifics after a surname in "Rezaei Seyed Hossein" order; Mir/Agha/Haj in the middle
        # start a surname instead (Shahrzad Mir Gholikhan = شهرزاد میرقلی‌خان).
        for i in range(1, len(toks) - 1):
            if _is_honorific(toks[i]) and _canon(toks[i]) not in ATTACHED_HONORIFICS:
                honorifics.append(toks.pop(i))
                family_first, toks, surname_first = toks[:i], toks[i:], True
                break
    units = _merge_units(toks)
    if family_first:
        family = " ".join(_merge_units(family_first, surname=True))
        given = " ".join(units)
    elif len(units) >= 2 and _looks_surname_first(units):
        surname_first = True
        family, given = units[0], " ".join(units[1:])
    else:
        given = units[0] if units else ""
        family = " ".join(units[1:])
    return ParsedName(given, family, father, tuple(honorifics), surname_first, full)
