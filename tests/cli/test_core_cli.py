"""The CLI as a user meets it: one command per action, one clear line per error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sabt.cli import main
from sabt.errors import SabtError


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def sabt(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
         ) -> Callable[..., Result]:
    """Run `sabt ARGS` in-process through the real entry point (`main`), like a user would."""
    for key in [k for k in os.environ if k.startswith("SABT_")]:
        monkeypatch.delenv(key)

    def run(*args: str, workspace: Path | None = None, url: str | None = None,
            check: bool = True) -> Result:
        capsys.readouterr()
        env = {"SABT_WORKSPACE": str(workspace) if workspace else None,
               "SABT_DATABASE_URL": url}
        for key, value in env.items():
            if value:
                monkeypatch.setenv(key, value)
            else:
                monkeypatch.delenv(key, raising=False)
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        result = Result(code, out.out, out.err)
        if check and code != 0:
            raise AssertionError(f"sabt {' '.join(args)} failed:\n{out.out}\n{out.err}")
        return result

    return run


def test_entry_point_runs_as_a_program(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "sabt", "--version"], capture_output=True,
                          text=True, check=True)
    assert done.stdout.startswith("sabt ")
    env = {**os.environ, "SABT_WORKSPACE": str(tmp_path / "missing")}
    failed = subprocess.run([sys.executable, "-m", "sabt", "show", "P1"], capture_output=True,
                            text=True, env=env, check=False)
    assert failed.returncode == 1 and "not a Sabt workspace" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_help_lists_commands(sabt: Callable[..., Result]) -> None:
    help_text = sabt("--help").stdout
    for command in ("init", "upgrade", "show", "history", "add-source", "add-statement",
                    "export", "import-jsonl", "demo"):
        assert command in help_text


def test_round_trip_through_the_cli(sabt: Callable[..., Result], tmp_path: Path,
                                    database_url: str | None) -> None:
    ws = tmp_path / "ws"
    sabt("init", str(ws), url=database_url)
    src = sabt("add-source", "Amnesty 2018", "--publisher", "Amnesty", workspace=ws,
               url=database_url).stdout.strip()
    event = sabt("add-entity", "event", "1988 prison killings", "--id", "E1988",
                 workspace=ws, url=database_url).stdout.strip()
    assert (src, event) == ("S1", "E1988")
    sabt("add-statement", event, "death toll", "over 30,000", "-t", "quantity", "-s", src,
         "--page", "12", "-q", "over 30,000 people", workspace=ws, url=database_url)
    sabt("add-statement", event, "death toll", "2800|3800", "-t", "quantity",
         "--qualifier", "claimant=Montazeri", "--confidence", "high", workspace=ws,
         url=database_url)
    shown = json.loads(sabt("show", event, "--json", workspace=ws, url=database_url).stdout)
    toll = shown["view"][0]
    assert toll["conflict"] and len(toll["candidates"]) == 2
    by_id = {st["id"]: st for st in shown["statements"]}
    assert by_id[toll["best"]]["value"]["qualifier"] == "or"
    assert by_id[1]["references"][0] == {"source": "S1", "page": "12", "start": None,
                                         "end": None, "time": None, "row": None,
                                         "column": None, "quote": "over 30,000 people"}
    table = sabt("show", event, workspace=ws, url=database_url).stdout
    assert "conflict" in table and "unsourced" in table
    assert "created" in sabt("history", event, workspace=ws, url=database_url).stdout
    out = tmp_path / "all.jsonl"
    sabt("export", "--format", "jsonl", "--out", str(out), workspace=ws, url=database_url)
    copy = tmp_path / "copy"
    sabt("import-jsonl", str(out), workspace=copy)
    again = json.loads(sabt("show", event, "--json", workspace=copy).stdout)
    assert again == shown


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("show", "NOPE"), "no entity with id 'NOPE'"),
        (("show", "bad id!"), "invalid id"),
        (("add-statement", "S1", "death toll", "many", "-t", "quantity"), "not a quantity"),
        (("add-statement", "S1", "name", "x", "--quote", "q"), "needs --source"),
        (("add-statement", "S1", "Bad Prop", "x"), "invalid property"),
        (("retract", "1", "--reason", "x"), "no statement with id 1"),
    ],
)
def test_bad_input_is_one_line_without_traceback(sabt: Callable[..., Result], tmp_path: Path,
                                                 args: tuple[str, ...], needle: str) -> None:
    ws = tmp_path / "ws"
    sabt("init", str(ws))
    sabt("add-source", "A source", workspace=ws)
    result = sabt(*args, workspace=ws, check=False)
    assert result.returncode == 1
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(SabtError):  # --debug lets the real exception (and traceback) through
        sabt(*args, "--debug", workspace=ws, check=False)


def test_cli_starts_without_loading_heavy_libraries() -> None:
    """`sabt --help` must stay quick: the heavy libraries load only in the commands that use
    them (splink, DuckDB, numba, pandas, openpyxl, trafilatura, pypdf, matplotlib)."""
    heavy = ("splink", "duckdb", "numba", "pandas", "openpyxl", "trafilatura", "pypdf",
             "matplotlib", "alembic", "fastapi", "starlette", "uvicorn", "argon2", "pyotp")
    code = ("import sys, sabt.cli; "
            f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""


def test_add_source_reads_a_solar_hijri_date_and_hashes_the_file(
        sabt: Callable[..., Result], tmp_path: Path) -> None:
    import hashlib

    from sabt.store.workspace import Store

    ws = tmp_path / "ws"
    sabt("init", str(ws))
    doc = tmp_path / "report.txt"
    doc.write_text("a report", encoding="utf-8")
    sid = sabt("add-source", "A report", "--published", "مرداد ۱۳۶۷", "--file", str(doc),
               workspace=ws).stdout.strip()
    with Store.open(ws) as opened:
        details = opened.source_details(sid)
    assert details["published"] == "1988-07-23/1988-08-22"  # Mordad 1367, day by day
    assert details["sha256"] == hashlib.sha256(b"a report").hexdigest()
