"""Exports in the browser and the API ask for the user's password (and code) again: without it
nothing is written; with it the report holds only what the reader may see, the whole-workspace
export is refused to those who may not export, and the audit records each export."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.web.conftest import INJECTION, PASSWORD, Case, csrf_of, sign_in


def _form(client: TestClient) -> str:
    return csrf_of(client.get("/exports").text)


def test_report_needs_the_password_again(client: TestClient, case: Case) -> None:
    assert sign_in(client, "vi") == 303
    csrf = _form(client)
    refused = client.post("/exports/report", data={"csrf": csrf, "my_password": "wrong"})
    assert refused.status_code == 401 and "<!DOCTYPE html>\n<html lang=\"en\"" not in refused.text
    forged = client.post("/exports/report", data={"csrf": "forged", "my_password": PASSWORD})
    assert forged.status_code == 403
    done = client.post("/exports/report", data={"csrf": csrf, "my_password": PASSWORD,
                                                "title": "SYNTHETIC export"})
    assert done.status_code == 200
    assert 'attachment; filename="report.html"' in done.headers["content-disposition"]
    assert done.headers["cache-control"] == "no-store"
    report = done.text
    assert "<title>SYNTHETIC export</title>" in report
    assert "Maryam Ahmadi" in report                       # what the viewer may see
    assert "SYNTHETIC restricted witness" not in report    # P5 is restricted
    assert "پروانه جعفری" not in report                    # a restricted name statement
    assert INJECTION not in report
    assert "left out of this report" in report             # and it says so
    kinds = [(e.action, e.outcome) for e in case.ws.audit.entries(case.ws.actor("boss"),
                                                                   user="vi")]
    assert ("export", "export") in kinds


def test_whole_workspace_is_for_those_who_may_export(client: TestClient, case: Case) -> None:
    assert sign_in(client, "vi") == 303
    refused = client.post("/exports/jsonl", data={"csrf": _form(client),
                                                  "my_password": PASSWORD})
    assert refused.status_code == 403
    client.cookies.clear()
    assert sign_in(client, "boss") == 303
    done = client.post("/exports/jsonl", data={"csrf": _form(client), "my_password": PASSWORD})
    assert done.status_code == 200
    first = done.text.splitlines()[0]
    assert '"format": "sabt-jsonl"' in first
    assert "SYNTHETIC restricted witness" in done.text     # the admin exports everything


def test_api_export_with_a_token_still_asks_for_the_password(client: TestClient,
                                                             case: Case) -> None:
    token, _info = case.ws.tokens.create(case.ws.actor("boss"), "vi",
                                         expires_in=timedelta(hours=1))
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/exports/report", headers=bearer,
                       json={"password": "wrong"}).status_code == 401
    assert client.post("/api/v1/exports/report", headers=bearer, json={}).status_code == 422
    done = client.post("/api/v1/exports/report", headers=bearer, json={"password": PASSWORD})
    assert done.status_code == 200 and "Maryam Ahmadi" in done.text
