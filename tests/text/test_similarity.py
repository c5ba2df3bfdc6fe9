"""name_similarity: hand cases, batch = scalar, symmetry, levels, bad input."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from sabt.errors import InvalidValue
from sabt.text import name_similarity, name_similarity_batch
from sabt.text.similarity import (
    CLOSE,
    LEVELS,
    STRONG,
    _drop_articles,
    _drop_heads,
    _hamza_variant,
    _hyphen_head,
    distinct_names,
    make_field,
    name_rep,
    rep_from_plain,
    rep_similarity,
    rep_to_plain,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "text"


def _hand_cases() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in (DATA / "hand_cases.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("a\t"):
            continue
        a, b, expect, note = line.split("\t")
        rows.append((a, b, expect, note))
    return rows


HAND = _hand_cases()


@pytest.mark.parametrize(("a", "b", "expect", "note"), HAND, ids=[r[3] for r in HAND])
def test_hand_case(a: str, b: str, expect: str, note: str) -> None:
    sim = name_similarity(a, b)
    if expect == "same":
        assert sim.score >= CLOSE, (note, sim)
        assert sim.level in ("exact", "strong", "close")
    else:
        assert sim.score < CLOSE, (note, sim)
        assert sim.level not in ("exact", "strong", "close")


def test_batch_equals_scalar_and_is_symmetric() -> None:
    names = [r[0] for r in HAND] + [r[1] for r in HAND] + [
        "", "   ", "x", "Seyed Ali son of Hasan", "علی فرزند حسن", "Rezaei, Hossein Ali",
        "Hossein " * 50, "محمد" * 40]
    rng = random.Random(7)
    a = [rng.choice(names) for _ in range(600)]
    b = [rng.choice(names) for _ in range(600)]
    batch = name_similarity_batch(a, b)
    scalar = np.array([name_similarity(x, y).score for x, y in zip(a, b, strict=True)])
    flipped = np.array([name_similarity(y, x).score for x, y in zip(a, b, strict=True)])
    # Identical formula; the compiled Jaro-Winkler may differ from rapidfuzz's by float rounding.
    assert np.allclose(batch, scalar, atol=1e-9, rtol=0)
    assert np.allclose(scalar, flipped, atol=1e-12, rtol=0)
    assert ((batch >= 0) & (batch <= 1)).all()


def test_batch_handles_non_strings_and_empty() -> None:
    out = name_similarity_batch(["Ali", None, ""], ["Ali", "Ali", ""])  # type: ignore[list-item]
    assert out.tolist() == [1.0, 0.0, 0.0]
    assert name_similarity_batch([], []).shape == (0,)


def test_batch_length_mismatch_is_a_clear_error() -> None:
    with pytest.raises(InvalidValue):
        name_similarity_batch(["a"], [])


def test_levels() -> None:
    assert name_similarity("Hossein", "حسین").level == "exact"
    assert name_similarity("", "Hossein").level == "none"
    assert name_similarity("Hassan", "Hossein").level == "skeleton"
    assert name_similarity("Ali", "Reza").level == "weak"
    assert {name_similarity(a, b).level for a, b, _, _ in HAND} <= set(LEVELS)


def test_father_name_counts() -> None:
    same = name_similarity("Ali Tehrani son of Hasan", "علی تهرانی فرزند حسن").score
    other = name_similarity("Ali Tehrani son of Hasan", "علی تهرانی فرزند رضا").score
    assert same > other


def test_a_look_alike_attested_name_scores_below_a_spelling_variant() -> None:
    # Mahmoud and Mohammad are two names of the dictionary (محمود, محمد): with the same surname
    # the pair falls below CLOSE, while a spelling variant of محمد stays above it.
    variant = name_similarity("محمد رضایی", "Mohammed Rezaei").score
    other = name_similarity("محمد رضایی", "Mahmoud Rezaei").score
    assert other < CLOSE <= variant
    assert name_similarity("Mahmoud Rezaei", "Mohammad Rezaei").score < CLOSE
    # The penalty is for pairing two different names, so the swapped order still matches.
    assert name_similarity("رضایی محمد", "Mohammad Rezaei").score >= CLOSE


@pytest.mark.parametrize(("a", "b", "different"), [
    ("Mahmoud", "محمد", True),
    ("Mahmoud", "Mohammad", True),
    ("محمود", "محمد", True),
    ("Mina", "مونا", True),
    ("Mohammad Sadegh", "محمد", True),  # word by word: محمد + صادق
    ("Mariam", "مریم", False),  # one name, two spellings
    ("Mariam", "Maryam", False),
    ("Mohammd", "محمد", False),  # a typo is attested for no name: no evidence
    ("Hamid Reza", "حمیدرضا", False),
])
def test_distinct_names(a: str, b: str, different: bool) -> None:
    fa, fb = make_field(a), make_field(b)
    assert fa is not None and fb is not None
    assert distinct_names(fa, fb) is different
    assert distinct_names(fb, fa) is different


def test_compound_first_part_is_not_a_candidate_of_the_compound() -> None:
    # Wikidata aligns محمدعلی with "Mohammad"; such a candidate would make the compound equal
    # to its first part. A one-letter extension (Amin/Amina) is a different name, kept.
    assert _drop_heads(("mohamadali", "mohamad"), "mhmdl") == ("mohamadali",)
    assert _drop_heads(("mohamad", "mohamadali"), "mhmdl") == ("mohamadali",)
    assert _drop_heads(("amina", "amin"), "mn") == ("amina", "amin")
    assert _drop_heads(("hosein",), "hsn") == ("hosein",)
    # The other way round: غلام (q-l-m) aligned with "Gholamali" keeps "Gholam", the candidate
    # whose consonants are the token's; so a lone غلام is Gholam, not Gholamali.
    assert _drop_heads(("qolam", "qolamali"), "qlm") == ("qolam",)
    assert name_similarity("غلام خیابانی", "Gholam Khiabany").score == 1.0


def test_hamza_variant() -> None:
    assert _hamza_variant("قایمی") == "قائمی"
    assert _hamza_variant("مایده") == "مائده"
    assert _hamza_variant("ایمان") == ""  # word-initial ای is a vowel, not a hamza seat
    assert _hamza_variant("Hossein") == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Seyedhossein Rezaei", "Hossein Rezaei"),  # honorific glued to the given name
        ("سیدحسین رضایی", "Hossein Rezaei"),
        ("Seyyedali Tehrani", "سید علی تهرانی"),
        ("میرسعید مولویان", "Mir Saeed Molavian"),
        ("Seyedmojtaba Shojaei", "مجتبی شجاعی"),
        ("Ali Mahmodmansori", "Ali Mahmod Mansori"),  # compound surname glued vs apart
        ("علی محمودمنصوری", "Ali Mahmod Mansori"),
        ("علی محمود منصوری", "Ali Mahmodmansori"),
        ("Kazem al-Haeri", "کاظم حائری"),  # Arabic article before a Persian surname
        ("یعقوبعلی نظری", "Yaghoub Ali Nazari"),  # glued compound the dictionary reads as its head
        ("Shahrzad Mir Gholikhan", "شهرزاد میرقلی خان"),
    ],
)
def test_glued_and_apart_forms_match(a: str, b: str) -> None:
    assert name_similarity(a, b).score >= CLOSE
    assert name_similarity_batch([a], [b])[0] >= CLOSE


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Saeedhossein Rezaei", "Seyed Hossein Rezaei"),  # Saeed glued is not Seyyed
        ("Said Tehrani", "Seyed Tehrani"),
        ("سعید رضایی", "Seyed Rezaei"),
        ("Ali Hajizadeh", "Ali Zadeh"),  # Haji + -zadeh is a surname, not an honorific
    ],
)
def test_glued_honorific_rule_keeps_different_names_apart(a: str, b: str) -> None:
    assert name_similarity(a, b).score < CLOSE


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # The dictionary's only answer for the glued surname is its second part ("Barimanlou",
        # "Khanbanan"); with the head read back, given and surname are both equal: score 1.
        ("مجید وحیدبریمانلو", "Majid Vahid Barimanlou"),
        ("حامد ملکخانبانان", "Hamed Malek Khanbanan"),
        ("کامبیز صمیمیمفخم", "Kambiz Samimi Mofakham"),  # "Mofakham" fits by one edit
        # Equal given name and first surname, less the one-sided second surname penalty (0.05).
        ("حمید قاسمی", "Hamid Ghassemi-Shall"),
        ("Hamid Ghassemi", "Hamid Ghassemi-Shall"),
    ],
)
def test_one_sided_second_surname_glued_or_hyphenated_is_strong(a: str, b: str) -> None:
    assert name_similarity(a, b).score >= STRONG - 1e-9
    assert name_similarity_batch([a], [b])[0] >= STRONG - 1e-9


def test_hyphen_splits_two_surnames_but_not_a_surname_suffix() -> None:
    assert _hyphen_head("Hossein-Zadeh") == ("Hossein-Zadeh", "")
    assert _hyphen_head("Lackner-Gohari") == ("Lackner", "Gohari")
    assert _hyphen_head("Rezaei") == ("Rezaei", "")


def test_articles_are_dropped_only_before_a_surname() -> None:
    assert _drop_articles("Kazem al-Haeri") == "Kazem Haeri"
    assert _drop_articles("Al Sadiq") == "Sadiq"
    assert _drop_articles("Abd al-Rahman") == "Abd al-Rahman"  # part of the given name
    assert _drop_articles("Alavi") == "Alavi"


def test_kernel_gives_the_same_scores_with_wide_symbol_codes() -> None:
    # Candidates with more than 256 distinct letters get int32 symbol codes instead of uint8;
    # forcing the wide codes on the hand cases must not change a single score.
    from sabt.text._kernels import score_pairs
    from sabt.text.similarity import _Tables, kernel_params, name_rep

    names = [r[0] for r in HAND] + [r[1] for r in HAND]
    t = _Tables()
    parts = np.array([[t.field(r.given), t.field(r.family), t.field(r.father), t.field(r.whole),
                       t.field(r.family_head)] for r in map(name_rep, names)], dtype=np.int32)
    ftab, sym, n_sym, marks = t.arrays()
    assert sym.dtype == np.uint8
    params, atab = kernel_params(), t.names()
    ca = np.repeat(np.arange(len(names)), len(names))
    cb = np.tile(np.arange(len(names)), len(names))
    narrow = score_pairs(ca, cb, parts, ftab, sym, n_sym, marks, params, atab)
    wide = score_pairs(ca, cb, parts, ftab, sym.astype(np.int32), n_sym, marks, params, atab)
    assert np.array_equal(narrow, wide)


def test_batch_equals_scalar_around_the_64_letter_mask_width() -> None:
    # The kernel keeps match masks in 64-bit words and searches directly above 64 letters:
    # random Latin names of 40-94 letters (whole name, 64 among them) cross that edge.
    rng = random.Random(3)
    syllables = ["ba", "ro", "mi", "ka", "de", "su", "ta", "ne", "fa", "lo", "ri", "ze"]
    names = []
    for _ in range(60):
        words = [
            "".join(rng.choice(syllables) for _ in range(rng.randint(3, 7)))
            for _ in range(rng.randint(5, 8))
        ]
        names.append(" ".join(words))
    a = [rng.choice(names) for _ in range(300)]
    b = [rng.choice(names) for _ in range(300)]
    scalar = np.array([name_similarity(x, y).score for x, y in zip(a, b, strict=True)])
    assert np.allclose(name_similarity_batch(a, b), scalar, atol=1e-9, rtol=0)


def test_prepared_names_survive_json_and_score_as_their_texts() -> None:
    import json

    cases = _hand_cases()[:40]
    names = [n for a, b, *_ in cases for n in (a, b)] + [
        "Maryam Ghassemi-Shall", "Mohammad Sadegh Karimi", "علی فرزند حسن کریمی", ""]
    for name in names:
        rep = name_rep(name)
        assert rep_from_plain(json.loads(json.dumps(rep_to_plain(rep)))) == rep, name
    for a, b, *_ in cases:
        assert rep_similarity(name_rep(a), name_rep(b)) == name_similarity(a, b), (a, b)
    for bad in ([None] * 4, [["k", "not a list", "s", []], None, None, None, None], "x"):
        with pytest.raises(InvalidValue):
            rep_from_plain(bad)
