"""The review queue in a workspace: suggest once, accept into a sourced statement, reject."""

from __future__ import annotations

from pathlib import Path

import pytest

from sabt.errors import SabtError
from sabt.extract import suggestions as queue
from sabt.model.statements import EntityRef, Quantity, Text
from sabt.store.workspace import Store
from sabt.vault.vault import Provenance, Vault

ARTICLE = ("Over 30,000 people were killed in 1988, according to the NCRI. "
           "Hossein-Ali Montazeri called it “the biggest crime in the Islamic Republic”.")


@pytest.fixture
def loaded(workspace: Store, tmp_path: Path) -> tuple[Store, str]:
    with workspace.change(author="tester") as ch:
        person = ch.add_entity("person", "Hossein-Ali Montazeri")
        ch.add_statement(person, "name", Text("حسینعلی منتظری", lang="fa"))
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    report = Vault(workspace).add([path], Provenance("tester"))
    return workspace, report.added[0]["sha256"]


def _by_kind(ws: Store) -> dict[str, queue.Suggestion]:
    return {s.kind: s for s in queue.pending(ws)}


def test_suggest_is_idempotent_and_uses_the_workspace_entities(
        loaded: tuple[Store, str]) -> None:
    ws, sha = loaded
    first = queue.suggest(ws, sha, "tester")
    assert first and queue.suggest(ws, sha, "tester") == []
    kinds = {s.kind for s in queue.pending(ws)}
    assert kinds == {"claim", "quote", "date", "mention"}
    mention = next(s for s in queue.pending(ws) if s.kind == "mention"
                   and s.text == "Hossein-Ali Montazeri")
    assert mention.payload["entity_id"] is not None


def test_accepting_a_claim_makes_a_sourced_statement(loaded: tuple[Store, str]) -> None:
    ws, sha = loaded
    queue.suggest(ws, sha, "tester")
    claim = _by_kind(ws)["claim"]
    with pytest.raises(SabtError, match="--subject"):
        queue.accept(ws, claim.id, "tester")
    with ws.change(author="tester") as ch:
        event = ch.add_entity("event", "1988 prison killings")
    assert claim.payload["claimant"] == "NCRI"  # "…, according to the NCRI."
    statement_id = queue.accept(ws, claim.id, "tester", subject=event)
    statement = ws.statement(statement_id)
    assert statement.property == "figure"
    assert statement.value == Quantity(30000, None, "at_least")
    assert statement.qualifiers["claimant"] == Text("NCRI")
    assert statement.qualifiers["hedge"] == Text("Over 30,000")
    reference = statement.references[0]
    assert reference.source_id == Vault(ws).item(sha)["source_id"]
    assert (reference.locator.start, reference.locator.end) == (0, 11)
    assert reference.quote.startswith("Over 30,000 people were killed")
    assert claim.id not in {s.id for s in queue.pending(ws)}
    assert [s.id for s in queue.pending(ws, "accepted")] == [claim.id]


def test_quotes_mentions_and_rejections(loaded: tuple[Store, str]) -> None:
    ws, sha = loaded
    queue.suggest(ws, sha, "tester")
    source_id = Vault(ws).item(sha)["source_id"]
    quote = _by_kind(ws)["quote"]
    statement = ws.statement(queue.accept(ws, quote.id, "tester"))
    assert statement.entity_id == source_id and statement.property == "quote"
    assert statement.qualifiers["speaker"] == Text("Hossein-Ali Montazeri")
    mention = next(s for s in queue.pending(ws) if s.kind == "mention" and s.payload["entity_id"])
    mentioned = ws.statement(queue.accept(ws, mention.id, "tester"))
    assert mentioned.value == EntityRef(mention.payload["entity_id"])
    date = _by_kind(ws)["date"]
    queue.reject(ws, date.id, "tester", note="year of the events, not news")
    assert queue.suggest(ws, sha, "tester") == []  # the rejected span is not suggested again
    assert [s.id for s in queue.pending(ws, "rejected")] == [date.id]
    with pytest.raises(SabtError, match="already rejected"):
        queue.accept(ws, date.id, "tester")
