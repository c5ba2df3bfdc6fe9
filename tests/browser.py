"""Shared by the browser tests: Debian's chromium (a test is skipped without it, or fails when
`SABT_REQUIRE_BROWSER` is set, as `./run test` sets it), its launch arguments, and a page that
reports console errors, page errors and failed requests into a list the test checks empty.
A request the browser itself cancels because the page moved on (`net::ERR_ABORTED`, e.g. the
icon of a page left by a keypress before it loaded) is not a failure of the page."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("SABT_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (./run test installs it)")
        pytest.skip("chromium is not installed")


def watched_page(browser: Browser, problems: list[str], *, width: int = 1280,
                 height: int = 720) -> Page:
    """A new page (`width` × `height`) whose console errors, page errors and failed requests
    go to `problems`."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("requestfailed", lambda r: _failed(r, problems))
    return page


def _failed(request: Request, problems: list[str]) -> None:
    reason = request.failure or "unknown"
    if reason != "net::ERR_ABORTED":
        problems.append(f"request failed: {request.url} ({reason})")
