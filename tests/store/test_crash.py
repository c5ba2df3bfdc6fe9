"""A process killed (SIGKILL) in the middle of a large import leaves the workspace as it was."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sabt.model.statements import Locator, NewStatement, Quantity, Reference
from sabt.store.workspace import Store


def _big_export(tmp_path: Path, n: int) -> Path:
    ws = Store.create(tmp_path / "source")
    with ws.change("tester", reason="bulk") as ch:
        src = ch.add_source("list")
        person = ch.add_entity("person", "someone")
        ch.add_statements(NewStatement(person, "row", Quantity(i),
                                       references=[Reference(src, Locator(row=i), "x" * 40)])
                          for i in range(n))
    out = io.StringIO()
    ws.export_jsonl(out)
    path = tmp_path / "big.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_sigkill_during_import_leaves_nothing_partial(tmp_path: Path,
                                                      database_url: str | None) -> None:
    export = _big_export(tmp_path, 150_000)
    target = tmp_path / "target"
    Store.create(target, database_url).close()
    env = {**os.environ, "SABT_WORKSPACE": str(target)}
    if database_url:
        env["SABT_DATABASE_URL"] = database_url
    proc = subprocess.Popen([sys.executable, "-m", "sabt", "import-jsonl", str(export)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ws = Store.open(target, database_url)
    deadline = time.monotonic() + 60
    # Kill once rows are being written (the WAL grows on SQLite; on PostgreSQL, wait for the
    # transaction to show up as active), so the kill really lands mid-write.
    while time.monotonic() < deadline and proc.poll() is None:
        if database_url is None:
            wal = target / "sabt.sqlite-wal"
            if wal.exists() and wal.stat().st_size > 2_000_000:
                break
        else:
            from sqlalchemy import text

            with ws.engine.connect() as conn:
                busy = conn.execute(text(
                    "select count(*) from pg_stat_activity where state = 'idle in transaction'"
                    " or (state = 'active' and query ilike 'INSERT%')")).scalar_one()
            if busy:
                time.sleep(1.0)
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be killed: make it bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    counts = ws.counts()
    assert counts["statements"] == 0 and counts["references"] == 0
    assert ws.entities() == []
    ws.close()
