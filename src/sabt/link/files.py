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

    from sabt.link.engine import Progress


@dataclass
class LinkedFiles:
    """One row per input row (file, row, cluster_id, probability), a summary, and the readers'
    warnings per file."""

    table: pd.DataFrame
    summary: dict[str, Any]
    blocking: dict[str, int]
    warnings: dict[str, list[str]] = field(default_factory=dict)


def link_files(files: Sequence[Path], settings: LinkSettings | None = None, *,
               mapping: Mapping | None = None, progress: Progress | None = None) -> LinkedFiles:
    """Link the rows of several list files (.csv, .tsv, .xlsx, .json) into clusters."""
    import pandas as pd

    from sabt.ingest.lists import read_list
    from sabt.link.engine import link

    if len(set(map(str, files))) != len(files):
        raise SabtError("the same file is given twice")
    settings = settings or LinkSettings()
    frames = []
    warnings: dict[str, list[str]] = {}
    for path in files:
        parsed = read_list(path, mapping=mapping)
        frame = parsed.records.copy()
        frame["source"] = str(path)
        frames.append(frame)
        if parsed.warnings:
            warnings[str(path)] = [str(w) for w in parsed.warnings]
    records = pd.concat(frames, ignore_index=True)
    result = link(records, settings, progress=progress)
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
