"""Sentence and paragraph boundaries as character offsets (English and Persian).

A sentence ends at ``.``, ``!``, ``?`` or ``؟`` (optionally followed by closing quotes or
brackets) before whitespace, unless the word before the full stop is a known abbreviation
("Dr.", "U.N."); a line break always ends a sentence. Offsets refer to the original text.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "gen", "col", "lt", "no",
                  "vs", "etc", "e.g", "i.e", "u.s", "u.n", "u.k", "inc", "co", "ltd", "rev"}
_END = re.compile(r"[.!?؟]+[\"'”’»″)\]]*(?=\s)|\n+")


@lru_cache(maxsize=64)
def sentences(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of every sentence, in order; together they cover the text."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        if match.group(0)[0] == ".":
            word = re.search(r"([\w.]+)$", text[start:match.start()])
            if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return tuple(spans)


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """The (start, end) of the sentence that holds offset ``pos``."""
    spans = sentences(text)
    if not spans:
        return 0, len(text)
    index = bisect.bisect_right([s for s, _ in spans], pos) - 1
    return spans[max(index, 0)]


def sentence_index(text: str, pos: int) -> int:
    """The index of the sentence that holds offset ``pos``."""
    spans = sentences(text)
    return max(bisect.bisect_right([s for s, _ in spans], pos) - 1, 0)
