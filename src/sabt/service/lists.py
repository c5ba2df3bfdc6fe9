"""`ws.lists` and `ws.linkage`: victim lists, link runs, the review queue and capture histories,
on behalf of an actor. List records are seen through their list's mark and their own."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sabt.errors import NotFound
from sabt.policy import Action, Actor, MarkIndex, Marks, sees
from sabt.service.guard import Guard
from sabt.store import access
from sabt.store.workspace import Store

if TYPE_CHECKING:
    import pandas as pd

    from sabt.ingest.headers import Mapping
    from sabt.link.calibrate import Calibration
    from sabt.link.engine import Progress
    from sabt.link.options import LinkSettings
    from sabt.link.workspace import BandItem, ImportReport, ReviewItem, RunReport


class Lists:
    """Importing victim lists (each becomes a source with one record per row)."""

    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    def import_list(self, actor: Actor, path: Path, *, name: str, mapping: Mapping | None = None,
                    duplicate_free: bool = False, dry_run: bool = False) -> ImportReport:
        """Import a list file (all or nothing); `dry_run` reads and maps it, writing nothing."""
        from sabt.link import workspace as lw

        self.guard.require(actor, Action.EDIT)
        return lw.import_list(self.store, path, name=name, mapping=mapping, author=actor.id,
                              duplicate_free=duplicate_free, dry_run=dry_run)


    def imported(self, actor: Actor) -> list[dict[str, Any]]:
        """The imported lists the actor may see: name, source, file, records, warnings."""
        from sqlalchemy import select

        from sabt.link import tables as lt

        self.guard.require(actor, Action.VIEW)
        with self.store.connect() as conn:
            rows = conn.execute(select(lt.list_import).order_by(lt.list_import.c.name)).all()
            index = access.mark_index(conn, entities={r.source_id for r in rows}, records=set())
        return [{"name": r.name, "source_id": r.source_id, "file_name": r.file_name,
                 "records": r.n_records, "warnings": r.n_warnings,
                 "duplicate_free": r.duplicate_free}
                for r in rows if sees(actor, index.entity(r.source_id))]


class Linkage:
    """Link runs, review decisions and capture histories."""

    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    def run(self, actor: Actor, settings: LinkSettings | None = None, *,
            progress: Progress | None = None, full: bool = False,
            spark: Any = None) -> RunReport:
        """Link every imported list into persons (a new, versioned run; reviews honoured);
        `spark` is the SparkSession of the spark backend."""
        from sabt.link import workspace as lw

        self.guard.require(actor, Action.LINK)
        return lw.run_linkage(self.store, settings, author=actor.id, progress=progress,
                              full=full, spark=spark)

    def _index(self, records: dict[int, dict[str, Any]]) -> MarkIndex:
        with self.store.connect() as conn:
            return access.mark_index(
                conn, entities={r["source_id"] for r in records.values()},
                records={(r["source_id"], r["row"]) for r in records.values()})

    @staticmethod
    def _record_marks(index: MarkIndex, rec: dict[str, Any]) -> Marks:
        return (*index.entity(rec["source_id"]),
                *((index.records[(rec["source_id"], rec["row"])],)
                  if (rec["source_id"], rec["row"]) in index.records else ()))

    def records(self, actor: Actor, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Records by id (list, row, raw row, fields); one the actor may not see is missing."""
        from sabt.link import workspace as lw

        self.guard.require(actor, Action.VIEW)
        found = lw.records_by_id(self.store, list(ids))
        index = self._index(found)
        shown = {}
        for rid, rec in found.items():
            marks = self._record_marks(index, rec)
            if sees(actor, marks):
                self.guard.read(actor, f"record {rid}", marks)
                shown[rid] = rec
        return shown

    def queue(self, actor: Actor) -> list[ReviewItem]:
        """Pairs waiting for review whose two records the actor may see."""
        from sabt.link import workspace as lw

        self.guard.require(actor, Action.REVIEW)
        items = lw.review_queue(self.store)
        recs = lw.records_by_id(self.store, sorted({i for it in items
                                                    for i in (it.record_l, it.record_r)}))
        index = self._index(recs)
        return [it for it in items
                if all(i in recs and sees(actor, self._record_marks(index, recs[i]))
                       for i in (it.record_l, it.record_r))]

    def sample_bands(self, actor: Actor, per_band: int = 20, seed: int = 1988, *,
                     undecided: bool = False) -> list[BandItem]:
        """The band sample of the latest run (`per_band` random pairs per probability band,
        fixed by `seed`) whose two records the actor may see; with `undecided`, only pairs
        without a match / non-match decision. Decisions on these pairs estimate the linkage's
        precision and recall and check its probabilities (`calibration`)."""
        from sabt.link import workspace as lw

        self.guard.require(actor, Action.REVIEW)
        _, items = lw.band_sample(self.store, per_band, seed)
        recs = lw.records_by_id(self.store, sorted({i for it in items
                                                    for i in (it.record_l, it.record_r)}))
        index = self._index(recs)
        return [it for it in items
                if not (undecided and it.decision in ("match", "non-match"))
                and all(i in recs and sees(actor, self._record_marks(index, recs[i]))
                        for i in (it.record_l, it.record_r))]

    def calibration(self, actor: Actor, per_band: int = 20, seed: int = 1988) -> Calibration:
        """Precision and recall with 95% intervals, reliability per band and recalibrated
        probabilities, from decisions on the band sample (aggregates only)."""
        from sabt.link import workspace as lw

        self.guard.require(actor, Action.ANALYSE)
        calib: Calibration = lw.calibration(self.store, per_band, seed)
        return calib

    def decide(self, actor: Actor, record_l: int, record_r: int, decision: str, *,
               note: str = "") -> int:
        """Record a reviewer's decision on a pair; returns its number (for `undo`)."""
        from sabt.link import workspace as lw

        self.guard.require(actor, Action.REVIEW)
        shown = self.records(actor, [record_l, record_r])
        for rid in (record_l, record_r):
            if rid not in shown:
                raise NotFound(f"no record {rid}")
        return lw.decide(self.store, record_l, record_r, decision, reviewer=actor.id, note=note)

    def undo(self, actor: Actor, decision_id: int) -> None:
        from sabt.link import workspace as lw

        self.guard.require(actor, Action.REVIEW)
        lw.undo_decision(self.store, decision_id, reviewer=actor.id)

    def export_decisions(self, actor: Actor, out: Path) -> int:
        """The queue and every active decision as CSV (list names and rows, no personal data)."""
        from sabt.link import workspace as lw

        self.guard.require(actor, Action.REVIEW)
        self.guard.record(actor, "export", None, "export", f"review decisions to {out}")
        return lw.export_decisions(self.store, out)

    def import_decisions(self, actor: Actor, path: Path) -> int:
        from sabt.link import workspace as lw

        self.guard.require(actor, Action.REVIEW)
        return lw.import_decisions(self.store, path, reviewer=actor.id)

    def capture_table(self, actor: Actor, strata: str | None = None) -> pd.DataFrame:
        """Capture patterns of the latest run: aggregates over every record, whatever their
        marks (counts are what analysts work with; no record is shown)."""
        from sabt.link.captures import capture_table

        self.guard.require(actor, Action.ANALYSE)
        self.guard.record(actor, "captures", None, "export",
                          f"capture table{f' by {strata}' if strata else ''}")
        return capture_table(self.store, strata)
