"""The seed articles: into the vault, through extraction, and their toll claims accepted.

The two articles are stored byte for byte (SHA-256, custody log). Extraction suggests toll
claims, quotes, dates and mentions with character offsets; the toll-claim suggestions whose
figures match a curated claim on the same subject are accepted, so each becomes a sourced
statement citing the exact sentence of the article. The rest stay pending for a person to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import as_file, files

from sabt.policy import Actor
from sabt.service import Workspace

SUBJECT = "subj-total-executed-1988-prison-killings-iran"
CLAIMANT = "the article's author (unnamed in the stored text)"
COLLECTED_AT = "2026-11-01T00:00:00Z"  # when the seed copies were made for the project


@dataclass(frozen=True)
class ArticlesOutcome:
    items: tuple[str, ...]
    suggestions: int
    accepted: tuple[int, ...]


def add_seed_articles(ws: Workspace, actor: Actor) -> ArticlesOutcome:
    """Vault the seed articles, extract suggestions, accept claims that match curated ones."""
    from sabt.vault.vault import Provenance

    def figure(low: float | None, high: float | None) -> tuple[float | None, float | None]:
        return (low, high if high is not None else low)

    curated = {figure(c.low, c.high) for board in ws.claims.board(actor, SUBJECT)
               for c in board.claims if c.low is not None or c.high is not None}
    seeds = files("sabt.data.demo").joinpath("seeds")
    with as_file(seeds) as folder:
        articles = sorted(p for p in folder.iterdir() if p.suffix == ".txt")
        report, queued = ws.vault.add(actor, articles, Provenance(
            collected_by=actor.id, collected_at=COLLECTED_AT, capture_method="file",
            notes="seed article shipped with Sabt as demo data"))
    items = tuple(item["sha256"] for item in report.added)
    accepted = []
    for item in ws.suggestions.pending(actor):
        found = figure(item.payload.get("low"), item.payload.get("high"))
        if item.kind == "claim" and found in curated:
            accepted.append(ws.suggestions.accept(actor, item.id, subject=SUBJECT,
                                                  claimant=CLAIMANT))
    return ArticlesOutcome(items, queued, tuple(accepted))
