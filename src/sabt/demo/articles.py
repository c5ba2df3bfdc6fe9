"""The seed articles: into the vault, through extraction, and their toll claims accepted.

The two articles are stored byte for byte (SHA-256, custody log). Extraction suggests toll
claims, quotes, dates and mentions with character offsets; the toll-claim suggestions whose
figures match a curated claim on the same subject are accepted, so each becomes a sourced
statement citing the exact sentence of the article. The rest stay pending for a person to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import as_file, files

from sabt.store.workspace import Store

SUBJECT = "subj-total-executed-1988-prison-killings-iran"
CLAIMANT = "the article's author (unnamed in the stored text)"
ACTOR = "sabt demo"
COLLECTED_AT = "2026-11-01T00:00:00Z"  # when the seed copies were made for the project


@dataclass(frozen=True)
class ArticlesOutcome:
    items: tuple[str, ...]
    suggestions: int
    accepted: tuple[int, ...]


def add_seed_articles(ws: Store) -> ArticlesOutcome:
    """Vault the seed articles, extract suggestions, accept claims that match curated ones."""
    from sabt.claims.board import claims_board
    from sabt.extract.suggestions import PENDING, accept, pending, suggest_items
    from sabt.vault.vault import Provenance, Vault

    def figure(low: float | None, high: float | None) -> tuple[float | None, float | None]:
        return (low, high if high is not None else low)

    curated = {figure(c.low, c.high) for board in claims_board(ws, SUBJECT)
               for c in board.claims if c.low is not None or c.high is not None}
    seeds = files("sabt.data.demo").joinpath("seeds")
    with as_file(seeds) as folder:
        articles = sorted(p for p in folder.iterdir() if p.suffix == ".txt")
        report = Vault(ws).add(articles, Provenance(
            collected_by=ACTOR, collected_at=COLLECTED_AT, capture_method="file",
            notes="seed article shipped with Sabt as demo data"))
    items = tuple(item["sha256"] for item in report.added)
    suggestion_ids = suggest_items(ws, list(items), ACTOR)
    accepted = []
    for item in pending(ws, PENDING):
        found = figure(item.payload.get("low"), item.payload.get("high"))
        if item.kind == "claim" and found in curated:
            accepted.append(accept(ws, item.id, ACTOR, subject=SUBJECT, claimant=CLAIMANT))
    return ArticlesOutcome(items, len(suggestion_ids), tuple(accepted))
