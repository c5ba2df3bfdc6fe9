"""`sabt estimate` end to end through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sabt.cli import main
from tests.estimate._refs import DATA

FAST = ["--burn-in", "500", "--samples", "200", "--thinning", "5", "--chains", "2"]


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(DATA / "rcapture_HIV.csv"), "--json", *FAST])
    assert info.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    assert doc["n_observed"] == 1896
    assert doc["estimates"][0]["model"] == "[1,2,3,4]"
    assert {e["method"] for e in doc["estimates"]} == {"loglinear", "lcmcr", "dga"}


def test_table_output_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "out.png"
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(DATA / "dga_MY_5list.csv"), "--method", "dga", "--plot", str(png)])
    assert info.value.code in (0, None)
    out = capsys.readouterr().out
    assert "dga" in out and "618" in out
    assert png.exists()


def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,count\n1,0,3\n0,7,1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(bad)])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "row 3" in err and "field 'b'" in err and "Traceback" not in err


def test_strata_and_sensitivity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ["region,a,b,c,count"]
    for region, counts in (("N", [50, 40, 45, 12, 10, 9, 3]), ("S", [30, 35, 20, 8, 6, 7, 2])):
        for pat, c in zip(["1,0,0", "0,1,0", "0,0,1", "1,1,0", "1,0,1", "0,1,1", "1,1,1"],
                          counts, strict=True):
            rows.append(f"{region},{pat},{c}")
    path = tmp_path / "strata.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(path), "--strata", "region", "--method", "loglinear",
              "--sensitivity", "--json"])
    assert info.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["strata"]) == {"N", "S"}
    assert doc["n_observed"] == 277
    assert doc["estimates"][0]["model"] == "sum of per-stratum best-BIC models"
    assert [s["left_out"] for s in doc["sensitivity"]] == ["a", "b", "c"]


@pytest.fixture(scope="module")
def linked_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with three SYNTHETIC lists (simulator, 400 people) and one link run."""
    from sabt.link import workspace as lw
    from sabt.service import Workspace
    from sabt.simulate import scenario, simulate, write

    folder = tmp_path_factory.mktemp("SYNTHETIC_lists")
    write(simulate(scenario("independent", population=400), seed=3), folder, formats=("csv",),
          population=False)
    path = folder / "ws"
    with Workspace.create(path, admin="tester") as service:
        ws = service.store
        for csv_path in sorted((folder / "lists").glob("SYNTHETIC_list_*.csv")):
            lw.import_list(ws, csv_path, name=csv_path.stem.split("_")[2], author="tester")
        lw.run_linkage(ws, author="tester")
    return path


def test_estimate_from_workspace(linked_workspace: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    from sabt.link.captures import capture_table
    from sabt.link.workspace import run_clusters
    from sabt.store.workspace import Store

    with Store.open(linked_workspace) as ws:
        persons = run_clusters(ws)["person_id"].nunique()
        sexes = set(capture_table(ws, "sex_code")["sex_code"])
    with pytest.raises(SystemExit) as info:
        main(["--as", "tester", "estimate", "--workspace", str(linked_workspace), "--method",
              "loglinear", "--json"])
    assert info.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    assert doc["lists"] == ["A", "B", "C"]
    assert doc["n_observed"] == persons
    # the independent scenario's true N is 400; linkage errors are few, so the estimate is near
    assert 300 < doc["estimates"][0]["estimate"] < 550

    with pytest.raises(SystemExit) as info:
        main(["--as", "tester", "estimate", "-w", str(linked_workspace), "--strata", "sex_code",
              "--method", "dga", "--json"])  # dga: the women's stratum is too sparse for log-linear
    assert info.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["strata"]) == sexes and doc["n_observed"] == persons


def test_file_or_workspace_not_both(linked_workspace: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    for args in ([], [str(DATA / "rcapture_HIV.csv"), "--workspace", str(linked_workspace)]):
        with pytest.raises(SystemExit) as info:
            main(["--as", "tester", "estimate", *args])
        assert info.value.code == 1
        assert "--workspace" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["--as", "tester", "estimate", "-w", str(linked_workspace), "--strata", "sex_code",
              "--strata",
              "province"])
    assert info.value.code == 1
    assert "--strata once" in capsys.readouterr().err


def test_two_modes_no_number_with_draws_and_trace(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # the settings of test_lcmcr.NED_SPLIT, where the chains split between two modes
    csv_path, png = tmp_path / "draws.csv", tmp_path / "trace.png"
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(DATA / "sparsemse_Ned_5.csv"), "--method", "lcmcr", "--burn-in",
              "10000", "--samples", "1000", "--thinning", "30", "--chains", "4", "--seed", "1",
              "--json", "--draws", str(csv_path), "--trace", str(png)])
    assert info.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    (lc,) = doc["estimates"]
    assert lc["estimate"] is None and lc["lower"] is None and lc["upper"] is None
    assert len(lc["diagnostics"]["modes"]) >= 2
    assert any("different modes" in w for w in doc["warnings"])
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "chain,draw,N,alpha" and len(lines) == 1 + 4 * 1_000
    assert png.stat().st_size > 10_000


