"""`sabt demo` end to end: the report holds every curated claim with its source; reruns are
idempotent; failures leave the previous demo intact."""

from __future__ import annotations

import csv
import io
from importlib.resources import files
from pathlib import Path

import pytest
from markupsafe import escape

from sabt.demo import DemoResult, build_demo
from sabt.errors import SabtError
from sabt.store.workspace import Store

pytestmark = pytest.mark.xdist_group("demo")


def _claims() -> list[dict[str, str]]:
    text = files("sabt.data").joinpath("case1988", "claims.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_report_holds_every_claim_with_its_source(report_html: str) -> None:
    claims = _claims()
    assert len(claims) > 50
    for row in claims:
        start = report_html.index(f'<tr id="claim-{row["claim_id"]}">')
        end = report_html.index("</tr>", start)
        row_html = report_html[start:end]
        assert f'href="#src-{row["source_id"]}"' in row_html, row["claim_id"]
        assert str(escape(row["quote"])) in row_html, row["claim_id"]   # as autoescape writes
        assert str(escape(row["claimant"])) in row_html, row["claim_id"]
        assert f'id="src-{row["source_id"]}"' in report_html


def test_synthetic_estimates_are_labelled_and_kept_apart(report_html: str,
                                                        demo: DemoResult) -> None:
    from sabt.claims.board import claims_board, stored_estimates

    start = report_html.index('<section class="synthetic" id="synthetic">')
    section = report_html[start:report_html.index("</section>", start)]
    assert "SYNTHETIC DATA — not a finding about 1988" in section
    with Store.open(demo.workspace) as ws:
        estimates = stored_estimates(ws, synthetic=True)
        boards = claims_board(ws)
    assert {e.method for e in estimates} == {"loglinear", "lcmcr", "dga"}
    for est in estimates:
        assert est.label.startswith("SYNTHETIC") and est.inputs["synthetic"] is True
        assert f"{est.estimate:,.0f}" in section
        assert est.lower is not None and est.upper is not None
        assert est.lower <= est.estimate <= est.upper
    assert all(not board.estimates for board in boards)  # never among the real claims
    claims_part = report_html[:start]
    assert "SYNTHETIC" not in claims_part.split('<h2 id="claims">', 1)[1]


def test_seed_article_claims_cite_their_exact_sentence(demo: DemoResult) -> None:
    from sabt.claims.board import claims_board
    from sabt.vault.vault import Vault

    with Store.open(demo.workspace) as ws:
        (board,) = claims_board(ws, "subj-total-executed-1988-prison-killings-iran")
        vault = Vault(ws)
        seeds = {item["source_id"]: item["sha256"] for item in vault.items()
                 if item["source_id"]}
        from_seeds = [c for c in board.claims if c.source_id in seeds]
        assert len(from_seeds) == 2
        for claim in from_seeds:
            text, _ = vault.text(seeds[claim.source_id])
            assert claim.quote and claim.quote in text and "30,000" in claim.quote


def test_verify_passes_on_the_demo_workspace(demo: DemoResult,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from sabt.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--as", "tester", "verify", "--workspace", str(demo.workspace)])
    assert done.value.code in (0, None), capsys.readouterr()


def test_report_is_one_offline_file_in_english_with_persian_rtl(report_html: str) -> None:
    assert report_html.startswith("<!DOCTYPE html>") and 'lang="en"' in report_html
    for needle in ("<script src", "<link rel=\"stylesheet\"", "<img src=\"http", "@import"):
        assert needle not in report_html
    assert '<bdi class="fa" dir="rtl" lang="fa">حسینعلی منتظری</bdi>' in report_html
    assert "هجری شمسی" in report_html


def test_rerun_is_idempotent_and_fresh_rebuilds(demo: DemoResult, tmp_path: Path) -> None:
    import shutil

    again = build_demo(demo.workspace, admin="tester")
    assert not again.rebuilt
    target = tmp_path / "d"
    shutil.copytree(demo.workspace, target)
    with Store.open(target) as ws:
        before = io.StringIO()
        ws.export_jsonl(before)
    second = build_demo(target, fresh=True, admin="tester")
    assert second.rebuilt
    with Store.open(target) as ws:
        after = io.StringIO()
        ws.export_jsonl(after)

    def content(dump: str) -> list[str]:  # the same facts (revisions and logs carry times)
        tables = ('"table": "entity"', '"table": "statement"', '"table": "reference"',
                  '"table": "source"')
        return [line for line in dump.splitlines() if line.startswith("{") and any(
            t in line for t in tables)]

    assert content(before.getvalue()) == content(after.getvalue())


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    Store.create(tmp_path / "real").close()
    with pytest.raises(SabtError, match="not a demo"):
        build_demo(tmp_path / "real", admin="tester")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SabtError, match="not a demo"):
        build_demo(tmp_path / "other", admin="tester")
    assert (tmp_path / "other" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_failed_build_leaves_the_previous_demo(demo: DemoResult, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from sabt.demo import steps

    target = tmp_path / "demo"
    shutil.copytree(demo.workspace, target)
    before = (target / "report.html").read_bytes()

    def broken(state: steps.DemoState) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(steps, "STEPS", [*steps.STEPS[:1], ("broken", broken)])
    monkeypatch.setattr("sabt.demo.STEPS", steps.STEPS)
    with pytest.raises(RuntimeError):
        build_demo(target, fresh=True, admin="tester")
    assert (target / "report.html").read_bytes() == before
    assert not (tmp_path / "demo.partial").exists()


def test_the_demo_writes_a_checkable_case_file_of_an_official(demo: DemoResult) -> None:
    from sabt.dossier.seal import check

    folder = demo.case_file
    assert folder == demo.workspace / "case-file-PER06"
    for name in ("dossier.pdf", "dossier.html", "VERIFY.md", "manifest.sha256"):
        assert (folder / name).is_file(), name
    report = check(folder)
    assert report.ok, report.problems


def test_demo_publishes_a_synthetic_memorial(demo: DemoResult) -> None:
    site = demo.workspace / "memorial"
    pages = sorted(site.rglob("*.html"))
    victims = sorted((site / "fa/p").glob("*.html"))
    assert len(victims) > 100
    for page in pages:
        assert b"SYNTHETIC" in page.read_bytes(), page
    sample = victims[0].read_text()
    assert 'dir="rtl"' in sample and "به گفتهٔ" in sample     # according to a source
    assert (site / "assets/search-index.js").stat().st_size > 10_000
