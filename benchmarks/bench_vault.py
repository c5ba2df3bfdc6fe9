"""Vault benchmark: ingest many small texts, verify a GB of items, memory on one huge file.

Targets from issue #7: ingest 10k small text items ≤ 60 s; `verify` 10k items totalling 1 GB
≤ 30 s; memory flat in file size. The baseline run beside `verify` is GNU `sha256sum -c` over
the same blobs (the check a third party would run). Each phase runs in its own process so that
its peak resident memory (ru_maxrss) is its own. All inputs are SYNTHETIC random bytes/texts.

    .venv/bin/python benchmarks/bench_vault.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sabt.store.workspace import Store
from sabt.vault.vault import Provenance, Vault

PROV = Provenance("SYNTHETIC benchmark", capture_method="benchmark")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_ingest_small(root: Path, n: int) -> dict[str, float]:
    """n small SYNTHETIC text files (≈ 400 bytes each, Persian and English), one `add`."""
    src = root / "small"
    src.mkdir()
    for i in range(n):
        (src / f"SYNTHETIC_{i:06d}.txt").write_text(
            f"SYNTHETIC item {i}. Over {i + 1000:,} people were killed according to source {i}. "
            f"از {i} نفر تا بیش از دوازده هزار نفر اعدام شدند. " * 3, encoding="utf-8")
    ws = Store.create(root / "ws-small")
    start, cpu = time.perf_counter(), time.process_time()
    report = Vault(ws).add([src], PROV)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert len(report.added) == n, report.skipped[:3]
    ws.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "items": n, "peak_mb": _peak_mb(),
            "load": os.getloadavg()[0]}


def phase_verify_gb(root: Path, n: int, total_bytes: int) -> dict[str, float]:
    """n random SYNTHETIC items totalling `total_bytes`; time `verify` and `sha256sum -c`."""
    src = root / "gb"
    src.mkdir()
    size = total_bytes // n
    for i in range(n):
        (src / f"SYNTHETIC_{i:06d}.bin").write_bytes(os.urandom(size))
    ws = Store.create(root / "ws-gb")
    vault = Vault(ws)
    vault.add([src], PROV, fsync=False)  # setup only; not timed
    shutil.rmtree(src)
    start, cpu = time.perf_counter(), time.process_time()
    report = vault.verify()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert report.ok and report.items == n, report.problems[:3]
    sums = vault.write_manifest(root / "manifest", "SYNTHETIC benchmark")["sums"]
    baseline = float("nan")
    if shutil.which("sha256sum"):
        start = time.perf_counter()
        subprocess.run(["sha256sum", "--quiet", "-c", str(sums)], cwd=vault.blobs.root,
                       check=True)
        baseline = time.perf_counter() - start
    ws.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "baseline_seconds": baseline, "items": n,
            "bytes": report.bytes, "peak_mb": _peak_mb(), "load": os.getloadavg()[0]}


def phase_big_file(root: Path, size: int) -> dict[str, float]:
    """One SYNTHETIC file of `size` bytes: ingest and verify; peak memory should stay small."""
    path = root / "SYNTHETIC_big.bin"
    with open(path, "wb") as fh:
        for _ in range(size // (1 << 20)):
            fh.write(os.urandom(1 << 20))
    ws = Store.create(root / "ws-big")
    vault = Vault(ws)
    start = time.perf_counter()
    vault.add([path], PROV)
    ingest = time.perf_counter() - start
    start = time.perf_counter()
    assert vault.verify().ok
    verify = time.perf_counter() - start
    ws.close()
    return {"ingest_seconds": ingest, "verify_seconds": verify, "bytes": size,
            "peak_mb": _peak_mb()}


def _run_phase(name: str, root: Path, args: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--phase", name, "--root", str(root), *args],
                         check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k items, 100 MB, 200 MB file")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--args", nargs="*", type=int, help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.phase:
        root = Path(ns.root)
        phases = {"ingest": phase_ingest_small, "verify": phase_verify_gb,
                  "big": phase_big_file}
        print(json.dumps(phases[ns.phase](root, *ns.args)))
        return
    n_small, n_gb, gb, big = (1_000, 1_000, 100 << 20, 200 << 20) if ns.quick else \
        (10_000, 10_000, 1 << 30, 1 << 30)
    with tempfile.TemporaryDirectory(prefix="sabt-bench-", dir=os.environ.get("TMPDIR")) as tmp:
        root = Path(tmp)
        small = _run_phase("ingest", root, ["--args", str(n_small)])
        verify = _run_phase("verify", root, ["--args", str(n_gb), str(gb)])
        huge = _run_phase("big", root, ["--args", str(big)])
    ingest_target = 60 * n_small / 10_000
    verify_target = 30 * gb / (1 << 30)
    nan = float("nan")
    rows = [
        ("ingest small texts", f"{n_small:,} items", small["seconds"], small["cpu_seconds"],
         ingest_target, small["peak_mb"]),
        ("verify (sabt verify)", f"{n_gb:,} items, {gb / 2**20:,.0f} MiB", verify["seconds"],
         verify["cpu_seconds"], verify_target, verify["peak_mb"]),
        ("verify baseline: sha256sum -c", f"{n_gb:,} items, {gb / 2**20:,.0f} MiB",
         verify["baseline_seconds"], nan, verify_target, nan),
        ("ingest one big file", f"{big / 2**20:,.0f} MiB", huge["ingest_seconds"], nan, nan,
         huge["peak_mb"]),
        ("verify one big file", f"{big / 2**20:,.0f} MiB", huge["verify_seconds"], nan, nan,
         huge["peak_mb"]),
    ]
    print(f"{'phase':32} {'size':>24} {'seconds':>9} {'CPU s':>7} {'target':>8} "
          f"{'target/s':>9} {'peak RSS MB':>12}")
    for name, size, seconds, cpu, target, peak in rows:
        ratio = target / seconds if seconds == seconds and target == target else nan
        print(f"{name:32} {size:>24} {seconds:9.2f} {cpu:7.1f} {target:8.1f} {ratio:9.1f} "
              f"{peak:12.0f}")
    print(f"machine load (1-min average) during ingest / verify: {small['load']:.1f} / "
          f"{verify['load']:.1f} on {os.cpu_count()} CPUs")
    print(f"items/s ingest: {n_small / small['seconds']:,.0f}; verify MB/s: "
          f"{verify['bytes'] / 2**20 / verify['seconds']:,.0f} (sha256sum: "
          f"{verify['bytes'] / 2**20 / verify['baseline_seconds']:,.0f}); targets scaled to the "
          f"sizes run{' (--quick)' if ns.quick else ''}")


if __name__ == "__main__":
    main()
