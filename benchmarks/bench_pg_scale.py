"""PostgreSQL at scale: generate a large SYNTHETIC workspace through Sabt's own write paths and
time each step (issue #20, items 3 and 4).

The simulator draws a population of fictional victims and the lists that name them. The
workspace gets one person per member of the population with `PER_PERSON` statements each (names
in both scripts, father's name, sex, year of birth, date of execution, prison, province,
affiliation, burial), each citing a row of one source, written with `Change.add_statements`
(COPY on PostgreSQL) in transactions of `BATCH` statements; the simulated lists imported with
`import_list`; small vault items added with `Vault.add`; subjects with published figures for
the claims board; then a full link run, a new list of `--new-list` records, and the incremental
run that links only it. Every step prints its wall time beside the CPU time of this process and
of the PostgreSQL server (from /proc), and the machine's load average.

    python benchmarks/bench_pg_scale.py --persons 100000           # 1M statements
    python benchmarks/bench_pg_scale.py --persons 100000 --keep DIR  # keep server + workspace

With ``--keep DIR`` the server keeps running (its data in DIR/pg/data) and the workspace stays in
DIR/ws; the command prints the URL and an API token for `benchmarks/bench_web.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.pg_server import PgServer, find_bin_dir, server_cpu

from sabt.model.dates import FuzzyDate
from sabt.model.statements import Locator, NewStatement, Quantity, Reference, Text

PER_PERSON = 10
BATCH = 200_000        # statements per transaction
SUBJECTS = 50          # claims board: subjects …
CLAIMS = 40            # … with this many published figures each


class Clock:
    """Wall, own CPU and server CPU per step, printed as each step ends."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.rows: list[dict[str, Any]] = []

    @contextmanager
    def step(self, name: str, count: int = 0, unit: str = "") -> Iterator[dict[str, Any]]:
        extra: dict[str, Any] = {}
        wall, cpu, srv = time.perf_counter(), time.process_time(), server_cpu(self.data_dir)
        yield extra
        row = {"step": name, "wall_s": time.perf_counter() - wall,
               "cpu_s": time.process_time() - cpu, "server_cpu_s": server_cpu(self.data_dir) - srv,
               "load": os.getloadavg()[0], **extra}
        n = extra.get("count", count)
        if n:
            row["count"], row["unit"] = n, extra.get("unit", unit)
            row["per_s"] = n / row["wall_s"]
        self.rows.append(row)
        rate = f"  {row['per_s']:,.0f} {row['unit']}/s" if n else ""
        print(f"{name:<34} wall {row['wall_s']:8.1f} s  cpu {row['cpu_s']:7.1f} s  "
              f"server cpu {row['server_cpu_s']:7.1f} s  load {row['load']:.1f}{rate}"
              + "".join(f"  {k}={v}" for k, v in extra.items() if k not in ("count", "unit")),
              flush=True)


def person_statements(pop: Any, ids: list[str], source: str) -> Iterator[NewStatement]:
    """The statements of each simulated person, each citing its row of the source."""
    cols = ["given_fa", "surname_fa", "given_latin", "surname_latin", "father_fa", "sex",
            "birth_year_sh", "exec_date", "prison", "province", "affiliation", "burial"]
    for row, (pid, values) in enumerate(zip(ids, pop[cols].itertuples(index=False),
                                            strict=True)):
        (g_fa, s_fa, g_la, s_la, father, sex, born, died, prison, province, party,
         burial) = values
        ref = (Reference(source, Locator(row=row + 1), "SYNTHETIC row"),)
        yield from (
            NewStatement(pid, "name", Text(f"{g_fa} {s_fa}", "fa"), ref),
            NewStatement(pid, "name", Text(f"{g_la} {s_la}", "fa-Latn"), ref),
            NewStatement(pid, "father name", Text(str(father), "fa"), ref),
            NewStatement(pid, "sex", Text(str(sex)), ref),
            NewStatement(pid, "year of birth", Text(str(born)), ref),
            NewStatement(pid, "date of death", FuzzyDate(str(died)[:10]), ref),
            NewStatement(pid, "prison", Text(str(prison)), ref),
            NewStatement(pid, "province", Text(str(province)), ref),
            NewStatement(pid, "affiliation", Text(str(party)), ref),
            NewStatement(pid, "burial", Text(str(burial)), ref),
        )


