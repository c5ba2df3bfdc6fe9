"""Persian name vocabulary with frequencies and attested Latin spellings, plus spelling noise.

Frequencies and Latin spellings come from the Wikidata-derived dictionary shipped inside the
installed `arabic-name-romanizer` package (read-only SQLite, IR rows): a given name's or
surname's weight is how many Iranian Wikidata people bear it, its Latin spellings are the ones
those people's labels use. Given names are a hand-written list of names common in the
generation born 1930s–1960s, with their sex (the dictionary has no sex); surnames are the
dictionary's IR surname units seen at least twice. Only single units are combined at random,
never whole names of dictionary people, so no generated person is a dictionary person.

The noise functions (Latin transliteration habits, Persian orthographic variants, keyboard typos)
are pure: they take a string and a random generator and return a string.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from rapidfuzz.distance import JaroWinkler

from sabt.errors import SabtError

ZWNJ = "\u200c"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MALE_GIVEN = _words(
    "محمد علی حسین حسن محمدرضا احمد محسن رضا سعید محمود عباس حمید علیرضا محمدعلی مسعود جواد "
    "مجید ناصر مصطفی مهدی هادی ابراهیم اسماعیل مجتبی اکبر منوچهر فرهاد مرتضی فریدون بابک "
    "علی‌اصغر ابوالفضل داریوش بهنام غلامرضا پرویز هوشنگ بهرام خسرو صادق سیاوش سیروس جلال "
    "عبدالله علی‌اکبر کاظم محمدجواد افشین قاسم ایرج بیژن منصور یوسف بهزاد جعفر روح‌الله رحیم "
    "رسول شهرام کریم کامران اصغر نادر کاوه بهمن حبیب غلامحسین یدالله هاشم محمدتقی جمشید یحیی "
    "ابوالقاسم تقی عبدالحسین علی‌محمد موسی همایون کیوان عبدالرضا کمال اردشیر حبیب‌الله سیامک "
    "محمدحسین ابوالحسن نصرالله غلامعلی شاپور جهانگیر عبدالکریم عزت‌الله عزیز تورج جمال سهراب "
    "فرامرز فریبرز اسدالله رحمان شاهرخ صمد کیومرث مهرداد فرشید ولی‌الله نعمت‌الله فتح‌الله "
    "رحمت‌الله محمدباقر باقر حشمت‌الله منوچهر انوشیروان حمزه مهران فرزاد پرویز ناصر "
    "بهروز فرخ هرمز کورش شهریار اصغر حجت‌الله سعدالله امیر امیرحسین محمدحسن حسینعلی"
)

FEMALE_GIVEN = _words(
    "فاطمه زهرا مریم اشرف منیژه شهلا فرشته زهره پروین معصومه زینب مرضیه نسرین سودابه فریده "
    "لیلا ژاله ژیلا فریبا سیمین افسانه آذر مینا اعظم طاهره صدیقه منیره شهین مهین پروانه شکوه "
    "نرگس اکرم فرزانه مهری ناهید هما رویا عفت فرح محبوبه منصوره عصمت سکینه کبری شیرین مهناز "
    "گیتی سهیلا مژگان اعظم عاطفه فرناز رقیه"
)

# Surname keys in the dictionary lose the madda of an initial آ; restore it for these.
_MADDA = {
    "ازادي": "آزادی",
    "اقايي": "آقایی",
    "اشتياني": "آشتیانی",
    "اذري": "آذری",
    "املي": "آملی",
    "اهنگر": "آهنگر",
    "اهنگري": "آهنگری",
    "ازاد": "آزاد",
    "اريا": "آریا",
    "اقاجاني": "آقاجانی",
    "ابادي": "آبادی",
    "اشوري": "آشوری",
    "اذربايجاني": "آذربایجانی",
    "اخوندي": "آخوندی",
    "ارين": "آرین",
    "اتشي": "آتشی",
}
# Surnames whose Wikidata weight comes from one famous family (would look odd in a victim list).
_EXCLUDED_SURNAMES = frozenset({"پهلوي", "قاجار"})
_SUFFIXES = ("زاده", "پور", "نیا", "نژاد", "فر", "منش", "وند")
_NON_JOINING = set("اآدذرزژو")
_PREFIXES = ("محمد", "علی", "غلام", "حسین", "حسن", "امیر", "عبد", "ابو", "حمید", "احمد")
_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})
_TO_PERSIAN = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی"})
_LETTER_RE = re.compile(r"^[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]+$")


@dataclass(frozen=True)
class Vocabulary:
    """All name tokens: standard Persian form, Latin spellings (most frequent first), weight.

    Tokens 0..n_male-1 are male given names, then female given names, then surnames.
    """

    fa: tuple[str, ...]
    latin: tuple[tuple[str, ...], ...]
    latin_counts: tuple[tuple[int, ...], ...]
    weight: np.ndarray
    n_male: int
    n_female: int
    fa_forms: np.ndarray  # (tokens, 3): standard, with a space, joined (see zwnj_form)
    fa_variants: tuple[tuple[str, ...], ...]  # orthographic variants (persian_variants)

    @property
    def male(self) -> np.ndarray:
        """Token ids of male given names."""
        return np.arange(self.n_male)

    @property
    def female(self) -> np.ndarray:
        """Token ids of female given names."""
        return np.arange(self.n_male, self.n_male + self.n_female)

    @property
    def surnames(self) -> np.ndarray:
        """Token ids of surnames."""
        return np.arange(self.n_male + self.n_female, len(self.fa))


def _dictionary_path() -> str:
    try:
        ref = resources.files("arabic_name_romanizer") / "resources" / "names.sqlite3"
    except ModuleNotFoundError as exc:  # pragma: no cover - dependency is declared
        raise SabtError("the arabic-name-romanizer package is not installed") from exc
    return str(ref)


def _key(fa: str) -> str:
    """The dictionary's lookup key for a Persian name (Arabic ي/ك, no ZWNJ, آ folded)."""
    return fa.replace(ZWNJ, "").replace("آ", "ا").translate(_ARABIC_LETTERS)


