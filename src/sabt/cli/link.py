"""Linkage commands that need no workspace: `sabt link-files` for statisticians."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from sabt.cli.app import JsonOpt, app, console
from sabt.errors import SabtError
from sabt.ingest.headers import Mapping
from sabt.ingest.lists import read_list
from sabt.link.engine import link
from sabt.link.settings import LinkSettings


class _Phases:
    """Prints each pipeline phase with the time the previous one took (rich status line)."""

    def __init__(self) -> None:
        self.status = console.status("starting")
        self.last: tuple[str, float] | None = None

    def __call__(self, phase: str) -> None:
        self._finish()
        self.last = (phase, time.perf_counter())
        self.status.update(f"{phase} …")

    def _finish(self) -> None:
        if self.last is not None:
            name, start = self.last
            console.print(f"[dim]✓ {name} ({time.perf_counter() - start:.1f} s)[/]")

    def __enter__(self) -> _Phases:
        self.status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._finish()
        self.status.stop()


@app.command("link-files")
def link_files(
    files: Annotated[list[Path], typer.Argument(help="List files (.csv, .xlsx, .json).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write clusters.csv.")],
    mapping: Annotated[Path | None, typer.Option(help="mapping.toml for unknown headers.")] = None,
    threshold: Annotated[float, typer.Option(help="Link pairs at or above this probability.")
                         ] = LinkSettings.threshold,
    one_per_list: Annotated[bool, typer.Option(
        "--one-per-list", help="Never put two records of one list in a cluster.")] = False,
    backend: Annotated[str, typer.Option(help="duckdb (default) or spark.")] = "duckdb",
    seed: Annotated[int, typer.Option(help="Seed for the sampled training.")] = LinkSettings.seed,
    as_json: JsonOpt = False,
) -> None:
    """Link list files without a workspace; writes file,row,cluster_id,probability."""
    if len(set(map(str, files))) != len(files):
        raise SabtError("the same file is given twice")
    mapping_obj = Mapping.load(mapping) if mapping else None
    frames = []
    for path in files:
        parsed = read_list(path, mapping=mapping_obj)
        frame = parsed.records.copy()
        frame["source"] = str(path)
        frames.append(frame)
        for warning in parsed.warnings[:5]:
            console.print(f"[yellow]warning:[/] {path}: {warning}", highlight=False)
        if len(parsed.warnings) > 5:
            console.print(f"[yellow]warning:[/] {path}: {len(parsed.warnings) - 5} more")
    records = pd.concat(frames, ignore_index=True)
    settings = LinkSettings(threshold=threshold, all_duplicate_free=one_per_list,
                            backend=backend, seed=seed)
    with _Phases() as phases:
        result = link(records, settings, progress=phases)
    table = pd.DataFrame({
        "file": records["source"],
        "row": records["row"],
        "cluster_id": result.clustering.cluster,
        "probability": result.clustering.probability.round(6),
    })
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    summary = {
        "records": len(records),
        "clusters": int(table["cluster_id"].nunique()),
        "linked_records": int((table.groupby("cluster_id")["row"].transform("size") > 1).sum()),
        "scored_pairs": len(result.scored.left),
        "out": str(out),
    }
    if as_json:
        console.print_json(json.dumps(summary))
        return
    grid = Table(title="link-files", show_header=False)
    for key, value in summary.items():
        grid.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else value)
    console.print(grid)
