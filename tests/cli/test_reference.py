"""docs/cli.md is generated from the commands: it must match them."""

from __future__ import annotations

from pathlib import Path

from sabt.cli.reference import reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == reference(), (
        "regenerate it: python -m sabt.cli.reference > docs/cli.md")
    assert "## `sabt user add`" in DOC.read_text(encoding="utf-8")
