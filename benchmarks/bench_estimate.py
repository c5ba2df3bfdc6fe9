"""Benchmark sabt.estimate against R's timings (docs/mse.md) and check coverage.

Run: .venv/bin/python benchmarks/bench_estimate.py [--quick]

Prints markdown tables: speed against the R baselines measured on a 2-core machine (LCMCR
≈ 15 µs per iteration; Rcapture 0.8 s for 113 four-list models and 58–86 s for 6,893
five-list models; dga 23 s for 5 lists with Nmissing up to 165 k), the fixtures compared with
R's estimates, and interval coverage on the simulator's SYNTHETIC scenarios with known N.
`--only speed|lcmcr-speed|fixtures|coverage` runs one part (`lcmcr-speed`: LCMCR µs per
iteration on Kosovo, R's table, and on HIV).
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from sabt.estimate import LcmcrSettings, estimate_all, fit_dga, fit_lcmcr, fit_loglinear
from sabt.estimate.coverage import CASES, coverage_study, simulated_table
from sabt.estimate.lcmcr import WARMUP, run_chain
from sabt.estimate.reader import read_capture_csv

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "mse"
R_LCMCR_US = 15.0  # R LCMCR µs per iteration on Kosovo, 4 lists, K = 10 (docs/mse.md: 15–20)
R_DGA_5_BIG = 23.0  # R dga, 5 lists, Nmissing up to 165 k


def _ref() -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    with (DATA / "reference_estimates.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["data"], []).append(row)
    return out


class _Clock:
    """Wall and process-CPU seconds of a block (the benchmark machine may be shared)."""

    def __enter__(self) -> _Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s)"


def _row(*cells: object) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |")


def bench_lcmcr_speed(table: str, iterations: int) -> tuple[float, float]:
    """(wall, CPU) µs per iteration of one chain on a fixture, K = 10. The CPU time of the
    sampling thread is reported beside wall time because the benchmark machine may be
    shared; R's 15 µs was measured on Kosovo (`lcmcr_kosovo`)."""
    t = read_capture_csv(DATA / f"{table}.csv")
    keep = t.counts > 0
    pats, f = t.patterns[keep], t.counts[keep]
    run_chain(pats, f, 10, 0.25, 0.25, 10, 10, 1, 1)  # compile or load the cache
    start, cpu = time.perf_counter(), time.thread_time()
    run_chain(pats, f, 10, 0.25, 0.25, iterations // 2, iterations // 200, 100, 1)
    elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
    total = WARMUP + iterations // 2 + (iterations // 200) * 100
    return elapsed / total * 1e6, cpu / total * 1e6


def main() -> None:
    """Run every benchmark and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer iterations and replicates")
    ap.add_argument("--only", choices=("speed", "lcmcr-speed", "fixtures", "coverage"),
                    help="run one part")
    args = ap.parse_args()
    quick = args.quick
    if args.only in (None, "speed", "lcmcr-speed"):
        bench_speed(quick, args.only == "lcmcr-speed")
    if args.only in (None, "fixtures"):
        bench_fixtures(quick)
    if args.only in (None, "coverage"):
        bench_coverage(20 if quick else 100)


def bench_speed(quick: bool, only_lcmcr: bool = False) -> None:
    """Speed against R's timings (`only_lcmcr`: the LCMCR per-iteration rows only)."""
    ref = _ref()
    print("## Speed against R (2-core machine for both)\n")
    _row("task", "sabt", "R", "R / sabt")
    _row("---", "---", "---", "---")
    for table in ("lcmcr_kosovo", "rcapture_HIV"):
        us, cpu_us = bench_lcmcr_speed(table, 200_000 if quick else 1_000_000)
        r_us = f"{R_LCMCR_US:.0f} (Kosovo)"
        _row(f"LCMCR on {table}, K=10, µs per iteration (1 chain), wall", f"{us:.2f}", r_us,
             f"{R_LCMCR_US / us:.1f}×")
        _row(f"LCMCR on {table}, CPU time of the sampling thread", f"{cpu_us:.2f}", r_us,
             f"{R_LCMCR_US / cpu_us:.1f}×")
    if only_lcmcr:
        return
    for name in ("dga_MY_5list", "sparsemse_Western", "sparsemse_NewOrl_5"):
        t = read_capture_csv(DATA / f"{name}.csv")
        fit_loglinear(t)
        with _Clock() as c:
            res = fit_loglinear(t)
        r_s = float(next(r for r in ref[name] if "closedpMS" in r["method"])["wall_s"])
        _row(f"log-linear: all {res.n_models:,} models of {name}, fit + rank + profile CI",
             c, f"{r_s:.1f} s", f"{r_s / c.wall:.0f}×")
    t = read_capture_csv(DATA / "rcapture_lesbian.csv")
    fit_loglinear(t)
    with _Clock() as c:
        res = fit_loglinear(t)
    _row(f"log-linear: all {res.n_models} models of rcapture_lesbian", c, "0.8 s",
         f"{0.8 / c.wall:.0f}×")
    for name in ("dga_MY_5list", "sparsemse_Western"):
        t = read_capture_csv(DATA / f"{name}.csv")
        with _Clock() as c:
            fit_dga(t)
        r_s = float(next(r for r in ref[name] if r["method"].startswith("dga"))["wall_s"])
        _row(f"dga: {name} (822 graphs)", c, f"{r_s:.2f} s", f"{r_s / c.wall:.1f}×")
    big, _ = simulated_table("heterogeneous", 5, population=10_000)
    with _Clock() as c:
        fit_dga(big)
    _row(f"dga: SYNTHETIC 5 lists, n = {big.n_observed:,} (Nmissing ≤ {20 * big.n_observed:,})",
         c, f"{R_DGA_5_BIG:.0f} s (n = 8,250)", f"{R_DGA_5_BIG / c.wall:.0f}×")
    with _Clock() as c:
        rep = estimate_all(big, lcmcr=LcmcrSettings.fast())
    _row(f"demo: all methods, SYNTHETIC 5 lists, n = {rep.n_observed:,}, LcmcrSettings.fast()",
         c, "—", "—")



def bench_fixtures(quick: bool) -> None:
    """The fixtures against R's estimates."""
    ref = _ref()
    print("\n## Fixtures against R (LCMCR: 2 chains × R's settings unless --quick)\n")
    settings = (LcmcrSettings(thinning=100, samples=1_000, chains=2, seed=1) if quick
                else LcmcrSettings(chains=2, seed=1))
    _row("fixture", "method", "sabt", "R", "sabt s", "R s")
    _row("---", "---", "---", "---", "---", "---")
    for name, rows in ref.items():
        t = read_capture_csv(DATA / f"{name}.csv")
        start = time.perf_counter()
        ll = fit_loglinear(t)
        dt = time.perf_counter() - start
        r = next(r for r in rows if "closedpMS" in r["method"])
        b = ll.best
        _row(name, f"log-linear {b.name}", f"{b.estimate:,.1f} [{b.lower:,.1f}, {b.upper:,.1f}]",
             f"{r['method'].split()[-1]} {float(r['estimate']):,.1f} "
             f"[{float(r['lo']):,.1f}, {float(r['hi']):,.1f}]", f"{dt:.2f}", r["wall_s"])
        start = time.perf_counter()
        d = fit_dga(t)
        dt = time.perf_counter() - start
        r = next(r for r in rows if r["method"].startswith("dga"))
        _row(name, "dga", f"{d.median:,.0f} [{d.lower:,.0f}, {d.upper:,.0f}]",
             f"{r['estimate']} [{r['lo']}, {r['hi']}]", f"{dt:.2f}", r["wall_s"])
        lc = fit_lcmcr(t, settings)
        rs = [r for r in rows if r["method"].startswith("LCMCR")]
        rtxt = "; ".join(f"{float(r['estimate']):,.0f} [{float(r['lo']):,.0f}, "
                         f"{float(r['hi']):,.0f}]" for r in rs)
        _row(name, f"LCMCR (R-hat {lc.rhat:.2f}, ESS {lc.ess:.0f})",
             f"{lc.median:,.0f} [{lc.lower:,.0f}, {lc.upper:,.0f}]", rtxt,
             f"{lc.seconds:.1f} ({settings.chains} chains)", rs[0]["wall_s"] + " (1 chain)")



def bench_coverage(reps: int, seed: int = 1988) -> None:
    """Coverage of the 95% intervals on `reps` simulator runs per scenario."""
    print(f"\n## Coverage of 95% intervals on SYNTHETIC simulator runs ({reps} replicates, "
          f"simulator and LCMCR seeds {seed}–{seed + reps - 1})\n")
    _row("scenario", "N", "lists", "method", "coverage", "median N̂/N", "mean width/N")
    _row("---", "---", "---", "---", "---", "---", "---")
    times = []
    for scenario, knobs in CASES:
        table, N = simulated_table(scenario, seed, knobs=knobs)
        with _Clock() as c:
            rows = coverage_study(scenario, reps, seed=seed, knobs=knobs)
        for r in rows:
            _row(r.scenario, f"{N:,}", table.n_lists, r.method,
                 f"{r.coverage:.0%} ({r.covered}/{r.replicates})", f"{r.median_ratio:.3f}",
                 f"{r.mean_width_ratio:.3f}")
        times.append(f"{rows[0].scenario}: {c}")
    print(f"\nTime for {reps} replicates: " + "; ".join(times))


if __name__ == "__main__":
    main()
