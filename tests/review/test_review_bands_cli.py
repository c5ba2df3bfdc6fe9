"""`sabt review --sample-bands` driven interactively through the CLI entry point on a SYNTHETIC
linked workspace: decisions land, a skipped pair comes back, undo works, and the calibration
summary counts exactly the decisions made."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sabt.cli import main

PER_BAND, SEED = 3, 5
BAND_ARGS = ["--per-band", str(PER_BAND), "--band-seed", str(SEED)]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three SYNTHETIC lists (simulator, 400 people, seed 3) linked once."""
    from sabt.link import workspace as lw
    from sabt.service import Workspace
    from sabt.simulate import scenario, simulate, write

    folder = tmp_path_factory.mktemp("SYNTHETIC_bands")
    write(simulate(scenario("independent", population=400), seed=3), folder, formats=("csv",),
          population=False)
    path = folder / "ws"
    with Workspace.create(path, admin="tester") as service:
        for csv_path in sorted((folder / "lists").glob("SYNTHETIC_list_*.csv")):
            lw.import_list(service.store, csv_path, name=csv_path.stem.split("_")[2],
                           author="tester")
        lw.run_linkage(service.store, author="tester")
    return path


def _review(path: Path, keys: str, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> str:
    """One interactive `review --sample-bands` session answering with `keys` (one per line)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(keys))
    with pytest.raises(SystemExit) as info:
        main(["--as", "tester", "review", "-w", str(path), "--sample-bands", *BAND_ARGS])
    assert info.value.code in (0, None)
    return capsys.readouterr().out


def _sample(path: Path, undecided: bool) -> list[tuple[int, int, int, str | None]]:
    from sabt.service import Workspace

    with Workspace.open(path) as ws:
        items = ws.linkage.sample_bands(ws.actor("tester"), PER_BAND, SEED, undecided=undecided)
    return [(it.record_l, it.record_r, it.band, it.decision) for it in items]


def test_interactive_band_review(linked: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    queue = _sample(linked, undecided=True)
    assert len(queue) >= 4 and all(d is None for *_, d in queue)

    # session 1: match, non-match, skip, then quit
    out = _review(linked, "m\nn\ns\nq\n", monkeypatch, capsys)
    assert f"[1/{len(queue)}]" in out and f"[3/{len(queue)}]" in out
    assert f"[4/{len(queue)}]" in out  # the prompt that was answered with quit
    assert "3 decisions recorded" in out
    decided = {(a, b): d for a, b, _, d in _sample(linked, undecided=False)}
    assert decided[queue[0][:2]] == "match"
    assert decided[queue[1][:2]] == "non-match"
    assert decided[queue[2][:2]] == "skip"
    assert all(decided[q[:2]] is None for q in queue[3:])

    # the skipped pair comes back first; session 2: non-match, undo it, match instead, quit
    again = _sample(linked, undecided=True)
    assert [q[:2] for q in again] == [q[:2] for q in queue[2:]]
    out = _review(linked, "n\nu\nm\nq\n", monkeypatch, capsys)
    assert f"[1/{len(again)}]" in out
    assert "1 decisions recorded" in out
    decided = {(a, b): d for a, b, _, d in _sample(linked, undecided=False)}
    assert decided[queue[2][:2]] == "match"
    assert decided[queue[3][:2]] is None

    # the calibration summary counts exactly these three decisions, band by band
    with pytest.raises(SystemExit) as info:
        main(["--as", "tester", "review", "-w", str(linked), "--calibration", *BAND_ARGS,
              "--json"])
    assert info.value.code in (0, None)
    calib = json.loads(capsys.readouterr().out)
    assert calib["reviewed"] == 3
    made = {queue[0][:2]: 1, queue[1][:2]: 0, queue[2][:2]: 1}
    bands = [q[2] for q in queue[:3]]
    for i, band in enumerate(calib["bands"]):
        mine = [made[q[:2]] for q, b in zip(queue[:3], bands, strict=True) if b == i]
        assert band["reviewed"] == len(mine), (i, band)
        assert band["matches"] == sum(mine), (i, band)

    # the table form says the same in words
    with pytest.raises(SystemExit) as info:
        main(["--as", "tester", "review", "-w", str(linked), "--calibration", *BAND_ARGS])
    assert info.value.code in (0, None)
    assert "band sample: 3 pairs decided" in capsys.readouterr().out
