"""The statistician's page: the capture histories of the latest link run and the stored
estimates with their inputs and diagnostics, drawn side by side as intervals. Calls
`ws.estimates`; the drawing's geometry is `sabt.report.forest`'s."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from sabt.errors import Forbidden, SabtError, Unauthenticated
from sabt.report.forest import Interval, forest
from sabt.web.app import Visitor, render, visitor, workspace_of

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["estimates"])
Who = Annotated[Visitor, Depends(visitor)]
MAX_PATTERNS = 512    # capture patterns listed on the page (2^9 covers nine lists)


def _captures(request: Request, who: Visitor) -> tuple[dict[str, Any] | None, str]:
    """The latest run's capture table as lists, patterns and counts, or why there is none."""
    try:
        table = workspace_of(request).estimates.capture_table(who.actor)
    except (Forbidden, Unauthenticated):
        raise
    except SabtError as exc:      # no link run yet, fewer than two lists: said on the page
        return None, str(exc)
    cells = sorted(([int(v) for v in p], int(c))
                   for p, c in zip(table.patterns, table.counts, strict=True))
    cells.sort(key=lambda cell: -sum(cell[0]))     # seen by most lists first
    rows = [{"pattern": pattern, "count": count} for pattern, count in cells]
    return {"lists": list(table.lists), "rows": rows[:MAX_PATTERNS],
            "observed": int(table.counts.sum()), "more": len(rows) > MAX_PATTERNS}, ""


@pages.get("/estimates", response_class=HTMLResponse)
def estimates(request: Request, who: Who) -> Response:
    stored = workspace_of(request).estimates.stored(who.actor)
    try:
        captures, why = _captures(request, who)
    except Forbidden:     # the capture table is for analysts; the estimates are for all
        captures, why = None, ""
    plot = forest([Interval(f"{e.label} · {e.method} {e.model}", e.estimate, e.lower, e.upper)
                   for e in stored])
    return render(request, "estimates.html", {"stored": stored, "captures": captures,
                                              "no_captures": why, "plot": plot}, who=who)


@api.get("/estimates")
def api_estimates(request: Request, who: Who) -> list[dict[str, Any]]:
    """Every stored estimate with its inputs and diagnostics."""
    return [asdict(e) for e in workspace_of(request).estimates.stored(who.actor)]


@api.get("/captures")
def api_captures(request: Request, who: Who) -> dict[str, Any]:
    """The capture histories of the latest link run (analysts): lists, patterns, counts."""
    captures, why = _captures(request, who)
    if captures is None:
        raise SabtError(why)
    return captures
