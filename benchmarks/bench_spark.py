"""Spark (local mode) next to DuckDB: the same SYNTHETIC lists linked by both, in one run.

Run: nice -n 5 .venv/bin/python benchmarks/bench_spark.py [--records 20000 50000 200000]
                                                           [--train-on duckdb|backend]
                                                           [--master local[2]]

For each size, the simulator's `hard` scenario (5 lists) is linked end to end (normalise,
block, train, score, cluster) by `sabt.link.engine.link` on DuckDB and on Spark, each in its
own process so its peak memory and CPU are its own. Reported per run: wall seconds, CPU
seconds (the Python process plus, for Spark, the JVM: driver and executor share one JVM in
local mode), peak RSS of the Python driver and of the JVM, the blocked pairs scored, the kept
pairs, and the pairwise F1 between the two backends' clusters. The machine's load average is
printed beside the numbers (other processes share the cores).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sabt.link.engine import link
from sabt.link.evaluate import pairwise_scores, simulated_records
from sabt.link.options import LinkSettings

_RECORDS_PER_PERSON = 1.67   # the `hard` scenario's 5 lists hold about this many per person


def _jvm_stats() -> tuple[float, float, float]:
    """CPU seconds of this process's descendants (the Spark JVM and the Python workers it
    forks, with their reaped children), peak RSS (MB) of the JVM, and the largest peak RSS
    (MB) of one Python worker."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[int, str, float, float]] = {}   # pid → parent, name, cpu, peak
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            name = stat.split("(", 1)[1].rsplit(")", 1)[0]
            fields = stat.rsplit(")", 1)[1].split()
            cpu = sum(int(f) for f in fields[11:15]) / tick
            peak = 0.0
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
            procs[int(entry.name)] = (int(fields[1]), name, cpu, peak)
    mine = {os.getpid()}
    grew = True
    while grew:
        grew = False
        for pid, (parent, *_rest) in procs.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                grew = True
    mine.discard(os.getpid())
    cpu = sum(procs[p][2] for p in mine)
    jvm = max((procs[p][3] for p in mine if "java" in procs[p][1]), default=0.0)
    worker = max((procs[p][3] for p in mine if "java" not in procs[p][1]), default=0.0)
    return cpu, jvm, worker


def _child(backend: str, path: str, master: str, out: str, train_on: str) -> None:
    """One backend end to end; prints its timings as JSON and saves its clusters to `out`."""
    records = pd.read_pickle(path)
    spark = None
    if backend == "spark":
        from sabt.link.spark import session

        spark = session(master, {"spark.driver.memory": "3g"})
    t0 = time.perf_counter()
    result = link(records, LinkSettings(backend=backend, train_on=train_on), spark=spark)
    seconds = time.perf_counter() - t0
    jvm_cpu, jvm_peak, worker_peak = _jvm_stats()
    if spark is not None:
        spark.stop()
    np.save(out, result.clustering.cluster)
    timings = {k: round(v, 1) for k, v in result.scored.timings.items()}
    print(json.dumps({"seconds": seconds, "jvm_cpu_s": jvm_cpu, "jvm_peak_mb": jvm_peak,
                      "worker_peak_mb": worker_peak,
                      "kept_pairs": len(result.scored.left), "phases": timings}))


def _loadavg() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def _blocked_pairs(records: pd.DataFrame) -> int:
    """The pairs the size-capped block keys give, each once (as splink's blocking gives them
    and both backends score them)."""
    from sabt.link.blocking import block_keys, blocked_pairs, key_matrices
    from sabt.link.engine import present_columns
    from sabt.link.features import build_features
    from sabt.link.settings import prediction_rules

    features = build_features(records)
    keys = block_keys(features, prediction_rules(present_columns(features)),
                      LinkSettings.max_block)
    return len(blocked_pairs(*key_matrices(keys))[0])


def run(size: int, master: str, seed: int, train_on: str) -> list[dict[str, Any]]:
    from sabt.simulate import scenario, simulate

    population = int(size / _RECORDS_PER_PERSON)
    rows = []
    with tempfile.TemporaryDirectory(prefix="SYNTHETIC_bench_spark_") as tmp:
        records, _, _ = simulated_records(simulate(scenario("hard", population=population),
                                                   seed=seed), Path(tmp))
        path = Path(tmp) / "SYNTHETIC_records.pkl"
        records.to_pickle(path)
        blocked = _blocked_pairs(records)
        clusters = {}
        for backend in ("duckdb", "spark"):
            load = _loadavg()
            out = str(Path(tmp) / f"{backend}.npy")
            proc = subprocess.Popen([sys.executable, __file__, "--child", backend, str(path),
                                     master, out, train_on], stdout=subprocess.PIPE,
                                    text=True)
            assert proc.stdout is not None
            text = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                raise SystemExit(f"{backend} at {len(records):,} records failed")
            result = json.loads(text.strip().splitlines()[-1])
            clusters[backend] = np.load(out)
            py_cpu = usage.ru_utime + usage.ru_stime
            rows.append({"backend": backend if backend == "duckdb" else f"spark {master}",
                         "train_on": train_on if backend == "spark" else "duckdb",
                         "records": len(records), "blocked_pairs": blocked,
                         "kept_pairs": result["kept_pairs"],
                         "wall_s": round(result["seconds"], 1),
                         "cpu_s": round(py_cpu + result["jvm_cpu_s"], 1),
                         "driver_peak_mb": round(usage.ru_maxrss / 1024),
                         "jvm_peak_mb": round(result["jvm_peak_mb"]),
                         "py_worker_peak_mb": round(result["worker_peak_mb"]),
                         "phases": result["phases"], "load": f"{load} → {_loadavg()}"})
            print(json.dumps(rows[-1]), flush=True)   # each backend as soon as it is done
        f1 = pairwise_scores(clusters["spark"], clusters["duckdb"]).f1
        for row in rows:
            row["f1_vs_duckdb"] = round(f1, 5)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[20_000, 50_000, 200_000])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--train-on", default="duckdb", choices=["duckdb", "backend"],
                        help="where the Spark run trains: duckdb on the driver (the default) "
                        "or backend (EM on Spark)")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    for size in args.records:
        for row in run(size, args.master, args.seed, args.train_on):
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
