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
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

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
            sources=np.asarray(records["source"].astype(str)),
            population=np.asarray(len(sim.population)), threshold=np.asarray(settings.threshold))
        meta = {"scenario": name, "population": len(sim.population), "records": len(records),
                "pairs": len(s.left), "precision": scores.precision, "recall": scores.recall,
                "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
        (out / f"{name}.json").write_text(json.dumps(meta))
        print(json.dumps(meta), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=("link", "estimate"))
    parser.add_argument("--out", type=Path, required=True, help="folder for the linked runs")
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--persons", type=int, default=200, help="people per replicate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--draws", type=int, default=20, help="linkage draws per replicate")
    parser.add_argument("--lcmcr-replicates", type=int, default=30)
    args = parser.parse_args()
    scenarios = tuple(s for s in args.scenarios.split(",") if s)
    if args.stage == "link":
        link_stage(args.out, args.replicates, args.persons, args.seed, scenarios)
    else:
        estimate_stage(args.out, args.replicates, args.seed, scenarios, args.draws,
                       args.lcmcr_replicates)


def estimate_stage(out: Path, replicates: int, seed: int, scenarios: tuple[str, ...],
                   draws: int, lcmcr_replicates: int) -> dict[str, Any]:
    raise NotImplementedError


if __name__ == "__main__":
    main()
