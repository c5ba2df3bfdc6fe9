"""Places: drawn on the map where their coordinates say, and a place's history in date order
with only the events the reader may see. SYNTHETIC places and events."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from sabt.model.statements import EntityRef, Quantity, Text
from sabt.policy import Level, Mark
from tests.web.conftest import Case, _date, sign_in


def test_places_map_and_history(client: TestClient, case: Case) -> None:
    ws, boss = case.ws, case.ws.actor("boss")
    ws.entities.add(boss, "place", "SYNTHETIC Evin-like prison", id="L1")
    ws.entities.add_statement(boss, "L1", "latitude", Quantity(35.8))
    ws.entities.add_statement(boss, "L1", "longitude", Quantity(51.38))
    ws.entities.add(boss, "place", "SYNTHETIC unlocated cemetery", id="L2")
    for eid, title, day, mark in (("E7", "SYNTHETIC burials begin", "1988-09-01", None),
                                  ("E6", "SYNTHETIC prison opened", "1971-01-01", None),
                                  ("E8", "SYNTHETIC secret transfer", "1988-08-01",
                                   Mark(Level.RESTRICTED))):
        ws.entities.add(boss, "event", title, id=eid, mark=mark)
        ws.entities.add_statement(boss, eid, "date", _date(day))
        ws.entities.add_statement(boss, eid, "description", Text(f"{title}.", "en"))
        ws.entities.add_statement(boss, eid, "place", EntityRef("L1"))
    assert sign_in(client, "vi") == 303
    listing = client.get("/places").text
    assert listing.count('class="site"') == 1 and "SYNTHETIC unlocated cemetery" in listing
    page = client.get("/place/L1").text
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S)
    assert timeline is not None
    text = timeline.group(1)
    assert text.index("SYNTHETIC prison opened") < text.index("SYNTHETIC burials begin")
    assert "SYNTHETIC secret transfer" not in page
    assert "1367" in text            # both calendars: 1988-09-01 is in 1367 SH
    assert client.get("/place/P5").status_code == 404


def test_a_cut_list_of_places_says_so(client: TestClient, case: Case,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from sabt.web import places

    boss = case.ws.actor("boss")
    for pid in ("L1", "L2"):
        case.ws.entities.add(boss, "place", f"SYNTHETIC place {pid}", id=pid)
    assert sign_in(client, "boss") == 303
    assert "More items" not in client.get("/places").text
    monkeypatch.setattr(places, "MAX_PLACES", 1)
    page = client.get("/places").text
    assert "More items" in page and page.count("/place/L") == 1
