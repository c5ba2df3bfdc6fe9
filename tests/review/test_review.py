"""The review queue: order by person, claims between reviewers, skip and undo, the explanation."""

from __future__ import annotations

import math

import pytest

from sabt.errors import Forbidden, InvalidValue
from sabt.link.review import order_for_review
from sabt.link.workspace import ReviewItem
from sabt.service import Workspace


def test_pairs_of_one_person_come_together_and_skipped_ones_last() -> None:
    items = [ReviewItem(1, 2, 0.5), ReviewItem(7, 8, 0.6), ReviewItem(2, 3, 0.15),
             ReviewItem(3, 4, 0.4, skipped=True), ReviewItem(8, 9, 0.12)]
    order = [(i.record_l, i.record_r) for i in order_for_review(items)]
    # the group {7, 8, 9} holds the strongest pair, so it comes first, whole; then {1, 2, 3};
    # the skipped pair (3, 4) after every pair not skipped
    assert order == [(7, 8), (8, 9), (1, 2), (2, 3), (3, 4)]


def test_two_reviewers_are_never_served_the_same_pair(reviewed: Workspace) -> None:
    one, two = reviewed.actor("rev1"), reviewed.actor("rev2")
    first, second = reviewed.review.next(one), reviewed.review.next(two)
    assert first is not None and second is not None
    pair = (first.item.record_l, first.item.record_r)
    assert pair != (second.item.record_l, second.item.record_r)
    assert reviewed.review.state(two).held_by_others >= 1
    # the same reviewer asking again keeps their pair (their claim is renewed, not lost)
    again = reviewed.review.next(one)
    assert again is not None and (again.item.record_l, again.item.record_r) == pair


def test_a_decided_pair_cannot_be_decided_again_until_undone(reviewed: Workspace) -> None:
    one, two = reviewed.actor("rev1"), reviewed.actor("rev2")
    card = reviewed.review.next(one)
    assert card is not None
    left, right = card.item.record_l, card.item.record_r
    number = reviewed.review.decide(one, left, right, "non-match")
    with pytest.raises(InvalidValue, match="already decided"):
        reviewed.review.decide(two, left, right, "match")
    pair = (left, right)
    assert all((i.record_l, i.record_r) != pair for i in reviewed.linkage.queue(two))
    reviewed.review.undo(one, number)
    assert any((i.record_l, i.record_r) == pair for i in reviewed.linkage.queue(two))
    assert reviewed.review.state(one).recent[0].undone


def test_skipped_pairs_come_back_after_the_rest(reviewed: Workspace) -> None:
    one = reviewed.actor("rev1")
    before = reviewed.review.state(one)
    card = reviewed.review.next(one)
    assert card is not None
    reviewed.review.decide(one, card.item.record_l, card.item.record_r, "skip")
    queue = reviewed.linkage.queue(one)
    assert queue[-1].skipped and (queue[-1].record_l, queue[-1].record_r) == (
        card.item.record_l, card.item.record_r)
    after = reviewed.review.state(one)
    assert (after.waiting, after.skipped) == (before.waiting - 1, before.skipped + 1)


def test_the_explanation_adds_up_and_names_the_differences(reviewed: Workspace) -> None:
    card = reviewed.review.next(reviewed.actor("rev2"))
    assert card is not None and card.why is not None, card and card.why_missing
    why = card.why
    assert why.comparisons and all(c.level for c in why.comparisons)
    total = why.prior_weight + sum(c.match_weight for c in why.comparisons)
    assert why.match_weight == pytest.approx(total)
    assert why.probability == pytest.approx(1 / (1 + 2 ** -total))
    # without name-frequency adjustments the re-scored probability differs from the run's
    # only by those adjustments: the log-odds agree within a few bits
    stored = math.log2(card.item.probability / (1 - card.item.probability))
    assert abs(stored - why.match_weight) < 4
    shown = {d.field for d in card.differences}
    for name in set(card.left["fields"]) | set(card.right["fields"]):
        a, b = card.left["fields"].get(name), card.right["fields"].get(name)
        if a not in (None, "") and not name.endswith(("_fd", "_num")):
            assert name in shown
            if str(a).strip() != str(b or "").strip():
                assert not next(d for d in card.differences if d.field == name).same


def test_a_viewer_cannot_review(reviewed: Workspace) -> None:
    with pytest.raises(Forbidden):
        reviewed.review.next(reviewed.actor("vi"))


def test_names_in_persian_script_are_also_shown_in_latin_letters() -> None:
    from sabt.link.review import differences

    rows = {d.field: d for d in differences(
        {"given_name": "حسین", "sex": "مرد", "family_name": "Rezaei"},
        {"given_name": "Hossein", "family_name": "رضایی"})}
    assert rows["given_name"].left_latin.lower().startswith("ho")     # Hosein / Hossein
    assert rows["given_name"].right_latin == ""                       # already Latin
    assert rows["family_name"].right_latin.lower().startswith("reza")
    assert rows["sex"].left_latin == ""                               # not a name
