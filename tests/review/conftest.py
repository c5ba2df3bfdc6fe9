"""A SYNTHETIC linked workspace (three `hard` lists of 400 fictional people, seed 11) with two
reviewers and a viewer, shared by the review tests of one module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sabt.link import workspace as lw
from sabt.service import Workspace
from sabt.service.users import new_actor
from sabt.simulate import scenario, simulate, write


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("SYNTHETIC_review")
    sim = simulate(scenario("hard", population=400, lists=3), seed=11)
    write(sim, folder, formats=("csv",), population=False)
    ws = Workspace.create(folder / "ws", admin="boss")
    boss = ws.actor("boss")
    for name in ("rev1", "rev2"):
        ws.users.add(boss, new_actor(name, ["reviewer"]))
    ws.users.add(boss, new_actor("vi", ["viewer"]))
    for path, name in zip(sorted((folder / "lists").glob("SYNTHETIC_list_*.csv")), "ABC",
                          strict=True):
        lw.import_list(ws.store, path, name=f"SYNTHETIC {name}", author="boss")
    ws.linkage.run(boss)
    yield ws
    ws.close()
