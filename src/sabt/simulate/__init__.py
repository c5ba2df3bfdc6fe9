"""Synthetic populations and victim lists with a known truth (issue #4).

Use: `sim = simulate(scenario("hard", population=5000), seed=1)`, then `write(sim, "out/")`.
`sim.lists` are the lists as published, `sim.truth` says who each row is, `sim.captures` is the
true capture-pattern table and `sim.strata` the true N per stratum. All people are fictional.

Names are loaded on first use (PEP 562), so that importing the package — as the CLI does to
list the scenarios — does not load pandas, DuckDB and openpyxl.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sabt.lazy import lazy_exports

if TYPE_CHECKING:
    from sabt.simulate.config import (
        SCENARIOS,
        ListSpec,
        SimulationConfig,
        config_dict,
        scenario,
    )
    from sabt.simulate.core import Simulation, capture_table, simulate
    from sabt.simulate.files import list_file_stem, write

__getattr__ = lazy_exports(__name__, {
    "SCENARIOS": "config", "ListSpec": "config", "SimulationConfig": "config",
    "config_dict": "config", "scenario": "config",
    "Simulation": "core", "capture_table": "core", "simulate": "core",
    "list_file_stem": "files", "write": "files",
})


__all__ = [
    "SCENARIOS",
    "ListSpec",
    "Simulation",
    "SimulationConfig",
    "capture_table",
    "config_dict",
    "list_file_stem",
    "scenario",
    "simulate",
    "write",
]
