"""Case files: the dossier of an official of the 1988 case, checked as a recipient would.

The workspace holds the shipped 1988 case data (sourced statements about officials) plus a few
TEST FIXTURE additions: a restricted statement, a Persian quote, and two saved pages standing in
for captures of cited web sources (their text says they are test fixtures, not the real pages).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pytest

from sabt.dossier import seal
from sabt.errors import NotFound, SabtError
from sabt.model.statements import Locator, Reference, Text
from sabt.policy import Actor
from sabt.service import Workspace
from sabt.service.dossiers import DossierResult, _remove_stale
from sabt.service.users import new_actor
from tests.conftest import LocalTsa

PERSON = "PER06"
NAME_EN = "Ebrahim Raisi"          # persons.csv, row of PER06 (name_en)
NAME_FA = "ابراهیم رئیسی"           # persons.csv, row of PER06 (name_fa), logical order
SECRET = "RESTRICTED-FIXTURE-VALUE 7431"
SECRET_QUOTE = "restricted fixture quote 9902"
PERSIAN_QUOTE = "رئیس‌جمهور پیشین"
# Bidi controls pdftotext adds around right-to-left runs, and the zero-width non-joiner, which
# only shapes Persian letters (it has no glyph, so a PDF's text cannot carry it).
INVISIBLE = re.compile("[\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SRC = Path(__file__).parents[2] / "src"
UNREACHABLE = "http://127.0.0.1:9/tsr"     # the discard port: nothing answers there


@dataclass
class Case:
    root: Path
    ws: Workspace
    admin: Actor
    viewer: Actor
    admin_file: Path
    viewer_file: Path
    hidden_capture: str
    shown_capture: str
    tsa_ca: Path
    made: DossierResult        # the admin's (signed, time-stamped by one of two authorities)
    read: DossierResult        # the viewer's (unsigned: a viewer may not sign)


def _page(path: Path, label: str) -> Path:
    path.write_text(f"<!doctype html><html><body>TEST FIXTURE standing in for a saved copy of "
                    f"{label}; not the real page.</body></html>", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory, tsa_server: LocalTsa) -> Iterator[Case]:
    root = tmp_path_factory.mktemp("dossier")
    ws = Workspace.create(root / "ws", admin="admin")
    admin = ws.actor("admin")
    ws.claims.import_case(admin, Path(str(files("sabt.data").joinpath("case1988"))),
                          "Case 1988 demo dataset")
    viewer = ws.users.add(admin, new_actor("vera", ["viewer", "analyst"], clearance="internal"),
                          reason="test reader")
    secret = ws.entities.add_statement(
        admin, PERSON, "note", Text(SECRET, "en"),
        references=[Reference("S41a", Locator(page="2"), SECRET_QUOTE)])
    ws.entities.mark(admin, str(secret), "restricted", reason="test: restricted statement")
    ws.entities.add_statement(admin, PERSON, "alias", Text("رئیسی", "fa"),
                              references=[Reference("S35b", Locator(page="1"), PERSIAN_QUOTE)])
    shown = ws.vault.add_capture(admin, "S41a", _page(root / "s41a.html", "S41a"),
                                 captured_at="2026-11-01T00:00:00Z")
    hidden = ws.vault.add_capture(admin, "S04", _page(root / "s04.html", "S04"))
    ws.entities.mark(admin, hidden["sha256"], "confidential", reason="test: hidden capture")
    admin_file, viewer_file = root / "admin-file", root / "viewer-file"
    made = ws.dossiers.write(admin, PERSON, admin_file, tsa_urls=[tsa_server.url, UNREACHABLE])
    read = ws.dossiers.write(viewer, PERSON, viewer_file)
    yield Case(root, ws, admin, viewer, admin_file, viewer_file, hidden["sha256"],
               shown["sha256"], tsa_server.ca_cert, made, read)
    ws.close()


def pdf_text(path: Path) -> str:
    """pdftotext's text in logical order, invisible marks removed and white space collapsed."""
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True)
    return " ".join(INVISIBLE.sub("", done.stdout).split())


