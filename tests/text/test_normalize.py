"""Persian normalisation, script detection and digits: hand cases from docs/text.md §1."""

from __future__ import annotations

import pytest

from sabt.text import detect_script, normalize_persian, to_ascii_digits

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ﻣﺤﻤﺪ ﻧﻮﺭﻱ", "محمد نوری"),  # presentation forms: ﻧ is noon, never ذ
        ("علي", "علی"),  # Arabic yeh
        ("كاظم", "کاظم"),  # Arabic kaf
        ("مصطفى", "مصطفی"),  # alef maksura
        ("فاطمة", "فاطمه"),  # teh marbuta
        ("فاطمهٔ", "فاطمه"),  # heh + hamza above
        ("مُحَمَّد", "محمد"),  # harakat and shadda
        ("إبراهيم", "ابراهیم"),  # alef with hamza below
        ("مـحـمـد", "محمد"),  # tatweel
        ("\u200fعلی\u200e", "علی"),  # bidi marks
        ("علی\u00a0رضا", "علی رضا"),  # no-break space
        ("۱۳۶۷/۰۵/۲۴", "1367/05/24"),  # Persian digits
        ("١٣٦٧/٠٥/٠١", "1367/05/01"),  # Arabic-Indic digits
        (f"حسین{ZWNJ}زاده", f"حسین{ZWNJ}زاده"),  # ZWNJ kept for display
        (f"حسین{ZWNJ}{ZWNJ}زاده", f"حسین{ZWNJ}زاده"),  # one ZWNJ
        (f"حسین {ZWNJ} زاده{ZWNJ}", "حسین زاده"),  # ZWNJ next to spaces or at the end
        ("  Hossein   Rezaei ", "Hossein Rezaei"),  # Latin passes through, spaces collapsed
        ("منتظری بیژن میرزایی نصرالله", "منتظری بیژن میرزایی نصرالله"),  # no ZWNJ inserted
    ],
)
def test_normalize_persian(raw: str, expected: str) -> None:
    assert normalize_persian(raw) == expected


def test_normalize_is_idempotent_on_cases() -> None:
    for raw in ("ﻣﺤﻤﺪ ﻧﻮﺭﻱ", f"حسین {ZWNJ} زاده", "مُحَمَّد", "Hossein"):
        once = normalize_persian(raw)
        assert normalize_persian(once) == once


@pytest.mark.parametrize(
    ("text", "script"),
    [("حسین", "persian"), ("Hossein", "latin"), ("Hossein حسین", "mixed"), ("1367", "none"),
     ("", "none"), ("Hüseyin", "latin"), ("ﻣﺤﻤﺪ", "persian"), ("!!", "none")],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_to_ascii_digits() -> None:
    assert to_ascii_digits("۰۱۲۳۴۵۶۷۸۹ ٠١٢٣٤٥٦٧٨٩ x") == "0123456789 0123456789 x"
