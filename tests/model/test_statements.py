"""Values, quantity parsing and the current-view rule (pure)."""

import pytest

from sabt.errors import InvalidValue
from sabt.model.dates import FuzzyDate
from sabt.model.parse import parse_quantity, parse_value
from sabt.model.statements import (
    Confidence,
    EntityRef,
    Locator,
    Quantity,
    QuantityQualifier,
    Rank,
    Reference,
    Statement,
    Status,
    Text,
    current_view,
    value_from_json,
    value_to_json,
)


@pytest.mark.parametrize(
    ("text", "low", "high", "qualifier", "shown"),
    [
        ("30000", 30000, None, QuantityQualifier.EXACT, "30,000"),
        ("2,800-5,000", 2800, 5000, QuantityQualifier.RANGE, "2,800–5,000"),
        ("2800|3800", 2800, 3800, QuantityQualifier.OR, "2,800 or 3,800"),
        ("over 30,000", 30000, None, QuantityQualifier.AT_LEAST, "at least 30,000"),
        ("4000+", 4000, None, QuantityQualifier.AT_LEAST, "at least 4,000"),
        ("<=5000", None, 5000, QuantityQualifier.UP_TO, "up to 5,000"),
        ("~5000", 5000, None, QuantityQualifier.ABOUT, "about 5,000"),
    ],
)
def test_parse_quantity(text: str, low: float | None, high: float | None,
                        qualifier: QuantityQualifier, shown: str) -> None:
    q = parse_quantity(text)
    assert (q.low, q.high, q.qualifier) == (low, high, qualifier)
    assert str(q) == shown


@pytest.mark.parametrize("bad", ["", "many", "5000-2800", "-3"])
def test_bad_quantities_are_clear_errors(bad: str) -> None:
    with pytest.raises(InvalidValue):
        parse_quantity(bad)


@pytest.mark.parametrize(
    "value",
    [Text("حسین‌علی منتظری", "fa"), Quantity(2800, 3800, QuantityQualifier.OR),
     FuzzyDate("1988-07/1988-09", "July-September 1988"), EntityRef("O12")],
)
def test_value_json_round_trip(value: object) -> None:
    assert value_from_json(value_to_json(value)) == value  # type: ignore[arg-type]


def test_parse_value_rejects_unknown_type() -> None:
    with pytest.raises(InvalidValue):
        parse_value("colour", "red")
    with pytest.raises(InvalidValue):
        value_from_json({"type": "entity", "id": "!"})


def _st(sid: int, value: str, confidence: str = "medium", rank: str = "normal",
        refs: int = 0, status: str = "active", prop: str = "name") -> Statement:
    return Statement(sid, "P1", prop, Text(value), {},
                     tuple(Reference("S1", Locator(row=i)) for i in range(refs)),
                     Confidence(confidence), Rank(rank), Status(status), 1)


def test_view_prefers_confidence_then_references_then_age() -> None:
    view = current_view([_st(1, "a", "low"), _st(2, "b", "high"), _st(3, "c", "high", refs=2)])
    (pv,) = view
    assert pv.best.id == 3 and [s.id for s in pv.candidates] == [3, 2, 1] and pv.conflict


def test_preferred_rank_wins_and_deprecated_or_retracted_never_enter() -> None:
    view = current_view([_st(1, "a", "high", refs=3), _st(2, "b", "low", rank="preferred"),
                         _st(3, "c", rank="deprecated"), _st(4, "d", status="retracted")])
    (pv,) = view
    assert pv.best.id == 2 and [s.id for s in pv.candidates] == [2] and not pv.conflict


def test_one_name_in_two_scripts_is_not_a_conflict() -> None:
    persian = Statement(1, "P1", "name", Text("حسینعلی منتظری", "fa"), {}, (),
                        Confidence.MEDIUM, Rank.NORMAL, Status.ACTIVE, 1)
    latin = Statement(2, "P1", "name", Text("Hossein-Ali Montazeri", "en"), {}, (),
                      Confidence.MEDIUM, Rank.NORMAL, Status.ACTIVE, 1)
    other = Statement(3, "P1", "name", Text("Ali Montazeri", "en"), {}, (),
                      Confidence.MEDIUM, Rank.NORMAL, Status.ACTIVE, 1)
    assert not current_view([persian, latin])[0].conflict
    assert current_view([persian, latin, other])[0].conflict


def test_agreeing_statements_are_not_a_conflict() -> None:
    (pv,) = current_view([_st(1, "same"), _st(2, "same", refs=1)])
    assert not pv.conflict and pv.best.id == 2
