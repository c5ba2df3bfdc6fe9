"""`ws.claims` and `ws.reports`: curated case data, the claims board and the case report, each
showing only what the reader may see."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sabt.policy import Action, Actor
from sabt.service.exchange import write_atomically
from sabt.service.guard import Guard
from sabt.service.sight import Sight
from sabt.store.workspace import Store

if TYPE_CHECKING:
    from sabt.claims.board import Board, StoredEstimate
    from sabt.estimate.lcmcr import LcmcrSettings
    from sabt.estimate.propagate import Progress, PropagatedReport
    from sabt.estimate.table import CaptureTable


class Claims:
    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    def import_case(self, actor: Actor, folder: Path, title: str,
                    ) -> tuple[dict[str, int], list[str]]:
        """A curated case dataset: every row becomes statements citing its sources (one
        change). Returns what was written and the reader's warnings (file, row, field)."""
        from sabt.ingest.case import plan_case, write_plan

        self.guard.require(actor, Action.EDIT)
        plan = plan_case(folder, title)
        with self.store.change(actor.id, f"import case dataset {title}") as ch:
            return write_plan(ch, plan), [str(w) for w in plan.warnings]

    def board(self, actor: Actor, subject: str | None = None) -> list[Board]:
        """Every published figure on each subject the actor may see, with stored estimates."""
        from sabt.claims.board import claims_board

        self.guard.require(actor, Action.VIEW)
        return claims_board(self.store, subject, Sight(actor, self.store))


class Reports:
    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    def write(self, actor: Actor, out: Path, title: str, *, index_limit: int | None = None,
              **extra: Any) -> int:
        """The static HTML case report of what the actor may see, listing at most
        `index_limit` persons by name (`extra`: the demo's synthetic parts); returns how many
        items were withheld."""
        from sabt.errors import InvalidValue
        from sabt.report.data import INDEX_LIMIT, collect, vault_summary
        from sabt.report.html import render

        self.guard.require(actor, Action.VIEW)
        limit = INDEX_LIMIT if index_limit is None else index_limit
        if limit < 0:
            raise InvalidValue("the person index cannot list fewer than 0 names",
                               field="persons")
        sight = Sight(actor, self.store)
        if _sees_vault(actor):
            extra = {**vault_summary(self.store), **extra}
        data = collect(self.store, title, sight=sight, captures=_captures(self.store, actor),
                       index_limit=limit, **extra)
        write_atomically(out, lambda handle: handle.writelines(
            render(data, withheld=lambda: sight.withheld)))
        self.guard.record(actor, "export", None, "export",
                          f"report to {out}, {sight.withheld} item(s) withheld")
        return sight.withheld


def _captures(store: Store, actor: Actor) -> dict[str, list[str | None]]:
    """Each source's preserved copies in the vault: the hash of those the actor may see (their
    own mark and their source's), None for the others."""
    from sqlalchemy import select

    from sabt.policy import DEFAULT_MARK, sees
    from sabt.store import access
    from sabt.vault.tables import vault_item

    with store.connect() as conn:
        rows = conn.execute(select(vault_item.c.sha256, vault_item.c.source_id).where(
            vault_item.c.source_id.is_not(None))).all()
        own = access.marks_of(conn, "vault", [r.sha256 for r in rows])
        of_source = access.marks_of(conn, "entity", [r.source_id for r in rows])
    out: dict[str, list[str | None]] = {}
    for sha, source in rows:
        marks = (own.get(sha, DEFAULT_MARK), of_source.get(source, DEFAULT_MARK))
        out.setdefault(source, []).append(sha if sees(actor, marks) else None)
    return out


def _sees_vault(actor: Actor) -> bool:
    """The report's vault section lists every item: only for those who may export it whole."""
    from sabt.policy import can

    return can(actor, Action.EXPORT)


