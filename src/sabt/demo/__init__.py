"""`sabt demo`: build the 1988 demo case in an embedded workspace, idempotently.

The build is a list of steps (case data, seed articles, synthetic lists …, report); each step
runs in its own revision. The workspace is built beside the target folder and swapped in only
when every step has succeeded, so a failed build leaves any earlier demo as it was.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sabt import __version__
from sabt.demo.steps import CASE_FILE, STEPS, DemoState
from sabt.errors import SabtError
from sabt.service import Workspace
from sabt.service.users import new_actor
from sabt.store import schema as t
from sabt.store.workspace import MARKER, Store

DEMO_KEY = "demo_built_with"
DEMO_USER = "demo"
REPORT = "report.html"


@dataclass(frozen=True)
class DemoResult:
    """What `build_demo` made or found."""

    workspace: Path
    report: Path
    rebuilt: bool
    case_file: Path
    summary: dict[str, Any] = field(default_factory=dict)


def _demo_version(ws: Store) -> str | None:
    with ws.connect() as conn:
        return conn.execute(select(t.meta.c.value).where(t.meta.c.key == DEMO_KEY)).scalar()


def build_demo(root: Path, *, admin: str, fresh: bool = False,
               progress: Callable[[str, int, int], None] | None = None) -> DemoResult:
    """Build the demo workspace at `root`; reuse it when this version already built it.

    `admin` (the person running the demo) is the workspace's admin; the work is done by its
    user `demo` (editor, reviewer and analyst). `fresh` rebuilds. Only a folder that holds a
    demo workspace is ever replaced. `progress(step, done, total)` is called before each step.
    """
    if (root / MARKER).exists():
        with Store.open(root) as store:
            built = _demo_version(store)
        if built is None:
            raise SabtError(f"{root} is a workspace that is not a demo: choose another folder")
        if built == __version__ and not fresh and (root / REPORT).exists() \
                and (root / CASE_FILE).exists():
            return DemoResult(root, root / REPORT, False, root / CASE_FILE)
    elif root.exists() and any(root.iterdir()):
        raise SabtError(f"{root} exists and is not a demo workspace: choose another folder")
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    ws = Workspace.create(partial, admin=admin, display_name="demo admin")
    owner = ws.actor(admin)
    worker = ws.users.add(owner, new_actor(
        DEMO_USER, ["editor", "reviewer", "analyst"], clearance="confidential",
        display_name="Sabt demo builder"), reason="the demo's builder")
    state = DemoState(ws, worker, owner)
    try:
        for number, (name, step) in enumerate(STEPS):
            if progress:
                progress(name, number, len(STEPS))
            step(state)
        with ws.store.change(worker.id, "demo built") as ch:
            ch.conn.execute(t.meta.insert().values(key=DEMO_KEY, value=__version__))
        if progress:
            progress("done", len(STEPS), len(STEPS))
    except BaseException:
        ws.close()
        shutil.rmtree(partial, ignore_errors=True)
        raise
    ws.close()
    if root.exists():
        shutil.rmtree(root)
    partial.rename(root)
    return DemoResult(root, root / REPORT, True, root / CASE_FILE, state.summary)
