"""`sabt simulate`: write synthetic victim lists with their truth (issue #4)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sabt.cli.app import JsonOpt, app, console
from sabt.errors import InvalidValue
from sabt.simulate.config import SCENARIOS, scenario


def _overrides(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        knob, sep, value = item.partition("=")
        if not sep or not knob:
            raise InvalidValue(f"--set expects KNOB=VALUE, got {item!r}", field="--set")
        out[knob.strip()] = value.strip()
    return out


@app.command("simulate")
def simulate_cmd(
    scenario_name: Annotated[
        str, typer.Option("--scenario", help=f"One of: {', '.join(SCENARIOS)}.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (lists/ and SYNTHETIC_* files).")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same files.")],
    population: Annotated[int | None, typer.Option("--population", help="True N.")] = None,
    lists: Annotated[int | None, typer.Option("--lists", help="Number of lists K.")] = None,
    knobs: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a knob: KNOB=VALUE for every list, or LIST.KNOB=VALUE "
            "(e.g. typo_rate=0.1, B.coverage=0.3); see docs/simulate.md.",
        ),
    ] = None,
    xlsx: Annotated[
        str,
        typer.Option(
            "--xlsx", help="auto (XLSX for lists of at most 20,000 rows), always, or never."
        ),
    ] = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Simulate a population and K lists with a known truth; every file says SYNTHETIC."""
    from sabt.simulate import simulate, write

    overrides: dict[str, object] = dict(_overrides(knobs or []))
    if population is not None:
        overrides["population"] = population
    if lists is not None:
        overrides["lists"] = lists
    formats = {"auto": ("auto",), "always": ("csv", "xlsx"), "never": ("csv",)}.get(xlsx)
    if formats is None:
        raise InvalidValue("--xlsx must be auto, always or never", field="--xlsx")
    config = scenario(scenario_name, **overrides)
    start = time.perf_counter()
    steps = 1 + 2 * len(config.lists) + 4
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("simulating", total=steps)

        def step(message: str) -> None:
            bar.update(task, advance=1, description=message)

        sim = simulate(config, seed=seed, progress=step)
        paths = write(sim, out, formats=formats, progress=step)
    elapsed = time.perf_counter() - start
    summary = {
        "scenario": config.scenario,
        "seed": seed,
        "population": len(sim.population),
        "observed": int(sim.strata.iloc[0]["n_observed"]),
        "persian_share": round(sim.persian_share, 3),
        "seconds": round(elapsed, 2),
        "lists": {name: len(frame) for name, frame in sim.lists.items()},
        "files": [str(p) for p in paths],
    }
    if as_json:
        console.print_json(json.dumps(summary))
        return
    table = Table(title=f"SYNTHETIC lists, scenario {config.scenario}, seed {seed}")
    for column in ("list", "organisation", "rows", "script", "copies from"):
        table.add_column(column)
    for spec in config.lists:
        table.add_row(
            spec.name,
            spec.organisation,
            f"{len(sim.lists[spec.name]):,}",
            spec.script,
            spec.copy_from or "",
        )
    console.print(table)
    console.print(
        f"true N {len(sim.population):,}, seen by at least one list "
        f"{summary['observed']:,}; Persian-script rows {sim.persian_share:.0%}; "
        f"{len(paths)} files in {out} ({elapsed:.1f} s)"
    )
