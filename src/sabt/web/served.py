"""The application factory of `sabt serve --workers N`: uvicorn starts N processes, and each
calls `app` to open the workspace named by the serving command (in the environment variables
below) and build the same application as one process would.

Several processes can serve one workspace because what a request depends on lives in the
database: sessions, API tokens, failed-login counts and lock-outs, review claims and the job
queue; each process keeps only caches of derived data (name scores, the memorial index).
Background jobs still run one at a time (`sabt.web.worker`). The one limit kept in memory, the
memorial's messages per sender (`sabt.service.corrections`: nothing about a sender is stored),
is shared out: each of N processes allows 1/N of it (at least one message).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

WORKSPACE_VAR = "SABT_SERVE_WORKSPACE"
DATABASE_VAR = "SABT_SERVE_DATABASE_URL"
SECURE_VAR = "SABT_SERVE_SECURE_COOKIES"
WORKERS_VAR = "SABT_SERVE_WORKERS"


def environment(workspace: str, database_url: str | None, secure_cookies: bool, workers: int,
                ) -> dict[str, str]:
    """The variables `app` reads, for the serving command to set before uvicorn starts."""
    return {WORKSPACE_VAR: workspace, DATABASE_VAR: database_url or "",
            SECURE_VAR: "1" if secure_cookies else "0", WORKERS_VAR: str(workers)}


def app() -> FastAPI:
    """One worker process's application over its own connection to the workspace (closed when
    the process stops serving)."""
    from sabt.service import Workspace
    from sabt.service.corrections import LIMIT_EVENTS, RateLimit
    from sabt.web import create_app

    ws = Workspace.open(os.environ[WORKSPACE_VAR], os.environ.get(DATABASE_VAR) or None)
    workers = max(1, int(os.environ.get(WORKERS_VAR) or 1))
    ws.corrections.limit = RateLimit(events=max(1, LIMIT_EVENTS // workers))
    return create_app(ws, secure_cookies=os.environ.get(SECURE_VAR) != "0", close=True)
