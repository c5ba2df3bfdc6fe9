"""Keys for names: an exact key, a canonical Latin spelling, and a cross-script consonant skeleton.

* `name_key` — exact-match key within one script: the display normalisation with ZWNJ, spaces,
  marks, punctuation and case removed (``علی‌رضا`` = ``علیرضا`` = ``علي رضا``;
  ``Ali-Reza`` = ``alireza``).
* `latin_canon` — Latin spelling variants folded by ordered rewrite rules applied per token and
  joined without spaces (Hossein / Husayn / Hussein → ``hosein``; Gholam-Reza / Qolamreza →
  ``qolamreza``; Rezaei / Rezaie / Rezayi → ``rezei``). Persian input is romanised first.
* `skeleton` — consonants in a shared alphabet for both scripts (حسین = Hossein = Husayn →
  ``hsn``). Hassan and Hossein share one, so it is a blocking key and a feature, never a score.

All functions are pure, cached, and return ``""`` for input without letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from sabt.text.normalize import ZWNJ, normalize_persian

_APOSTROPHES = "'ʼʻ‘’`´ʿʾ"
_SPECIAL = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ə": "e", "ı": "i", "ł": "l", "đ": "d",
            "ð": "d", "þ": "th"}


def _group1(m: re.Match[str]) -> str:
    """The first group of a match: a ``\\1`` replacement without re's per-call template parsing."""
    return m.group(1)


# Ordered rewrite rules for one folded (lower-case ASCII) token. Placeholders: x = kh, q = gh/q/g,
# $ = sh, C = ch, j = j/zh/dj. Tuned on the *tune* half of the evaluation set only.
_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"x", "ks"),
        # German and Polish spellings (Manutschehr, Khorramschad; Dadaszi, Czangiz).
        (r"tsch", "ch"),
        (r"sch|sz", "sh"),
        (r"cz", "ch"),
        (r"ej(?=[^aeiouj])", "ey"),  # Polish j (Hosejn, Mejsam)
        (r"tch", "ch"),
        (r"ch", "C"),
        (r"ck", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"ph", "f"),
        (r"kh", "x"),
        (r"gh|g|q", "q"),
        (r"sh", "$"),
        (r"zh|dj|jh", "j"),
        (r"^dh", "z"),
        (r"(?<=[a-z])[aeou][ld]?-?din$", "edin"),
        # -ollah / -allah / -ullah / -olah → "ola"
        (r"[aoue]ll?ah?(?=$|[^aeiouy])", "ola"),
        (r"^abd[aeiou]?l(?=[^aeiouy]|$)", "abdol"),
        (r"^abd[aeiou]([rzsdtn$])(?=\1)", "abdol"),
        (r"^ab[ou][aeiou]?l(?=[^aeiouy]|$)", "abol"),
        (r"ou|oo|u", "o"),
        (r"ow(?=[^aeiouy]|$)", "o"),
        (r"w", "v"),
        (r"^i(?=[^aeiouy])", "e"),
        (r"^sy(?=[aeiou])", "sey"),
        (r"^y(?=[^aeiou])", "e"),
        (r"ee", "i"),
        (r"y(?=y)", ""),
        (r"a(?:ei|ee|ie|e)(?=[^aeiou]|$)|ay[ie]$", "ai"),
        (r"ay(?=[aeiou])", "ey"),
        (r"ay(?=[^aeiou]|$)|e[iy](?=[^aeiou]|$)", "ei"),
        (r"([aeiou])h$", _group1),
        (r"aa+", "a"),
        (r"ii+", "i"),
        (r"y$", "i"),
        (r"([b-df-hj-np-tv-z$C])\1+", _group1),
    )
)

_FA_SKELETON = str.maketrans(
    {
        "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j", "ژ": "j",
        "چ": "C", "ح": "h", "ه": "h", "خ": "x", "د": "d", "ذ": "z", "ز": "z", "ض": "z", "ظ": "z",
        "ر": "r", "ش": "$", "غ": "q", "ق": "q", "گ": "q", "ک": "k", "ف": "f", "ل": "l", "م": "m",
        "ن": "n", "ع": None, "ا": None, "آ": None, "و": None, "ی": None,
    }
)
_LATIN_SKELETON_DROP = re.compile(r"[aeiouv]")
_DOUBLE = re.compile(r"(.)\1+")


# The letters (str.isalpha) of the Arabic block U+0600–U+06FF, as one regex character class.
_PERSIAN_LETTER = re.compile(
    "[" + "".join(re.escape(chr(o)) for o in range(0x0600, 0x0700) if chr(o).isalpha()) + "]")


def is_persian_token(token: str) -> bool:
    """True if the token has any Persian-script letter."""
    return _PERSIAN_LETTER.search(token) is not None


@lru_cache(maxsize=1 << 18)
def fold_latin(s: str) -> str:
    """Lower-case ASCII letters and spaces only: marks, apostrophes, hyphens and digits removed."""
    text = unicodedata.normalize("NFKD", s)
    out = []
    for ch in text.lower():
        if "a" <= ch <= "z":
            out.append(ch)
        elif ch.isspace():
            out.append(" ")
        elif ch in _APOSTROPHES or unicodedata.combining(ch):
            continue
        elif ch in _SPECIAL:
            out.append(_SPECIAL[ch])
    return " ".join("".join(out).split())