def batches(items: Iterator[NewStatement], size: int) -> Iterator[list[NewStatement]]:
    batch: list[NewStatement] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def peak_rss_mb(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Run `fn` in a child process and return its result and the child's peak RSS (MB)."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    queue = ctx.Queue()

    def child() -> None:
        out = fn()
        queue.put((out, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))

    proc = ctx.Process(target=child)
    proc.start()
    result, peak = queue.get()
    proc.join()
    return result, float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--lists", type=int, default=5, help="simulated lists")
    parser.add_argument("--vault", type=int, default=0,
                        help="vault items (default: one per 10 persons)")
    parser.add_argument("--new-list", type=int, default=0,
                        help="records of the list added for the incremental run "
                             "(default: one per 10 persons)")
    parser.add_argument("--no-link", action="store_true")
    parser.add_argument("--no-export", action="store_true", help="skip the timed export")
    parser.add_argument("--keep", type=Path, help="keep the server and workspace here")
    parser.add_argument("--json", type=Path, help="write the step table here")
    parser.add_argument("--password", help="set this password for the admin user `bench`")
    parser.add_argument("--resume", type=Path, metavar="DIR",
                        help="only the link steps, on the workspace kept in DIR (built with the "
                             "same --persons and --lists) and its running server, "
                             "--database-url")
    parser.add_argument("--database-url", help="with --resume: the kept workspace's database")
    args = parser.parse_args()
    if args.resume and not args.database_url:
        parser.error("--resume needs --database-url")
    from sabt.service.signin import MIN_PASSWORD

    if args.password is not None and len(args.password) < MIN_PASSWORD:   # before hours of work
        parser.error(f"--password: at least {MIN_PASSWORD} characters")

    import pandas as pd

    from sabt.link import workspace as lw
    from sabt.service import Workspace
    from sabt.simulate import scenario, simulate, write
    from sabt.vault.vault import Provenance, Vault

    if args.resume:
        resume(args, lw, pd)
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL server binaries not found")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sabt-pgscale-"))
    folder.mkdir(parents=True, exist_ok=True)
    server = PgServer.start(bin_dir, folder / "pg" if args.keep else None)
    clock = Clock(server.base / "data")
    print(f"{os.cpu_count()} cores; PostgreSQL in {server.base}; workspace in {folder / 'ws'}")
    try:
        url = server.new_database()
        ws = Workspace.create(folder / "ws", url, admin="bench")
        store = ws.store
        n_vault = args.vault or args.persons // 10
        n_new = args.new_list or args.persons // 10

        with clock.step("simulate population and lists", args.persons, "persons") as info:
            sim = simulate(scenario("independent", population=args.persons + n_new,
                                    lists=args.lists), seed=20)
            pop = sim.population.astype(str)
            info["list_records"] = sum(len(f) for f in sim.lists.values())
        with store.change("bench", reason="SYNTHETIC persons") as ch:
            source = ch.add_source("SYNTHETIC register of persons")
        with clock.step("persons (add_entities)", args.persons, "persons"):
            ids: list[str] = []
            labels = (pop["given_latin"] + " " + pop["surname_latin"]).tolist()
            for start in range(0, args.persons, BATCH):
                with store.change("bench", reason="SYNTHETIC persons") as ch:
                    ids += ch.add_entities("person", labels[start:min(start + BATCH,
                                                                      args.persons)])
        with clock.step("statements (add_statements)", args.persons * PER_PERSON,
                        "statements"):
            for batch in batches(person_statements(pop.iloc[:args.persons], ids, source),
                                 BATCH):
                with store.change("bench", reason="SYNTHETIC statements") as ch:
                    ch.add_statements(batch)
        lists_dir = folder / "lists"
        write(sim, lists_dir)
        manifest = json.loads((lists_dir / "SYNTHETIC_manifest.json").read_text("utf-8"))
        files = [lists_dir / entry["file"] for entry in manifest["lists"].values()]
        with clock.step("import lists (import_list)") as info:
            n_records = 0
            for path in files:
                report = lw.import_list(store, path, author="bench")
                n_records += len(report.parsed.records)
            info["count"], info["unit"] = n_records, "records"
        blobs = folder / "vault-in"
        blobs.mkdir(exist_ok=True)
        for i in range(n_vault):
            (blobs / f"item-{i:07d}.txt").write_text(
                f"SYNTHETIC testimony {i}: a short text kept in the vault.\n", encoding="utf-8")
        with clock.step("vault items (Vault.add)", n_vault, "items"):
            Vault(store).add([blobs], Provenance("bench", capture_method="SYNTHETIC"),
                             fsync=False, actor="bench")
        with clock.step("claims (subjects with figures)", SUBJECTS * CLAIMS, "claims"), \
                store.change("bench", reason="SYNTHETIC claims") as ch:
            subjects = ch.add_entities("subject", [f"SYNTHETIC subject {i}"
                                                   for i in range(SUBJECTS)])
            ch.add_statements(
                NewStatement(subject, "figure", Quantity(1000 + 37 * k),
                             (Reference(source, Locator(row=k + 1), f"SYNTHETIC figure {k}"),),
                             {"claimant": Text(f"SYNTHETIC claimant {k % 7}"),
                              "claim id": Text(f"{subject}-{k}")})
                for subject in subjects for k in range(CLAIMS))
        with clock.step("analyze"), store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        if not args.no_export:
            export_step(clock, store, folder)

        if not args.no_link:
            link_steps(clock, store, sim, folder, n_new, args.persons, lw, pd)

        token, _ = ws.tokens.create(ws.actor("bench"), "bench", expires_in=timedelta(days=2))
        if args.password:
            ws.signin.set_password(ws.actor("bench"), "bench", args.password)
        with store.connect() as conn:
            sizes = {r[0]: int(r[1]) for r in conn.exec_driver_sql(
                "SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY relname")}
        print(json.dumps({k: v for k, v in sizes.items() if v}, indent=1))
        if args.json:
            args.json.write_text(json.dumps({"persons": args.persons, "steps": clock.rows,
                                             "rows": sizes}, indent=1))
        ws.close()
        if args.keep:
            print(f"kept: --workspace {folder / 'ws'} --database-url {url}\n"
                  f"token: {token}\nstop: pg_ctl -D {server.base / 'data'} stop")
    finally:
        if not args.keep:
            server.stop()


