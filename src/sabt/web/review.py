"""The review queue in the browser and the API: one pair at a time, side by side in both
scripts with the differences marked and why the model scored it; match, non-match, skip (the
pair comes back later) and undo, with keyboard shortcuts. Every call is `ws.review`'s."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from sabt.service.review import ReviewCard
from sabt.web.app import Visitor, check_csrf, redirect, render, visitor, workspace_of

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/review", tags=["review"])
Who = Annotated[Visitor, Depends(visitor)]
Decision = Annotated[str, Form(pattern="^(match|non-match|skip)$")]


Sample = Annotated[bool, Query(description="The band sample instead of the queue.")]


@pages.get("/review", response_class=HTMLResponse)
def queue(request: Request, who: Who, done: Annotated[int | None, Query(ge=1)] = None,
          sample: Sample = False) -> Response:
    """The next pair no one else holds (claimed for this reviewer), and the latest decisions;
    with `sample`, the next pair of the band sample."""
    ws = workspace_of(request)
    card = ws.review.next(who.actor, sample=sample)
    return render(request, "review.html", {
        "card": card, "state": ws.review.state(who.actor, sample=sample), "done": done,
        "sample": sample}, who=who)


@pages.get("/review/{record_l}/{record_r}", response_class=HTMLResponse)
def pair(request: Request, who: Who, record_l: int, record_r: int,
         sample: Sample = False) -> Response:
    ws = workspace_of(request)
    card = ws.review.card(who.actor, record_l, record_r, sample=sample)
    return render(request, "review.html", {
        "card": card, "state": ws.review.state(who.actor, sample=sample), "done": None,
        "sample": sample}, who=who)


@pages.post("/review/decide")
def decide(request: Request, who: Who, record_l: Annotated[int, Form()],
           record_r: Annotated[int, Form()], decision: Decision,
           csrf: Annotated[str, Form(max_length=128)] = "",
           note: Annotated[str, Form(max_length=2000)] = "",
           sample: Annotated[bool, Form()] = False) -> Response:
    check_csrf(who, csrf)
    number = workspace_of(request).review.decide(who.actor, record_l, record_r, decision,
                                                 note=note)
    return redirect(f"/review?done={number}" + ("&sample=true" if sample else ""))


@pages.post("/review/undo")
def undo(request: Request, who: Who, decision_id: Annotated[int, Form()],
         csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    check_csrf(who, csrf)
    workspace_of(request).review.undo(who.actor, decision_id)
    return redirect("/review")


def card_json(card: ReviewCard | None) -> dict[str, Any] | None:
    """A card as JSON: the pair, both records, differences, the group and the explanation."""
    if card is None:
        return None
    return {"pair": asdict(card.item), "left": card.left, "right": card.right,
            "differences": [asdict(d) for d in card.differences],
            "group": {str(k): v for k, v in card.group.items()},
            "why": asdict(card.why) if card.why else None, "why_missing": card.why_missing,
            "position": card.position, "waiting": card.waiting, "band": card.band}


@api.get("/next")
def api_next(request: Request, who: Who, sample: Sample = False) -> dict[str, Any] | None:
    """The next pair for the caller (claimed for them for ten minutes), or null; with
    `sample`, the next undecided pair of the band sample."""
    return card_json(workspace_of(request).review.next(who.actor, sample=sample))


@api.get("/state")
def api_state(request: Request, who: Who,
              recent: Annotated[int, Query(ge=0, le=200)] = 10,
              sample: Sample = False) -> dict[str, Any]:
    """Pairs waiting, skipped and held by other reviewers (of the queue, or of the band
    sample); the caller's latest decisions."""
    return asdict(workspace_of(request).review.state(who.actor, recent=recent, sample=sample))


@api.get("/pairs/{record_l}/{record_r}")
def api_pair(request: Request, who: Who, record_l: int, record_r: int) -> dict[str, Any] | None:
    """One pair of the queue as a card."""
    return card_json(workspace_of(request).review.card(who.actor, record_l, record_r))


class DecisionIn(BaseModel):
    record_l: int
    record_r: int
    decision: str = Field(pattern="^(match|non-match|skip)$")
    note: str = Field(default="", max_length=2000)


@api.post("/decisions")
def api_decide(request: Request, who: Who, body: DecisionIn) -> dict[str, int]:
    """Decide a pair; answers the decision's number (for undo). Signed in by cookie, send the
    session's CSRF token as `X-CSRF-Token`; an API token needs none."""
    check_csrf(who, request.headers.get("x-csrf-token", ""))
    number = workspace_of(request).review.decide(who.actor, body.record_l, body.record_r,
                                                 body.decision, note=body.note)
    return {"id": number}


@api.post("/decisions/{decision_id}/undo")
def api_undo(request: Request, who: Who, decision_id: int) -> dict[str, int]:
    """Undo a decision (kept on record, stamped undone); the pair comes back to the queue."""
    check_csrf(who, request.headers.get("x-csrf-token", ""))
    workspace_of(request).review.undo(who.actor, decision_id)
    return {"undone": decision_id}
