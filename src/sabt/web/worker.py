"""The server's background worker: one thread that runs queued jobs (`ws.jobs.run_next`) one
after the other while the server runs. At start, jobs a stopped server left running are marked
failed (`ws.jobs.recover`); at shutdown the thread stops after the job it is running.

Of the processes serving one workspace (`sabt serve --workers N`, or several servers on one
database), one at a time runs jobs: its worker holds the workspace's `jobs` lock
(`Store.exclusive`) while the others wait for it, so no process marks failed a job another
is running, and jobs still run one after the other."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

from sabt.errors import SabtError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from sabt.service import Workspace

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
STARTUP_SECONDS = 30.0    # the longest a server waits for its job runner to recover at start
JOBS_TASK = "jobs"


def _loop(ws: Workspace, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            ran = ws.jobs.run_next()
        except Exception:   # the database went away for a moment: try again later
            log.exception("the job worker could not read the queue")
            ran = None
        if ran is None:
            stop.wait(POLL_SECONDS)


def _runner(ws: Workspace, stop: threading.Event, started: threading.Event) -> None:
    """Wait for the workspace's `jobs` lock (another process may hold it), then recover and
    run jobs until `stop`; `started` is set once this process knows whether it runs them."""
    while not stop.is_set():
        try:
            with ws.store.exclusive(JOBS_TASK, "another server process runs the jobs"):
                marked = ws.jobs.recover()
                if marked:
                    log.warning("%d job(s) left running by a stopped server were marked "
                                "failed", marked)
                started.set()
                _loop(ws, stop)
                return
        except SabtError:   # held by another process (or the database is away): wait
            started.set()
            stop.wait(POLL_SECONDS)


def lifespan(ws: Workspace, run_jobs: bool, close: bool = False,
             ) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The application's lifespan: the job runner until shutdown (see the module doc), and the
    workspace closed at the end when `close`."""
    @asynccontextmanager
    async def span(_app: FastAPI) -> AsyncIterator[None]:
        stop, started = threading.Event(), threading.Event()
        thread = None
        if run_jobs:
            thread = threading.Thread(target=_runner, args=(ws, stop, started),
                                      name="sabt-jobs", daemon=True)
            thread.start()
            started.wait(STARTUP_SECONDS)    # a lone server has recovered before it answers
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=5)
            if close:
                ws.close()
    return span
