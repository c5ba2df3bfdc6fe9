"""Precision and recall against hand-annotated gold (two seed articles + eight texts of our own).

The gold spans in tests/data/extract/gold.json were written by reading the texts (see
build_gold.py there: substrings and occurrence numbers typed by hand, offsets computed). The
targets from issue #7 are asserted: precision and recall ≥ 0.9 for toll claims and quotes, on
the seed articles and on all texts together. Dates and mentions are asserted at the level they
reach today (a drop is a regression), and the per-kind table is printed for docs/extract.md.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sabt.extract import extract
from sabt.extract.claims import extract_claims
from sabt.extract.evaluate import KINDS, Score, score_text
from sabt.extract.mentions import Gazetteer

DATA = Path(__file__).parents[1] / "data" / "extract"


def _gazetteer() -> Gazetteer:
    gazetteer = Gazetteer()
    for entity in json.loads((DATA / "gazetteer_case1988.json").read_text("utf-8"))["entities"]:
        gazetteer.add(entity["id"], entity["kind"], entity["names"])
    return gazetteer


def _subset(name: str) -> str:
    """seeds (the two articles), blind (written and annotated after tuning, run once), own."""
    return "seeds" if name[0].isdigit() else "blind" if name.startswith("blind") else "own"


def _scores(subset: str | None) -> dict[str, Score]:
    gold = json.loads((DATA / "gold.json").read_text("utf-8"))["texts"]
    gazetteer = _gazetteer()
    totals = {kind: Score() for kind in KINDS}
    for name, annotation in gold.items():
        if subset is not None and _subset(name) != subset:
            continue
        text = (DATA / name).read_text("utf-8")
        for gold_item in (g for kind in KINDS for g in annotation[kind]):
            assert text[gold_item["start"]:gold_item["end"]] == gold_item["text"]
        scores, _misses = score_text(annotation, extract(text, gazetteer))
        for kind in KINDS:
            totals[kind].add(scores[kind])
    return totals


def _table(title: str, scores: dict[str, Score]) -> str:
    lines = [f"{title}", "| kind | gold | predicted | TP | precision | recall |",
             "|---|---|---|---|---|---|"]
    for kind, s in scores.items():
        lines.append(f"| {kind} | {s.tp + s.fn} | {s.tp + s.fp} | {s.tp} | "
                     f"{s.precision:.2f} | {s.recall:.2f} |")
    return "\n".join(lines)


@pytest.mark.parametrize("subset", ["seeds", "own", "blind", None])
def test_claims_and_quotes_reach_the_target(subset: str | None) -> None:
    scores = _scores(subset)
    print("\n" + _table(subset or "all annotated texts", scores))
    for kind in ("claims", "quotes"):
        assert scores[kind].precision >= 0.9, (kind, scores[kind])
        assert scores[kind].recall >= 0.9, (kind, scores[kind])
    # Not targets in the issue; asserted at today's level so that a regression shows. Mention
    # recall is lower by design: an ambiguous "Montazeri" or a bare "Ahmad" is not resolved.
    assert scores["dates"].precision >= 0.9 and scores["dates"].recall >= 0.9
    assert scores["mentions"].precision >= 0.9 and scores["mentions"].recall >= 0.8


def test_own_texts_cover_both_languages() -> None:
    gold = json.loads((DATA / "gold.json").read_text("utf-8"))["texts"]
    own = [name for name in gold if _subset(name) != "seeds"]
    assert len(own) >= 5
    assert {gold[n]["lang"] for n in own} == {"en", "fa"}
    for kind in ("claims", "quotes", "dates", "mentions"):
        assert any(gold[n][kind] for n in own if gold[n]["lang"] == "fa"), kind


def test_curated_claims_csv_quotes_are_found() -> None:
    """Held-out check: the curated figures of case-1988 claims.csv, from each stored quote.

    claims.csv was curated by others (not for this extractor). Its quotes are short excerpts,
    several without the noun that makes a number a toll ("up to 30,000, according to …") or
    with OCR errors ("l,200"); the first run of the extractor found 48 of 55 (0.87). We ask
    for 0.9 now and list what is still missed in docs/extract.md.
    """
    rows = list(csv.DictReader((DATA / "claims_case1988_quotes.csv").open(encoding="utf-8")))
    found = total = 0
    for row in rows:
        if row["quote_lang"] not in ("en", "fa"):
            continue
        total += 1
        low = int(row["value_low"]) if row["value_low"] else None
        high = int(row["value_high"]) if row["value_high"] else None
        qualifier = row["qualifier"]
        if qualifier in ("over", "at_least"):
            high = None
        got = {(c.low, c.high, c.qualifier) for c in extract_claims(row["quote"])}
        found += (low, high, qualifier) in got
    assert total == 55
    assert found / total >= 0.9
