"""Interval coverage on SYNTHETIC capture tables with a known N, drawn by the simulator.

Each replicate is one `sabt.simulate` run of a scenario; its true capture-pattern table
(`sim.captures`, no linkage involved) is estimated and every method's 95% interval is checked
against the true N (`len(sim.population)`):

* `independent` — 3 lists, homogeneous and independent capture: every method's assumptions
  hold.
* `heterogeneous` — 5 lists whose capture probabilities depend on affiliation, prison and sex
  plus a continuous latent visibility shared by all lists (logit loading 0.8): people with
  low visibility are rarely on any list, and no method's model holds (log-linear and dga have
  no heterogeneity terms; LCMCR's finitely many classes cannot reach people who are almost
  never listed).
* `heterogeneous` with the knob `visibility=0` — the same covariate effects without the latent
  visibility: a finite mixture of covariate groups with independent lists within each group,
  which is LCMCR's latent-class model (approximately: more groups than K = 10 classes, with
  similar capture profiles).

The population is smaller than the simulator's defaults so that a 100-replicate study of all
methods takes minutes (`STUDY_POPULATION`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sabt.estimate.lcmcr import LcmcrSettings
from sabt.estimate.report import estimate_all
from sabt.estimate.table import CaptureTable

SCENARIOS = ("independent", "heterogeneous")
# (scenario, knob overrides) of the study: the two scenarios and heterogeneity without the
# latent visibility
CASES: tuple[tuple[str, dict[str, float]], ...] = (
    ("independent", {}), ("heterogeneous", {}), ("heterogeneous", {"visibility": 0.0}))
STUDY_POPULATION = {"independent": 2_000, "heterogeneous": 3_000}
COVERAGE_LCMCR = LcmcrSettings(K=10, burn_in=3_000, samples=500, thinning=20, chains=2)


def simulated_table(scenario: str, seed: int, population: int | None = None,
                    knobs: Mapping[str, float] | None = None) -> tuple[CaptureTable, int]:
    """The true capture table of one simulator run and its true N (list names say SYNTHETIC).

    `knobs` override the scenario's settings for every list (see docs/simulate.md)."""
    from sabt.simulate import scenario as make_scenario
    from sabt.simulate import simulate

    size = STUDY_POPULATION[scenario] if population is None else population
    sim = simulate(make_scenario(scenario, population=size, **dict(knobs or {})), seed=seed)
    captures = sim.captures.rename(columns=lambda c: c if c == "count" else f"SYNTHETIC-{c}")
    table = CaptureTable.from_dataframe(captures, source=f"SYNTHETIC {scenario} seed {seed}")
    return table, len(sim.population)


@dataclass
class CoverageRow:
    """Coverage of one method (and model) in one scenario."""

    scenario: str
    method: str
    replicates: int
    covered: int
    median_ratio: float  # median of estimate / true N
    mean_width_ratio: float  # mean interval width / true N

    @property
    def coverage(self) -> float:
        """Share of replicates whose 95% interval holds the true N."""
        return self.covered / self.replicates


def coverage_study(
    scenario: str, replicates: int, *, methods: Sequence[str] = ("loglinear", "lcmcr", "dga"),
    seed: int = 1988, population: int | None = None, knobs: Mapping[str, float] | None = None,
    lcmcr: LcmcrSettings = COVERAGE_LCMCR,
) -> list[CoverageRow]:
    """Estimate on `replicates` simulator runs (seeds `seed`, `seed + 1`, …; LCMCR uses the
    same seed as the run) and count how often each method's interval covers the true N.
    The rows' scenario names the knobs, e.g. ``heterogeneous (visibility=0.0)``."""
    label = scenario + (" (" + ", ".join(f"{k}={v}" for k, v in (knobs or {}).items()) + ")"
                        if knobs else "")
    hits: dict[str, list[tuple[bool, float, float]]] = {}
    for r in range(replicates):
        table, N = simulated_table(scenario, seed + r, population, knobs)
        report = estimate_all(table, methods, lcmcr=replace(lcmcr, seed=seed + r))
        for e in report.estimates:
            key = f"{e.method} ({'averaged' if e.averaged else 'best BIC'})" \
                if e.method == "loglinear" else e.method
            hits.setdefault(key, []).append(
                (e.lower <= N <= e.upper, e.estimate / N, (e.upper - e.lower) / N))
    return [
        CoverageRow(label, key, len(v), sum(h for h, _, _ in v),
                    float(np.median([x for _, x, _ in v])), float(np.mean([w for _, _, w in v])))
        for key, v in hits.items()
    ]
