"""The claims board: every published figure on a subject, side by side, each with its source.

A claim is a `figure` statement on a *subject* entity (what is counted, e.g. "total executed,
1988 prison killings, Iran") with the claimant, date, relay and claim id as qualifiers and the
exact quote as its reference. Beside the claims stand the estimates Sabt computed for the same
subject, with their inputs. Estimates from synthetic data carry no subject: they are never
placed among real claims.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, select

from sabt.claims.tables import estimate_record
from sabt.errors import NotFound
from sabt.model.dates import FuzzyDate
from sabt.model.statements import Quantity, Statement, Text, value_text
from sabt.policy import BulkFilter
from sabt.store import schema as t
from sabt.store.change import Change, allocate
from sabt.store.workspace import Store, load_statements

_DISPUTE = re.compile(r"contradict|misattribut|conflict|disput|not independent",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One published figure, as one source carries it."""

    claim_id: str
    statement_id: int
    claimant: str
    claimant_type: str
    attributed_to: str
    relay: str
    kind: str
    date: FuzzyDate | None
    figure: str
    low: float | None
    high: float | None
    quote: str
    source_id: str
    source_title: str
    source_publisher: str
    source_url: str
    note: str
    confidence: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class StoredEstimate:
    """An estimate Sabt computed, with what it was computed from."""

    id: int
    label: str
    synthetic: bool
    method: str
    model: str
    estimate: float | None
    lower: float | None
    upper: float | None
    n_observed: float | None
    inputs: dict[str, Any]
    diagnostics: dict[str, Any]


@dataclass(frozen=True)
class Board:
    """All claims on one subject, and Sabt's estimates for it."""

    subject_id: str
    subject: str
    claims: tuple[Claim, ...]
    estimates: tuple[StoredEstimate, ...]


def _qual(st: Statement, key: str) -> str:
    value = st.qualifiers.get(key)
    return value_text(value) if value is not None else ""


def _claim(st: Statement, sources: dict[str, Any]) -> Claim:
    ref = st.references[0] if st.references else None
    src = sources.get(ref.source_id) if ref else None
    date = st.qualifiers.get("claim date")
    note = _qual(st, "note")
    flags = []
    if note:
        flags.append("note")
    if _DISPUTE.search(note):
        flags.append("disputed")
    if st.qualifiers.get("attributed to") is not None:
        flags.append("relayed")
    low = st.value.low if isinstance(st.value, Quantity) else None
    high = st.value.high if isinstance(st.value, Quantity) else None
    return Claim(
        claim_id=_qual(st, "claim id") or str(st.id), statement_id=st.id,
        claimant=_qual(st, "claimant"), claimant_type=_qual(st, "claimant type"),
        attributed_to=_qual(st, "attributed to"), relay=_qual(st, "relay"),
        kind=_qual(st, "kind"), date=date if isinstance(date, FuzzyDate) else None,
        figure=value_text(st.value) if not isinstance(st.value, Text) else f"“{st.value.text}”",
        low=low, high=high, quote=ref.quote if ref else "",
        source_id=ref.source_id if ref else "", source_title=src.title if src else "",
        source_publisher=(src.publisher or "") if src else "",
        source_url=(src.url or "") if src else "", note=note, confidence=st.confidence.value,
        flags=tuple(flags),
    )


def stored_estimates(ws: Store, *, subject_id: str | None = None,
                     synthetic: bool | None = None) -> list[StoredEstimate]:
    """Estimates kept in the workspace, optionally for one subject or only (non-)synthetic."""
    query = select(estimate_record).order_by(estimate_record.c.id)
    if subject_id is not None:
        query = query.where(estimate_record.c.subject_id == subject_id)
    if synthetic is not None:
        query = query.where(estimate_record.c.synthetic == synthetic)
    with ws.connect() as conn:
        return [_estimate(r) for r in conn.execute(query)]


def _estimate(r: Any) -> StoredEstimate:
    return StoredEstimate(r.id, r.label, r.synthetic, r.method, r.model or "", r.estimate,
                          r.lower, r.upper, r.n_observed, dict(_json(r.inputs) or {}),
                          dict(_json(r.diagnostics) or {}))


