"""Synthetic populations and victim lists with a known truth (issue #4).

Use: `sim = simulate(scenario("hard", population=5000), seed=1)`, then `write(sim, "out/")`.
`sim.lists` are the lists as published, `sim.truth` says who each row is, `sim.captures` is the
true capture-pattern table and `sim.strata` the true N per stratum. All people are fictional.
"""

from sabt.simulate.config import SCENARIOS, ListSpec, SimulationConfig, config_dict, scenario
from sabt.simulate.core import Simulation, capture_table, simulate
from sabt.simulate.write import list_file_stem, write

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
