"""`sabt demo`: build the 1988 demo case in an embedded workspace, idempotently."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from sabt import __version__
from sabt.demo.seeds import EVENT, add_seed_articles
from sabt.errors import SabtError
from sabt.store import schema as t
from sabt.store.workspace import MARKER, Workspace

DEMO_KEY = "demo_built_with"


@dataclass(frozen=True)
class DemoResult:
    """What `build_demo` made or found."""

    workspace: Path
    rebuilt: bool
    sources: tuple[str, ...]
    featured: tuple[str, ...]


def _demo_version(ws: Workspace) -> str | None:
    with ws.engine.connect() as conn:
        return conn.execute(select(t.meta.c.value).where(t.meta.c.key == DEMO_KEY)).scalar()


def build_demo(root: Path, *, fresh: bool = False) -> DemoResult:
    """Build the demo workspace at `root`; reuse it when already built by this version.

    `fresh` rebuilds. Only a folder that holds a demo workspace is ever replaced; the new one is
    built beside it and swapped in, so a failed build leaves the old one as it was.
    """
    featured = (EVENT, "P-montazeri")
    if (root / MARKER).exists():
        ws = Workspace.open(root)
        built = _demo_version(ws)
        if built is None:
            ws.close()
            raise SabtError(f"{root} is a workspace that is not a demo: choose another folder")
        sources = tuple(s.id for s in ws.entities("source"))
        ws.close()
        if built == __version__ and not fresh:
            return DemoResult(root, False, sources, featured)
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    ws = Workspace.create(partial)
    try:
        with ws.change(author="sabt demo", reason="demo: seed articles and their statements") as ch:
            added = add_seed_articles(ch)
            ch.conn.execute(t.meta.insert().values(key=DEMO_KEY, value=__version__))
    finally:
        ws.close()
    if root.exists():
        shutil.rmtree(root)
    partial.rename(root)
    return DemoResult(root, True, tuple(added.values()), featured)
