"""The web application over HTTP (FastAPI's TestClient) on SQLite and PostgreSQL: sign-in with a
password and a second factor, lock-out, CSRF, security headers, search in both scripts, no
existence leak, HTML escaping and the Persian interface. All names are SYNTHETIC."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient

from sabt.service.signin import MAX_FAILURES
from tests.web.conftest import INJECTION, PASSWORD, Case, csrf_of, sign_in, without


def _me(client: TestClient) -> str:
    name: str = client.get("/api/v1/me").json()["name"]
    return name


def test_sign_in_with_password_and_sign_out(client: TestClient) -> None:
    assert _me(client) == "public"
    assert sign_in(client, "vi") == 303
    assert _me(client) == "vi"
    cookie = client.cookies.get("sabt_session")
    assert cookie
    page = client.get("/search")
    assert "vi" in page.text
    assert client.post("/logout", data={"csrf": csrf_of(page.text)},
                       follow_redirects=False).status_code == 303
    assert _me(client) == "public"
    # the old token no longer signs anyone in, even if replayed
    client.cookies.set("sabt_session", cookie)
    assert _me(client) == "public"


def test_session_cookie_is_secure_httponly_strict(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": "vi", "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    cookie = next(v for v in response.headers.get_list("set-cookie")
                  if v.startswith("sabt_session="))
    lowered = cookie.lower()
    assert "secure" in lowered and "httponly" in lowered and "samesite=strict" in lowered


def test_sign_in_with_totp_and_recovery_code(client: TestClient, case: Case) -> None:
    assert sign_in(client, "ana") == 401                       # the code is required
    assert sign_in(client, "ana", code="000000") == 401
    code = pyotp.TOTP(case.totp_secret).now()
    assert sign_in(client, "ana", code=code) == 303
    assert _me(client) == "ana"
    client.cookies.clear()
    assert sign_in(client, "ana", code=code) == 401             # a code is accepted once
    assert sign_in(client, "ana", code=case.recovery[0]) == 303
    client.cookies.clear()
    assert sign_in(client, "ana", code=case.recovery[0]) == 401  # and so is a recovery code


def test_five_wrong_passwords_lock_the_user_out(client: TestClient, case: Case) -> None:
    for _ in range(MAX_FAILURES):
        assert sign_in(client, "vi", "wrong password!!") == 401
    assert sign_in(client, "vi") == 401                          # locked: even the right one
    boss = case.ws.actor("boss")
    failures = [e for e in case.ws.audit.entries(boss, user="vi") if e.action == "login"]
    assert sum(e.outcome == "failed" for e in failures) == MAX_FAILURES + 1
    assert any("locked out" in e.detail for e in failures)
    case.ws.signin.set_password(boss, "vi", PASSWORD)           # an admin unlocks
    assert sign_in(client, "vi") == 303


def test_unknown_user_gets_the_same_answer(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    unknown = client.post("/login", data={"name": "nobody", "password": PASSWORD,
                                          "csrf": token})
    wrong = client.post("/login", data={"name": "vi", "password": "not the password",
                                        "csrf": token})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.text.replace("nobody", "vi") == wrong.text


@pytest.mark.parametrize("token", [None, "forged"])
def test_post_without_the_csrf_token_is_refused(client: TestClient, token: str | None) -> None:
    client.get("/login")
    data = {"name": "vi", "password": PASSWORD}
    if token:
        data["csrf"] = token
    assert client.post("/login", data=data).status_code == 403
    assert _me(client) == "public"
    assert sign_in(client, "vi") == 303
    data = {"csrf": token} if token else {}
    assert client.post("/logout", data=data).status_code == 403
    assert _me(client) == "vi"


@pytest.mark.parametrize("path", ["/search?q=x", "/login", "/entity/P1", "/entity/P999",
                                  "/api/v1/search?q=x", "/api/v1/openapi.json",
                                  "/static/sabt.css"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                 "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert part in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_search_across_scripts_and_spellings(client: TestClient) -> None:
    sign_in(client, "vi")
    hits = client.get("/api/v1/search", params={"q": "Hosein Rezayi"}).json()["hits"]
    assert hits[0]["id"] == "P1" and hits[0]["label"] == "حسین رضایی"
    ids = [h["id"] for h in client.get("/api/v1/search", params={"q": "رضائی"}).json()["hits"]]
    assert "P2" in ids                                          # Ali Rezaei
    assert "P3" not in ids                                      # Maryam Ahmadi
    page = client.get("/search", params={"q": "Hosein Rezayi"})
    assert "حسین رضایی" in page.text and 'href="/entity/P1"' in page.text


def test_search_finds_name_statements_the_reader_may_see(client: TestClient) -> None:
    sign_in(client, "vi")
    hits = client.get("/api/v1/search", params={"q": "Karimi"}).json()["hits"]
    assert [(h["id"], h["matched"]) for h in hits] == [("P6", "رضا کریمی")]
    assert client.get("/api/v1/search", params={"q": "Jafari"}).json()["total"] == 0
    client.cookies.clear()
    sign_in(client, "boss")                                      # cleared: the name is found
    assert [h["id"] for h in client.get("/api/v1/search", params={"q": "Jafari"}).json()[
        "hits"]] == ["P7"]


def test_search_pages_and_hides_what_the_reader_may_not_see(client: TestClient) -> None:
    sign_in(client, "vi")
    first = client.get("/api/v1/search", params={"q": "SYNTHETIC", "kind": "person",
                                                "limit": 1}).json()
    assert first["total"] == 3 and len(first["hits"]) == 1     # P4, P6, P7: P5 is restricted
    assert all(h["id"] != "P5" for h in first["hits"])
    client.cookies.clear()
    sign_in(client, "boss")
    both = client.get("/api/v1/search", params={"q": "SYNTHETIC witness"}).json()
    assert [h["id"] for h in both["hits"]][:1] == ["P5"]
    pages = [client.get("/api/v1/search", params={"q": "SYNTHETIC", "kind": "person",
                                                   "limit": 1, "offset": n}).json()
             for n in (0, 1, 4)]
    assert [p["total"] for p in pages] == [4, 4, 4]
    assert pages[0]["hits"][0]["score"] >= pages[1]["hits"][0]["score"]
    assert pages[2]["hits"] == []
    assert client.get("/api/v1/search", params={"q": "x", "limit": 0}).status_code == 422


def test_restricted_and_missing_answer_the_same_404(client: TestClient) -> None:
    sign_in(client, "vi")
    for prefix in ("/entity/", "/api/v1/entities/"):
        hidden = client.get(prefix + "P5")
        missing = client.get(prefix + "P8")
        assert hidden.status_code == missing.status_code == 404
        assert without(hidden.text, "P5") == without(missing.text, "P8")
    client.cookies.clear()
    sign_in(client, "boss")
    assert client.get("/entity/P5").status_code == 200


def test_the_public_sees_only_public_items(client: TestClient, case: Case) -> None:
    assert client.get("/entity/P1").status_code == 404           # internal by default
    assert client.get("/api/v1/search", params={"q": "Rezaei"}).json()["total"] == 0
    case.ws.entities.mark(case.ws.actor("boss"), "P2", "public")
    assert [h["id"] for h in client.get("/api/v1/search", params={"q": "Rezaei"}).json()[
        "hits"]] == ["P2"]
    assert client.get("/entity/P2").status_code == 200
    assert client.get("/audit").status_code == 403


def test_person_page_shows_conflicts_references_and_history(client: TestClient) -> None:
    sign_in(client, "vi")
    page = client.get("/entity/P1").text
    assert 'class="conflict"' in page and "side-by-side" in page
    assert "<q><bdi>۱۳۶۷/۰۵/۰۸</bdi></q>" in page                # a reference's quote
    assert "1988-07-30" in page or "30 July 1988" in page        # both calendars
    data = client.get("/api/v1/entities/P1").json()
    assert data["view"][0]["conflict"] is True
    history = client.get("/api/v1/entities/P1/history").json()
    assert history and history[0]["author"] == "boss"


def test_withheld_statements_are_shown_as_withheld(client: TestClient, case: Case) -> None:
    boss = case.ws.actor("boss")
    st = case.ws.entities.get(boss, "P1").statements[0].id
    case.ws.entities.mark(boss, str(st), "restricted")
    sign_in(client, "vi")
    page = client.get("/entity/P1").text
    assert 'class="withheld"' in page
    assert client.get("/api/v1/entities/P1").json()["withheld"] == [
        {"property": "date of death", "statements": 1}]


def test_html_injection_is_escaped_on_every_page(client: TestClient) -> None:
    sign_in(client, "boss")
    for path in ("/search?q=SYNTHETIC", f"/search?q={INJECTION}", "/entity/P4", "/entity/P1",
                 "/claims", "/claims/T1", "/audit", "/entity/%3Cscript%3E"):
        page = client.get(path)
        assert "<script" not in page.text.lower(), path
        if path in ("/entity/P4", "/claims/T1"):
            assert "&lt;script&gt;alert(" in page.text, path     # shown, as text


def test_claims_board_and_csv(client: TestClient) -> None:
    sign_in(client, "vi")
    page = client.get("/claims/T1")
    assert page.status_code == 200 and "1000" in page.text
    csv = client.get("/claims/T1.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith("claim_id,statement_id,date")
    assert "'=1000" in lines[1]                                  # no formula in a spreadsheet
    assert client.get("/claims/T9").status_code == 404
    boards = client.get("/api/v1/claims").json()
    assert boards[0]["subject_id"] == "T1"


def test_audit_for_admins_only(client: TestClient) -> None:
    sign_in(client, "vi")
    assert 'href="/audit"' not in client.get("/search").text
    assert client.get("/audit").status_code == 403
    assert client.get("/api/v1/audit").status_code == 403
    client.cookies.clear()
    sign_in(client, "boss")
    entries = client.get("/api/v1/audit", params={"user": "vi"}).json()
    assert any(e["action"] == "login" and e["outcome"] == "done" for e in entries)
    assert client.get("/audit").status_code == 200
    assert 'href="/audit"' in client.get("/search").text


def test_persian_interface(client: TestClient) -> None:
    sign_in(client, "vi")
    page = client.get("/entity/P1", params={"lang": "fa"}).text
    assert '<html lang="fa" dir="rtl">' in page
    assert "تاریخچه" in page                                     # labels translated
    assert "۱۳۶۷" in page                                        # Persian digits and calendar
    again = client.get("/search").text                           # the choice is kept
    assert 'dir="rtl"' in again
    assert 'dir="ltr"' in client.get("/search", params={"lang": "en"}).text


def test_openapi_lists_the_api(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/search", "/api/v1/entities/{entity_id}", "/api/v1/claims",
                 "/api/v1/audit"):
        assert path in paths


def test_expired_session_is_the_public(client: TestClient, case: Case) -> None:
    from sqlalchemy import update

    from sabt.store.credentials import web_session

    sign_in(client, "vi")
    with case.ws.store.engine.begin() as conn:
        conn.execute(update(web_session).values(expires_at=web_session.c.created_at))
    time.sleep(0.01)
    assert _me(client) == "public"


def test_export_leaves_out_sign_in_secrets(client: TestClient, case: Case,
                                           tmp_path: Path) -> None:
    sign_in(client, "vi")                                        # a session exists
    out = tmp_path / "export.jsonl"
    case.ws.exports.jsonl(case.ws.actor("boss"), out)
    text = out.read_text(encoding="utf-8")
    assert '"table": "sabt_user"' in text                      # users are exported …
    assert '"credential"' not in text and '"web_session"' not in text
    assert case.totp_secret not in text and "$argon2id$" not in text
