"""Names shown safely in the terminal and in CSV files, secrets hidden, workspace files private."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sabt.cli import main
from sabt.errors import SabtError
from sabt.safety import clean_value, csv_cell, csv_uncell, printable, safe_frame, shown
from sabt.service import Workspace
from sabt.store.workspace import SQLITE_FILE, Store, make_engine, safe_url
from sabt.vault.vault import Provenance, Vault


def test_shown_escapes_terminal_controls_and_rich_markup() -> None:
    hostile = "evil\x1b[2J\x1b]8;;http://x\x07name\u202e[link=http://x]click[/link]\r"
    out = shown(hostile)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\r" not in out
    assert "\\x1b[2J" in out and "\\u202e" in out
    assert "\\[link=http://x]" in out   # markup escaped, shown literally
    assert printable("نام\u200cخانوادگی") == "نام\u200cخانوادگی"   # ZWNJ is a letter's business


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)",
                                   "\tx", "\rx", "'quoted"])
def test_csv_cell_neutralises_formulas_and_round_trips(value: str) -> None:
    safe = csv_cell(value)
    assert safe.startswith("'") and csv_uncell(safe) == value


@pytest.mark.parametrize("value", ["-3.5", "+7", "1e5", "Ali", "", "نام"])
def test_csv_cell_leaves_numbers_and_plain_text(value: str) -> None:
    assert csv_cell(value) == value


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text())
def test_csv_cell_round_trip_and_never_a_formula(value: str) -> None:
    safe = csv_cell(value)
    assert csv_uncell(safe) == value
    assert not safe.startswith(("=", "@", "\t", "\r"))


def test_safe_frame_neutralises_cells_and_column_names() -> None:
    import pandas as pd

    frame = safe_frame(pd.DataFrame({"=list": ["=cmd|' /C calc'!A0", "ok"], "n": [1, -2]}))
    assert list(frame.columns) == ["'=list", "n"]
    assert frame["'=list"].tolist() == ["'=cmd|' /C calc'!A0", "ok"]
    assert frame["n"].tolist() == [1, -2]


def test_clean_value_keeps_letters_and_joiners() -> None:
    assert clean_value("Al\x00i\tReza\n") == "Ali Reza "
    assert clean_value("نام\u200cخانوادگی") == "نام\u200cخانوادگی"
    assert clean_value("a\nb", keep_lines=True) == "a\nb"


def test_manifest_csv_neutralises_formula_file_names(tmp_path: Path) -> None:
    evil = tmp_path / "=HYPERLINK(x).txt"
    evil.write_text("SYNTHETIC evidence", encoding="utf-8")
    ws = Store.create(tmp_path / "ws")
    vault = Vault(ws)
    vault.add([evil], Provenance("tester"))
    paths = vault.write_manifest(tmp_path / "out", "tester")
    ws.close()
    with paths["csv"].open(encoding="utf-8", newline="") as fh:
        names = [row["original_name"] for row in csv.DictReader(fh)]
    assert names == ["'=HYPERLINK(x).txt"]


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://user:s3cret@localhost/db",
    "postgresql+psycopg://user@localhost/db?password=s3cret",
    "postgresql+psycopg://user@localhost/db?sslpassword=s3cret&application_name=sabt",
    "postgresql+psycopg://user@localhost/db?PassWord=s3cret",
])
def test_safe_url_never_shows_a_password(url: str) -> None:
    assert "s3cret" not in safe_url(url)


@pytest.mark.parametrize("url", ["postgresql+psycopg://user:s3cret@localhost:port/db",
                                 "not a url s3cret", "postgresql://user:s3cret@[::1/db"])
def test_bad_database_url_is_one_line_without_the_secret(tmp_path: Path, url: str) -> None:
    with pytest.raises(SabtError) as exc:
        make_engine(tmp_path, url)
    assert "s3cret" not in str(exc.value) and "\n" not in str(exc.value)


def test_workspace_files_are_private(tmp_path: Path) -> None:
    ws = Store.create(tmp_path / "ws")
    ws.close()
    root = tmp_path / "ws"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for name in (SQLITE_FILE, "sabt-workspace.json"):
        assert stat.S_IMODE((root / name).stat().st_mode) == 0o600, name


def test_cli_error_line_escapes_the_file_name(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    Workspace.create(tmp_path / "ws", admin="tester").close()
    name = tmp_path / "\x1b[31m[bold]evil.csv"
    name.write_text("", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["--as", "tester", "import-list", str(name), "--name", "x", "-w",
              str(tmp_path / "ws")])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "\x1b[31m" not in err and "\\x1b[31m[bold]evil.csv" in err
    assert "Traceback" not in err and err.count("error:") == 1
