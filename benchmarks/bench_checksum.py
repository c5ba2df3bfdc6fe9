"""Link-run input checksum: its cost beside reading the records a run links.

A SYNTHETIC `hard` scenario (20,000 people, 3 lists) imported into a SQLite workspace; times
`input_checksum` and `load_records` on the same connection (wall and CPU).

    python benchmarks/bench_checksum.py
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from sabt.link import workspace as lw
from sabt.simulate import scenario, simulate, write
from sabt.store.workspace import Store


def main() -> None:
    sim = simulate(scenario("hard", population=20000, lists=3), seed=3)
    folder = Path(tempfile.mkdtemp(prefix="SYNTHETIC_checksum_"))
    write(sim, folder, formats=("csv",), population=False)
    ws = Store.create(folder / "ws")
    for i, path in enumerate(sorted((folder / "lists").glob("SYNTHETIC_list_*.csv"))):
        lw.import_list(ws, path, name=f"L{i}", author="bench")
    steps: dict[str, Callable[[Connection], Any]] = {
        "load_records": lw.load_records, "input_checksum": lw.input_checksum}
    with ws.engine.connect() as conn:
        print(f"records: {len(lw.load_records(conn)):,}")
        for name, step in steps.items():
            wall, cpu = time.perf_counter(), time.process_time()
            step(conn)
            print(f"{name}: wall {time.perf_counter() - wall:.2f} s, "
                  f"cpu {time.process_time() - cpu:.2f} s")
    ws.close()


if __name__ == "__main__":
    main()
