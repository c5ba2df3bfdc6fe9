"""The REST API `/api/v1/…`: the same service calls as the pages, answered as JSON (OpenAPI at
`/api/v1/openapi.json`). Signed in by the session cookie, else the anonymous public."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from sabt.model.jsonview import entity_json
from sabt.web.app import Visitor, visitor, workspace_of
from sabt.web.filters import SearchFilters

router = APIRouter(prefix="/api/v1", tags=["api"])
Who = Annotated[Visitor, Depends(visitor)]


@router.get("/me")
def me(who: Who) -> dict[str, Any]:
    """Who the API takes the caller for."""
    a = who.actor
    return {"name": a.id, "display_name": a.display_name, "signed_in": who.signed_in,
            "roles": sorted(r.value for r in a.roles), "clearance": str(a.clearance),
            "groups": sorted(a.groups)}


@router.get("/search")
def search(request: Request, who: Who, filters: SearchFilters,
           q: Annotated[str, Query(max_length=200)] = "",
           kind: Annotated[str | None, Query(max_length=32)] = None,
           limit: Annotated[int, Query(ge=1, le=200)] = 20,
           offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """Entities whose name matches `q` in either script and any spelling, best first; the
    filters (role, list, prison, province, died_from, died_to, sensitivity) narrow them."""
    page = workspace_of(request).search.names(who.actor, q, kind=kind, filters=filters,
                                              limit=limit, offset=offset)
    return asdict(page)


@router.get("/entities/{entity_id}")
def entity(request: Request, who: Who, entity_id: str) -> dict[str, Any]:
    """An entity as the caller may see it: statements, current view, what is withheld."""
    return entity_json(workspace_of(request).entities.get(who.actor, entity_id))


@router.get("/entities/{entity_id}/history")
def history(request: Request, who: Who, entity_id: str) -> list[dict[str, Any]]:
    """Every change to the entity the caller may see, oldest first."""
    entries = workspace_of(request).entities.history(who.actor, entity_id)
    return [{**asdict(e), "created_at": e.created_at.isoformat(),
             "statements": [list(s) for s in e.statements]} for e in entries]


@router.get("/claims")
def claims(request: Request, who: Who,
           subject: Annotated[str | None, Query(max_length=200)] = None) -> list[dict[str, Any]]:
    """The claims board of every subject (or those whose id or label contains `subject`)."""
    boards = workspace_of(request).claims.board(who.actor, subject)
    out = []
    for board in boards:
        data = asdict(board)
        for claim, raw in zip(board.claims, data["claims"], strict=True):
            raw["date"] = claim.date.to_dict() if claim.date else None
        out.append(data)
    return out


@router.get("/audit")
def audit(request: Request, who: Who, user: Annotated[str | None, Query(max_length=64)] = None,
          item: Annotated[str | None, Query(max_length=200)] = None,
          limit: Annotated[int, Query(ge=1, le=1000)] = 200,
          offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    """The audit log, newest first (admins)."""
    entries = workspace_of(request).audit.entries(who.actor, user=user, item=item, limit=limit,
                                                  offset=offset)
    return [e.to_dict() for e in entries]