def resume(args: argparse.Namespace, lw: Any, pd: Any) -> None:
    """The link steps on a kept workspace: a full run, then the new list and the incremental
    run (the population drawn again with the same seed, so the new list's people are those
    beyond the kept persons)."""
    from sabt.service import Workspace
    from sabt.simulate import scenario, simulate

    clock = Clock(args.resume / "pg" / "data")
    n_new = args.new_list or args.persons // 10
    with clock.step("simulate population and lists", args.persons, "persons"):
        sim = simulate(scenario("independent", population=args.persons + n_new,
                                lists=args.lists), seed=20)
    ws = Workspace.open(args.resume / "ws", args.database_url)
    try:
        link_steps(clock, ws.store, sim, args.resume, n_new, args.persons, lw, pd)
    finally:
        ws.close()
    if args.json:
        args.json.write_text(json.dumps({"persons": args.persons, "steps": clock.rows},
                                        indent=1))


def export_step(clock: Clock, store: Any, folder: Path) -> None:
    """`sabt export` in a child process: rows, file size and the child's peak memory."""
    with clock.step("export (sabt export, child process)") as info:
        out = folder / "export.jsonl"

        def export() -> int:
            with out.open("w", encoding="utf-8") as fh:
                return int(store.export_jsonl(fh))

        rows, peak = peak_rss_mb(export)
        info["count"], info["unit"], info["peak_rss_mb"] = rows, "rows", round(peak)
        info["file_mb"] = round(out.stat().st_size / 2**20)
        out.unlink()


def link_steps(clock: Clock, store: Any, sim: Any, folder: Path, n_new: int, persons: int,
               lw: Any, pd: Any) -> None:
    """A full link run, then a new list of `n_new` records and the incremental run."""
    from sqlalchemy import func, select

    from sabt.link import tables as lt

    with clock.step("link run (full)") as info:
        report = lw.run_linkage(store, author="bench")
        info.update(count=report.records, unit="records", mode=report.mode,
                    clusters=report.clusters)
    # the new list: members of the population beyond the persons, named as a list would
    pop = sim.population.iloc[persons:persons + n_new].astype(str)
    new = pd.DataFrame({"First name": pop["given_latin"], "Surname": pop["surname_latin"],
                        "Father's name": pop["father_latin"], "Sex": pop["sex"],
                        "Date of execution": pop["exec_date"].str[:10],
                        "Prison": pop["prison"], "Province": pop["province"]})
    path = folder / "lists" / "new-list.csv"
    new.to_csv(path, index=False)
    with clock.step("import new list", n_new, "records"):
        lw.import_list(store, path, author="bench")
    with clock.step("link run (incremental)") as info:
        report = lw.run_linkage(store, author="bench")
        info.update(count=report.records, unit="records", mode=report.mode,
                    reason=report.mode_reason)
    with store.connect() as conn:
        per_run = dict(conn.execute(select(lt.link_cluster.c.run_id, func.count()).group_by(
            lt.link_cluster.c.run_id)).tuples().all())
    print(f"link_cluster rows per run (the second is the delta): {per_run}")


if __name__ == "__main__":
    main()
