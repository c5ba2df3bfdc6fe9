"""Numbers as printed in English and Persian sources: digits of both scripts and number words.

``NUMBER_EN`` / ``NUMBER_FA`` are regular-expression fragments that match one number (``30,000``,
``4672``, ``۶۵۸``, ``۱٬۸۷۹``, ``five thousand``, ``دوازده هزار``); `parse_number` turns the
matched text into an int. Pure and offset-preserving: matching happens on the original text.
"""

from __future__ import annotations

import re

from sabt.errors import InvalidValue

_DIGIT_MAP = str.maketrans({**{chr(0x06F0 + i): str(i) for i in range(10)},
                            **{chr(0x0660 + i): str(i) for i in range(10)}})

EN_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

FA_UNITS = {
    "یک": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6, "شیش": 6, "هفت": 7, "هشت": 8,
    "نه": 9, "ده": 10, "یازده": 11, "دوازده": 12, "سیزده": 13, "چهارده": 14, "پانزده": 15,
    "پونزده": 15, "شانزده": 16, "هفده": 17, "هجده": 18, "هیجده": 18, "نوزده": 19, "بیست": 20,
    "سی": 30, "چهل": 40, "پنجاه": 50, "شصت": 60, "هفتاد": 70, "هشتاد": 80, "نود": 90,
    "صد": 100, "یکصد": 100, "دویست": 200, "سیصد": 300, "چهارصد": 400, "پانصد": 500,
    "ششصد": 600, "هفتصد": 700, "هشتصد": 800, "نهصد": 900,
}
FA_SCALES = {"هزار": 1000, "میلیون": 1_000_000}

_DIGITS = r"[0-9\u06F0-\u06F9\u0660-\u0669]"
# 30,000 / 30.000 / ۱٬۸۷۹ / 4672 — a separator must be followed by exactly three digits.
DIGITS = rf"{_DIGITS}{{1,3}}(?:[,\u066C\u060C.]{_DIGITS}{{3}})+(?!{_DIGITS})|{_DIGITS}+"


def _alternation(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_EN_WORD = _alternation([*EN_UNITS, *EN_SCALES])
NUMBER_EN = (
    rf"(?:{DIGITS})(?:\s+(?:thousand|million))?"
    rf"|(?:(?:(?:a|an)\s+(?:hundred|thousand|million)|{_EN_WORD})"
    rf"(?:[\s-]+(?:and\s+)?(?:{_EN_WORD}))*)(?![\w])"
)
_FA_WORD = _alternation([*FA_UNITS, *FA_SCALES])
_FA_B = r"(?![\u0600-\u06FF\u200c])"
NUMBER_FA = (
    rf"(?:{DIGITS})(?:\s+(?:هزار|میلیون){_FA_B})?"
    rf"|(?:(?:{_FA_WORD}){_FA_B}(?:\s+(?:و\s+)?(?:{_FA_WORD}){_FA_B})*)"
)


def parse_number(text: str) -> int:
    """The integer a matched number expression stands for (``"twelve thousand"`` → 12000)."""
    raw = text.strip().translate(_DIGIT_MAP)
    head = re.match(r"^[0-9][0-9,\u066C\u060C.]*", raw)
    if head:
        value = int(re.sub(r"[^0-9]", "", head.group(0)))
        rest = raw[head.end():].strip().lower()
        for scale, factor in {**EN_SCALES, **FA_SCALES}.items():
            if rest == scale:
                value *= factor
        return value
    words = [w for w in re.split(r"[\s\-]+", raw.lower()) if w and w not in ("and", "و")]
    if not words:
        raise InvalidValue(f"not a number: {text!r}")
    total = current = 0
    for word in words:
        if word in ("a", "an"):
            current = max(current, 1)
        elif word in EN_UNITS or word in FA_UNITS:
            current += EN_UNITS.get(word, 0) or FA_UNITS.get(word, 0)
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in EN_SCALES or word in FA_SCALES:
            factor = EN_SCALES.get(word) or FA_SCALES[word]
            total += max(current, 1) * factor
            current = 0
        else:
            raise InvalidValue(f"not a number: {text!r}")
    return total + current
