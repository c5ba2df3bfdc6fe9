"""A SYNTHETIC case served by the web application: an admin, a viewer, an analyst with a second
factor, public and restricted persons, a subject with claims; on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from sabt.model.statements import Locator, Quantity, Reference, Text
from sabt.policy import Level, Mark
from sabt.service import Workspace, signin
from sabt.service.jobs import Job
from sabt.service.users import new_actor
from sabt.web import create_app

PASSWORD = "correct horse battery staple"   # SYNTHETIC credentials for tests only
INJECTION = "<script>alert('x')</script>"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Case:
    ws: Workspace
    totp_secret: str
    recovery: tuple[str, ...]


@pytest.fixture
def case(tmp_path: Path, database_url: str | None, monkeypatch: pytest.MonkeyPatch,
         ) -> Iterator[Case]:
    # Argon2id as in production, at the lowest cost (production's costs 64 MiB a hash).
    monkeypatch.setattr(signin, "ARGON2", {"time_cost": 1, "memory_cost": 8, "parallelism": 1})
    ws = Workspace.create(tmp_path / "ws", database_url, admin="boss")
    boss = ws.actor("boss")
    ws.users.add(boss, new_actor("vi", ["viewer"]))
    ws.users.add(boss, new_actor("ana", ["analyst"], clearance="restricted"))
    for name in ("boss", "vi", "ana"):
        ws.signin.set_password(boss, name, PASSWORD)
    factor = ws.signin.enable_totp(boss, "ana")
    secret = re.search(r"secret=([A-Z2-7]+)", factor.uri)
    assert secret is not None
    src = ws.entities.add_source(boss, "SYNTHETIC list of victims", id="S1")
    ws.entities.add(boss, "person", "حسین رضایی", id="P1")
    ws.entities.add(boss, "person", "Ali Rezaei", id="P2")
    ws.entities.add(boss, "person", "Maryam Ahmadi", id="P3")
    ws.entities.add(boss, "person", f"SYNTHETIC {INJECTION}", id="P4")
    ws.entities.add(boss, "person", "SYNTHETIC restricted witness", id="P5",
                    mark=Mark(Level.RESTRICTED))
    ws.entities.add_statement(boss, "P1", "date of death", _date("1367-05-08"),
                              references=[Reference(src, Locator(page="3"), "۱۳۶۷/۰۵/۰۸")])
    ws.entities.add_statement(boss, "P1", "date of death", _date("1988-08-30"),
                              references=[Reference(src, Locator(page="9"), INJECTION)])
    ws.entities.add_statement(boss, "P4", "note", Text(INJECTION),
                              references=[Reference(src, Locator(page="1"), INJECTION)])
    ws.entities.add(boss, "person", "SYNTHETIC record six", id="P6")
    ws.entities.add_statement(boss, "P6", "name", Text("رضا کریمی", "fa"))
    ws.entities.add(boss, "person", "SYNTHETIC Nasrin Sotoudeh-Mehr", id="P7")
    hidden = ws.entities.add_statement(boss, "P7", "name", Text("پروانه جعفری", "fa"))
    ws.entities.mark(boss, str(hidden), "restricted")
    ws.entities.add(boss, "subject", f"SYNTHETIC toll {INJECTION}", id="T1")
    ws.entities.add_statement(boss, "T1", "figure", Quantity(1000),
                              references=[Reference(src, Locator(page="5"), "=1000")])
    yield Case(ws, secret.group(1), factor.recovery_codes)
    ws.close()


def _date(text: str):  # type: ignore[no-untyped-def]
    from sabt.text import parse_date

    return parse_date(text)


@pytest.fixture
def client(case: Case) -> Iterator[TestClient]:
    with TestClient(create_app(case.ws), base_url="https://testserver") as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "every form carries a CSRF token"
    return found.group(1)


def without(text: str, *ids: str) -> str:
    """A page with its session's random tokens and the given ids blanked, so two answers can be
    compared for an existence leak (a token can hold an id's letters by chance)."""
    text = re.sub(r'value="[A-Za-z0-9_-]{20,}"', 'value="TOKEN"', text)
    for item in ids:
        text = re.sub(rf"(?<![A-Za-z0-9_-]){re.escape(item)}(?![A-Za-z0-9_-])", "ID", text)
    return text


def finished_job(ws: Workspace, job_id: int, who: str = "boss", seconds: float = 60) -> Job:
    """The job once something has run it to the end (fails the test after `seconds`)."""
    deadline = time.monotonic() + seconds
    while not (job := ws.jobs.get(ws.actor(who), job_id)).finished:
        assert time.monotonic() < deadline, "no process ran the job"
        time.sleep(0.2)
    return job


def sign_in(client: TestClient, name: str, password: str = PASSWORD, code: str = "") -> int:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": password, "code": code,
                                           "csrf": token}, follow_redirects=False)
    return response.status_code


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A SQLite workspace on disk for the commands and `sabt serve` (admin boss, with a
    password; viewer vi without one)."""
    with Workspace.create(tmp_path / "ws", admin="boss") as ws:
        boss = ws.actor("boss")
        src = ws.entities.add_source(boss, "SYNTHETIC list", id="S1")
        ws.entities.add(boss, "person", "حسین رضایی", id="P1")
        ws.entities.add(boss, "person", "SYNTHETIC Maryam Ahmadi", id="P2")
        for day, page in (("1367-05-08", "3"), ("1988-08-30", "9")):
            ws.entities.add_statement(boss, "P1", "date of death", _date(day),
                                      references=[Reference(src, Locator(page=page), day)])
        ws.users.add(boss, new_actor("vi", ["viewer"]))
        ws.signin.set_password(boss, "boss", PASSWORD)
    return tmp_path / "ws"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@contextmanager
def serving(folder: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`sabt serve` (with `extra` options) in its own process: its URL and the process."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "SABT_USER": "boss"}
    proc = subprocess.Popen([sys.executable, "-m", "sabt", "serve", "-w", str(folder),
                             "--port", str(port), "--insecure-cookies", *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(url + "/login", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def server(folder: Path) -> Iterator[str]:
    """`sabt serve` in its own process, until the test ends."""
    with serving(folder) as (url, _proc):
        yield url
