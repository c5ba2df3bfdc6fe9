"""The review queue: extraction results of vault items wait here until a person decides.

`suggest` runs the extractors over an item's text and stores each span once (re-running never
duplicates, and a rejected span stays rejected). `accept` turns one into a statement with a
reference to the item's source entity and the exact span (character offsets into the item's
text, page for PDFs, the sentence as quote), all in one workspace change; `reject` records who
and when. What an accepted suggestion becomes:

- claim → statement ``figure`` (as on the claims board) on a subject entity (``--subject``,
  e.g. an event), value `Quantity(low, high, qualifier)`; "over" is stored as ``at_least`` and
  a qualitative figure ("thousands") as `Text`; qualifiers ``hedge`` (the words), ``counted``,
  and ``claimant`` (``--claimant``, else who the sentence attributes the figure to: "according
  to X", "X said");
- quote → statement ``quote`` on the subject (default: the source), qualifier ``speaker``;
- date → statement ``mentions date`` on the source, value the `FuzzyDate`;
- mention → statement ``mentions`` on the source, value `EntityRef` (a candidate name first
  becomes a new entity of ``--kind``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from sabt.errors import InvalidValue, NotFound, SabtError
from sabt.extract import Extraction, extract
from sabt.extract.mentions import Gazetteer
from sabt.extract.quotes import claimant_for
from sabt.extract.text import sentence_bounds
from sabt.model.dates import Calendar, FuzzyDate
from sabt.model.statements import EntityRef, Locator, Quantity, Reference, Text, Value
from sabt.store import schema as st
from sabt.store.workspace import Store
from sabt.vault.tables import suggestion
from sabt.vault.vault import LogWriter, Vault

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
NAME_PROPERTIES = ("name", "alias", "other name", "label")


@dataclass(frozen=True)
class Suggestion:
    """One stored suggestion."""

    id: int
    item_sha256: str
    source_id: str | None
    kind: str
    start: int
    end: int
    text: str
    payload: dict[str, Any]
    status: str


def workspace_gazetteer(ws: Store) -> Gazetteer:
    """Known persons, organisations and places: labels plus name/alias statements."""
    gazetteer = Gazetteer()
    kinds = ("person", "organization", "place")
    with ws.connect() as conn:
        entities = conn.execute(select(st.entity.c.id, st.entity.c.kind, st.entity.c.label)
                                .where(st.entity.c.kind.in_(kinds),
                                       st.entity.c.status == "active")).all()
        names: dict[str, list[str]] = {}
        for entity_id, text in conn.execute(
                select(st.statement.c.entity_id, st.statement.c.value_text).where(
                    st.statement.c.property.in_(NAME_PROPERTIES),
                    st.statement.c.status == "active",
                    st.statement.c.value_text.is_not(None))):
            names.setdefault(entity_id, []).append(text)
    for entity_id, kind, label in entities:
        gazetteer.add(entity_id, kind, [label, *names.get(entity_id, [])])
    return gazetteer


def _rows(result: Extraction) -> Iterable[tuple[str, int, int, str, dict[str, Any]]]:
    for kind, spans in result.to_json().items():
        for span in spans:
            yield kind[:-1], int(span["start"]), int(span["end"]), str(span["text"]), span


def suggest(ws: Store, item_sha256: str, actor: str,
            gazetteer: Gazetteer | None = None) -> list[int]:
    """Extract from a vault item's text and queue what is new; returns the new suggestion ids."""
    return suggest_items(ws, [item_sha256], actor, gazetteer)


def suggest_items(ws: Store, items: Sequence[str], actor: str,
                  gazetteer: Gazetteer | None = None, batch: int = 200) -> list[int]:
    """`suggest` for many items: one change (and custody entry per item) per batch."""
    vault = Vault(ws)
    if gazetteer is None:
        gazetteer = workspace_gazetteer(ws)
    new_ids: list[int] = []
    for first in range(0, len(items), batch):
        with ws.change(author=actor, reason="extraction suggestions") as ch:
            new_ids.extend(suggest_within(ch.conn, vault, items[first:first + batch], actor,
                                          gazetteer))
    return new_ids


def suggest_within(conn: Connection, vault: Vault, items: Sequence[str], actor: str,
                   gazetteer: Gazetteer) -> list[int]:
    """Queue the suggestions of `items` (and a custody entry each) in the transaction of
    `conn`, which may be the one storing the items (`Vault.add`'s `within`)."""
    log = LogWriter(conn, actor)
    new_ids: list[int] = []
    for sha in items:
        row = vault.item(sha, conn)
        text, text_row = vault.text(row["sha256"], conn)
        added = _queue(conn, row, text_row["sha256"], text, gazetteer)
        log.add("suggestions_extracted", row["sha256"],
                {"text_sha256": text_row["sha256"], "new": len(added)})
        new_ids.extend(added)
    log.flush()
    return new_ids


def _queue(conn: Connection, row: dict[str, Any], text_sha: str, text: str,
           gazetteer: Gazetteer) -> list[int]:
    """Insert the new spans of one text (one bulk insert); returns their ids."""
    existing = set(conn.execute(
        select(suggestion.c.kind, suggestion.c.char_start, suggestion.c.char_end).where(
            suggestion.c.item_sha256 == text_sha)).tuples())
    rows: list[dict[str, Any]] = []
    for kind, start, end, span_text, payload in _rows(extract(text, gazetteer)):
        if (kind, start, end) in existing:
            continue
        if kind == "claim":
            payload = {**payload, "claimant": claimant_for(text, start, end)}
        rows.append({"item_sha256": text_sha, "source_id": row["source_id"], "kind": kind,
                     "char_start": start, "char_end": end, "text": span_text,
                     "payload": payload, "status": PENDING})
        existing.add((kind, start, end))
    if not rows:
        return []
    conn.execute(suggestion.insert(), rows)
    new_keys = {(r["kind"], r["char_start"], r["char_end"]) for r in rows}
    found = conn.execute(select(suggestion.c.id, suggestion.c.kind, suggestion.c.char_start,
                                suggestion.c.char_end).where(
        suggestion.c.item_sha256 == text_sha)).tuples()
    return sorted(int(i) for i, k, s, e in found if (k, s, e) in new_keys)