def _json(value: Any) -> Any:
    """A JSON column's value (decoded already on both databases; text only from a raw read)."""
    return json.loads(value) if isinstance(value, str) else value


def claims_board(ws: Store, subject: str | None = None,
                 sight: BulkFilter | None = None) -> list[Board]:
    """Boards for every subject, or those whose id or label contains `subject` (only what
    `sight` keeps, when given)."""
    with ws.connect() as conn:
        subjects = conn.execute(select(t.entity.c.id, t.entity.c.label).where(
            t.entity.c.kind == "subject").order_by(t.entity.c.id)).all()
        if subject:
            needle = subject.lower()
            subjects = [s for s in subjects if needle in s.id.lower()
                        or needle in s.label.lower()]
            if not subjects:
                raise NotFound(f"no subject matches {subject!r} (see `sabt claims` for all)")
        ids = [s.id for s in subjects]
        statements: dict[str, list[Statement]] = {}
        estimates: dict[str, list[StoredEstimate]] = {}
        e = estimate_record
        for start in range(0, len(ids), 900):   # one query per table per 900 subjects
            page = ids[start:start + 900]
            for st in load_statements(conn, select(t.statement).where(
                    t.statement.c.entity_id.in_(page), t.statement.c.property == "figure",
                    t.statement.c.status == "active").order_by(t.statement.c.id)):
                statements.setdefault(st.entity_id, []).append(st)
            for r in conn.execute(select(e).where(e.c.subject_id.in_(page)).order_by(e.c.id)):
                estimates.setdefault(r.subject_id, []).append(_estimate(r))
        cited = sorted({ref.source_id for sts in statements.values() for st in sts
                        for ref in st.references[:1]})
        sources = {r.entity_id: r for start in range(0, len(cited), 900)
                   for r in conn.execute(select(t.source).where(
                       t.source.c.entity_id.in_(cited[start:start + 900])))}
    if sight is not None:
        visible, kept = sight.filter(ids, [st for sts in statements.values() for st in sts])
        subjects = [s for s in subjects if s.id in visible]
        statements = {}
        for st in kept:
            statements.setdefault(st.entity_id, []).append(st)
        if subject and not subjects:
            raise NotFound(f"no subject matches {subject!r} (see `sabt claims` for all)")
    boards = []
    for sid, label in subjects:
        claims = tuple(_claim(st, sources) for st in statements.get(sid, []))
        boards.append(Board(sid, label, claims, tuple(estimates.get(sid, []))))
    return sorted(boards, key=lambda b: -len(b.claims))


def record_estimates(ch: Change, report: dict[str, Any], *, label: str, synthetic: bool,
                     subject_id: str | None, inputs: dict[str, Any]) -> list[int]:
    """Keep an estimation report (the `sabt estimate --json` form) in the workspace.

    Synthetic estimates may not name a subject: they must never stand among real claims.
    """
    if synthetic and subject_id is not None:
        raise ValueError("a synthetic estimate cannot be filed under a real subject")
    ids = []
    for est in report.get("estimates", []):
        new_id = allocate(ch.conn, "estimate_record")
        ch.conn.execute(insert(estimate_record).values(
            id=new_id, revision_id=ch.revision_id, subject_id=subject_id, label=label,
            synthetic=synthetic, method=str(est.get("method")), model=str(est.get("model") or ""),
            estimate=est.get("estimate"), lower=est.get("lower"), upper=est.get("upper"),
            n_observed=report.get("n_observed"), inputs=inputs,
            diagnostics=json.loads(json.dumps({k: v for k, v in est.items() if k not in (
                "method", "model", "estimate", "lower", "upper")}, default=str))))
        ids.append(new_id)
    return ids


def claim_order(claim: Claim) -> date:
    """Claims sort by the earliest day their date can mean; undated ones last."""
    if claim.date is not None and claim.date.earliest is not None:
        return claim.date.earliest
    return date.max
