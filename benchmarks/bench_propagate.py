"""Coverage of naive vs linkage-propagated 95% intervals on SYNTHETIC lists linked by Sabt.

Run (two stages, so the costly linking is done once and kept):

    nice -n 10 .venv/bin/python benchmarks/bench_propagate.py link --out CACHE
    nice -n 10 .venv/bin/python benchmarks/bench_propagate.py estimate --out CACHE

Design (cheap enough for a shared 2-core machine):

* `link`: per scenario (`hard`, `dependent`, `heterogeneous`, `1988-like`) one simulator run
  of `replicates × persons` people is written as CSV files, read back like a user's files and
  linked once by Sabt's own engine (`sabt.link.engine.link`: splink model trained on these
  lists, the default settings). The scored pairs, the point clustering and the truth are kept.
* `estimate`: the people are split at random into `replicates` disjoint groups; each group is
  one replicate with a known N (its size, people on no list included). A replicate's records
  are its people's records and its pairs the scored pairs inside it, so its linkage errors are
  those of a population of its own size linked by a model trained on the whole run (the only
  shared thing). On each replicate the naive estimate (the point linkage's capture table) and
  the propagated one (`sabt.estimate.propagate`, `--draws` linkage draws) are computed and
  their 95% intervals checked against N; the true capture table's interval is shown too.

Per linkage draw, log-linear refits the model chosen on the point linkage, dga averages all
decomposable graphs and LCMCR runs one short chain (see docs/estimate.md, "Linkage
uncertainty"); LCMCR is run on the first `--lcmcr-replicates` replicates only.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from sabt.estimate.lcmcr import LcmcrSettings
from sabt.estimate.propagate import LinkageInput, capture_tables, propagate
from sabt.estimate.report import MethodEstimate, estimate_all
from sabt.link.calibrate import Calibration, calibrate, sample_bands

SCENARIOS = ("hard", "dependent", "heterogeneous", "1988-like")


def link_stage(out: Path, replicates: int, persons: int, seed: int,
               scenarios: tuple[str, ...]) -> None:
    """Simulate and link each scenario once; keep pairs, point clusters and truth (.npz)."""
    from sabt.link.engine import link
    from sabt.link.evaluate import pairwise_scores, simulated_records
    from sabt.link.options import LinkSettings
    from sabt.simulate import scenario, simulate

    out.mkdir(parents=True, exist_ok=True)
    for name in scenarios:
        wall, cpu = time.perf_counter(), time.process_time()
        sim = simulate(scenario(name, population=replicates * persons), seed=seed)
        with tempfile.TemporaryDirectory(prefix="SYNTHETIC_bench_") as tmp:
            records, truth, _ = simulated_records(sim, Path(tmp))
        settings = LinkSettings()
        result = link(records, settings)
        s = result.scored
        scores = pairwise_scores(result.clustering.cluster, truth)
        np.savez_compressed(
            out / f"{name}.npz", left=s.left, right=s.right, probability=s.probability,
            contradicted_l=s.contradicted[0], contradicted_r=s.contradicted[1],
            cluster=result.clustering.cluster, truth=truth,
            sources=np.asarray(records["source"].astype(str), dtype=np.str_),
            population=np.asarray(len(sim.population)), threshold=np.asarray(settings.threshold))
        meta = {"scenario": name, "population": len(sim.population), "records": len(records),
                "pairs": len(s.left), "precision": scores.precision, "recall": scores.recall,
                "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
        (out / f"{name}.json").write_text(json.dumps(meta))
        print(json.dumps(meta), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=("link", "estimate", "table"))
    parser.add_argument("--out", type=Path, required=True, help="folder for the linked runs")
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--persons", type=int, default=200, help="people per replicate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--draws", type=int, default=10, help="linkage draws per replicate")
    parser.add_argument("--per-band", type=int, default=20,
                        help="band sample a SYNTHETIC reviewer decides by the truth")
    parser.add_argument("--use", type=int, default=100,
                        help="estimate on the first USE replicates only")
    parser.add_argument("--dga-replicates", type=int, default=30)
    parser.add_argument("--lcmcr-replicates", type=int, default=10)
    parser.add_argument("--truth-replicates", type=int, default=50,
                        help="replicates whose true capture table is also estimated")
    parser.add_argument("--lcmcr", choices=("study", "fast"), default="study",
                        help="naive and true-table LCMCR settings: the study's 2 short chains "
                        "or LcmcrSettings.fast() (4 chains × (5,000 + 1,000 × 50))")
    parser.add_argument("--methods", default="loglinear,dga,lcmcr",
                        help="methods to run (e.g. lcmcr alone, to add LCMCR replicates)")
    args = parser.parse_args()
    scenarios = tuple(s for s in args.scenarios.split(",") if s)
    if args.stage == "link":
        link_stage(args.out, args.replicates, args.persons, args.seed, scenarios)
    elif args.stage == "estimate":
        estimate_stage(args.out, args.replicates, args.seed, scenarios, args.draws,
                       (args.use, args.dga_replicates, args.lcmcr_replicates,
                        args.truth_replicates), args.per_band,
                       tuple(m for m in args.methods.split(",") if m),
                       STUDY_LCMCR if args.lcmcr == "study" else LcmcrSettings.fast())
    else:
        table_stage(args.out, scenarios)


#: LCMCR on the point linkage (naive) in the study: 2 chains, shorter than the reference runs
STUDY_LCMCR = LcmcrSettings(K=10, burn_in=2_000, samples=500, thinning=10, chains=2)


def load(path: Path) -> dict[str, np.ndarray]:
    """A linked run written by `link_stage` (our own file: its list names are an object
    array), read once into memory."""
    with np.load(path, allow_pickle=True) as npz:
        return {k: npz[k] for k in npz.files}


def reviewed_calibration(data: dict[str, np.ndarray], per_band: int, seed: int,
                         ) -> tuple[Calibration, dict[str, float]]:
    """A SYNTHETIC reviewer decides the band sample of the whole linked run by the truth;
    the calibration from it, and the true precision and recall to compare with."""
    truth, cluster = data["truth"], data["cluster"]
    left, right, p = data["left"], data["right"], data["probability"]
    match = truth[left] == truth[right]
    linked = cluster[left] == cluster[right]
    picked = sample_bands(p, per_band, seed)
    calib = calibrate(p, linked, picked, match[picked].astype(np.int64))
    return calib, {"precision": float(match[linked].mean()),
                   "recall": float((match & linked).sum() / match.sum())}


def _replicate(data: Any, group: np.ndarray, r: int) -> tuple[LinkageInput, np.ndarray, int]:
    """Replicate `r`: its people's records and the scored pairs among them, the records' true
    persons and its true N."""
    truth = data["truth"]
    recs = np.flatnonzero(group[truth] == r)
    where = np.full(len(truth), -1, dtype=np.int64)
    where[recs] = np.arange(len(recs))

    def inside(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        keep = (where[a] >= 0) & (where[b] >= 0)
        return where[a[keep]], where[b[keep]], keep

    left, right, keep = inside(data["left"], data["right"])
    c_left, c_right, _ = inside(data["contradicted_l"], data["contradicted_r"])
    inp = LinkageInput(sources=data["sources"][recs].tolist(), left=left, right=right,
                       probability=data["probability"][keep], point=data["cluster"][recs],
                       contradicted=(c_left, c_right))
    return inp, truth[recs], int((group == r).sum())


def _pairs_inside(data: dict[str, np.ndarray], group: np.ndarray, r: int) -> np.ndarray:
    """Which scored pairs lie inside replicate `r` (in `_replicate`'s order)."""
    g = group[data["truth"]]
    return np.asarray((g[data["left"]] == r) & (g[data["right"]] == r))


def estimate_stage(out: Path, replicates: int, seed: int, scenarios: tuple[str, ...],
                   draws: int, limits: tuple[int, int, int, int], per_band: int,
                   only: tuple[str, ...] = ("loglinear", "dga", "lcmcr"),
                   lcmcr: LcmcrSettings | None = None) -> None:
    """Naive, propagated and true-table coverage per scenario and method (of `only`), on the
    first `limits` = (all replicates, dga, LCMCR, true-table) replicates of the `replicates`
    groups, LCMCR with `lcmcr` (default `STUDY_LCMCR`) on the point and true tables; one JSON
    file per scenario (`table` prints them)."""
    study = lcmcr or STUDY_LCMCR
    use, dga_replicates, lcmcr_replicates, truth_replicates = limits
    for name in scenarios:
        wall, cpu = time.perf_counter(), time.process_time()
        data = load(out / f"{name}.npz")
        population = int(data["population"])
        rng = np.random.default_rng(seed)
        group = np.empty(population, dtype=np.int64)
        group[rng.permutation(population)] = np.arange(population) % replicates
        hits: dict[tuple[str, str], list[tuple[bool, bool, float, float, float, float]]] = {}
        calib, true_rates = reviewed_calibration(data, per_band, seed)
        calibrated = calib.calibrated(data["probability"]) if calib.recalibrate else None
        for r in range(min(use, replicates)):
            inp, truth, N = _replicate(data, group, r)
            keep = _pairs_inside(data, group, r)
            methods = [m for m in ("loglinear", "dga", "lcmcr") if m in only and (
                m == "loglinear" or r < (dga_replicates if m == "dga" else lcmcr_replicates))]
            if not methods:
                continue
            rep = propagate(inp, draws=draws, methods=methods, seed=seed + r,
                            lcmcr=replace(study, seed=seed + r),
                            probability=None if calibrated is None else calibrated[keep],
                            probabilities="calibrated" if calibrated is not None else "model")
            on_truth: dict[str, MethodEstimate] = {}
            if r < truth_replicates:
                true_table = capture_tables(replace(inp, point=truth), truth[None, :])[0]
                exact = estimate_all(true_table, methods,
                                     lcmcr=replace(study, seed=seed + r))
                on_truth = {e.method: e for e in exact.estimates
                            if not (e.method == "loglinear" and e.averaged)}
            for e in rep.estimates:
                p, t = e.pooled, on_truth.get(e.method)
                if p is None:
                    continue
                hits.setdefault((name, e.method), []).append((
                    e.naive.lower <= N <= e.naive.upper, p.lower <= N <= p.upper,
                    math.nan if t is None else float(t.lower <= N <= t.upper),
                    e.naive.estimate / N,
                    (e.naive.upper - e.naive.lower) / N, (p.upper - p.lower) / N))
            _write(out / f"coverage_{name}.json", hits, time.perf_counter() - wall,
                   time.process_time() - cpu, calib, true_rates)


def _write(path: Path, hits: dict[tuple[str, str], list[tuple[bool, bool, float, float, float,
                                                                float]]],
           wall: float, cpu: float, calib: Calibration, true_rates: dict[str, float]) -> None:
    """The coverage rows so far (written after every replicate, so a study cut short still
    says what it ran)."""
    rows: list[dict[str, Any]] = []
    for (scen, method), v in hits.items():
        a = np.array(v, dtype=np.float64)
        known = a[:, 2][~np.isnan(a[:, 2])]
        rows.append({"scenario": scen, "method": method, "replicates": len(v),
                     "naive": float(a[:, 0].mean()), "propagated": float(a[:, 1].mean()),
                     "true_table": float(known.mean()) if len(known) else None,
                     "true_table_replicates": len(known),
                     "median_ratio": float(np.median(a[:, 3])),
                     "naive_width": float(a[:, 4].mean()),
                     "propagated_width": float(a[:, 5].mean()),
                     "wall": wall, "cpu": cpu, "calibration": calib.to_dict(),
                     "true_rates": true_rates})
    path.write_text(json.dumps(rows, indent=1))


def table_stage(out: Path, scenarios: tuple[str, ...]) -> None:
    """The coverage table (markdown) from the scenarios' JSON files."""
    print("| scenario | method | replicates | naive 95% covers | propagated 95% covers | "
          "true table covers (replicates) | median N̂/N naive | mean width/N naive → "
          "propagated | wall (CPU) s |")
    print("|---|---|---|---|---|---|---|---|---|")
    notes: list[str] = []
    for name in scenarios:
        path = out / f"coverage_{name}.json"
        if not path.exists():
            continue
        for row in json.loads(path.read_text()):
            truth = ("—" if row["true_table"] is None else
                     f"{row['true_table']:.0%} ({row['true_table_replicates']})")
            c, t = row["calibration"], row["true_rates"]
            notes.append(f"* {name}: band sample of {c['reviewed']} pairs — precision "
                         f"{c['precision']['estimate']:.3f} ({c['precision']['lower']:.3f}–"
                         f"{c['precision']['upper']:.3f}; true {t['precision']:.3f}), recall "
                         f"{c['recall']['estimate']:.3f} ({c['recall']['lower']:.3f}–"
                         f"{c['recall']['upper']:.3f}; true {t['recall']:.3f}); "
                         f"probabilities {'recalibrated' if c['recalibrated'] else 'kept'}")
            print(f"| {row['scenario']} | {row['method']} | {row['replicates']} | "
                  f"{row['naive']:.0%} | {row['propagated']:.0%} | {truth} | "
                  f"{row['median_ratio']:.3f} | {row['naive_width']:.3f} → "
                  f"{row['propagated_width']:.3f} | {row['wall']:.0f} ({row['cpu']:.0f}) |")
    print()
    print("\n".join(dict.fromkeys(notes)))


if __name__ == "__main__":
    main()
