"""The table of background jobs (`ws.jobs`): long work started from the web application — an
import, a link run — queued, run by the server's worker, its progress and outcome kept so a
page reload or a restart loses nothing (a job left running by a stopped server is marked failed
with that reason). Working state, like sessions: not part of the case record."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from sabt.store.schema import BigId, Json, metadata

job = Table(
    "job",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("actor", String(64), nullable=False, index=True),
    Column("params", Json, nullable=False),
    Column("status", String(16), nullable=False, index=True),   # queued running done failed
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("result", Json),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
)
