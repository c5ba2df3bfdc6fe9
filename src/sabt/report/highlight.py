"""A source's text cut into segments with the quoted spans marked: pure.

A reference quotes a source and may give the quote's character offsets. The offsets are used
when the text there is the quote (after trimming); otherwise the quote is looked up in the
text, first exactly, then ignoring differences of spacing; a quote found nowhere is reported
as not found rather than marked in the wrong place. Overlapping spans are merged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Quoted:
    """A quote to mark: the text, its offsets when the reference gave them, and a label (for
    example the statement it supports)."""

    quote: str
    start: int | None = None
    end: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool
    labels: tuple[str, ...] = ()


def _spacing_free(quote: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in quote.split()]
    return re.compile(r"\s+".join(words))


def locate(text: str, quote: Quoted) -> tuple[int, int] | None:
    """Where the quote is in the text (offsets), or None when it is not there."""
    wanted = quote.quote.strip()
    if not wanted:
        return None
    if quote.start is not None and quote.end is not None and \
            text[quote.start:quote.end].strip() == wanted:
        return quote.start, quote.end
    at = text.find(wanted)
    if at >= 0:
        return at, at + len(wanted)
    found = _spacing_free(wanted).search(text)
    return (found.start(), found.end()) if found else None


def segments(text: str, quotes: Sequence[Quoted]) -> tuple[list[Segment], list[Quoted]]:
    """The text as plain and marked segments, and the quotes that were not found."""
    spans: list[tuple[int, int, str]] = []
    missing = []
    for q in quotes:
        where = locate(text, q)
        if where is None:
            missing.append(q)
        else:
            spans.append((*where, q.label))
    spans.sort()
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, label in spans:
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), [*last[2], label])
        else:
            merged.append((start, end, [label]))
    out: list[Segment] = []
    at = 0
    for start, end, labels in merged:
        if start > at:
            out.append(Segment(text[at:start], False))
        out.append(Segment(text[start:end], True, tuple(x for x in labels if x)))
        at = end
    if at < len(text):
        out.append(Segment(text[at:], False))
    return out, missing
