"""Precision and recall of the extractors against hand-annotated gold spans.

Matching is one-to-one and greedy in text order. A prediction matches a gold item of the same
kind when their character spans overlap and:
- claims: ``low``, ``high`` and ``qualifier`` are equal (``counted`` is scored separately as
  the share of matched claims whose ``counted`` is also right);
- quotes: the speakers agree — after lower-casing and dropping determiners ("the", "several")
  and a possessive, one is the other or contains it as whole words ("Terzi" ~ "Giulio Terzi");
- dates: the EDTF is equal;
- mentions: the predicted ``entity_id`` is one of the gold ``entity_ids``; candidate mentions
  (no entity id) are not scored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sabt.extract import Extraction

KINDS = ("claims", "quotes", "dates", "mentions")


@dataclass
class Score:
    """Counts for one kind; precision/recall are 1.0 when there is nothing to find or predict."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    extra_ok: int = 0  # claims: matched with the right `counted`

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.extra_ok += other.extra_ok


def _norm_speaker(name: str | None) -> str:
    text = (name or "").lower().strip()
    text = re.sub(r"[’']s\b", "", text)
    text = re.sub(r"^(?:the|a|an|several|some|his|her|its|their)\s+", "", text)
    return re.sub(r"\s+", " ", text).strip(" ,.")


def speakers_agree(a: str | None, b: str | None) -> bool:
    """Whether two speaker strings name the same speaker (see the module docstring)."""
    x, y = _norm_speaker(a), _norm_speaker(b)
    if not x or not y:
        return False
    return x == y or f" {x} " in f" {y} " or f" {y} " in f" {x} "


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return int(a["start"]) < int(b["end"]) and int(b["start"]) < int(a["end"])


_AGREE: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], bool]] = {
    "claims": lambda g, p: (g["low"], g["high"], g["qualifier"])
    == (p["low"], p["high"], p["qualifier"]),
    "quotes": lambda g, p: speakers_agree(g["speaker"], p["speaker"]),
    "dates": lambda g, p: g["edtf"] == p["edtf"],
    "mentions": lambda g, p: p["entity_id"] in g["entity_ids"],
}


def score_kind(kind: str, gold: Sequence[Mapping[str, Any]],
               predicted: Sequence[Mapping[str, Any]]) -> tuple[Score, list[str]]:
    """Score one kind in one text; also returns a line per miss, for debugging."""
    if kind == "mentions":
        predicted = [p for p in predicted if p.get("entity_id")]
    used: set[int] = set()
    score = Score()
    misses: list[str] = []
    for g in gold:
        hit = next((i for i, p in enumerate(predicted)
                    if i not in used and _overlap(g, p) and _AGREE[kind](g, p)), None)
        if hit is None:
            score.fn += 1
            misses.append(f"missed {kind[:-1]}: {g}")
            continue
        used.add(hit)
        score.tp += 1
        if kind == "claims" and predicted[hit].get("counted") == g.get("counted"):
            score.extra_ok += 1
    for i, p in enumerate(predicted):
        if i not in used:
            score.fp += 1
            misses.append(f"spurious {kind[:-1]}: {p}")
    return score, misses


def score_text(gold: Mapping[str, Any], extraction: Extraction) -> tuple[dict[str, Score],
                                                                          list[str]]:
    """Scores of every kind for one annotated text."""
    predicted = extraction.to_json()
    scores: dict[str, Score] = {}
    misses: list[str] = []
    for kind in KINDS:
        scores[kind], kind_misses = score_kind(kind, gold[kind], predicted[kind])
        misses.extend(kind_misses)
    return scores, misses
