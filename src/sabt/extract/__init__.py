"""Rule-based extraction from articles: toll claims, quotes, dates and entity mentions.

Everything here is pure (text in, spans with character offsets out), fast, and needs no model.
The results are *suggestions*: in a workspace they wait in a review queue (`sabt suggestions`)
until a person accepts one, which makes a sourced statement, or rejects it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sabt.extract.claims import Claim, extract_claims
from sabt.extract.dates import DateMention, extract_dates
from sabt.extract.mentions import Gazetteer, Mention, extract_mentions
from sabt.extract.quotes import Quote, extract_quotes


@dataclass
class Extraction:
    """Everything found in one text."""

    claims: list[Claim] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        """The `sabt extract --json` shape: four lists of spans."""
        return {
            "claims": [c.to_dict() for c in self.claims],
            "quotes": [q.to_dict() for q in self.quotes],
            "dates": [d.to_dict() for d in self.dates],
            "mentions": [m.to_dict() for m in self.mentions],
        }


def extract(text: str, gazetteer: Gazetteer | None = None, candidates: bool = True) -> Extraction:
    """Run every extractor over ``text``."""
    claims = extract_claims(text)
    # A figure read as a toll ("over 2000 victims") is not also a year.
    dates = [d for d in extract_dates(text)
             if not any(c.start < d.end and d.start < c.end for c in claims)]
    return Extraction(
        claims=claims,
        quotes=extract_quotes(text),
        dates=dates,
        mentions=extract_mentions(text, gazetteer, candidates=candidates),
    )


__all__ = ["Claim", "DateMention", "Extraction", "Gazetteer", "Mention", "Quote", "extract"]
