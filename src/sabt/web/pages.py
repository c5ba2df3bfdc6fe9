"""The HTML pages: each parses the request, calls one service method as the visitor and renders
a template. No permission is checked here (the services do)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from sabt.errors import NotFound, Unauthenticated
from sabt.model.timeline import posts
from sabt.policy import Level
from sabt.service.signin import SESSION_LIFETIME
from sabt.web.app import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Visitor,
    check_csrf,
    redirect,
    render,
    set_cookie,
    visitor,
    workspace_of,
)
from sabt.web.filters import SearchFilters

if TYPE_CHECKING:
    from sabt.claims.board import Board

router = APIRouter(include_in_schema=False)
Who = Annotated[Visitor, Depends(visitor)]
PAGE_SIZE = 20


@router.get("/")
def home() -> Response:
    return redirect("/search")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, who: Who) -> Response:
    return render(request, "login.html", {"error": "", "name": ""}, who=who)


@router.post("/login")
def login(request: Request, who: Who, name: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=1024)],
          csrf: Annotated[str, Form(max_length=128)] = "",
          code: Annotated[str, Form(max_length=64)] = "") -> Response:
    check_csrf(who, csrf)
    ws = workspace_of(request)
    try:
        actor = ws.signin.authenticate(name, password, code)
    except Unauthenticated as exc:
        return render(request, "login.html", {"error": str(exc), "name": name}, status=401,
                      who=who)
    if who.signed_in:
        ws.signin.end_session(who.token)
    response = redirect("/search")
    set_cookie(request, response, SESSION_COOKIE, ws.signin.start_session(actor),
               max_age=int(SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, who: Who, csrf: Annotated[str, Form(max_length=128)] = "",
           ) -> Response:
    check_csrf(who, csrf)
    if who.signed_in:
        workspace_of(request).signin.end_session(who.token)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, who: Who, filters: SearchFilters,
           q: Annotated[str, Query(max_length=200)] = "",
           kind: Annotated[str, Query(max_length=32)] = "",
           page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    found = workspace_of(request).search.names(who.actor, q, kind=kind or None,
                                               filters=filters, limit=PAGE_SIZE,
                                               offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    return render(request, "search.html", {
        "q": q, "kind": kind, "found": found, "page": page, "pages": pages,
        "filters": filters, "levels": [str(level) for level in Level],
        "paging": urlencode({k: v for k, v in request.query_params.items() if k != "page"}),
    }, who=who)


@router.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity(request: Request, who: Who, entity_id: str) -> Response:
    ws = workspace_of(request)
    view = ws.entities.get(who.actor, entity_id)
    history = ws.entities.history(who.actor, entity_id)
    by_id = {st.id: st for st in view.statements}
    return render(request, "entity.html", {
        "view": view, "history": history, "by_id": by_id, "posts": posts(view),
        "related": ws.entities.related(who.actor, view)}, who=who)


@router.get("/claims", response_class=HTMLResponse)
def claims(request: Request, who: Who) -> Response:
    boards = workspace_of(request).claims.board(who.actor)
    return render(request, "claims.html", {"boards": boards, "one": False}, who=who)


@router.get("/claims/{subject_id}.csv")   # before the page, which would take ".csv"
def claims_csv(request: Request, who: Who, subject_id: str) -> Response:
    board = _board(request, who, subject_id)[0]
    out = io.StringIO()
    columns = ["claim_id", "statement_id", "date", "claimant", "claimant_type",
               "attributed_to", "relay", "kind", "figure", "low", "high", "quote", "source_id",
               "source_title", "source_publisher", "source_url", "note", "confidence", "flags"]
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    for claim in board.claims:
        row = asdict(claim)
        row["date"] = claim.date.edtf if claim.date else ""
        row["flags"] = ";".join(claim.flags)
        writer.writerow({c: _cell(row[c]) for c in columns})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="claims-{board.subject_id}.csv"'})


@router.get("/claims/{subject_id}", response_class=HTMLResponse)
def claims_of(request: Request, who: Who, subject_id: str) -> Response:
    boards = _board(request, who, subject_id)
    return render(request, "claims.html", {"boards": boards, "one": True}, who=who)


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _board(request: Request, who: Visitor, subject_id: str) -> list[Board]:
    """The board of exactly this subject (the service matches ids and labels by substring)."""
    boards = [b for b in workspace_of(request).claims.board(who.actor, subject_id)
              if b.subject_id == subject_id]
    if not boards:
        raise NotFound(f"no subject matches {subject_id!r} (see `sabt claims` for all)")
    return boards


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, who: Who, user: Annotated[str, Query(max_length=64)] = "",
          item: Annotated[str, Query(max_length=200)] = "",
          page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    size = 100
    entries = workspace_of(request).audit.entries(who.actor, user=user or None,
                                                  item=item or None, limit=size + 1,
                                                  offset=(page - 1) * size)
    return render(request, "audit.html", {"entries": entries[:size], "page": page,
                                          "more": len(entries) > size, "user": user,
                                          "item": item}, who=who)
