"""The web commands: `sabt user passwd --stdin`, `sabt user totp`, `sabt search --json`, and
`sabt serve` as a real server process on 127.0.0.1. Names are SYNTHETIC."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path

import httpx
import pytest

from sabt.cli import main
from sabt.service import Workspace
from tests.web.conftest import PASSWORD, csrf_of, finished_job, serving


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


def test_passwd_totp_and_search_commands(folder: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    w = ["-w", str(folder)]
    code, out = _sabt(capsys, "user", "passwd", "vi", "--stdin", *w, stdin="short\n")
    assert code == 1 and "at least 12 characters" in out
    code, out = _sabt(capsys, "user", "passwd", "vi", "--stdin", *w, stdin=PASSWORD + "\n")
    assert code == 0, out
    code, out = _sabt(capsys, "user", "totp", "vi", *w)
    assert code == 0 and "otpauth://totp/" in out
    assert len(re.findall(r"^  [0-9a-f]{8}-[0-9a-f]{8}$", out, re.M)) == 10
    with Workspace.open(folder) as ws:
        assert ws.signin.authenticate("vi", PASSWORD, re.findall(
            r"[0-9a-f]{8}-[0-9a-f]{8}", out)[0]).id == "vi"
    code, out = _sabt(capsys, "search", "Hosein Rezayi", "--json", *w)
    assert code == 0, out
    page = json.loads(out)
    assert page["total"] == 1 and page["hits"][0]["id"] == "P1"


def test_serve_answers_on_localhost(server: str) -> None:
    page = httpx.get(server + "/search", params={"q": "Hosein Rezayi", "lang": "fa"})
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "server" not in page.headers
    api = httpx.get(server + "/api/v1/openapi.json").json()
    assert "/api/v1/search" in api["paths"]


def _children(pid: int) -> list[str]:
    """The command lines of a process's children (uvicorn's worker processes)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append((stat.parent / "cmdline").read_bytes().decode(errors="replace"))
        except (OSError, IndexError):
            continue
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts worker processes in /proc")
def test_serve_with_workers_shares_sessions_and_runs_each_job_once(folder: Path) -> None:
    """`--workers 2`: two processes answer; a session made by one is known to both (it lives in
    the database); a queued job is run by the one process holding the jobs lock, once."""
    from sabt.web.served import WORKSPACE_VAR

    with serving(folder, "--workers", "2") as (url, proc), httpx.Client(base_url=url) as web:
        assert sum("spawn_main" in c for c in _children(proc.pid)) == 2
        assert WORKSPACE_VAR not in os.environ          # set in the server's process only
        signed = web.post("/login", data={"name": "boss", "password": PASSWORD, "code": "",
                                          "csrf": csrf_of(web.get("/login").text)})
        assert signed.status_code in (200, 303)
        # new connections each time: the kernel hands them to either process
        cookies = dict(web.cookies)
        for _ in range(12):
            me = httpx.get(url + "/api/v1/me", cookies=cookies).json()
            assert me["signed_in"] and me["name"] == "boss"
        with Workspace.open(folder) as ws:
            queued = ws.jobs.submit(ws.actor("boss"), "link", {})  # no lists: fails, saying so
            ended = finished_job(ws, queued.id)
    assert ended.status == "failed" and "no lists imported" in ended.message
