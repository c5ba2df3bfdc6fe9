"""Files written by sabt.simulate.write() and `sabt simulate`: they parse back and say SYNTHETIC."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sabt.cli import app
from sabt.errors import InvalidValue
from sabt.simulate import Simulation, list_file_stem, scenario, simulate, write


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulate(scenario("hard", population=3000), seed=8)


@pytest.fixture(scope="module")
def out(sim: Simulation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sim")
    write(sim, folder, formats=("auto",), xlsx_max_rows=1100)
    return folder


def test_every_file_says_synthetic(out: Path) -> None:
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= 10
    assert all(p.name.startswith("SYNTHETIC_") for p in files)
    for path in files:
        if path.suffix == ".csv" and path.parent.name == "lists":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            assert frame.columns[0] == "SYNTHETIC"
            assert frame["SYNTHETIC"].str.contains("SYNTHETIC").all()
        elif path.suffix == ".csv":
            assert path.read_text(encoding="utf-8").startswith("# SYNTHETIC")
    manifest = json.loads((out / "SYNTHETIC_manifest.json").read_text(encoding="utf-8"))
    assert manifest["SYNTHETIC"] is True and manifest["config"]["scenario"] == "hard"


def test_lists_parse_back_identically(sim: Simulation, out: Path) -> None:
    bom = [
        (out / "lists" / f"{list_file_stem(sim, s.name)}.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
        for s in sim.config.lists
    ]
    assert bom == [s.encoding == "utf-8-sig" for s in sim.config.lists] and any(bom)
    truth = pd.read_csv(out / "SYNTHETIC_truth.csv", comment="#")
    for name, frame in sim.lists.items():
        rows = truth[truth["list"] == name].sort_values("row")
        path = out / rows["file"].iloc[0]
        back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        pd.testing.assert_frame_equal(back, frame.astype(str))
        assert rows["row"].tolist() == list(range(len(frame)))
        assert rows["person_id"].tolist() == sim.rows[name]["person_id"].tolist()
        xlsx = path.with_suffix(".xlsx")
        assert xlsx.exists() == (len(frame) <= 1100)
        if xlsx.exists():
            sheet = pd.read_excel(xlsx, dtype=str, keep_default_na=False)
            pd.testing.assert_frame_equal(sheet, frame.astype(str))


def test_captures_file_matches_the_truth_file(sim: Simulation, out: Path) -> None:
    captures = pd.read_csv(out / "SYNTHETIC_captures.csv", comment="#")
    truth = pd.read_csv(out / "SYNTHETIC_truth.csv", comment="#")
    seen = truth.groupby("person_id")["list"].agg(lambda s: "".join(sorted(set(s))))
    names = [s.name for s in sim.config.lists]
    pattern = captures[names].astype(str).agg("".join, axis=1)
    recount = seen.map(lambda lists: "".join("1" if n in lists else "0" for n in names))
    expected = recount.value_counts()
    got = dict(zip(pattern, captures["count"], strict=True))
    assert {k: v for k, v in got.items() if v} == expected.to_dict()
    strata = pd.read_csv(out / "SYNTHETIC_strata.csv", comment="#")
    assert strata.iloc[0]["n_true"] == 3000 and strata.iloc[0]["n_observed"] == len(seen)
    population = pd.read_csv(out / "SYNTHETIC_population.csv", comment="#")
    assert len(population) == 3000


def test_write_is_deterministic(sim: Simulation, out: Path, tmp_path: Path) -> None:
    write(sim, tmp_path, formats=("csv",))
    for path in (tmp_path / "lists").glob("*.csv"):
        assert path.read_bytes() == (out / "lists" / path.name).read_bytes()
    assert (tmp_path / "SYNTHETIC_truth.csv").read_bytes() == (
        out / "SYNTHETIC_truth.csv"
    ).read_bytes()


def test_bad_format_is_a_clear_error(sim: Simulation, tmp_path: Path) -> None:
    with pytest.raises(InvalidValue, match="format"):
        write(sim, tmp_path, formats=("pdf",))


def test_cli_writes_lists_truth_and_captures(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--scenario",
            "independent",
            "--population",
            "400",
            "--lists",
            "4",
            "--seed",
            "2",
            "--out",
            str(tmp_path),
            "--set",
            "typo_rate=0.1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["population"] == 400 and len(summary["lists"]) == 4
    captures = pd.read_csv(tmp_path / "SYNTHETIC_captures.csv", comment="#")
    assert list(captures.columns) == ["A", "B", "C", "D", "count"]
    assert len(list((tmp_path / "lists").glob("SYNTHETIC_list_*.xlsx"))) == 4


def test_cli_rejects_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["simulate", "--scenario", "nope", "--seed", "1", "--out", str(tmp_path)]
    )
    assert isinstance(result.exception, InvalidValue)
    result = runner.invoke(
        app,
        [
            "simulate",
            "--scenario",
            "hard",
            "--seed",
            "1",
            "--out",
            str(tmp_path),
            "--set",
            "typo_rate",
        ],
    )
    assert isinstance(result.exception, InvalidValue)


def test_rewriting_a_folder_removes_lists_of_the_earlier_run(tmp_path: Path) -> None:
    write(simulate(scenario("independent", population=300), seed=1), tmp_path)
    write(simulate(scenario("independent", population=300, lists=2), seed=1), tmp_path)
    names = sorted(p.name.split("_")[2] for p in (tmp_path / "lists").iterdir())
    assert names == ["A", "A", "B", "B"]
