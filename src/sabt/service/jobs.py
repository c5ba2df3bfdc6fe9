"""`ws.jobs`: long work run in the background — importing an uploaded list, a link run — for
the web application, where a request cannot wait minutes.

A job is submitted by an actor (who must be allowed the work: the runner's own service call
checks again when it runs, as that user is then), queued in the database, run by a worker
(`run_next`, called by the server's worker thread), and keeps its progress, its outcome and
the reason it failed. Nothing is lost on a page reload; a job left running by a server that
stopped is marked failed with that reason when a server starts again (`recover`), and can be
submitted again. Uploaded list files wait in the workspace's `uploads/` folder until imported;
`recover` removes uploads older than a day.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from sabt.errors import InvalidValue, NotFound, SabtError
from sabt.policy import Action, Actor, Role
from sabt.service.guard import Guard
from sabt.store.jobs import job
from sabt.store.schema import as_utc
from sabt.store.workspace import Store

log = logging.getLogger(__name__)

#: a runner: (acting user, the job's parameters, report(done, total, message)) -> result
Runner = Callable[[Actor, Mapping[str, Any], Callable[[int, int, str], None]], dict[str, Any]]
KINDS: dict[str, Action] = {"import-list": Action.EDIT, "link": Action.LINK}
UPLOAD_TTL = timedelta(days=1)
_SAFE_NAME = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    actor: str
    params: dict[str, Any]
    status: str
    done: int
    total: int
    message: str
    result: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


def _job(row: Mapping[Any, Any]) -> Job:
    return Job(row["id"], row["kind"], row["actor"], dict(row["params"] or {}), row["status"],
               row["done"], row["total"], row["message"], row["result"],
               as_utc(row["created_at"]),
               as_utc(row["started_at"]) if row["started_at"] else None,
               as_utc(row["finished_at"]) if row["finished_at"] else None)


@dataclass(frozen=True)
class Upload:
    """A list file waiting in `uploads/`: its token (what the import names) and path."""

    token: str
    path: Path


class Jobs:
    def __init__(self, store: Store, guard: Guard, resolve: Callable[[str], Actor],
                 runners: Mapping[str, Runner]) -> None:
        self.store = store
        self.guard = guard
        self.resolve = resolve
        self.runners = runners

    # --- uploads -------------------------------------------------------------------------------

    @property
    def uploads(self) -> Path:
        return self.store.root / "uploads"

    def stage(self, actor: Actor, filename: str, chunks: Iterable[bytes], *,
              max_bytes: int) -> Upload:
        """Keep an uploaded file in `uploads/<token>/` until it is imported; a file over
        `max_bytes`, or any failure, leaves nothing behind."""
        self.guard.require(actor, Action.EDIT)
        name = _SAFE_NAME.sub("_", Path(filename).name).strip(". ") or "upload"
        token = secrets.token_urlsafe(16)
        folder = self.uploads / token
        folder.mkdir(parents=True, mode=0o700)
        path = folder / name[:120]
        size = 0
        try:
            with path.open("xb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise InvalidValue(f"{name}: the file is over {max_bytes:,} bytes "
                                           "(limit list_bytes)", field="file")
                    out.write(chunk)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self.guard.record(actor, "upload", token, "done", f"{name}, {size:,} bytes")
        return Upload(token, path)

    def upload(self, actor: Actor, token: str) -> Upload:
        """A staged upload by its token (NotFound when unknown or already imported)."""
        self.guard.require(actor, Action.EDIT)
        if not re.fullmatch(r"[A-Za-z0-9_\-]{16,64}", token):
            raise NotFound("no such upload")
        files = list((self.uploads / token).glob("*")) if (self.uploads / token).is_dir() else []
        if len(files) != 1:
            raise NotFound("no such upload (it may have been imported already)")
        return Upload(token, files[0])

    def discard(self, token: str) -> None:
        shutil.rmtree(self.uploads / token, ignore_errors=True)

    # --- jobs ----------------------------------------------------------------------------------

    def submit(self, actor: Actor, kind: str, params: Mapping[str, Any]) -> Job:
        """Queue a job of `kind` for `actor` (refused at once when the actor may not do it)."""
        if kind not in KINDS:
            raise InvalidValue(f"unknown job kind {kind!r}", field="kind")
        self.guard.require(actor, KINDS[kind])
        now = datetime.now(UTC)
        with self.store.working() as conn:
            job_id = conn.execute(insert(job).values(
                kind=kind, actor=actor.id, params=dict(params), status="queued", done=0,
                total=0, message="waiting to start", result=None, created_at=now)
                                  .returning(job.c.id)).scalar_one()
        self.guard.record(actor, "job", str(job_id), "done", f"{kind} queued")
        return self.get(actor, job_id)

    def get(self, actor: Actor, job_id: int) -> Job:
        """A job of the actor's (admins: anyone's); another's answers as a missing one."""
        self.guard.require(actor, Action.VIEW)
        with self.store.connect() as conn:
            row = conn.execute(select(job).where(job.c.id == job_id)).mappings().first()
        if row is None or (row["actor"] != actor.id and Role.ADMIN not in actor.roles):
            raise NotFound(f"no job {job_id}")
        return _job(row)

    def list(self, actor: Actor, *, limit: int = 20) -> list[Job]:
        """The actor's latest jobs (admins: everyone's), newest first."""
        self.guard.require(actor, Action.VIEW)
        query = select(job).order_by(job.c.id.desc()).limit(limit)
        if Role.ADMIN not in actor.roles:
            query = query.where(job.c.actor == actor.id)
        with self.store.connect() as conn:
            return [_job(r) for r in conn.execute(query).mappings()]

    def _set(self, job_id: int, **values: Any) -> None:
        with self.store.working() as conn:
            conn.execute(update(job).where(job.c.id == job_id).values(**values))

    def run_next(self) -> Job | None:
        """Run the oldest queued job to its end (None when there is none). The job runs as its
        user as they are now; what fails is recorded with its reason, never raised."""
        with self.store.working() as conn:
            row = conn.execute(select(job).where(job.c.status == "queued")
                               .order_by(job.c.id).limit(1)).mappings().first()
            if row is None:
                return None
            taken = conn.execute(update(job).where(job.c.id == row["id"],
                                                   job.c.status == "queued")
                                 .values(status="running", started_at=datetime.now(UTC),
                                         message="started")).rowcount
        if not taken:          # another worker took it first
            return self.run_next()
        job_id = int(row["id"])

        def report(done: int, total: int, message: str) -> None:
            self._set(job_id, done=done, total=total, message=message[:500])

        try:
            actor = self.resolve(row["actor"])
            result = self.runners[row["kind"]](actor, dict(row["params"]), report)
            self._set(job_id, status="done", result=result, finished_at=datetime.now(UTC),
                      message="done")
        except SabtError as exc:
            self._set(job_id, status="failed", message=str(exc)[:500],
                      finished_at=datetime.now(UTC))
        except Exception as exc:   # the worker goes on; the reason is kept without data
            log.exception("job %s (%s) failed", job_id, row["kind"])
            self._set(job_id, status="failed", finished_at=datetime.now(UTC),
                      message=f"internal error ({type(exc).__name__}); see the server log")
        with self.store.connect() as conn:
            return _job(conn.execute(select(job).where(job.c.id == job_id)).mappings().one())

    def recover(self) -> int:
        """At server start: jobs left running by a stopped server are marked failed with that
        reason; uploads older than a day are removed. Returns the jobs marked."""
        with self.store.working() as conn:
            marked = conn.execute(update(job).where(job.c.status == "running").values(
                status="failed", finished_at=datetime.now(UTC),
                message="the server stopped while this job was running; submit it again"
            )).rowcount
        if self.uploads.is_dir():
            old = datetime.now(UTC).timestamp() - UPLOAD_TTL.total_seconds()
            for folder in self.uploads.iterdir():
                if folder.is_dir() and folder.stat().st_mtime < old:
                    shutil.rmtree(folder, ignore_errors=True)
        return int(marked)
