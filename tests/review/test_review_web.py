"""The review queue over HTTP: the page and its forms, the API with a token, roles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from sabt.service import Workspace
from sabt.web import create_app
from tests.web.conftest import PASSWORD, csrf_of, sign_in


@pytest.fixture(scope="module")
def client(reviewed: Workspace) -> Iterator[TestClient]:
    boss = reviewed.actor("boss")
    for name in ("boss", "rev1", "vi"):
        reviewed.signin.set_password(boss, name, PASSWORD)
    with TestClient(create_app(reviewed), base_url="https://testserver") as c:
        yield c


def _pair(html: str) -> tuple[str, str]:
    left = re.search(r'name="record_l" value="(\d+)"', html)
    right = re.search(r'name="record_r" value="(\d+)"', html)
    assert left and right
    return left.group(1), right.group(1)


def test_a_reviewer_decides_and_undoes_in_the_browser(client: TestClient) -> None:
    client.cookies.clear()
    assert sign_in(client, "rev1") == 303
    page = client.get("/review")
    assert page.status_code == 200 and 'data-key="m"' in page.text
    assert "/static/review.js" in page.text and "<script>" not in page.text   # CSP: no inline
    left, right = _pair(page.text)
    done = client.post("/review/decide", data={"csrf": csrf_of(page.text), "record_l": left,
                                               "record_r": right, "decision": "match"})
    assert done.status_code == 200 and "#" in done.text
    number = re.search(r'name="decision_id" value="(\d+)"', done.text)
    assert number is not None
    assert _pair(done.text) != (left, right)          # the next pair is served
    again = client.post("/review/decide", data={"csrf": csrf_of(done.text), "record_l": left,
                                                "record_r": right, "decision": "non-match"})
    assert again.status_code == 400 and "already decided" in again.text
    undone = client.post("/review/undo", data={"csrf": csrf_of(done.text),
                                               "decision_id": number.group(1)})
    assert undone.status_code == 200
    forged = client.post("/review/decide", data={"csrf": "forged", "record_l": left,
                                                 "record_r": right, "decision": "match"})
    assert forged.status_code == 403


def test_the_api_with_a_token(client: TestClient, reviewed: Workspace) -> None:
    client.cookies.clear()
    token, _info = reviewed.tokens.create(reviewed.actor("rev2"), "rev2",
                                          expires_in=timedelta(hours=1), label="SYNTHETIC")
    auth = {"Authorization": f"Bearer {token}"}
    card = client.get("/api/v1/review/next", headers=auth).json()
    assert card["why"]["comparisons"] and card["left"]["list"].startswith("SYNTHETIC")
    pair = card["pair"]
    made = client.post("/api/v1/review/decisions", headers=auth, json={
        "record_l": pair["record_l"], "record_r": pair["record_r"], "decision": "skip"})
    assert made.status_code == 200
    undone = client.post(f"/api/v1/review/decisions/{made.json()['id']}/undo", headers=auth)
    assert undone.json() == {"undone": made.json()["id"]}
    bad = client.post("/api/v1/review/decisions", headers=auth, json={
        "record_l": pair["record_l"], "record_r": pair["record_r"], "decision": "maybe"})
    assert bad.status_code == 422
    assert client.get("/api/v1/review/state",
                      headers={"Authorization": "Bearer sabt_wrong"}).status_code == 401


def test_a_viewer_and_the_public_cannot_review(client: TestClient) -> None:
    client.cookies.clear()
    assert client.get("/review").status_code in (401, 403)
    assert client.get("/api/v1/review/next").status_code in (401, 403)
    assert sign_in(client, "vi") == 303
    assert client.get("/review").status_code == 403
    assert 'href="/review"' not in client.get("/search").text


def test_the_estimates_page_shows_captures_and_stored_estimates(client: TestClient,
                                                                reviewed: Workspace) -> None:
    from sabt.estimate.report import estimate_all

    boss = reviewed.actor("boss")
    table = reviewed.estimates.capture_table(boss)
    report = estimate_all(table, ["loglinear"]).to_dict()
    reviewed.estimates.save(boss, report, label="SYNTHETIC three lists", synthetic=True,
                            subject_id=None, inputs={"scenario": "hard", "SYNTHETIC": True})
    client.cookies.clear()
    assert sign_in(client, "boss") == 303
    page = client.get("/estimates").text
    assert "SYNTHETIC three lists" in page and "<svg" in page and 'class="ci"' in page
    counts = [int(c) for c in re.findall(r"<td>(\d+)</td></tr>", page.split(
        'class="captures"')[1])]
    assert sum(counts) == int(table.counts.sum())          # every person observed, once
    api = client.get("/api/v1/captures").json()
    assert api["observed"] == int(table.counts.sum()) and len(api["lists"]) == 3
    stored = client.get("/api/v1/estimates").json()
    assert stored and stored[0]["synthetic"] is True
    client.cookies.clear()
    assert sign_in(client, "vi") == 303       # a viewer: no capture table (analysts only)
    assert client.get("/api/v1/captures").status_code == 403
    assert "SYNTHETIC three lists" in client.get("/estimates").text


def test_the_band_sample_is_served_and_counts_for_calibration(client: TestClient,
                                                              reviewed: Workspace) -> None:
    client.cookies.clear()
    assert sign_in(client, "rev1") == 303
    before = reviewed.linkage.sample_bands(reviewed.actor("rev1"), undecided=True)
    page = client.get("/review", params={"sample": "true"})
    assert page.status_code == 200 and 'name="sample" value="true"' in page.text
    left, right = _pair(page.text)
    drawn = {(b.record_l, b.record_r): b for b in before}
    assert (int(left), int(right)) in drawn                 # a pair of the band sample
    assert f"band {drawn[(int(left), int(right))].band}" in page.text
    done = client.post("/review/decide", data={
        "csrf": csrf_of(page.text), "record_l": left, "record_r": right,
        "decision": "non-match", "sample": "true"}, follow_redirects=False)
    assert done.status_code == 303 and "sample=true" in done.headers["location"]
    after = reviewed.linkage.sample_bands(reviewed.actor("rev1"), undecided=True)
    assert len(after) == len(before) - 1
    decided = {(b.record_l, b.record_r): b.decision
               for b in reviewed.linkage.sample_bands(reviewed.actor("rev1"))}
    assert decided[(int(left), int(right))] == "non-match"
    card = client.get("/api/v1/review/next", params={"sample": "true"}).json()
    assert card["band"] is not None and len(card["group"]) == 0   # a sample pair stands alone
