"""The curated 1988 case: every row enters as sourced statements; the board shows every claim."""

from __future__ import annotations

import csv
import json
import shutil
from importlib.resources import files
from pathlib import Path

import pytest

from sabt.claims.board import claims_board, record_estimates, stored_estimates
from sabt.claims.popolo import popolo
from sabt.errors import InvalidValue, SabtError
from sabt.ingest.case import plan_case, write_plan
from sabt.store.workspace import Store

CASE = Path(str(files("sabt.data").joinpath("case1988")))


def _rows(name: str) -> list[dict[str, str]]:
    with (CASE / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def case_ws(workspace: Store) -> Store:
    plan = plan_case(CASE, "Case 1988 demo dataset")
    with workspace.change("tester", reason="case") as ch:
        write_plan(ch, plan)
    return workspace


def test_every_claim_is_on_the_board_with_its_source_and_quote(case_ws: Store) -> None:
    expected = {r["claim_id"]: r for r in _rows("claims")}
    shown = {c.claim_id: (board, c) for board in claims_board(case_ws) for c in board.claims}
    assert shown.keys() == expected.keys()
    for claim_id, row in expected.items():
        board, claim = shown[claim_id]
        assert board.subject == row["subject"]
        assert claim.source_id == row["source_id"] and claim.quote == row["quote"]
        assert claim.claimant == row["claimant"]
        if row["value_low"]:
            assert claim.low == int(row["value_low"])
        expected_conf = {"direct": "high", "quoted": "high", "paraphrased": "medium",
                         "summary": "low"}[row["relay"]]
        assert claim.confidence == expected_conf
        assert ("note" in claim.flags) == bool(row["note"])


def test_subject_filter_and_unknown_subject(case_ws: Store) -> None:
    (board,) = claims_board(case_ws, "total executed")
    assert len(board.claims) == sum(1 for r in _rows("claims")
                                    if r["subject"] == board.subject)
    with pytest.raises(SabtError, match="no subject"):
        claims_board(case_ws, "no such subject")


def test_nothing_enters_without_a_reference(case_ws: Store) -> None:
    for kind in ("person", "organization", "place", "event", "subject"):
        for entity in case_ws.entities(kind):
            for st in case_ws.entity(entity.id).statements:
                assert st.references, f"{entity.id} {st.property} is unsourced"


def test_popolo_has_every_person_and_post_with_sources(case_ws: Store) -> None:
    doc = popolo(case_ws)
    assert {p["id"] for p in doc["persons"]} == {r["person_id"] for r in _rows("persons")}
    assert {o["id"] for o in doc["organizations"]} == {r["org_id"]
                                                       for r in _rows("organizations")}
    posts = {r["post_id"]: r for r in _rows("posts")}
    assert {m["id"] for m in doc["memberships"]} == posts.keys()
    for membership in doc["memberships"]:
        row = posts[membership["id"]]
        assert membership["person_id"] == row["person_id"]
        assert membership.get("organization_id", "") == row["org_id"]
        assert membership["confidence"] == row["confidence"]
        assert membership.get("start_date", "") == row["start"]
        assert membership.get("end_date", "") == row["end"]
        cited = {s["note"].split(":")[0] for s in membership["sources"]}
        assert cited == set(row["source_ids"].split(";"))
    json.dumps(doc)  # serialisable as is


def test_bad_case_data_names_file_row_field_and_writes_nothing(tmp_path: Path,
                                                               workspace: Store) -> None:
    folder = tmp_path / "case"
    shutil.copytree(CASE, folder)
    posts = (folder / "posts.csv").read_text(encoding="utf-8").splitlines()
    posts[3] = posts[3].replace(",high,", ",certain,").replace(",medium,", ",certain,")
    (folder / "posts.csv").write_text("\n".join(posts) + "\n", encoding="utf-8")
    with pytest.raises(InvalidValue) as info:
        plan_case(folder, "broken")
    assert "posts.csv, row 4, field 'confidence'" in str(info.value)

    shutil.copy(CASE / "posts.csv", folder / "posts.csv")
    claims = (folder / "claims.csv").read_text(encoding="utf-8").replace("T1a,S02,", "T1a,S999,")
    (folder / "claims.csv").write_text(claims, encoding="utf-8")
    with pytest.raises(InvalidValue, match=r"claims.csv, row 2.*unknown source id 'S999'"):
        plan_case(folder, "broken")

    before = workspace.counts()
    plan = plan_case(CASE, "Case 1988 demo dataset")
    plan.statements[-1] = plan.statements[-1].__class__(
        "NO-SUCH-ENTITY", "figure", plan.statements[-1].value)
    with pytest.raises(SabtError), workspace.change("tester") as ch:
        write_plan(ch, plan)
    assert workspace.counts() == before


def test_estimates_are_kept_with_inputs_and_synthetic_ones_never_join_claims(
        case_ws: Store) -> None:
    report = {"n_observed": 900, "estimates": [
        {"method": "lcmcr", "model": "K=10", "estimate": 1500.0, "lower": 1200.0,
         "upper": 2100.0, "interval": "95% credible"}]}
    with case_ws.change("tester") as ch:
        with pytest.raises(ValueError, match="synthetic"):
            record_estimates(ch, report, label="x", synthetic=True,
                             subject_id="subj-total-executed-1988-prison-killings-iran",
                             inputs={})
        record_estimates(ch, report, label="SYNTHETIC lists", synthetic=True, subject_id=None,
                         inputs={"linkage_run": 1, "seed": 7})
    (stored,) = stored_estimates(case_ws, synthetic=True)
    assert stored.inputs == {"linkage_run": 1, "seed": 7} and stored.estimate == 1500.0
    assert stored.diagnostics["interval"] == "95% credible"
    assert all(not board.estimates for board in claims_board(case_ws))


def test_cli_import_case_claims_and_report(tmp_path: Path) -> None:
    from sabt.cli import main

    ws = tmp_path / "ws"

    def run(*args: str) -> None:
        with pytest.raises(SystemExit) as done:
            main([*args, "--workspace", str(ws)])
        assert done.value.code in (0, None)

    run("init")
    run("import-case", str(CASE), "--title", "Case 1988 demo dataset")
    run("claims", "total executed")
    out = tmp_path / "report.html"
    run("report", "--out", str(out), "--title", "Test report")
    html = out.read_text(encoding="utf-8")
    for row in _rows("claims"):
        assert f'<tr id="claim-{row["claim_id"]}">' in html
    assert "<title>Test report</title>" in html


def test_disputed_flag_marks_contested_attributions_only(case_ws: Store) -> None:
    claims = {c.claim_id: c for board in claims_board(case_ws) for c in board.claims}
    # T27d: the mirror's "at least 30,000" that Amnesty's own texts contradict
    assert "disputed" in claims["T27d"].flags
    assert "disputed" not in claims["T26"].flags and "note" not in claims["T26"].flags
    # a note without a contradiction is a note, not a dispute
    assert claims["T1a"].flags == ("note",)
