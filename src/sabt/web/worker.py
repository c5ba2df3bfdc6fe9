"""The server's background worker: one thread that runs queued jobs (`ws.jobs.run_next`) one
after the other while the server runs. At start, jobs a stopped server left running are marked
failed (`ws.jobs.recover`); at shutdown the thread stops after the job it is running."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from sabt.service import Workspace

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


def _loop(ws: Workspace, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            ran = ws.jobs.run_next()
        except Exception:   # the database went away for a moment: try again later
            log.exception("the job worker could not read the queue")
            ran = None
        if ran is None:
            stop.wait(POLL_SECONDS)


def lifespan(ws: Workspace, run_jobs: bool,
             ) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The application's lifespan: recover, then run the worker until shutdown."""
    @asynccontextmanager
    async def span(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = None
        if run_jobs:
            marked = ws.jobs.recover()
            if marked:
                log.warning("%d job(s) left running by a stopped server were marked failed",
                            marked)
            thread = threading.Thread(target=_loop, args=(ws, stop), name="sabt-jobs",
                                      daemon=True)
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=5)
    return span
