"""Lists and background work in the browser: the imported lists, uploading a list with a
preview of how it will be read, importing it and starting a link run as background jobs with
a progress page that survives a reload. Every call is `ws.lists`, `ws.jobs`' or `ws.linkage`'s."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from sabt import limits
from sabt.ingest.preview import Preview, preview
from sabt.service.jobs import Job
from sabt.web.app import Visitor, check_csrf, redirect, render, visitor, workspace_of

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["lists and jobs"])
Who = Annotated[Visitor, Depends(visitor)]
Csrf = Annotated[str, Form(max_length=128)]
ListName = Annotated[str, Form(min_length=1, max_length=200)]


def _stage_and_preview(request: Request, who: Visitor, file: UploadFile,
                       name: str) -> tuple[str, Preview]:
    """Keep the upload and read it without writing anything (a dry run)."""
    ws = workspace_of(request)
    upload = ws.jobs.stage(who.actor, file.filename or "upload",
                           iter(lambda: file.file.read(1 << 20), b""),
                           max_bytes=limits.current().list_bytes)
    try:
        report = ws.lists.import_list(who.actor, upload.path, name=name, dry_run=True)
    except BaseException:
        ws.jobs.discard(upload.token)    # an unreadable upload leaves nothing behind
        raise
    return upload.token, preview(report.parsed)


@pages.get("/lists", response_class=HTMLResponse)
def lists(request: Request, who: Who) -> Response:
    ws = workspace_of(request)
    return render(request, "lists.html", {"lists": ws.lists.imported(who.actor),
                                          "jobs": ws.jobs.list(who.actor)}, who=who)


@pages.post("/lists/upload", response_class=HTMLResponse)
def upload(request: Request, who: Who, file: UploadFile, name: ListName,
           csrf: Csrf = "", duplicate_free: Annotated[bool, Form()] = False) -> Response:
    check_csrf(who, csrf)
    token, shown = _stage_and_preview(request, who, file, name)
    return render(request, "list_preview.html", {"token": token, "preview": shown,
                                                 "duplicate_free": duplicate_free}, who=who)


@pages.post("/lists/import")
def start_import(request: Request, who: Who, token: Annotated[str, Form(max_length=64)],
                 name: ListName, csrf: Csrf = "",
                 duplicate_free: Annotated[bool, Form()] = False) -> Response:
    check_csrf(who, csrf)
    job = workspace_of(request).jobs.submit(who.actor, "import-list", {
        "upload": token, "name": name, "duplicate_free": duplicate_free})
    return redirect(f"/jobs/{job.id}")


@pages.post("/link")
def start_link(request: Request, who: Who, csrf: Csrf = "") -> Response:
    check_csrf(who, csrf)
    job = workspace_of(request).jobs.submit(who.actor, "link", {})
    return redirect(f"/jobs/{job.id}")


@pages.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, who: Who, job_id: int) -> Response:
    job = workspace_of(request).jobs.get(who.actor, job_id)
    return render(request, "job.html", {"job": job}, who=who)


def job_json(job: Job) -> dict[str, Any]:
    out = asdict(job)
    for key in ("created_at", "started_at", "finished_at"):
        out[key] = out[key].isoformat() if out[key] else None
    out["params"] = {k: v for k, v in job.params.items() if k != "upload"}
    return out


@api.post("/uploads")
def api_upload(request: Request, who: Who, file: UploadFile, name: ListName,
               ) -> dict[str, Any]:
    """Upload a list file (multipart: `file`, `name`) and get the preview of how it will be
    read, with the token that `POST /api/v1/jobs` imports. Signed in by cookie, send the
    session's CSRF token as `X-CSRF-Token`."""
    check_csrf(who, request.headers.get("x-csrf-token", ""))
    token, shown = _stage_and_preview(request, who, file, name)
    return {"token": token, "preview": asdict(shown)}


class JobIn(BaseModel):
    kind: str = Field(pattern="^(import-list|link)$")
    params: dict[str, str | bool] = Field(default_factory=dict)


@api.post("/jobs")
def api_submit(request: Request, who: Who, body: JobIn) -> dict[str, Any]:
    """Start a job: `import-list` (params `upload` — the token — `name`, `duplicate_free`) or
    `link`; answers the job, whose progress `GET /api/v1/jobs/ID` follows."""
    check_csrf(who, request.headers.get("x-csrf-token", ""))
    return job_json(workspace_of(request).jobs.submit(who.actor, body.kind, body.params))


@api.get("/jobs")
def api_jobs(request: Request, who: Who) -> list[dict[str, Any]]:
    """The caller's latest jobs (admins: everyone's), newest first."""
    return [job_json(j) for j in workspace_of(request).jobs.list(who.actor)]


@api.get("/jobs/{job_id}")
def api_job(request: Request, who: Who, job_id: int) -> dict[str, Any]:
    """A job's state: queued, running (with progress), done (with its result) or failed (with
    the reason)."""
    return job_json(workspace_of(request).jobs.get(who.actor, job_id))
