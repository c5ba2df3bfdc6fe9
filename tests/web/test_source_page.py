"""A source's page: its vault file with hash and custody, the text with the quotes that cite it
marked, and the statements citing it — only those the reader may see. SYNTHETIC text."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from sabt.model.statements import Locator, Reference, Text
from sabt.vault.vault import Provenance
from tests.web.conftest import Case, sign_in

ARTICLE = ("SYNTHETIC article. The family of Ali Rezaei was told of his death in August.\n"
           "یک شاهد گفت که او در زندان اوین بود. A secret witness named the guard.\n")


def test_the_source_page_marks_quotes_and_hides_what_the_reader_may_not_see(
        client: TestClient, case: Case, tmp_path: Path) -> None:
    ws, boss = case.ws, case.ws.actor("boss")
    path = tmp_path / "SYNTHETIC_article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    report, _ = ws.vault.add(boss, [path], Provenance("boss"), suggest=False)
    item = report.added[0]
    source = item["source_id"]
    quote = "was told of his death in August"
    start = ARTICLE.index(quote)
    ws.entities.add_statement(boss, "P2", "note", Text("SYNTHETIC told in August", "en"),
                              references=[Reference(source, Locator(start=start,
                                                                    end=start + len(quote)),
                                                    quote)])
    ws.entities.add_statement(boss, "P2", "place of detention", Text("اوین", "fa"),
                              references=[Reference(source, Locator(), "در زندان اوین")])
    ws.entities.add_statement(boss, "P5", "note", Text("SYNTHETIC secret", "en"),
                              references=[Reference(source, Locator(),
                                                    "A secret witness named the guard")])
    assert sign_in(client, "boss") == 303
    page = client.get(f"/source/{source}").text
    assert item["sha256"] in page and "ingested" in page            # hash and custody
    marked = re.findall(r"<mark[^>]*>(.*?)</mark>", page, re.S)
    assert marked == [quote, "در زندان اوین", "A secret witness named the guard"]
    assert "SYNTHETIC restricted witness" in page                   # P5, cited, for the admin
    client.cookies.clear()
    assert sign_in(client, "vi") == 303
    page = client.get(f"/source/{source}").text
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", page, re.S) == [quote, "در زندان اوین"]
    assert "SYNTHETIC restricted witness" not in page and "SYNTHETIC secret" not in page
    cited = client.get(f"/api/v1/sources/{source}").json()["cited_by"]
    assert {c["entity"] for c in cited} == {"P2"}
    assert client.get("/source/NOPE").status_code == 404