class Estimates:
    """Estimates kept in the workspace (beside the claims on their subject)."""

    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    def save(self, actor: Actor, report: dict[str, Any], *, label: str, synthetic: bool,
             subject_id: str | None, inputs: dict[str, Any]) -> list[int]:
        """Keep an estimation report (the `sabt estimate --json` form), filed under a
        claims-board subject the actor may see (NotFound otherwise, as for no such subject);
        synthetic estimates may not name a subject."""
        from sabt.claims.board import record_estimates
        from sabt.errors import InvalidValue, NotFound

        self.guard.require(actor, Action.ANALYSE)
        if subject_id is not None:
            if synthetic:
                raise InvalidValue("a synthetic estimate cannot be filed under a real subject",
                                   field="save")
            missing = NotFound(f"no subject with id {subject_id!r} (see `sabt claims`)")
            try:
                kind = self.store.entity_kind(subject_id)
            except NotFound:
                raise missing from None
            seen, _ = Sight(actor, self.store).filter([subject_id], [])
            if kind != "subject" or subject_id not in seen:
                raise missing
        with self.store.change(actor.id, f"estimates: {label}") as ch:
            return record_estimates(ch, report, label=label, synthetic=synthetic,
                                    subject_id=subject_id, inputs=inputs)

    def capture_table(self, actor: Actor, strata: Sequence[str] = ()) -> CaptureTable:
        """The capture-pattern table of the latest link run, ready to estimate (one stratum
        column at most: the linkage stratifies each person by one record field)."""
        from sabt.errors import InvalidValue
        from sabt.estimate.table import CaptureTable
        from sabt.link.captures import capture_table

        if len(strata) > 1:
            raise InvalidValue("with --workspace, give --strata once (one record field such as "
                               "province or sex_code)", field="strata")
        column = strata[0] if strata else None
        self.guard.require(actor, Action.ANALYSE)
        self.guard.record(actor, "captures", None, "export",
                          f"capture table{f' by {column}' if column else ''}")
        frame = capture_table(self.store, column)
        lists = [str(c) for c in frame.columns if c not in ("count", column)]
        return CaptureTable.from_dataframe(frame, lists=lists, strata=list(strata),
                                           source=f"{self.store.root} (latest link run)")

    def propagate(
        self, actor: Actor, *, draws: int = 200, methods: Sequence[str] = ("loglinear", "lcmcr",
                                                                          "dga"),
        strata: Sequence[str] = (), merge: dict[str, str] | None = None, drop: Sequence[str] = (),
        seed: int = 19481210, lcmcr: LcmcrSettings | None = None, delta: float | None = None,
        max_order: int | None = None, per_band: int = 20, band_seed: int = 1988,
        progress: Progress | None = None,
    ) -> PropagatedReport:
        """Estimates on the latest link run with its uncertainty carried in: `draws` linkage
        draws (reviewers' decisions fixed in each), every method pooled over them, beside the
        naive estimates. The probabilities drawn from are the model's, or the calibrated ones
        when the decisions on the band sample (`per_band`, `band_seed`: see
        `Linkage.sample_bands`) say the model's are off."""
        from functools import partial

        from sabt.errors import InvalidValue
        from sabt.estimate.propagate import propagate
        from sabt.estimate.strata import edit_strata
        from sabt.link import workspace as lw

        if len(strata) > 1:
            raise InvalidValue("with --workspace, give --strata once (one record field such as "
                               "province or sex_code)", field="strata")
        column = strata[0] if strata else None
        self.guard.require(actor, Action.ANALYSE)
        self.guard.record(actor, "captures", None, "export",
                          f"linkage draws ({draws}){f' by {column}' if column else ''}")
        inp = lw.linkage_input(self.store, column)
        calib = lw.calibration(self.store, per_band, band_seed) if len(inp.left) else None
        label = "model"
        probability = None
        if calib is not None and calib.reviewed:
            if calib.recalibrate:
                probability = calib.calibrated(inp.probability)
                label = f"calibrated on {calib.reviewed} reviewed band-sample pairs (isotonic)"
            else:
                label = f"model (agrees with {calib.reviewed} reviewed band-sample pairs)"
        edit = partial(edit_strata, merge=merge or {}, drop=drop) if column else None
        report = propagate(inp, draws=draws, methods=methods, seed=seed, lcmcr=lcmcr,
                           delta=delta, max_order=max_order, probability=probability,
                           probabilities=label, edit=edit, progress=progress)
        if calib is not None:
            report.calibration = calib.to_dict()
        return report

    def stored(self, actor: Actor, *, synthetic: bool | None = None) -> list[StoredEstimate]:
        from sabt.claims.board import stored_estimates

        self.guard.require(actor, Action.VIEW)
        return stored_estimates(self.store, synthetic=synthetic)
