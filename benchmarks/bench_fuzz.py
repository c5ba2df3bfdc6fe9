"""Long fuzzing run over every reader and importer: inputs tried, crashes, hangs, peak memory.

Goals from issue #19: 0 tracebacks and 0 hangs over ≥ 10,000 hostile inputs; peak memory
≤ 500 MB for any input ≤ 10 MB. Inputs come from `tests.fuzz.corpus` (random mutations of
SYNTHETIC seeds plus deliberately hostile shapes), one kind after another, each from its own
seed, so any finding is replayed with ``--replay KIND:SEED``. A worker process reads the
inputs; the parent waits at most ``--timeout`` seconds per input (a hang: the worker is killed
and replaced) and records the worker's peak resident memory (ru_maxrss) after each input, so
the input that raised the peak is named.

    nice .venv/bin/python benchmarks/bench_fuzz.py [--inputs 10000] [--out fuzz.json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _worker(conn: Connection, structured_share: float) -> None:
    """Read (kind, seed) requests and answer with the outcome and the peak memory so far."""
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    from tests.fuzz.corpus import make_input, run_one

    from sabt.store.workspace import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.create(Path(tmp) / "ws")
        work = Path(tmp) / "in"
        work.mkdir()
        while True:
            request = conn.recv()
            if request is None:
                break
            kind, seed = request
            rng = random.Random(seed)
            data = make_input(kind, rng, structured_share)
            start = time.perf_counter()
            outcome = run_one(kind, data, work, rng, store=store)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            conn.send({"status": outcome.status, "detail": outcome.detail[-2000:],
                       "bytes": len(data), "seconds": time.perf_counter() - start,
                       "peak_mb": usage.ru_maxrss / 1024,
                       "cpu_s": usage.ru_utime + usage.ru_stime})
        store.close()


class Pool:
    """One worker process, replaced when it hangs or dies."""

    def __init__(self, structured_share: float) -> None:
        self.share = structured_share
        self.ctx = mp.get_context("spawn")
        self.cpu_done = 0.0
        self.start()

    def start(self) -> None:
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child, self.share), daemon=True)
        self.proc.start()
        self.last_cpu = 0.0

    def ask(self, kind: str, seed: int, timeout: float) -> dict[str, Any]:
        self.conn.send((kind, seed))
        if self.conn.poll(timeout):
            try:
                answer: dict[str, Any] = self.conn.recv()
                self.last_cpu = answer["cpu_s"]
                return answer
            except EOFError:
                pass
            status = "crash"
            detail = f"worker died (exit code {self.proc.exitcode})"
        else:
            status, detail = "hang", f"no answer within {timeout} s"
        self.proc.kill()
        self.proc.join()
        self.cpu_done += self.last_cpu
        self.start()
        return {"status": status, "detail": detail, "bytes": -1, "seconds": timeout,
                "peak_mb": 0.0, "cpu_s": 0.0}

    def close(self) -> float:
        self.conn.send(None)
        self.proc.join(30)
        return self.cpu_done + self.last_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--structured-share", type=float, default=0.05,
                        help="share of deliberately hostile shapes (the rest: random mutations)")
    parser.add_argument("--replay", help="run one input, KIND:SEED, and print its outcome")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    from tests.fuzz.corpus import KINDS

    pool = Pool(args.structured_share)
    if args.replay:
        kind, _, seed = args.replay.partition(":")
        print(json.dumps(pool.ask(kind, int(seed), args.timeout), indent=1))
        pool.close()
        return
    started = time.perf_counter()
    statuses: Counter[str] = Counter()
    per_kind: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    findings: list[dict[str, Any]] = []
    peak = {"peak_mb": 0.0, "kind": "", "seed": 0, "bytes": 0}
    biggest = 0
    slowest = {"seconds": 0.0, "kind": "", "seed": 0}
    for i in range(args.inputs):
        kind = KINDS[i % len(KINDS)]
        seed = args.seed * 1_000_003 + i
        answer = pool.ask(kind, seed, args.timeout)
        statuses[answer["status"]] += 1
        per_kind[kind][answer["status"]] += 1
        biggest = max(biggest, answer["bytes"])
        if answer["status"] in ("crash", "hang"):
            findings.append({"kind": kind, "seed": seed, "status": answer["status"],
                             "detail": answer["detail"]})
            print(f"{answer['status']}: {kind}:{seed}\n{answer['detail']}", file=sys.stderr)
        if answer["peak_mb"] > peak["peak_mb"]:
            peak = {"peak_mb": round(answer["peak_mb"], 1), "kind": kind, "seed": seed,
                    "bytes": answer["bytes"]}
        if answer["seconds"] > slowest["seconds"]:
            slowest = {"seconds": round(answer["seconds"], 2), "kind": kind, "seed": seed}
        if (i + 1) % 500 == 0:
            print(f"{i + 1} inputs, {dict(statuses)}, peak {peak['peak_mb']} MB, "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    cpu = pool.close()
    result = {
        "inputs": args.inputs, "seed": args.seed, "structured_share": args.structured_share,
        "timeout_s": args.timeout, "outcomes": dict(statuses),
        "crashes": statuses["crash"], "hangs": statuses["hang"],
        "peak_memory": peak, "largest_input_bytes": biggest, "slowest_input": slowest,
        "wall_s": round(time.perf_counter() - started, 1), "worker_cpu_s": round(cpu, 1),
        "per_kind": {k: dict(v) for k, v in per_kind.items()}, "findings": findings,
    }
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
