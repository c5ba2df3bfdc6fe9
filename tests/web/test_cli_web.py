"""The web commands: `sabt user passwd --stdin`, `sabt user totp`, `sabt search --json`, and
`sabt serve` as a real server process on 127.0.0.1. Names are SYNTHETIC."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sabt.cli import main
from sabt.service import Workspace
from tests.web.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _sabt(capsys: pytest.CaptureFixture[str], *args: str, stdin: str = "") -> tuple[int, str]:
    capsys.readouterr()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    code = 0
    try:
        main(["--as", "boss", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.stdin = old
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    with Workspace.create(tmp_path / "ws", admin="boss") as ws:
        boss = ws.actor("boss")
        ws.entities.add(boss, "person", "حسین رضایی", id="P1")
        ws.entities.add(boss, "person", "SYNTHETIC Maryam Ahmadi", id="P2")
    return tmp_path / "ws"


def test_passwd_totp_and_search_commands(folder: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    w = ["-w", str(folder)]
    code, out = _sabt(capsys, "user", "passwd", "boss", "--stdin", *w, stdin="short\n")
    assert code == 1 and "at least 12 characters" in out
    code, out = _sabt(capsys, "user", "passwd", "boss", "--stdin", *w, stdin=PASSWORD + "\n")
    assert code == 0, out
    code, out = _sabt(capsys, "user", "totp", "boss", *w)
    assert code == 0 and "otpauth://totp/" in out
    assert len(re.findall(r"^  [0-9a-f]{8}-[0-9a-f]{8}$", out, re.M)) == 10
    with Workspace.open(folder) as ws:
        assert ws.signin.authenticate("boss", PASSWORD, re.findall(
            r"[0-9a-f]{8}-[0-9a-f]{8}", out)[0]).id == "boss"
    code, out = _sabt(capsys, "search", "Hosein Rezayi", "--json", *w)
    assert code == 0, out
    page = json.loads(out)
    assert page["total"] == 1 and page["hits"][0]["id"] == "P1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def server(folder: Path) -> Iterator[str]:
    """`sabt serve` in its own process, until the test ends."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "SABT_USER": "boss"}
    proc = subprocess.Popen([sys.executable, "-m", "sabt", "serve", "-w", str(folder),
                             "--port", str(port), "--insecure-cookies"], env=env,
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
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_answers_on_localhost(server: str) -> None:
    page = httpx.get(server + "/search", params={"q": "Hosein Rezayi", "lang": "fa"})
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "server" not in page.headers
    api = httpx.get(server + "/api/v1/openapi.json").json()
    assert "/api/v1/search" in api["paths"]
