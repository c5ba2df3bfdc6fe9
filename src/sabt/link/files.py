"""Linking list files without a workspace (`sabt link-files`): read each file, link the rows,
and return one cluster per row with a summary — for a statistician who has only files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sabt.errors import SabtError
from sabt.ingest.headers import Mapping
from sabt.link.options import LinkSettings

if TYPE_CHECKING:
    import pandas as pd

    from sabt.estimate.propagate import LinkageInput
    from sabt.link.engine import Progress


@dataclass
class LinkedFiles:
    """One row per input row (file, row, cluster_id, probability), a summary, and the readers'
    warnings per file."""

    table: pd.DataFrame
    summary: dict[str, Any]
    blocking: dict[str, int]
    warnings: dict[str, list[str]] = field(default_factory=dict)


def _read(files: Sequence[Path], mapping: Mapping | None,
          ) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Every file's rows stacked (``source`` = the file), and the readers' warnings."""
    import pandas as pd

    from sabt.ingest.lists import read_list

    if len(set(map(str, files))) != len(files):
        raise SabtError("the same file is given twice")
    frames = []
    warnings: dict[str, list[str]] = {}
    for path in files:
        parsed = read_list(path, mapping=mapping)
        frame = parsed.records.copy()
        frame["source"] = str(path)
        frames.append(frame)
        if parsed.warnings:
            warnings[str(path)] = [str(w) for w in parsed.warnings]
    return pd.concat(frames, ignore_index=True), warnings


def link_files(files: Sequence[Path], settings: LinkSettings | None = None, *,
               mapping: Mapping | None = None, progress: Progress | None = None,
               spark: Any = None) -> LinkedFiles:
    """Link the rows of several list files (.csv, .tsv, .xlsx, .json) into clusters (`spark`:
    the SparkSession of the spark backend)."""
    import pandas as pd

    from sabt.link.engine import link

    settings = settings or LinkSettings()
    records, warnings = _read(files, mapping)
    result = link(records, settings, progress=progress, spark=spark)
    table = pd.DataFrame({
        "file": records["source"],
        "row": records["row"],
        "cluster_id": result.clustering.cluster,
        "probability": result.clustering.probability.round(6),
    })
    summary = {
        "records": len(records),
        "clusters": int(table["cluster_id"].nunique()),
        "linked_records": int((table.groupby("cluster_id")["row"].transform("size") > 1).sum()),
        "scored_pairs": len(result.scored.left),
        "blocks_left_unscored": result.scored.blocking.get("dropped_blocks", 0),
    }
    return LinkedFiles(table, summary, dict(result.scored.blocking), warnings)


def linkage_input_files(files: Sequence[Path], settings: LinkSettings | None = None, *,
                        mapping: Mapping | None = None, strata: str | None = None,
                        progress: Progress | None = None,
                        ) -> tuple[LinkageInput, dict[str, list[str]]]:
    """Link list files as `link_files` does and return what linkage draws need
    (`sabt.estimate.propagate.LinkageInput`; lists are named by file name), with the readers'
    warnings. `strata` is a record field (province, sex_code …) to stratify by."""
    from sabt.estimate.propagate import LinkageInput
    from sabt.estimate.strata import stratum_labels
    from sabt.ingest.lists import RECORD_COLUMNS
    from sabt.link.engine import link

    settings = settings or LinkSettings()
    records, warnings = _read(files, mapping)
    if strata is not None and strata not in records.columns:
        raise SabtError(f"unknown stratum column {strata!r}; use one of "
                        f"{', '.join(c for c in RECORD_COLUMNS if c not in ('raw', 'row'))}")
    result = link(records, settings, progress=progress)
    names = [Path(s).name for s in records["source"]]
    if len(set(names)) != len(set(records["source"])):
        names = [str(s) for s in records["source"]]
    s = result.scored
    labels = None if strata is None else stratum_labels(
        [v if isinstance(v, str) else None for v in records[strata]])[0]
    inp = LinkageInput(
        sources=names, left=s.left, right=s.right, probability=s.probability,
        point=result.clustering.cluster, contradicted=s.contradicted,
        duplicate_free=sorted(set(names)) if settings.all_duplicate_free
        else [Path(d).name for d in settings.duplicate_free],
        strata=labels)
    return inp, warnings
