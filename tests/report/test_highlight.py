"""Marking quotes in a source's text: offsets when they hold, else the quote found in the text,
spacing aside; quotes that are nowhere are reported, not guessed. SYNTHETIC text."""

from __future__ import annotations

from sabt.report.highlight import Quoted, segments

TEXT = "SYNTHETIC report.  The commission met in   Evin on 28 July.  حسین رضایی اعدام شد."


def _marked(text: str, quotes: list[Quoted]) -> list[str]:
    return [s.text for s in segments(text, quotes)[0] if s.marked]


def test_offsets_that_hold_are_used_and_others_fall_back_to_the_text() -> None:
    start = TEXT.index("The commission")
    good = Quoted("The commission met", start, start + len("The commission met"), "#1")
    wrong = Quoted("حسین رضایی", 0, 5, "#2")          # offsets point elsewhere
    assert _marked(TEXT, [good, wrong]) == ["The commission met", "حسین رضایی"]


def test_spacing_differences_are_forgiven_and_missing_quotes_reported() -> None:
    parts, missing = segments(TEXT, [Quoted("met in Evin", label="#3"),
                                     Quoted("not in the text", label="#4")])
    assert [s.text for s in parts if s.marked] == ["met in   Evin"]
    assert [q.label for q in missing] == ["#4"]
    assert "".join(s.text for s in parts) == TEXT        # nothing lost or repeated


def test_overlapping_quotes_are_one_mark_with_both_labels() -> None:
    parts, _ = segments(TEXT, [Quoted("commission met", label="#5"),
                               Quoted("met in", label="#6")])
    marked = [s for s in parts if s.marked]
    assert [s.text for s in marked] == ["commission met in"]
    assert marked[0].labels == ("#5", "#6")
