"""An official's page: posts over time in order with the organisation's name, and the items
that name him — only those the reader may see. SYNTHETIC people and bodies."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sabt.model.statements import EntityRef, Locator, Reference, Text
from sabt.policy import Level, Mark
from tests.web.conftest import Case, _date, sign_in, without


def test_posts_run_in_order_and_hidden_events_stay_hidden(client: TestClient,
                                                          case: Case) -> None:
    ws, boss = case.ws, case.ws.actor("boss")
    src = "S1"
    ws.entities.add(boss, "organization", "SYNTHETIC Commission of Nine", id="O1")
    ws.entities.add(boss, "person", "SYNTHETIC Official Karimi", id="P9")
    for role, start, org in (("SYNTHETIC judge", "1990-01-01", None),
                             ("SYNTHETIC member", "1988-07-01", "O1")):
        quals = {"role": Text(role, "en"), "start": _date(start),
                 "attribution": Text("alleged", "en")}
        ws.entities.add_statement(boss, "P9", "held post",
                                  EntityRef(org) if org else Text(role, "en"),
                                  references=[Reference(src, Locator(page="2"), role)],
                                  qualifiers=quals)
    ws.entities.add(boss, "event", "SYNTHETIC hearing in Evin", id="E1")
    ws.entities.add_statement(boss, "E1", "participant", EntityRef("P9"))
    ws.entities.add(boss, "event", "SYNTHETIC secret meeting", id="E2",
                    mark=Mark(Level.RESTRICTED))
    ws.entities.add_statement(boss, "E2", "participant", EntityRef("P9"))
    assert sign_in(client, "vi") == 303
    page = client.get("/entity/P9").text
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S)
    assert timeline is not None
    text = timeline.group(1)
    assert text.index("SYNTHETIC member") < text.index("SYNTHETIC judge")   # 1988 before 1990
    assert "SYNTHETIC Commission of Nine" in text and "alleged" in text
    assert "SYNTHETIC hearing in Evin" in page
    assert "SYNTHETIC secret meeting" not in page
    # the id as a whole word, with the session's random tokens blanked (a token can hold "E2")
    assert not re.search(r"(?<![A-Za-z0-9_-])E2(?![A-Za-z0-9_-])", without(page))
    client.cookies.clear()
    assert sign_in(client, "boss") == 303
    assert "SYNTHETIC secret meeting" in client.get("/entity/P9").text