def all_text(folder: Path) -> str:
    """Every file of a folder as text (the PDF through pdftotext)."""
    parts = [pdf_text(folder / "dossier.pdf")]
    for rel in seal.files_of(folder):
        parts.append((folder / rel).read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def run_sabt(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.run([sys.executable, "-m", "sabt", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, check=False)


def standard_check(folder: Path, tsa_ca: Path) -> list[str]:
    """The recipient's steps of VERIFY.md with standard tools only; the failing steps."""
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=folder, capture_output=True, text=True,
                              check=False)

    failed = []
    listed = {seal.MANIFEST, seal.SEAL_SUMS, seal.SEAL_SIGNATURE}
    for sums in (seal.MANIFEST, seal.SEAL_SUMS):
        if run("sha256sum", "-c", "--strict", "--quiet", sums).returncode != 0:
            failed.append(f"sha256sum -c {sums}")
        listed |= {line[66:] for line in (folder / sums).read_text().splitlines()}
    if set(seal.files_of(folder)) - listed:
        failed.append("unlisted files")
    for data in (seal.MANIFEST, seal.SEAL_SUMS, "checkpoint/checkpoint.json"):
        done = run("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", seal.PUBLIC_KEY,
                   "-rawin", "-in", data, "-sigfile", data + ".sig")
        if done.returncode != 0 or "Signature Verified Successfully" not in done.stdout:
            failed.append(f"openssl pkeyutl -verify {data}")
    tokens = [(seal.MANIFEST, t) for t in sorted((folder / "timestamps").glob("*.tsr"))]
    tokens += [("checkpoint/checkpoint.json", t)
               for t in sorted((folder / "checkpoint").glob("*.tsr"))]
    for data, token in tokens:
        done = run("openssl", "ts", "-verify", "-data", data, "-in", str(token), "-CAfile",
                   str(tsa_ca))
        if done.returncode != 0 or "Verification: OK" not in done.stdout:
            failed.append(f"openssl ts -verify {token.name}")
    return failed


# --- content ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_pdf_holds_the_name_in_both_scripts_and_every_quote(case: Case) -> None:
    text = pdf_text(case.admin_file / "dossier.pdf")
    assert NAME_EN in text
    assert NAME_FA in text, "the Persian name in logical order (first name, then surname)"
    assert NAME_FA[::-1] not in text
    view = case.ws.entities.get(case.admin, PERSON)
    quotes = [r.quote for st in view.statements for r in st.references if r.quote]
    assert SECRET_QUOTE in quotes and PERSIAN_QUOTE in quotes
    for quote in quotes:
        assert " ".join(INVISIBLE.sub("", quote).split()) in text, quote
    assert "no preserved capture" in text     # cited web pages without a capture say so


@pytest.mark.slow
def test_html_isolates_persian_and_lists_every_reference(case: Case) -> None:
    page = (case.admin_file / "dossier.html").read_text(encoding="utf-8")
    assert f'<bdi class="fa" dir="rtl" lang="fa">{NAME_FA}</bdi>' in page
    view = case.ws.entities.get(case.admin, PERSON)
    for st in view.statements:
        assert f'id="st-{st.id}"' in page
        for ref in st.references:
            assert f'href="#src-{ref.source_id}"' in page


@pytest.mark.slow
def test_evidence_holds_the_capture_and_its_custody(case: Case) -> None:
    folder = case.admin_file
    copies = list((folder / "evidence" / "files").iterdir())
    assert {p.name.split(".")[0] for p in copies} == {case.shown_capture, case.hidden_capture}
    for copy in copies:
        assert seal.sha256_file(copy) == copy.name.split(".")[0]
    done = subprocess.run([sys.executable, str(folder / "evidence" / "check_custody.py"),
                           str(folder / "evidence" / "custody.jsonl")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
    custody = (folder / "evidence" / "custody.jsonl").read_text(encoding="utf-8")
    assert '"action":"ingested","actor":"admin","at"' in custody
    assert case.shown_capture in custody


@pytest.mark.slow
def test_export_is_in_the_audit_and_the_custody_chain(case: Case) -> None:
    entries = case.ws.audit.entries(case.admin, item=PERSON)
    assert any(e.action == "export" and "case file" in e.detail for e in entries)
    from sabt.vault.vault import Vault

    exported = [e for e in Vault(case.ws.store).entries() if e.action == "dossier_exported"]
    assert {e.actor for e in exported} == {"admin", "vera"}
    assert exported[0].details["manifest_sha256"] == seal.sha256_file(
        case.admin_file / seal.MANIFEST)


# --- what a reader may not see -------------------------------------------------------------------

@pytest.mark.slow
def test_a_reader_gets_no_restricted_value_only_a_count(case: Case) -> None:
    text = all_text(case.viewer_file)
    for hidden in (SECRET, SECRET_QUOTE):
        assert hidden not in text
    assert "Withheld from this file" in pdf_text(case.viewer_file / "dossier.pdf")
    admin_text = all_text(case.admin_file)
    assert SECRET in admin_text and SECRET_QUOTE in admin_text


@pytest.mark.slow
def test_a_capture_the_reader_may_not_see_is_given_by_hash_only(case: Case) -> None:
    folder = case.viewer_file
    names = {p.name.split(".")[0] for p in (folder / "evidence" / "files").iterdir()}
    assert names == {case.shown_capture}
    items = (folder / "evidence" / "items.json").read_text(encoding="utf-8")
    assert case.hidden_capture in items and '"withheld": true' in items
    assert "s04.html" not in all_text(folder)


def test_unknown_and_forbidden_entities_get_the_same_refusal(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", admin="admin")
    admin = ws.actor("admin")
    ws.entities.add(admin, "person", "Hidden Person", id="P1")
    ws.entities.mark(admin, "P1", "confidential")
    reader = ws.users.add(admin, new_actor("rita", ["viewer"]), reason="test")
    messages = []
    for entity in ("P1", "P2"):
        with pytest.raises(NotFound) as caught:
            ws.dossiers.write(reader, entity, tmp_path / f"out-{entity}")
        messages.append(str(caught.value).replace(entity, "ID"))
        assert not (tmp_path / f"out-{entity}").exists()
    assert messages[0] == messages[1]
    assert "\n" not in messages[0]
    ws.close()
    for entity in ("P1", "P2"):
        done = run_sabt("--as", "rita", "dossier", entity, "--out", str(tmp_path / "o"),
                        "-w", str(tmp_path / "ws"))
        assert done.returncode == 1
        assert done.stderr.strip().count("\n") == 0
        assert "no entity with id" in done.stderr
        messages.append(done.stderr.replace(entity, "ID"))
    assert messages[2] == messages[3]


# --- sealing and tampering ---------------------------------------------------------------------

@pytest.mark.slow
def test_a_recipient_checks_the_folder_with_standard_tools(case: Case) -> None:
    folder = case.admin_file
    assert case.made.signed and case.made.timestamped
    assert any(UNREACHABLE in w for w in case.made.warnings)
    assert (folder / "timestamps" / "1.tsr").is_file()
    assert not (folder / "timestamps" / "2.tsr").exists()
    assert list((folder / "checkpoint").glob("checkpoint.json.*.tsr"))
    assert standard_check(folder, case.tsa_ca) == []
    fingerprint = subprocess.run(["sha256sum", seal.PUBLIC_KEY], cwd=folder,
                                 capture_output=True, text=True, check=True).stdout.split()[0]
    assert fingerprint in (folder / "VERIFY.md").read_text(encoding="utf-8")
    report = seal.check(folder, fingerprint=fingerprint, tsa_ca=case.tsa_ca)
    assert report.ok, report.problems
    assert report.signed and report.timestamps_checked >= 2
    done = run_sabt("verify-dossier", str(folder), "--tsa-ca", str(case.tsa_ca),
                    "--fingerprint", fingerprint)
    assert done.returncode == 0, done.stdout
    assert not seal.check(folder, fingerprint="0" * 64).ok


@pytest.mark.slow
def test_a_viewer_s_case_file_is_unsigned_and_says_so(case: Case) -> None:
    assert not case.read.signed and not case.read.timestamped
    assert not (case.viewer_file / seal.SIGNATURE).exists()
    assert not (case.viewer_file / "checkpoint").exists()
    assert "no signature and no checkpoint" in (case.viewer_file / "VERIFY.md").read_text()
    assert not (case.viewer_file / "evidence" / "registry.jsonl").exists()
    assert (case.admin_file / "evidence" / "registry.jsonl").stat().st_size > 0
    assert any("FAILED" in line for line in run_sabt(
        "verify-dossier", str(case.viewer_file)).stdout.splitlines())


@pytest.mark.slow
def test_one_changed_byte_in_any_file_fails_both_checks(case: Case,
                                                        tmp_path: Path) -> None:
    targets = seal.files_of(case.admin_file)
    assert {"dossier.pdf", "evidence/custody.jsonl", seal.SIGNATURE, "timestamps/1.tsr",
            "checkpoint/checkpoint.json", seal.SEAL, seal.SEAL_SIGNATURE} <= set(targets)
    for number, rel in enumerate(targets):
        copy = tmp_path / f"c{number}"
        shutil.copytree(case.admin_file, copy)
        path = copy / rel
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
        assert not seal.check(copy, tsa_ca=case.tsa_ca).ok, rel
        assert standard_check(copy, case.tsa_ca) != [], rel
        shutil.rmtree(copy)
    added = tmp_path / "added"
    shutil.copytree(case.admin_file, added)
    (added / "evidence" / "extra.txt").write_text("slipped in", encoding="utf-8")
    assert any("not in the manifest" in p for p in seal.check(added).problems)
    assert "unlisted files" in standard_check(added, case.tsa_ca)
    done = run_sabt("verify-dossier", str(added))
    assert done.returncode == 1 and "evidence/extra.txt" in done.stdout


# --- failure ---------------------------------------------------------------------------------

def test_a_failed_run_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sabt.dossier import render

    ws = Workspace.create(tmp_path / "ws", admin="admin")
    admin = ws.actor("admin")
    ws.entities.add(admin, "person", "Someone", id="P1")

    def broken(_page: str, _out: Path) -> None:
        raise SabtError("the printer broke")

    monkeypatch.setattr(render, "pdf", broken)
    with pytest.raises(SabtError, match="printer"):
        ws.dossiers.write(admin, "P1", tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]
    ws.close()


def test_a_workspace_that_fails_verification_is_refused(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", admin="admin")
    admin = ws.actor("admin")
    ws.entities.add(admin, "person", "Someone", id="P1")
    ws.entities.add_statement(admin, "P1", "name", Text("Someone", "en"))
    source = ws.entities.add_source(admin, "A web page", url="https://example.org/a")
    item = ws.vault.add_capture(admin, source, _page(tmp_path / "a.html", source))
    blob = ws.vault.vault.blobs.path_for(item["sha256"])
    blob.chmod(0o644)
    original = blob.read_bytes()
    blob.write_bytes(original + b"x")
    with pytest.raises(SabtError, match=r"fails verification.*altered"):
        ws.dossiers.write(admin, "P1", tmp_path / "out")
    blob.write_bytes(original)
    with ws.store.engine.begin() as conn:     # a value edited outside Sabt
        conn.exec_driver_sql("UPDATE statement SET value_text = 'Someone else'")
    with pytest.raises(SabtError, match="fails verification"):
        ws.dossiers.write(admin, "P1", tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "ws"]
    ws.close()


def test_an_unreachable_authority_leaves_the_file_untimestamped(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", admin="admin")
    admin = ws.actor("admin")
    ws.entities.add(admin, "person", "Someone", id="P1")
    result = ws.dossiers.write(admin, "P1", tmp_path / "out", tsa_urls=[UNREACHABLE])
    assert result.signed and not result.timestamped
    assert any(UNREACHABLE in w for w in result.warnings)
    assert any("untimestamped" in w for w in result.warnings)
    note = (tmp_path / "out" / seal.SEAL).read_text(encoding="utf-8")
    assert '"timestamped": false' in note and UNREACHABLE in note
    report = seal.check(tmp_path / "out")
    assert report.ok and any("untimestamped" in n for n in report.notes)
    ws.close()


@pytest.mark.slow
def test_a_killed_run_leaves_no_folder(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen([sys.executable, "-m", "sabt", "--as", "admin", "dossier", PERSON,
                             "--out", str(out), "-w", str(case.root / "ws")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob(".killed.partial-*")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    assert list(tmp_path.glob(".killed.partial-*")), "the test killed it while it was writing"
    _remove_stale(out)          # what the next run does first
    assert list(tmp_path.iterdir()) == []


# --- preserved web pages ---------------------------------------------------------------------

@pytest.mark.slow
def test_the_report_says_which_cited_pages_have_no_preserved_capture(case: Case,
                                                                     tmp_path: Path) -> None:
    def row(page: str, source: str) -> str:
        return page.split(f'id="src-{source}"')[1].split("</tr>")[0]

    case.ws.reports.write(case.admin, tmp_path / "admin.html", "test")
    page = (tmp_path / "admin.html").read_text(encoding="utf-8")
    assert case.shown_capture in row(page, "S41a")
    assert "no preserved capture" in row(page, "S01b")     # a web page, never captured
    case.ws.reports.write(case.viewer, tmp_path / "viewer.html", "test")
    page = (tmp_path / "viewer.html").read_text(encoding="utf-8")
    assert "1 capture(s) withheld" in row(page, "S04")
    assert case.hidden_capture not in page


def test_a_capture_must_be_a_page_of_a_source_the_editor_sees(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", admin="admin")
    admin = ws.actor("admin")
    source = ws.entities.add_source(admin, "A web page", url="https://example.org/a")
    notes = tmp_path / "notes.txt"
    notes.write_text("plain notes, not a capture", encoding="utf-8")
    with pytest.raises(SabtError, match="a capture is a WARC or WACZ"):
        ws.vault.add_capture(admin, source, notes)
    with pytest.raises(NotFound, match="no source with id 'S999'"):
        ws.vault.add_capture(admin, "S999", _page(tmp_path / "p.html", "x"))
    item = ws.vault.add_capture(admin, source, _page(tmp_path / "a.html", source),
                                captured_at="2026-01-02T03:04:05Z")
    assert (item["source_id"], item["origin_url"], item["media_type"]) == (
        source, "https://example.org/a", "text/html")
    assert ws.vault.verify(admin).ok
    ws.close()
