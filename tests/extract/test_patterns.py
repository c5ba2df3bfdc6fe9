"""Unit tests of the extractors, one pattern each (English and Persian)."""

from __future__ import annotations

import pytest

from sabt.extract import extract
from sabt.extract.claims import extract_claims
from sabt.extract.dates import extract_dates
from sabt.extract.mentions import Gazetteer, extract_mentions
from sabt.extract.numbers import parse_number
from sabt.extract.quotes import claimant_for, extract_quotes


@pytest.mark.parametrize(("text", "value"), [
    ("30,000", 30000), ("4672", 4672), ("۶۵۸", 658), ("۱٬۸۷۹", 1879), ("five thousand", 5000),
    ("a thousand", 1000), ("twenty-five", 25), ("دوازده هزار", 12000), ("سی هزار", 30000),
    ("چهار هزار و پانصد", 4500), ("3 thousand", 3000),
])
def test_numbers(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(("text", "span", "low", "high", "qualifier", "counted"), [
    ("Over 30,000 people were killed.", "Over 30,000", 30000, None, "over", "killed"),
    ("at least 4,000-5,000 people secretly buried", "at least 4,000-5,000", 4000, 5000, "range",
     "buried"),
    ("executed between 2,800 and 5,000 political prisoners", "between 2,800 and 5,000", 2800,
     5000, "range", "executed"),
    ("they executed 2,800 or 3,800 women and men", "2,800 or 3,800", 2800, 3800, "or",
     "executed"),
    ("thousands of prisoners were executed", "thousands", None, None, "unknown", "executed"),
    ("about 20 supporters were reported executed", "about 20", 20, 20, "about", "executed"),
    ("up to 30,000 deaths", "up to 30,000", None, 30000, "up_to", "killed"),
    ("از ۶۵۸ نفر تا بیش از دوازده هزار نفر اعدام شدند", "از ۶۵۸ نفر تا بیش از دوازده هزار",
     658, 12000, "range", "executed"),
    ("حداقل نزدیک به پنج هزار زندانی سیاسی قتل عام شدند", "حداقل نزدیک به پنج هزار", 5000,
     None, "at_least", "killed"),
    ("هزاران زندانی اعدام شدند", "هزاران", None, None, "unknown", "executed"),
    ("بیش از ۳۰٬۰۰۰ زندانی سیاسی اعدام شدند", "بیش از ۳۰٬۰۰۰", 30000, None, "over", "executed"),
])
def test_claim_patterns(text: str, span: str, low: int | None, high: int | None,
                        qualifier: str, counted: str) -> None:
    claims = extract_claims(text)
    assert len(claims) == 1, claims
    claim = claims[0]
    assert (claim.text, claim.low, claim.high, claim.qualifier, claim.counted) == \
        (span, low, high, qualifier, counted)
    assert text[claim.start:claim.end] == span


@pytest.mark.parametrize("text", [
    "The 1988 massacre was condemned.",
    "a letter by seven UN Special Rapporteurs",
    "120 confirmed and suspected mass grave sites",
    "in 32 cities prisoners were questioned",
    "در سال ۱۳۶۷ زندانیان اعدام شدند",
    "In 2019, 300 people protested in Tehran.",
    "هزاران نفر در تهران تظاهرات کردند.",
])
def test_numbers_that_are_not_tolls(text: str) -> None:
    assert extract_claims(text) == []


def test_quote_speaker_patterns() -> None:
    text = ("“It was a crime,” Rafizadeh said. Amnesty International called it “a momentous "
            "breakthrough”. Diana Eltahawy, who called it “a turning point”, spoke in London. "
            "He wrote: The time has come to act and “unify” the world.” "
            "“We will not forget”, according to the families.")
    quotes = [(q.text, q.speaker) for q in extract_quotes(text)]
    assert quotes == [
        ("It was a crime,", "Rafizadeh"),
        ("a momentous breakthrough", "Amnesty International"),
        ("a turning point", "Diana Eltahawy"),
        ("The time has come to act and “unify” the world.", "Diana Eltahawy"),
        ("We will not forget", "families"),
    ]


def test_scare_quotes_without_a_speaker_are_not_quotes() -> None:
    assert extract_quotes("Prisoners faced the so-called “Death Commissions” in Evin.") == []


def test_persian_quotes() -> None:
    text = ("به گفته عفو بین‌الملل، «هزاران نفر اعدام شدند». جاوید رحمان، گزارشگر ویژه، گفت: "
            "«باید بررسی شود.» خانواده‌ها این حکم را «گامی به سوی عدالت» خواندند.")
    assert [(q.text, q.speaker) for q in extract_quotes(text)] == [
        ("هزاران نفر اعدام شدند", "عفو بین‌الملل"),
        ("باید بررسی شود.", "جاوید رحمان"),
        ("گامی به سوی عدالت", "خانواده‌ها"),
    ]


@pytest.mark.parametrize(("text", "span", "edtf"), [
    ("On 31 July 1988 he wrote", "31 July 1988", "1988-07-31"),
    ("July 31, 1988", "July 31, 1988", "1988-07-31"),
    ("between July and early September 1988", "between July and early September 1988",
     "1988-07/1988-09"),
    ("in the 1980s", "1980s", "1980/1989"),
    ("the greatest crime of the 20th century", "20th century", "1901/2000"),
    ("در ۹ مرداد ۱۳۶۷ اعدام شد", "۹ مرداد ۱۳۶۷", "1988-07-31"),
    ("در مرداد و شهریور ۱۳۶۷", "مرداد و شهریور ۱۳۶۷", "1988-07-23/1988-09-22"),
    ("در ژوئیه ۱۹۸۸", "ژوئیه ۱۹۸۸", "1988-07"),
    ("Between 1981 and 1988 the regime", "Between 1981 and 1988", "1981/1988"),
])
def test_date_patterns(text: str, span: str, edtf: str) -> None:
    dates = extract_dates(text)
    assert [(d.text, d.edtf) for d in dates] == [(span, edtf)]


def test_a_toll_figure_is_not_also_a_year() -> None:
    result = extract("the names of over 2000 alleged victims")
    assert [c.low for c in result.claims] == [2000] and result.dates == []


def test_mentions_in_both_scripts_and_surnames() -> None:
    gazetteer = Gazetteer()
    gazetteer.add("PER02", "person", ["Hossein-Ali Montazeri", "حسینعلی منتظری"])
    gazetteer.add("PER03", "person", ["Ahmad Montazeri", "احمد منتظری"])
    gazetteer.add("PER01", "person", ["Ruhollah Khomeini", "روح‌الله خمینی"])
    text = ("Hossein-Ali Montazeri wrote to Khomeini; later Montazeri was removed. "
            "حسينعلي منتظري نامه نوشت.")  # Arabic ي in the Persian spelling
    found = [(m.text, m.entity_id) for m in extract_mentions(text, gazetteer, candidates=False)]
    assert found == [("Hossein-Ali Montazeri", "PER02"), ("Khomeini", "PER01"),
                     ("Montazeri", "PER02"), ("حسينعلي منتظري", "PER02")]
    ambiguous = extract_mentions("Montazeri spoke.", gazetteer, candidates=False)
    assert ambiguous == []


def test_candidates_are_unknown_capitalised_names() -> None:
    found = extract_mentions("The Italian minister Giulio Terzi wrote about it.")
    assert [(m.text, m.entity_id) for m in found] == [("Giulio Terzi", None)]


@pytest.mark.parametrize(("text", "claimant"), [
    ("Over 30,000 people were killed in 1988, according to the NCRI.", "NCRI"),
    ("According to Amnesty International, at least 2,000 prisoners were executed.",
     "Amnesty International"),
    ("Human Rights Watch wrote that the authorities executed 2,800 to 5,000 prisoners.",
     "Human Rights Watch"),
    ("In his memoirs Montazeri wrote that they executed 2,800 or 3,800 women and men.",
     "Montazeri"),
    ("بنا بر گزارش عفو بین‌الملل، دست‌کم ۴۵۰۰ زندانی سیاسی اعدام شدند.", "عفو بین‌الملل"),
    ("Over 30,000 people were killed.", None),
])
def test_claimant_of_a_figure(text: str, claimant: str | None) -> None:
    claim = extract_claims(text)[0]
    assert claimant_for(text, claim.start, claim.end) == claimant


@pytest.mark.parametrize(("text", "quote", "speaker"), [
    ("Philip Luther spoke in London. “These were crimes against humanity,” he said.",
     "These were crimes against humanity,", "Philip Luther"),
    ('"They lied to us," a mother of one victim told AFP.', "They lied to us,",
     "mother of one victim"),
    ("Raisi denied any role, saying he had “never been a judge” at the time.",
     "never been a judge", "Raisi"),
    ("The UN expert told reporters that “impunity must end”.", "impunity must end",
     "UN expert"),
    ("«این جنایت فراموش نمی‌شود» این جمله را مادر یکی از قربانیان گفت.",
     "این جنایت فراموش نمی‌شود", "مادر یکی از قربانیان"),
    ("وزیر دادگستری در مصاحبه‌ای اعلام کرد که «پرونده بسته شده است».", "پرونده بسته شده است",
     "وزیر دادگستری"),
])
def test_more_speaker_patterns(text: str, quote: str, speaker: str) -> None:
    assert [(q.text, q.speaker) for q in extract_quotes(text)] == [(quote, speaker)]
