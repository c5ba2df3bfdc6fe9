"""User administration in the browser: admins only, every change confirmed by the admin's own
password, forms escaped and CSRF-checked."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import INJECTION, PASSWORD, Case, csrf_of, sign_in


def _add(client: TestClient, password: str, name: str = "nasrin", **extra: str) -> int:
    page = client.get("/users")
    form = {"csrf": csrf_of(page.text), "name": name, "roles": ["reviewer", "viewer"],
            "clearance": "restricted", "groups": "family-desk", "display_name": INJECTION,
            "my_password": password, **extra}
    return client.post("/users", data=form).status_code


def test_an_admin_adds_and_disables_a_user(client: TestClient, case: Case) -> None:
    assert sign_in(client, "boss") == 303
    assert _add(client, PASSWORD) == 200
    user = case.ws.users.resolve("nasrin")
    assert sorted(user.roles) == ["reviewer", "viewer"] and str(user.clearance) == "restricted"
    assert user.groups == {"family-desk"}
    page = client.get("/users").text
    assert INJECTION not in page and "&lt;script&gt;" in page
    changed = client.post("/users/nasrin", data={
        "csrf": csrf_of(page), "roles": ["viewer"], "clearance": "internal", "groups": "",
        "active": "no", "my_password": PASSWORD, "reason": "left the team"})
    assert changed.status_code == 200
    users = {u.id: u for u in case.ws.users.list(case.ws.actor("boss"))}
    assert not users["nasrin"].active and sorted(users["nasrin"].roles) == ["viewer"]


def test_a_wrong_confirmation_changes_nothing(client: TestClient, case: Case) -> None:
    assert sign_in(client, "boss") == 303
    assert _add(client, "not the password") == 401
    assert "nasrin" not in {u.id for u in case.ws.users.list(case.ws.actor("boss"))}
    page = client.get("/users")
    forged = client.post("/users", data={"csrf": "forged", "name": "x", "roles": ["viewer"],
                                         "clearance": "internal", "my_password": PASSWORD})
    assert page.status_code == 200 and forged.status_code == 403


def test_only_admins_see_the_users(client: TestClient) -> None:
    assert client.get("/users").status_code in (401, 403)
    assert client.get("/api/v1/users").status_code in (401, 403)
    assert sign_in(client, "vi") == 303
    assert client.get("/users").status_code == 403
    assert client.get("/api/v1/users").status_code == 403
    client.cookies.clear()
    assert sign_in(client, "boss") == 303
    assert {u["name"] for u in client.get("/api/v1/users").json()} >= {"boss", "vi", "ana"}
