"""`sabt report` fits any case: a SYNTHETIC case that is not 1988 gets a report with no 1988 or
demo wording, a person index in both scripts, estimates kept with `sabt estimate --save` under
their subject as tables, relayed figures under the party credited, and every user-written
text escaped."""

from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path

import pytest
from markupsafe import escape

from sabt.cli import main
from sabt.ingest.case import FILES

MSE = Path(__file__).parents[1] / "data" / "mse"
SUBJECT = "SYNTHETIC dead, Riverside"
SUBJECT_ID = "subj-synthetic-dead-riverside"
HOSTILE = '<script>alert("x")</script>'

ROWS: dict[str, list[dict[str, str]]] = {
    "sources": [
        {"source_id": "X1", "title": "Report of the Riverside inquiry (SYNTHETIC)",
         "publisher": "SYNTHETIC Inquiry", "published": "2001-05",
         "url": "https://example.org/synthetic-inquiry"},
        {"source_id": "X2", "title": f"Daily (SYNTHETIC) {HOSTILE}",
         "publisher": "SYNTHETIC Daily", "published": "2002"},
        {"source_id": "X3", "title": "SYNTHETIC list Z", "publisher": "SYNTHETIC"},
    ],
    "claims": [
        {"claim_id": "C1", "source_id": "X1", "claimant": "SYNTHETIC Inquiry",
         "claimant_type": "commission", "relay": "direct", "claim_date": "2001-05",
         "subject": SUBJECT, "kind": "estimate", "value_low": "120", "qualifier": "at_least",
         "quote": "at least 120 people died", "quote_lang": "en"},
        {"claim_id": "C2", "source_id": "X2", "claimant": "SYNTHETIC Daily",
         "claimant_type": "media", "attributed_to": "SYNTHETIC Inquiry", "relay": "quoted",
         "claim_date": "2002", "subject": SUBJECT, "kind": "estimate", "value_low": "150",
         "value_high": "200", "qualifier": "range",
         "quote": f"between 150 and 200 {HOSTILE}", "quote_lang": "en"},
    ],
    "persons": [
        {"person_id": "P1", "name_en": "SYNTHETIC Hosein Rezayi", "name_fa": "حسین رضایی",
         "died": "1999-03-01", "source_ids": "X1"},
        {"person_id": "P2", "name_en": f"SYNTHETIC {HOSTILE}", "source_ids": "X2"},
        {"person_id": "P3", "name_en": "SYNTHETIC Zed", "source_ids": "X3"},
    ],
}


def _write_case(folder: Path) -> Path:
    """The SYNTHETIC case's CSV files: the rows above, every other file with its header only
    (headers as the packaged case files write them)."""
    folder.mkdir()
    packaged = Path(str(files("sabt.data").joinpath("case1988")))
    for name in FILES:
        with (packaged / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, header)
            writer.writeheader()
            for row in ROWS.get(name, []):
                writer.writerow({k: row.get(k, "") for k in header})
    return folder


def _run(*args: str) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--as", "boss", *args])
    assert done.value.code in (0, None), args


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    ws = str(root / "ws")
    _run("init", "-w", ws)
    _run("import-case", str(_write_case(root / "case")), "--title", "SYNTHETIC Riverside",
         "-w", ws)
    _run("estimate", str(MSE / "dga_MY_3list_spinabifida.csv"), "-w", ws, "--save", SUBJECT_ID,
         "--method", "loglinear", "--label", "SYNTHETIC three lists")
    return root / "ws"


@pytest.fixture(scope="module")
def report(workspace: Path) -> str:
    out = workspace.parent / "report.html"
    _run("report", "-w", str(workspace), "--out", str(out), "--title",
         "SYNTHETIC Riverside report")
    return out.read_text(encoding="utf-8")


def test_no_wording_of_another_case(report: str) -> None:
    for needle in ("1988", "Hamid Nouri", "Gohardasht", "not a finding about", "demo"):
        assert needle not in report, needle
    assert 'id="synthetic"' not in report      # no synthetic estimates: no synthetic section
    assert "<title>SYNTHETIC Riverside report</title>" in report


def test_person_index_in_both_scripts(report: str) -> None:
    start = report.index('<tr id="person-')
    index = report[start:report.index("</tbody>", start)]
    assert index.count('<tr id="person-') == 2
    assert '<bdi class="fa" dir="rtl" lang="fa">حسین رضایی</bdi>' in index
    assert "SYNTHETIC Hosein Rezayi" in index
    assert "1999" in index and "۱۳۷۷" in index          # 1 March 1999 is 10 Esfand 1377
    assert "SYNTHETIC Zed" not in index                  # known only from a SYNTHETIC list
    assert "1 person(s) known only from SYNTHETIC sources are counted" in report


def test_person_index_stops_at_its_limit_and_says_so(workspace: Path) -> None:
    out = workspace.parent / "short.html"
    _run("report", "-w", str(workspace), "--out", str(out), "--persons", "1")
    short = out.read_text(encoding="utf-8")
    assert short.count('<tr id="person-') == 1
    assert "2 more person(s) are not listed" in short


def test_saved_estimates_stand_under_their_subject_as_tables(report: str) -> None:
    start = report.index(f'<section class="board" id="{SUBJECT_ID}">')
    board = report[start:report.index("</section>", start)]
    assert "SYNTHETIC three lists" in board and "loglinear" in board
    assert '<table class="kv">' in board                # inputs as a table, not a dict
    assert "{'" not in report and "': " not in report   # no Python reprs anywhere
    # the relayed range stands under the party credited
    relayed = board[board.index("Figures others relayed"):]
    assert "SYNTHETIC Inquiry" in relayed and 'href="#claim-C2"' in relayed


def test_every_user_text_is_escaped(report: str) -> None:
    assert HOSTILE not in report
    assert str(escape(HOSTILE)) in report      # as the templates' autoescape writes it


def test_save_refuses_a_subject_that_is_not_there(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "ws")
    _run("init", "-w", ws)
    with pytest.raises(SystemExit) as done:
        main(["--as", "boss", "estimate", str(MSE / "dga_MY_3list_spinabifida.csv"), "-w", ws,
              "--save", "subj-nowhere", "--method", "loglinear"])
    assert done.value.code not in (0, None)
    err = capsys.readouterr().err
    assert "no subject with id 'subj-nowhere'" in err and "Traceback" not in err
