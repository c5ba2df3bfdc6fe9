"""Commands killed with SIGKILL at a dozen points each leave a workspace that opens, passes
`verify`, and holds the operation entirely or not at all.

Each command is first run to completion on a copy of its starting workspace (the *complete*
state, and its duration T). Then, for each of `POINTS` kill points, a fresh copy runs the
command in a subprocess and is killed after a delay drawn (fixed seed) from the i-th of
`POINTS` equal slices of T, so the kills spread over the whole run, from start-up to commit.
The workspace must then open, clean what the killed process left, pass `verify`, and either
equal its starting state (the same export, the audit log aside) or have the same row counts as
the complete run. A backup must be absent or a whole backup that restores and verifies.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pytest

from sabt.service import Workspace
from sabt.store.workspace import Store
from sabt.vault.vault import Vault

pytestmark = pytest.mark.slow

POINTS = 12
SEED = 19
ADMIN = "admin"
FIRST = ["Hasan", "Ali", "Mohammad", "Reza", "Mehdi", "Sara", "Maryam", "Zahra", "Ahmad",
         "Hossein", "Nasrin", "Parvin", "Akbar", "Mahmoud", "Fatemeh"]
LAST = ["Rahimi", "Ahmadi", "Karimi", "Moradi", "Rezaei", "Hosseini", "Jafari", "Alipour",
        "Sadeghi", "Kazemi", "Ebrahimi", "Nazari", "Hashemi", "Ghasemi", "Bagheri", "Mousavi"]


@dataclass
class Kit:
    """Inputs and starting workspaces shared by every kill test (built once)."""

    base: Path
    lists: list[Path]
    big_list: Path
    folder: Path
    case: Path
    empty: Path        # a workspace with its admin only
    two_lists: Path    # two small lists imported (for `link`)
    full: Path         # lists, a link run, a case and files (for `backup`)


def _write_list(path: Path, rows: int, rng: random.Random) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["SYNTHETIC", "First name", "Surname", "Father's name", "Year of birth"])
        for _ in range(rows):
            writer.writerow(["SYNTHETIC (fictional record)", rng.choice(FIRST), rng.choice(LAST),
                             rng.choice(FIRST), rng.randint(1940, 1970)])
    return path


def _sabt(*args: str, ws: Path, wait: bool = True) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SABT_WORKSPACE": str(ws), "SABT_USER": ADMIN}
    proc = subprocess.Popen([sys.executable, "-m", "sabt", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if wait:
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()
    return proc


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    base = tmp_path_factory.mktemp("kill")
    rng = random.Random(SEED)
    lists = [_write_list(base / f"SYNTHETIC_list_{n}.csv", 300, rng) for n in "ab"]
    big = _write_list(base / "SYNTHETIC_list_big.csv", 2000, rng)
    folder = base / "files"
    folder.mkdir()
    for i in range(200):
        (folder / f"note{i:03}.txt").write_text(
            f"SYNTHETIC note {i}: " + " ".join(rng.choice(LAST) for _ in range(150)),
            encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nSYNTHETIC not a pdf")  # skipped
    (folder / "outside").symlink_to(big)   # refused: out of the folder
    case = Path(str(files("sabt.data").joinpath("case1988")))
    empty = base / "empty"
    Workspace.create(empty, admin=ADMIN).close()
    two = base / "two-lists"
    shutil.copytree(empty, two)
    for i, path in enumerate(lists):
        _sabt("import-list", str(path), "--name", f"list{i}", ws=two)
    full = base / "full"
    shutil.copytree(two, full)
    _sabt("link", ws=full)
    _sabt("import-case", str(case), "--title", "SYNTHETIC case", ws=full)
    _sabt("add", str(folder), ws=full)
    return Kit(base, lists, big, folder, case, empty, two, full)


def _counts(root: Path) -> dict[str, int]:
    """Rows per table (the audit log aside: reads and refusals are audited too)."""
    with sqlite3.connect(root / "sabt.sqlite") as conn:
        tables = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name != 'audit_log'")]
        return {t: conn.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}


def _export(store: Store) -> list[str]:
    out = io.StringIO()
    store.export_jsonl(out)
    return [line for line in out.getvalue().splitlines()[1:]
            if not line.endswith('"table": "audit_log"}')]


def _opened_and_verified(root: Path) -> Store:
    """Open the workspace (which cleans what a killed process left) and check it all."""
    store = Store.open(root)
    vault = Vault(store)
    report = vault.verify()
    assert report.ok, [p.message for p in report.problems]
    assert vault.blobs.staged_files() == [] and vault.blobs.leftovers().folders == []
    return store


def _kill_points(kit: Kit, name: str, start: Path, args: Callable[[Path], list[str]],
                 ) -> Iterator[tuple[int, float, Path, int | None]]:
    """Run the command to completion once (yielded as point -1), then kill it at `POINTS`
    points; yields (point, delay, workspace, exit code or None when killed)."""
    work = kit.base / name
    work.mkdir()
    done = work / "complete"
    shutil.copytree(start, done)
    began = time.monotonic()
    _sabt(*args(done), ws=done)
    duration = time.monotonic() - began
    yield -1, duration, done, 0
    rng = random.Random(f"{SEED}-{name}")
    for point in range(POINTS):
        ws = work / f"kill{point:02}"
        shutil.copytree(start, ws)
        delay = duration * (point + rng.random()) / POINTS
        proc = _sabt(*args(ws), ws=ws, wait=False)
        try:
            code: int | None = proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            code = None
        if proc.stderr is not None:
            err = proc.stderr.read().decode()
            proc.stderr.close()
            assert code in (None, 0), err
        yield point, delay, ws, code
        _remove(ws)


def _remove(path: Path) -> None:
    for blob in path.rglob("*"):
        if blob.is_file():
            blob.chmod(0o600)
    shutil.rmtree(path)


COMMANDS: dict[str, tuple[Callable[[Kit], Path], Callable[[Kit, Path], list[str]]]] = {
    "import-list": (lambda k: k.empty,
                    lambda k, ws: ["import-list", str(k.big_list), "--name", "big"]),
    "add": (lambda k: k.empty, lambda k, ws: ["add", str(k.folder)]),
    "import-case": (lambda k: k.empty,
                    lambda k, ws: ["import-case", str(k.case), "--title", "SYNTHETIC case"]),
    "link": (lambda k: k.two_lists, lambda k, ws: ["link"]),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_killed_command_happens_entirely_or_not_at_all(kit: Kit, command: str) -> None:
    start_of, args_of = COMMANDS[command]
    start = start_of(kit)
    before = _counts(start)
    with Store.open(start) as store:
        before_export = _export(store)
    complete: dict[str, int] = {}
    outcomes = {"killed, nothing done": 0, "killed, all done": 0, "finished first": 0}
    for point, delay, ws, code in _kill_points(kit, command, start,
                                               lambda ws: args_of(kit, ws)):
        store = _opened_and_verified(ws)
        try:
            counts = _counts(ws)
            if point < 0:
                complete = counts
                assert complete != before, f"{command} changed nothing"
                print(f"\n{command}: a complete run took {delay:.1f} s", end="")
                continue
            if counts == complete:
                outcomes["killed, all done" if code is None else "finished first"] += 1
            else:
                assert code is None and _export(store) == before_export, \
                    f"{command} killed after {delay:.2f} s (point {point}) left part of its work"
                outcomes["killed, nothing done"] += 1
        finally:
            store.close()
    print(f"\n{command}: {POINTS} kill points: {outcomes}")


def test_a_killed_backup_leaves_no_backup_or_a_whole_one(kit: Kit) -> None:
    start = kit.full
    with Store.open(start) as store:
        before_export = _export(store)
    outcomes = {"killed, no backup": 0, "killed, whole backup": 0, "finished first": 0}
    for point, delay, ws, code in _kill_points(
            kit, "backup", start, lambda ws: ["backup", "--out", f"{ws}.bak"]):
        store = _opened_and_verified(ws)
        try:
            assert _export(store) == before_export
        finally:
            store.close()
        out = Path(f"{ws}.bak")
        if point < 0:
            print(f"\nbackup: a complete run took {delay:.1f} s", end="")
        if not out.exists():
            assert code is None
            outcomes["killed, no backup"] += 1
            continue
        if point >= 0:
            outcomes["killed, whole backup" if code is None else "finished first"] += 1
        restored, report = Workspace.restore(out, ws.parent / f"{ws.name}-restored")
        try:
            assert report.verify is not None and report.verify.ok, \
                f"backup killed after {delay:.2f} s (point {point}) does not verify"
            assert _export(restored.store) == before_export
        finally:
            restored.close()
        _remove(ws.parent / f"{ws.name}-restored")
        out.unlink()
        Path(f"{ws}.bak.partial").unlink(missing_ok=True)
    print(f"\nbackup: {POINTS} kill points: {outcomes}")
