"""Every route of the application × every role: no route answers 500; nothing restricted
reaches a reader not cleared for it, on any page or endpoint; an id the reader may not see
answers exactly as a missing one (no existence leak); no form or API write works without its
CSRF token. The routes are read from the application itself, so a new route is covered the day
it is added. SYNTHETIC case from conftest."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from sabt.service.users import new_actor
from sabt.web import create_app
from tests.web.conftest import PASSWORD, Case, sign_in, without

ROLES = ("public", "viewer", "reviewer", "editor", "analyst", "admin")
SECRET = "SYNTHETIC restricted witness"          # P5's label, marked restricted
HIDDEN_STATEMENT = "پروانه جعفری"                 # a restricted statement of P7
# values for path parameters: a visible item, then a hidden and a missing one of the same kind
PARAMS = {"entity_id": ("P1", "P5", "P8"), "source_id": ("S1", "P5", "S9"),
          "record_l": ("1",), "record_r": ("2",), "job_id": ("1",), "decision_id": ("1",),
          "name": ("vi",), "subject": ("T1",), "subject_id": ("T1",), "lang": ("en",)}


@pytest.fixture
def users(case: Case) -> Case:
    boss = case.ws.actor("boss")
    for role in ("reviewer", "editor"):
        case.ws.users.add(boss, new_actor(f"u_{role}", [role]))
        case.ws.signin.set_password(boss, f"u_{role}", PASSWORD)
    return case


@pytest.fixture
def quiet(users: Case) -> Iterator[TestClient]:
    with TestClient(create_app(users.ws, run_jobs=False), base_url="https://testserver") as c:
        yield c


def _login(client: TestClient, case: Case, role: str) -> None:
    client.cookies.clear()
    name = {"viewer": "vi", "analyst": "ana", "admin": "boss", "reviewer": "u_reviewer",
            "editor": "u_editor"}.get(role)
    if name is None:
        return
    code = ""
    if name == "ana":    # the analyst has a second factor
        import pyotp

        code = pyotp.TOTP(case.totp_secret).now()
    assert sign_in(client, name, code=code) == 303, role


def _routes(client: TestClient) -> list[APIRoute]:
    """The application's routes, those of included routers too (FastAPI keeps an included
    router as one entry pointing to the original; our routers carry their own prefixes)."""
    out: list[APIRoute] = []
    pending = list(client.app.routes)  # type: ignore[attr-defined]
    while pending:
        route = pending.pop(0)
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            pending.extend(route.original_router.routes)
    return out


def _fill(path: str, pick: int) -> str | None:
    out = path
    for name in re.findall(r"{(\w+)}", path):
        values = PARAMS.get(name)
        if values is None:
            return None
        out = out.replace("{" + name + "}", values[min(pick, len(values) - 1)])
    return out


def test_no_route_fails_or_leaks_for_any_role(quiet: TestClient, users: Case) -> None:
    routes = [r for r in _routes(quiet) if "GET" in r.methods]
    assert len(routes) >= 20, "the route list is read from the application"
    for role in ROLES:
        _login(quiet, users, role)
        for route in routes:
            url = _fill(route.path, 0)
            assert url is not None, f"no test value for a parameter of {route.path}"
            answer = quiet.get(url)
            assert answer.status_code < 500, (role, url, answer.text[:300])
            if role != "admin":
                body = answer.text
                assert SECRET not in body and HIDDEN_STATEMENT not in body, (role, url)


def test_hidden_ids_answer_as_missing_ones(quiet: TestClient, users: Case) -> None:
    for role in ("public", "viewer", "reviewer"):
        _login(quiet, users, role)
        for route in _routes(quiet):
            if "GET" not in route.methods or not re.search(r"{(entity|source)_id}", route.path):
                continue
            hidden, missing = _fill(route.path, 1), _fill(route.path, 2)
            assert hidden and missing
            a, b = quiet.get(hidden), quiet.get(missing)
            assert a.status_code == b.status_code, (role, route.path)
            assert without(a.text, "P5") == without(b.text, "P8", "S9"), (role, route.path)


# valid values for every form field and JSON body a POST route takes, so that a refusal can only
# come from the forged CSRF token, not from a missing or invalid field
FIELDS = {"record_l": "1", "record_r": "2", "decision": "skip", "decision_id": "1",
          "name": "SYNTHETIC", "password": PASSWORD, "my_password": PASSWORD,
          "roles": "viewer", "clearance": "internal", "token": "A" * 22,
          "text": "SYNTHETIC correction", "details": "SYNTHETIC details"}
BODIES = {"/api/v1/review/decisions": {"record_l": 1, "record_r": 2, "decision": "skip"},
          "/api/v1/jobs": {"kind": "link"},
          "/api/v1/exports/report": {"password": PASSWORD},
          "/api/v1/exports/jsonl": {"password": PASSWORD}}


def test_no_write_without_its_csrf_token(quiet: TestClient, users: Case) -> None:
    _login(quiet, users, "admin")
    posts = [r for r in _routes(quiet) if "POST" in r.methods]
    assert len(posts) >= 10
    for route in posts:
        url = _fill(route.path, 0)
        assert url is not None, route.path
        params = {p.name for p in route.dependant.body_params}
        if "body" in params:
            assert route.path in BODIES, f"no test body for {route.path}"
            answer = quiet.post(url, json=BODIES[route.path],
                                headers={"X-CSRF-Token": "forged"})
        else:
            missing = params - set(FIELDS) - {"csrf", "file", "code", "note", "my_code",
                                              "display_name", "groups", "reason", "active",
                                              "duplicate_free", "contact", "title", "sample"}
            assert not missing, f"no test value for {missing} of {route.path}"
            data = {k: v for k, v in FIELDS.items() if k in params}
            files = {"file": ("SYNTHETIC.csv", b"name\nSYNTHETIC\n", "text/csv")} \
                if "file" in params else None
            answer = quiet.post(url, data={**data, "csrf": "forged"}, files=files,
                                headers={"X-CSRF-Token": "forged"})
        assert answer.status_code == 403, (url, answer.status_code, answer.text[:200])