@lru_cache(maxsize=1 << 18)
def canon_token(token: str) -> str:
    """Canonical form of one Latin token (already folded; hyphens and apostrophes ignored)."""
    t = fold_latin(token).replace(" ", "")
    for pattern, repl in _RULES:
        t = pattern.sub(repl, t)
    return t


@lru_cache(maxsize=1 << 18)
def skeleton_latin_token(canon: str) -> str:
    """Consonant skeleton of one canonical Latin token."""
    if not canon:
        return ""
    head, rest = canon[0], canon[1:]
    head = "y" if head == "y" else _LATIN_SKELETON_DROP.sub("", head)
    rest = _LATIN_SKELETON_DROP.sub("", rest.replace("y", ""))
    body = head + rest
    if body.endswith("h") and len(body) > 1:
        body = body[:-1]
    return _DOUBLE.sub(_group1, body)


@lru_cache(maxsize=1 << 18)
def skeleton_persian_token(token: str) -> str:
    """Consonant skeleton of one Persian-script token (ZWNJ marks an inner word end)."""
    parts = []
    for part in normalize_persian(token).split(ZWNJ):
        if part.endswith("ه") and len(part) > 1:
            part = part[:-1]
        head = "y" if part.startswith("ی") else ""
        body = part[1:] if head else part
        parts.append(head + "".join(ch for ch in body.translate(_FA_SKELETON) if ch.isascii()))
    return _DOUBLE.sub(_group1, "".join(parts))


_NOT_ASCII_LETTER = re.compile(r"[^a-z]+")
_NOT_LETTER = re.compile(r"[\W\d_]+")


def persian_key(s: str) -> str:
    """Exact key of Persian-script text: normalised, آ→ا, no ZWNJ, spaces or marks."""
    return name_key(s)


@lru_cache(maxsize=1 << 18)
def name_key(s: str) -> str:
    """Exact-match key of a name in its own script (Persian letters kept, Latin folded).

    Letters only: آ→ا and accents dropped (by NFKD), ZWNJ, spaces, punctuation and digits removed.
    """
    if not isinstance(s, str):
        return ""
    if s.isascii():
        return _NOT_ASCII_LETTER.sub("", s.lower())
    text = unicodedata.normalize("NFKD", normalize_persian(s))
    return _NOT_LETTER.sub("", text.lower())


PREFIX_PARTICLES_LATIN = frozenset({"abd", "abdul", "abdol", "abdel", "abdal", "abu", "abou", "abo",
                                    "abol", "abul", "al", "el", "ol", "ul"})
PREFIX_PARTICLES_PERSIAN = frozenset({"عبد", "ابو", "ال"})
SUFFIX_PARTICLES = frozenset({"allah", "ollah", "ullah", "olah", "الله", "الدین", "din", "addin",
                              "aldin", "eddin", "uddin", "oddin", "edin", "adin", "odin", "udin"})


def join_particles(toks: list[str], latin_sep: str = "") -> list[str]:
    """Glue Abd / Abu / al- to the next token and Allah to the previous (Abd al-Rahman = one).

    Persian tokens are glued directly; Latin ones with ``latin_sep`` (a space for display).
    """
    out: list[str] = []
    glue = False
    for tok in toks:
        suffix, prefix = _particle(tok)
        if out and (glue or suffix):
            out[-1] += (latin_sep if tok.isascii() else "") + tok
        else:
            out.append(tok)
        glue = prefix
    return out


@lru_cache(maxsize=1 << 18)
def _particle(tok: str) -> tuple[bool, bool]:
    """Whether a token is a suffix particle (Allah) and whether a prefix one (Abd, al-)."""
    low = fold_latin(tok) if tok.isascii() else tok
    return low in SUFFIX_PARTICLES, low in PREFIX_PARTICLES_LATIN or low in PREFIX_PARTICLES_PERSIAN


def tokens(s: str) -> list[str]:
    """Whitespace tokens of the display form, particles glued (hyphens kept inside a token)."""
    return join_particles(normalize_persian(s).split()) if isinstance(s, str) else []


def canon_tokens(s: str) -> list[str]:
    """Canonical Latin form of each token (a Persian token by its best romanisation)."""
    from sabt.text.romanize import romanize

    out = []
    for tok in tokens(s):
        if is_persian_token(tok):
            cands = romanize(tok)
            tok = cands[0] if cands else ""
        c = canon_token(tok)
        if c:
            out.append(c)
    return out


@lru_cache(maxsize=1 << 18)
def latin_canon(s: str) -> str:
    """Canonical Latin form of a name, tokens joined without spaces (see module docstring)."""
    return "".join(canon_tokens(s))


@lru_cache(maxsize=1 << 16)
def skeleton_token(tok: str) -> str:
    """Skeleton of one token of either script (kept for the tokens met last: a whole name's
    skeleton is made of its words', and words recur across names far more than names do)."""
    if is_persian_token(tok):
        return skeleton_persian_token(tok)
    return skeleton_latin_token(canon_token(tok))


@lru_cache(maxsize=1 << 18)
def skeleton(s: str) -> str:
    """Cross-script consonant skeleton of a name (tokens joined, repeated letters collapsed)."""
    return _DOUBLE.sub(_group1, "".join(skeleton_token(t) for t in tokens(s)))
