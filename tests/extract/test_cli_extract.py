"""CLI: `sabt extract --json` shape, and add → verify → manifest → suggestions end to end."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from sabt.cli import app

runner = CliRunner()
SEED = Path(__file__).parents[1] / "data" / "extract" / "000_59d8189b7e18d397.txt"


def test_extract_json_shape(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(SEED), "--json", "-w", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"claims", "quotes", "dates", "mentions"}
    assert data["claims"][0] == {"text": "Over 30,000", "start": 646, "end": 657,
                                 "low": 30000, "high": None, "qualifier": "over",
                                 "counted": "killed"}
    assert {"text", "speaker", "start", "end"} <= set(data["quotes"][0])
    assert {"text", "start", "end", "edtf"} <= set(data["dates"][0])


def test_add_verify_manifest_suggestions(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    assert runner.invoke(app, ["init", ws]).exit_code == 0
    added = runner.invoke(app, ["add", str(SEED), "-w", ws, "--by", "tester", "--json"])
    assert added.exit_code == 0, added.output
    report = json.loads(added.stdout)
    assert len(report["added"]) == 1 and report["suggestions"] > 0
    assert runner.invoke(app, ["verify", "-w", ws]).exit_code == 0
    out = tmp_path / "manifest"
    assert runner.invoke(app, ["manifest", "-w", ws, "--out", str(out)]).exit_code == 0
    assert (out / "SHA256SUMS").read_text().startswith(report["added"][0]["sha256"])
    listed = runner.invoke(app, ["suggestions", "-w", ws, "--json"])
    first = json.loads(listed.stdout)[0]
    assert runner.invoke(app, ["suggestions", "-w", ws, "--reject", str(first["id"])]
                         ).exit_code == 0
    blob = next((tmp_path / "ws" / "vault" / "sha256").rglob("*"))
    while blob.is_dir():
        blob = next(blob.iterdir())
    os.chmod(blob, 0o644)
    blob.write_bytes(blob.read_bytes() + b"!")
    failed = runner.invoke(app, ["verify", "-w", ws])
    assert failed.exit_code == 1 and "altered" in failed.output
