"""parse_name: father's-name markers, honorifics, compounds, suffixes, surname-first order."""

from __future__ import annotations

import pytest

from sabt.text import name_key, parse_name
from sabt.text.names import strip_glued_honorific

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("full", "given", "family", "father", "honorifics", "surname_first"),
    [
        ("Hossein Rezaei", "Hossein", "Rezaei", "", (), False),
        ("Seyyed Hossein Rezaei", "Hossein", "Rezaei", "", ("Seyyed",), False),
        ("Sayed Ali Tehrani son of Mohammad", "Ali", "Tehrani", "Mohammad", ("Sayed",), False),
        ("Fatemeh Karimi daughter of Ali", "Fatemeh", "Karimi", "Ali", (), False),
        ("Ali Tehrani s/o Hasan", "Ali", "Tehrani", "Hasan", (), False),
        ("Fatemeh Rezaei (d/o Ali)", "Fatemeh", "Rezaei", "Ali", (), False),
        ("سید حسین رضایی فرزند محمد", "حسین", "رضایی", "محمد", ("سید",), False),
        ("حاج علی تهرانی", "علی", "تهرانی", "", ("حاج",), False),
        ("Haj Sheikh Ali Tehrani", "Ali", "Tehrani", "", ("Haj", "Sheikh"), False),
        ("Said Rezaei", "Said", "Rezaei", "", (), False),  # Said is a given name, not Seyyed
        ("سعید رضایی", "سعید", "رضایی", "", (), False),
        ("Rezaei, Hossein", "Hossein", "Rezaei", "", (), True),
        ("Rezaei Seyed Hossein", "Hossein", "Rezaei", "", ("Seyed",), True),
        # Mir in the middle starts a surname (میرقلی‌خان), not "Surname Mir Given" order.
        ("Shahrzad Mir Gholikhan", "Shahrzad", "Mir Gholikhan", "", (), False),
        ("Rezaei Hossein", "Hossein", "Rezaei", "", (), True),  # lexicon: Rezaei is a surname
        ("Hossein Ali Rezaei", "Hossein Ali", "Rezaei", "", (), False),
        ("Hossein-Ali Rezaei", "Hossein-Ali", "Rezaei", "", (), False),
        ("Gholam Reza Hossein Zadeh", "Gholam Reza", "Hossein Zadeh", "", (), False),
        ("حسین علی رضایی", f"حسین{ZWNJ}علی", "رضایی", "", (), False),
        ("Mir Hossein Mousavi", "Hossein", "Mousavi", "", ("Mir",), False),
        ("Nasr Allah Tehrani", "Nasr Allah", "Tehrani", "", (), False),
        ("Abd al-Rahman Qasemlou", "Abd al-Rahman", "Qasemlou", "", (), False),
        ("Zahra", "Zahra", "", "", (), False),
    ],
)
def test_parse_name(full: str, given: str, family: str, father: str,
                    honorifics: tuple[str, ...], surname_first: bool) -> None:
    p = parse_name(full)
    assert (p.given, p.family, p.father, p.honorifics, p.surname_first) == (
        given, family, father, honorifics, surname_first)
    assert p.original == full


def test_compound_written_four_ways_has_one_key() -> None:
    forms = ["Hossein-Ali Rezaei", "Hosseinali Rezaei", "Hossein Ali Rezaei"]
    assert len({name_key(parse_name(f).given) for f in forms}) == 1
    persian = ["حسینعلی رضایی", f"حسین{ZWNJ}علی رضایی", "حسین علی رضایی"]
    assert len({name_key(parse_name(f).given) for f in persian}) == 1


def test_mohammad_is_not_merged_into_mohammadi() -> None:
    p = parse_name("Mohammad Mohammadi")
    assert (p.given, p.family) == ("Mohammad", "Mohammadi")


@pytest.mark.parametrize("bad", ["", "   ", "123", "Seyyed", "((", "son of", "فرزند"])
def test_parse_name_degenerate_input(bad: str) -> None:
    p = parse_name(bad)
    assert p.original == bad
    assert isinstance(p.given, str) and isinstance(p.family, str)


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("سیدحسین", "حسین"),
        ("میرحسین موسوی", "حسین موسوی"),
        ("سیدعباسی", "عباسی"),  # a surname: Davoud Seyed Abbasi = داوود سیدعباسی
        ("Seyedhossein", "hossein"),
        ("Seyyedali", "ali"),
        ("Sayyidali", "ali"),
        ("Seyedmojtaba Shojaei", "mojtaba Shojaei"),
        ("Mirsaeed", "saeed"),
        ("Sheikhahmad", "ahmad"),
        # Not an honorific: Said/Saeed is a given name, and a rest that is no name keeps the
        # token whole (Miranda, Mirza, -zadeh is a suffix, not a name).
        ("Saeedhossein", ""),
        ("سعیدحسین", ""),
        ("Miranda", ""),
        ("میراندا", ""),
        ("Mirza", ""),
        ("Hajizadeh", ""),
        ("حاجیزاده", ""),
        ("Mohammad", ""),
        ("", ""),
    ],
)
def test_strip_glued_honorific(text: str, bare: str) -> None:
    assert strip_glued_honorific(text) == bare


def test_surname_suffix_does_not_swallow_the_given_name() -> None:
    # a detached suffix continues the surname, never the only given name before it
    cases = {
        "Hadi Nejad": ("Hadi", "Nejad"),
        "Ali Hossein Zadeh": ("Ali", "Hossein Zadeh"),
        "علی عباس زاده": ("علی", "عباس\u200cزاده"),   # not the compound علی‌عباس + زاده
        "شهید سید جواد آبادی": ("جواد", "آبادی"),
        "Hossein Zadeh, Ali": ("Ali", "Hossein Zadeh"),
    }
    for text, (given, family) in cases.items():
        parsed = parse_name(text)
        assert (parsed.given, parsed.family) == (given, family), text


def test_father_marker_is_a_word_not_part_of_a_name() -> None:
    # ولد ("son of") inside a surname (ولدبیگی) is not a father's-name clause
    parsed = parse_name("زینب ولدبیگی")
    assert (parsed.given, parsed.family, parsed.father) == ("زینب", "ولدبیگی", "")
    parsed = parse_name("حسن رضایی ولد محمد")
    assert (parsed.given, parsed.family, parsed.father) == ("حسن", "رضایی", "محمد")


def test_sayyida_and_seyd_are_honorifics() -> None:
    parsed = parse_name("Sayyida Mina Karimi")
    assert (parsed.given, parsed.family, parsed.honorifics) == ("Mina", "Karimi", ("Sayyida",))
    parsed = parse_name("Seyd Mehdi Tabrizi")
    assert (parsed.given, parsed.family, parsed.honorifics) == ("Mehdi", "Tabrizi", ("Seyd",))
