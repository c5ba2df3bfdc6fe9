"""Web latency under concurrent users: `sabt serve` (uvicorn, real HTTP on 127.0.0.1) on a large
workspace, `--users` users at once, each asking in turn for a search, a person and a claims
board through the REST API (`/api/v1/search`, `/api/v1/entities/ID`, `/api/v1/claims?subject=`,
signed in by an API token; the HTML pages call the same services and add the template, and the
person page also the history and related entities), for `--seconds` seconds. By default each
user sends its next request as soon as the last one is answered (a closed loop: the heaviest
load `--users` users can make); with ``--think S`` each user pauses a random 0..2·S seconds
(seeded per user) between requests, as people reading the pages do.

Prints p50 / p95 / max latency and the count of each page, the requests per second, the
machine's load average at the start and the end, and the CPU time per request of the `sabt
serve` processes and (with ``--pg-data``, the cluster's data folder) of the PostgreSQL server
over the measured seconds (issue #16's goal on 2 cores: p95 <= 300 ms for search, <= 150 ms for
a person page, with 20 users).

    python benchmarks/bench_pg_scale.py --persons 100000 --keep /tmp/big   # prints URL, token
    python benchmarks/bench_web.py --workspace /tmp/big/ws --database-url URL --token TOKEN \
        --pg-data /tmp/sabt-pg-…/data [--workers 2] [--think 2]

Searches are `--names` names drawn from the workspace (a given name and surname in either
script, as a user would type them) and person pages as many persons drawn at random, shared out
among the users so that none is asked for twice until all have been (a name searched again is
partly answered from the server's caches); boards are the subjects.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def samples(url: str, n: int, seed: int) -> tuple[list[str], list[str], list[str]]:
    """Names to search, persons and subjects to open, drawn from the database."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as conn:
        names = [r[0] for r in conn.exec_driver_sql(
            "SELECT value_text FROM statement WHERE property = 'name' "
            f"ORDER BY md5(id::text || '{seed}') LIMIT {n}")]
        persons = [r[0] for r in conn.exec_driver_sql(
            f"SELECT id FROM entity WHERE kind = 'person' ORDER BY md5(id || '{seed}') "
            f"LIMIT {n}")]
        # the board's subject filter matches ids by substring: ids no other id contains
        subjects = [r[0] for r in conn.exec_driver_sql(
            "SELECT id FROM entity WHERE kind = 'subject' ORDER BY id")]
        subjects = [s for s in subjects if sum(s in other for other in subjects) == 1]
    engine.dispose()
    return names, persons, subjects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--workers", type=int, default=1, help="`sabt serve --workers`")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause in seconds between a user's requests (0..2x, seeded); "
                             "0: none (closed loop)")
    parser.add_argument("--pg-data", type=Path,
                        help="the PostgreSQL cluster's data folder, to count its CPU time")
    parser.add_argument("--names", type=int, default=20_000,
                        help="names and persons drawn from the workspace; the users share them "
                             "out, so none is asked twice until all have been")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.pg_server import server_cpu, tree_cpu

    names, persons, subjects = samples(args.database_url, args.names, 7)
    port = free_port()
    env = {**os.environ, "SABT_DATABASE_URL": args.database_url}
    server = subprocess.Popen(
        [sys.executable, "-m", "sabt", "serve", "--workspace", str(args.workspace),
         "--port", str(port), "--insecure-cookies",
         *(["--workers", str(args.workers)] if args.workers != 1 else [])], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {args.token}"}
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/api/v1/me", headers=headers, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                raise SystemExit(server.stderr.read().decode() if server.stderr else "exit")
            time.sleep(0.5)
        # one search first: it brings the name-key index up to date with the last writes
        httpx.get(base + "/api/v1/search?q=" + quote(names[0]), headers=headers, timeout=3600)
        timings: dict[str, list[float]] = {"search": [], "person": [], "claims": []}
        errors: list[str] = []
        lock = threading.Lock()
        start_at = time.perf_counter() + args.warmup
        stop_at = start_at + args.seconds

        def user(k: int) -> None:
            rng = random.Random(k)
            pauses = random.Random(1000 + k)    # the same requests with and without pauses
            mine = names[k::args.users] or names   # a name searched twice is partly cached
            seen = persons[k::args.users] or persons
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                turn = 0
                while (now := time.perf_counter()) < stop_at:
                    for kind, path in (
                            ("search", "/api/v1/search?q=" + quote(mine[turn % len(mine)])),
                            ("person", "/api/v1/entities/" + seen[turn % len(seen)]),
                            ("claims", "/api/v1/claims?subject=" + rng.choice(subjects))):
                        t0 = time.perf_counter()
                        answer = client.get(path)
                        took = time.perf_counter() - t0
                        with lock:
                            if answer.status_code != 200:
                                errors.append(f"{path}: {answer.status_code}")
                            elif t0 >= start_at and now < stop_at:
                                timings[kind].append(took * 1000)
                        if args.think > 0:
                            time.sleep(pauses.uniform(0.0, 2.0 * args.think))
                    turn += 1

        def cpu_now() -> tuple[float, float]:
            pg = server_cpu(args.pg_data) if args.pg_data is not None else 0.0
            return tree_cpu(server.pid), pg

        threads = [threading.Thread(target=user, args=(k,)) for k in range(args.users)]
        for th in threads:
            th.start()
        time.sleep(max(0.0, start_at - time.perf_counter()))
        load_start, cpu_start = os.getloadavg(), cpu_now()
        time.sleep(max(0.0, stop_at - time.perf_counter()))
        load_end, cpu_end = os.getloadavg(), cpu_now()
        for th in threads:
            th.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = sum(len(v) for v in timings.values())
    web_cpu, pg_cpu = (end - start for end, start in zip(cpu_end, cpu_start, strict=True))
    result = {"users": args.users, "workers": args.workers, "think": args.think,
              "seconds": args.seconds,
              "cores": os.cpu_count(), "load_start": load_start, "load_end": load_end,
              "errors": errors[:5], "n_errors": len(errors), "pages": {},
              "web_cpu_ms_per_request": 1000 * web_cpu / max(total, 1),
              "pg_cpu_ms_per_request": 1000 * pg_cpu / max(total, 1) if args.pg_data else None}
    print(f"{args.users} users, "
          + (f"pausing 0-{2 * args.think:g} s between requests" if args.think > 0
             else "no pause between requests (closed loop)")
          + f", {args.workers} worker(s), {args.seconds:.0f} s measured after "
          f"{args.warmup:.0f} s warm-up; {os.cpu_count()} cores; load average "
          f"{load_start[0]:.1f} at start, {load_end[0]:.1f} at end; {len(errors)} errors")
    print(f"{'page':<8} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in timings.items():
        if len(values) < 2:
            print(f"{kind:<8} {len(values):>6}")
            continue
        p50 = statistics.median(values)
        p95 = statistics.quantiles(values, n=20)[18]
        result["pages"][kind] = {"n": len(values), "p50_ms": p50, "p95_ms": p95,
                                 "max_ms": max(values)}
        print(f"{kind:<8} {len(values):>6} {p50:>8.0f} {p95:>8.0f} {max(values):>8.0f}")
    print(f"{total / args.seconds:.1f} requests/s; CPU per request: sabt serve "
          f"{result['web_cpu_ms_per_request']:.0f} ms"
          + (f", PostgreSQL {result['pg_cpu_ms_per_request']:.0f} ms" if args.pg_data else ""))
    for line in errors[:5]:
        print("error:", line)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