_FA_SKELETON = str.maketrans(
    {
        "ب": "b",
        "پ": "p",
        "ت": "t",
        "ث": "s",
        "ج": "j",
        "چ": "C",
        "ح": "",
        "خ": "X",
        "د": "d",
        "ذ": "z",
        "ر": "r",
        "ز": "z",
        "ژ": "j",
        "س": "s",
        "ش": "S",
        "ص": "s",
        "ض": "z",
        "ط": "t",
        "ظ": "z",
        "ع": "",
        "غ": "q",
        "ف": "f",
        "ق": "q",
        "ك": "k",
        "ک": "k",
        "گ": "g",
        "ل": "l",
        "م": "m",
        "ن": "n",
        "و": "",
        "ه": "",
        "ي": "",
        "ی": "",
        "ا": "",
        "آ": "",
        "ء": "",
        "ئ": "",
        "أ": "",
        "إ": "",
        "ؤ": "",
        "ة": "",
        " ": "",
        ZWNJ: "",
    }
)
_LATIN_DIGRAPHS = (("kh", "X"), ("sh", "S"), ("ch", "C"), ("zh", "j"), ("gh", "q"), ("dj", "j"))


def skeleton_fa(fa: str) -> str:
    """Consonant skeleton of a Persian name (weak letters ا و ی ه ع ح dropped, doubles merged)."""
    return re.sub(r"(.)\1+", r"\1", fa.translate(_FA_SKELETON))


def skeleton_latin(latin: str) -> str:
    """Consonant skeleton of a Latin spelling, comparable with `skeleton_fa`."""
    text = latin.lower()
    for digraph, letter in _LATIN_DIGRAPHS:
        text = text.replace(digraph, letter)
    text = re.sub(r"[aeiouyvwh'\- ]", "", text).replace("c", "k")
    return re.sub(r"(.)\1+", r"\1", text)


