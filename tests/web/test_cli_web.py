"""The web commands: `sabt user passwd --stdin`, `sabt user totp`, `sabt search --json`, and
`sabt serve` as a real server process on 127.0.0.1. Names are SYNTHETIC."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import httpx
import pytest

from sabt.cli import main
from sabt.service import Workspace
from tests.web.conftest import PASSWORD


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