def test_linkage_draws_from_workspace(linked_workspace: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--as", "tester", "estimate", "-w", str(linked_workspace), "--method",
              "loglinear", "--linkage-draws", "20", "--json"])
    assert info.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    (e,) = doc["estimates"]
    assert e["method"] == "loglinear" and e["linkages"] == 20
    # pooled over linkages: Rubin's total variance is at least the within part, so the
    # interval (on log N) is at least as wide as the naive one up to the log-midpoint shift
    assert e["upper"] - e["lower"] >= 0.95 * (e["naive"]["upper"] - e["naive"]["lower"])
    assert 0 <= e["linkage_share"] <= 1
    assert doc["linkage"]["draws"] == 20
    assert doc["linkage"]["probabilities"] == "model"
    assert any("sample-bands" in w for w in doc["warnings"])
    with pytest.raises(SystemExit) as info:
        main(["--as", "tester", "estimate", "-w", str(linked_workspace), "--method",
              "loglinear", "--linkage-draws", "5"])
    assert info.value.code in (0, None)
    captured = capsys.readouterr()
    assert "linkage" in captured.out and "naive" in captured.out   # columns (may wrap)
    assert "drawn from: model" in captured.out
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(DATA / "rcapture_HIV.csv"), "--linkage-draws", "5"])
    assert info.value.code == 1
    assert "estimate-lists" in capsys.readouterr().err


def test_sample_bands_and_calibration(linked_workspace: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    from sabt.link.calibrate import BANDS, band_of
    from sabt.service import Workspace

    with Workspace.open(linked_workspace) as ws:
        me = ws.actor("tester")
        items = ws.linkage.sample_bands(me, per_band=3, seed=5)
        again = ws.linkage.sample_bands(me, per_band=3, seed=5)
        assert items == again
        counts = np.bincount([it.band for it in items], minlength=len(BANDS) - 1)
        bands = np.bincount(band_of(np.array([it.probability for it in items])),
                            minlength=len(BANDS) - 1)
        assert (counts <= 3).all() and np.array_equal(counts, bands)
        assert ws.linkage.calibration(me, 3, 5).reviewed == 0
    with pytest.raises(SystemExit) as info:
        main(["--as", "tester", "review", "-w", str(linked_workspace), "--sample-bands",
              "--per-band", "3", "--band-seed", "5", "--json"])
    assert info.value.code in (0, None)
    served = json.loads(capsys.readouterr().out)
    assert [(s["record_l"], s["record_r"]) for s in served] == \
        [(it.record_l, it.record_r) for it in items]
    with pytest.raises(SystemExit) as info:
        main(["--as", "tester", "review", "-w", str(linked_workspace), "--calibration",
              "--per-band", "3", "--band-seed", "5", "--json"])
    assert info.value.code in (0, None)
    assert json.loads(capsys.readouterr().out)["reviewed"] == 0


def test_merge_and_drop_strata_on_a_file(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    rows = ["province,a,b,c,count"]
    for region in ("Tehran", "تهران", "unknown"):
        for pat, c in zip(["1,0,0", "0,1,0", "0,0,1", "1,1,0", "1,0,1", "0,1,1", "1,1,1"],
                          [50, 40, 45, 12, 10, 9, 3], strict=True):
            rows.append(f"{region},{pat},{c}")
    path = tmp_path / "SYNTHETIC_places.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(path), "--strata", "province", "--method", "loglinear",
              "--json"])
    assert info.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["strata"]) == {"Tehran", "unknown"}
    assert any("'unknown'" in w for w in doc["warnings"])
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(path), "--strata", "province", "--method", "loglinear",
              "--drop-stratum", "unknown", "--json"])
    assert info.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["strata"]) == {"Tehran"} and doc["n_observed"] == 2 * 169


@pytest.mark.slow
def test_estimate_lists_links_draws_and_pools(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from sabt.simulate import scenario, simulate, write

    write(simulate(scenario("independent", population=300), seed=4), tmp_path,
          formats=("csv",), population=False)
    files = sorted(str(p) for p in (tmp_path / "lists").glob("SYNTHETIC_list_*.csv"))
    with pytest.raises(SystemExit) as info:
        main(["estimate-lists", *files, "--method", "loglinear", "--linkage-draws", "10",
              "--json"])
    assert info.value.code in (0, None)
    doc = json.loads(capsys.readouterr().out)
    (e,) = doc["estimates"]
    assert e["method"] == "loglinear" and e["linkages"] == 10
    assert e["lower"] <= e["estimate"] <= e["upper"] and "linkage_share" in e
    assert len(doc["lists"]) == 3


def test_reviewed_band_sample_recalibrates_and_is_fixed_in_draws(linked_workspace: Path) -> None:
    """Runs last in this module: it records decisions in the shared workspace."""
    from sabt.estimate.propagate import draw_clusterings
    from sabt.link import workspace as lw
    from sabt.service import Workspace

    with Workspace.open(linked_workspace) as ws:
        me = ws.actor("tester")
        items = ws.linkage.sample_bands(me, per_band=3, seed=5)
        # a SYNTHETIC reviewer who calls every sampled pair different people: the top bands'
        # probabilities (≥ 0.95) then lie far outside their 0-of-3 Wilson interval (0–0.56)
        for it in items:
            ws.linkage.decide(me, it.record_l, it.record_r, "non-match")
        calib = ws.linkage.calibration(me, 3, 5)
        assert calib.reviewed == len(items) and calib.recalibrate
        inp = lw.linkage_input(ws.store)
        assert len(inp.cannot_link) == len(items)
        labels = draw_clusterings(inp, 20, seed=2)
        for a, b in inp.cannot_link:
            assert (labels[:, a] != labels[:, b]).all()
        report = ws.estimates.propagate(me, draws=5, methods=["loglinear"], per_band=3,
                                        band_seed=5)
        assert report.probabilities.startswith("calibrated on")
        assert report.calibration is not None and report.calibration["recalibrated"]