def pending(ws: Store, status: str = PENDING) -> list[Suggestion]:
    """Suggestions with a status (pending by default), in item and text order."""
    with ws.connect() as conn:
        rows = conn.execute(select(suggestion).where(suggestion.c.status == status).order_by(
            suggestion.c.item_sha256, suggestion.c.char_start, suggestion.c.id)).mappings().all()
    return [_suggestion(r) for r in rows]


def _suggestion(row: Any) -> Suggestion:
    return Suggestion(int(row["id"]), row["item_sha256"], row["source_id"], row["kind"],
                      int(row["char_start"]), int(row["char_end"]), row["text"],
                      dict(row["payload"]), row["status"])


def get(ws: Store, suggestion_id: int) -> Suggestion:
    """One suggestion by id."""
    with ws.connect() as conn:
        row = conn.execute(select(suggestion).where(
            suggestion.c.id == suggestion_id)).mappings().first()
    if row is None:
        raise NotFound(f"no suggestion {suggestion_id}")
    return _suggestion(row)


def _page(text_row: dict[str, Any], start: int) -> str | None:
    pages = (text_row.get("meta") or {}).get("pages")
    if not pages:
        return None
    index = bisect.bisect_right([p[0] for p in pages], start) - 1
    return str(max(index, 0) + 1)


def _value(item: Suggestion) -> tuple[str, Value, dict[str, Value]]:
    """Property, value and qualifiers of the statement a suggestion becomes."""
    p = item.payload
    if item.kind == "claim":
        qualifiers: dict[str, Value] = {"hedge": Text(item.text)}
        if p.get("counted"):
            qualifiers["counted"] = Text(str(p["counted"]))
        if p.get("low") is None and p.get("high") is None:
            return "figure", Text(item.text), qualifiers
        qualifier = {"over": "at_least"}.get(p["qualifier"], p["qualifier"])
        return "figure", Quantity(p.get("low"), p.get("high"), qualifier), qualifiers
    if item.kind == "quote":
        return "quote", Text(item.text), {"speaker": Text(str(p.get("speaker") or ""))}
    if item.kind == "date":
        if not p.get("edtf"):
            raise InvalidValue(f"suggestion {item.id}: the date {item.text!r} could not be read")
        calendar = Calendar.SOLAR_HIJRI if any("\u0600" <= ch <= "\u06ff" for ch in item.text) \
            else Calendar.GREGORIAN
        return "mentions date", FuzzyDate(str(p["edtf"]), item.text, calendar), {}
    raise InvalidValue(f"suggestion {item.id} of kind {item.kind!r} needs an entity")


def accept(ws: Store, suggestion_id: int, actor: str, *, subject: str | None = None,
           claimant: str | None = None, kind: str = "person") -> int:
    """Make the statement a suggestion proposes; returns the statement id."""
    item = get(ws, suggestion_id)
    if item.status != PENDING:
        raise SabtError(f"suggestion {suggestion_id} is already {item.status}")
    if item.source_id is None:
        raise SabtError(f"suggestion {suggestion_id}: its item is not a source")
    vault = Vault(ws)
    text, text_row = vault.text(item.item_sha256)
    s_start, s_end = sentence_bounds(text, item.start)
    reference = Reference(item.source_id, Locator(page=_page(text_row, item.start),
                                                  start=item.start, end=item.end),
                          quote=text[s_start:s_end].strip())
    with ws.change(author=actor, reason=f"accept suggestion {suggestion_id}") as ch:
        if item.kind == "mention":
            entity_id = item.payload.get("entity_id") or ch.add_entity(kind, item.text)
            statement_id = ch.add_statement(item.source_id, "mentions", EntityRef(entity_id),
                                            references=[reference])
        else:
            prop, value, qualifiers = _value(item)
            claimant = claimant or item.payload.get("claimant")
            if claimant:
                qualifiers["claimant"] = Text(claimant)
            if item.kind == "claim" and subject is None:
                raise SabtError(f"suggestion {suggestion_id} is a toll claim: say what it is "
                                "about with --subject ENTITY_ID (e.g. an event)")
            statement_id = ch.add_statement(subject or item.source_id, prop, value,
                                            references=[reference], qualifiers=qualifiers)
        ch.conn.execute(update(suggestion).where(suggestion.c.id == suggestion_id).values(
            status=ACCEPTED, decided_by=actor, decided_at=datetime.now(UTC),
            statement_id=statement_id))
    return statement_id


def reject(ws: Store, suggestion_id: int, actor: str, note: str | None = None) -> None:
    """Mark a suggestion rejected (kept, so the same span is never suggested again)."""
    item = get(ws, suggestion_id)
    if item.status != PENDING:
        raise SabtError(f"suggestion {suggestion_id} is already {item.status}")
    with ws.change(author=actor, reason=f"reject suggestion {suggestion_id}") as ch:
        ch.conn.execute(update(suggestion).where(suggestion.c.id == suggestion_id).values(
            status=REJECTED, decided_by=actor, decided_at=datetime.now(UTC), note=note))
