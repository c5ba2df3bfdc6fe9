"""Places on a map and a place's history: prisons, cemeteries and grave sites drawn on Iran's
outline (package data: no tile server), and for one place the events that name it, in date
order and in both calendars, each with its sources. Calls `ws.entities`; the map geometry is
`sabt.report.geo`'s and the reading of statements `sabt.model.places`'."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from sabt.model.places import coordinates, history, label_in
from sabt.report.geo import draw
from sabt.web.app import Visitor, render, visitor, workspace_of

pages = APIRouter(include_in_schema=False)
Who = Annotated[Visitor, Depends(visitor)]
MAX_PLACES = 500


@pages.get("/places", response_class=HTMLResponse)
def places(request: Request, who: Who) -> Response:
    ws = workspace_of(request)
    listed = ws.entities.list(who.actor, "place", limit=MAX_PLACES + 1)
    views = [ws.entities.get(who.actor, p.id) for p in listed[:MAX_PLACES]]
    located = [(v, coordinates(v)) for v in views]
    drawn = draw([(v.id, label_in(v, who.lang), c[0], c[1]) for v, c in located if c])
    return render(request, "places.html", {
        "places": [(v, c, label_in(v, who.lang)) for v, c in located], "map": drawn,
        "more": len(listed) > MAX_PLACES}, who=who)


@pages.get("/place/{entity_id}", response_class=HTMLResponse)
def place(request: Request, who: Who, entity_id: str) -> Response:
    ws = workspace_of(request)
    view = ws.entities.get(who.actor, entity_id)
    related = ws.entities.related(who.actor, view)
    events = [ws.entities.get(who.actor, eid) for eid in
              sorted({st.entity_id for st in related.incoming if st.property == "place"})]
    where = coordinates(view)
    drawn = draw([(view.id, label_in(view, who.lang), *where)] if where else [])
    return render(request, "place.html", {"view": view, "where": where, "map": drawn,
                                          "history": history(events), "related": related,
                                          "name": label_in(view, who.lang)}, who=who)
