"""Uploading a list in the browser: a preview that writes nothing, the import and a link run as
background jobs with a progress page, nothing left behind by a failed upload, jobs a stopped
server left running marked failed. SYNTHETIC lists from the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from sabt.service import Workspace
from sabt.simulate import scenario, simulate, write
from sabt.store.jobs import job
from sabt.web import create_app
from tests.web.conftest import Case, csrf_of, finished_job, sign_in


@pytest.fixture(scope="module")
def list_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    sim = simulate(scenario("hard", population=120, lists=2), seed=5)
    folder = tmp_path_factory.mktemp("SYNTHETIC_upload")
    write(sim, folder, formats=("csv",), population=False)
    return sorted((folder / "lists").glob("SYNTHETIC_list_*.csv"))


@pytest.fixture
def quiet(case: Case) -> Iterator[TestClient]:
    """The application without its worker thread: the test runs the jobs itself."""
    with TestClient(create_app(case.ws, run_jobs=False), base_url="https://testserver") as c:
        yield c


def _upload(client: TestClient, path: Path, name: str) -> tuple[int, str]:
    form = client.get("/lists")
    answer = client.post("/lists/upload", data={"csrf": csrf_of(form.text), "name": name},
                         files={"file": (path.name, path.read_bytes(), "text/csv")})
    return answer.status_code, answer.text


def _uploads(ws: Workspace) -> list[Path]:
    folder = ws.root / "uploads"
    return list(folder.iterdir()) if folder.is_dir() else []


def test_upload_preview_import_and_link(quiet: TestClient, case: Case,
                                        list_files: list[Path]) -> None:
    ws = case.ws
    assert sign_in(quiet, "boss") == 303
    status, page = _upload(quiet, list_files[0], "SYNTHETIC list A")
    assert status == 200 and "SYNTHETIC list A" in page and 'name="token"' in page
    assert ws.lists.imported(ws.actor("boss")) == [] and len(_uploads(ws)) == 1   # dry run
    token = page.split('name="token" value="')[1].split('"')[0]
    started = quiet.post("/lists/import", data={"csrf": csrf_of(page), "token": token,
                                                "name": "SYNTHETIC list A"},
                         follow_redirects=False)
    job_url = started.headers["location"]
    assert started.status_code == 303 and job_url.startswith("/jobs/")
    assert 'http-equiv="refresh"' in quiet.get(job_url).text          # queued: it refreshes
    done = ws.jobs.run_next()
    assert done is not None and done.status == "done", done and done.message
    records = sum(1 for _ in list_files[0].open(encoding="utf-8")) - 1
    assert done.result is not None and done.result["records"] == records
    assert [x["name"] for x in ws.lists.imported(ws.actor("boss"))] == ["SYNTHETIC list A"]
    assert _uploads(ws) == []                                         # the file is in the vault
    page = quiet.get(job_url).text
    assert "done" in page and 'http-equiv="refresh"' not in page
    _upload_and_import(quiet, list_files[1], "SYNTHETIC list B")
    assert ws.jobs.run_next() is not None
    linked = quiet.post("/link", data={"csrf": csrf_of(quiet.get("/lists").text)},
                        follow_redirects=False)
    assert linked.status_code == 303
    run = ws.jobs.run_next()
    assert run is not None and run.status == "done" and run.result is not None
    assert run.result["records"] == records + sum(
        1 for _ in list_files[1].open(encoding="utf-8")) - 1


def _upload_and_import(client: TestClient, path: Path, name: str) -> None:
    status, page = _upload(client, path, name)
    assert status == 200
    token = page.split('name="token" value="')[1].split('"')[0]
    client.post("/lists/import", data={"csrf": csrf_of(page), "token": token, "name": name})


def test_a_bad_upload_leaves_nothing_and_says_why(quiet: TestClient, case: Case,
                                                  tmp_path: Path) -> None:
    bad = tmp_path / "SYNTHETIC_broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a spreadsheet")
    assert sign_in(quiet, "boss") == 303
    status, page = _upload(quiet, bad, "SYNTHETIC broken")
    assert status == 400 and "SYNTHETIC_broken.xlsx" in page and "Traceback" not in page
    assert _uploads(case.ws) == []


def test_viewers_cannot_upload_and_jobs_are_private(quiet: TestClient, case: Case,
                                                    list_files: list[Path]) -> None:
    assert sign_in(quiet, "vi") == 303
    status, _ = _upload(quiet, list_files[0], "SYNTHETIC by a viewer")
    assert status == 403 and _uploads(case.ws) == []
    mine = case.ws.jobs.submit(case.ws.actor("boss"), "link", {})
    assert quiet.get(f"/jobs/{mine.id}").status_code == 404
    assert quiet.get(f"/api/v1/jobs/{mine.id}").status_code == 404


def test_a_job_left_running_is_marked_failed_at_start(case: Case) -> None:
    ws = case.ws
    left = ws.jobs.submit(ws.actor("boss"), "link", {})
    with ws.store.working() as conn:
        conn.execute(update(job).where(job.c.id == left.id).values(status="running"))
    assert ws.jobs.recover() == 1
    again = ws.jobs.get(ws.actor("boss"), left.id)
    assert again.status == "failed" and "server stopped" in again.message


def test_the_server_worker_runs_jobs(case: Case) -> None:
    ws = case.ws
    with TestClient(create_app(ws), base_url="https://testserver"):
        queued = ws.jobs.submit(ws.actor("boss"), "link", {})   # no lists: it fails, saying so
        ended = finished_job(ws, queued.id)
    assert ended.status == "failed" and "no lists imported" in ended.message
