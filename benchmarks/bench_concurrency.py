"""Concurrency benchmark: small writes per second with 1, 2 and 4 concurrent writers.

Each write is one revision: a new person and three statements, each citing one source (the
shape of a documentalist's edit). Writers are separate processes, each with its own workspace
connection, writing as fast as they can for a fixed time. PostgreSQL runs durably (fsync and
synchronous commit on, as deployed); SQLite is shown for reference.

"before" is the same benchmark run, in the same session and on the same server, against the
sources of `--before` (default: the last commit where every write reserved its ids by updating
one `id_counter` row), taken with `git archive`; "after" is this checkout. CPU is the writers'
process time plus the PostgreSQL server's (its postmaster and backends, from /proc).

    python benchmarks/bench_concurrency.py                 # about 5 minutes
    python benchmarks/bench_concurrency.py --hold-ms 20    # writes that keep their transaction
    python benchmarks/bench_concurrency.py --seconds 2 --no-before
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: The last commit whose writers all updated one id_counter row (PostgreSQL sequences came next).
BEFORE = "22d7556"
WRITERS = (1, 2, 4)
STATEMENTS = 3


def _write(ws: Any, source: str, who: str, k: int, hold: float = 0.0) -> None:
    from sabt.model.statements import Locator, NewStatement, Reference, Text

    with ws.change(author=who, reason=f"edit {k}") as ch:
        person = ch.add_entity("person", f"{who} {k}")
        ch.add_statements([NewStatement(person, f"field {j}", Text(f"{who}-{k}-{j}", "en"),
                                        (Reference(source, Locator(row=k), "SYNTHETIC"),))
                           for j in range(STATEMENTS)])
        if hold:
            time.sleep(hold)


def _writer(root: str, url: str | None, source: str, who: str, ready: Any, go: Any,
            start: Any, seconds: float, hold: float, out: Any) -> None:
    from sabt.store.workspace import Store

    with Store.open(Path(root), url) as ws:
        for k in range(3):  # warm the connection and the code paths
            _write(ws, source, who, -1 - k)
        ready.put(who)
        go.wait()
        time.sleep(max(0.0, start.value - time.time()))
        cpu0, done, end = time.process_time(), 0, start.value + seconds
        while time.time() < end:
            _write(ws, source, who, done, hold)
            done += 1
        out.put((done, time.process_time() - cpu0))


def _server_cpu(data_dir: Path | None) -> float:
    """CPU seconds of the PostgreSQL cluster in `data_dir` (none for SQLite)."""
    from tests.pg_server import server_cpu

    return 0.0 if data_dir is None else server_cpu(data_dir)


def run_label(url_base: str | None, data_dir: Path | None, seconds: float,
              hold: float) -> list[dict[str, Any]]:
    """This interpreter's Sabt: writes/s for each writer count (fresh workspace each)."""
    from sabt.store.workspace import Store

    results = []
    ctx = mp.get_context("spawn")
    for n in WRITERS:
        folder = Path(tempfile.mkdtemp(prefix="sabt-bench-conc-"))
        url = None
        if url_base is not None:
            import psycopg

            name = f"bench_{os.getpid()}_{n}"
            base = url_base.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(base + "postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = url_base + name
        with Store.create(folder / "ws", url) as ws:
            with ws.change("tester", reason="seed") as ch:
                source = ch.add_source("SYNTHETIC benchmark source")
            _write(ws, source, "seed", 0)   # every counter exists before the writers start
        out, ready, go, start = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
        procs = [ctx.Process(target=_writer, args=(str(folder / "ws"), url, source, f"w{i}",
                                                   ready, go, start, seconds, hold, out))
                 for i in range(n)]
        for proc in procs:
            proc.start()
        for _ in procs:   # every writer has imported Sabt, connected and warmed up
            ready.get(timeout=300)
        start.value = time.time() + 0.2
        go.set()
        time.sleep(max(0.0, start.value - time.time()))
        server0, wall0 = _server_cpu(data_dir), time.perf_counter()
        got = [out.get(timeout=seconds + 120) for _ in procs]
        wall = time.perf_counter() - wall0
        for proc in procs:
            proc.join()
        time.sleep(0.3)   # let the postmaster reap the writers' backends
        server = _server_cpu(data_dir) - server0
        writes = sum(d for d, _ in got)
        shutil.rmtree(folder, ignore_errors=True)
        results.append({"writers": n, "writes": writes, "wall": wall,
                        "client_cpu": sum(c for _, c in got), "server_cpu": server})
    return results


def _sources(rev: str) -> Path:
    """`rev`'s src/ folder, extracted from git into a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="sabt-before-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def _child(src: Path, backend: str, url_base: str | None, data_dir: Path | None,
           seconds: float, hold_ms: float) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)])}
    cmd = [sys.executable, __file__, "--child", backend, "--seconds", str(seconds),
           "--hold-ms", str(hold_ms)]
    if url_base is not None and data_dir is not None:
        cmd += ["--url-base", url_base, "--data-dir", str(data_dir)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def _durable_server(bin_dir: Path) -> Any:
    """A private PostgreSQL cluster with the default durable settings (fsync, synchronous
    commit), unlike the test server which turns them off."""
    from itertools import count

    from tests.pg_server import PgServer, _free_port

    base = Path(tempfile.mkdtemp(prefix="sabt-bench-pg-"))
    server = PgServer(bin_dir, base, _free_port(), count(1))
    os.chmod(base, 0o777)
    server._run("initdb", "-D", str(base / "data"), "-U", "sabt", "--auth=trust",
                "-E", "UTF8", "--locale=C.UTF-8")
    server._run("pg_ctl", "-D", str(base / "data"), "-l", str(base / "log"), "-w", "-o",
                f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1", "start")
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0, help="timed window per run")
    parser.add_argument("--before", default=BEFORE, help="git revision to compare with")
    parser.add_argument("--no-before", action="store_true")
    parser.add_argument("--hold-ms", type=float, default=0.0,
                        help="keep each write's transaction open this long (other work in the "
                             "same request, round trips to a distant server)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url-base", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        data_dir = Path(args.data_dir) if args.data_dir else None
        print(json.dumps(run_label(args.url_base, data_dir, args.seconds, args.hold_ms / 1000)))
        return

    from rich.console import Console
    from rich.table import Table
    from tests.pg_server import find_bin_dir

    labels = {"after": ROOT / "src"}
    if not args.no_before:
        labels = {"before": _sources(args.before), **labels}
    rows: list[tuple[str, str, dict[str, Any]]] = []
    bin_dir = find_bin_dir()
    if bin_dir is not None:
        server = _durable_server(bin_dir)
        try:
            base = f"postgresql+psycopg://sabt@127.0.0.1:{server.port}/"
            for label, src in labels.items():
                for r in _child(src, "postgresql", base, server.base / "data", args.seconds,
                                args.hold_ms):
                    rows.append(("PostgreSQL", label, r))
        finally:
            server.stop()
    for label, src in ({} if args.no_sqlite else labels).items():
        for r in _child(src, "sqlite", None, None, args.seconds, args.hold_ms):
            rows.append(("SQLite", label, r))
    held = f", each transaction held {args.hold_ms:g} ms longer" if args.hold_ms else ""
    table = Table(title=f"small writes (1 revision + {STATEMENTS} statements) per second, "
                        f"{args.seconds:g} s per run{held}")
    for col in ("database", "code", "writers", "writes", "writes/s", "wall s",
                "writers' CPU s", "server CPU s", "CPU ms/write"):
        table.add_column(col, justify="right")
    for db, label, r in rows:
        cpu = r["client_cpu"] + r["server_cpu"]
        table.add_row(db, label, str(r["writers"]), f"{r['writes']:,}",
                      f"{r['writes'] / r['wall']:,.0f}", f"{r['wall']:.1f}",
                      f"{r['client_cpu']:.1f}", f"{r['server_cpu']:.1f}" if db != "SQLite"
                      else "—", f"{1000 * cpu / max(r['writes'], 1):.1f}")
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