def _same_skeleton(fa_skeleton: str, latin: str) -> bool:
    """A Latin spelling fits a Persian name: same first consonant, as many consonants (one more
    or fewer allowed beyond three)."""
    lat = skeleton_latin(latin)
    if abs(len(lat) - len(fa_skeleton)) > (1 if len(fa_skeleton) > 3 else 0):
        return False
    return not fa_skeleton or not lat or fa_skeleton[0] == lat[0]


def _clean_variants(
    key: str, rows: list[tuple[str, int]]
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Merge case variants and drop misaligned Wikidata spellings (other names, suffixes)."""
    fa_skeleton = skeleton_fa(key)
    merged: dict[str, int] = {}
    for latin, count in rows:
        plain = latin.replace("-", "").replace("'", "")
        if not latin.isascii() or " " in latin or not plain.isalpha():
            continue
        if not _same_skeleton(fa_skeleton, latin):
            continue
        form = "-".join(part[:1].upper() + part[1:].lower() for part in latin.split("-"))
        merged[form] = merged.get(form, 0) + count
    if not merged:
        return (), ()
    ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[0][0].lower()
    kept = [ranked[0]]
    for form, count in ranked[1:]:
        low = form.lower()
        similar = JaroWinkler.similarity(low, top) >= 0.8
        if count >= 2 and abs(len(low) - len(top)) <= 2 and similar:
            kept.append((form, count))
    return tuple(f for f, _ in kept[:8]), tuple(c for _, c in kept[:8])


def surname_display(key: str) -> str:
    """Standard Persian spelling of a dictionary surname key (ی/ک, آ, ZWNJ before suffixes)."""
    if key in _MADDA:
        return _MADDA[key]
    fa = key.translate(_TO_PERSIAN)
    for suffix in _SUFFIXES:
        stem = fa[: -len(suffix)]
        if fa.endswith(suffix) and len(stem) >= 3 and stem[-1] not in _NON_JOINING:
            return stem + ZWNJ + suffix
    return fa


@lru_cache(maxsize=1)
def vocabulary(min_surname_count: int = 2) -> Vocabulary:
    """Load the name vocabulary once per process (about 0.3 s)."""
    conn = sqlite3.connect(f"file:{_dictionary_path()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT arabic_key, role, latin, SUM(count) FROM units WHERE country = 'IR' "
            "GROUP BY arabic_key, role, latin"
        ).fetchall()
    finally:
        conn.close()
    by_key: dict[tuple[str, str], list[tuple[str, int]]] = {}
    any_role: dict[str, list[tuple[str, int]]] = {}
    for key, role, spelling, count in rows:
        by_key.setdefault((key, role), []).append((spelling, int(count)))
        any_role.setdefault(key, []).append((spelling, int(count)))

    fa: list[str] = []
    latin: list[tuple[str, ...]] = []
    counts: list[tuple[int, ...]] = []
    weight: list[float] = []
    n_given = [0, 0]
    given_keys: set[str] = set()
    for slot, names in enumerate((MALE_GIVEN, FEMALE_GIVEN)):
        for name in dict.fromkeys(names):
            key = _key(name)
            if key.startswith("عبد") and key not in any_role:  # stored as two units: عبد الله
                key = "عبد " + key[3:]
            variants = by_key.get((key, "given")) or any_role.get(key) or []
            forms, cnts = _clean_variants(key, variants)
            if not forms:
                continue
            given_keys.add(key)
            fa.append(name)
            latin.append(forms)
            counts.append(cnts)
            weight.append(float(sum(c for _, c in variants)) + 1.0)
            n_given[slot] += 1
    # A given name's secondary spelling that is another given name's usual one (محمود: Mohammad)
    # is a Wikidata misalignment.
    usual = {forms[0]: t for t, forms in enumerate(latin)}
    for t, forms in enumerate(latin):
        keep = [i for i, f in enumerate(forms) if i == 0 or usual.get(f, t) == t]
        latin[t] = tuple(forms[i] for i in keep)
        counts[t] = tuple(counts[t][i] for i in keep)
    for key in sorted({k for k, r in by_key if r == "surname"}):
        variants = by_key[(key, "surname")]
        total = sum(c for _, c in variants)
        if total < min_surname_count or key in given_keys or len(key) < 3:
            continue
        if not _LETTER_RE.match(key) or key[0] in "ئء" or key in _EXCLUDED_SURNAMES:
            continue
        forms, cnts = _clean_variants(key, variants)
        if not forms:
            continue
        fa.append(surname_display(key))
        latin.append(forms)
        counts.append(cnts)
        weight.append(float(total))
    fa_forms = np.asarray(
        [[f, zwnj_form(f, "space"), zwnj_form(f, "join")] for f in fa], dtype=object
    ).reshape(len(fa), 3)
    return Vocabulary(
        tuple(fa),
        tuple(latin),
        tuple(counts),
        np.asarray(weight),
        n_given[0],
        n_given[1],
        fa_forms,
        tuple(persian_variants(f) for f in fa),
    )


# --- Latin transliteration habits -------------------------------------------------------------

# Systematic habits a list's compiler may have; each rewrites an attested spelling.
LATIN_HABITS: dict[str, tuple[tuple[str, str], ...]] = {
    "q": ((r"^Gh", "Q"), (r"gh", "q")),  # Gholamreza -> Qolamreza, Bagheri -> Baqeri
    "u": ((r"ou", "u"),),  # Masoud -> Masud, Mansouri -> Mansuri
    "ey": ((r"ei", "ey"),),  # Hossein -> Hosseyn, Rezaei -> Rezaey
    "e": ((r"eh$", "e"),),  # Fatemeh -> Fateme
    "s": ((r"ss", "s"),),  # Hossein -> Hosein
    "y": ((r"([^aeiou])i$", r"\1y"),),  # Ahmadi -> Ahmady
    "ie": ((r"([^aeiou])i$", r"\1ie"),),  # Karimi -> Karimie
    "dj": ((r"^J", "Dj"), (r"j", "dj")),  # Javad -> Djavad (French habit)
    "m": ((r"mm", "m"),),  # Mohammad -> Mohamad
}
# Habits for compound names (Mohammad-Reza): `hyphen` prefers an attested hyphenated spelling,
# `space` writes it as two words (Mohammad Reza), `join` as one (Mohammadreza).
COMPOUND_HABITS = ("hyphen", "space", "join")
# `arabic` prefers Arabic-style attested spellings; `upper` writes surnames in capitals.
KNOWN_HABITS = frozenset(LATIN_HABITS) | frozenset(COMPOUND_HABITS) | {"arabic", "upper"}
_ARABIC_STYLE = re.compile(r"u|ee|ay")


def latin_form(variants: tuple[str, ...], habits: tuple[str, ...]) -> str:
    """A list's habitual Latin spelling of one token: preferred attested variant, then rewrites."""
    form = variants[0]
    if "arabic" in habits:  # prefer an attested Arabic-style spelling (Hussein, Husayn)
        form = next((v for v in variants if _ARABIC_STYLE.search(v.lower())), form)
    if "hyphen" in habits or "space" in habits:
        form = next((v for v in variants if "-" in v and "'" not in v), form)
    for habit in habits:
        for pattern_text, repl in LATIN_HABITS.get(habit, ()):
            form = re.sub(pattern_text, repl, form)
    if "space" in habits:
        form = form.replace("-", " ")
    if "join" in habits and "-" in form:
        form = form[0] + form[1:].replace("-", "").lower()
    return form


# --- Persian orthographic variants ------------------------------------------------------------

_ORTHO = (
    (r"اسماعیل", "اسمعیل"),
    (r"داوود", "داود"),
    (r"عسگر", "عسکر"),
    (r"ایی$", "ائی"),
    (r"اله$", "الله"),
    (r"آ", "ا"),
)


def compound_split(fa: str) -> int:
    """Position where a compound name splits (محمدرضا → 4), or 0 if it is not compound."""
    plain = fa.replace(ZWNJ, "")
    if ZWNJ in fa:
        return fa.index(ZWNJ)
    if plain.endswith("الله") and len(plain) > 5:
        return len(plain) - 4
    for prefix in _PREFIXES:
        if plain.startswith(prefix) and len(plain) - len(prefix) >= 2:
            return len(prefix)
    return 0


def zwnj_form(fa: str, policy: str) -> str:
    """The token as written under a ZWNJ policy: 'keep' (standard), 'space', 'join'."""
    cut = compound_split(fa)
    if not cut or policy == "keep":
        return fa
    plain = fa.replace(ZWNJ, "")
    if policy == "space":
        return plain[:cut] + " " + plain[cut:]
    return plain


def persian_variants(fa: str) -> tuple[str, ...]:
    """Other attested ways of writing the token (اسمعیل, داود, رضائی, ا for آ, spacing)."""
    options = [re.sub(p, r, fa) for p, r in _ORTHO if re.search(p, fa)]
    options += [zwnj_form(fa, "space"), zwnj_form(fa, "join")]
    return tuple(dict.fromkeys(o for o in options if o != fa)) or (fa,)


def arabic_letters(text: str) -> str:
    """The text typed on an Arabic keyboard: ی→ي, ک→ك."""
    return text.translate(_ARABIC_LETTERS)


# --- keyboard typos ---------------------------------------------------------------------------


def _neighbours(rows: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for r, row in enumerate(rows):
        for i, ch in enumerate(row):
            near = row[max(i - 1, 0) : i] + row[i + 1 : i + 2]
            for other in (rows[r - 1] if r else "", rows[r + 1] if r + 1 < len(rows) else ""):
                near += other[i : i + 1]
            out[ch] = near
    return out


LATIN_KEYS = _neighbours(("qwertyuiop", "asdfghjkl", "zxcvbnm"))
PERSIAN_KEYS = _neighbours(("ضصثقفغعهخحجچ", "شسیبلاتنمکگ", "ظطزرذدپو"))
PERSIAN_KEYS |= {"ي": PERSIAN_KEYS["ی"], "ك": PERSIAN_KEYS["ک"]}  # same keys, Arabic layout
# Letters that differ only by dots: the commonest handwriting/OCR confusion in Persian lists.
PERSIAN_DOTS = {
    "ب": "پت",
    "پ": "ب",
    "ت": "بث",
    "ث": "ت",
    "ج": "چح",
    "چ": "ج",
    "ح": "جخ",
    "خ": "ح",
    "ر": "ز",
    "ز": "رژ",
    "ژ": "ز",
    "س": "ش",
    "ش": "س",
    "ص": "ض",
    "ض": "ص",
    "ط": "ظ",
    "ظ": "ط",
    "ع": "غ",
    "غ": "ع",
    "ف": "ق",
    "ق": "ف",
}
TYPO_KINDS = ("adjacent", "drop", "double", "swap")


def typo(text: str, u: tuple[float, float, float]) -> str:
    """One keyboard slip: an adjacent key, a dropped, doubled or transposed letter.

    `u` is three uniform numbers in [0, 1) that choose the position, the kind and the key (drawn
    in bulk by the caller: much faster than a generator call per typo). Never returns the input
    unchanged (a letter without neighbours, or a too-short input, gets doubled instead).
    """
    if not text:
        return text
    i = int(u[0] * len(text))
    while i > 0 and not text[i].isalpha():
        i -= 1
    ch = text[i]
    kind = TYPO_KINDS[int(u[1] * 4)] if len(text) > 2 else "double"
    if kind == "adjacent":
        pool = LATIN_KEYS.get(ch.lower()) or (PERSIAN_KEYS.get(ch, "") + PERSIAN_DOTS.get(ch, ""))
        if pool:
            new = pool[int(u[2] * len(pool))]
            return text[:i] + (new.upper() if ch.isupper() else new) + text[i + 1 :]
        kind = "double"
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "swap" and i + 1 < len(text) and text[i + 1] != ch and text[i + 1].isalpha():
        first, second = text[i + 1], ch
        if ch.isupper() and not text.isupper():  # "Ali" -> "Lai", not "lAi"; "ALI" -> "LAI"
            first, second = first.upper(), second.lower()
        return text[:i] + first + second + text[i + 2 :]
    double = ch if text.isupper() else ch.lower()  # doubled: "Aali", not "AAli"; "AALI"
    return text[: i + 1] + double + text[i + 1 :]
