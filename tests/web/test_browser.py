"""The web application in a real browser (Debian's chromium) against a real `sabt serve` on
127.0.0.1: sign in with the second factor, search across scripts, open a person, switch to the
Persian interface (laid out right to left: computed direction and positions), no console errors
or failed requests; screenshots kept. Names are SYNTHETIC."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyotp
import pytest

from sabt.service import Workspace
from tests.browser import ARGS, CHROMIUM, require_chromium, watched_page
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser]


def test_sign_in_search_person_and_persian(server: str, folder: Path, tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with Workspace.open(folder) as ws:
        factor = ws.signin.enable_totp(ws.actor("boss"), "boss")
    secret = re.search(r"secret=([A-Z2-7]+)", factor.uri)
    assert secret is not None
    shots = Path(os.environ.get("SABT_SCREENSHOT_DIR", tmp_path))
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = watched_page(browser, problems, width=1200, height=900)
        page.goto(server + "/login")
        page.fill("input[name=name]", "boss")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=code]", pyotp.TOTP(secret.group(1)).now())
        page.click("form.stack button[type=submit]")
        page.wait_for_url(server + "/search")
        assert "boss" in page.inner_text("header")
        page.fill("input[name=q]", "Hosein Rezayi")
        page.click("form[role=search] button[type=submit]")
        page.wait_for_load_state("load")
        page.click("a[href='/entity/P1']")
        page.wait_for_url(server + "/entity/P1")
        assert "حسین رضایی" in page.inner_text("h1")
        assert page.locator("tr.conflict .candidate").count() == 2   # side by side
        page.screenshot(path=str(shots / "web-person.png"))
        page.goto(server + "/search?q=%D8%B1%D8%B6%D8%A7%DB%8C%DB%8C&lang=fa")
        layout = page.evaluate("""() => ({
            dir: getComputedStyle(document.body).direction,
            brand: document.querySelector('header .brand').getBoundingClientRect().left,
            out: document.querySelector('header form button').getBoundingClientRect().left,
            hit: document.querySelector('table.results a') !== null})""")
        page.screenshot(path=str(shots / "web-search-fa.png"))
        browser.close()
    assert problems == []
    assert layout["dir"] == "rtl"
    assert layout["brand"] > layout["out"], f"the header is not laid out right to left: {layout}"
    assert layout["hit"]
    assert (shots / "web-person.png").stat().st_size > 5_000
