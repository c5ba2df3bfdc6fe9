"""Bulk writes through Sabt's own path: `Change.add_entities` and `Change.add_statements` on
SQLite or a private PostgreSQL server, SYNTHETIC persons from the simulator (issue #20, item 3).

Writes `--persons` persons, then their 10 statements each with one reference (the statements
of `bench_pg_scale.py`) in changes of 200,000 statements, and prints for each step the wall
time, this process's CPU time and the PostgreSQL server's CPU time (from /proc), and how much of
each went to sealing the changes (the registry log: reading back and hashing every row
written, `sabt.store.registry.seal`).

    python benchmarks/bench_bulk.py --persons 20000 --backend postgresql
    python benchmarks/bench_bulk.py --persons 20000 --backend sqlite

With ``--writers N`` (PostgreSQL, whose changes run side by side) the statements are then
written twice more, each time for a fresh set of as many persons with the same names (their
name forms already stored, in both): by one process, then by N processes at once, each its
share of the persons in its own changes (as N imports started together would). For each: the
wall time from the moment the processes are ready to the last commit, and the CPU of the
writing processes and of the server.
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
    parser.add_argument("--writers", type=int, default=0,
                        help="then write as many statements again with N processes at once")
    args = parser.parse_args()
    if args.writers and args.backend != "postgresql":
        parser.error("--writers: PostgreSQL only (SQLite has one writer at a time)")

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
        url = server.new_database() if server else None
        ws = Workspace.create(folder / "ws", url, admin="bench")
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
        for writers in (1, args.writers) if args.writers else ():
            with store.change("bench", reason="SYNTHETIC persons") as ch:   # a fresh set
                more = ch.add_entities("person", labels)
            print(parallel(writers, folder / "ws", url, pop, more, source, srv))
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
        ws.close()
    finally:
        if server:
            server.stop()


def parallel(writers: int, root: Path, url: str | None, pop: Any, ids: list[str], source: str,
             srv: Callable[[], float]) -> str:
    """The persons' statements written by `writers` processes at once, each its share of the
    persons in changes of `BATCH`; the line to print."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    ready = ctx.Barrier(writers + 1)
    cpu = ctx.Queue()
    share = -(-len(ids) // writers)

    def write(part: int) -> None:
        from sabt.store.workspace import Store

        rows = slice(part * share, (part + 1) * share)
        mine = list(person_statements(pop.iloc[rows], ids[rows], source))
        store = Store.open(root, url)     # connections of its own, not the parent's
        ready.wait()
        start = time.process_time()
        for batch in batches(iter(mine), BATCH):
            with store.change("bench", reason="SYNTHETIC statements") as ch:
                ch.add_statements(batch)
        cpu.put((len(mine), time.process_time() - start))
        store.close()

    procs = [ctx.Process(target=write, args=(part,)) for part in range(writers)]
    for proc in procs:
        proc.start()
    ready.wait()
    wall, srv_start = time.perf_counter(), srv()
    done = [cpu.get() for _ in procs]
    wall = time.perf_counter() - wall
    server = srv() - srv_start
    for proc in procs:
        proc.join()
    count, own = sum(n for n, _ in done), sum(c for _, c in done)
    return (f"statements, {writers} writers at once {count:>9,}  wall {wall:7.1f} s  "
            f"{count / wall:8,.0f}/s  cpu {own:6.1f} s ({own / count * 1e6:5.0f} µs each)  "
            f"server cpu {server:6.1f} s ({server / count * 1e6:5.0f} µs each)")


if __name__ == "__main__":
    main()
