"""`sabt backup-key`, `sabt backup` and `sabt restore-backup` as an admin meets them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.cli.test_core_cli import Result, sabt  # noqa: F401  (the `sabt` fixture)


def test_backup_and_restore_through_the_cli(sabt: Callable[..., Result],  # noqa: F811
                                            tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    sabt("--as", "admin", "init", str(ws))
    sabt("--as", "admin", "add-source", "SYNTHETIC report", workspace=ws)
    made = sabt("backup-key", str(tmp_path / "k")).stdout
    assert "k.pub" in made and "k.key" in made
    out = sabt("--as", "admin", "backup", "--out", str(tmp_path / "ws.sabt"),
               "--encrypt-to", str(tmp_path / "k.pub"), workspace=ws)
    assert "(encrypted)" in out.stdout
    plain = sabt("--as", "admin", "backup", "--out", str(tmp_path / "plain.sabt"), workspace=ws)
    assert "NOT encrypted" in plain.stdout and "in clear" in plain.stderr
    refused = sabt("restore-backup", str(tmp_path / "ws.sabt"), "--to", str(tmp_path / "r"),
                   check=False)
    assert refused.returncode == 1 and "--key" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "r").exists()
    done = sabt("restore-backup", str(tmp_path / "ws.sabt"), "--to", str(tmp_path / "r"),
                "--key", str(tmp_path / "k.key")).stdout
    assert "verify OK" in done
    shown = sabt("--as", "admin", "show", "S1", workspace=tmp_path / "r").stdout
    assert "SYNTHETIC report" in shown
    again = sabt("restore-backup", str(tmp_path / "plain.sabt"), "--to", str(tmp_path / "r"),
                 check=False)
    assert again.returncode == 1 and "not empty" in again.stderr


def test_only_an_admin_backs_up(sabt: Callable[..., Result],  # noqa: F811
                                tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    sabt("--as", "admin", "init", str(ws))
    sabt("--as", "admin", "user", "add", "ed", "--role", "editor", workspace=ws)
    refused = sabt("--as", "ed", "backup", "--out", str(tmp_path / "x.sabt"), workspace=ws,
                   check=False)
    assert refused.returncode == 1 and "may not" in refused.stderr
    assert not (tmp_path / "x.sabt").exists()
