"""What each kind of background job does (`ws.jobs`): the same service calls as the command
line, as the job's user, reporting progress as they go."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sabt.policy import Actor

if TYPE_CHECKING:
    from sabt.service.jobs import Runner
    from sabt.service.workspace import Workspace

Report = Callable[[int, int, str], None]


class _Progress:
    """A link run's progress (phases, and counts where a phase has them) as job progress."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.phase = ""

    def __call__(self, phase: str) -> None:
        self.phase = phase
        self.report(0, 0, phase)

    def count(self, done: int, total: int) -> None:
        self.report(done, total, self.phase)


def runners(ws: Workspace) -> dict[str, Runner]:
    """The runner of every job kind, over one workspace's services."""

    def import_list(actor: Actor, params: Mapping[str, Any], report: Report) -> dict[str, Any]:
        upload = ws.jobs.upload(actor, str(params["upload"]))
        report(0, 1, f"reading {upload.path.name}")
        done = ws.lists.import_list(actor, upload.path, name=str(params["name"]),
                                    duplicate_free=bool(params.get("duplicate_free")))
        ws.jobs.discard(upload.token)     # its bytes are in the vault now
        report(1, 1, "imported")
        warnings = done.parsed.warnings
        return {"source_id": done.source_id, "records": len(done.parsed.records),
                "already_imported": done.already_imported, "warnings": len(warnings),
                "first_warnings": [str(w) for w in warnings[:20]]}

    def link(actor: Actor, params: Mapping[str, Any], report: Report) -> dict[str, Any]:
        run = ws.linkage.run(actor, progress=_Progress(report), full=bool(params.get("full")))
        return {"run_id": run.run_id, "records": run.records, "persons": run.clusters,
                "review_pairs": run.review_pairs, "mode": run.mode}

    return {"import-list": import_list, "link": link}
