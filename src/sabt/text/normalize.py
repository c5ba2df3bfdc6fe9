"""Persian-script normalisation, script detection and digit folding for names.

Persian NLP normalisers corrupt names (presentation-form ﻧ read as ذ, ZWNJ inserted inside
names, shadda kept; see docs/text.md), so Sabt owns a small, explicit one: NFKC (which resolves
PDF presentation forms), invisible and bidi marks removed, harakat removed, an explicit
Arabic→Persian letter map, digits to ASCII, whitespace collapsed, ZWNJ kept for display.
Everything here is a pure function of its input and never raises on any ``str``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

Script = Literal["persian", "latin", "mixed", "none"]

ZWNJ = "\u200c"

_DIGITS = str.maketrans(
    {**{chr(0x06F0 + i): str(i) for i in range(10)}, **{chr(0x0660 + i): str(i) for i in range(10)}}
)
# Bidi marks, ZWJ, word joiner, BOM, soft hyphen, tatweel, Arabic letter mark (ZWNJ is kept),
# then harakat, superscript alef and Quranic marks: all deleted.
_DROP = [0x200B, *range(0x200D, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
         *range(0x2066, 0x206A), 0xFEFF, 0x00AD, 0x0640, 0x061C,
         *range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)]
_LETTERS = str.maketrans(
    {
        "ي": "ی", "ى": "ی", "ئ": "ی", "ۍ": "ی", "ې": "ی", "ے": "ی",
        "ك": "ک", "ڪ": "ک",
        "ة": "ه", "ۀ": "ه", "ھ": "ه", "ە": "ه", "ہ": "ه", "ۂ": "ه",
        "أ": "ا", "إ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
        "ؤ": "و",
        "ء": None,
        "٬": ",", "٫": ".", "،": ",", "؛": ";", "؟": "?",
    }
)
_TABLE = {**_LETTERS, **_DIGITS, **dict.fromkeys(_DROP)}
_ZWNJ_RUN = re.compile(rf" *{ZWNJ}[ {ZWNJ}]*")


def _is_persian_char(ch: str) -> bool:
    o = ord(ch)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF


def to_ascii_digits(s: str) -> str:
    """Persian (۰–۹) and Arabic-Indic (٠–٩) digits to ASCII; everything else unchanged."""
    return s.translate(_DIGITS)


@lru_cache(maxsize=1 << 18)
def normalize_persian(s: str) -> str:
    """The display form of a name or short text in Persian script (Latin parts pass through).

    ``ﻣﺤﻤﺪ ﻧﻮﺭﻱ`` → ``محمد نوری``; ``مُحَمَّد`` → ``محمد``; ``علي‌رضا`` keeps its ZWNJ
    (``علی‌رضا``); ``۱۳۶۷`` → ``1367``. The raw string should be stored next to it.
    """
    if not isinstance(s, str) or not s:
        return ""
    if s.isascii():
        return " ".join(s.split())
    text = s if unicodedata.is_normalized("NFKC", s) else unicodedata.normalize("NFKC", s)
    # One table: letters mapped, digits to ASCII, marks and invisible characters deleted
    # (ه + hamza above, فاطمهٔ, loses the hamza like any other mark).
    text = " ".join(text.translate(_TABLE).split())
    if ZWNJ in text:
        # A ZWNJ run stays one ZWNJ between letters; next to a space it is just the space.
        text = _ZWNJ_RUN.sub(lambda m: " " if " " in m.group(0) else ZWNJ, text).strip(" " + ZWNJ)
    return text


def detect_script(s: str) -> Script:
    """Which script the letters of ``s`` are in: persian, latin, mixed, or none (no letters)."""
    persian = latin = False
    for ch in s if isinstance(s, str) else "":
        if not ch.isalpha():
            continue
        if _is_persian_char(ch):
            persian = True
        elif ch.isascii() or unicodedata.name(ch, "").startswith("LATIN"):
            latin = True
        if persian and latin:
            return "mixed"
    return "persian" if persian else "latin" if latin else "none"
