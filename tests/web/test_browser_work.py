"""A documentalist's and a reviewer's work in a real browser (Debian's chromium) against a real
`sabt serve` on 127.0.0.1: upload two lists through the form (preview, import as a background
job), link them, review a pair with the keyboard and undo it, open a source with its quote
marked and an official's timeline — in Persian too, with no console errors or failed requests.
Screenshots kept. SYNTHETIC lists and names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sabt.model.statements import EntityRef, Locator, Reference, Text
from sabt.service import Workspace
from sabt.simulate import scenario, simulate, write
from sabt.vault.vault import Provenance
from tests.browser import ARGS, CHROMIUM, require_chromium, watched_page
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser]
QUOTE = "was seen in Evin in August"


def _case(folder: Path, tmp_path: Path) -> list[Path]:
    """Two SYNTHETIC list files to upload; a source file with a quote; an official's posts."""
    # 100 people in two lists, seed 3: the link run leaves one pair for review (checked by
    # linking the same lists in Python)
    sim = simulate(scenario("hard", population=100, lists=2), seed=3)
    write(sim, tmp_path / "sim", formats=("csv",), population=False)
    article = tmp_path / "SYNTHETIC_article.txt"
    article.write_text(f"SYNTHETIC article. A prisoner {QUOTE}, a witness said.\n",
                       encoding="utf-8")
    with Workspace.open(folder) as ws:
        boss = ws.actor("boss")
        report, _ = ws.vault.add(boss, [article], Provenance("boss"), suggest=False)
        source = report.added[0]["source_id"]
        ws.entities.add_statement(boss, "P2", "note", Text("SYNTHETIC seen in Evin", "en"),
                                  references=[Reference(source, Locator(), QUOTE)])
        ws.entities.add(boss, "organization", "SYNTHETIC Commission", id="O1")
        ws.entities.add(boss, "person", "SYNTHETIC Official Karimi", id="P9")
        ws.entities.add_statement(boss, "P9", "held post", EntityRef("O1"), qualifiers={
            "role": Text("SYNTHETIC member", "en"), "attribution": Text("alleged", "en")})
    return sorted((tmp_path / "sim" / "lists").glob("SYNTHETIC_list_*.csv"))


def test_upload_link_review_source_and_official(server: str, folder: Path,
                                                tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    lists = _case(folder, tmp_path)
    shots = Path(os.environ.get("SABT_SCREENSHOT_DIR", tmp_path))
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = watched_page(browser, problems, width=1200, height=900)
        page.goto(server + "/login")
        page.fill("input[name=name]", "boss")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(server + "/search")
        for path, name in zip(lists, ("SYNTHETIC A", "SYNTHETIC B"), strict=True):
            page.goto(server + "/lists")
            page.set_input_files("input[type=file]", str(path))
            page.fill("input[name=name]", name)
            page.click("form[action='/lists/upload'] button[type=submit]")
            page.wait_for_selector("table.mapping")
            page.click("form[action='/lists/import'] button[type=submit]")
            page.wait_for_selector(".job-status.done", timeout=120_000)
        page.screenshot(path=str(shots / "web-job.png"))
        page.goto(server + "/lists")
        assert page.locator("table.lists tbody tr").count() == 2
        page.click("form[action='/link'] button[type=submit]")
        page.wait_for_selector(".job-status.done", timeout=180_000)
        page.goto(server + "/review")
        assert page.locator("form.decide").count() == 1, "a pair waits for review"
        page.screenshot(path=str(shots / "web-review.png"))
        with page.expect_navigation():
            page.keyboard.press("n")
        assert "#" in page.inner_text(".notice")
        with page.expect_navigation():
            page.keyboard.press("u")
        assert page.locator("table.recent tr.retracted").count() == 1
        page.goto(server + "/entity/P2")
        page.click("ul.refs a[href^='/source/']")
        page.wait_for_selector(".source-text mark")
        assert page.inner_text(".source-text mark") == QUOTE
        page.goto(server + "/entity/P9?lang=fa")
        layout = page.evaluate("""() => ({
            dir: getComputedStyle(document.querySelector('ol.timeline')).direction,
            org: document.querySelector('ol.timeline a').textContent})""")
        page.screenshot(path=str(shots / "web-official-fa.png"))
        browser.close()
    assert problems == []
    assert layout == {"dir": "rtl", "org": "SYNTHETIC Commission"}
