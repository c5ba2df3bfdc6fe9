"""The memorial in the server (`sabt serve`): the same rules and pages for the anonymous public,
cache headers, the same search as the static site, and the correction form (SYNTHETIC data)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from sabt.errors import Forbidden, NotFound
from sabt.web import create_app
from tests.publish.conftest import WITHHELD, Case


@pytest.fixture
def client(case: Case) -> TestClient:
    return TestClient(create_app(case.ws, secure_cookies=False))


def test_memorial_pages_show_only_what_is_published(client: TestClient) -> None:
    for path in ("/memorial/", "/memorial/en/index.html", "/memorial/fa/index.html",
                 "/memorial/en/p/P1.html", "/memorial/fa/p/P1.html", "/memorial/en/p/P5.html",
                 "/memorial/en/names.html", "/memorial/fa/about.html",
                 "/memorial/en/claims.html", "/memorial/en/prison/L1.html",
                 "/memorial/assets/memorial.css", "/memorial/assets/OFL.txt"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "public, max-age=300", path
        for value in WITHHELD:
            assert value.encode() not in response.content, (path, value)
    page = client.get("/memorial/fa/p/P1.html").text
    assert 'dir="rtl"' in page and "حسین رضایی" in page
    assert 'href="../correct/P1"' in page
    for hidden in ("P2", "P3", "P4", "P6", "S1"):
        response = client.get(f"/memorial/en/p/{hidden}.html")
        assert response.status_code == 404
        assert response.headers["cache-control"] == "no-store"
    assert client.get("/search").headers["cache-control"] == "no-store"   # the rest: unchanged


def test_server_search_ranks_as_the_static_index(case: Case, client: TestClient) -> None:
    from sabt.publish.search import SearchIndex, build_index
    from sabt.publish.site import search_entries

    memorial = case.ws.publish.memorial()
    index = SearchIndex(build_index(search_entries(memorial)))
    for query in ("Hosein Rezayi", "حسین رضائی", "rezaei", "Maryam Ahmadi", "مریم احمدی",
                  "Zzlivingwitness", "شاهدزنده", "Zzunpublishedperson"):
        served = client.get("/memorial/en/search.json", params={"q": query}).json()["hits"]
        assert served == [{"id": h.id, "score": h.score} for h in index.rank(query, 50)]
        if query.startswith("Zz") or query == "شاهدزنده":
            assert served == [], query
    assert [h["id"] for h in client.get("/memorial/en/search.json",
                                        params={"q": "Hosein Rezayi"}).json()["hits"]] == ["P1"]
    page = client.get("/memorial/fa/search.html", params={"q": "Hossein Rezaei"}).text
    assert 'href="p/P1.html"' in page


def _token(client: TestClient, path: str) -> str:
    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["cache-control"] == "no-store"
    found = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert found is not None
    return found.group(1)


def test_correction_is_pending_internal_and_rate_limited(case: Case, client: TestClient,
                                                         ) -> None:
    from sabt.policy import PUBLIC
    from sabt.service.users import new_actor

    path = "/memorial/en/correct/P1"
    token = _token(client, path)
    sent = client.post(path, data={"text": "SYNTHETIC: his father was Zzcorrection",
                                   "contact": "a cousin", "csrf": token})
    assert sent.status_code == 200 and "An editor will review" in sent.text
    assert client.post(path, data={"text": "no token"}).status_code == 403
    assert client.post(path, data={"text": "x" * 4001, "csrf": token}).status_code == 400
    assert client.post(path, data={"text": "   ", "csrf": token}).status_code == 400
    assert client.post("/memorial/en/correct/P2", data={"text": "hidden person",
                                                        "csrf": token}).status_code == 404
    boss = case.ws.actor("boss")
    pending = case.ws.corrections.list(boss)
    assert [(c.entity_id, c.text, c.contact) for c in pending] == [
        ("P1", "SYNTHETIC: his father was Zzcorrection", "a cousin")]
    assert b"Zzcorrection" not in client.get("/memorial/en/p/P1.html").content
    case.ws.users.add(boss, new_actor("vi", ["viewer"]))
    with pytest.raises(NotFound):       # the public may not know there are any
        case.ws.corrections.list(PUBLIC)
    with pytest.raises(Forbidden):      # a viewer sees internal items but may not edit
        case.ws.corrections.list(case.ws.actor("vi"))
    case.ws.corrections.decide(boss, pending[0].id, True, "added with its source")
    assert case.ws.corrections.list(boss) == []
    assert case.ws.corrections.list(boss, "accepted")[0].note == "added with its source"
    # 5 messages an hour per client: one kept above and two refused for their content count
    # (a missing token or a hidden page is refused before the limit), so two more are kept
    # and the one after is refused.
    for text in ("fourth", "fifth"):
        assert client.post(path, data={"text": text, "csrf": token}).status_code == 200
    limited = client.post(path, data={"text": "sixth", "csrf": token})
    assert limited.status_code == 429 and "Too many" in limited.text
    assert len(case.ws.corrections.list(boss)) == 2


def test_rate_limit_forgets_old_events_and_clients() -> None:
    from sabt.service.corrections import RateLimit

    limit = RateLimit(events=2, seconds=10, clients=2)
    assert limit.allow("a", 0) and limit.allow("a", 1) and not limit.allow("a", 2)
    assert limit.allow("a", 11)                       # the first has aged out
    limit.allow("b", 12)
    limit.allow("c", 12)
    assert list(limit.seen) == ["b", "c"]             # the oldest client forgotten


def test_missing_name_is_pending_never_published_and_checked(case: Case, client: TestClient,
                                                            ) -> None:
    path = "/memorial/fa/missing"
    token = _token(client, path)
    assert 'dir="rtl"' in client.get(path).text
    assert client.post(path, data={"name": "Zzmissing"}).status_code == 403   # no CSRF token
    refused = {                            # field: what was sent, and the field the page names
        "name": {"name": "   ", "csrf": token},
        "details": {"name": "Ali", "details": "x" * 4001, "csrf": token},
    }
    for field, data in refused.items():
        response = client.post(path, data=data)
        assert response.status_code == 400, field
        assert f"field &#39;{field}&#39;" in response.text, response.text   # field and reason
        assert 'aria-invalid="true"' in response.text
    digits = client.post(path, data={"name": "1367 --", "csrf": token})
    assert digits.status_code == 400 and "must hold a name" in digits.text
    html = '<script>alert("Zzx")</script>'
    sent = client.post(path, data={"name": f"SYNTHETIC Zzmissing {html}",
                                   "details": "SYNTHETIC: Evin, 1988", "csrf": token})
    assert sent.status_code == 200 and "ویراستاری پیام شما" in sent.text
    boss = case.ws.actor("boss")
    pending = case.ws.corrections.list(boss)
    assert [(c.entity_id, c.text, c.status) for c in pending] == [
        (None, f"Missing name: SYNTHETIC Zzmissing {html}\n\nSYNTHETIC: Evin, 1988",
         "pending")]
    for page in ("/memorial/en/index.html", "/memorial/en/names.html",
                 "/memorial/fa/index.html"):
        assert b"Zzmissing" not in client.get(page).content
    assert client.get("/memorial/en/search.json",
                      params={"q": "Zzmissing"}).json()["hits"] == []
    # what a refused form sends back is shown escaped, never as markup
    echoed = client.post(path, data={"name": html, "details": "x" * 4001, "csrf": token})
    assert echoed.status_code == 400        # the fifth message from this client in the hour
    assert "<script>" not in echoed.text and "&lt;script&gt;" in echoed.text
    limited = client.post(path, data={"name": "SYNTHETIC sixth", "csrf": token})
    assert limited.status_code == 429 and 'role="alert"' in limited.text   # 5 an hour
    assert len(case.ws.corrections.list(boss)) == 1


def test_missing_name_fields_in_the_service(case: Case) -> None:
    from sabt.errors import InvalidValue
    from sabt.policy import PUBLIC
    from sabt.service.corrections import RateLimited

    submit = case.ws.corrections.submit_missing
    for kwargs, field in (({"name": ""}, "name"), ({"name": "x" * 201}, "name"),
                          ({"name": "Ali", "contact": "x" * 201}, "contact"),
                          ({"name": "Ali", "details": "x" * 4001}, "details")):
        with pytest.raises(InvalidValue) as refused:
            submit(PUBLIC, **kwargs)        # type: ignore[arg-type]
        assert refused.value.field == field, kwargs
    assert submit(PUBLIC, " SYNTHETIC\u0000 Maryam\n Ahmadi ", client="a") > 0
    texts = [c.text for c in case.ws.corrections.list(case.ws.actor("boss"))]
    assert texts == ["Missing name: SYNTHETIC Maryam Ahmadi"]   # control characters removed
    for _ in range(4):
        submit(PUBLIC, "SYNTHETIC", client="a")
    with pytest.raises(RateLimited):
        submit(PUBLIC, "SYNTHETIC", client="a")
    assert submit(PUBLIC, "SYNTHETIC", client="b") > 0          # another sender
