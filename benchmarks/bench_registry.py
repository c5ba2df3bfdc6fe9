"""Registry log overhead: bulk writes with and without the registry log, wall and CPU.

Run the same script against this version and against a version without the registry log
(`PYTHONPATH=<other checkout>/src`); it prints which one it measured. Phases, each in a new
workspace: `import-list` of a SYNTHETIC list of 10,000 rows (one source, 10,000 records and the
vault item of the file), and one change adding 50,000 statements with one reference each;
then (with the registry) `verify` of the registry log over every row written.

    python benchmarks/bench_registry.py [--rows 10000] [--statements 50000] \
        [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.pg_server import PgServer, find_bin_dir

from sabt.link import workspace as lw
from sabt.model.statements import Locator, NewStatement, Reference, Text
from sabt.store.workspace import Store


def timed(label: str, step: Callable[[], object]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    print(f"{label:<44} wall {time.perf_counter() - wall:7.2f} s   "
          f"CPU {time.process_time() - cpu:7.2f} s", flush=True)


def write_list(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "father", "age", "date of death", "place"])
        for i in range(rows):
            out.writerow([f"SYNTHETIC person {i}", f"SYNTHETIC father {i % 997}",
                          str(18 + i % 50), "1988-08-15", f"SYNTHETIC prison {i % 7}"])


def run(backend: str, new_url: Callable[[], str | None], folder: Path, rows: int,
        n_statements: int) -> None:
    has_registry = importlib_has("sabt.store.registry")
    listed = folder / f"SYNTHETIC_list_{backend}.csv"
    write_list(listed, rows)
    ws = Store.create(folder / f"ws-list-{backend}", new_url())
    timed(f"{backend}: import-list, {rows:,} rows", lambda: lw.import_list(
        ws, listed, name="SYNTHETIC list", author="bench"))
    ws.close()
    ws = Store.create(folder / f"ws-st-{backend}", new_url())
    with ws.change("bench", "entities") as ch:
        source = ch.add_source("SYNTHETIC source")
        persons = ch.add_entities("person", [f"SYNTHETIC {i}" for i in range(n_statements // 10)])
    items = [NewStatement(persons[i // 10], f"field {i % 10}", Text(f"SYNTHETIC value {i}"),
                          references=(Reference(source, Locator(row=i), "SYNTHETIC quote"),))
             for i in range(n_statements)]

    def bulk() -> None:
        with ws.change("bench", "bulk") as ch:
            ch.add_statements(items)

    timed(f"{backend}: {n_statements:,} statements + references", bulk)
    if has_registry:
        from sabt.store import registry

        def check() -> None:
            with ws.connect() as conn:
                problems, _head, checked = registry.verify(conn)
            assert not problems and checked > 2 * n_statements

        timed(f"{backend}: verify registry (every row)", check)
    ws.close()


def importlib_has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=50_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    args = parser.parse_args()
    import sabt.store.workspace as sw

    print(f"sabt from {Path(sw.__file__).parents[2]}; registry log: "
          f"{'yes' if importlib_has('sabt.store.registry') else 'no'}; "
          f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    folder = Path(tempfile.mkdtemp(prefix="SYNTHETIC_registry_"))
    if args.backend != "postgresql":
        run("sqlite", lambda: None, folder, args.rows, args.statements)
    if args.backend != "sqlite":
        bin_dir = find_bin_dir()
        if bin_dir is None:
            sys.exit("PostgreSQL binaries not found")
        server = PgServer.start(bin_dir)
        try:
            run("postgresql", server.new_database, folder, args.rows, args.statements)
        finally:
            server.stop()
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
