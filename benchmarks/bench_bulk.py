"""Bulk writes through Sabt's own path: `Change.add_entities` and `Change.add_statements` on
SQLite or a private PostgreSQL server, SYNTHETIC persons from the simulator (issue #20, item 3).

Writes `--persons` persons, then their 10 statements each with one reference (the statements
of `bench_pg_scale.py`) in changes of 200,000 statements, and prints for each step the wall
time, this process's CPU time and the PostgreSQL server's CPU time (from /proc), and how much of
each went to sealing the changes (the registry log: reading back and hashing every row
written, `sabt.store.registry.seal`).

    python benchmarks/bench_bulk.py --persons 20000 --backend postgresql
    python benchmarks/bench_bulk.py --persons 20000 --backend sqlite
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tests.pg_server import PgServer, find_bin_dir, server_cpu

from bench_pg_scale import BATCH, batches, person_statements


class Meter:
    """Wall, own CPU and server CPU, summed over the windows it times."""

    def __init__(self, server: Callable[[], float]) -> None:
        self.server = server
        self.wall = self.cpu = self.server_cpu = 0.0

    @contextmanager
    def timing(self) -> Iterator[None]:
        wall, cpu, srv = time.perf_counter(), time.process_time(), self.server()
        try:
            yield
        finally:
            self.wall += time.perf_counter() - wall
            self.cpu += time.process_time() - cpu
            self.server_cpu += self.server() - srv

    def line(self, name: str, count: int) -> str:
        both = (self.cpu + self.server_cpu) / count * 1e6
        return (f"{name:<16} {count:>9,}  wall {self.wall:7.1f} s  {count / self.wall:8,.0f}/s  "
                f"cpu {self.cpu:6.1f} s ({self.cpu / count * 1e6:5.0f} µs each)  server cpu "
                f"{self.server_cpu:6.1f} s ({self.server_cpu / count * 1e6:5.0f} µs each)  "
                f"both {both:5.0f} µs each")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    args = parser.parse_args()

    from sabt.service import Workspace
    from sabt.simulate import scenario, simulate
    from sabt.store import registry

    folder = Path(tempfile.mkdtemp(prefix="sabt-bulk-"))
    server = None
    if args.backend == "postgresql":
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise SystemExit("PostgreSQL server binaries not found")
        server = PgServer.start(bin_dir)
    data = server.base / "data" if server else None

    def srv() -> float:
        return server_cpu(data) if data else 0.0

    try:
        ws = Workspace.create(folder / "ws", server.new_database() if server else None,
                              admin="bench")
        store = ws.store
        pop = simulate(scenario("independent", population=args.persons, lists=2),
                       seed=20).population.astype(str)
        with store.change("bench", reason="SYNTHETIC register") as ch:
            source = ch.add_source("SYNTHETIC register of persons")
        seal = Meter(srv)
        unsealed = registry.seal

        def timed_seal(*a: Any, **k: Any) -> Any:
            with seal.timing():
                return unsealed(*a, **k)

        registry.seal = timed_seal
        print(f"{os.cpu_count()} cores, {args.backend}, load {os.getloadavg()[0]:.1f}")
        persons = Meter(srv)
        labels = (pop["given_latin"] + " " + pop["surname_latin"]).tolist()
        with persons.timing(), store.change("bench", reason="SYNTHETIC persons") as ch:
            ids = ch.add_entities("person", labels)
        print(persons.line("persons", len(ids)))
        print(seal.line("  of which seal", len(ids)))
        statements = list(person_statements(pop, ids, source))
        seal = Meter(srv)   # the statements' seals alone (`timed_seal` reads it late)
        written = Meter(srv)
        with written.timing():
            for batch in batches(iter(statements), BATCH):
                with store.change("bench", reason="SYNTHETIC statements") as ch:
                    ch.add_statements(batch)
        print(written.line("statements", len(statements)))
        print(seal.line("  of which seal", len(statements)))
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
        ws.close()
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
