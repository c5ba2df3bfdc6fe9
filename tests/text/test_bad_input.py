"""Property tests: any string (empty, garbage, mixed script, very long) gives a defined result."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sabt.model.dates import FuzzyDate
from sabt.text import (
    detect_script,
    format_date,
    latin_canon,
    name_features,
    name_key,
    name_similarity,
    normalize_persian,
    parse_date,
    parse_name,
    romanize,
    skeleton,
    to_ascii_digits,
)

# Persian, Arabic presentation forms, Latin, digits, marks, invisible characters, punctuation.
ALPHABET = st.sampled_from(
    list("حسینعلیرضاییكيۀةآأإؤئءًٌٍَُِّٰـ") + list("ﻣﺤﻤﺪﻧﻮﺭﻱ") + list("HosseinAli-' ,.()/")
    + list("۰۱۲۳۴۵۶۷۸۹٠١٢٣0123456789") + ["\u200c", "\u200d", "\u200f", "\u00a0", "\ufeff", "\n"]
)
TEXT = st.one_of(st.text(ALPHABET, max_size=40), st.text(max_size=40))
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(TEXT)
def test_normalisation_and_keys_never_fail(s: str) -> None:
    norm = normalize_persian(s)
    assert isinstance(norm, str)
    assert normalize_persian(norm) == norm
    assert detect_script(s) in ("persian", "latin", "mixed", "none")
    assert isinstance(to_ascii_digits(s), str)
    for fn in (name_key, latin_canon, skeleton):
        assert isinstance(fn(s), str)


@SETTINGS
@given(TEXT)
def test_parsing_and_features_never_fail(s: str) -> None:
    p = parse_name(s)
    assert p.original == s
    feats = name_features(s)
    assert set(feats) >= {"key", "canon", "skeleton", "roman"}
    assert all(isinstance(c, str) for c in romanize(s))


@SETTINGS
@given(TEXT, TEXT)
def test_similarity_is_bounded(a: str, b: str) -> None:
    sim = name_similarity(a, b)
    assert 0.0 <= sim.score <= 1.0
    assert sim.level in ("exact", "strong", "close", "skeleton", "weak", "none")


@SETTINGS
@given(TEXT)
def test_dates_never_fail(s: str) -> None:
    fd = parse_date(s)
    assert isinstance(fd, FuzzyDate)
    assert fd.original == s
    for cal in ("gregorian", "solar_hijri"):
        for script in ("latin", "persian"):
            assert isinstance(format_date(fd, cal, script), str)  # type: ignore[arg-type]


def test_very_long_and_odd_inputs() -> None:
    long = "حسین " * 5000 + "Hossein " * 5000
    for s in (long, "\x00" * 100, "🙂" * 50, "a" * 100_000):
        assert isinstance(normalize_persian(s), str)
        assert isinstance(parse_name(s).given, str)
        assert 0.0 <= name_similarity(s, "Hossein").score <= 1.0
        assert parse_date(s).original == s
    for bad in (None, 5, b"x"):
        assert normalize_persian(bad) == ""  # type: ignore[arg-type]
        assert name_similarity(bad, "Ali").level == "none"  # type: ignore[arg-type]
        assert parse_date(bad).is_unknown  # type: ignore[arg-type]


def test_names_without_latin_letters_compare_safely() -> None:
    # A Cyrillic name has a key but an empty canonical Latin form.
    assert name_similarity("Иван", "I").level in ("weak", "none", "skeleton")
    assert name_similarity("Иван", "Иван").level == "exact"
