"""`simulate(config, seed)`: population, lists and the truth that validates linkage and estimation.

The truth has three parts: which person each list row is (`truth`), the true N overall and per
stratum (`strata`), and the true capture-pattern table (`captures`, the format of the MSE
fixtures: one 0/1 column per list and `count`), so estimators can be checked without linkage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sabt.simulate.config import SimulationConfig
from sabt.simulate.lists import (
    ORIGINS,
    Records,
    build_records,
    capture_probability,
    format_list,
    streams,
)
from sabt.simulate.names import vocabulary
from sabt.simulate.population import categorical, draw_population

Progress = Callable[[str], None]
STRATA = ("affiliation", "prison", "province", "sex")
MAX_ZERO_PATTERNS = 12  # up to this many lists, unobserved patterns are listed with count 0


@dataclass(frozen=True)
class Simulation:
    """One simulated run. `lists[name]` is the published table; `rows[name]` says who each row is.

    `rows[name]` has, per row of `lists[name]` (same order): person_id, origin (own / copy /
    duplicate), script (persian / latin), the date error applied (none / days / month / year /
    calendar) and which name fields got a typo. `population` has one row per person with the
    true values and each list's capture probability `p_<list>` (before copying).
    """

    config: SimulationConfig
    seed: int
    population: pd.DataFrame
    lists: dict[str, pd.DataFrame]
    rows: dict[str, pd.DataFrame]

    @property
    def capture_matrix(self) -> pd.DataFrame:
        """One row per person, one 0/1 column per list: was the person on it (any row)."""
        out = pd.DataFrame(index=self.population["person_id"].to_numpy())
        for name, rows in self.rows.items():
            seen = np.zeros(len(self.population), dtype=np.int8)
            seen[rows["person_id"].to_numpy()] = 1
            out[name] = seen
        return out

    @property
    def captures(self) -> pd.DataFrame:
        """True capture-pattern counts: 0/1 column per list + `count`, all-zero row absent."""
        return capture_table(self.capture_matrix)

    @property
    def captures_by_stratum(self) -> pd.DataFrame:
        """Capture-pattern counts within each stratum (for stratified estimates):
        `stratum_type`, `stratum`, one 0/1 column per list, `count`."""
        matrix = self.capture_matrix
        k = matrix.shape[1]
        code = matrix.to_numpy().astype(np.int64) @ (1 << np.arange(k - 1, -1, -1))
        patterns = capture_table(matrix.iloc[:0]) if k <= MAX_ZERO_PATTERNS else None
        parts = []
        for kind in STRATA:
            values, index = np.unique(self.population[kind].to_numpy(), return_inverse=True)
            if patterns is None:  # many lists: observed patterns only, stratum by stratum
                for i, value in enumerate(values.tolist()):
                    table = capture_table(matrix[index == i])
                    parts.append(table.assign(stratum_type=kind, stratum=value))
                continue
            counts = np.bincount(index * (1 << k) + code, minlength=len(values) << k)
            for i, value in enumerate(values.tolist()):
                table = patterns.assign(count=counts[(i << k) + np.arange(1, 1 << k)])
                parts.append(table.assign(stratum_type=kind, stratum=value))
        frame = pd.concat(parts, ignore_index=True)
        return frame[["stratum_type", "stratum", *matrix.columns, "count"]]

    @property
    def truth(self) -> pd.DataFrame:
        """(list, row) → person_id for every row of every list, with its origin and errors."""
        names = list(self.rows)
        frame = pd.concat(self.rows.values(), ignore_index=True)
        sizes = [len(rows) for rows in self.rows.values()]
        codes = np.repeat(np.arange(len(names)), sizes)
        frame.insert(0, "row", np.concatenate([np.arange(n) for n in sizes]))
        frame.insert(0, "list", categorical(codes, names))
        return frame

    @property
    def strata(self) -> pd.DataFrame:
        """True N and observed N (on at least one list), overall and per stratum."""
        seen = self.capture_matrix.to_numpy().any(axis=1)
        pop = self.population
        parts = [
            pd.DataFrame(
                {
                    "stratum_type": ["total"],
                    "stratum": ["all"],
                    "n_true": [len(pop)],
                    "n_observed": [int(seen.sum())],
                }
            )
        ]
        for kind in STRATA:
            g = pd.DataFrame({"stratum": pop[kind].to_numpy(), "seen": seen})
            agg = g.groupby("stratum", sort=True)["seen"].agg(["size", "sum"]).reset_index()
            parts.append(
                pd.DataFrame(
                    {
                        "stratum_type": kind,
                        "stratum": agg["stratum"],
                        "n_true": agg["size"],
                        "n_observed": agg["sum"],
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    @property
    def persian_share(self) -> float:
        """Share of all list rows written in Persian script."""
        rows = pd.concat(self.rows.values())
        return float((rows["script"] == "persian").mean()) if len(rows) else 0.0


def capture_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """Pattern counts from a 0/1 person × list matrix (first list = most significant bit)."""
    k = matrix.shape[1]
    bits = matrix.to_numpy().astype(np.int64)
    code = bits @ (1 << np.arange(k - 1, -1, -1))
    counts = np.bincount(code, minlength=1 << k) if k <= MAX_ZERO_PATTERNS else None
    patterns = np.arange(1, 1 << k) if counts is not None else np.unique(code[code > 0])
    table = pd.DataFrame(
        {name: (patterns >> (k - 1 - j)) & 1 for j, name in enumerate(matrix.columns)}
    )
    table["count"] = (
        counts[patterns]
        if counts is not None
        else np.array([int((code == p).sum()) for p in patterns])
    )
    return table


DATE_ERRORS = ("none", "days", "month", "year", "calendar", "missing")


def _row_table(records: Records) -> pd.DataFrame:
    """Who each row is and what was done to it (categorical columns: compact, fast to write)."""
    v = records.values
    date_error = np.where(v["exec_missing"], len(DATE_ERRORS) - 1, v["exec_error"])
    return pd.DataFrame(
        {
            "person_id": v["person_id"],
            "origin": categorical(v["origin"], ORIGINS),
            "script": categorical(v["persian"].astype(np.int8), ("latin", "persian")),
            "date_error": categorical(date_error, DATE_ERRORS),
            "typo_given": v["typo_given"],
            "typo_surname": v["typo_surname"],
            "typo_father": v["typo_father"],
        }
    )


def simulate(
    config: SimulationConfig, seed: int | None = None, progress: Progress | None = None
) -> Simulation:
    """Draw the population and every list. Same config and seed → identical result.

    `seed` defaults to `config.seed`, then 0. `progress` is called with a short message after
    each step (the CLI turns it into a progress bar).
    """
    config.validate()
    seed = int(seed if seed is not None else config.seed if config.seed is not None else 0)
    root = np.random.SeedSequence(seed)
    children = root.spawn(1 + len(config.lists))
    vocab = vocabulary()
    pop = draw_population(
        config.population,
        vocab,
        np.random.default_rng(children[0]),
        config.female_share,
        config.sayyid_share,
    )
    if progress:
        progress("population")
    records: dict[str, Records] = {}
    lists: dict[str, pd.DataFrame] = {}
    rows: dict[str, pd.DataFrame] = {}
    for spec, child in zip(config.lists, children[1:], strict=True):
        rs = streams(child)
        p = capture_probability(spec, pop)
        pop[f"p_{spec.name}"] = np.round(p, 6)
        source = records[spec.copy_from] if spec.copy_from else None
        records[spec.name] = build_records(spec, pop, vocab, p, rs, source)
        lists[spec.name] = format_list(spec, records[spec.name], rs["format"])
        rows[spec.name] = _row_table(records[spec.name])
        if progress:
            progress(f"list {spec.name}")
    public = pop.drop(columns=[c for c in pop.columns if c.startswith("_")])
    return Simulation(config=config, seed=seed, population=public, lists=lists, rows=rows)
