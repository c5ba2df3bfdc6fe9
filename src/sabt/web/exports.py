"""Exports in the browser and the API: the case report (HTML, what the reader may see) and the
whole workspace as JSON Lines. Each asks for the user's own password (and code) again, as user
administration does; the service calls (`ws.reports`, `ws.exports`) decide who may export what
and write the audit."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from sabt.service import Workspace
from sabt.web.app import Visitor, check_csrf, render, visitor, workspace_of

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["exports"])
Who = Annotated[Visitor, Depends(visitor)]
Password = Annotated[str, Form(max_length=1024)]
Short = Annotated[str, Form(max_length=200)]
TITLE = "Sabt case report"


class Confirmation(BaseModel):
    """The caller's own password (and code, when they have a second factor) again."""

    password: str = Field(max_length=1024)
    code: str = Field(default="", max_length=64)
    title: str = Field(default=TITLE, max_length=200)


def _file(who: Visitor, write: Callable[[Path], object], name: str,
          media_type: str) -> Response:
    """Write an export into a private temporary folder, send it, then remove the folder."""
    folder = Path(tempfile.mkdtemp(prefix="sabt-export-"))
    try:
        write(folder / name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(folder / name, media_type=media_type, filename=name,
                        headers={"Cache-Control": "no-store"},
                        background=BackgroundTask(shutil.rmtree, folder, True))


def _report(ws: Workspace, who: Visitor, title: str) -> Response:
    return _file(who, lambda out: ws.reports.write(who.actor, out, title or TITLE),
                 "report.html", "text/html; charset=utf-8")


def _jsonl(ws: Workspace, who: Visitor) -> Response:
    return _file(who, lambda out: ws.exports.jsonl(who.actor, out), "export.jsonl",
                 "application/x-ndjson")


@pages.get("/exports", response_class=HTMLResponse)
def exports(request: Request, who: Who) -> Response:
    return render(request, "exports.html", {"title": TITLE}, who=who)


@pages.post("/exports/report")
def export_report(request: Request, who: Who, my_password: Password, csrf: Short = "",
                  my_code: Short = "", title: Short = TITLE) -> Response:
    check_csrf(who, csrf)
    ws = workspace_of(request)
    ws.signin.reauthenticate(who.actor, my_password, my_code)
    return _report(ws, who, title)


@pages.post("/exports/jsonl")
def export_jsonl(request: Request, who: Who, my_password: Password, csrf: Short = "",
                 my_code: Short = "") -> Response:
    check_csrf(who, csrf)
    ws = workspace_of(request)
    ws.signin.reauthenticate(who.actor, my_password, my_code)
    return _jsonl(ws, who)


@api.post("/exports/report")
def api_report(request: Request, who: Who, body: Confirmation) -> Response:
    """The case report (one HTML file) of what the caller may see; needs the caller's
    password (and code) again, and with a session cookie its CSRF token as `X-CSRF-Token`."""
    check_csrf(who, request.headers.get("x-csrf-token", ""))
    ws = workspace_of(request)
    ws.signin.reauthenticate(who.actor, body.password, body.code)
    return _report(ws, who, body.title)


@api.post("/exports/jsonl")
def api_jsonl(request: Request, who: Who, body: Confirmation) -> Response:
    """The whole workspace as JSON Lines (those who may export it whole); needs the caller's
    password (and code) again, and with a session cookie its CSRF token as `X-CSRF-Token`."""
    check_csrf(who, request.headers.get("x-csrf-token", ""))
    ws = workspace_of(request)
    ws.signin.reauthenticate(who.actor, body.password, body.code)
    return _jsonl(ws, who)
