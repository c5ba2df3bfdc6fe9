"""Store benchmark: bulk-insert statements with references, then read current views.

Issue #2 targets: >= 50k statements/s bulk insert on SQLite; current view p95 <= 5 ms with
1M statements stored; SQLite and PostgreSQL side by side. The baseline in the same run is the
floor: plain `sqlite3.executemany` of the same rows with no API (so the ratio is Sabt's overhead).

    python benchmarks/bench_store.py            # 1M statements (about 2-4 minutes)
    python benchmarks/bench_store.py --quick    # 100k statements
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.pg_server import PgServer, find_bin_dir

from sabt.model.dates import FuzzyDate
from sabt.model.statements import Locator, NewStatement, Reference, Text
from sabt.store.workspace import Store

PER_ENTITY = 10
console = Console(width=130)


def statements(source: str, persons: list[str]) -> list[NewStatement]:
    out = []
    for i, person in enumerate(persons):
        for k in range(PER_ENTITY):
            value = (FuzzyDate("1988-08-15") if k == 0 else Text(f"value {i}-{k}", "en"))
            out.append(NewStatement(person, "date of death" if k == 0 else f"field {k}", value,
                                    references=[Reference(source, Locator(row=i), "row text")]))
    return out


def bench_backend(name: str, url: str | None, n: int, folder: Path) -> dict[str, float]:
    ws = Store.create(folder / name, url)
    n_persons = n // PER_ENTITY
    with ws.change("tester", reason="entities") as ch:
        source = ch.add_source("benchmark list")
        persons = ch.add_entities("person", [f"person {i}" for i in range(n_persons)])
    items = statements(source, persons)
    start = time.perf_counter()
    with ws.change("tester", reason="bulk") as ch:
        ch.add_statements(items)
    insert_s = time.perf_counter() - start
    rng = random.Random(7)
    timings = []
    for person in rng.sample(persons, 500):
        t0 = time.perf_counter()
        ws.entity(person)
        timings.append((time.perf_counter() - t0) * 1000)
    ws.close()
    return {"rate": n / insert_s, "seconds": insert_s,
            "p50": statistics.median(timings),
            "p95": statistics.quantiles(timings, n=20)[18]}


def bench_raw_sqlite(n: int, folder: Path) -> dict[str, float]:
    """The floor: the same two tables filled by sqlite3.executemany, no model, no checks."""
    conn = sqlite3.connect(folder / "raw.sqlite")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE statement (id INTEGER PRIMARY KEY, entity_id TEXT, property TEXT,"
                 " value_type TEXT, value_text TEXT, value_lang TEXT, confidence TEXT,"
                 " rank TEXT, status TEXT, revision_id INTEGER)")
    conn.execute("CREATE INDEX ix_s ON statement(entity_id)")
    conn.execute("CREATE TABLE reference (id INTEGER PRIMARY KEY, statement_id INTEGER,"
                 " source_id TEXT, row_number INTEGER, quote TEXT)")
    conn.execute("CREATE INDEX ix_r ON reference(statement_id)")
    rows = [(i, f"P{i // PER_ENTITY}", f"field {i % PER_ENTITY}", "text", f"value {i}", "en",
             "medium", "normal", "active", 1) for i in range(n)]
    refs = [(i, i, "S1", i // PER_ENTITY, "row text") for i in range(n)]
    start = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO statement VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany("INSERT INTO reference VALUES (?,?,?,?,?)", refs)
    seconds = time.perf_counter() - start
    conn.close()
    return {"rate": n / seconds, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100k statements instead of 1M")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        console.print(f"inserting {n:,} statements with one reference each …")
        results["raw sqlite3 (floor)"] = bench_raw_sqlite(n, folder)
        results["Sabt on SQLite"] = bench_backend("sqlite", None, n, folder)
        bin_dir = find_bin_dir()
        if bin_dir and not args.no_postgres:
            server = PgServer.start(bin_dir)
            try:
                results["Sabt on PostgreSQL"] = bench_backend(
                    "pg", server.new_database(), n, folder)
            finally:
                server.stop()
    floor = results["raw sqlite3 (floor)"]["rate"]
    table = Table(title=f"store: {n:,} statements + references (targets: >= 50,000/s on "
                        "SQLite; view p95 <= 5 ms)")
    for col in ("backend", "statements/s", "vs floor", "vs 50k/s target", "insert s",
                "view p50 ms", "view p95 ms"):
        table.add_column(col, justify="right")
    for name, r in results.items():
        table.add_row(name, f"{r['rate']:,.0f}", f"{r['rate'] / floor:.2f}×",
                      f"{r['rate'] / 50_000:.2f}×", f"{r['seconds']:.1f}",
                      f"{r['p50']:.2f}" if "p50" in r else "—",
                      f"{r['p95']:.2f}" if "p95" in r else "—")
    console.print(table)


if __name__ == "__main__":
    main()
