"""API tokens: made and revoked by their user or an admin, refused when expired, revoked or
their user is disabled, never stored in clear; `sabt token` on the command line."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from sabt.errors import Forbidden, InvalidValue, NotFound
from sabt.store.credentials import api_token
from tests.web.conftest import Case
from tests.web.test_cli_web import _sabt


def _me(client: TestClient, token: str) -> tuple[int, dict[str, object]]:
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return answer.status_code, answer.json()


def test_a_token_acts_as_its_user_until_revoked(client: TestClient, case: Case) -> None:
    ws, vi = case.ws, case.ws.actor("vi")
    token, info = ws.tokens.create(vi, "vi", expires_in=timedelta(days=1), label="script")
    status, me = _me(client, token)
    assert status == 200 and me["name"] == "vi" and me["signed_in"] is True
    with ws.store.connect() as conn:     # only the hash is kept
        stored = conn.execute(select(api_token.c.token_sha256)).scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    assert [i.id for i in ws.tokens.list(vi, "vi")] == [info.id]
    ws.tokens.revoke(vi, "vi", info.id)
    assert _me(client, token)[0] == 401
    assert not ws.tokens.list(vi, "vi")[0].active


def test_expired_tokens_and_disabled_users_are_refused(client: TestClient, case: Case) -> None:
    ws, boss = case.ws, case.ws.actor("boss")
    token, _info = ws.tokens.create(boss, "ana", expires_in=timedelta(hours=1))
    assert _me(client, token)[0] == 200
    ws.users.update(boss, "ana", active=False)
    assert _me(client, token)[0] == 401
    ws.users.update(boss, "ana", active=True)
    with ws.store.working() as conn:
        conn.execute(update(api_token).values(expires_at=datetime.now(UTC) - timedelta(1)))
    assert _me(client, token)[0] == 401
    refusals = [e for e in ws.audit.entries(boss, user="ana") if e.action == "token"]
    assert any("expired" in e.detail for e in refusals)
    assert all(token not in e.detail for e in ws.audit.entries(boss))


def test_who_may_make_tokens(case: Case) -> None:
    ws, vi = case.ws, case.ws.actor("vi")
    with pytest.raises(Forbidden):
        ws.tokens.create(vi, "ana", expires_in=timedelta(days=1))
    with pytest.raises(NotFound):
        ws.tokens.create(ws.actor("boss"), "nobody", expires_in=timedelta(days=1))
    with pytest.raises(InvalidValue, match="366 days"):
        ws.tokens.create(vi, "vi", expires_in=timedelta(days=400))


def test_a_bad_token_is_refused_not_taken_for_the_public(client: TestClient) -> None:
    assert _me(client, "sabt_not-a-token")[0] == 401
    assert client.get("/api/v1/me").json()["signed_in"] is False   # no header: the public


def test_token_commands(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = ["-w", str(folder)]
    code, out = _sabt(capsys, "token", "create", "vi", "--expires", "2d", "--label", "etl", *w)
    assert code == 0, out
    token = re.search(r"^(sabt_\S+)$", out, re.M)
    assert token is not None
    code, out = _sabt(capsys, "token", "list", "vi", "--json", *w)
    listed = json.loads(out)
    assert code == 0 and listed[0]["label"] == "etl" and listed[0]["active"]
    assert token.group(1) not in out
    code, out = _sabt(capsys, "token", "revoke", "vi", listed[0]["id"], *w)
    assert code == 0 and "revoked" in out
    code, out = _sabt(capsys, "token", "create", "vi", "--expires", "soon", *w)
    assert code != 0 and "--expires" in out and "Traceback" not in out


def test_a_required_second_factor_blocks_sign_in_without_one(client: TestClient,
                                                             case: Case) -> None:
    import pyotp

    from sabt.errors import Unauthenticated
    from tests.web.conftest import PASSWORD, sign_in

    ws, boss = case.ws, case.ws.actor("boss")
    with pytest.raises(Forbidden):
        ws.signin.require_second_factor(ws.actor("vi"), "everyone")
    ws.signin.require_second_factor(boss, "admins")
    with pytest.raises(Unauthenticated, match="requires a second factor"):
        ws.signin.authenticate("boss", PASSWORD)          # an admin without one
    assert ws.signin.authenticate("vi", PASSWORD).id == "vi"    # not an admin: still optional
    ws.signin.require_second_factor(boss, "everyone")
    assert sign_in(client, "vi") == 401
    code = pyotp.TOTP(case.totp_secret).now()
    assert ws.signin.authenticate("ana", PASSWORD, code).id == "ana"   # she has one
    assert any("second factor required" in e.detail
               for e in ws.audit.entries(boss, user="vi"))
    with pytest.raises(InvalidValue):
        ws.signin.require_second_factor(boss, "sometimes")
    ws.signin.require_second_factor(boss, "off")
    assert sign_in(client, "vi") == 303
